"""A customer's ledger of many rows imported in the background: queued by the wizard, imported
by a scheduled action as the user who queued it into the same lines as an import at once; a
refused file, a worker killed mid-import, cancel, replacement, two workers, forbidden paths."""

import base64
import contextlib
from datetime import date

from common import ReconciliationCommon
from workers_common import FakeCommits, recorded_notifications

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing, reading

JOB = "customer.reconciliation.ledger.import"


def csv_file(rows):
    return "\n".join(",".join(f'"{value}"' for value in row) for row in rows).encode()


@tagged("post_install", "-at_install")
class TestLedgerImportBackground(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "customer_reconciliation.group_reconciliation_"
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.accountant = new_test_user(
            cls.env, login="bg_accountant", groups=groups + "user", **company
        )
        cls.other_accountant = new_test_user(
            cls.env, login="bg_accountant2", groups=groups + "user", **company
        )
        cls.manager = new_test_user(
            cls.env, login="bg_manager", groups=groups + "manager", **company
        )
        cls.auditor = new_test_user(
            cls.env, login="bg_auditor", groups=groups + "auditor", **company
        )
        cls.customer = cls._customer("宁波港湾五金有限公司")
        cls.invoices = [
            cls._invoice(cls.customer, 100.0 * (n + 1), date(2026, 10, 2 + n)) for n in range(6)
        ]
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]
        # Their ledger: five of our six invoices (one at another amount) and a payment.
        rows = [["Date", "Document", "Debit", "Credit"]]
        for n, invoice in enumerate(cls.invoices[:5]):
            amount = 100.0 * (n + 1) - (7 if n == 2 else 0)
            rows.append([f"2026-10-{3 + n:02d}", invoice.name, "", f"{amount:.2f}"])
        rows.append(["2026-10-20", "PAY-1", "250.00", ""])
        cls.content = csv_file(rows)

    def setUp(self):
        super().setUp()
        # A file of more than 3 rows goes to the background here.
        for module in (parsing, reading):
            self.patch(module, "BACKGROUND_ROWS", 3)
        self.commits = FakeCommits.install(self)
        self.commits()  # the transaction as the worker found it
        self.Job = self.env[JOB]

    def _wizard(self, user, session=None, filename="宁波港湾.csv"):
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_user(user)
            .with_context(default_session_id=(session or self.session).id)
            .create({"file": base64.b64encode(self.content), "filename": filename})
        )
        wizard.action_read_file()
        return wizard

    def _queue(self, user=None, session=None, filename="宁波港湾.csv"):
        wizard = self._wizard(user or self.accountant, session, filename)
        self.assertTrue(wizard.background)
        self.assertEqual(wizard.row_estimate, 7)
        wizard.date_tolerance = 3
        action = wizard.action_import()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["next"], {"type": "ir.actions.act_window_close"})
        return self.Job.search([("session_id", "=", (session or self.session).id)], limit=1)

    def _lines(self, session=None):
        return [
            (line.row_number, line.reference, line.amount, line.match_status)
            for line in (session or self.session).customer_line_ids.sorted("row_number")
        ]

    def test_queued_then_imported_as_the_user_into_the_same_lines_as_at_once(self):
        sent = recorded_notifications(self)
        job = self._queue()
        self.assertEqual(
            (job.state, job.user_id, job.filename), ("queued", self.accountant, "宁波港湾.csv")
        )
        self.assertFalse(self.session.customer_line_ids, "nothing imported in the request")
        self.assertTrue(self.session.customer_ledger_import_queued)
        self.assertEqual(self.session.customer_ledger_import_queued_file, "宁波港湾.csv")
        self.assertEqual(job.attachment_id.raw, self.content)
        self.commits.calls.clear()
        self.Job._cron_import_ledgers()
        self.assertEqual(self.commits.calls, [(0, 1), (1, 0)])
        self.assertEqual((job.state, job.line_count, job.error), ("done", 6, False))
        self.assertFalse(job.attachment_id, "the statement keeps the file, the job's copy goes")
        self.assertEqual(self.session.customer_ledger_attachment_id.raw, self.content)
        self.assertEqual(self.session.customer_ledger_date_tolerance, 3)
        self.assertFalse(self.session.customer_ledger_import_queued)
        background = self._lines()
        self.assertEqual(len(background), 6)
        [message] = self.session.message_ids.filtered(
            lambda m: "Customer's ledger 宁波港湾.csv imported" in (m.body or "")
        )
        self.assertEqual(message.author_id, self.accountant.partner_id, "as the user who queued it")
        notes = [(u, p) for u, kind, p in sent if kind == "simple_notification"]
        self.assertEqual(len(notes), 1)
        [(user, payload)] = notes
        self.assertEqual((user, payload["type"]), (self.accountant, "success"))
        self.assertIn("6 of their lines imported", payload["message"])
        # The same file imported at once gives the same lines and comparison.
        for module in (parsing, reading):
            self.patch(module, "BACKGROUND_ROWS", 1000)
        wizard = self._wizard(self.accountant)
        self.assertFalse(wizard.background)
        wizard.date_tolerance = 3
        self.assertEqual(wizard.action_import(), {"type": "ir.actions.act_window_close"})
        self.assertEqual(self._lines(), background)
        self.assertEqual(self.Job.search_count([]), 1, "no job for an import at once")

    def test_a_refused_file_fails_with_its_reason_and_leaves_the_statement_as_it_was(self):
        sent = recorded_notifications(self)
        job = self._queue()
        self.patch(parsing, "BACKGROUND_TIME_LIMIT", 0)  # no time at all in the worker
        self.Job._cron_import_ledgers()
        self.assertEqual(job.state, "failed")
        self.assertIn("宁波港湾.csv", job.error)
        self.assertIn("an import may take 0 seconds", job.error)
        self.assertFalse(self.session.customer_line_ids)
        self.assertFalse(self.session.customer_ledger_attachment_id)
        self.assertNotEqual(self.session.customer_ledger_date_tolerance, 3, "tolerances as were")
        self.assertEqual(job.attachment_id.raw, self.content, "kept to look at")
        [(user, _kind, payload)] = sent
        self.assertEqual((user, payload["type"]), (self.accountant, "warning"))
        self.assertIn("an import may take 0 seconds", payload["message"])

    def test_the_user_who_lost_the_right_to_import_imports_nothing(self):
        job = self._queue()
        self.accountant.group_ids -= self.env.ref(
            "customer_reconciliation.group_reconciliation_user"
        )
        self.Job._cron_import_ledgers()
        self.assertEqual(job.state, "failed")
        self.assertFalse(self.session.customer_line_ids)

    def test_a_killed_worker_leaves_it_queued_and_the_next_imports_it_once(self):
        job = self._queue()
        Line = self.registry["customer.reconciliation.customer.line"]
        write_import = Line._write_import
        calls = []

        def killed_once(line_model, *args, **kwargs):
            calls.append(1)
            if len(calls) == 1:
                raise RuntimeError("worker killed")
            return write_import(line_model, *args, **kwargs)

        self.patch(Line, "_write_import", killed_once)
        try:
            self.Job._cron_import_ledgers()
        except RuntimeError as error:
            self.assertEqual(str(error), "worker killed")
        self.commits.crash()
        self.assertEqual(job.state, "queued")
        self.assertFalse(self.session.customer_line_ids)
        self.Job._cron_import_ledgers()
        self.assertEqual((job.state, len(self._lines()), len(calls)), ("done", 6, 2))
        self.assertEqual(
            len(
                self.session.message_ids.filtered(
                    lambda m: "Customer's ledger 宁波港湾.csv imported" in (m.body or "")
                )
            ),
            1,
        )

    def test_cancel_by_the_starter_or_a_manager_only(self):
        job = self._queue()
        for user in (self.other_accountant, self.auditor):
            with self.assertRaises(UserError):
                job.with_user(user).action_cancel()
        self.assertEqual(job.state, "queued")
        job.with_user(self.accountant).action_cancel()
        self.assertEqual(job.state, "cancelled")
        self.assertFalse(job.attachment_id)
        with self.assertRaises(UserError):  # no longer in progress
            job.with_user(self.accountant).action_cancel()
        self.Job._cron_import_ledgers()
        self.assertFalse(self.session.customer_line_ids, "a cancelled import imports nothing")
        other = self._queue()
        other.with_user(self.manager).action_cancel()
        self.assertEqual(other.state, "cancelled")

    def test_a_new_import_replaces_the_one_still_queued(self):
        first = self._queue(filename="first.csv")
        second = self._queue(filename="second.csv")
        self.assertEqual((first.state, second.state), ("cancelled", "queued"))
        self.assertIn("Replaced by second.csv", first.error)
        self.Job._cron_import_ledgers()
        self.assertEqual(self.session.customer_ledger_attachment_id.name, "second.csv")

    def test_forbidden_paths(self):
        job = self._queue()
        base = {"session_id": self.session.id, "filename": "x.csv"}
        Job = self.Job.with_user(self.accountant)
        for vals in (
            {"state": "done"},
            {"state": "failed"},
            {"user_id": self.other_accountant.id},
            # imported past the user's rights: the portal's dispute step only
            {"from_portal": True},
        ):
            with self.assertRaises(AccessError):
                Job.create({**base, **vals})
        made = Job.with_context(default_state="done", default_user_id=self.manager.id).create(base)
        self.assertEqual((made.state, made.user_id), ("queued", self.accountant))
        made = Job.with_context(default_from_portal=True).create(base)
        self.assertFalse(made.from_portal, "a context default is not a value either")
        for vals in (
            {"state": "done"},
            {"line_count": 5},
            {"error": False},
            {"options": {"sign": "same"}},
            {"session_id": self.session.id},
            {"from_portal": True},
        ):
            with self.assertRaises(AccessError):
                job.with_user(self.accountant).write(vals)
            with self.assertRaises(AccessError):
                job.with_user(self.manager).write(vals)
        with self.assertRaises(AccessError):
            self.Job.with_user(self.auditor).create(base)
        # Through the statement: refused by its workflow guard (before the import's own).
        with self.assertRaises(UserError):
            self.session.with_user(self.accountant).write(
                {
                    "customer_ledger_import_ids": [
                        Command.create({"filename": "y.csv", "state": "done"})
                    ]
                }
            )
        self.assertEqual(job.with_user(self.auditor).state, "queued", "auditors read them")
        # Nor through the wizard's queueing (which replaces the import still queued).
        wizard = self._wizard(self.accountant).with_context(default_from_portal=True)
        wizard.action_import()
        queued = self.Job.search([("session_id", "=", self.session.id)], limit=1)
        self.assertEqual((queued.state, queued.from_portal), ("queued", False))


