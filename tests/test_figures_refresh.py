"""A figures refresh asked with Refresh Figures: carried out by the scheduled action, followed
(done / total steps of its run), cancelled by whoever asked or a manager (the run stops after
its step), ended with one notification; state and asker written by the workers only."""

from integrity_common import IntegrityCommon
from workers_common import FakeCommits, recorded_notifications

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFiguresRefresh(IntegrityCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Insight = cls.env["customer.reconciliation.insight"]
        cls.Refresh = cls.env["customer.reconciliation.figures.refresh"]
        cls.cron = cls.env.ref("customer_reconciliation.ir_cron_refresh_insight")
        cls.accountant2 = new_test_user(
            cls.env,
            login="accountant2_fr",
            groups="customer_reconciliation.group_reconciliation_user",
            company_id=cls.company.id,
            company_ids=[(6, 0, cls.company.ids)],
        )

    def setUp(self):
        super().setUp()
        self.commits = FakeCommits.install(self)
        self.sent = recorded_notifications(self)

    def _ask(self, user):
        self.Insight.with_user(user).action_refresh()
        return self.Refresh.search([("user_id", "=", user.id)], limit=1)

    def _run(self):
        self.Insight.with_context(cron_id=self.cron.id)._cron_refresh()

    def _told(self):
        return [(u, p["title"]) for u, kind, p in self.sent if kind == "simple_notification"]

    def test_asked_followed_and_ended_once(self):
        refresh = self._ask(self.accountant)
        self.assertEqual((refresh.state, refresh.user_id), ("queued", self.accountant))
        self.assertEqual(self._ask(self.accountant), refresh, "asked again: the same refresh")
        # The run carrying it out: its progress is the refresh's.
        run = self.env["ir.cron.progress"].sudo().create({"cron_id": self.cron.id})
        refresh.sudo()._attach_to_run(run.id)
        run.write({"done": 3, "remaining": 1})
        refresh.invalidate_recordset()
        self.assertEqual((refresh.done_count, refresh.total_count), (3, 4))
        self.assertAlmostEqual(refresh.with_user(self.accountant).progress, 75.0)
        self._run()
        refresh.invalidate_recordset()
        self.assertEqual(refresh.state, "done")
        self.assertTrue(refresh.ended_at)
        self.assertEqual(refresh.progress, 100.0)
        self.assertEqual(self._told(), [(self.accountant, "Figures refreshed")])
        self.sent.clear()
        self._run()
        self.assertFalse(self._told(), "the next night tells nobody")

    def test_every_refresh_asked_before_the_run_ends_with_it(self):
        mine, theirs = self._ask(self.accountant), self._ask(self.accountant2)
        self._run()
        self.assertEqual((mine | theirs).mapped("state"), ["done", "done"])
        self.assertCountEqual(
            self._told(),
            [(self.accountant, "Figures refreshed"), (self.accountant2, "Figures refreshed")],
        )

    def test_cancelled_during_the_run_stops_it_after_the_step(self):
        refresh = self._ask(self.accountant)
        commits = self.commits

        def commit_then_cancel(cron, processed=0, **kwargs):
            left = commits(processed, **kwargs)
            if len(commits.calls) == 2:  # the first step is committed: the asker cancels
                refresh.with_user(self.accountant).action_cancel()
            return left

        self.patch(self.registry["ir.cron"], "_commit_progress", commit_then_cancel)
        self._run()
        steps = commits.calls[0][1]
        self.assertGreater(steps, 1)
        self.assertEqual(commits.calls, [(0, steps), (1, steps - 1)], "stopped after one step")
        self.assertEqual(refresh.state, "cancelled")
        self.assertFalse(self._told(), "nobody told it is up to date")

    def test_nightly_run_goes_on_when_nobody_asked(self):
        self._run()
        steps = self.commits.calls[0][1]
        self.assertEqual(self.commits.calls[-1], (1, 0))
        self.assertEqual(len(self.commits.calls), steps + 1)

    def test_asked_during_a_run_is_left_to_the_next(self):
        def ask_meanwhile(cron, processed=0, **kwargs):
            left = self.commits(processed, **kwargs)
            if len(self.commits.calls) == 1:
                self.Refresh.with_user(self.accountant2)._ask()
            return left

        earlier = self._ask(self.accountant)
        self.patch(self.registry["ir.cron"], "_commit_progress", ask_meanwhile)
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])
        self._run()
        later = self.Refresh.search([("user_id", "=", self.accountant2.id)])
        self.assertEqual((earlier.state, later.state), ("done", "queued"))
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)]),
            triggers + 2,
            "asked (one trigger), then triggered again by the run",
        )

    def test_cancel_by_the_asker_or_a_manager_only(self):
        refresh = self._ask(self.accountant)
        for user in (self.accountant2, self.auditor):
            with self.assertRaisesRegex(UserError, "who started it", msg=user.login):
                refresh.with_user(user).action_cancel()
        self.assertEqual(refresh.state, "queued")
        refresh.with_user(self.approver).action_cancel()
        self.assertEqual(refresh.state, "cancelled")
        with self.assertRaisesRegex(UserError, "no longer in progress"):
            refresh.with_user(self.accountant).action_cancel()
        self._run()
        self.assertEqual(refresh.state, "cancelled", "a cancelled refresh stays cancelled")

    def test_forbidden_paths(self):
        refresh = self._ask(self.accountant)
        for role, user in (("accountant", self.accountant), ("manager", self.approver)):
            as_user = self.Refresh.with_user(user)
            for vals in (
                {"state": "done"},
                {"user_id": self.accountant2.id},
                {"ended_at": "2026-01-01 00:00:00"},
            ):
                with self.assertRaises(AccessError, msg=f"{role} creates {vals}"):
                    as_user.create(vals)
            with self.assertRaises(AccessError, msg=f"{role} writes the state"):
                refresh.with_user(user).write({"state": "done"})
            with self.assertRaises(AccessError, msg=f"{role} attaches a run"):
                refresh.with_user(user).write({"cron_progress_id": False})
            with self.assertRaises(AccessError, msg=f"{role} deletes it"):
                refresh.with_user(user).unlink()
        with self.assertRaises(AccessError, msg="context defaults decide nothing"):
            self.Refresh.with_user(self.accountant).with_context(default_state="done").create(
                {"state": "done"}
            )
        made = self.Refresh.with_user(self.accountant).with_context(default_state="done").create({})
        self.assertEqual(made.state, "queued", "a default from the context is ignored")
        made = (
            self.Refresh.with_user(self.accountant)
            .with_context(default_ended_at="2026-12-01 00:00:00")
            .create({})
        )
        self.assertFalse(made.ended_at, "nor the end of a run")
        for user in (self.auditor, self.salesperson):
            with self.assertRaises(AccessError, msg=user.login):
                self.Refresh.with_user(user).create({})
        with self.assertRaises(AccessError, msg="a salesperson does not read them"):
            refresh.with_user(self.salesperson).read(["state"])
        self.assertEqual(refresh.with_user(self.auditor).read(["state"])[0]["state"], "queued")
