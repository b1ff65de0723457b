"""Sending at scale: slices of statements claimed by several workers, their PDFs rendered
together, a worker killed mid-slice resumed with every statement mailed exactly once."""

import contextlib
from datetime import date

from sending_common import SendingCommon
from workers_common import FakeCommits, recorded_notifications

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged

from odoo.addons.customer_reconciliation.models import send_batch as send_batch_module


@tagged("post_install", "-at_install")
class TestSendingAtScale(SendingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.more = cls.Session
        for index in range(3):
            customer = cls._customer(f"Scale Buyer {index}", email=f"ap{index}@buyer.example")
            cls._invoice(customer, 120.0 * (index + 1), date(2026, 11, 6))
            cls.more |= cls.Engine.generate(
                cls.company, date(2026, 11, 1), date(2026, 11, 30), customer.ids
            )["created"]
        cls.more._workflow_write({"state": "approved", "user_id": cls.accountant.id})
        cls.statements = cls.na | cls.nb | cls.nc | cls.more

    def setUp(self):
        super().setUp()
        self.patch(send_batch_module, "SEND_BATCH_SIZE", 2)
        commits = self.commits = FakeCommits.install(self)
        commits()  # the transaction as the worker found it

    def _queue(self):
        batch = self.Batch.with_user(self.accountant)._start(
            self.statements.with_user(self.accountant), self.template
        )
        self.assertEqual(batch.state, "queued", "6 statements, slices of 2: the background")
        return batch.sudo()

    def _mails_to(self, session):
        return (
            self.env["mail.mail"]
            .sudo()
            .search(
                [
                    ("model", "=", session._name),
                    ("res_id", "=", session.id),
                    ("recipient_ids", "in", session.statement_contact_id.ids),
                ]
            )
        )

    def test_killed_worker_resumes_with_each_statement_mailed_once(self):
        """The second slice dies after posting one of its two mails: that mail is rolled back
        with its slice, the next run sends the rest, and every contact got one email."""
        batch = self._queue()
        Session = self.registry["customer.reconciliation.session"]
        post = Session._post_statement_mail
        posted = []

        def killed_in_second_slice(session, template):
            posted.append(session.id)
            if len(posted) == 4:
                raise RuntimeError("worker killed")
            return post(session, template)

        self.patch(Session, "_post_statement_mail", killed_in_second_slice)
        # Not assertRaises: Odoo's rolls back to a savepoint of its own, which is not what a
        # dead worker does (its transaction since the last commit is lost, no more).
        with self.mock_smtplib_connection():
            try:
                self.Batch._cron_send_statements()
            except RuntimeError as error:
                self.assertEqual(str(error), "worker killed")
            else:
                self.fail("the worker was not killed")
        self.commits.crash()
        self.assertEqual(
            batch.line_ids.mapped("state").count("sent"), 2, "the first slice had left"
        )
        self.assertEqual(batch.line_ids.mapped("state").count("pending"), 4)
        self.assertEqual(len(self.emails), 2)
        sent_to = [email["msg_to"] for email in self.emails]
        self.assertEqual(len(self._mails_to(self.statements.browse(posted[2]))), 0)

        self.patch(Session, "_post_statement_mail", post)
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.line_ids.mapped("state"), ["sent"] * 6)
        self.assertEqual(len(batch.line_ids), 6, "exactly the 6 statements, no line added")
        self.assertEqual(set(self.statements.mapped("state")), {"sent"})
        for session in self.statements:
            self.assertEqual(len(self._mails_to(session)), 1, session.partner_id.name)
        sent_to += [email["msg_to"] for email in self.emails]  # this run's (reset per run)
        self.assertEqual(len(sent_to), 6, "six emails in all")
        self.assertEqual(len(set(sent_to)), 6, "none sent twice")

    def test_progress_per_slice(self):
        batch = self._queue()
        self.commits.calls.clear()
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        self.assertEqual(batch.sent_count, 6)
        # First the remaining count, then per slice: mails committed, then the slice counted.
        self.assertEqual(
            self.commits.calls,
            [(0, 6), (0, None), (2, 4), (0, None), (2, 2), (0, None), (2, 0)],
        )

    def test_cron_stops_when_its_time_is_up_and_the_next_run_goes_on(self):
        batch = self._queue()
        self.commits.time_left = 0
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        self.assertEqual(batch.line_ids.mapped("state").count("sent"), 2)
        self.assertEqual(batch.state, "queued", "its row is not written by the workers")
        self.commits.time_left = 1000.0
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.sent_count, 6)

    def test_the_sender_is_told_when_it_ends(self):
        sent = recorded_notifications(self)
        batch = self._queue()
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        notes = [(user, payload) for user, kind, payload in sent if kind == "simple_notification"]
        self.assertEqual(len(notes), 1, "once, when the last statement left")
        [(user, payload)] = notes
        self.assertEqual((user, payload["type"]), (self.accountant, "success"))
        self.assertIn("6 sent", payload["message"])
        self.assertIn(batch.name, payload["message"])

    def test_cancel_stops_what_is_not_sent_yet(self):
        batch = self._queue()
        self.commits.time_left = 0  # the worker stops after its first slice
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
        other = new_test_user(
            self.env,
            login="other_accountant",
            groups="customer_reconciliation.group_reconciliation_user",
            company_id=self.company.id,
            company_ids=[self.company.id],
        )
        with self.assertRaisesRegex(UserError, "who started it, or a Reconciliation Manager"):
            batch.with_user(other).action_cancel()
        batch.with_user(self.accountant).action_cancel()
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(batch.line_ids.mapped("state"), ["sent"] * 2 + ["cancelled"] * 4)
        self.assertEqual((batch.sent_count, batch.cancelled_count, batch.progress), (2, 4, 100.0))
        self.commits.time_left = 1000.0
        with self.mock_smtplib_connection():
            self.Batch._cron_send_statements()
            self.assertFalse(self.emails, "nothing more is sent")
        self.assertEqual(set((self.statements - self.na - self.nb).mapped("state")), {"approved"})
        reasons = batch._not_sent_reasons()
        self.assertIn("cancelled", reasons[self.nc])
        self.assertEqual(self.nc.last_sending_state, "cancelled")
        with self.assertRaisesRegex(UserError, "no longer in progress"):
            batch.with_user(self.accountant).action_cancel()

    def test_a_manager_cancels_another_s_sending_an_auditor_does_not(self):
        batch = self._queue()
        users = {
            role: new_test_user(
                self.env,
                login=f"cancel_{role}",
                groups=f"customer_reconciliation.group_reconciliation_{role}",
                company_id=self.company.id,
                company_ids=[self.company.id],
            )
            for role in ("auditor", "manager")
        }
        with self.assertRaises(AccessError):  # auditors do not even read the sendings
            batch.with_user(users["auditor"]).action_cancel()
        self.assertEqual(batch.state, "queued")
        batch.with_user(users["manager"]).action_cancel()
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(set(batch.line_ids.mapped("state")), {"cancelled"})


