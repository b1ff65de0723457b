"""Sending reports the truth: a statement counts as sent only once its email has left.

Without an outgoing mail server every email fails ("Connection refused"): the statement stays
approved, the sending lists it as failed with the reason, and it can be sent again. The mail
server is mocked at the SMTP level (smtplib), as in Odoo's own mail tests.
"""

from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from sending_common import SendingCommon
from workers_common import recorded_notifications

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged


class SendingTruthCommon(SendingCommon):
    @contextmanager
    def smtp_refused(self):
        """No outgoing mail server: the connection to localhost:25 is refused."""
        refused = ConnectionRefusedError(111, "Connection refused")
        with (
            patch.object(type(self.env["ir.mail_server"]), "_disable_send", lambda _: False),
            patch("smtplib.SMTP", side_effect=refused),
            patch("smtplib.SMTP_SSL", side_effect=refused),
        ):
            yield

    def _wizard(self, sessions):
        return (
            sessions.env["customer.reconciliation.send.wizard"]
            .with_context(active_model=sessions._name, active_ids=sessions.ids)
            .create({})
        )

    def _comments(self, session):
        return session.message_ids.filtered(lambda m: m.message_type == "comment")

    def _all_mails(self, batch):
        """The emails of the sending's messages: to the contacts and the followers' copies."""
        messages = batch.line_ids.sudo().mail_id.mail_message_id
        return self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])

    def _notes(self, session, text):
        return session.message_ids.filtered(lambda m: text in (m.body or ""))


