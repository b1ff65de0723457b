"""Generating a company's period and scope is one transaction at a time: the lock the engine
takes at the start of ``generate`` (and the background workers try without waiting)."""

from odoo import api, models
from odoo.tools import SQL


# One model, one file per step of its process (see engine.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationEngine(models.AbstractModel):
    _inherit = "customer.reconciliation.engine"

    @api.model
    def _lock_generation(self, company, date_from, date_to, analytic_ids, wait=True):
        """One transaction at a time per company, period and scope, until its commit (a batch).
        A caller that waited read the ledger before the other's commit: a serialization error,
        retried by Odoo on a fresh snapshot (a refresh). ``wait=False``: whether it was free."""
        scope_key = self.env["customer.reconciliation.session"]._make_scope_key(analytic_ids)
        key = f"customer_reconciliation:{company.id}:{date_from}:{date_to}:{scope_key}"
        lock = SQL("hashtextextended(%s, 0)", key)
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", lock))
        [locked] = self.env.cr.fetchone()
        if not locked and wait:
            self.env.cr.execute(SQL("SELECT pg_advisory_xact_lock(%s)", lock))
            self.env.cr.execute(  # a real 40001, retried like any serialization failure
                SQL("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$")
            )
        return locked
