import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

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
        [("queued", "Queued"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
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

    def _process_batch(self, batch_size=BATCH_SIZE):
        """Generate the statements of the next batch of customers; True when finished."""
        self.ensure_one()
        partner_ids = sorted(self.partner_ids.ids)[self.done_count : self.done_count + batch_size]
        result = (
            self.env["customer.reconciliation.engine"]
            .with_company(self.company_id)
            .generate(
                self.company_id,
                self.date_from,
                self.date_to,
                partner_ids=partner_ids,
                analytic_ids=self.analytic_account_ids.ids,
                only_with_balance_or_activity=self.only_with_balance_or_activity,
                run=self,
            )
        )
        result["refreshed"]._workflow_write({"run_id": self.id})
        done = self.done_count + len(partner_ids)
        self.write(
            {
                "done_count": done,
                "created_count": self.created_count + len(result["created"]),
                "refreshed_count": self.refreshed_count + len(result["refreshed"]),
                "skipped_count": self.skipped_count + len(result["skipped"]),
                # A refused customer does not stop the others: reported here, one by one.
                "refused_count": self.refused_count + len(result["refused"]),
                "refusals": "\n\n".join(filter(None, [self.refusals, *result["refused"].values()]))
                or False,
                "state": "done" if done >= self.total_count else "running",
            }
        )
        return done >= self.total_count

    def _process_all(self):
        for run in self:
            while not run._process_batch():
                pass

    @api.model
    def _cron_process_runs(self):
        """Process queued runs batch by batch, committing and reporting progress."""
        Cron = self.env["ir.cron"]
        runs = self.search([("state", "in", ("queued", "running"))], order="id")
        remaining = sum(r.total_count - r.done_count for r in runs)
        Cron._commit_progress(remaining=remaining)
        for run in runs:
            while run.state in ("queued", "running"):
                before = run.done_count
                try:
                    run._process_batch()
                except Exception as error:  # noqa: BLE001 - reported on the run, then re-raised
                    self.env.cr.rollback()
                    run.write({"state": "failed", "error": str(error)})
                    Cron._commit_progress(0)
                    _logger.exception("Reconciliation run %s failed", run.id)
                    break
                if Cron._commit_progress(run.done_count - before) <= 0:
                    return

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
        """Create a run; small runs are processed at once, large ones queued for the cron."""
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
        if len(partner_ids) <= BATCH_SIZE or trigger == "scheduled":
            run._process_all()
        else:
            self.env.ref("customer_reconciliation.ir_cron_process_runs")._trigger()
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
