from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    reconciliation_ledger_mapping = fields.Json(
        string="Ledger Import Mapping",
        copy=False,
        help="Technical: how the columns of this customer's ledger files were mapped at the last import "
        "({'columns': {role: normalised header}, 'sign': 'mirror' or 'same'}), proposed at the next one.",
    )
