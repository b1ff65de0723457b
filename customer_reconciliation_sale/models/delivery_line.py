"""The goods between the statement and a customer who books on receipt: per order line, what
was delivered but not yet invoiced, or invoiced but not yet delivered, at the end date."""

from odoo import api, fields, models
from odoo.exceptions import UserError

DELIVERED_NOT_INVOICED = "delivered_not_invoiced"
INVOICED_NOT_DELIVERED = "invoiced_not_delivered"
KINDS = [
    (DELIVERED_NOT_INVOICED, "Delivered, not yet invoiced"),
    (INVOICED_NOT_DELIVERED, "Invoiced, not yet delivered"),
]


class CustomerReconciliationDeliveryLine(models.Model):
    """One order line whose delivered and invoiced quantities differ at the statement's end date.

    A snapshot taken when the statement is generated (set-based SQL, ``engine.py``), frozen
    with it: never written by hand, never recomputed once the statement is submitted.
    Quantities are in the order line's unit; amounts are tax included (the statement's balance
    is a tax-included receivable), at the order's unit price, in the statement currency
    (converted at the end date when the order is in another currency).
    """

    _name = "customer.reconciliation.delivery.line"
    _description = "Customer Reconciliation Goods Not Yet Invoiced or Delivered"
    _order = "session_id, kind, order_name, sale_line_id, id"

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one(
        "res.currency", string="Statement Currency", required=True, readonly=True
    )
    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    order_id = fields.Many2one("sale.order", string="Sale Order", readonly=True, index=True)
    sale_line_id = fields.Many2one(
        "sale.order.line", string="Order Line", readonly=True, index="btree_not_null"
    )
    product_id = fields.Many2one("product.product", readonly=True)
    order_name = fields.Char(string="Order", readonly=True)
    client_order_ref = fields.Char(string="Customer PO", readonly=True)
    description = fields.Char(readonly=True)
    qty_delivered = fields.Float(
        string="Delivered", digits="Product Unit", readonly=True, help="At the end date."
    )
    qty_invoiced = fields.Float(
        string="Invoiced", digits="Product Unit", readonly=True, help="At the end date."
    )
    quantity = fields.Float(
        string="Difference",
        digits="Product Unit",
        readonly=True,
        help="Delivered minus invoiced, in the order line's unit.",
    )
    uom_name = fields.Char(string="Unit", readonly=True)
    order_currency_id = fields.Many2one("res.currency", readonly=True)
    price_unit_order = fields.Monetary(
        string="Unit Price (Order Currency)",
        currency_field="order_currency_id",
        readonly=True,
        help="Tax included: the order line's total divided by its ordered quantity (a product "
        "delivered without being ordered: its price through its taxes).",
    )
    price_unit = fields.Float(
        string="Unit Price", readonly=True, help="Tax included, in the statement currency."
    )
    amount = fields.Monetary(
        readonly=True,
        help="Difference times unit price, in the statement currency: positive for goods "
        "delivered not yet invoiced, negative for goods invoiced not yet delivered.",
    )
    delivery_refs = fields.Char(
        string="Deliveries", readonly=True, help="Done deliveries and returns up to the end date."
    )
    last_delivery_date = fields.Date(readonly=True)
    invoice_refs = fields.Char(
        string="Invoices",
        readonly=True,
        help="Posted invoices and credit notes up to the end date.",
    )
    last_invoice_date = fields.Date(readonly=True)
    reference_keys = fields.Char(
        readonly=True,
        help="Technical: the order number, the customer's PO and the delivery numbers, one a "
        "line, as the comparison with the customer's ledger looks for them.",
    )

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "The goods not yet invoiced or delivered come from the orders and deliveries: "
                "regenerate the statement instead."
            )
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "The goods not yet invoiced or delivered of a statement cannot be edited by hand: "
                "change the orders, deliveries or invoices and regenerate the draft statement."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_with_a_draft_statement(self):
        self.session_id._check_parts_deletable()
