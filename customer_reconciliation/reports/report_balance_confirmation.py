from odoo import api, models

from . import statement_data


class ReportBalanceConfirmation(models.AbstractModel):
    """The balance confirmation letter (往来询证函): its rendering values."""

    _name = "report.customer_reconciliation.report_balance_confirmation"
    _description = "Report: Balance Confirmation Letter"

    @api.model
    def _get_report_values(self, docids, data=None):
        return statement_data.report_values(self.env, docids)
