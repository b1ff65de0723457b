"""Generation at scale: batches claimed by several workers, retried after a crash, no duplicate
statement when two transactions generate the same selection, progress reported to the cron."""

import threading
from datetime import date

from common import ReconciliationCommon
from psycopg2 import errors
from workers_common import CommittedDataCase, recorded_notifications

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.models import run as run_module

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


class FakeProgress:
    """Stands for ir.cron._commit_progress (a test cannot commit): records its calls and
    answers the cron's remaining time (0 makes the cron method stop)."""

    def __init__(self):
        self.calls = []
        self.time_left = 1000.0

    def __call__(self, processed=0, *, remaining=None, deactivate=False):
        self.calls.append((processed, remaining))
        return self.time_left


@tagged("post_install", "-at_install")
class TestBatchedGeneration(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for index in range(6):
            customer = cls._customer(f"Scale Customer {index}")
            cls.customers |= customer
            cls._invoice(customer, 100 * (index + 1), date(2026, 10, 5))
        cls.Run = cls.env["customer.reconciliation.run"]

    def setUp(self):
        super().setUp()
        self.patch(run_module, "BATCH_SIZE", 2)
        progress = self.progress = FakeProgress()
        self.patch(
            self.registry["ir.cron"],
            "_commit_progress",
            lambda cron, *args, **kwargs: progress(*args, **kwargs),
        )

    def _statements(self):
        return self.Session.search([("partner_id", "in", self.customers.ids)])

    def test_run_is_split_into_pending_batches(self):
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.batch_ids.mapped("sequence"), [1, 2, 3])
        self.assertEqual(set(run.batch_ids.mapped("state")), {"pending"})
        self.assertEqual(run.batch_ids.partner_ids, self.customers)
        self.assertEqual(run.batch_ids.mapped("partner_count"), [2, 2, 2])

    def test_interrupted_batch_is_rolled_back_and_retried(self):
        """The second batch dies after its statements were created: none of them stays, the
        batch stays pending, and the next processing ends with exactly one statement each."""
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        Engine = self.registry["customer.reconciliation.engine"]
        fill = Engine._fill_sessions
        calls = []

        def killed_in_second_batch(engine, sessions):
            calls.append(sessions.ids)
            if len(calls) == 2:
                self.assertEqual(len(sessions), 2)  # created, not yet filled
                self.progress.time_left = 0  # the worker stops after this batch
                raise RuntimeError("worker killed")
            return fill(engine, sessions)

        self.patch(Engine, "_fill_sessions", killed_in_second_batch)
        self.Run._cron_process_runs()
        first, second, third = run.batch_ids
        self.assertEqual((first.state, second.state, third.state), ("done", "pending", "pending"))
        self.assertEqual(second.attempt_count, 1)
        self.assertIn("worker killed", second.error)
        self.assertEqual(self._statements().partner_id, first.partner_ids)
        self.assertEqual((run.state, run.done_count, run.created_count), ("running", 2, 2))

        self.progress.time_left = 1000.0
        self.Run._cron_process_runs()
        statements = self._statements()
        self.assertEqual(len(statements), 6)
        self.assertEqual(statements.partner_id, self.customers)
        self.assertEqual(set(run.batch_ids.mapped("state")), {"done"})
        self.assertEqual(run.state, "done")
        self.assertEqual((run.done_count, run.created_count, run.refreshed_count), (6, 6, 0))
        self.assertEqual(run.session_ids, statements)
        self.assertFalse(run.error)
        # Numbered once their batch committed, gapless: the killed batch drew no number.
        numbers = sorted(int(name.rsplit("/", 1)[1]) for name in statements.mapped("name"))
        self.assertEqual(numbers, list(range(numbers[0], numbers[0] + 6)))

    def test_retrying_a_done_batch_refreshes_instead_of_duplicating(self):
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        self.Run._cron_process_runs()
        self.assertEqual(run.created_count, 6)
        # As if the batch had been committed but not marked done: it runs again.
        run.batch_ids[0].sudo().state = "pending"
        run.state = "running"
        self.Run._cron_process_runs()
        self.assertEqual(len(self._statements()), 6)
        self.assertEqual((run.state, run.done_count, run.created_count), ("done", 6, 4))
        self.assertEqual(run.refreshed_count, 2)

    def test_failing_batch_fails_its_run_after_a_few_attempts(self):
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        Engine = self.registry["customer.reconciliation.engine"]
        fill = Engine._fill_sessions

        def always_failing_for_the_first(engine, sessions):
            if sessions.partner_id & run.batch_ids[0].partner_ids:
                raise RuntimeError("cannot be generated")
            return fill(engine, sessions)

        self.patch(Engine, "_fill_sessions", always_failing_for_the_first)
        self.Run._cron_process_runs()
        self.assertEqual(run.batch_ids.mapped("state"), ["failed", "done", "done"])
        self.assertEqual(run.batch_ids[0].attempt_count, 3)
        self.assertEqual((run.state, run.done_count, run.created_count), ("failed", 4, 4))
        self.assertIn("cannot be generated", run.error)

    def test_a_batch_numbers_its_statements_after_it_committed(self):
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        run.batch_ids[0]._generate()  # as a worker, before its commit
        statements = self._statements()
        self.assertEqual(set(statements.mapped("name")), {"…"})
        with self.assertRaisesRegex(UserError, "still being generated in the background"):
            statements[0].action_submit()
        self.Engine._number_unnumbered(self.company)
        self.assertTrue(all(name.startswith("REC/") for name in statements.mapped("name")))
        statements[0].action_submit()
        self.assertEqual(statements[0].state, "to_approve")

    def test_a_stale_snapshot_is_tried_again_in_a_new_transaction(self):
        """Another worker's commit made the claim's snapshot stale: committed, tried again."""
        attempts = []

        def claim():
            attempts.append(len(self.progress.calls))
            if len(attempts) < 3:
                raise errors.SerializationFailure("could not serialize access")
            return "claimed"

        Cron = self.env["ir.cron"]
        self.progress.calls.clear()
        self.assertEqual(Cron._cr_on_fresh_snapshot(claim), "claimed")
        self.assertEqual(attempts, [0, 1, 2], "a commit (a new snapshot) before each new try")

        def always_busy():
            raise errors.LockNotAvailable("could not obtain lock")

        self.progress.calls.clear()
        self.assertEqual(Cron._cr_on_fresh_snapshot(always_busy, attempts=2, default=()), ())
        self.assertEqual(len(self.progress.calls), 2, "given up after two new transactions")

    def test_progress_is_reported_per_batch(self):
        self.Run._start(self.company, *PERIOD, self.customers.ids)
        self.Run._cron_process_runs()
        reported = [(done, left) for done, left in self.progress.calls if left is not None]
        self.assertEqual(reported, [(0, 6), (2, 4), (2, 2), (2, 0)])

    def test_cancelled_run_generates_no_more_and_the_starter_is_told_when_one_ends(self):
        sent = recorded_notifications(self)
        # a run that ends: its starter gets a notification with the counts
        done = self.Run._start(self.company, *PERIOD, self.customers.ids[:2])
        self.Run._cron_process_runs()
        self.assertEqual(done.state, "done")
        [(user, kind, payload)] = [m for m in sent if m[1] == "simple_notification"]
        self.assertEqual((user, payload["type"]), (done.user_id, "success"))
        self.assertIn("2 created", payload["message"])
        # a run cancelled after its first batch: the others are never generated
        run = self.Run._start(
            self.company, date(2026, 9, 1), date(2026, 10, 31), self.customers.ids
        )
        batch = self.env["customer.reconciliation.run.batch"].sudo()._claim()
        batch._process_claimed()
        run._update_counters()
        self.assertEqual(run.state, "running")
        auditor = self.env["res.users"].create(
            {
                "name": "Auditor",
                "login": "scale_auditor",
                "group_ids": [
                    (
                        6,
                        0,
                        [self.env.ref("customer_reconciliation.group_reconciliation_auditor").id],
                    )
                ],
            }
        )
        with self.assertRaises(UserError):
            run.with_user(auditor).action_cancel()
        run.action_cancel()
        self.assertEqual(run.state, "cancelled")
        self.assertEqual(sorted(run.batch_ids.mapped("state")), ["cancelled", "cancelled", "done"])
        self.Run._cron_process_runs()
        run._update_counters()
        self.assertEqual((run.state, run.done_count), ("cancelled", 2))
        self.assertEqual(len(run.session_ids), 2)
        with self.assertRaises(UserError):
            run.action_cancel()

    def test_run_without_customers_ends_at_once(self):
        run = self.Run._start(self.company, *PERIOD, [])
        self.assertEqual((run.state, run.done_count), ("done", 0))
        self.assertFalse(run.batch_ids)

    def test_run_started_before_batches_gets_them_for_what_is_left(self):
        partner_ids = sorted(self.customers.ids)
        self.Engine.generate(self.company, *PERIOD, partner_ids[:2])
        run = self.Run.create(
            {
                "company_id": self.company.id,
                "date_from": PERIOD[0],
                "date_to": PERIOD[1],
                "partner_ids": [(6, 0, partner_ids)],
                "total_count": 6,
                "done_count": 2,
                "created_count": 2,
                "state": "running",
            }
        )
        self.Run._cron_process_runs()
        self.assertEqual(run.batch_ids.mapped("sequence"), [0, 1, 2])
        self.assertEqual(run.batch_ids[0].partner_ids.ids, partner_ids[:2])
        self.assertEqual(run.state, "done")
        self.assertEqual((run.done_count, run.created_count), (6, 6))
        self.assertEqual(len(self._statements()), 6)

    def test_users_read_batches_and_cannot_write_them(self):
        run = self.Run._start(self.company, *PERIOD, self.customers.ids)
        Batch = self.env["customer.reconciliation.run.batch"]
        for group in ("user", "manager", "auditor"):
            user = self.env["res.users"].create(
                {
                    "name": f"Batch {group}",
                    "login": f"batch_{group}",
                    "company_id": self.company.id,
                    "company_ids": [(6, 0, self.company.ids)],
                    "group_ids": [
                        (
                            4,
                            self.env.ref(
                                f"customer_reconciliation.group_reconciliation_{group}"
                            ).id,
                        )
                    ],
                }
            )
            self.assertTrue(Batch.with_user(user).has_access("read"))
            self.assertFalse(Batch.with_user(user).has_access("write"))
            self.assertFalse(Batch.with_user(user).has_access("create"))
            self.assertEqual(run.with_user(user).batch_ids, run.batch_ids)


