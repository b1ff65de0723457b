from odoo import api, models

from . import statement_data


class ReportStatement(models.AbstractModel):
    """The statement of account (对账单): its rendering values."""

    _name = "report.customer_reconciliation.report_statement"
    _description = "Report: Statement of Account"

    @api.model
    def _get_report_values(self, docids, data=None):
        return statement_data.report_values(self.env, docids)
