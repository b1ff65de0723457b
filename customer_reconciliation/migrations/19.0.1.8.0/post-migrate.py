"""From 19.0.1.7.0: who asked for a figures refresh is a Figures Refresh record now, no longer a
system parameter listing user ids: the parameter is removed (a refresh asked before the update
is done by the next nightly run, without a notification)."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(
        SQL(
            "DELETE FROM ir_config_parameter WHERE key = %s",
            "customer_reconciliation.insight_refresh_asked_by",
        )
    )
