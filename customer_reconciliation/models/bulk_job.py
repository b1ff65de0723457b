"""What every bulk job of statements shares (a sending, a bulk approval): a line a
statement, claimed by the workers a batch at a time, and the job queued until its last
statement is processed (the guard, the cancel rights and the end notification are every
background job's: background_job.py)."""

from psycopg2 import errors

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerReconciliationBulkJob(models.AbstractModel):
    """A job over many statements, one line each (``line_ids``, a One2many whose lines have
    ``batch_id`` and a ``state`` starting at ``pending``), processed by scheduled actions.

    The job's own row is written only when it ends or is cancelled: several workers process
    its lines at once and would conflict on it."""

    _name = "customer.reconciliation.bulk.job"
    _inherit = ["customer.reconciliation.background.job"]
    _description = "Customer Reconciliation Bulk Job"
    _set_at_creation = frozenset({"state", "user_id", "line_ids"})

    state = fields.Selection(
        [
            # Queued until its last statement is processed: the workers never write it.
            ("queued", "Queued"),
            ("done", "Done"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        readonly=True,
    )

    # ------------------------------------------------------------------ progress
    def _line_counts(self):
        """``{job id: {line state: count}}`` of these jobs, in one grouped query (a job has
        thousands of lines: they are not read to be counted)."""
        counts = {job.id: {} for job in self}
        for job, state, count in self.env[self._fields["line_ids"].comodel_name]._read_group(
            [("batch_id", "in", self.ids)], ["batch_id", "state"], ["__count"]
        ):
            counts[job.id][state] = count
        return counts

    @staticmethod
    def _progress(counts):
        """Percentage of the lines (``{state: count}``) no longer pending."""
        total = sum(counts.values())
        return 100.0 * (total - counts.get("pending", 0)) / total if total else 100.0

    @api.model
    def _line_table(self):
        return self.env[self._fields["line_ids"].comodel_name]._table

    def _end_if_done(self):
        """Mark done the queued jobs with no line left pending, and tell whoever started
        each that it ended."""
        if not self:
            return
        self.env.flush_all()
        try:
            # When two workers end their slices of one job at once, the one whose snapshot
            # is stale leaves the job to the other.
            with self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    SQL(
                        """
                        UPDATE %(jobs)s b SET state = 'done', write_date = NOW() AT TIME ZONE 'UTC'
                         WHERE b.id = ANY(%(ids)s) AND b.state = 'queued'
                           AND NOT EXISTS (SELECT FROM %(lines)s l
                                            WHERE l.batch_id = b.id AND l.state = 'pending')
                        RETURNING b.id
                        """,
                        jobs=SQL.identifier(self._table),
                        lines=SQL.identifier(self._line_table()),
                        ids=self.ids,
                    ),
                    log_exceptions=False,
                )
                ended = self.browse([row[0] for row in self.env.cr.fetchall()])
        except errors.SerializationFailure:
            self.invalidate_recordset()
            return
        self.invalidate_recordset(["state"])
        ended._notify_finished()

    def action_cancel(self):
        """Stop a job: its statements not processed yet stay as they are; what was done
        stays done."""
        self._check_cancel()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE %(lines)s SET state = 'cancelled'
                 WHERE batch_id = ANY(%(ids)s) AND state = 'pending';
                UPDATE %(jobs)s SET state = 'cancelled', write_uid = %(uid)s,
                       write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE id = ANY(%(ids)s)
                """,
                jobs=SQL.identifier(self._table),
                lines=SQL.identifier(self._line_table()),
                ids=self.ids,
                uid=self.env.uid,
            )
        )
        self.env[self._fields["line_ids"].comodel_name].invalidate_model()
        self.invalidate_recordset()
        return True

    @api.model
    def _claim_pending_lines(self, limit, retry=False):
        """Lock up to ``limit`` pending lines of the queued jobs that no other worker holds
        (in job and line order), or return an empty set. The locks last until the claiming
        transaction ends: a worker that dies releases its lines, still pending. ``retry``: in
        a scheduled action, claim again in a new transaction when another worker's commit
        made this one's snapshot stale (a serialization failure)."""
        Line = self.env[self._fields["line_ids"].comodel_name]

        def claim():
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT line.id
                      FROM %(lines)s line
                      JOIN %(jobs)s job ON job.id = line.batch_id
                     WHERE line.state = 'pending' AND job.state = 'queued'
                     ORDER BY line.batch_id, line.id
                     LIMIT %(limit)s
                       FOR NO KEY UPDATE OF line SKIP LOCKED
                    """,
                    jobs=SQL.identifier(self._table),
                    lines=SQL.identifier(Line._table),
                    limit=limit,
                ),
                log_exceptions=False,
            )
            return Line.sudo().browse([line_id for [line_id] in self.env.cr.fetchall()])

        if not retry:
            return claim()
        return self.env["ir.cron"]._cr_on_fresh_snapshot(claim, default=Line.browse())

    @api.model
    def _pending_line_count(self):
        """How many statements the queued jobs have still to process."""
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT COUNT(*)
                  FROM %(lines)s line
                  JOIN %(jobs)s job ON job.id = line.batch_id
                 WHERE line.state = 'pending' AND job.state = 'queued'
                """,
                jobs=SQL.identifier(self._table),
                lines=SQL.identifier(self._line_table()),
            )
        )
        return self.env.cr.fetchone()[0]
