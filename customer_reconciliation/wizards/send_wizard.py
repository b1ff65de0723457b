from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.send_batch import SEND_BATCH_SIZE


class CustomerReconciliationSendWizard(models.TransientModel):
    """Send one or many approved statements to the customers' statement contacts."""

    _name = "customer.reconciliation.send.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Send Reconciliation Statements"

    session_ids = fields.Many2many(
        "customer.reconciliation.session",
        "customer_reconciliation_send_wizard_session_rel",
        "wizard_id",
        "session_id",
        string="Statements",
        required=True,
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        required=True,
        domain="[('model', '=', 'customer.reconciliation.session')]",
        default=lambda self: self.env.ref(
            "customer_reconciliation.mail_template_statement_send", raise_if_not_found=False
        ),
    )
    session_count = fields.Integer(compute="_compute_summary")
    sendable_count = fields.Integer(compute="_compute_summary", string="Ready to Send")
    warning = fields.Text(compute="_compute_summary")
    background = fields.Boolean(
        compute="_compute_summary",
        help="Many statements: they are sent in the background, batch by batch.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "session_ids" in fields_list
            and context.get("active_model") == "customer.reconciliation.session"
        ):
            values["session_ids"] = [fields.Command.set(context.get("active_ids") or [])]
        return values

    @api.depends("session_ids")
    def _compute_summary(self):
        for wizard in self:
            problems = [(session, session._check_sendable()) for session in wizard.session_ids]
            problems = [(session, error) for session, error in problems if error]
            wizard.session_count = len(wizard.session_ids)
            wizard.sendable_count = wizard.session_count - len(problems)
            wizard.background = wizard.session_count > SEND_BATCH_SIZE
            lines = [f"{session.name}: {error}" for session, error in problems[:20]]
            if len(problems) > 20:
                lines.append(self.env._("... and %s more.", len(problems) - 20))
            wizard.warning = "\n".join(lines) or False

    def action_send(self):
        self.ensure_one()
        sessions = self.session_ids.filtered(lambda s: s.state in ("approved", "sent"))
        if not sessions:
            raise UserError(self.env._("Only approved (or already sent) statements can be sent."))
        batch = self.env["customer.reconciliation.send.batch"]._start(sessions, self.template_id)
        if batch.state == "done" and not batch.failed_count:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "message": self.env._("%s statement(s) sent.", batch.sent_count),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return {
            "type": "ir.actions.act_window",
            "name": batch.name,
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }
