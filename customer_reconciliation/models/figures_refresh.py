"""A refresh of the receivables figures that a user asked for (Refresh Figures): carried out by
the insight's scheduled action (insight_refresh.py), followed and cancelled here."""

from odoo import api, fields, models
from odoo.tools import SQL


class CustomerReconciliationFiguresRefresh(models.Model):
    """Asked by one user; every refresh asked before a run of the scheduled action is carried
    out by that run (it refreshes every company) and ends with it. Cancelled by whoever asked
    or a manager: the run stops after its current step once none of its refreshes is left
    (what is refreshed stays; the nightly run refreshes the rest)."""

    _name = "customer.reconciliation.figures.refresh"
    _inherit = ["customer.reconciliation.background.job"]
    _description = "Receivables Figures Refresh"
    _order = "id desc"
    # Which run carries it out and when it ended: the scheduled action's alone, even at creation.
    _set_by_workers = frozenset({"cron_progress_id", "ended_at"})
    _set_at_creation = frozenset({"state", "user_id"}) | _set_by_workers

    name = fields.Char(compute="_compute_name")
    state = fields.Selection(
        [("queued", "In Progress"), ("done", "Done"), ("cancelled", "Cancelled")],
        default="queued",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Asked By", required=True, readonly=True, index=True
    )
    cron_progress_id = fields.Many2one(
        "ir.cron.progress", string="Run", readonly=True, ondelete="set null"
    )
    ended_at = fields.Datetime(string="Ended On", readonly=True)
    done_count = fields.Integer(compute="_compute_progress", string="Steps Done")
    total_count = fields.Integer(compute="_compute_progress", string="Steps")
    progress = fields.Float(compute="_compute_progress")

    @api.depends("user_id")
    def _compute_name(self):
        for job in self:
            job.name = self.env._("Figures refresh asked by %(user)s", user=job.user_id.name or "")

    @api.depends("state", "cron_progress_id")
    def _compute_progress(self):
        # The steps (a month end of a company, then its figures) are the scheduled action's
        # progress of the run carrying the refresh out (readable by administrators only).
        for job in self:
            run = job.sudo().cron_progress_id
            done, total = (run.done, run.done + run.remaining) if run else (0, 0)
            if job.state == "done":
                done = total
            job.done_count, job.total_count = done, total
            job.progress = 100.0 * done / total if total else (100.0 if job.state == "done" else 0)

    def _guard_message(self):
        return self.env._(
            "A figures refresh is asked with Refresh Figures and moves on by the scheduled "
            "action only: its state and who asked it are not set by hand."
        )

    # ------------------------------------------------------------------ asking
    @api.model
    def _ask(self):
        """The user's refresh in progress, or a new one; the scheduled action is triggered."""
        job = self.search(
            [
                ("user_id", "=", self.env.uid),
                ("state", "=", "queued"),
                ("cron_progress_id", "=", False),
            ],
            limit=1,
        ) or self.create({})
        self.env.ref("customer_reconciliation.ir_cron_refresh_insight").sudo()._trigger()
        return job

    def action_cancel(self):
        self._check_cancel()
        self.sudo().write({"state": "cancelled", "ended_at": fields.Datetime.now()})
        return True

    # ------------------------------------------------------------------ the run (scheduled action)
    def _attach_to_run(self, progress_id):
        """These refreshes (asked before the run started) are carried out by this run."""
        if progress_id:
            self._update_queued(SQL("cron_progress_id = %s", progress_id))
        return self

    def _still_wanted(self):
        """Whether one of these refreshes is not cancelled (read as committed)."""
        self.invalidate_recordset(["state"])
        return any(job.state == "queued" for job in self)

    def _end(self):
        """Mark done the refreshes still in progress and tell whoever asked."""
        ended = self._update_queued(
            SQL("state = 'done', ended_at = NOW() AT TIME ZONE 'UTC'"), returning=True
        )
        ended._notify_finished()

    def _update_queued(self, assignment, returning=False):
        """One UPDATE of these refreshes still in progress, tried again on a fresh snapshot
        when a user's cancel committed meanwhile (the cancel wins). Returns the rows updated."""
        if not self:
            return self

        def update():
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s, write_date = NOW() AT TIME ZONE 'UTC' "
                    "WHERE id = ANY(%s) AND state = 'queued' RETURNING id",
                    SQL.identifier(self._table),
                    assignment,
                    self.ids,
                ),
                log_exceptions=False,
            )
            return self.browse([row[0] for row in self.env.cr.fetchall()])

        updated = self.env["ir.cron"]._cr_on_fresh_snapshot(update, default=self.browse())
        self.invalidate_recordset()
        return updated if returning else self

    def _finished_message(self):
        self.ensure_one()
        return (
            self.env._("Figures refreshed"),
            self.env._("The receivables figures are up to date."),
            False,
        )