@tagged("post_install", "-at_install")
class TestConcurrentGeneration(CommittedDataCase):
    def _make_committed_data(self, env):
        self.partner_ids = (
            env["res.partner"]
            .create([{"name": f"Concurrent Customer {i}", "is_company": True} for i in range(3)])
            .ids
        )

    def _remove_committed_data(self, env):
        env["customer.reconciliation.run"].search(
            [("company_id", "=", self.company_id), ("date_from", ">=", date(2031, 1, 1))]
        ).unlink()
        env["customer.reconciliation.session"].search(
            [("partner_id", "in", self.partner_ids)]
        ).unlink()
        env["res.partner"].browse(self.partner_ids).unlink()

    def _generate(self, env, period):
        company = env["res.company"].browse(self.company_id)
        return env["customer.reconciliation.engine"].generate(
            company, *period, self.partner_ids, only_with_balance_or_activity=False
        )

    def test_two_transactions_generating_the_same_selection(self):
        """The second waits for the first to commit, is retried on a fresh snapshot like any
        serialization failure and refreshes the first one's drafts: no duplicate, no error."""
        period = (date(2031, 1, 1), date(2031, 1, 31))
        first_generated, first_may_commit = threading.Event(), threading.Event()
        outcome, attempts = {}, []

        def first():
            with self.registry.cursor() as cr:
                result = self._generate(api.Environment(cr, SUPERUSER_ID, {}), period)
                outcome["first"] = (len(result["created"]), len(result["refreshed"]))
                first_generated.set()
                first_may_commit.wait(30)

        def second():
            first_generated.wait(30)
            with self.registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})

                def attempt():
                    attempts.append(1)
                    result = self._generate(env, period)
                    return len(result["created"]), len(result["refreshed"])

                outcome["second"] = retrying(attempt, env)

        threads = [threading.Thread(target=first), threading.Thread(target=second)]
        for thread in threads:
            thread.start()
        first_generated.wait(30)
        threads[1].join(1.0)  # the second waits on the generation lock meanwhile
        self.assertTrue(threads[1].is_alive())
        first_may_commit.set()
        for thread in threads:
            thread.join(60)
        self.assertEqual(outcome["first"], (3, 0))
        self.assertEqual(outcome["second"], (0, 3))
        self.assertEqual(len(attempts), 2)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            sessions = env["customer.reconciliation.session"].search(
                [("partner_id", "in", self.partner_ids)]
            )
            self.assertEqual(sorted(sessions.partner_id.ids), sorted(self.partner_ids))

    def test_two_workers_claim_different_batches(self):
        """A worker skips the batches another one holds, and the runs another one generates."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            Run = env["customer.reconciliation.run"]
            runs = Run.browse()
            for month in (1, 2):
                run = Run.create(
                    {
                        "company_id": self.company_id,
                        "date_from": date(2031, month, 1),
                        "date_to": date(2031, month, 28),
                        "partner_ids": [(6, 0, self.partner_ids)],
                        "total_count": 3,
                    }
                )
                env["customer.reconciliation.run.batch"]._create_for(run, self.partner_ids, 2)
                runs |= run
            run_ids = runs.ids
        cursors = [self.registry.cursor() for _i in range(3)]
        try:
            claimed = [
                api.Environment(cr, SUPERUSER_ID, {})["customer.reconciliation.run.batch"]._claim()
                for cr in cursors
            ]
            # The batches of one run are generated side by side (their customers are disjoint).
            self.assertEqual([batch.run_id.id for batch in claimed], [run_ids[0]] * 2 + run_ids[1:])
            self.assertEqual([batch.sequence for batch in claimed], [1, 2, 1])
            cursors[0].rollback()  # the first worker dies: its batch is free again
            self.assertEqual(claimed[0].with_env(claimed[0].env)._claim(), claimed[0])
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()

    def _queued_run(self, env, month, batch_size=2):
        run = env["customer.reconciliation.run"].create(
            {
                "company_id": self.company_id,
                "date_from": date(2031, month, 1),
                "date_to": date(2031, month, 28),
                "partner_ids": [(6, 0, self.partner_ids)],
                "total_count": len(self.partner_ids),
                "only_with_balance_or_activity": False,
            }
        )
        env["customer.reconciliation.run.batch"]._create_for(run, self.partner_ids, batch_size)
        return run

    def test_a_user_generating_the_period_keeps_the_workers_off_it(self):
        with self.registry.cursor() as cr:
            run_ids = [
                self._queued_run(api.Environment(cr, SUPERUSER_ID, {}), m).id for m in (1, 2)
            ]
        user_cr, worker_cr = self.registry.cursor(), self.registry.cursor()
        try:
            user_env = api.Environment(user_cr, SUPERUSER_ID, {})
            company = user_env["res.company"].browse(self.company_id)
            engine = user_env["customer.reconciliation.engine"]
            self.assertTrue(
                engine._lock_generation(company, date(2031, 1, 1), date(2031, 1, 28), [])
            )
            batch = api.Environment(worker_cr, SUPERUSER_ID, {})[
                "customer.reconciliation.run.batch"
            ]._claim()
            self.assertEqual(batch.run_id.id, run_ids[1], "January is the user's: skipped")
        finally:
            for cr in (user_cr, worker_cr):
                cr.rollback()
                cr.close()

    def test_two_workers_generate_one_run_side_by_side(self):
        """Neither waits for the other; their statements get gapless numbers once committed."""
        with self.registry.cursor() as cr:
            self._queued_run(api.Environment(cr, SUPERUSER_ID, {}), 1)
        cursors = [self.registry.cursor() for _i in range(2)]
        try:
            batches = []
            for cr in cursors:
                cr.execute("SET LOCAL lock_timeout = '3s'")  # waiting would fail, not hang
                batch = api.Environment(cr, SUPERUSER_ID, {})[
                    "customer.reconciliation.run.batch"
                ]._claim()
                self.assertTrue(batch._process_claimed(), "generated without waiting")
                batches.append(batch)
            self.assertEqual(sorted(b.sequence for b in batches), [1, 2])
            for cr, batch in zip(cursors, batches, strict=True):
                cr.commit()
                batch.env["customer.reconciliation.engine"]._number_unnumbered(
                    batch.run_id.company_id
                )
                cr.commit()
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()
        with self.registry.cursor() as cr:
            sessions = api.Environment(cr, SUPERUSER_ID, {})[
                "customer.reconciliation.session"
            ].search([("partner_id", "in", self.partner_ids)], order="name")
            self.assertEqual(sorted(sessions.partner_id.ids), sorted(self.partner_ids))
            numbers = [int(name.rsplit("/", 1)[1]) for name in sessions.mapped("name")]
            self.assertEqual(numbers, list(range(numbers[0], numbers[0] + len(numbers))))
