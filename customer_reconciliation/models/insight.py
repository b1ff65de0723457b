"""Receivables insight: one record per customer and company with the figures a finance
manager reads (DSO, payment behaviour, credit, the reconciliation record), refreshed by a
scheduled action and on demand (insight_refresh.py); the formulas are in tools/receivables.py."""

import json

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, format_date, formatLang

from ..tools import receivables
from ..tools.client_actions import notification

MANAGER_GROUP = "customer_reconciliation.group_reconciliation_manager"
USER_GROUP = "customer_reconciliation.group_reconciliation_user"


class CustomerReconciliationInsight(models.Model):
    _name = "customer.reconciliation.insight"
    _description = "Customer Receivables Insight"
    _order = "score, balance desc"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    salesperson_id = fields.Many2one("res.users", readonly=True)
    category_ids = fields.Many2many(related="partner_id.category_id", string="Customer Tags")
    date = fields.Date(
        string="Figures At",
        readonly=True,
        help="The month end of the DSO and payment figures (the last closed month).",
    )
    refreshed_at = fields.Datetime(string="Refreshed On", readonly=True)

    # today, from Odoo's residuals
    balance = fields.Monetary(readonly=True, help="Receivable balance today.")
    overdue_amount = fields.Monetary(string="Overdue", readonly=True, help="Past due today.")
    peak_balance = fields.Monetary(
        string="Peak Balance (12 Months)", readonly=True, help="Highest month-end balance."
    )

    # DSO
    dso_3 = fields.Float(string="DSO 3 Months", readonly=True, aggregator="avg", digits=(16, 1))
    dso_6 = fields.Float(string="DSO 6 Months", readonly=True, aggregator="avg", digits=(16, 1))
    dso_12 = fields.Float(string="DSO 12 Months", readonly=True, aggregator="avg", digits=(16, 1))
    dso_3_previous = fields.Float(
        string="DSO 3 Months, 3 Months Earlier", readonly=True, aggregator="avg", digits=(16, 1)
    )
    dso_6_previous = fields.Float(
        string="DSO 6 Months, 6 Months Earlier", readonly=True, aggregator="avg", digits=(16, 1)
    )
    dso_12_previous = fields.Float(
        string="DSO 12 Months, a Year Earlier", readonly=True, aggregator="avg", digits=(16, 1)
    )
    dso_trend = fields.Selection(
        receivables.TRENDS,
        string="DSO Trend",
        readonly=True,
        help="DSO over 3 months against the same figure 3 months earlier.",
    )
    dso_odoo = fields.Float(
        string="Odoo's DSO",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Odoo's own days sales outstanding: receivable / all invoices ever x days since "
        "the first invoice.",
    )

    # payment behaviour (paid invoices of the 12 months to the month end)
    paid_amount = fields.Monetary(string="Paid (12 Months)", readonly=True)
    days_to_pay = fields.Float(
        string="Average Days to Pay", readonly=True, aggregator="avg", digits=(16, 1)
    )
    days_late = fields.Float(
        string="Average Days Late", readonly=True, aggregator="avg", digits=(16, 1)
    )
    on_time_ratio = fields.Float(
        string="On-Time Ratio", readonly=True, aggregator="avg", digits=(16, 3)
    )
    days_to_pay_previous = fields.Float(
        string="Days to Pay, Previous 12 Months", readonly=True, aggregator="avg", digits=(16, 1)
    )
    days_late_previous = fields.Float(
        string="Days Late, Previous 12 Months", readonly=True, aggregator="avg", digits=(16, 1)
    )
    on_time_ratio_previous = fields.Float(
        string="On-Time Ratio, Previous 12 Months", readonly=True, aggregator="avg", digits=(16, 3)
    )
    payment_trend = fields.Selection(
        receivables.TRENDS,
        readonly=True,
        help="Average days late against the previous 12 months.",
    )

    # credit
    credit_limit = fields.Monetary(readonly=True)
    credit_usage = fields.Float(
        string="Credit Used",
        readonly=True,
        aggregator="avg",
        digits=(16, 3),
        help="Balance / limit.",
    )
    over_limit_amount = fields.Monetary(
        string="Above the Limit", readonly=True, help="Balance above the credit limit."
    )
    overdue_over_limit = fields.Boolean(string="Overdue Above the Limit", readonly=True)
    score = fields.Float(
        string="Payment Score", readonly=True, aggregator="avg", digits=(16, 1), help="0 to 100."
    )
    score_on_time = fields.Float(string="On Time (40%)", readonly=True, digits=(16, 1))
    score_lateness = fields.Float(string="Lateness (25%)", readonly=True, digits=(16, 1))
    score_overdue = fields.Float(string="Overdue Share (20%)", readonly=True, digits=(16, 1))
    score_trend = fields.Float(string="DSO Trend (15%)", readonly=True, digits=(16, 1))
    credit_action = fields.Selection(
        receivables.CREDIT_ACTIONS, string="Suggested Action", readonly=True
    )
    suggested_credit_limit = fields.Monetary(string="Suggested Limit", readonly=True)
    credit_decision_user_id = fields.Many2one("res.users", string="Accepted By", readonly=True)
    credit_decision_date = fields.Datetime(string="Accepted On", readonly=True)

    # the reconciliation record
    statements_sent = fields.Integer(readonly=True)
    statements_confirmed_first = fields.Integer(
        string="Confirmed at First Sending",
        readonly=True,
        help="Confirmed without a reminder, a dispute or an earlier version.",
    )
    statements_disputed = fields.Integer(readonly=True)
    statements_unanswered = fields.Integer(string="Unanswered Statements", readonly=True)
    answer_days = fields.Float(
        string="Days to Answer",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average days from sending to the customer's confirmation or first dispute.",
    )
    open_dispute_count = fields.Integer(string="Open Disputes", readonly=True)
    open_dispute_amount = fields.Monetary(string="Open Disputes Amount", readonly=True)
    last_confirmed_date = fields.Date(string="Last Confirmed Period End", readonly=True)
    last_confirmed_balance = fields.Monetary(readonly=True)

    balance_trend = fields.Text(compute="_compute_balance_trend", help="Last 12 month ends.")

    _company_partner_unique = models.Constraint(
        "UNIQUE (company_id, partner_id)", "A customer has one insight record per company."
    )

    def _compute_balance_trend(self):
        Snapshot = self.env["customer.reconciliation.snapshot"]
        rows = Snapshot.search_read(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("company_id", "in", self.company_id.ids),
                (
                    "date",
                    ">",
                    fields.Date.subtract(
                        min(self.mapped("date") or [fields.Date.today()]), months=12
                    ),
                ),
            ],
            ["partner_id", "company_id", "date", "balance", "overdue_amount"],
            order="date",
        )
        by_key = {}
        for row in rows:
            by_key.setdefault((row["partner_id"][0], row["company_id"][0]), []).append(row)
        for insight in self:
            points = by_key.get((insight.partner_id.id, insight.company_id.id), [])
            # the bar chart of Odoo's "dashboard_graph" widget reads label, value and type
            values = [
                {
                    "label": format_date(self.env, p["date"], date_format="MMM yy"),
                    "value": p["balance"],
                    "type": "past",
                }
                for p in points
                if not insight.date or p["date"] <= insight.date
            ]
            insight.balance_trend = json.dumps(
                [{"values": values, "title": _("Month-end balance"), "key": _("Balance")}]
            )

    # ------------------------------------------------------------ actions
    def action_open_snapshots(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_snapshot"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.id),
            ("company_id", "=", self.company_id.id),
        ]
        action["context"] = {"search_default_last_12": 1}
        return action

    def action_refresh(self):
        """Refresh the figures of the companies of these records (or of the current one)."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(_("Only a Reconciliation User refreshes the figures."))
        self.check_access("read")
        # In the background (a month-end of 10,000 customers takes tens of seconds): the
        # scheduled action refreshes every company, step by step, and tells who asked.
        self.env["customer.reconciliation.figures.refresh"]._ask()
        return notification(
            _(
                "The figures are refreshed in the background, month end by month end; you "
                "are notified when they are up to date. Follow or cancel it in "
                "Reconciliation › Figures Refreshes."
            ),
            "info",
            title=_("Refreshing the figures"),
        )

    def action_accept_credit_suggestion(self):
        """A manager accepts the suggestion: the customer's credit limit becomes the suggested
        one in its company, with a note in the customer's chatter."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(_("Only a Reconciliation Manager accepts a credit suggestion."))
        self.check_access("read")
        for insight in self:
            if insight.credit_action in (False, "keep"):
                raise UserError(
                    _("%(customer)s: there is no change of credit limit to accept.")
                    % {"customer": insight.partner_id.display_name}
                )
        for insight in self:
            insight._accept_credit_suggestion()
        return True

    def _accept_credit_suggestion(self):
        self.ensure_one()
        partner = self.partner_id.with_company(self.company_id).sudo()
        old = partner.credit_limit
        new = self.suggested_credit_limit
        labels = dict(self._fields["credit_action"]._description_selection(self.env))
        if float_compare(old, new, precision_rounding=self.currency_id.rounding):
            partner.write({"credit_limit": new})
        body = _(
            "Credit limit in %(company)s: %(old)s → %(new)s (%(action)s, suggested by the "
            "payment score %(score)s: on time %(on_time)s, lateness %(lateness)s, overdue share "
            "%(overdue)s, DSO trend %(trend)s), accepted by %(user)s."
        ) % {
            "company": self.company_id.name,
            "old": formatLang(self.env, old, currency_obj=self.currency_id),
            "new": formatLang(self.env, new, currency_obj=self.currency_id),
            "action": labels[self.credit_action],
            "score": self.score,
            "on_time": self.score_on_time,
            "lateness": self.score_lateness,
            "overdue": self.score_overdue,
            "trend": self.score_trend,
            "user": self.env.user.name,
        }
        partner.message_post(body=body, author_id=self.env.user.partner_id.id)
        self.sudo().write(
            {
                "credit_limit": new,
                "credit_usage": self.balance / new if new else 0.0,
                "credit_action": "keep",
                "credit_decision_user_id": self.env.uid,
                "credit_decision_date": fields.Datetime.now(),
            }
        )

    @api.model
    def _cron_refresh(self):
        """Scheduled action: refresh every company's figures, committed step by step, then
        check the alerts and end the refreshes users asked for before it started (each asker
        told). It stops early once every one of those is cancelled."""
        Refresh = self.env["customer.reconciliation.figures.refresh"].sudo()
        asked = Refresh.search([("state", "=", "queued")])._attach_to_run(
            self.env.context.get("ir_cron_progress_id")
        )
        # Committed step by step when run as the scheduled action (not by the demo data, in
        # the transaction of the install).
        cron_run = bool(self.env.context.get("cron_id"))
        if not self._refresh(commit_progress=cron_run, asked=asked):
            return  # time is up (the next run goes on), or every refresh asked was cancelled
        self.env["customer.reconciliation.alert"]._check_rules()
        asked._end()
        if Refresh.search_count([("state", "=", "queued")]):
            # Asked while this run was under way: the next run carries them out.
            self.env.ref("customer_reconciliation.ir_cron_refresh_insight")._trigger()