@tagged("post_install", "-at_install")
class TestConcurrentSending(TransactionCase):
    """Workers in separate cursors on committed data (removed after): each claims statements
    no other holds, and a dead worker's statements are free again."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            self.sequence_ids = env["ir.sequence"].search([]).ids
            partners = env["res.partner"].create(
                [{"name": f"Concurrent Buyer {i}", "is_company": True} for i in range(5)]
            )
            self.partner_ids = partners.ids
            sessions = env["customer.reconciliation.engine"].generate(
                company,
                date(2032, 1, 1),
                date(2032, 1, 31),
                partners.ids,
                only_with_balance_or_activity=False,
            )["created"]
            batch = env["customer.reconciliation.send.batch"].create(
                {
                    "company_id": company.id,
                    "template_id": env.ref(
                        "customer_reconciliation.mail_template_statement_send"
                    ).id,
                    "line_ids": [Command.create({"session_id": s.id}) for s in sessions],
                }
            )
            self.line_ids = batch.line_ids.ids
        self.addCleanup(self._remove_committed_data)

    @contextlib.contextmanager
    def _workers(self, count):
        """``count`` cursors of their own, as many workers' transactions, rolled back after."""
        cursors = [self.registry.cursor() for _i in range(count)]
        try:
            yield cursors
        finally:
            for cr in cursors:
                cr.rollback()
                cr.close()

    def _remove_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            lines = env["customer.reconciliation.send.batch.line"].browse(self.line_ids)
            cr.execute(  # back to drafts (the ledger-check test sends them), which unlink
                "UPDATE customer_reconciliation_session SET state = 'draft'"
                " WHERE id IN (SELECT session_id FROM customer_reconciliation_send_batch_line"
                " WHERE id = ANY(%s))",
                [self.line_ids],
            )
            lines.batch_id.unlink()
            env["customer.reconciliation.session"].search(
                [("partner_id", "in", self.partner_ids)]
            ).unlink()
            env["res.partner"].browse(self.partner_ids).unlink()
            env["ir.sequence"].search([("id", "not in", self.sequence_ids)]).unlink()

    def test_workers_claim_different_statements(self):
        with self._workers(3) as cursors:
            claimed = [
                api.Environment(cr, SUPERUSER_ID, {})["customer.reconciliation.send.batch"]
                ._claim_pending_lines(2)
                .ids
                for cr in cursors
            ]
            self.assertEqual(claimed, [self.line_ids[:2], self.line_ids[2:4], self.line_ids[4:]])
            cursors[0].rollback()  # the first worker dies: its statements are free again
            env = api.Environment(cursors[0], SUPERUSER_ID, {})
            self.assertEqual(
                env["customer.reconciliation.send.batch"]._claim_pending_lines(5).ids,
                self.line_ids[:2],
                "the others' statements are skipped, not waited for",
            )

    def test_workers_check_different_statements_against_the_ledger(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE customer_reconciliation_session SET state = 'sent',"
                " ledger_check_date = NULL WHERE id IN (SELECT session_id FROM"
                " customer_reconciliation_send_batch_line WHERE id = ANY(%s))",
                [self.line_ids],
            )
            env = api.Environment(cr, SUPERUSER_ID, {})
            session_ids = (
                env["customer.reconciliation.send.batch.line"].browse(self.line_ids).session_id.ids
            )
        started = fields.Datetime.now()
        with self._workers(2) as cursors:
            Sessions = [
                api.Environment(cr, SUPERUSER_ID, {})["customer.reconciliation.session"]
                for cr in cursors
            ]
            first = Sessions[0]._claim_ledger_checks(started, 3)
            second = Sessions[1]._claim_ledger_checks(started, 3)
            self.assertEqual(len(first), 3)
            self.assertEqual(sorted((first | second).ids), sorted(session_ids))
            self.assertFalse(set(first.ids) & set(second.ids), "held ones are skipped")
            first._post_ledger_check(first._ledger_differences())
            cursors[0].commit()
            # Checked since the run started: not claimed again, by anyone.
            self.assertEqual(Sessions[0]._claim_ledger_checks(started, 5), Sessions[0].browse())
            self.assertEqual(Sessions[0]._ledger_checks_due(started), 2)

    def test_workers_remind_different_statements(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "UPDATE customer_reconciliation_session SET state = 'sent', sent_date = NOW()"
                " WHERE id IN (SELECT session_id FROM customer_reconciliation_send_batch_line"
                " WHERE id = ANY(%s)) RETURNING id",
                [self.line_ids],
            )
            session_ids = sorted(row[0] for row in cr.fetchall())
        with self._workers(2) as cursors:
            Sessions = [
                api.Environment(cr, SUPERUSER_ID, {})["customer.reconciliation.session"]
                for cr in cursors
            ]
            first = Sessions[0]._claim_for_reminders(session_ids[:3])
            self.assertEqual(first.ids, session_ids[:3])
            second = Sessions[1]._claim_for_reminders(session_ids)
            self.assertEqual(second.ids, session_ids[3:], "the first worker's are skipped")
