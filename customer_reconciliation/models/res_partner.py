from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _lang_get

from .res_company import FREQUENCIES

# Who reads a customer's receivables insight on its form (the insight's own readers).
ALERT_GROUPS = (
    "customer_reconciliation.group_reconciliation_user,"
    "customer_reconciliation.group_reconciliation_auditor,"
    "sales_team.group_sale_salesman"
)
INSIGHT_GROUPS = (
    "customer_reconciliation.group_reconciliation_user,"
    "customer_reconciliation.group_reconciliation_auditor"
)


class ResPartner(models.Model):
    _inherit = "res.partner"

    reconciliation_frequency = fields.Selection(
        FREQUENCIES,
        string="Statement Frequency",
        help="How often this customer gets a reconciliation statement. Empty: the company default.",
    )
    reconciliation_contact_id = fields.Many2one(
        "res.partner",
        string="Statement Contact",
        domain="[('id', 'child_of', commercial_partner_id)]",
        help="Who receives the statements. Empty: the company's default contact rule applies.",
    )
    reconciliation_lang = fields.Selection(
        _lang_get, string="Statement Language", help="Empty: the contact's language."
    )
    reconciliation_currency_id = fields.Many2one(
        "res.currency",
        string="Statement Currency",
        help="Empty: the company currency, or the customer's only invoicing currency.",
    )
    reconciliation_ledger_mapping = fields.Json(
        string="Ledger Import Mapping",
        copy=False,
        help="Technical: how the columns of this customer's ledger files were mapped at the last import "
        "({'columns': {role: normalised header}, 'sign': 'mirror' or 'same'}), proposed at the next one.",
    )
    reconciliation_session_ids = fields.One2many(
        "customer.reconciliation.session", "partner_id", string="Reconciliation Statements"
    )
    reconciliation_session_count = fields.Integer(
        compute="_compute_reconciliation_figures", string="Statements"
    )
    reconciliation_last_confirmed_id = fields.Many2one(
        "customer.reconciliation.session",
        compute="_compute_reconciliation_figures",
        string="Last Confirmed Statement",
    )
    reconciliation_last_confirmed_date = fields.Date(
        compute="_compute_reconciliation_figures", string="Last Confirmed Period End"
    )
    reconciliation_last_confirmed_balance = fields.Monetary(
        compute="_compute_reconciliation_figures",
        string="Last Confirmed Balance",
        currency_field="reconciliation_last_confirmed_currency_id",
    )
    reconciliation_last_confirmed_currency_id = fields.Many2one(
        "res.currency", compute="_compute_reconciliation_figures"
    )
    reconciliation_overdue_amount = fields.Monetary(
        compute="_compute_reconciliation_overdue",
        string="Overdue Receivable",
        currency_field="reconciliation_company_currency_id",
    )
    reconciliation_company_currency_id = fields.Many2one(
        "res.currency", compute="_compute_reconciliation_overdue"
    )

    # The receivables insight of the customer in the current company (customer form).
    reconciliation_alert_count = fields.Integer(
        compute="_compute_reconciliation_alert_count",
        string="Open Alerts",
        groups=ALERT_GROUPS,
    )
    reconciliation_insight_id = fields.Many2one(
        "customer.reconciliation.insight",
        compute="_compute_reconciliation_insight_id",
        search="_search_reconciliation_insight_id",
        string="Receivables Insight",
        groups=INSIGHT_GROUPS,
    )
    reconciliation_insight_currency_id = fields.Many2one(
        related="reconciliation_insight_id.currency_id",
        string="Receivables Insight Currency",
        groups=INSIGHT_GROUPS,
    )
    reconciliation_insight_date = fields.Date(
        related="reconciliation_insight_id.date", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_balance = fields.Monetary(
        related="reconciliation_insight_id.balance",
        currency_field="reconciliation_insight_currency_id",
        groups=INSIGHT_GROUPS,
    )
    reconciliation_insight_overdue = fields.Monetary(
        related="reconciliation_insight_id.overdue_amount",
        currency_field="reconciliation_insight_currency_id",
        groups=INSIGHT_GROUPS,
    )
    reconciliation_insight_dso_3 = fields.Float(
        related="reconciliation_insight_id.dso_3", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_dso_12 = fields.Float(
        related="reconciliation_insight_id.dso_12", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_dso_trend = fields.Selection(
        related="reconciliation_insight_id.dso_trend", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_days_late = fields.Float(
        related="reconciliation_insight_id.days_late", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_on_time_ratio = fields.Float(
        related="reconciliation_insight_id.on_time_ratio", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_score = fields.Float(
        related="reconciliation_insight_id.score", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_credit_usage = fields.Float(
        related="reconciliation_insight_id.credit_usage", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_credit_action = fields.Selection(
        related="reconciliation_insight_id.credit_action", groups=INSIGHT_GROUPS
    )
    reconciliation_insight_suggested_limit = fields.Monetary(
        related="reconciliation_insight_id.suggested_credit_limit",
        currency_field="reconciliation_insight_currency_id",
        groups=INSIGHT_GROUPS,
    )
    reconciliation_insight_balance_trend = fields.Text(
        related="reconciliation_insight_id.balance_trend", groups=INSIGHT_GROUPS
    )

    def _compute_reconciliation_figures(self):
        Session = self.env["customer.reconciliation.session"]
        commercial = self.commercial_partner_id
        counts = dict(
            Session._read_group([("partner_id", "in", commercial.ids)], ["partner_id"], ["__count"])
        )
        confirmed = Session.search(
            [("partner_id", "in", commercial.ids), ("state", "=", "confirmed")],
            order="date_to desc, version desc",
        )
        last = {}
        for session in confirmed:
            last.setdefault(session.partner_id, session)
        for partner in self:
            entity = partner.commercial_partner_id
            session = last.get(entity, Session)
            partner.reconciliation_session_count = counts.get(entity, 0)
            partner.reconciliation_last_confirmed_id = session
            partner.reconciliation_last_confirmed_date = session.date_to
            partner.reconciliation_last_confirmed_balance = session.closing_balance
            partner.reconciliation_last_confirmed_currency_id = session.currency_id

    @api.depends_context("company")
    def _compute_reconciliation_overdue(self):
        """Open receivable past its due date today, in company currency (one query)."""
        company = self.env.company
        commercial_ids = self.commercial_partner_id.ids
        overdue = {}
        if commercial_ids:
            self.env["account.move.line"].flush_model()
            self.env.cr.execute(
                SQL(
                    """
                SELECT p.commercial_partner_id, SUM(aml.amount_residual)
                  FROM account_move_line aml
                  JOIN res_partner p ON p.id = aml.partner_id
                  JOIN account_account a ON a.id = aml.account_id
                 WHERE p.commercial_partner_id = ANY(%s)
                   AND aml.company_id = %s
                   AND aml.parent_state = 'posted'
                   AND a.account_type = 'asset_receivable'
                   AND NOT aml.reconciled
                   AND COALESCE(aml.date_maturity, aml.date) < %s
                 GROUP BY p.commercial_partner_id
                """,
                    commercial_ids,
                    company.id,
                    fields.Date.context_today(self),
                )
            )
            overdue = dict(self.env.cr.fetchall())
        for partner in self:
            partner.reconciliation_overdue_amount = overdue.get(
                partner.commercial_partner_id.id, 0.0
            )
            partner.reconciliation_company_currency_id = company.currency_id

    @api.depends_context("company")
    def _compute_reconciliation_insight_id(self):
        """The insight of each partner's commercial entity in the current company: one search
        for all of them."""
        Insight = self.env["customer.reconciliation.insight"]
        insights = Insight.search(
            [
                ("partner_id", "in", self.commercial_partner_id._origin.ids),
                ("company_id", "=", self.env.company.id),
            ]
        )
        by_partner = {insight.partner_id: insight for insight in insights}
        for partner in self:
            partner.reconciliation_insight_id = by_partner.get(
                partner.commercial_partner_id._origin, Insight
            )

    def _search_reconciliation_insight_id(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        Insight = self.env["customer.reconciliation.insight"]
        company = [("company_id", "=", self.env.company.id)]
        ids = [v for v in value if v]
        domains = []
        if ids:
            matching = Insight._search([("id", "in", ids), *company])
            domains.append(Domain("commercial_partner_id", "in", matching.subselect("partner_id")))
        if len(ids) < len(value):  # False: no insight in the company
            every = Insight._search(company)
            domains.append(Domain("commercial_partner_id", "not in", every.subselect("partner_id")))
        domain = Domain.OR(domains)
        return domain if operator == "in" else ~domain

    def _reconciliation_effective_frequency(self, company):
        self.ensure_one()
        return self.reconciliation_frequency or company.reconciliation_default_frequency

    def _reconciliation_statement_contact(self, company=None):
        """The contact who receives this customer's statements."""
        self.ensure_one()
        entity = self.commercial_partner_id
        if entity.reconciliation_contact_id:
            return entity.reconciliation_contact_id
        company = company or self.env.company
        if company.reconciliation_contact_rule == "invoice":
            return self.browse(entity.address_get(["invoice"])["invoice"])
        return entity

    def action_view_reconciliation_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_reconciliation_session"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def _compute_reconciliation_alert_count(self):
        """Open alerts of the commercial partner in the current company (one query)."""
        counts = dict(
            self.env["customer.reconciliation.alert"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                    ("state", "in", ("new", "seen")),
                ],
                ["partner_id"],
                ["__count"],
            )
        )
        for partner in self:
            partner.reconciliation_alert_count = counts.get(partner.commercial_partner_id, 0)

    def action_open_reconciliation_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_alert"
        )
        action["domain"] = [
            ("partner_id", "=", self.commercial_partner_id.id),
            ("company_id", "=", self.env.company.id),
        ]
        action["context"] = {"search_default_open": 1}
        return action

    def action_open_reconciliation_insight(self):
        self.ensure_one()
        insight = self.reconciliation_insight_id
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_insight"
        )
        action.update(
            {
                "res_id": insight.id,
                "views": [(False, "form")],
                "view_mode": "form",
                "context": {},
                "domain": [("id", "=", insight.id)],
            }
        )
        return action
