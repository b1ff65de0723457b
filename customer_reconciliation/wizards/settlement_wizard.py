from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..models.dispute import ROOT_CAUSES
from ..models.settlement import ALLOCATION_MODES, CREDIT_MODES, DIRECTIONS, SETTLEMENT_TYPES

# The entry a customer's reason usually calls for, and the root cause it usually has.
TYPE_BY_REASON = {
    "missing_invoice": "missing_invoice",
    "payment_not_recorded": "payment_not_recorded",
    "amount_differs": "credit_note",
    "duplicate": "credit_note",
    "return_not_credited": "credit_note",
    "price_discount": "credit_note",
    "other": "explanation",
}
ROOT_CAUSE_BY_REASON = {
    "missing_invoice": "our_posting",
    "payment_not_recorded": "our_posting",
    "duplicate": "our_duplicate",
    "return_not_credited": "our_credit",
    "price_discount": "our_price",
}


class CustomerReconciliationSettlementWizard(models.TransientModel):
    """Settle one dispute, or several of one customer, with the entry the difference calls for."""

    _name = "customer.reconciliation.settlement.wizard"
    _description = "Settle Reconciliation Disputes"

    dispute_ids = fields.Many2many(
        "customer.reconciliation.dispute",
        "customer_reconciliation_settlement_wizard_dispute_rel",
        string="Disputes",
        required=True,
        default=lambda self: self._default_disputes(),
        domain="[('state', 'in', ('new', 'investigating'))]",
    )
    session_id = fields.Many2one(
        "customer.reconciliation.session", compute="_compute_from_disputes", string="Statement"
    )
    company_id = fields.Many2one("res.company", compute="_compute_from_disputes")
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    partner_id = fields.Many2one("res.partner", compute="_compute_from_disputes", string="Customer")
    currency_id = fields.Many2one("res.currency", compute="_compute_from_disputes")
    is_foreign_currency = fields.Boolean(compute="_compute_from_disputes")
    difference = fields.Monetary(
        compute="_compute_from_disputes",
        help="The customer's amounts minus ours: negative when the customer says they owe less.",
    )
    settlement_type = fields.Selection(
        SETTLEMENT_TYPES,
        string="Settle By",
        required=True,
        compute="_compute_settlement_type",
        store=True,
        precompute=True,
        readonly=False,
    )
    root_cause = fields.Selection(
        ROOT_CAUSES, compute="_compute_root_cause", store=True, precompute=True, readonly=False
    )
    date = fields.Date(
        string="Accounting Date",
        required=True,
        compute="_compute_date",
        store=True,
        precompute=True,
        readonly=False,
        help="The statement's end date while that period is open, so that the next version of "
        "the statement carries the entry; else today.",
    )
    amount = fields.Monetary(compute="_compute_amount", store=True, precompute=True, readonly=False)
    amount_company = fields.Monetary(
        string="Amount (Company Currency)",
        currency_field="company_currency_id",
        compute="_compute_amount_company",
    )
    direction = fields.Selection(
        DIRECTIONS, compute="_compute_direction", store=True, precompute=True, readonly=False
    )
    explanation = fields.Text(
        help="Why the difference arose and how it is settled: the customer reads it on the "
        "dispute. Mandatory when no entry is posted."
    )
    # credit note
    invoice_id = fields.Many2one(
        "account.move",
        compute="_compute_invoice_id",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id)]",
    )
    credit_mode = fields.Selection(CREDIT_MODES, string="Credit", default="amount", required=True)
    invoice_line_ids = fields.Many2many(
        "account.move.line",
        "customer_reconciliation_settlement_wizard_line_rel",
        string="Invoice Lines",
        domain="[('move_id', '=', invoice_id), ('display_type', '=', 'product')]",
    )
    # write-off, bad debt
    writeoff_account_id = fields.Many2one(related="company_id.reconciliation_writeoff_account_id")
    bad_debt_account_id = fields.Many2one(related="company_id.reconciliation_bad_debt_account_id")
    tolerance = fields.Monetary(
        related="company_id.reconciliation_writeoff_tolerance", currency_field="company_currency_id"
    )
    bad_debt_limit = fields.Monetary(
        related="company_id.reconciliation_bad_debt_limit", currency_field="company_currency_id"
    )
    above_tolerance = fields.Boolean(compute="_compute_limits")
    needs_approval = fields.Boolean(compute="_compute_limits")
    # advance and payment allocation
    advance_account_id = fields.Many2one(related="company_id.reconciliation_advance_account_id")
    advance_line_ids = fields.Many2many(
        "account.move.line",
        "customer_reconciliation_settlement_wizard_advance_rel",
        string="Advances",
        compute="_compute_applied_lines",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('account_id', '=', advance_account_id), ('partner_id', 'child_of', partner_id), "
        "('reconciled', '=', False), ('balance', '<', 0), ('parent_state', '=', 'posted')]",
    )
    payment_line_id = fields.Many2one(
        "account.move.line",
        string="Unapplied Payment",
        compute="_compute_applied_lines",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('account_id.account_type', '=', 'asset_receivable'), "
        "('partner_id', 'child_of', partner_id), ('reconciled', '=', False), "
        "('amount_residual', '<', 0), ('parent_state', '=', 'posted')]",
    )
    allocation_mode = fields.Selection(
        ALLOCATION_MODES, string="Allocate To", default="oldest", required=True
    )
    allocate_invoice_ids = fields.Many2many(
        "account.move",
        "customer_reconciliation_settlement_wizard_invoice_rel",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), "
        "('payment_state', 'in', ('not_paid', 'partial'))]",
    )
    # unrecorded payment
    payment_journal_id = fields.Many2one(
        "account.journal",
        string="Received On",
        compute="_compute_payment_journal_id",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('type', 'in', ('bank', 'cash')), ('company_id', '=', company_id)]",
    )

    def _default_disputes(self):
        context = self.env.context
        if context.get("active_model") == "customer.reconciliation.dispute":
            return self.env["customer.reconciliation.dispute"].browse(
                [i for i in context.get("active_ids") or () if isinstance(i, int)]
            )
        return self.env["customer.reconciliation.dispute"]

    @api.depends("dispute_ids")
    def _compute_from_disputes(self):
        for wizard in self:
            session = wizard.dispute_ids.session_id[:1]
            wizard.session_id = session
            wizard.company_id = session.company_id or self.env.company
            wizard.partner_id = session.partner_id.commercial_partner_id
            wizard.currency_id = session.currency_id or wizard.company_id.currency_id
            wizard.is_foreign_currency = wizard.currency_id != wizard.company_id.currency_id
            wizard.difference = sum(wizard.dispute_ids.mapped("difference"))

    @api.depends("dispute_ids")
    def _compute_date(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            end = wizard.dispute_ids.session_id[:1].date_to
            company = wizard.company_id
            locks = [
                company.user_fiscalyear_lock_date,
                company.user_sale_lock_date,
                company.user_hard_lock_date,
            ]
            locked = max((d for d in locks if d), default=None)
            wizard.date = end if end and end <= today and (not locked or end > locked) else today

    @api.depends("dispute_ids")
    def _compute_settlement_type(self):
        for wizard in self:
            reasons = set(wizard.dispute_ids.mapped("reason"))
            wizard.settlement_type = (
                TYPE_BY_REASON.get(reasons.pop(), "explanation")
                if len(reasons) == 1
                else "explanation"
            )

    @api.depends("dispute_ids")
    def _compute_root_cause(self):
        for wizard in self:
            causes = set(wizard.dispute_ids.mapped("root_cause")) - {False}
            reasons = set(wizard.dispute_ids.mapped("reason"))
            wizard.root_cause = (
                causes.pop()
                if len(causes) == 1
                else ROOT_CAUSE_BY_REASON.get(reasons.pop())
                if len(reasons) == 1
                else False
            )

    @api.depends("dispute_ids", "settlement_type", "invoice_id", "credit_mode", "invoice_line_ids")
    def _compute_amount(self):
        for wizard in self:
            if wizard.settlement_type == "credit_note" and wizard.credit_mode == "whole":
                wizard.amount = wizard.invoice_id.amount_total
            elif wizard.settlement_type == "credit_note" and wizard.credit_mode == "lines":
                wizard.amount = sum(wizard.invoice_line_ids.mapped("price_total"))
            else:
                wizard.amount = abs(wizard.difference)

    @api.depends("amount", "currency_id", "date")
    def _compute_amount_company(self):
        for wizard in self:
            wizard.amount_company = wizard.currency_id._convert(
                wizard.amount or 0.0,
                wizard.company_currency_id,
                wizard.company_id,
                wizard.date or fields.Date.context_today(wizard),
            )

    @api.depends("difference")
    def _compute_direction(self):
        for wizard in self:
            wizard.direction = "increase" if wizard.difference > 0 else "decrease"

    @api.depends("amount_company", "settlement_type")
    def _compute_limits(self):
        manager = self.env.user.has_group("customer_reconciliation.group_reconciliation_manager")
        for wizard in self:
            currency = wizard.company_currency_id
            wizard.above_tolerance = (
                currency.compare_amounts(wizard.amount_company, wizard.tolerance) > 0
            )
            wizard.needs_approval = (
                wizard.settlement_type == "bad_debt"
                and not manager
                and currency.compare_amounts(wizard.amount_company, wizard.bad_debt_limit) > 0
            )

    @api.depends("dispute_ids")
    def _compute_invoice_id(self):
        for wizard in self:
            disputes = wizard.dispute_ids
            items = disputes.move_line_ids or disputes.session_id.line_ids.move_line_id
            invoices = items.move_id.filtered(
                lambda m: m.move_type == "out_invoice" and m.state == "posted"
            ).sorted(
                lambda m: (m.amount_residual > 0, m.invoice_date or m.date, m.id), reverse=True
            )
            wizard.invoice_id = invoices[:1]

    @api.depends("dispute_ids", "partner_id")
    def _compute_applied_lines(self):
        Line = self.env["account.move.line"]
        for wizard in self:
            wizard.advance_line_ids = False
            wizard.payment_line_id = False
            if not wizard.partner_id:
                continue
            if wizard.advance_account_id:
                wizard.advance_line_ids = Line.search(
                    [
                        ("account_id", "=", wizard.advance_account_id.id),
                        ("partner_id", "child_of", wizard.partner_id.id),
                        ("reconciled", "=", False),
                        ("balance", "<", 0),
                        ("parent_state", "=", "posted"),
                    ],
                    order="date, id",
                )
            disputed = wizard.dispute_ids.move_line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable"
                    and not line.reconciled
                    and line.amount_residual < 0
                )
            )
            wizard.payment_line_id = disputed[:1] or Line.search(
                [
                    ("account_id.account_type", "=", "asset_receivable"),
                    ("partner_id", "child_of", wizard.partner_id.id),
                    ("company_id", "=", wizard.company_id.id),
                    ("reconciled", "=", False),
                    ("amount_residual", "<", 0),
                    ("parent_state", "=", "posted"),
                ],
                order="date, id",
                limit=1,
            )

    @api.depends("company_id")
    def _compute_payment_journal_id(self):
        for wizard in self:
            wizard.payment_journal_id = self.env["account.journal"].search(
                [
                    *self.env["account.journal"]._check_company_domain(wizard.company_id),
                    ("type", "=", "bank"),
                ],
                limit=1,
            )

    # ------------------------------------------------------------------ settling
    def _settlement_vals(self):
        self.ensure_one()
        kind = self.settlement_type
        vals = {
            "settlement_type": kind,
            "root_cause": self.root_cause,
            "amount": 0.0 if kind in ("explanation", "allocate_payment") else self.amount,
            "date": self.date,
            "explanation": (self.explanation or "").strip() or False,
        }
        if kind == "write_off":
            vals.update(direction=self.direction, account_id=self.writeoff_account_id.id)
        elif kind == "bad_debt":
            vals["account_id"] = self.bad_debt_account_id.id
        elif kind == "credit_note":
            vals.update(
                credit_mode=self.credit_mode,
                invoice_ids=[Command.set(self.invoice_id.ids)],
                invoice_line_ids=[
                    Command.set(self.invoice_line_ids.ids if self.credit_mode == "lines" else [])
                ],
            )
        elif kind == "advance":
            vals.update(
                account_id=self.advance_account_id.id,
                applied_line_ids=[Command.set(self.advance_line_ids.ids)],
            )
        elif kind == "allocate_payment":
            vals.update(
                allocation_mode=self.allocation_mode,
                applied_line_ids=[Command.set(self.payment_line_id.ids)],
                invoice_ids=[
                    Command.set(
                        self.allocate_invoice_ids.ids if self.allocation_mode == "chosen" else []
                    )
                ],
            )
        elif kind == "payment_not_recorded":
            vals["journal_id"] = self.payment_journal_id.id
        return vals

    def action_settle(self):
        self.ensure_one()
        if not self.root_cause and self.settlement_type != "explanation":
            raise UserError(self.env._("Say what caused the difference (its root cause)."))
        settlement = self.env["customer.reconciliation.settlement"]._settle_disputes(
            self.dispute_ids, self._settlement_vals()
        )
        return {
            "type": "ir.actions.act_window",
            "name": settlement.name,
            "res_model": settlement._name,
            "view_mode": "form",
            "res_id": settlement.id,
        }
