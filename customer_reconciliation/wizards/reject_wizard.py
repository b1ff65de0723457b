from odoo import fields, models


class CustomerReconciliationRejectWizard(models.TransientModel):
    """Send submitted statements back to their preparer, with the reason."""

    _name = "customer.reconciliation.reject.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Reject Reconciliation Statements"

    session_ids = fields.Many2many(
        "customer.reconciliation.session",
        "customer_reconciliation_reject_session_rel",
        "wizard_id",
        "session_id",
        default=lambda self: self.env.context.get("active_ids"),
    )
    reason = fields.Text(required=True)

    def action_reject(self):
        self.session_ids.action_reject(self.reason)
        return {"type": "ir.actions.act_window_close"}
