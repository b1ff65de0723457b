from odoo import fields, models

from .ledger_matching import DIFFERENCE, MATCHED, ONLY_OURS, ONLY_THEIRS

MATCH_STATUSES = [
    (MATCHED, "Matched"),
    (DIFFERENCE, "Matched with a difference"),
    (ONLY_OURS, "Only in our books"),
    (ONLY_THEIRS, "Only in the customer's ledger"),
]


class CustomerReconciliationCustomerLine(models.Model):
    """One line of the ledger the customer sent us (their accounts payable of us), as imported.

    ``amount`` and ``balance`` are converted to OUR sign convention (positive: the customer owes
    us more); ``their_debit`` / ``their_credit`` are kept as they appear in the file.
    """

    _name = "customer.reconciliation.customer.line"
    _description = "Customer Ledger Line"
    _order = "session_id, row_number, id"

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="session_id.currency_id")
    attachment_id = fields.Many2one(
        "ir.attachment", string="Imported File", readonly=True, ondelete="set null"
    )
    row_number = fields.Integer(string="Row", help="The row of the line in the imported file.")
    date = fields.Date(required=True)
    reference = fields.Char(
        help="Our document number as the customer wrote it: invoice number, order number..."
    )
    voucher = fields.Char(string="Their Voucher", help="The customer's own voucher (凭证号).")
    description = fields.Char(help="The customer's description (摘要).")
    their_debit = fields.Monetary(string="Their Debit")
    their_credit = fields.Monetary(string="Their Credit")
    amount = fields.Monetary(
        help="In our sign convention: positive when the customer owes us more."
    )
    balance = fields.Monetary(
        string="Their Balance", help="The customer's running balance, in our sign convention."
    )
    match_id = fields.Many2one(
        "customer.reconciliation.match",
        string="Comparison",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    match_status = fields.Selection(MATCH_STATUSES, readonly=True, index=True)
    explanation = fields.Text(related="match_id.explanation")
    our_line_ids = fields.Many2many(related="match_id.our_line_ids", string="Our Lines")
