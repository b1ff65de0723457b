"""The statements' emails tell their sending what became of them."""

from odoo import models

SESSION_MODEL = "customer.reconciliation.session"


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, success_emails, failure_reason=False, failure_type=None
    ):
        # Before super, which deletes the auto-deleted mails once sent; the state is written.
        statement_mails = self.filtered(lambda mail: mail.model == SESSION_MODEL)
        if statement_mails:
            self.env["customer.reconciliation.send.batch.line"]._on_mails_processed(
                statement_mails, failure_type=failure_type
            )
        return super()._postprocess_sent_message(
            success_pids, success_emails, failure_reason=failure_reason, failure_type=failure_type
        )

    def unlink(self):
        statement_mails = self.filtered(lambda mail: mail.model == SESSION_MODEL)
        if statement_mails:
            self.env["customer.reconciliation.send.batch.line"]._on_mails_deleted(statement_mails)
        return super().unlink()
