"""19.0.1.5.0: receivables insight. Fill the last 24 month ends and the figures, as a new
installation does."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["customer.reconciliation.insight"]._refresh()
