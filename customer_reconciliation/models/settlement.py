"""The statement, step 5 (disputes): how a dispute was settled, with the entries that made
the books right.

A settlement is written by the settlement wizard (through the workflow) and never by hand; its
entries are posted through Odoo's own accounting (``settlement_posting.py``).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .account_move import MANAGER_GROUP
from .dispute import ROOT_CAUSES
from .session import is_workflow_call, workflow_env

SETTLEMENT_TYPES = [
    ("credit_note", "Credit note"),
    ("missing_invoice", "Missing invoice"),
    ("write_off", "Small difference write-off"),
    ("bad_debt", "Bad debt"),
    ("advance", "Customer advance applied"),
    ("allocate_payment", "Payment allocated"),
    ("payment_not_recorded", "Unrecorded payment"),
    ("explanation", "No entry: explained"),
]
SETTLEMENT_STATES = [
    ("to_approve", "Awaiting a manager"),
    ("pending", "Awaiting posting"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
DIRECTIONS = [
    ("decrease", "Reduce what the customer owes"),
    ("increase", "Increase what the customer owes"),
]
CREDIT_MODES = [
    ("whole", "The whole invoice"),
    ("lines", "Chosen invoice lines"),
    ("amount", "An amount"),
]
ALLOCATION_MODES = [("oldest", "Oldest invoices first"), ("chosen", "The invoices I pick")]
# The types that settle only through a document of their own (an entry, an invoice, a payment).
DOCUMENT_TYPES = (
    "credit_note",
    "missing_invoice",
    "write_off",
    "bad_debt",
    "advance",
    "payment_not_recorded",
)
# Payments Odoo has validated (a draft, cancelled or rejected one settles nothing).
PAYMENT_DONE_STATES = ("in_process", "paid")


class CustomerReconciliationSettlement(models.Model):
    """One settlement of one or several disputes of a customer: its type, amount, the entries
    posted or drafted, what they were reconciled with, and who approved it."""

    _name = "customer.reconciliation.settlement"
    _description = "Customer Reconciliation Settlement"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    dispute_ids = fields.Many2many(
        "customer.reconciliation.dispute",
        "customer_reconciliation_settlement_dispute_rel",
        "settlement_id",
        "dispute_id",
        string="Disputes",
        readonly=True,
    )
    session_id = fields.Many2one(
        "customer.reconciliation.session", string="Statement", readonly=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    settlement_type = fields.Selection(
        SETTLEMENT_TYPES, string="Type", required=True, readonly=True, index=True
    )
    root_cause = fields.Selection(ROOT_CAUSES, readonly=True)
    amount = fields.Monetary(readonly=True)
    amount_company = fields.Monetary(
        string="Amount (Company Currency)", currency_field="company_currency_id", readonly=True
    )
    direction = fields.Selection(DIRECTIONS, readonly=True)
    date = fields.Date(string="Accounting Date", required=True, readonly=True)
    explanation = fields.Text(readonly=True)
    credit_mode = fields.Selection(CREDIT_MODES, readonly=True)
    allocation_mode = fields.Selection(ALLOCATION_MODES, readonly=True)
    account_id = fields.Many2one("account.account", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "customer_reconciliation_settlement_invoice_rel",
        "settlement_id",
        "move_id",
        string="Invoices Settled",
        readonly=True,
    )
    invoice_line_ids = fields.Many2many(
        "account.move.line",
        "customer_reconciliation_settlement_invoice_line_rel",
        "settlement_id",
        "line_id",
        string="Invoice Lines Credited",
        readonly=True,
    )
    applied_line_ids = fields.Many2many(
        "account.move.line",
        "customer_reconciliation_settlement_applied_line_rel",
        "settlement_id",
        "line_id",
        string="Items Applied",
        readonly=True,
        help="The unapplied payment or the advances applied to the invoices.",
    )
    move_ids = fields.Many2many(
        "account.move",
        "customer_reconciliation_settlement_move_rel",
        "settlement_id",
        "move_id",
        string="Entries",
        readonly=True,
    )
    payment_id = fields.Many2one("account.payment", readonly=True, index="btree_not_null")
    partial_ids = fields.Many2many(
        "account.partial.reconcile",
        "customer_reconciliation_settlement_partial_rel",
        "settlement_id",
        "partial_id",
        string="Reconciliations",
        readonly=True,
    )
    needs_approval = fields.Boolean(readonly=True)
    carried_out = fields.Boolean(readonly=True, copy=False, help="Its documents were made.")
    approved_by_id = fields.Many2one("res.users", readonly=True)
    approved_date = fields.Datetime(readonly=True)
    state = fields.Selection(
        SETTLEMENT_STATES,
        compute="_compute_state",
        store=True,
        index=True,
        tracking=True,
    )
    move_count = fields.Integer(compute="_compute_move_count")

    @api.depends(
        "carried_out", "needs_approval", "approved_by_id", "move_ids.state", "payment_id.state"
    )
    def _compute_state(self):
        for settlement in self:
            moves, payment = settlement.move_ids, settlement.payment_id
            if not settlement.carried_out:
                state = "pending"
            elif settlement.settlement_type in DOCUMENT_TYPES and not moves and not payment:
                # Its draft invoice, entry or payment was deleted: nothing settles anything.
                state = "cancelled"
            elif settlement.needs_approval and not settlement.approved_by_id:
                state = "to_approve"
            elif any(move.state == "cancel" for move in moves) or (
                payment and payment.state in ("canceled", "rejected")
            ):
                state = "cancelled"
            elif any(move.state == "draft" for move in moves) or (
                payment and payment.state not in PAYMENT_DONE_STATES
            ):
                state = "pending"
            else:
                state = "done"
            settlement.state = state

    def _compute_move_count(self):
        for settlement in self:
            settlement.move_count = len(settlement.move_ids)

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        if not is_workflow_call(self):
            raise UserError(
                self.env._("Settlements are recorded by the settlement wizard of a dispute.")
            )
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("customer.reconciliation.settlement")
                    or "/"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not is_workflow_call(self) and set(vals) - set(self.env["mail.thread"]._fields):
            raise UserError(
                self.env._(
                    "Settlement %s is a record of what was posted: it changes only through its "
                    "approval or its entries.",
                    self[:1].name,
                )
            )
        return super().write(vals)

    def unlink(self):
        if self:
            raise UserError(
                self.env._(
                    "Settlement %s is part of the disputes' history: cancel its entries in the "
                    "accounting instead of deleting it.",
                    self[0].name,
                )
            )
        return super().unlink()

    def _workflow_write(self, vals):
        return workflow_env(self).write(vals)

    # ------------------------------------------------------------------ approval
    def action_approve(self):
        """A manager posts the bad debt an accountant proposed above the approval limit."""
        self.env["customer.reconciliation.session"]._check_group(
            MANAGER_GROUP, self.env._("approve bad debts of")
        )
        self.check_access("write")
        waiting = self.filtered(lambda s: s.state == "to_approve")
        if waiting != self:
            raise UserError(
                self.env._("Settlement %s is not awaiting a manager.", (self - waiting)[0].name)
            )
        for settlement in self:
            if settlement.create_uid == self.env.user:
                raise UserError(
                    self.env._(
                        "You proposed settlement %s: another manager approves it (segregation "
                        "of duties).",
                        settlement.name,
                    )
                )
            settlement._workflow_write(
                {"approved_by_id": self.env.user.id, "approved_date": fields.Datetime.now()}
            )
            settlement._post_drafts()
        self.activity_feedback(["mail.mail_activity_data_todo"], feedback=self.env._("Approved"))
        return True

    def _schedule_approval(self):
        for settlement in self:
            managers = self.env.ref(MANAGER_GROUP).sudo().all_user_ids.filtered(
                lambda u, s=settlement: (
                    not u.share and s.company_id in u.company_ids and u != self.env.user
                )
            ) - self.env.ref("base.user_root")
            for manager in managers:
                settlement.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=manager.id,
                    summary=self.env._("Approve bad debt %s", settlement.name),
                    note=self.env._(
                        "%(user)s proposes to write off %(amount)s of %(partner)s as bad debt.",
                        user=self.env.user.name,
                        amount=settlement.currency_id.format(settlement.amount),
                        partner=settlement.partner_id.display_name,
                    ),
                )

    @api.model
    def _of_entries(self, moves):
        """The settlements of ``moves``, in one indexed query (none for most entries), as
        superuser: whoever posts an entry, its settlement follows."""
        ids = [id_ for id_ in moves._ids if isinstance(id_, int)]
        return self.sudo().search([("move_ids", "in", ids)]) if ids else self.sudo().browse()

    def _check_not_awaiting_approval(self, moves):
        """Refuse to post ``moves`` when one is the entry of one of these settlements awaiting
        a manager, unless the approval posts it (the workflow's mark)."""
        if is_workflow_call(moves):
            return
        waiting = self.filtered(lambda s: s.state == "to_approve")
        if waiting:
            raise UserError(
                self.env._(
                    "The entry of settlement %s waits for a Reconciliation Manager: it is posted "
                    "by approving the settlement.",
                    waiting[0].name,
                )
            )

    # ------------------------------------------------------------------ documents posted
    def _entries_posted(self, moves):
        """``moves`` were just posted: the draft invoices these settlements asked for settle
        their disputes."""
        self.filtered(
            lambda s: s.settlement_type == "missing_invoice" and s.move_ids & moves
        )._documents_posted()

    def _documents_posted(self):
        """Called once a settlement's draft invoice or payment is posted (by whoever validates
        it): the disputes it settles are resolved once every document is."""
        done = self.filtered(lambda s: s.state == "done")
        for settlement in done:
            settlement.dispute_ids.filtered(lambda d: d.state in ("new", "investigating"))._resolve(
                settlement
            )

    def action_view_moves(self):
        self.ensure_one()
        return self._moves_action(self.move_ids, self.name)

    @api.model
    def _moves_action(self, moves, name):
        """The entries of a settlement or a dispute: the one entry's form, else their list."""
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Entries of %s", name),
            "res_model": "account.move",
            "view_mode": "list,form",
            "domain": [("id", "in", moves.ids)],
            "context": {"create": False},
        }
        if len(moves) == 1:
            action.update(view_mode="form", res_id=moves.id)
        return action

    def action_view_payment(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Payment"),
            "res_model": "account.payment",
            "view_mode": "form",
            "res_id": self.payment_id.id,
        }

    def _summary(self):
        """How the difference was settled, in the words the customer reads."""
        self.ensure_one()
        documents = self.move_ids.filtered(lambda m: m.state == "posted") or self.move_ids
        parts = [self._type_label()]
        if documents:
            parts.append(", ".join(documents.mapped("name")))
        if self.payment_id:
            parts.append(self.payment_id.name)
        if self.amount and self.settlement_type != "explanation":
            parts.append(self.currency_id.format(self.amount))
        return " · ".join(parts)
