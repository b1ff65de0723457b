"""Who generates a company's period and scope at the same time, when its statements get
their numbers, and what a generation locks or deletes for the rows it writes.

A user's generation is one transaction at a time per company, period and scope (an exclusive
lock, held until its commit). The batches of a background run share that lock (their
customers are disjoint): several workers generate one run side by side, and a user waits for
them. The statements of a batch are created unnumbered and numbered just after the batch
commits, in a short transaction of its own, so that the gapless sequence's row is locked for
milliseconds, not for a whole batch (a worker would otherwise wait for the other's commit).
"""

import logging

from odoo import api, models
from odoo.tools import SQL

from .engine import UNNUMBERED

_logger = logging.getLogger(__name__)


def fail_to_serialize(cr):
    """Raise a real 40001 (this transaction's snapshot is stale), retried by Odoo like any
    serialization failure, on a fresh snapshot."""
    cr.execute(SQL("DO $$ BEGIN RAISE EXCEPTION USING ERRCODE = 'serialization_failure'; END $$"))


# Each item looked up in the journal items' primary key, in their order: a join could be planned
# as a scan of every journal item of the database (0.4 s a batch of 500 on 2,000,000).
# COUNT(*) only makes PostgreSQL lock every row while returning one number, never read,
# instead of sending back the ids of up to a whole batch's items.
_LOCK_ITEMS_SQL = """
SELECT COUNT(*)
  FROM (SELECT i.aml_id FROM cr_items i WHERE NOT i.prior OR i.residual <> 0 ORDER BY i.aml_id) k,
       LATERAL (SELECT aml.id FROM account_move_line aml WHERE aml.id = k.aml_id FOR KEY SHARE) l
"""


# A statement's lines and open items (StatementPartOf: no foreign key to cascade them).
_DELETE_PARTS_SQL = """
DELETE FROM customer_reconciliation_line WHERE session_id = ANY(%(ids)s);
DELETE FROM customer_reconciliation_open_item WHERE session_id = ANY(%(ids)s)
"""


# One model, one file per step of its process (see engine.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationEngine(models.AbstractModel):
    _inherit = "customer.reconciliation.engine"

    @api.model
    def _lock_generation(self, company, date_from, date_to, analytic_ids, wait=True, shared=False):
        """Take the generation lock of company, period and scope until the commit (a batch).
        A caller that waited read the ledger before the other's commit: a serialization error,
        retried by Odoo on a fresh snapshot (a refresh). ``wait=False``: whether it was free.
        ``shared``: a background batch's, held with the other batches of runs."""
        scope_key = self.env["customer.reconciliation.session"]._make_scope_key(analytic_ids)
        key = f"customer_reconciliation:{company.id}:{date_from}:{date_to}:{scope_key}"
        lock = SQL("hashtextextended(%s, 0)", key)
        kind = "_shared" if shared else ""
        self.env.cr.execute(SQL(f"SELECT pg_try_advisory_xact_lock{kind}(%s)", lock))  # noqa: S608
        [locked] = self.env.cr.fetchone()
        if not locked and wait:
            self.env.cr.execute(SQL(f"SELECT pg_advisory_xact_lock{kind}(%s)", lock))  # noqa: S608
            fail_to_serialize(self.env.cr)
        return locked

    @api.model
    def _lock_journal_items(self):
        """Lock the journal items of cr_items that become lines or open items until the commit
        (in one query: their references have no foreign key, see JournalItemReference). One
        deleted since this transaction read the ledger is a serialization failure (retried on
        a fresh snapshot: generated without it), as the key's check was; a deletion started
        meanwhile waits for the commit, then empties the references (account_move_line.py)."""
        self.env.cr.execute(SQL(_LOCK_ITEMS_SQL), log_exceptions=False)

    @api.model
    def _delete_parts(self, session_ids):
        """Delete the lines and open items of the statements ``session_ids``: before they are
        written again, or before the statements are deleted (their key's ON DELETE CASCADE).
        Rows a concurrent generation is writing are not seen here, but that generation also
        rewrites its statements' totals: deleting a statement then waits for its commit and
        fails to serialize, or makes the generation fail to serialize (StatementPartOf)."""
        if session_ids:
            self.env.cr.execute(SQL(_DELETE_PARTS_SQL, ids=list(session_ids)))
            self.env["customer.reconciliation.line"].invalidate_model()
            self.env["customer.reconciliation.open.item"].invalidate_model()

    @api.model
    def _number_unnumbered(self, company, batch=None):
        """Number the statements of ``company`` that a batch left unnumbered (``batch``: only
        that batch's, which no other worker touches), in the current transaction, by end date
        then creation; returns how many. A conflict with another worker numbering at the same
        time raises a serialization failure, not logged: the caller retries."""
        self.env.flush_all()
        cr = self.env.cr
        only_batch = (
            SQL("AND run_id = %s AND partner_id = ANY(%s)", batch.run_id.id, batch.partner_ids.ids)
            if batch
            else SQL()
        )
        cr.execute(
            SQL(
                """
                SELECT id, date_to FROM customer_reconciliation_session
                 WHERE company_id = %s AND name = %s %s
                 ORDER BY date_to, id
                   FOR NO KEY UPDATE
                """,
                company.id,
                UNNUMBERED,
                only_batch,
            ),
            log_exceptions=False,
        )
        rows = cr.fetchall()
        by_date = {}
        for session_id, date_to in rows:
            by_date.setdefault(date_to, []).append(session_id)
        Session = self.env["customer.reconciliation.session"].with_company(company)
        for date_to, ids in by_date.items():
            names = Session._allocate_numbers(len(ids), date_to)
            cr.execute(
                SQL(
                    """
                    UPDATE customer_reconciliation_session s SET name = n.name
                      FROM unnest(%s::int[], %s::varchar[]) AS n(id, name)
                     WHERE s.id = n.id
                    """,
                    ids,
                    names,
                )
            )
        if rows:
            Session.browse([row[0] for row in rows]).invalidate_recordset(["name"])
        return len(rows)

    @api.model
    def _number_unnumbered_committed(self, company, batch=None, attempts=10):
        """Number them in a transaction of its own, committed; retried when another worker
        numbered at the same time (its snapshot is then stale: a serialization failure)."""
        Cron = self.env["ir.cron"]
        numbered = Cron._cr_on_fresh_snapshot(
            lambda: self._number_unnumbered(company, batch), attempts=attempts
        )
        if numbered is None:
            _logger.info("Statements of %s left to number by the next run", company.name)
            return False
        Cron._commit_progress(0)
        return True