@tagged("post_install", "-at_install")
class TestSendingTruth(SendingTruthCommon):
    def test_refused_connection_leaves_the_statement_not_sent(self):
        wizard = self._wizard(self.na.with_user(self.accountant))
        with self.smtp_refused():
            action = wizard.action_send()
        self.assertEqual(action.get("res_model"), self.Batch._name, "no 'sent' notification")
        batch = self.Batch.browse(action["res_id"])
        self.assertEqual(
            (batch.state, batch.total_count, batch.sent_count, batch.failed_count),
            ("done", 1, 0, 1),
        )
        line = batch.line_ids
        self.assertEqual(line.state, "failed")
        self.assertIn("Connection refused", line.error)
        self.assertIn("outgoing mail server", line.error, "the failure type is named")
        self.assertEqual(self.na.state, "approved")
        self.assertFalse(self.na.sent_date)
        note = self._notes(self.na, "Not sent:")
        self.assertEqual(len(note), 1)
        self.assertIn("Connection refused", note.body)
        self.assertEqual(self.na.last_sending_state, "failed", "the statement tells it too")
        self.assertEqual(self.na.with_user(self.accountant).last_sending_error, line.error)
        mail = line.sudo().mail_id
        self.assertEqual(mail.state, "exception", "the failed email is kept, to send it again")
        self.assertIn("Connection refused", mail.failure_reason)

    def test_send_by_email_reports_the_failure(self):
        """The next version of a settled statement is sent without the wizard: same truth."""
        with self.smtp_refused():
            reasons = self.na._send_by_email()
        self.assertEqual(list(reasons), [self.na])
        self.assertIn("Connection refused", reasons[self.na])
        self.assertEqual(self.na.state, "approved")

    def test_successful_send_marks_it_sent(self):
        wizard = self._wizard(self.na.with_user(self.accountant))
        with self.mock_smtplib_connection():
            action = wizard.action_send()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.na.state, "sent")
        self.assertTrue(self.na.sent_date)
        batch = self.Batch.search([("line_ids.session_id", "=", self.na.id)])
        self.assertEqual((batch.sent_count, batch.failed_count), (1, 0))
        self.assertEqual(batch.line_ids.state, "sent")
        self.assertTrue(batch.line_ids.sent_date)
        mail = batch.line_ids.sudo().mail_id
        self.assertEqual(mail.state, "sent", "kept, sent")
        self.assertEqual(mail.recipient_ids, self.contact_a)
        self.assertIn(self.contact_a.email, [email["msg_to"] for email in self.emails][0])
        self.assertFalse(self._notes(self.na, "Not sent:"))
        self.assertEqual(self.na.last_sending_state, "sent")

    def test_statements_of_two_companies_go_in_one_sending_each(self):
        other = self.setup_other_company(name="Sending Branch")["company"]
        self.env.user.company_ids |= other
        partner = self._customer("Branch Customer", email="ap@branch.example")
        invoice = (
            self.env["account.move"]
            .with_company(other)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "invoice_date": date(2026, 11, 6),
                    "invoice_line_ids": [
                        (0, 0, {"name": "Goods", "quantity": 1, "price_unit": 80})
                    ],
                }
            )
        )
        invoice.action_post()
        theirs = self.Engine.with_company(other).generate(
            other, date(2026, 11, 1), date(2026, 11, 30), partner.ids
        )["created"]
        theirs._workflow_write({"state": "approved"})
        both = (self.na | theirs).with_context(allowed_company_ids=(self.company | other).ids)
        with self.mock_smtplib_connection():
            errors = both._send_by_email()
        self.assertEqual(errors, {})
        self.assertEqual(set(both.mapped("state")), {"sent"})
        batches = self.Batch.search([("line_ids.session_id", "in", both.ids)])
        self.assertEqual(len(batches), 2)
        self.assertEqual(
            {b.company_id: b.line_ids.session_id for b in batches},
            {self.company: self.na, other: theirs},
        )

    def test_retry_sends_the_same_email_again(self):
        with self.smtp_refused():
            batch = self.Batch.with_user(self.accountant)._start(self.na | self.nc, self.template)
        self.assertEqual(batch.failed_count, 2)
        mails = batch.line_ids.sudo().mail_id
        with self.mock_smtplib_connection():
            batch.action_retry_failed()
        self.assertEqual((batch.state, batch.sent_count, batch.failed_count), ("done", 2, 0))
        self.assertEqual(batch.line_ids.sudo().mail_id, mails, "the same emails, resent")
        self.assertEqual(len(self._comments(self.na)), 1, "the statement is not posted twice")
        self.assertEqual((self.na | self.nc).mapped("state"), ["sent", "sent"])
        mails = self._all_mails(batch)
        self.assertEqual(set(mails.mapped("state")), {"sent"})
        self.assertEqual(
            len(self.emails), sum(len(mail.recipient_ids) for mail in mails), "each email once"
        )

    def test_retry_one_line_still_failing(self):
        with self.smtp_refused():
            batch = self.Batch._start(self.na | self.nc, self.template)
            line_a = batch.line_ids.filtered(lambda line: line.session_id == self.na)
            line_a.with_user(self.accountant).action_retry()
        self.assertEqual(line_a.state, "failed")
        self.assertEqual(len(self._notes(self.na, "Not sent:")), 2, "each attempt is logged")
        with self.assertRaises(UserError):
            batch.line_ids.filtered(lambda line: line.state == "sent").action_retry()

    def test_retry_after_fixing_the_address(self):
        self.contact_b.email = "not-an-email"
        self.customer_b.reconciliation_contact_id = self.contact_b
        with self.mock_smtplib_connection():
            batch = self.Batch._start(self.nb, self.template)
        self.assertEqual(batch.line_ids.state, "failed")
        self.assertIn("no valid email address", batch.line_ids.error)
        self.assertFalse(self._comments(self.nb), "nothing posted to a bad address")
        self.contact_b.email = "bob@beta.example"
        with self.mock_smtplib_connection():
            batch.action_retry_failed()
        self.assertEqual(batch.line_ids.state, "sent")
        self.assertEqual(self.nb.state, "sent")
        self.assertIn("bob@beta.example", [email["msg_to"] for email in self.emails][0])

    def test_retry_of_an_answered_statement(self):
        with self.smtp_refused():
            batch = self.Batch._start(self.na, self.template)
        self.na._workflow_write({"state": "confirmed"})
        with self.mock_smtplib_connection():
            batch.action_retry_failed()
        self.assertEqual(batch.line_ids.state, "failed")
        self.assertIn("already answered", batch.line_ids.error)
        self.assertFalse(self.emails)

    def test_queued_email_marks_it_sent_when_it_leaves(self):
        # In tests Odoo sends no email: the mail stays in the queue, the statement approved.
        batch = self.Batch._start(self.na, self.template)
        self.assertEqual((batch.state, batch.queued_count, batch.sent_count), ("done", 1, 0))
        self.assertEqual(batch.line_ids.state, "queued")
        self.assertEqual(self.na.state, "approved")
        self.assertIn("mail queue", batch._not_sent_reasons()[self.na])
        with self.mock_smtplib_connection():
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(batch.line_ids.state, "sent")
        self.assertEqual(self.na.state, "sent")

    def test_queued_email_that_fails_later(self):
        batch = self.Batch._start(self.na | self.nc, self.template)
        with self.smtp_refused():
            self.env["mail.mail"].sudo().process_email_queue()
        self.assertEqual(batch.failed_count, 2)
        self.assertIn("Connection refused", batch.line_ids[0].error)
        self.assertEqual(self.na.state, "approved")
        # The email deleted from the queue before it left: not sent either.
        batch_c = self.Batch._start(self.nc, self.template)
        batch_c.line_ids.sudo().mail_id.unlink()
        self.assertEqual(batch_c.line_ids.state, "failed")
        self.assertIn("deleted before it was sent", batch_c.line_ids.error)

    def test_outcome_cannot_be_set_by_hand(self):
        with self.smtp_refused():
            batch = self.Batch.with_user(self.accountant)._start(self.na, self.template)
        line = batch.line_ids.with_user(self.accountant)
        with self.assertRaises(AccessError):
            line.write({"state": "sent"})
        with self.assertRaises(AccessError):
            batch.with_user(self.accountant).write({"state": "done"})
        with self.assertRaises(AccessError):
            self.env["customer.reconciliation.send.batch.line"].with_user(self.accountant).create(
                {"batch_id": batch.id, "session_id": self.nc.id, "state": "sent"}
            )
        with self.assertRaises(AccessError):
            self.Batch.with_user(self.accountant).create(
                {"template_id": self.template.id, "user_id": self.env.uid}
            )
        self.assertEqual(line.state, "failed")


