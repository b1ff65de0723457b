"""One statement of a sending."""

from odoo import fields, models


class CustomerReconciliationSendBatchLine(models.Model):
    """One statement of a sending: pending, sent, or failed with the reason."""

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
    state = fields.Selection(
        [("pending", "Pending"), ("sent", "Sent"), ("failed", "Failed")],
        default="pending",
        required=True,
    )
    error = fields.Char(readonly=True)
