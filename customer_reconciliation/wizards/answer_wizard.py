from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.dispute import DISPUTE_REASONS


class CustomerReconciliationAnswerWizard(models.TransientModel):
    """Record the customer's answer received outside the portal (paper, email, phone).

    Accountants record it on the statement at once; a salesperson's answer is logged on the
    statement for the responsible accountant to review.
    """

    _name = "customer.reconciliation.answer.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Record the Customer's Answer"

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        required=True,
        default=lambda self: self.env.context.get("active_id"),
    )
    currency_id = fields.Many2one(related="session_id.currency_id")
    closing_balance = fields.Monetary(related="session_id.closing_balance", string="Our Balance")
    answer = fields.Selection(
        [
            ("confirm", "The customer agrees with the balance"),
            ("dispute", "The customer disagrees"),
        ],
        required=True,
        default="confirm",
    )
    confirmed_by = fields.Char(help="Name of the person who confirmed at the customer.")
    confirmed_title = fields.Char(string="Title")
    confirmed_date = fields.Datetime(string="Confirmed On", default=fields.Datetime.now)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "customer_reconciliation_answer_attachment_rel",
        "wizard_id",
        "attachment_id",
        string="Signed Document",
    )
    line_ids = fields.Many2many(
        "customer.reconciliation.line",
        "customer_reconciliation_answer_line_rel",
        "wizard_id",
        "line_id",
        string="Disputed Lines",
        domain="[('session_id', '=', session_id), ('kind', '!=', 'opening')]",
    )
    reason = fields.Selection(DISPUTE_REASONS, default="other")
    customer_amount = fields.Monetary(string="Customer's Amount")
    comment = fields.Text()
    for_review = fields.Boolean(compute="_compute_for_review")

    @api.depends_context("uid")
    def _compute_for_review(self):
        is_user = self.env.user.has_group("customer_reconciliation.group_reconciliation_user")
        for wizard in self:
            wizard.for_review = not is_user

    def action_record(self):
        self.ensure_one()
        session = self.session_id
        session.check_access("read")
        if self.for_review:
            return self._log_for_review()
        if self.answer == "confirm":
            session._record_confirmation(
                self.confirmed_by,
                title=self.confirmed_title,
                channel="internal",
                comment=self.comment,
                attachments=self.attachment_ids,
                date=self.confirmed_date,
            )
        else:
            session._record_dispute(
                [
                    {
                        "line_ids": [Command.set(self.line_ids.ids)],
                        "reason": self.reason,
                        "customer_amount": self.customer_amount,
                        "comment": self.comment,
                    }
                ]
            )
        return {"type": "ir.actions.act_window_close"}

    def _log_for_review(self):
        """A salesperson reports the answer: a note and an activity for the accountant."""
        session = self.session_id
        if session.state not in ("sent", "disputed"):
            raise UserError(
                self.env._("Statement %s is not waiting for the customer's answer.", session.name)
            )
        session._check_answer_values(
            self.confirmed_by, self.confirmed_title, self.comment, self.confirmed_date
        )
        self.env["customer.reconciliation.dispute"]._check_dispute_values(
            {"customer_amount": self.customer_amount}, session.currency_id
        )
        if self.attachment_ids:
            # The salesperson's evidence goes onto the statement: theirs, and not another's.
            session._claim_attachments(self.attachment_ids)
        if self.answer == "confirm":
            summary = self.env._(
                "The customer confirms the balance (reported by %(user)s; confirmed by %(who)s). "
                "%(comment)s",
                user=self.env.user.name,
                who=self.confirmed_by or "-",
                comment=self.comment or "",
            )
        else:
            summary = self.env._(
                "The customer disputes the statement (reported by %(user)s): %(reason)s, their amount "
                "%(amount)s. %(comment)s",
                user=self.env.user.name,
                reason=dict(self._fields["reason"]._description_selection(self.env))[self.reason],
                amount=self.customer_amount,
                comment=self.comment or "",
            )
        session = session.sudo()
        session.message_post(
            body=summary,
            attachment_ids=self.attachment_ids.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        session.activity_schedule(
            "mail.mail_activity_data_todo",
            user_id=(session.user_id or session.create_uid).id,
            summary=self.env._("Review the customer's answer"),
            note=summary,
        )
        return {"type": "ir.actions.act_window_close"}
