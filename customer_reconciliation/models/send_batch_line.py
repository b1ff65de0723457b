"""One statement of a sending: its mail, and what became of it."""

import contextlib
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

_logger = logging.getLogger(__name__)

# What only the sending itself writes: the outcome read from the statement's mail.
OUTCOME_FIELDS = frozenset({"state", "error", "mail_id", "sent_date"})


class CustomerReconciliationSendBatchLine(models.Model):
    """One statement of a sending: pending, its mail queued, sent, or failed with the reason.

    A statement counts as sent only once its ``mail.mail`` has left (state ``sent``): the
    outcome is read from the mail right after sending it, or later by ``mail.mail`` itself
    (``models/mail_mail.py``) when the mail queue sends or fails it.
    """

    _name = "customer.reconciliation.send.batch.line"
    _description = "Customer Reconciliation Statement Sending Line"
    _order = "batch_id, id"

    batch_id = fields.Many2one(
        "customer.reconciliation.send.batch", required=True, ondelete="cascade", index=True
    )
    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    partner_id = fields.Many2one(related="session_id.partner_id", string="Customer")
    session_state = fields.Selection(related="session_id.state", string="Statement Status")
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("queued", "Waiting in the Mail Queue"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    error = fields.Char(string="Reason", readonly=True)
    sent_date = fields.Datetime(string="Sent On", readonly=True)
    mail_id = fields.Many2one(
        "mail.mail",
        string="Email",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
        help="Technical: the email that carries the statement to its contact.",
    )

    # The claiming query reads the pending lines in this order.
    _pending_idx = models.Index("(batch_id, id) WHERE state = 'pending'")

    # ------------------------------------------------------------------ guard
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if set(vals) & (OUTCOME_FIELDS - {"state"}) or vals.get("state", "pending") != (
                    "pending"
                ):
                    raise AccessError(self._outcome_guard_message())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self._outcome_guard_message())
        return super().write(vals)

    def _outcome_guard_message(self):
        return self.env._(
            "The lines of a statement sending change only by sending: their outcome is read "
            "from the emails."
        )

    # ------------------------------------------------------------------ sending
    def _send(self, template):
        """Post the mail of each pending line (or re-queue its failed one) and record what
        became of each: sent, failed with the reason, or still queued.

        The PDFs of all the statements are rendered first, many per wkhtmltopdf run
        (``ir.actions.report._cr_rendered_ahead``). The mails are left queued (outgoing)
        for the caller to commit, then send: returns them."""
        to_send = self.env["mail.mail"].sudo()
        postable = {}
        for line in self.filtered(lambda line: line.state == "pending"):
            error = line.session_id._check_sendable()
            if error:
                _logger.info("Statement %s not sent: %s", line.session_id.name, error)
                line._record_failure(error)
            else:
                postable[line] = line._failed_mail_to_retry()
        fresh = self.browse([line.id for line, retried in postable.items() if not retried])
        with fresh._pdfs_rendered_ahead(template):
            for line, retried in postable.items():
                error = None
                try:
                    with self.env.cr.savepoint():
                        mail, mails = retried or line.session_id._post_statement_mail(template)
                        line.sudo().write({"state": "queued", "mail_id": mail.id, "error": False})
                        to_send |= mails
                except (UserError, ValidationError, AccessError, ValueError) as exc:
                    error = str(exc)
                if error:
                    _logger.info("Statement %s not sent: %s", line.session_id.name, error)
                    line._record_failure(error)
        # Once sent, each mail records its outcome on its line (see mail_mail.py); those the
        # mail server keeps for later stay queued until the mail queue sends them.
        return to_send.filtered(lambda mail: mail.state == "outgoing")

    @contextlib.contextmanager
    def _pdfs_rendered_ahead(self, template):
        """Within the block, the template's PDFs of these lines' statements come from one
        rendering of them all, in the language the template renders each statement in."""
        sessions = self.session_id
        if len(sessions) < 2 or not template.report_template_ids:
            yield
            return
        Report = self.env["ir.actions.report"]
        with contextlib.ExitStack() as stack:
            for lang, (_template, res_ids) in template._classify_per_lang(sessions.ids).items():
                stack.enter_context(
                    Report.with_context(lang=lang)._cr_rendered_ahead(
                        template.report_template_ids, sessions.browse(res_ids)
                    )
                )
            yield

    def _failed_mail_to_retry(self):
        """The line's failed mail, put back in the queue, when it still goes to the statement
        contact: retrying resends it rather than posting the statement again."""
        self.ensure_one()
        mail = self.sudo().mail_id
        if (
            mail.exists()
            and mail.state == "exception"
            and self.session_id.statement_contact_id in mail.recipient_ids
        ):
            # With the followers' copies that failed with it.
            mails = mail | mail.search(
                [
                    ("mail_message_id", "=", mail.mail_message_id.id),
                    ("state", "=", "exception"),
                ]
            )
            mails.mark_outgoing()
            return mail, mails
        return None

    @api.model
    def _on_mails_processed(self, mails, failure_type=None):
        """Record on their lines the outcome of ``mails`` that the mail server just processed
        (``failure_type``: why they failed, when the mails do not say it themselves)."""
        lines = self.sudo().search(
            [("mail_id", "in", mails.ids), ("state", "in", ("queued", "failed"))]
        )
        for line in lines:
            mail = line.mail_id
            if mail.state == "sent":
                line._record_sent()
            elif mail.state == "exception":
                line._record_failure(line._mail_failure_reason(mail, failure_type))

    @api.model
    def _on_mails_deleted(self, mails):
        """A mail deleted before it left: its statement was not sent."""
        lines = self.sudo().search([("mail_id", "in", mails.ids), ("state", "=", "queued")])
        for line in lines.filtered(lambda line: line.mail_id.state != "sent"):
            line._record_failure(self.env._("The email was deleted before it was sent."))

    def _mail_failure_reason(self, mail, failure_type=None):
        """The failure type's label and the server's message, on one line."""
        types = dict(mail._fields["failure_type"]._description_selection(self.env))
        reason = " ".join((mail.failure_reason or "").split())
        parts = [types.get(mail.failure_type or failure_type), reason]
        return ": ".join(part for part in parts if part) or self.env._("Delivery failed.")

    def _sender_session(self):
        """The statement, as the user who sends it (for the chatter and the transition)."""
        return self.session_id.with_user(self.batch_id.user_id or self.env.user).sudo()

    def _record_sent(self):
        self.ensure_one()
        now = fields.Datetime.now()
        self.sudo().write({"state": "sent", "error": False, "sent_date": now})
        session = self._sender_session()
        if session.state == "approved":
            session.action_mark_sent()

    def _record_failure(self, reason):
        self.ensure_one()
        self.sudo().write({"state": "failed", "error": reason})
        self._sender_session().message_post(body=self.env._("Not sent: %s", reason))

    def action_retry(self):
        """Send the failed statements again (their mail, or a new one if the contact changed)."""
        self.env["customer.reconciliation.session"]._check_group(
            "customer_reconciliation.group_reconciliation_user", self.env._("send")
        )
        failed = self.filtered(lambda line: line.state == "failed")
        if not failed:
            raise UserError(self.env._("Only failed statements can be sent again."))
        for batch in failed.batch_id:
            batch._retry(failed.filtered(lambda line, batch=batch: line.batch_id == batch))
        return True
