from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..models.run import BATCH_SIZE
from ..tools import limits
from ..tools.client_actions import notification


def _last_month(today):
    end = today.replace(day=1) - relativedelta(days=1)
    return end.replace(day=1), end


class CustomerReconciliationGenerateWizard(models.TransientModel):
    """Generate the statements of a period for one customer, a selection or all of them."""

    _name = "customer.reconciliation.generate.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Generate Reconciliation Statements"

    company_id = fields.Many2one(
        "res.company",
        required=True,
        default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.companies.ids)],
    )
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: _last_month(fields.Date.context_today(self))[0],
    )
    date_to = fields.Date(
        string="To",
        required=True,
        default=lambda self: _last_month(fields.Date.context_today(self))[1],
    )
    customer_selection = fields.Selection(
        [
            ("selected", "The customers I select"),
            ("active", "All customers with a balance or activity in the period"),
            ("due", "All customers whose statement frequency is due for this period"),
        ],
        string="Customers",
        required=True,
        default=lambda self: "selected" if self._default_partner_ids() else "active",
    )
    partner_ids = fields.Many2many(
        "res.partner",
        "customer_reconciliation_generate_partner_rel",
        "wizard_id",
        "partner_id",
        string="Selected Customers",
        default=lambda self: self._default_partner_ids(),
    )
    skip_empty = fields.Boolean(
        string="Skip customers without balance or activity",
        default=True,
        help="No statement for a customer with a zero balance at the end date and no journal item "
        "in the period.",
    )
    analytic_account_ids = fields.Many2many(
        "account.analytic.account",
        "customer_reconciliation_generate_analytic_rel",
        "wizard_id",
        "analytic_account_id",
        string="Dimension Scope",
    )
    customer_count = fields.Integer(compute="_compute_preview")
    new_count = fields.Integer(compute="_compute_preview")
    existing_count = fields.Integer(compute="_compute_preview")
    preview = fields.Char(compute="_compute_preview")

    @api.model
    def _default_partner_ids(self):
        if self.env.context.get("active_model") == "res.partner":
            return (
                self.env["res.partner"]
                .browse(self.env.context.get("active_ids", []))
                .commercial_partner_id
            )
        return self.env["res.partner"]

    def _customer_ids(self):
        """The commercial partners the run will process (one query)."""
        self.ensure_one()
        if self.date_from > self.date_to:
            raise UserError(self.env._("The period start must be on or before its end."))
        engine = self.env["customer.reconciliation.engine"]
        if self.customer_selection == "selected":
            if not self.partner_ids:
                raise UserError(self.env._("Select at least one customer."))
            partner_ids = self.partner_ids.commercial_partner_id.ids
            customers = engine._select_customers(
                self.company_id,
                self.date_from,
                self.date_to,
                partner_ids,
                self.analytic_account_ids.ids,
                self.skip_empty,
            )
            return sorted(customers)
        customers = engine._select_customers(
            self.company_id, self.date_from, self.date_to, None, self.analytic_account_ids.ids, True
        )
        if self.customer_selection == "due":
            return sorted(
                self.env["customer.reconciliation.run"]._due_customer_ids(
                    self.company_id, self.date_from, self.date_to, list(customers)
                )
            )
        return sorted(customers)

    # Each date is checked as it comes in (validated_input: "2026-02-30", the year 9999); the
    # period as a whole here.
    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for wizard in self:
            error = wizard._period_error()
            if error:
                raise ValidationError(error)

    def _period_error(self):
        """Why the period cannot be generated (too long, reversed, out of range), else False."""
        labels = [
            self._fields[name]._description_string(self.env) for name in ("date_from", "date_to")
        ]
        try:
            limits.check_period(self.date_from, self.date_to, *labels)
        except limits.InputError as error:
            return self.env._(error.message, **error.params)
        return False

    @api.depends(
        "company_id",
        "date_from",
        "date_to",
        "customer_selection",
        "partner_ids",
        "skip_empty",
        "analytic_account_ids",
    )
    def _compute_preview(self):
        Session = self.env["customer.reconciliation.session"]
        for wizard in self:
            period_error = wizard.date_from and wizard.date_to and wizard._period_error()
            if (
                not (wizard.company_id and wizard.date_from and wizard.date_to)
                or period_error
                or (wizard.customer_selection == "selected" and not wizard.partner_ids)
            ):
                wizard.customer_count = wizard.new_count = wizard.existing_count = 0
                wizard.preview = period_error or False
                continue
            customer_ids = wizard._customer_ids()
            existing = Session._read_group(
                [
                    ("company_id", "=", wizard.company_id.id),
                    ("date_from", "=", wizard.date_from),
                    ("date_to", "=", wizard.date_to),
                    ("scope_key", "=", Session._make_scope_key(wizard.analytic_account_ids.ids)),
                    ("partner_id", "in", customer_ids),
                    ("state", "!=", "cancelled"),
                ],
                ["partner_id"],
            )
            wizard.customer_count = len(customer_ids)
            wizard.existing_count = len(existing)
            wizard.new_count = len(customer_ids) - len(existing)
            background = len(customer_ids) > BATCH_SIZE
            wizard.preview = self.env._(
                "%(customers)s customers: %(new)s new statements, %(existing)s existing ones "
                "(drafts are refreshed, submitted ones left untouched).%(background)s",
                customers=len(customer_ids),
                new=wizard.new_count,
                existing=wizard.existing_count,
                background=self.env._(" Runs in the background; follow its progress on the run.")
                if background
                else "",
            )

    def action_generate(self):
        self.ensure_one()
        self._check_period()
        customer_ids = self._customer_ids()
        if not customer_ids:
            raise UserError(
                self.env._(
                    "No customer to reconcile for %(start)s – %(end)s: no journal item or balance on the "
                    "reconciliation accounts for the chosen customers.",
                    start=self.date_from,
                    end=self.date_to,
                )
            )
        run = (
            self.env["customer.reconciliation.run"]
            .with_company(self.company_id)
            ._start(
                self.company_id,
                self.date_from,
                self.date_to,
                customer_ids,
                self.analytic_account_ids.ids,
                only_with_balance_or_activity=self.skip_empty,
            )
        )
        if run.state != "done":
            return {
                "type": "ir.actions.act_window",
                "res_model": "customer.reconciliation.run",
                "res_id": run.id,
                "view_mode": "form",
                "target": "current",
            }
        if run.refused_count and not run.session_ids:
            raise UserError(run.refusals)
        action = run.action_open_sessions()
        action["name"] = self.env._("Generated Statements")
        if run.refused_count:
            return notification(
                run.refusals,
                "warning",
                title=self.env._("%s statements not generated", run.refused_count),
                sticky=True,
                then=action,
            )
        return action
