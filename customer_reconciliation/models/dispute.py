"""The statement, step 5: the disputes the customer raises, until they are settled."""

from odoo import api, fields, models
from odoo.exceptions import UserError

DISPUTE_REASONS = [
    ("missing_invoice", "Invoice missing on our side"),
    ("payment_not_recorded", "Payment not recorded"),
    ("amount_differs", "Amount differs"),
    ("duplicate", "Duplicate"),
    ("return_not_credited", "Return not credited"),
    ("price_discount", "Price / discount"),
    ("other", "Other"),
]

DISPUTE_SOURCES = [
    ("internal", "Recorded by us"),
    ("salesperson", "Reported by the salesperson"),
    ("portal", "Customer portal"),
    ("ledger", "Customer ledger comparison"),
]


class CustomerReconciliationDispute(models.Model):
    """A difference the customer raised on a statement: a line, several, or the whole balance.

    Reachable by the customer in the portal: its status and a message thread to reply in.
    """

    _name = "customer.reconciliation.dispute"
    _description = "Customer Reconciliation Dispute"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    # Customers answer on the portal with read access only (like invoices and sale orders).
    _mail_post_access = "read"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="session_id.partner_id", store=True, string="Customer")
    salesperson_id = fields.Many2one(related="session_id.salesperson_id", store=True)
    currency_id = fields.Many2one(related="session_id.currency_id")
    line_ids = fields.Many2many(
        "customer.reconciliation.line",
        "customer_reconciliation_dispute_line_rel",
        "dispute_id",
        "line_id",
        string="Disputed Lines",
        domain="[('session_id', '=', session_id), ('kind', '!=', 'opening')]",
        help="Empty: the customer disputes the whole balance.",
    )
    reason = fields.Selection(DISPUTE_REASONS, required=True, default="other", tracking=True)
    source = fields.Selection(DISPUTE_SOURCES, required=True, default="internal", readonly=True)
    our_amount = fields.Monetary(
        compute="_compute_our_amount",
        store=True,
        help="Our amount: the disputed lines, or the closing balance when the whole balance is disputed.",
    )
    customer_amount = fields.Monetary(string="Customer's Amount", tracking=True)
    difference = fields.Monetary(compute="_compute_our_amount", store=True)
    comment = fields.Text(string="Customer's Comment")
    state = fields.Selection(
        [("open", "Open"), ("resolved", "Resolved"), ("rejected", "Rejected")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    resolution = fields.Text(tracking=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    resolved_date = fields.Datetime(readonly=True)

    @api.depends("line_ids.amount", "session_id.closing_balance", "customer_amount")
    def _compute_our_amount(self):
        for dispute in self:
            if dispute.line_ids:
                dispute.our_amount = sum(dispute.line_ids.mapped("amount"))
            else:
                dispute.our_amount = dispute.session_id.closing_balance
            dispute.difference = dispute.customer_amount - dispute.our_amount

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("customer.reconciliation.dispute") or "/"
                )
        return super().create(vals_list)

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for dispute in self:
            dispute.access_url = f"/my/statements/{dispute.session_id.id}/disputes/{dispute.id}"
        return result

    def is_settled(self):
        return all(dispute.state in ("resolved", "rejected") for dispute in self)

    def _settle(self, state, resolution):
        if not resolution:
            raise UserError(self.env._("Explain how the dispute was settled."))
        not_open = self.filtered(lambda d: d.state != "open")
        if not_open:
            raise UserError(self.env._("Dispute %s is already settled.", not_open[0].name))
        self.write(
            {
                "state": state,
                "resolution": resolution,
                "resolved_by_id": self.env.user.id,
                "resolved_date": fields.Datetime.now(),
            }
        )

    def action_resolve(self, resolution=None):
        self._settle("resolved", resolution or self.resolution)
        return True

    def action_reject(self, resolution=None):
        self._settle("rejected", resolution or self.resolution)
        return True

    def action_reopen(self):
        self.write({"state": "open", "resolved_by_id": False, "resolved_date": False})
        return True