@tagged("post_install", "-at_install")
class TestSendWizardTellsWhatItDoes(SendingTruthCommon):
    def test_counts_and_reasons_per_state(self):
        december = self.Engine.generate(
            self.company,
            date(2026, 12, 1),
            date(2026, 12, 31),
            (self.customer_a | self.customer_b | self.customer_c).ids,
        )["created"]
        confirmed, closed, to_approve = december
        confirmed._workflow_write({"state": "confirmed"})
        closed._workflow_write({"state": "closed"})
        to_approve._workflow_write({"state": "to_approve"})
        self.contact_b.email = "not-an-email"
        self.customer_b.reconciliation_contact_id = self.contact_b
        selection = self.na | self.sa | self.sa_draft | confirmed | closed | to_approve | self.nb
        wizard = self._wizard(selection)
        self.assertEqual((wizard.session_count, wizard.sendable_count), (7, 2))
        self.assertEqual((wizard.resend_count, wizard.skipped_count), (1, 5))
        self.assertEqual(wizard.send_label, "Send 2 statements")
        self.assertIn("2 statements will be emailed", wizard.summary)
        self.assertIn("1 of them were already sent", wizard.summary)
        lines = wizard.warning.splitlines()
        answered = next(line for line in lines if line.startswith("Already answered"))
        self.assertIn("(2)", answered)
        self.assertIn(confirmed.name, answered)
        self.assertIn(closed.name, answered)
        not_approved = next(line for line in lines if line.startswith("Not approved yet"))
        self.assertIn(self.sa_draft.name, not_approved)
        self.assertIn(to_approve.name, not_approved)
        for answered_one in (confirmed, closed):
            self.assertFalse(
                [line for line in lines if answered_one.name in line and "approved" in line],
                "an answered statement is never called not approved",
            )
        self.assertIn(f"{self.nb.name}: {self.contact_b.display_name}", wizard.warning)
        self.assertIn("not-an-email", wizard.warning)
        with self.mock_smtplib_connection():
            action = wizard.action_send()
        self.assertIn("2 statement(s) sent", action["params"]["message"])
        self.assertEqual(
            self.Batch.search([], limit=1).line_ids.session_id,
            self.na | self.sa,
            "only what it said",
        )
        self.assertEqual(confirmed.state, "confirmed")
        self.assertEqual(self.sa_draft.state, "draft")

    def test_one_statement_label(self):
        self.assertEqual(self._wizard(self.na).send_label, "Send 1 statement")

    def test_nothing_to_send(self):
        wizard = self._wizard(self.sa_draft)
        self.assertEqual(wizard.sendable_count, 0)
        self.assertIn("None of the selected statements can be sent", wizard.summary)
        self.assertIn("Not approved yet (1)", wizard.warning)
        with self.assertRaisesRegex(UserError, "Not approved yet"):
            wizard.action_send()
        arch = wizard.get_view(view_type="form")["arch"]
        self.assertRegex(arch, r'name="action_send"[^>]*invisible="not sendable_count"')


