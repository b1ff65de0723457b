from odoo import api, models

from . import statement_data


class ReportStatementWithLetter(models.AbstractModel):
    """The statement followed by its balance confirmation letter: its rendering values."""

    _name = "report.customer_reconciliation.report_statement_with_letter"
    _description = "Report: Statement and Balance Confirmation"

    @api.model
    def _get_report_values(self, docids, data=None):
        return statement_data.report_values(self.env, docids)
