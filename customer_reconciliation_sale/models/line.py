"""The statement's lines with the sale orders and deliveries behind their invoices."""

from odoo import fields, models


class CustomerReconciliationLine(models.Model):
    _inherit = "customer.reconciliation.line"

    # Written with the lines at generation (engine.py), frozen with them.
    sale_order_refs = fields.Char(string="Sale Orders", readonly=True)
    client_order_refs = fields.Char(string="Customer POs", readonly=True)
    delivery_refs = fields.Char(
        string="Deliveries",
        readonly=True,
        help="The done deliveries of the invoiced order lines up to the end date, with their dates.",
    )
    last_delivery_date = fields.Date(readonly=True)
