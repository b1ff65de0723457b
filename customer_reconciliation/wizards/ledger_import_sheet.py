"""One sheet of the workbook being imported that looks like a ledger, for the user to pick."""

from odoo import fields, models


class CustomerReconciliationLedgerImportSheet(models.TransientModel):
    """A sheet of the imported workbook whose first rows hold the column titles of a ledger."""

    _name = "customer.reconciliation.ledger.import.sheet"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Customer Ledger Import Sheet"
    _order = "sequence, id"

    wizard_id = fields.Many2one(
        "customer.reconciliation.ledger.import.wizard", required=True, ondelete="cascade"
    )
    sequence = fields.Integer()
    name = fields.Char(string="Sheet", required=True, readonly=True)
