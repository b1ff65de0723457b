from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.base.models.res_partner import _lang_get

from .res_company import FREQUENCIES


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