@tagged("post_install", "-at_install")
class TestSendingTruthHttp(SendingTruthCommon, HttpCase):
    def _call(self, model, method, args, kwargs=None):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/{model}/{method}",
            {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
        )

    def test_send_over_rpc_without_a_mail_server(self):
        """What the browser does: create the wizard on the selection, press Send."""
        self.authenticate("accountant_r", "accountant_r")
        wizard_model = "customer.reconciliation.send.wizard"
        context = {"active_model": self.na._name, "active_ids": self.na.ids}
        with self.smtp_refused():
            wizard_id = self._call(wizard_model, "create", [{}], {"context": context})
            action = self._call(wizard_model, "action_send", [[wizard_id]])
        self.assertEqual(action["res_model"], self.Batch._name)
        batch = self.Batch.browse(action["res_id"])
        self.assertEqual((batch.sent_count, batch.failed_count), (0, 1))
        self.assertIn("Connection refused", batch.line_ids.error)
        self.assertEqual(self.na.state, "approved")
        self.assertTrue(self._notes(self.na, "Connection refused"))
        with self.mock_smtplib_connection():
            self._call(batch._name, "action_retry_failed", [[batch.id]])
        self.assertEqual(batch.line_ids.state, "sent")
        self.assertEqual(self.na.state, "sent")


@tagged("post_install", "-at_install")
class TestSendingAfterCommit(SendingTruthCommon):
    """Outside tests an interactive sending's emails leave only once the user's transaction is
    committed (a request rolled back and retried by Odoo has sent nothing): forced here."""

    def setUp(self):
        super().setUp()
        self.patch(type(self.Batch), "_mails_leave_at_once", lambda batch: False)
        self.notified = recorded_notifications(self)

    def test_emails_leave_after_the_commit_then_the_sender_is_told(self):
        wizard = self._wizard(self.na.with_user(self.accountant))
        with self.mock_smtplib_connection():
            action = wizard.action_send()
            self.assertEqual(action["tag"], "display_notification")
            self.assertIn("are being sent", action["params"]["message"])
            batch = self.Batch.search([("line_ids.session_id", "=", self.na.id)])
            self.assertEqual(batch.line_ids.state, "queued")
            self.assertEqual(batch.line_ids.sudo().mail_id.state, "outgoing")
            self.assertFalse(self.emails, "nothing leaves before the commit")
            self.assertEqual(self.na.state, "approved")
            self.assertFalse(self.notified)
            # What the commit of the request runs, in a transaction of its own.
            with self.enter_registry_test_mode():
                self.env.cr.postcommit.run()
        self.assertEqual(len(self.emails), 1)
        self.assertEqual(batch.line_ids.state, "sent")
        self.assertEqual(self.na.state, "sent")
        self.assertEqual(
            [(user, kind) for user, kind, _ in self.notified],
            [(self.accountant, "simple_notification")],
        )
        self.assertEqual(self.notified[0][2]["type"], "success")
        self.assertIn("1 sent", self.notified[0][2]["message"])

    def test_a_rolled_back_request_sends_nothing(self):
        wizard = self._wizard(self.na.with_user(self.accountant))
        with self.mock_smtplib_connection():
            wizard.action_send()
            # The request fails after the sending (Odoo retries it): its transaction is undone.
            self.env.cr.postcommit.clear()
        self.assertFalse(self.emails)
        self.assertFalse(self.notified)

    def test_a_refused_email_after_the_commit_is_reported(self):
        wizard = self._wizard(self.na.with_user(self.accountant))
        with self.smtp_refused():
            wizard.action_send()
            with self.enter_registry_test_mode():
                self.env.cr.postcommit.run()
        batch = self.Batch.search([("line_ids.session_id", "=", self.na.id)])
        self.assertEqual(batch.line_ids.state, "failed")
        self.assertIn("Connection refused", batch.line_ids.error)
        self.assertEqual(self.na.state, "approved")
        told = [
            (user, payload)
            for user, kind, payload in self.notified
            if kind == "simple_notification"
        ]
        self.assertEqual(len(told), 1)
        self.assertEqual(told[0][0], self.accountant)
        self.assertEqual(told[0][1]["type"], "warning", "the sender is told it failed")
