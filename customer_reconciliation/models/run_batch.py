"""The batches of a generation run: bounded slices of its customers, each generated and marked
done in one transaction, claimed by the cron workers with row locks that skip one another."""

import logging

from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# A batch that fails this many times (not a concurrency conflict: an error) stops its run.
MAX_ATTEMPTS = 3

# Errors that only say another transaction got there first: the batch is retried, not counted.
CONCURRENCY_ERRORS = (
    errors.SerializationFailure,
    errors.DeadlockDetected,
    errors.LockNotAvailable,
    errors.UniqueViolation,
)


class CustomerReconciliationRunBatch(models.Model):
    """A slice of a generation run's customers, generated in one transaction."""

    _name = "customer.reconciliation.run.batch"
    _description = "Customer Reconciliation Generation Batch"
    _order = "run_id, sequence"

    run_id = fields.Many2one(
        "customer.reconciliation.run", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    sequence = fields.Integer(required=True, readonly=True)
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_reconciliation_run_batch_partner_rel",
        "batch_id",
        "partner_id",
        string="Customers",
        readonly=True,
    )
    partner_count = fields.Integer(string="Customer Count", readonly=True)
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    attempt_count = fields.Integer(string="Failed Attempts", readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    refreshed_count = fields.Integer(string="Refreshed", readonly=True)
    skipped_count = fields.Integer(string="Left Untouched", readonly=True)
    refused_count = fields.Integer(string="Refused", readonly=True)
    refusals = fields.Text(readonly=True)
    error = fields.Text(readonly=True)

    _run_sequence_unique = models.Constraint(
        "UNIQUE (run_id, sequence)", "A generation run has one batch per sequence number."
    )
    # The claim query reads the pending batches in this order.
    _pending_idx = models.Index("(run_id, sequence) WHERE state = 'pending'")

    @api.model
    def _create_for(self, run, partner_ids, batch_size, first_sequence=1):
        """Split ``partner_ids`` (kept in their order) into pending batches of ``run``."""
        partner_ids = list(partner_ids)
        return self.sudo().create(
            [
                {
                    "run_id": run.id,
                    "sequence": first_sequence + index,
                    "partner_ids": [fields.Command.set(partner_ids[start : start + batch_size])],
                    "partner_count": len(partner_ids[start : start + batch_size]),
                }
                for index, start in enumerate(range(0, len(partner_ids), batch_size))
            ]
        )

    @api.model
    def _claim(self, retry=False):
        """Lock the next pending batch that no other worker holds, or return an empty set.
        ``retry``: in a scheduled action, claim again in a new transaction when another
        worker's commit made this one's snapshot stale (a serialization failure)."""
        if not retry:
            return self._claim_once()
        return self.env["ir.cron"]._cr_on_fresh_snapshot(self._claim_once, default=self.browse())

    @api.model
    def _claim_once(self):
        """The claim itself.

        The run's generation lock (the engine's, on its company, period and scope, shared by
        the batches of runs) is tried first: a period a user is generating is skipped, not
        waited for; the batches of other workers are not in the way. The row
        lock lasts the claiming transaction: a second worker skips the batch, and a worker
        that dies mid-batch releases it with its transaction, still pending."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                SELECT DISTINCT b.run_id
                  FROM customer_reconciliation_run_batch b
                  JOIN customer_reconciliation_run r ON r.id = b.run_id
                 WHERE b.state = 'pending' AND r.state IN ('queued', 'running')
                 ORDER BY b.run_id
                """
            )
        )
        engine = self.env["customer.reconciliation.engine"]
        for run in (
            self.env["customer.reconciliation.run"]
            .sudo()
            .browse([run_id for [run_id] in cr.fetchall()])
        ):
            args = (run.company_id, run.date_from, run.date_to, run.analytic_account_ids.ids)
            if not engine._lock_generation(*args, wait=False, shared=True):
                continue
            cr.execute(
                SQL(
                    """
                    SELECT id FROM customer_reconciliation_run_batch
                     WHERE state = 'pending' AND run_id = %s
                     ORDER BY run_id, sequence
                     LIMIT 1
                       FOR NO KEY UPDATE SKIP LOCKED
                    """,
                    run.id,
                ),
                log_exceptions=False,
            )
            row = cr.fetchone()
            if row:
                return self.sudo().browse(row[0])
        return self.sudo().browse()

    @api.model
    def _remaining_customers(self):
        """How many customers the pending batches of the runs in progress still hold."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(b.partner_count), 0)
                  FROM customer_reconciliation_run_batch b
                  JOIN customer_reconciliation_run r ON r.id = b.run_id
                 WHERE b.state = 'pending' AND r.state IN ('queued', 'running')
                """
            )
        )
        return self.env.cr.fetchone()[0]

    def _generate(self):
        """Generate this batch's statements and mark it done, in the caller's transaction.

        Idempotent: the engine refreshes the drafts an earlier attempt may have committed and
        leaves the others untouched, so a retried batch never makes a second statement."""
        self.ensure_one()
        run = self.run_id
        result = (
            self.env["customer.reconciliation.engine"]
            .with_company(run.company_id)
            .generate(
                run.company_id,
                run.date_from,
                run.date_to,
                partner_ids=self.partner_ids.ids,
                analytic_ids=run.analytic_account_ids.ids,
                only_with_balance_or_activity=run.only_with_balance_or_activity,
                run=run,
            )
        )
        result["refreshed"]._workflow_write({"run_id": run.id})
        self.sudo().write(
            {
                "state": "done",
                "created_count": len(result["created"]),
                "refreshed_count": len(result["refreshed"]),
                "skipped_count": len(result["skipped"]),
                # A refused customer does not stop the others: reported here, one by one.
                "refused_count": len(result["refused"]),
                "refusals": "\n\n".join(result["refused"].values()) or False,
                "error": False,
            }
        )
        return result

    def _record_failure(self, error):
        """Count a failed attempt (its statements rolled back); fail the batch after a few."""
        for batch in self.sudo():
            attempts = batch.attempt_count + 1
            batch.write(
                {
                    "attempt_count": attempts,
                    "error": str(error),
                    "state": "failed" if attempts >= MAX_ATTEMPTS else "pending",
                }
            )

    def _process_claimed(self):
        """Generate a claimed batch inside a savepoint: an error rolls back all of its
        statements and leaves the batch pending (or failed after MAX_ATTEMPTS).

        Returns True when done, False on a concurrency conflict (retry in a new transaction),
        and None after an error."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                self._generate()
        except CONCURRENCY_ERRORS:
            self.env.invalidate_all(flush=False)
            _logger.info("Generation batch %s met a concurrent one; it will be retried", self.id)
            return False
        except Exception as error:  # noqa: BLE001 - recorded on the batch, the others go on
            self.env.invalidate_all(flush=False)
            _logger.exception("Generation batch %s failed", self.id)
            self._record_failure(error)
            return None
        return True
