"""The statement: one customer, one period, the figures of the journal items.

The statement's process is split by step over the ``session_*.py`` files beside this one:
approval, sending, the customer's answer, the comparison with the customer's ledger and the
ledger check. Its lines and totals are written by the generation engine (``engine.py``).
"""

from calendar import monthrange

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..tools import aging, limits
from ..tools.file_names import safe_filename

STATES = [
    ("draft", "Draft"),
    ("to_approve", "To Approve"),
    ("approved", "Approved"),
    ("sent", "Sent"),
    ("confirmed", "Confirmed"),
    ("disputed", "Disputed"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# From submission on, the customer, the period, the currency and the figures no longer change.
FROZEN_STATES = ("to_approve", "approved", "sent", "confirmed", "disputed", "closed")
# What a statement is about: set while it is a draft, then frozen with its figures.
HEADER_FIELDS = frozenset(
    {"partner_id", "company_id", "currency_id", "date_from", "date_to", "analytic_account_ids"}
)
# Not even the workflow changes these once the statement is submitted.
FROZEN_FIELDS = HEADER_FIELDS | {"opening_balance", "closing_balance"}
# Who follows the statement and how it is filed: changes at any time.
ASSIGNMENT_FIELDS = frozenset({"tag_ids", "user_id", "salesperson_id"})
# How the customer's ledger is compared: changes until the statement is closed or cancelled.
COMPARISON_SETTINGS = frozenset(
    {"customer_ledger_date_tolerance", "customer_ledger_amount_tolerance"}
)
# The whitelist: what a user (any user, administrators included) may write directly, by state.
# Everything else - the state, who and when of each step, the digest, the version, the totals,
# the lines and open items, the customer's answer, the comparison's results - is written by the
# workflow only: the transition methods and the engine, through ``_workflow_write``.
EDITABLE_FIELDS = {
    "draft": HEADER_FIELDS | ASSIGNMENT_FIELDS | COMPARISON_SETTINGS,
    **dict.fromkeys(
        ("to_approve", "approved", "sent", "confirmed", "disputed"),
        ASSIGNMENT_FIELDS | COMPARISON_SETTINGS,
    ),
    **dict.fromkeys(("closed", "cancelled"), ASSIGNMENT_FIELDS),
}
CREATABLE_FIELDS = EDITABLE_FIELDS["draft"]
# The mark of a write by the workflow. A context value no client can send (JSON-RPC, forms
# and URLs carry only JSON values), so that no context key from outside unlocks the guard.
_WORKFLOW_MARK = object()
_WORKFLOW_KEY = "customer_reconciliation_workflow"
SEQUENCE_CODE = "customer.reconciliation.session"


def workflow_env(records):
    """``records`` allowed to write their workflow fields (statements and disputes).

    For one call only: records obtained through it must not be handed back to other code.
    """
    return records.with_context(**{_WORKFLOW_KEY: _WORKFLOW_MARK})


def is_workflow_call(records):
    return records.env.context.get(_WORKFLOW_KEY) is _WORKFLOW_MARK


def chatter_fields(env):
    """The chatter's fields (followers, activities, main attachment): any user may write them."""
    mail = set(env["mail.thread"]._fields) | set(env["mail.activity.mixin"]._fields)
    return mail - {"id", "display_name"}


def without_client_defaults(records, creatable):
    """``records`` without the ``default_*`` context keys of fields outside ``creatable``: a
    default a client slips into the context (default_state, ...) is not a value either. The
    context is rebuilt, as keys cannot be removed through kwargs."""
    return records.with_context(  # pylint: disable=context-overridden
        {
            key: value
            for key, value in records.env.context.items()
            if not key.startswith("default_") or key[len("default_") :] in creatable
        }
    )


class CustomerReconciliationSession(models.Model):
    """A reconciliation statement (对账单) of one customer for one period.

    ``customer.reconciliation.session`` is the product's name for a reconciliation session;
    the user interface calls it a Statement.
    """

    _name = "customer.reconciliation.session"
    _description = "Customer Reconciliation Statement"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "customer.reconciliation.validated.input",
    ]
    _order = "date_to desc, partner_id, version desc, id desc"
    # Customers answer on the portal with read access only (like invoices and sale orders).
    _mail_post_access = "read"

    name = fields.Char(
        string="Number", required=True, readonly=True, copy=False, default="/", index="trigram"
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        domain="[('is_company', '=', True)]",
        help="The commercial entity: journal items of all its contacts are included.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    company_currency_id = fields.Many2one(
        related="company_id.currency_id", string="Company Currency"
    )
    currency_id = fields.Many2one(
        "res.currency",
        string="Statement Currency",
        required=True,
        default=lambda self: self.env.company.currency_id,
        help="Company currency: every journal item, in company currency.\n"
        "A foreign currency: only the journal items in that currency, with their amount in currency.",
    )
    is_foreign_currency = fields.Boolean(compute="_compute_is_foreign_currency")
    date_from = fields.Date(string="From", required=True, index=True)
    date_to = fields.Date(string="To", required=True, index=True)
    analytic_account_ids = fields.Many2many(
        "account.analytic.account",
        "customer_reconciliation_session_analytic_rel",
        "session_id",
        "analytic_account_id",
        string="Dimension Scope",
        help="Auxiliary dimensions (辅助核算): when set, only journal items whose analytic "
        "distribution carries one of these accounts are included.",
    )
    scope_key = fields.Char(
        compute="_compute_scope_key",
        store=True,
        readonly=False,  # given on creation (engine): kept, no UPDATE; guarded (whitelist)
        help="Technical: the sorted dimension ids.",
    )
    tag_ids = fields.Many2many("customer.reconciliation.tag", string="Tags")
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        default=lambda self: self.env.user,
        tracking=True,
        index=True,
        domain="[('share', '=', False)]",
    )
    salesperson_id = fields.Many2one(
        "res.users",
        compute="_compute_salesperson_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
    )
    state = fields.Selection(STATES, default="draft", required=True, tracking=True, index=True)
    version = fields.Integer(default=1, required=True, readonly=True, copy=False)
    run_id = fields.Many2one("customer.reconciliation.run", string="Generation Run", readonly=True)
    line_ids = fields.One2many("customer.reconciliation.line", "session_id", string="Lines")
    open_item_ids = fields.One2many(
        "customer.reconciliation.open.item", "session_id", string="Open Items"
    )
    generated_at = fields.Datetime(string="Generated On", readonly=True, copy=False)

    # Totals: written by the generation engine, in the statement currency.
    opening_balance = fields.Monetary(readonly=True, tracking=True, copy=False)
    period_debit = fields.Monetary(
        string="Invoiced",
        readonly=True,
        copy=False,
        help="Debits of the period: invoices, refunds paid out, ...",
    )
    period_credit = fields.Monetary(
        string="Paid / Credited",
        readonly=True,
        copy=False,
        help="Credits of the period: payments, credit notes, ...",
    )
    closing_balance = fields.Monetary(readonly=True, tracking=True, copy=False)
    closing_balance_company = fields.Monetary(
        string="Closing Balance (Company Currency)",
        currency_field="company_currency_id",
        readonly=True,
        copy=False,
    )
    overdue_amount = fields.Monetary(
        string="Overdue",
        readonly=True,
        copy=False,
        help="Open amount past its due date at the end date. Credits not yet applied "
        "(unapplied payments, credit notes) are counted as not due.",
    )
    # One total per aging bucket (tools/aging.py), in the same order.
    aging_not_due = fields.Monetary(string="Not Due", readonly=True, copy=False)
    aging_1_30 = fields.Monetary(string="1-30 Days", readonly=True, copy=False)
    aging_31_60 = fields.Monetary(string="31-60 Days", readonly=True, copy=False)
    aging_61_90 = fields.Monetary(string="61-90 Days", readonly=True, copy=False)
    aging_over_90 = fields.Monetary(string="Over 90 Days", readonly=True, copy=False)
    line_count = fields.Integer(string="Journal Items", readonly=True, copy=False)
    open_item_count = fields.Integer(string="Open Items Count", readonly=True, copy=False)

    _period_check = models.Constraint(
        "CHECK (date_from <= date_to)", "The start of the period must be on or before its end."
    )
    _statement_unique = models.Constraint(
        "UNIQUE (company_id, partner_id, date_from, date_to, currency_id, scope_key, version)",
        "A statement for this customer, period, currency and scope already exists with this version.",
    )

    # ------------------------------------------------------------------ compute methods
    @api.depends("currency_id", "company_id")
    def _compute_is_foreign_currency(self):
        for session in self:
            session.is_foreign_currency = session.currency_id != session.company_id.currency_id

    @api.depends("analytic_account_ids")
    def _compute_scope_key(self):
        for session in self:
            session.scope_key = self._make_scope_key(session.analytic_account_ids.ids)

    @api.model
    def _make_scope_key(self, analytic_ids):
        return ",".join(str(i) for i in sorted(set(analytic_ids)))

    @api.depends("partner_id")
    def _compute_salesperson_id(self):
        for session in self:
            session.salesperson_id = session.partner_id.commercial_partner_id.user_id

    @api.depends("name", "partner_id", "date_to")
    def _compute_display_name(self):
        for session in self:
            parts = [session.name or "/"]
            if session.partner_id:
                parts.append(session.partner_id.display_name)
            session.display_name = " - ".join(parts)

    # ------------------------------------------------------------------ CRUD
    def _workflow_write(self, vals):
        """Write workflow fields: for the transition methods and the engine only.

        Always tracked in the chatter: a client's ``tracking_disable`` / ``mail_notrack`` does
        not hide a transition from the audit trail.
        """
        return workflow_env(self.with_context(tracking_disable=False, mail_notrack=False)).write(
            vals
        )

    @api.model
    def _workflow_create(self, vals_list):
        """Create statements with workflow fields (version, run): the engine and new versions."""
        # The new records are handed back without the mark: later writes are checked again.
        return workflow_env(self).create(vals_list).with_env(self.env)

    @api.model
    def _user_writable_fields(self, state):
        """The fields a user may write on a statement in ``state``: the whitelist and the
        chatter's (followers, activities, main attachment)."""
        return EDITABLE_FIELDS[state] | chatter_fields(self.env)

    def _check_user_write(self, names):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for state in set(self.mapped("state")):
            forbidden = names - self._user_writable_fields(state)
            if forbidden:
                session = self.filtered(lambda s, state=state: s.state == state)[:1]
                if state in FROZEN_STATES and forbidden & FROZEN_FIELDS:
                    raise UserError(
                        self.env._(
                            "Statement %s is frozen: its customer, period, currency and figures no longer change.",
                            session.name,
                        )
                    )
                raise UserError(
                    self.env._(
                        "Statement %(name)s is %(state)s: %(fields)s can only change through its workflow"
                        " (generate, submit, approve, send, the customer's answer, close).",
                        name=session.name,
                        state=labels[state],
                        fields=", ".join(sorted(self._field_label(n) for n in forbidden)),
                    )
                )

    def _field_label(self, name):
        field = self._fields.get(name)
        return f"{field._description_string(self.env)} ({name})" if field else name

    @api.model
    def _check_user_create(self, vals_list):
        creatable = self._user_writable_fields("draft")
        forbidden = set().union(*(set(vals) for vals in vals_list)) - creatable
        if forbidden:
            raise UserError(
                self.env._(
                    "A new statement starts as a draft: %(fields)s are set by its workflow, not on creation.",
                    fields=", ".join(sorted(self._field_label(n) for n in forbidden)),
                )
            )
        return without_client_defaults(self, creatable)

    @api.model_create_multi
    def create(self, vals_list):
        Session = self if is_workflow_call(self) else self._check_user_create(vals_list)
        for vals in vals_list:
            Session._check_header_values(vals)
        partners = self.env["res.partner"].browse(
            {vals["partner_id"] for vals in vals_list if vals.get("partner_id")}
        )
        commercial = {partner.id: partner.commercial_partner_id.id for partner in partners}
        for vals in vals_list:
            if vals.get("partner_id"):
                vals["partner_id"] = commercial[vals["partner_id"]]
        missing = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        if missing:
            # One query for the whole batch: statements are numbered by their end date.
            by_date, today = {}, fields.Date.context_today(self)
            for vals in missing:
                by_date.setdefault(vals.get("date_to") or today, []).append(vals)
            for date_to, group in by_date.items():
                for vals, name in zip(group, self._allocate_numbers(len(group), date_to)):
                    vals["name"] = name
        return super(CustomerReconciliationSession, Session).create(vals_list)

    @api.model
    def _company_sequence(self, company):
        """The statement sequence of ``company``: its own, made on first use from the shared
        one (same prefix, date ranges and kind, continuing from its next number), so that each
        company numbers its statements without the gaps of the others'."""
        Sequence = self.env["ir.sequence"].sudo()
        domain = [("code", "=", SEQUENCE_CODE), ("company_id", "in", [company.id, False])]
        sequence = Sequence.search(domain, order="company_id", limit=1)
        if not sequence:
            raise UserError(self.env._("The sequence of reconciliation statements is missing."))
        if sequence.company_id:
            return sequence
        # One worker makes it: the others wait on the shared row, then find it.
        self.env.cr.execute(SQL("SELECT id FROM ir_sequence WHERE id = %s FOR UPDATE", sequence.id))
        own = Sequence.search([("code", "=", SEQUENCE_CODE), ("company_id", "=", company.id)])
        return own or sequence.copy(
            {
                "company_id": company.id,
                "name": f"{sequence.name} ({company.name})",
                "number_next": sequence.number_next_actual,
            }
        )

    def _allocate_numbers(self, count, date):
        """Draw ``count`` statement numbers in one query (as get_next_char, prefix once)."""
        sequence = self._company_sequence(self.env.company)
        sequence = sequence.with_context(ir_sequence_date=fields.Date.to_date(date))
        if sequence.use_date_range or count == 1:
            return [sequence.next_by_id(sequence_date=date) for _i in range(count)]
        prefix, suffix, pad = *sequence._get_prefix_suffix(), f"%0{sequence.padding}d"
        if sequence.implementation == "no_gap":
            # Gapless: drawn in this transaction, given back if it fails; waits for another.
            sequence.flush_recordset(["number_next"])
            step = sequence.number_increment
            self.env.cr.execute(
                SQL(
                    "UPDATE ir_sequence SET number_next = number_next + %s WHERE id = %s"
                    " RETURNING number_next - %s",
                    count * step,
                    sequence.id,
                    count * step,
                ),
                log_exceptions=False,  # a conflict with another worker is retried, not an error
            )
            first = self.env.cr.fetchone()[0]
            sequence.invalidate_recordset(["number_next"])
            return [prefix + pad % (first + i * step) + suffix for i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s) ORDER BY 1",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [prefix + pad % number + suffix for (number,) in self.env.cr.fetchall()]

    def write(self, vals):
        if not is_workflow_call(self):
            self._check_user_write(set(vals))
        elif FROZEN_FIELDS & set(vals):
            frozen = self.filtered(lambda s: s.state in FROZEN_STATES)
            if frozen:
                raise UserError(
                    self.env._(
                        "Statement %s is frozen: its customer, period, currency and figures no longer change.",
                        frozen[0].name,
                    )
                )
        if HEADER_FIELDS & set(vals):
            for session in self:
                session._check_header_values(vals)
        if vals.get("partner_id"):
            vals["partner_id"] = (
                self.env["res.partner"].browse(vals["partner_id"]).commercial_partner_id.id
            )
        return super().write(vals)

    def _check_header_values(self, vals):
        """The period of ``vals`` (else the statement's) is sane, before any number is drawn."""
        labels = {
            name: self._fields[name]._description_string(self.env)
            for name in ("date_from", "date_to")
        }
        try:
            dates = {
                name: limits.check_date(vals[name], labels[name]) if vals.get(name) else self[name]
                for name in labels
            }
            if not (dates["date_from"] and dates["date_to"]):
                raise UserError(
                    self.env._("A statement needs the start and the end of its period.")
                )
            limits.check_period(dates["date_from"], dates["date_to"], *labels.values())
        except limits.InputError as error:
            raise ValidationError(self.env._(error.message, **error.params)) from None

    def _portal_ensure_token(self):
        # portal.mixin's own, as the workflow: the token is drawn by the server only.
        return super(CustomerReconciliationSession, workflow_env(self))._portal_ensure_token()

    def unlink(self):
        self._unlink_only_draft_or_cancelled()  # first: mail.thread's cleanup precedes ondelete
        super().unlink()
        self.env["customer.reconciliation.engine"]._delete_parts(self.ids)  # their cascade
        return True

    def _check_parts_deletable(self):
        """Lines and open items go (through the ORM) only with a draft or cancelled statement,
        for every user, the superuser too; the engine replaces those of drafts with SQL."""
        frozen = self.filtered(lambda s: s.state not in ("draft", "cancelled"))
        if frozen:
            raise UserError(
                self.env._(
                    "Statement %s is no longer a draft: its lines and open items are part of what was frozen.",
                    frozen[0].name,
                )
            )

    def _unlink_only_draft_or_cancelled(self):
        for session in self:
            if session.state not in ("draft", "cancelled"):
                raise UserError(
                    self.env._(
                        "Statement %(name)s is %(state)s: only draft or cancelled statements can be deleted.",
                        name=session.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            session.state
                        ],
                    )
                )

    # ------------------------------------------------------------------ documents
    def _get_report_lang(self):
        """The language the customer reads: the statement language, else its contact's."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        installed = dict(self.env["res.lang"].get_installed())
        contact = partner._reconciliation_statement_contact(self.company_id)
        for code in (partner.reconciliation_lang, contact.lang, partner.lang, self.env.lang):
            if code and code in installed:
                return code
        return "en_US"

    def _get_report_period_label(self):
        """``2026-10`` for a calendar month, else ``2026-10-01_2026-12-31``."""
        self.ensure_one()
        start, end = self.date_from, self.date_to
        if (
            start.day == 1
            and (start.year, start.month) == (end.year, end.month)
            and end.day == monthrange(end.year, end.month)[1]
        ):
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"

    def _get_report_base_filename(self, kind="statement"):
        """File name (without extension) carrying the number, the customer and the period.

        ``kind``: statement, letter, statement_letter (the PDFs and the statement workbook,
        in the customer's language) or comparison (the comparison with their ledger, in the
        reader's language).
        """
        self.ensure_one()
        env = (
            self.env
            if kind == "comparison"
            else self.with_context(lang=self._get_report_lang()).env
        )
        prefix = {
            "statement": env._("Statement"),
            "letter": env._("Balance Confirmation"),
            "statement_letter": env._("Statement and Balance Confirmation"),
            "comparison": env._("Comparison"),
        }[kind]
        name = f"{prefix} {self.name} {self.partner_id.name} {self._get_report_period_label()}"
        return safe_filename(name)

    def _get_balances_base_filename(self):
        """File name (without extension) of the receivable balances of these statements."""
        name = self.env._("Receivable Balances")
        if len(self.partner_id) == 1:
            name += f" {self.partner_id.name}"
        if self:
            start, end = min(self.mapped("date_from")), max(self.mapped("date_to"))
            periods = {(s.date_from, s.date_to) for s in self}
            if len(periods) == 1:
                name += f" {self[:1]._get_report_period_label()}"
            else:
                name += f" {start:%Y-%m-%d}_{end:%Y-%m-%d}"
        return safe_filename(name)

    def _get_aging(self):
        """[(label, amount)] of the aging buckets at the end date, in the current language."""
        self.ensure_one()
        return [
            (self._fields[name]._description_string(self.env), self[name]) for name in aging.FIELDS
        ]

    # ------------------------------------------------------------------ actions
    def action_regenerate(self):
        """Recompute lines and totals from the ledger (draft statements only)."""
        self._check_group(
            "customer_reconciliation.group_reconciliation_user", self.env._("regenerate")
        )
        self.check_access("write")
        not_draft = self.filtered(lambda s: s.state != "draft")
        if not_draft:
            raise UserError(
                self.env._(
                    "Only draft statements can be regenerated; %(names)s are no longer drafts.",
                    names=", ".join(not_draft.mapped("name")),
                )
            )
        self.env["customer.reconciliation.engine"]._fill_sessions(self)
        self.env["customer.reconciliation.engine"]._compare_again(self)
        return True

    def action_open_journal_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Journal Items of %s", self.name),
            "res_model": "account.move.line",
            "view_mode": "list,form",
            "domain": [("id", "in", self.line_ids.move_line_id.ids)],
            "context": {"create": False},
        }

    def action_open_open_items(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open Items of %s", self.name),
            "res_model": "customer.reconciliation.open.item",
            "view_mode": "list",
            "domain": [("session_id", "=", self.id)],
            "context": {"create": False},
        }

    def action_download_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_reconciliation/statement/{self.id}/xlsx",
            "target": "download",
        }

    def action_download_balances_xlsx(self, with_statement_sheets=False):
        ids = ",".join(str(i) for i in self.ids)
        url = f"/customer_reconciliation/balances/xlsx?ids={ids}"
        if with_statement_sheets:
            url += "&sheets=1"
        return {"type": "ir.actions.act_url", "url": url, "target": "download"}

    # ------------------------------------------------------------------ demo data
    @api.model
    def _load_demo_data(self):
        """Build the demo company and its customers (called by demo/demo_data.xml only)."""
        from ..demo import reconciliation_demo  # noqa: PLC0415 - demo code stays out of production

        reconciliation_demo.load(self.env)
