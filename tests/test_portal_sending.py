"""Sending statements by email: recipient, language, attachments, token link, bulk sending."""

from sending_common import SendingCommon

from odoo.tests import tagged

from odoo.addons.customer_reconciliation.models import send_batch as send_batch_module

REPORTS = (
    "customer_reconciliation.action_report_reconciliation_statement",
    "customer_reconciliation.action_report_balance_confirmation",
)


@tagged("post_install", "-at_install")
class TestPortalSending(SendingCommon):
    """Sent through a mocked SMTP server: a statement counts as sent once its mail has left
    (tests/test_sending_truth.py covers the failures)."""

    def _send(self, sessions):
        wizard = (
            sessions.env["customer.reconciliation.send.wizard"]
            .with_context(active_model=sessions._name, active_ids=sessions.ids)
            .create({})
        )
        with self.mock_smtplib_connection():
            return wizard, wizard.action_send()

    def _sent_message(self, session):
        return session.message_ids.filtered(lambda m: m.message_type == "comment")[:1]

    def test_single_send(self):
        wizard, action = self._send(self.na)
        self.assertEqual(wizard.sendable_count, 1)
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(self.na.state, "sent")
        self.assertTrue(self.na.sent_date)
        message = self._sent_message(self.na)
        self.assertEqual(
            message.partner_ids, self.contact_a, "the customer's statement contact receives it"
        )
        self.assertIn(self.na.name, message.subject)
        self.assertTrue(self.na.access_token)
        self.assertIn(
            f"/my/statements/{self.na.id}?access_token={self.na.access_token}", message.body
        )
        mail = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        self.assertEqual(set(mail.mapped("state")), {"sent"}, "the emails have left")
        self.assertIn(self.contact_a, mail.recipient_ids)
        self.assertEqual(len(self.emails), len(mail))

    def test_attachments(self):
        for xmlid in REPORTS:
            self.assertTrue(
                self.env.ref(xmlid, raise_if_not_found=False), f"{xmlid} missing (reports branch)"
            )
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is needed to render the PDFs")
        self._send(self.na.with_context(force_report_rendering=True))
        attachments = self._sent_message(self.na).attachment_ids
        self.assertEqual(len(attachments), 2, attachments.mapped("name"))
        self.assertTrue(all(a.mimetype == "application/pdf" for a in attachments))
        self.assertTrue(all(a.raw.startswith(b"%PDF") for a in attachments))
        names = " ".join(attachments.mapped("name"))
        self.assertIn("Statement", names)
        self.assertIn("Balance Confirmation", names)

    def test_recipient_falls_back_on_the_customer(self):
        self.customer_b.reconciliation_contact_id = False
        self.company.reconciliation_contact_rule = "customer"
        self._send(self.nb)
        self.assertEqual(self._sent_message(self.nb).partner_ids, self.customer_b)

    def test_language_of_the_mail(self):
        for lang in ("zh_CN", "zh_TW"):
            self.env["res.lang"]._activate_lang(lang)
        self.env["ir.module.module"]._load_module_terms(
            ["customer_reconciliation"], ["zh_CN", "zh_TW"], overwrite=True
        )
        self.customer_a.reconciliation_lang = "zh_CN"
        self.assertEqual(self.na.statement_lang, "zh_CN")
        self._send(self.na)
        message = self._sent_message(self.na)
        self.assertIn("对账单", message.subject)
        self.assertIn("确认", message.body)
        self.customer_b.reconciliation_lang = "zh_TW"
        self._send(self.nb)
        self.assertIn("對帳單", self._sent_message(self.nb).subject)
        self.assertIn("確認", self._sent_message(self.nb).body)
        # English for the others
        self._send(self.nc)
        self.assertIn("account statement", self._sent_message(self.nc).subject)

    def test_bulk_with_a_bad_address(self):
        self.contact_b.email = "not-an-email"
        self.customer_b.reconciliation_contact_id = self.contact_b
        wizard, action = self._send(self.na | self.nb | self.nc)
        self.assertEqual(wizard.sendable_count, 2)
        self.assertIn("not-an-email", wizard.warning)
        # The wizard sends what it said it would: the two others, all sent.
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn("2 statement(s) sent", action["params"]["message"])
        self.assertEqual(self.nb.state, "approved", "the skipped one is not marked sent")
        self.assertEqual((self.na | self.nc).mapped("state"), ["sent", "sent"])
        # Sent without the wizard (the next version of a settled statement), it is recorded.
        with self.mock_smtplib_connection():
            batch = self.env["customer.reconciliation.send.batch"]._start(self.nb, self.template)
        self.assertEqual(batch.state, "done")
        self.assertEqual((batch.sent_count, batch.failed_count), (0, 1))
        self.assertIn("no valid email address", batch.line_ids.error)
        self.assertEqual(self.nb.state, "approved")
        self.assertEqual(batch.action_open_failed()["domain"][0][2], self.nb.ids)

    def test_bulk_in_background_batches(self):
        self.patch(send_batch_module, "SEND_BATCH_SIZE", 2)
        commits = []
        self.patch(
            type(self.env["ir.cron"]),
            "_commit_progress",
            lambda self, processed=0, remaining=None, deactivate=False: (
                commits.append(processed) or 60.0
            ),
        )
        with self.mock_smtplib_connection():
            batch = self.env["customer.reconciliation.send.batch"]._start(
                self.na | self.nb | self.nc, self.template
            )
            self.assertEqual(batch.state, "queued", "more than one batch: left to the cron")
            self.assertEqual(batch.sent_count, 0)
            self.env["customer.reconciliation.send.batch"]._cron_send_statements()
        self.assertEqual(batch.state, "done")
        self.assertEqual(batch.sent_count, 3)
        mails = batch.line_ids.sudo().mail_id
        self.assertEqual(mails.mapped("state"), ["sent"] * 3, "the batch job sends the emails")
        self.assertEqual(mails.recipient_ids, (self.na | self.nb | self.nc).statement_contact_id)
        # The remaining count first; per batch, its mails committed before they leave, then
        # the batch counted.
        self.assertEqual(commits, [0, 0, 2, 0, 1], "progress committed after each batch")

    def test_only_approved_or_sent(self):
        self.nc._workflow_write({"state": "draft"})
        wizard, _action = self._send(self.na | self.nc)
        self.assertEqual(wizard.sendable_count, 1)
        self.assertEqual(self.nc.state, "draft")
        self.assertEqual(self.na.state, "sent")

    def test_portal_link_and_qr_for_the_pdf(self):
        url = self.na._get_portal_answer_url()
        self.assertTrue(url.startswith("http"))
        self.assertTrue(
            url.endswith(f"/my/statements/{self.na.id}?access_token={self.na.access_token}")
        )
        qr = self.na._get_portal_answer_qr()
        self.assertTrue(qr.startswith("data:image/png;base64,"))
        self.assertGreater(len(qr), 500)
