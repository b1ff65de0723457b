"""Collections (收款登记): money a salesperson says a customer handed over, to be found again in
the cashier's receipts (customer payments, bank statement lines).

States: ``reported`` (the salesperson's word) - the matcher (collection_matching.py) may
propose a receipt, the collection stays reported - ``matched`` (a cashier validated the
proposal) - ``deposited`` (the receipt is in the bank: a bank statement line, or a payment
matched with the bank statement). ``missing``: still without a validated receipt N days after
its date (the nightly check); a missing collection can still be matched when the money turns
up. A validated match is never edited; state, receipt and who-validated are written by the
workflow methods only, for every user (see session.py's whitelist).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import limits
from .account_move import MANAGER_GROUP
from .session import chatter_fields, is_workflow_call, without_client_defaults, workflow_env

METHODS = [
    ("transfer", "Bank Transfer"),
    ("cheque", "Cheque"),
    ("cash", "Cash"),
    ("other", "Other"),
]
STATES = [
    ("reported", "Reported"),
    ("matched", "Matched"),
    ("deposited", "Deposited"),
    ("missing", "Missing"),
]
# Waiting for a validated receipt: the matcher works on these.
OPEN_STATES = ("reported", "missing")
MATCH_KINDS = [
    ("exact", "Same amount"),
    ("grouped", "Grouped deposit"),
    ("other_customer", "Booked to another customer"),
    ("manual", "By hand"),
]
# What the salesperson reports, and may correct while nothing is proposed or validated.
REPORTED_FIELDS = frozenset(
    {"partner_id", "date", "amount", "currency_id", "method", "reference", "proof", "proof_name"}
    | {"note"}
)
CREATABLE_FIELDS = REPORTED_FIELDS | {"user_id", "company_id"}
SEQUENCE_CODE = "customer.reconciliation.collection"
CASHIER_GROUP = "customer_reconciliation.group_reconciliation_cashier"
# Who may read payments and bank statement lines (a salesperson may not): the rejected receipts.
ACCOUNTING_READERS = "account.group_account_invoice,account.group_account_readonly"


class CustomerReconciliationCollection(models.Model):
    """A payment a salesperson collected from a customer, until the cashier finds it."""

    _name = "customer.reconciliation.collection"
    _description = "Collection Reported by a Salesperson"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True
    # Reading the collection is enough to comment on it (cashiers only read).
    _mail_post_access = "read"

    name = fields.Char(string="Number", readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    date = fields.Date(
        string="Collected On", required=True, default=fields.Date.context_today, tracking=True
    )
    amount = fields.Monetary(required=True, tracking=True, currency_field="currency_id")
    currency_id = fields.Many2one(
        "res.currency",
        required=True,
        tracking=True,
        default=lambda self: self.env.company.currency_id,
    )
    amount_company = fields.Monetary(
        string="Amount in Company Currency",
        compute="_compute_amount_company",
        store=True,
        currency_field="company_currency_id",
        help="The amount at the company's rate of the collection date.",
    )
    method = fields.Selection(METHODS, required=True, default="transfer", tracking=True)
    reference = fields.Char(
        string="Cheque / Transfer No.",
        tracking=True,
        help="Cheque number, transfer reference: helps the cashier find it.",
    )
    proof = fields.Binary(attachment=True, help="A photo or scan of the cheque, receipt or slip.")
    proof_name = fields.Char(string="Proof File Name")
    note = fields.Text()
    user_id = fields.Many2one(
        "res.users",
        string="Salesperson",
        required=True,
        index=True,
        tracking=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    state = fields.Selection(
        STATES, default="reported", required=True, readonly=True, index=True, tracking=True
    )
    # The receipt: proposed by the matcher while reported or missing, validated once matched.
    # Several collections pointing to one receipt: a grouped deposit.
    payment_id = fields.Many2one(
        "account.payment", readonly=True, index="btree_not_null", copy=False
    )
    statement_line_id = fields.Many2one(
        "account.bank.statement.line",
        string="Bank Statement Line",
        readonly=True,
        index="btree_not_null",
        copy=False,
    )
    match_kind = fields.Selection(MATCH_KINDS, readonly=True, copy=False)
    receipt_name = fields.Char(
        string="Receipt",
        compute="_compute_receipt_name",
        help="The payment or bank statement line proposed or validated.",
    )
    match_proposed = fields.Boolean(
        compute="_compute_match_proposed",
        store=True,
        help="The matcher found a receipt; a cashier validates or rejects it.",
    )
    receipt_partner_id = fields.Many2one(
        "res.partner",
        string="Receipt Booked To",
        compute="_compute_receipt",
        store=True,
        help="The customer (commercial entity) of the proposed or validated receipt.",
    )
    receipt_date = fields.Date(compute="_compute_receipt", store=True)
    partner_mismatch = fields.Boolean(
        string="Booked to Another Customer",
        compute="_compute_receipt",
        store=True,
        help="The receipt is booked to another customer than the one reported, or to none.",
    )
    rejected_payment_ids = fields.Many2many(
        "account.payment",
        "customer_reconciliation_collection_rejected_payment_rel",
        "collection_id",
        "payment_id",
        string="Rejected Payments",
        groups=ACCOUNTING_READERS,
        readonly=True,
        copy=False,
    )
    rejected_statement_line_ids = fields.Many2many(
        "account.bank.statement.line",
        "customer_reconciliation_collection_rejected_line_rel",
        "collection_id",
        "line_id",
        string="Rejected Statement Lines",
        groups=ACCOUNTING_READERS,
        readonly=True,
        copy=False,
    )
    matched_by_id = fields.Many2one("res.users", string="Validated By", readonly=True, copy=False)
    matched_date = fields.Datetime(string="Validated On", readonly=True, copy=False)
    deposited_date = fields.Date(string="Deposited On", readonly=True, copy=False)
    missing_date = fields.Date(
        string="Missing Since", readonly=True, copy=False, help="When the check flagged it."
    )

    _amount_positive = models.Constraint(
        "CHECK (amount > 0)", "A collection's amount must be more than zero."
    )
    _one_receipt = models.Constraint(
        "CHECK (payment_id IS NULL OR statement_line_id IS NULL)",
        "A collection is matched with a payment or a bank statement line, not both.",
    )
    _validated_has_receipt = models.Constraint(
        "CHECK (state NOT IN ('matched', 'deposited') OR payment_id IS NOT NULL"
        " OR statement_line_id IS NOT NULL)",
        "A matched collection has its receipt.",
    )

    # ------------------------------------------------------------ compute
    @api.depends("amount", "currency_id", "date", "company_id")
    def _compute_amount_company(self):
        for collection in self:
            company = collection.company_id or self.env.company
            currency = collection.currency_id or company.currency_id
            collection.amount_company = currency._convert(
                collection.amount,
                company.currency_id,
                company,
                collection.date or fields.Date.context_today(collection),
            )

    @api.depends("state", "payment_id", "statement_line_id")
    def _compute_match_proposed(self):
        for collection in self:
            collection.match_proposed = collection.state in OPEN_STATES and bool(
                collection.payment_id or collection.statement_line_id
            )

    @api.depends("payment_id", "statement_line_id")
    def _compute_receipt_name(self):
        for collection in self:
            receipt = collection.payment_id.sudo() or collection.statement_line_id.sudo()
            collection.receipt_name = receipt.display_name if receipt else False

    @api.depends(
        "partner_id",
        "payment_id.partner_id.commercial_partner_id",
        "payment_id.date",
        "statement_line_id.partner_id.commercial_partner_id",
        "statement_line_id.date",
    )
    def _compute_receipt(self):
        for collection in self:
            receipt = collection.payment_id.sudo() or collection.statement_line_id.sudo()
            partner = receipt.partner_id.commercial_partner_id
            collection.receipt_partner_id = partner
            collection.receipt_date = receipt.date if receipt else False
            collection.partner_mismatch = bool(receipt) and partner != collection.partner_id

    @api.depends("name", "partner_id")
    def _compute_display_name(self):
        for collection in self:
            number = collection.name
            if not number or number == "/":
                number = self.env._("New Collection")
            if not collection.partner_id:
                collection.display_name = number
                continue
            collection.display_name = self.env._(
                "%(number)s (%(customer)s)",
                number=number,
                customer=collection.partner_id.display_name,
            )

    # ------------------------------------------------------------ checks
    @api.model
    def _check_values(self, vals):
        """The amount is a finite amount of the currency, the texts bounded, the date sane."""
        currency = self.env["res.currency"].browse(vals.get("currency_id")) or self.currency_id[:1]
        digits = (currency or self.env.company.currency_id).decimal_places
        try:
            if "amount" in vals:
                limits.check_amount(vals["amount"] or 0.0, self._fields["amount"].string, digits)
            if vals.get("date"):
                limits.check_date(vals["date"], self._fields["date"].string)
            for name in ("reference", "note"):
                limits.check_text(vals.get(name), self._fields[name].string)
        except limits.InputError as error:
            raise ValidationError(self.env._(error.message, **error.params)) from None

    @api.constrains("date")
    def _check_date_not_future(self):
        today = fields.Date.context_today(self)
        for collection in self:
            if collection.date > today:
                raise ValidationError(
                    self.env._(
                        "Collection %(name)s is dated %(date)s, in the future: report money "
                        "once it is collected.",
                        name=collection.name,
                        date=collection.date,
                    )
                )

    def _workflow_write(self, vals):
        """Write state, receipt and validation fields: for the workflow methods only, always
        tracked (a client's ``tracking_disable`` does not hide a transition)."""
        return workflow_env(
            self.sudo().with_context(tracking_disable=False, mail_notrack=False)
        ).write(vals)

    # ------------------------------------------------------------ ORM
    @api.model_create_multi
    def create(self, vals_list):
        if not is_workflow_call(self):
            forbidden = set().union(*(set(vals) for vals in vals_list)) - CREATABLE_FIELDS
            if forbidden:
                raise UserError(
                    self.env._(
                        "A collection starts reported: %s are set by its workflow.",
                        ", ".join(sorted(forbidden)),
                    )
                )
            others = [
                vals for vals in vals_list if vals.get("user_id", self.env.uid) != self.env.uid
            ]
            if others and not self.env.user.has_group(MANAGER_GROUP):
                raise UserError(
                    self.env._(
                        "You report the collections you made yourself: only a Reconciliation "
                        "Manager records one in the name of another salesperson."
                    )
                )
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        )
        for vals in vals_list:
            self._check_values(vals)
            if vals.get("partner_id"):
                # The customer's account is kept on the commercial entity.
                vals["partner_id"] = partners.browse(vals["partner_id"]).commercial_partner_id.id
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(SEQUENCE_CODE) or "/"
        Collection = (
            self if is_workflow_call(self) else without_client_defaults(self, CREATABLE_FIELDS)
        )
        collections = super(CustomerReconciliationCollection, Collection).create(vals_list)
        return collections.with_env(self.env)

    def write(self, vals):
        if not is_workflow_call(self):
            self._check_user_write(set(vals))
            self._check_values(vals)
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals = {**vals, "partner_id": partner.commercial_partner_id.id}
        return super().write(vals)

    def _check_user_write(self, names):
        """Outside the workflow: the chatter for anyone who can read; what was reported, by
        its salesperson only, while no receipt is proposed or validated."""
        forbidden = names - chatter_fields(self.env)
        if not forbidden:
            return
        not_reported = forbidden - REPORTED_FIELDS
        if not_reported:
            raise UserError(
                self.env._(
                    "Collections: %s change only through the Match, Validate, Reject and "
                    "Unmatch buttons and the nightly check.",
                    ", ".join(sorted(not_reported)),
                )
            )
        for collection in self:
            if collection.state not in OPEN_STATES or collection.match_proposed:
                raise UserError(
                    self.env._(
                        "Collection %s has a receipt proposed or validated: what was reported "
                        "no longer changes (a cashier rejects the proposal first).",
                        collection.name,
                    )
                )
            if collection.user_id != self.env.user:
                raise UserError(
                    self.env._(
                        "Collection %(name)s was reported by %(user)s: only they correct it.",
                        name=collection.name,
                        user=collection.user_id.name,
                    )
                )

    def unlink(self):
        for collection in self:
            if collection.state != "reported" or collection.match_proposed:
                raise UserError(
                    self.env._(
                        "Collection %s has a receipt proposed or validated, or was flagged "
                        "missing: it stays as a trace.",
                        collection.name,
                    )
                )
            if collection.user_id != self.env.user and not self.env.su:
                raise UserError(
                    self.env._(
                        "Collection %(name)s was reported by %(user)s: only they delete it.",
                        name=collection.name,
                        user=collection.user_id.name,
                    )
                )
        return super().unlink()
