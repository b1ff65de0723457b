"""Anomaly alerts: one record per rule and customer (and statement, for a changed ledger) that a
scheduled check (alert_check.py) raises, keeps up to date and resolves when its condition clears.

Alerts are facts computed from the ledger: nobody creates, edits or deletes them (read-only
access for every group). A reconciliation user moves one from new to seen to resolved through
the buttons, which check the group and the record, then write as superuser.
"""

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import format_amount

USER_GROUP = "customer_reconciliation.group_reconciliation_user"

RULES = [
    ("credit_balance", "Credit balance"),
    ("balance_swing", "Month-end balance swing"),
    ("unconfirmed", "No confirmed statement"),
    ("ledger_changed", "Ledger changed after confirmation"),
    ("dso_worsening", "DSO worsening"),
    ("overdue_over_limit", "Overdue above the credit limit"),
    ("old_unapplied", "Old unapplied payments"),
    ("collection_missing", "Collection not received"),
    ("collection_other_customer", "Collection booked to another customer"),
]
STATES = [("new", "New"), ("seen", "Seen"), ("resolved", "Resolved")]
OPEN_STATES = ("new", "seen")


class CustomerReconciliationAlert(models.Model):
    """An anomaly on a customer's account, raised by the scheduled check."""

    _name = "customer.reconciliation.alert"
    _description = "Receivables Anomaly Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_detected desc, id desc"
    _rec_name = "partner_id"
    # Reading the alert is enough to comment on it and to mark one's activity done.
    _mail_post_access = "read"

    rule = fields.Selection(RULES, required=True, readonly=True, index=True)
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        readonly=True,
        index="btree_not_null",
        help="The confirmed statement whose ledger changed (that rule only).",
    )
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    amount = fields.Monetary(
        readonly=True,
        help="The figure of the rule: the negative balance, the swing, the balance, the overdue "
        "amount, or the unapplied total.",
    )
    value = fields.Float(
        readonly=True,
        digits=(16, 1),
        help="Days, months, standard deviations, DSO days or % of the limit, per rule.",
    )
    threshold = fields.Float(readonly=True, digits=(16, 1), help="The company setting crossed.")
    swing_basis = fields.Selection(
        [("deviation", "Standard deviations"), ("percent", "% of the previous balance")],
        readonly=True,
        help="Balance swing only: what the value measures.",
    )
    description = fields.Char(compute="_compute_description")
    date_detected = fields.Date(string="Detected On", required=True, readonly=True, index=True)
    date_last_seen = fields.Date(
        string="Last Detected On", readonly=True, help="The last check that found the condition."
    )
    state = fields.Selection(
        STATES, default="new", required=True, readonly=True, index=True, tracking=True
    )
    resolved_date = fields.Datetime(string="Resolved On", readonly=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    auto_resolved = fields.Boolean(
        string="Resolved Automatically",
        readonly=True,
        help="Resolved by the check: the condition no longer held.",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        readonly=True,
        index=True,
        help="The responsible of the customer's latest statement, else the company's statement "
        "approver, else the customer's salesperson.",
    )
    salesperson_id = fields.Many2one("res.users", readonly=True, index=True, help="The customer's.")

    # At most one open alert per rule, company, customer and statement: the check inserts with
    # ON CONFLICT DO NOTHING against this index.
    _open_unique = models.UniqueIndex(
        "(rule, company_id, partner_id, COALESCE(session_id, 0)) WHERE state IN ('new', 'seen')",
        "An open alert of this rule already exists for this customer.",
    )

    # ------------------------------------------------------------ compute
    @api.depends_context("lang")
    @api.depends("rule", "amount", "value", "threshold", "swing_basis", "session_id", "currency_id")
    def _compute_description(self):
        for alert in self:
            alert.description = alert._sentence()

    def _sentence(self):
        self.ensure_one()
        _ = self.env._
        amount = format_amount(self.env, self.amount, self.currency_id)
        value = round(self.value, 1)
        threshold = round(self.threshold, 1)
        if self.rule == "credit_balance":
            return _(
                "Credit balance of %(amount)s for %(days)s days (alert after %(limit)s days).",
                amount=amount,
                days=int(self.value),
                limit=int(self.threshold),
            )
        if self.rule == "balance_swing" and self.swing_basis == "percent":
            return _(
                "Month-end balance moved by %(amount)s, %(value)s%% of the previous month-end "
                "balance (alert above %(limit)s%%).",
                amount=amount,
                value=value,
                limit=threshold,
            )
        if self.rule == "balance_swing":
            return _(
                "Month-end balance moved by %(amount)s, %(value)s standard deviations from the "
                "customer's usual monthly change (alert above %(limit)s).",
                amount=amount,
                value=value,
                limit=threshold,
            )
        if self.rule == "unconfirmed":
            return _(
                "Balance of %(amount)s without a confirmed statement for %(months)s months "
                "(alert after %(limit)s months).",
                amount=amount,
                months=int(self.value),
                limit=int(self.threshold),
            )
        if self.rule == "ledger_changed":
            return _(
                "Statement %(statement)s was confirmed at %(amount)s, but the ledger no longer "
                "matches it.",
                statement=self.session_id.sudo().name or "",
                amount=amount,
            )
        if self.rule == "dso_worsening":
            return _(
                "DSO over 3 months %(days)s days worse than 3 months earlier on a balance of "
                "%(amount)s (alert above %(limit)s days).",
                days=value,
                amount=amount,
                limit=threshold,
            )
        if self.rule == "overdue_over_limit":
            return _(
                "Overdue %(amount)s is above the credit limit of %(limit)s (%(value)s%% of it).",
                amount=amount,
                limit=format_amount(self.env, self.threshold, self.currency_id),
                value=round(self.value),
            )
        if self.rule == "old_unapplied":
            return _(
                "Payments and credit notes of %(amount)s unapplied, the oldest for %(days)s days "
                "(alert after %(limit)s days).",
                amount=amount,
                days=int(self.value),
                limit=int(self.threshold),
            )
        return ""

    @api.depends("rule", "partner_id")
    def _compute_display_name(self):
        labels = dict(self._fields["rule"]._description_selection(self.env))
        for alert in self:
            alert.display_name = self.env._(
                "%(rule)s: %(customer)s",
                rule=labels.get(alert.rule, ""),
                customer=alert.partner_id.display_name or "",
            )

    # ------------------------------------------------------------ state changes
    def _check_handler(self):
        """A reconciliation user who can read these alerts; else AccessError."""
        if not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the group %s may mark alerts seen or resolved.",
                    self.env.ref(USER_GROUP).sudo().full_name,
                )
            )
        self.check_access("read")

    def action_mark_seen(self):
        self._check_handler()
        self.filtered(lambda alert: alert.state == "new").sudo().write({"state": "seen"})
        return True

    def action_resolve(self):
        """Resolved by hand: its activities are marked done. If the condition still holds, the
        next check raises a new alert."""
        self._check_handler()
        alerts = self.filtered(lambda alert: alert.state in OPEN_STATES)
        if not alerts:
            return True
        # The user's own access (reading the alert allows its activities, _mail_post_access).
        alerts.activity_ids.action_feedback(
            feedback=self.env._("Alert resolved by %s.", self.env.user.name)
        )
        alerts.sudo().write(
            {
                "state": "resolved",
                "resolved_date": fields.Datetime.now(),
                "resolved_by_id": self.env.uid,
                "auto_resolved": False,
            }
        )
        return True

    # ------------------------------------------------------------ navigation
    def action_open_customer(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "res.partner",
            "res_id": self.partner_id.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def action_open_statement(self):
        """The statement of the alert, else the customer's statements."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_reconciliation_session"
        )
        if self.session_id:
            action.update(
                {"res_id": self.session_id.id, "view_mode": "form", "views": [(False, "form")]}
            )
        else:
            action["domain"] = [
                ("partner_id", "=", self.partner_id.id),
                ("company_id", "=", self.company_id.id),
            ]
        return action