@tagged("post_install", "-at_install")
class TestConcurrentLedgerImports(TransactionCase):
    """Workers in cursors of their own on committed data (removed after): each claims a file
    no other holds, never two files of one statement at once."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.sequence_ids = env["ir.sequence"].search([]).ids
            partners = env["res.partner"].create(
                [{"name": f"Ledger Buyer {i}", "is_company": True} for i in range(2)]
            )
            self.partner_ids = partners.ids
            sessions = (
                env["customer.reconciliation.engine"]
                .generate(
                    env.ref("base.main_company"),
                    date(2033, 1, 1),
                    date(2033, 1, 31),
                    partners.ids,
                    only_with_balance_or_activity=False,
                )["created"]
                .sorted("id")
            )
            self.job_ids = (
                env[JOB]
                .create(
                    [
                        {"session_id": session.id, "filename": f"{name}.csv"}
                        for session, name in zip(
                            [sessions[0], sessions[0], sessions[1]], "abc", strict=True
                        )
                    ]
                )
                .ids
            )
        self.addCleanup(self._remove_committed_data)

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env[JOB].browse(self.job_ids).unlink()
            env["customer.reconciliation.session"].search(
                [("partner_id", "in", self.partner_ids)]
            ).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            env["ir.sequence"].search([("id", "not in", self.sequence_ids)]).unlink()

    @contextlib.contextmanager
    def _workers(self, count):
        cursors = [self.registry.cursor() for _i in range(count)]
        try:
            yield [api.Environment(cr, SUPERUSER_ID, {})[JOB] for cr in cursors]
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()

    def test_workers_claim_files_of_different_statements(self):
        a, b, c = self.job_ids
        with self._workers(3) as (first, second, third):
            self.assertEqual(first._claim().ids, [a])
            # b is the same statement's as a, which the first worker imports into: skipped.
            self.assertEqual(second._claim().ids, [c])
            self.assertFalse(third._claim(), "nothing left that no other worker holds")
            first.env.cr.rollback()  # the first worker died: its statement is free again
            self.assertEqual(third._claim().ids, [a])
