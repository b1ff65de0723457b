"""One column of the file being imported, and the role the user gives it."""

from odoo import fields, models

COLUMN_ROLES = [
    ("date", "Date"),
    ("year", "Year of the date (年)"),
    ("month", "Month of the date (月)"),
    ("day", "Day of the date (日)"),
    ("reference", "Document number (ours)"),
    ("voucher", "Their voucher number"),
    ("description", "Description"),
    ("debit", "Debit"),
    ("credit", "Credit"),
    ("amount", "Signed amount"),
    ("balance", "Balance"),
    ("direction", "Direction (借/贷)"),
]


class CustomerReconciliationLedgerImportColumn(models.TransientModel):
    """A column of the imported file and what it holds."""

    _name = "customer.reconciliation.ledger.import.column"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Customer Ledger Import Column"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "customer.reconciliation.ledger.import.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    column_index = fields.Integer(required=True)
    letter = fields.Char(string="Column", readonly=True)
    header = fields.Char(string="Title in the File", readonly=True)
    sample = fields.Char(string="First Values", readonly=True)
    role = fields.Selection(COLUMN_ROLES, string="Holds", help="Empty: the column is ignored.")
