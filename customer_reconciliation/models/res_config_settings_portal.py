from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reconciliation_reminder_days = fields.Integer(
        related="company_id.reconciliation_reminder_days", readonly=False
    )
    reconciliation_reminder_max = fields.Integer(
        related="company_id.reconciliation_reminder_max", readonly=False
    )
    reconciliation_deemed_confirmation = fields.Boolean(
        related="company_id.reconciliation_deemed_confirmation", readonly=False
    )
    reconciliation_deemed_days = fields.Integer(
        related="company_id.reconciliation_deemed_days", readonly=False
    )
