import logging

from dateutil.relativedelta import relativedelta
from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Runs with more customers than this are processed in the background, batch by batch.
BATCH_SIZE = 500


def frequency_period(frequency, period_end, fiscal_last_month=12):
    """(date_from, date_to) of the statement due at month end ``period_end``, or None.

    Periods are aligned on the fiscal year end: with a year ending in December a quarterly
    customer gets a statement at the end of March, June, September and December.
    """
    months = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}.get(frequency)
    if not months:
        return None
    if (period_end.month - int(fiscal_last_month)) % months:
        return None
    date_from = (period_end + relativedelta(day=1)) - relativedelta(months=months - 1)
    return date_from, period_end


class CustomerReconciliationRun(models.Model):
    """One generation of statements: who asked, for what, and how far it got."""

    _name = "customer.reconciliation.run"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Customer Reconciliation Generation Run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Started By", readonly=True, default=lambda self: self.env.user
    )
    trigger = fields.Selection(
        [("manual", "Manual"), ("scheduled", "Scheduled")],
        default="manual",
        required=True,
        readonly=True,
    )
    date_from = fields.Date(required=True, readonly=True)
    date_to = fields.Date(required=True, readonly=True)
    analytic_account_ids = fields.Many2many(
        "account.analytic.account",
        "customer_reconciliation_run_analytic_rel",
        "run_id",
        "analytic_account_id",
        string="Dimension Scope",
        readonly=True,
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_reconciliation_run_partner_rel",
        "run_id",
        "partner_id",
        string="Customers",
        readonly=True,
    )
    only_with_balance_or_activity = fields.Boolean(readonly=True, default=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("running", "Running"),
            ("done", "Done"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        readonly=True,
    )
    total_count = fields.Integer(string="Customer Count", readonly=True)
    done_count = fields.Integer(string="Processed", readonly=True)
    progress = fields.Float(compute="_compute_progress")
    created_count = fields.Integer(string="Created", readonly=True)
    refreshed_count = fields.Integer(string="Refreshed", readonly=True)
    skipped_count = fields.Integer(
        string="Left Untouched", readonly=True, help="Statements already submitted or further."
    )
    refused_count = fields.Integer(
        string="Refused",
        readonly=True,
        help="Customers whose statement was not generated because it cannot be told in its "
        "currency; the reasons are in Refusals.",
    )
    refusals = fields.Text(readonly=True, help="Why each refused statement was not generated.")
    session_ids = fields.One2many("customer.reconciliation.session", "run_id", string="Statements")
    batch_ids = fields.One2many("customer.reconciliation.run.batch", "run_id", string="Batches")
    error = fields.Text(readonly=True)

    @api.depends("date_from", "date_to", "company_id")
    def _compute_name(self):
        for run in self:
            run.name = (
                f"{run.company_id.name or ''} {run.date_from or ''} → {run.date_to or ''}".strip()
            )

    @api.depends("total_count", "done_count")
    def _compute_progress(self):
        for run in self:
            run.progress = 100.0 * run.done_count / run.total_count if run.total_count else 100.0

    def _ensure_batches(self, batch_size=None):
        """Give batch rows to the runs that have none: new runs get all of their customers,
        runs started before batches existed get the customers they had not done yet (the
        ones they had done become one done batch carrying their counters)."""
        batch_size = batch_size or BATCH_SIZE
        Batch = self.env["customer.reconciliation.run.batch"].sudo()
        with_batches = {
            run for [run] in Batch._read_group([("run_id", "in", self.ids)], ["run_id"])
        }
        for run in self.filtered(lambda r: r not in with_batches):
            partner_ids = sorted(run.partner_ids.ids)
            done_ids, todo_ids = partner_ids[: run.done_count], partner_ids[run.done_count :]
            if done_ids:
                Batch.create(
                    {
                        "run_id": run.id,
                        "sequence": 0,
                        "state": "done",
                        "partner_ids": [fields.Command.set(done_ids)],
                        "partner_count": len(done_ids),
                        "created_count": run.created_count,
                        "refreshed_count": run.refreshed_count,
                        "skipped_count": run.skipped_count,
                        "refused_count": run.refused_count,
                        "refusals": run.refusals,
                    }
                )
            Batch._create_for(run, todo_ids, batch_size)

    def _update_counters(self):
        """Set the runs' counters and state from their batches, in one statement.

        Absolute, not incremental: two workers finishing batches of one run cannot lose an
        update, and a counter update that lost a conflict is made right by the next one."""
        if not self:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL("SELECT id, state FROM customer_reconciliation_run WHERE id = ANY(%s)", self.ids)
        )
        before = dict(self.env.cr.fetchall())
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_reconciliation_run r
                   SET done_count = s.done_count,
                       created_count = s.created_count,
                       refreshed_count = s.refreshed_count,
                       skipped_count = s.skipped_count,
                       refused_count = s.refused_count,
                       refusals = s.refusals,
                       error = s.error,
                       state = CASE
                           WHEN r.state = 'cancelled' THEN r.state
                           WHEN s.pending > 0 AND s.done_count = 0 THEN r.state
                           WHEN s.pending > 0 THEN 'running'
                           WHEN s.failed > 0 THEN 'failed'
                           ELSE 'done' END,
                       write_date = NOW() AT TIME ZONE 'UTC'
                  FROM (
                    SELECT run_id,
                           COALESCE(SUM(partner_count) FILTER (WHERE state = 'done'), 0)
                               AS done_count,
                           COALESCE(SUM(created_count), 0) AS created_count,
                           COALESCE(SUM(refreshed_count), 0) AS refreshed_count,
                           COALESCE(SUM(skipped_count), 0) AS skipped_count,
                           COALESCE(SUM(refused_count), 0) AS refused_count,
                           STRING_AGG(refusals, E'\n\n' ORDER BY sequence) AS refusals,
                           STRING_AGG(error, E'\n\n' ORDER BY sequence)
                               FILTER (WHERE state = 'failed') AS error,
                           COUNT(*) FILTER (WHERE state = 'pending') AS pending,
                           COUNT(*) FILTER (WHERE state = 'failed') AS failed
                      FROM customer_reconciliation_run_batch
                     WHERE run_id = ANY(%(ids)s)
                     GROUP BY run_id
                  ) s
                 WHERE r.id = s.run_id
                """,
                ids=self.ids,
            ),
            log_exceptions=False,  # a conflict with another worker's update is retried
        )
        # A run without any customer has nothing to wait for.
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_reconciliation_run r SET state = 'done'
                 WHERE r.id = ANY(%(ids)s) AND r.state IN ('queued', 'running')
                   AND NOT EXISTS (SELECT FROM customer_reconciliation_run_batch b
                                    WHERE b.run_id = r.id)
                """,
                ids=self.ids,
            )
        )
        self.invalidate_recordset()
        self.filtered(
            lambda run: (
                before.get(run.id) in ("queued", "running") and run.state in ("done", "failed")
            )
        )._notify_finished()

    def _notify_finished(self):
        """Tell whoever started each run that it ended, in their language (a notification in
        their browser)."""
        for run in self.filtered("user_id"):
            env = run.with_context(lang=run.user_id.lang).env
            if run.state == "done":
                payload = {
                    "type": "success",
                    "title": env._("Statements generated"),
                    "message": env._(
                        "%(run)s: %(created)s created, %(refreshed)s refreshed, %(skipped)s left"
                        " untouched, %(refused)s refused.",
                        run=run.name,
                        created=run.created_count,
                        refreshed=run.refreshed_count,
                        skipped=run.skipped_count,
                        refused=run.refused_count,
                    ),
                }
            else:
                payload = {
                    "type": "danger",
                    "sticky": True,
                    "title": env._("Statement generation failed"),
                    "message": env._("%(run)s: %(error)s", run=run.name, error=run.error or ""),
                }
            run.user_id._bus_send("simple_notification", payload)

    def action_cancel(self):
        """Stop a background generation: its pending batches are not generated; the
        statements of the batches already done stay (drafts, to keep or cancel)."""
        for run in self:
            if run.user_id != self.env.user and not self.env.user.has_group(
                "customer_reconciliation.group_reconciliation_manager"
            ):
                raise UserError(
                    self.env._(
                        "Only %(user)s, who started it, or a Reconciliation Manager cancels %(run)s.",
                        user=run.user_id.name,
                        run=run.name,
                    )
                )
            if run.state not in ("queued", "running"):
                raise UserError(self.env._("%(run)s is no longer in progress.", run=run.name))
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_reconciliation_run_batch SET state = 'cancelled'
                 WHERE run_id = ANY(%(ids)s) AND state = 'pending';
                UPDATE customer_reconciliation_run SET state = 'cancelled',
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE id = ANY(%(ids)s)
                """,
                ids=self.ids,
                uid=self.env.uid,
            )
        )
        self.env["customer.reconciliation.run.batch"].invalidate_model()
        self.invalidate_recordset()
        return True

    def _process_batch(self, batch_size=BATCH_SIZE):
        """Generate the next pending batch of this run in the current transaction; True when
        the run is finished."""
        self.ensure_one()
        self._ensure_batches(batch_size)
        batch = (
            self.env["customer.reconciliation.run.batch"]
            .sudo()
            .search([("run_id", "=", self.id), ("state", "=", "pending")], limit=1)
        )
        if batch:
            batch.with_env(self.env)._generate()  # with the caller's rights
            self.env["customer.reconciliation.engine"]._number_unnumbered(self.company_id, batch)
        self._update_counters()
        return self.state not in ("queued", "running")

    def _process_all(self):
        """Generate every pending batch of the runs in the current transaction (small runs)."""
        for run in self:
            while not run._process_batch():
                pass

    @api.model
    def _cron_process_runs(self):
        """Generate the pending batches of the queued runs, one batch per transaction.

        Each transaction claims one batch (``FOR NO KEY UPDATE SKIP LOCKED``: a batch another
        worker holds is skipped), generates it and marks it done, then commits with the cron
        progress API; the run's counters follow in a short transaction of their own. Several
        cron workers or servers share the batches: this method is called by two cron records
        (Odoo runs one cron record in one worker at a time)."""
        Cron = self.env["ir.cron"]
        Batch = self.env["customer.reconciliation.run.batch"].sudo()
        engine = self.env["customer.reconciliation.engine"].sudo()
        self._finalize_runs()
        Cron._commit_progress(remaining=Batch._remaining_customers())
        conflicts = 0
        while batch := Batch._claim(retry=True):
            run = batch.run_id
            outcome = batch._process_claimed()
            conflicts = conflicts + 1 if outcome is False else 0
            processed = batch.partner_count if outcome else 0
            # Commits the batch and its statements, or (after a rollback to the savepoint)
            # its failed attempt; either way the batch's row lock and the engine's
            # advisory lock end here, and the next claim reads a fresh snapshot.
            time_left = Cron._commit_progress(processed, remaining=Batch._remaining_customers())
            if outcome:
                engine._number_unnumbered_committed(run.company_id, batch)
            if outcome is not False:
                run._update_counters_committed()
            if time_left <= 0:
                return
            if outcome is False and conflicts >= 5:
                break  # still contended: the next cron call retries it
        self._finalize_runs()

    def _update_counters_committed(self):
        """Update the counters in a transaction of their own, retried on a conflict with
        another worker updating the same run (its next update would set them right anyway)."""
        Cron = self.env["ir.cron"]
        Cron._cr_on_fresh_snapshot(self._update_counters, attempts=3)
        Cron._commit_progress(0)

    @api.model
    def _finalize_runs(self):
        """Batches for the runs that have none, counters of the runs in progress."""
        runs = self.sudo().search([("state", "in", ("queued", "running"))], order="id")
        if not runs:
            return
        try:
            with self.env.cr.savepoint():
                runs._ensure_batches()
        except (errors.UniqueViolation, errors.SerializationFailure):
            # Another worker is giving them their batches at the same moment.
            self.env.invalidate_all(flush=False)
        runs._update_counters_committed()
        # A worker that died between a batch's commit and its numbering left them unnumbered.
        for company in runs.company_id:
            self.env["customer.reconciliation.engine"]._number_unnumbered_committed(company)

    @api.model
    def _start(
        self,
        company,
        date_from,
        date_to,
        partner_ids,
        analytic_ids=(),
        only_with_balance_or_activity=True,
        trigger="manual",
    ):
        """Create a run and its batches; a run of one batch is generated at once, larger ones
        (scheduled ones too) are queued for the cron workers."""
        run = self.create(
            {
                "company_id": company.id,
                "date_from": date_from,
                "date_to": date_to,
                "analytic_account_ids": [fields.Command.set(list(analytic_ids))],
                "partner_ids": [fields.Command.set(list(partner_ids))],
                "total_count": len(partner_ids),
                "only_with_balance_or_activity": only_with_balance_or_activity,
                "trigger": trigger,
            }
        )
        run._ensure_batches()
        if len(partner_ids) <= BATCH_SIZE:
            run._process_all()
        else:
            # Both cron records call _cron_process_runs: two workers share the batches.
            for xmlid in ("ir_cron_process_runs", "ir_cron_process_runs_second"):
                self.env.ref(f"customer_reconciliation.{xmlid}")._trigger()
        return run

    def action_open_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_reconciliation_session"
        )
        action["domain"] = [("run_id", "=", self.id)]
        return action

    # ------------------------------------------------------------ scheduled generation
    @api.model
    def _cron_generate_due_statements(self, today=None):
        """Generate the statements due for the last ended month, once per period."""
        today = fields.Date.to_date(today) or fields.Date.context_today(self)
        period_end = today.replace(day=1) - relativedelta(days=1)
        companies = self.env["res.company"].search(
            [
                ("reconciliation_generation_day", "<=", today.day),
                "|",
                ("reconciliation_last_auto_period_end", "=", False),
                ("reconciliation_last_auto_period_end", "<", period_end),
            ]
        )
        for company in companies & self._companies_in_use():
            self.with_company(company)._generate_due_for_company(company, period_end)
            company.reconciliation_last_auto_period_end = period_end
        return True

    @api.model
    def _companies_in_use(self):
        """The companies that reconcile with their customers: those with a statement or a
        generation run. A company that never generated one (Odoo's demo companies, a company
        of another trade) gets no scheduled statements: its first generation is made by hand."""
        Session = self.env["customer.reconciliation.session"].sudo()
        used = {company for [company] in Session._read_group([], ["company_id"])}
        used |= {company for [company] in self.sudo()._read_group([], ["company_id"])}
        return self.env["res.company"].union(*used) if used else self.env["res.company"]

    @api.model
    def _generate_due_for_company(self, company, period_end):
        engine = self.env["customer.reconciliation.engine"]
        runs = self.browse()
        for frequency in ("monthly", "quarterly", "half_yearly", "yearly"):
            period = frequency_period(frequency, period_end, company.fiscalyear_last_month)
            if not period:
                continue
            customers = engine._select_customers(company, *period)
            partners = self.env["res.partner"].browse(list(customers))
            partners.fetch(["reconciliation_frequency"])
            due = partners.filtered(
                lambda p, f=frequency: p._reconciliation_effective_frequency(company) == f
            )
            if due:
                runs |= self._start(company, *period, due.ids, trigger="scheduled")
        return runs

    @api.model
    def _due_customer_ids(self, company, date_from, date_to, customer_ids):
        """Customers among ``customer_ids`` whose frequency makes this period theirs."""
        partners = self.env["res.partner"].browse(customer_ids)
        partners.fetch(["reconciliation_frequency"])
        result = []
        for partner in partners:
            period = frequency_period(
                partner._reconciliation_effective_frequency(company),
                date_to,
                company.fiscalyear_last_month,
            )
            if period and period[0] == date_from:
                result.append(partner.id)
        return result

    def unlink(self):
        if any(run.state == "running" for run in self):
            raise UserError(
                self.env._("A running generation cannot be deleted; wait until it ends.")
            )
        return super().unlink()
