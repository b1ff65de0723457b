"""The statement, step 5: the disputes the customer raises, until they are settled."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools import limits
from .session import chatter_fields, is_workflow_call, without_client_defaults, workflow_env

DISPUTE_REASONS = [
    ("missing_invoice", "Invoice missing on our side"),
    ("payment_not_recorded", "Payment not recorded"),
    ("amount_differs", "Amount differs"),
    ("duplicate", "Duplicate"),
    ("return_not_credited", "Return not credited"),
    ("price_discount", "Price / discount"),
    ("other", "Other"),
]

DISPUTE_SOURCES = [
    ("internal", "Recorded by us"),
    ("salesperson", "Reported by the salesperson"),
    ("portal", "Customer portal"),
    ("ledger", "Customer ledger comparison"),
]

DISPUTE_STATES = [
    ("new", "New"),
    ("investigating", "Investigating"),
    ("resolved", "Resolved"),
    ("rejected", "Rejected"),
]
# Not settled yet: the dispute still waits for its investigation or its settlement.
UNSETTLED = ("new", "investigating")

# Why the difference arose, once known: kept apart from the reason the customer gave.
ROOT_CAUSES = [
    ("our_price", "Our error: wrong price"),
    ("our_credit", "Our error: missed credit"),
    ("our_duplicate", "Our error: duplicate"),
    ("our_customer", "Our error: wrong customer"),
    ("our_posting", "Our error: posting error"),
    ("customer_error", "Customer's error"),
    ("timing_transit", "Timing: in transit"),
    ("timing_cutoff", "Timing: cut-off"),
]
ROOT_CAUSE_SIDES = [("ours", "Our error"), ("theirs", "Customer's error"), ("timing", "Timing")]


def root_cause_side(root_cause):
    """Whose side a root cause is on: ours, theirs (the customer's) or timing."""
    if not root_cause:
        return False
    if root_cause.startswith("our_"):
        return "ours"
    return "timing" if root_cause.startswith("timing_") else "theirs"


# Who follows the dispute and why it arose: set by users while it is not settled.
ASSIGNMENT = frozenset({"user_id", "date_deadline", "root_cause"})
# What a user records by hand on a dispute (the customer's words when they told us), and may
# correct while it is open. State, who and when of the settlement: its transitions only.
USER_EDITABLE = (
    frozenset({"line_ids", "reason", "customer_amount", "comment", "resolution"}) | ASSIGNMENT
)
USER_CREATABLE = USER_EDITABLE | {"session_id"}


class CustomerReconciliationDispute(models.Model):
    """A difference the customer raised on a statement: a line, several, or the whole balance.

    Reachable by the customer in the portal: its status and a message thread to reply in.
    """

    _name = "customer.reconciliation.dispute"
    _description = "Customer Reconciliation Dispute"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "customer.reconciliation.validated.input",
    ]
    _order = "id desc"
    # Customers answer on the portal with read access only (like invoices and sale orders).
    _mail_post_access = "read"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False, default="/")
    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
        check_company=True,
    )
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="session_id.partner_id", store=True, string="Customer")
    salesperson_id = fields.Many2one(related="session_id.salesperson_id", store=True)
    currency_id = fields.Many2one(related="session_id.currency_id")
    line_ids = fields.Many2many(
        "customer.reconciliation.line",
        "customer_reconciliation_dispute_line_rel",
        "dispute_id",
        "line_id",
        string="Disputed Lines",
        domain="[('session_id', '=', session_id), ('kind', '!=', 'opening')]",
        help="Empty: the customer disputes the whole balance.",
    )
    reason = fields.Selection(DISPUTE_REASONS, required=True, default="other", tracking=True)
    source = fields.Selection(DISPUTE_SOURCES, required=True, default="internal", readonly=True)
    our_amount = fields.Monetary(
        compute="_compute_our_amount",
        store=True,
        help="Our amount: the disputed lines, or the closing balance when the whole balance is disputed.",
    )
    customer_amount = fields.Monetary(string="Customer's Amount", tracking=True)
    difference = fields.Monetary(compute="_compute_our_amount", store=True)
    comment = fields.Text(string="Customer's Comment")
    state = fields.Selection(
        DISPUTE_STATES, default="new", required=True, tracking=True, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        default=lambda self: self._default_owner(),
        domain="[('share', '=', False)]",
        tracking=True,
        index=True,
        help="Who investigates and settles the dispute. Gets an activity due on the deadline.",
    )
    date_deadline = fields.Date(
        string="Deadline",
        default=lambda self: self._default_deadline(),
        tracking=True,
        index=True,
    )
    is_overdue = fields.Boolean(
        string="Overdue", compute="_compute_is_overdue", search="_search_is_overdue"
    )
    move_line_ids = fields.Many2many(
        "account.move.line",
        string="Journal Items",
        compute="_compute_move_line_ids",
        store=True,
        help="The journal items of the disputed lines.",
    )
    root_cause = fields.Selection(
        ROOT_CAUSES,
        tracking=True,
        index=True,
        help="Why the difference arose, once known (the customer's reason is kept apart).",
    )
    root_cause_side = fields.Selection(
        ROOT_CAUSE_SIDES, compute="_compute_root_cause_side", store=True, string="Whose Error"
    )
    resolution = fields.Text(tracking=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    resolved_date = fields.Datetime(readonly=True)

    def _default_owner(self):
        session_id = self.env.context.get("default_session_id")
        if isinstance(session_id, int):
            session = self.env["customer.reconciliation.session"].browse(session_id).exists()
            if session.user_id:
                return session.user_id
        return False

    def _default_deadline(self):
        days = self.env.company.reconciliation_dispute_days or 10
        return fields.Date.context_today(self) + timedelta(days=days)

    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            dispute.is_overdue = bool(
                dispute.state in UNSETTLED
                and dispute.date_deadline
                and dispute.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            return NotImplemented
        overdue = [
            ("state", "in", UNSETTLED),
            ("date_deadline", "<", fields.Date.context_today(self)),
        ]
        return overdue if (operator == "=") == value else ["!", *overdue]

    @api.depends("line_ids.move_line_id")
    def _compute_move_line_ids(self):
        for dispute in self:
            dispute.move_line_ids = dispute.line_ids.move_line_id

    @api.depends("root_cause")
    def _compute_root_cause_side(self):
        for dispute in self:
            dispute.root_cause_side = root_cause_side(dispute.root_cause)

    @api.depends("line_ids.amount", "session_id.closing_balance", "customer_amount")
    def _compute_our_amount(self):
        for dispute in self:
            if dispute.line_ids:
                dispute.our_amount = sum(dispute.line_ids.mapped("amount"))
            else:
                dispute.our_amount = dispute.session_id.closing_balance
            dispute.difference = dispute.customer_amount - dispute.our_amount

    # ------------------------------------------------------------------ CRUD
    @api.model
    def _workflow_create(self, vals_list):
        """Create disputes as the statement's workflow does (portal, comparison, answer)."""
        # Only the values given: no default_* key of the caller's context (a client's) applies.
        return (
            workflow_env(without_client_defaults(self, set())).create(vals_list).with_env(self.env)
        )

    def _workflow_write(self, vals):
        return workflow_env(self).write(vals)

    @api.model
    def _check_dispute_values(self, vals, currency=None):
        """The customer's amount is a finite amount of the currency, the texts are bounded."""
        digits = (currency or self.env.company.currency_id).decimal_places
        try:
            if "customer_amount" in vals:
                limits.check_amount(
                    vals["customer_amount"] or 0.0, self._fields["customer_amount"].string, digits
                )
            for name in ("comment", "resolution"):
                limits.check_text(vals.get(name), self._fields[name].string)
        except limits.InputError as error:
            raise ValidationError(self.env._(error.message, **error.params)) from None

    @api.model_create_multi
    def create(self, vals_list):
        workflow = is_workflow_call(self)
        if not workflow:
            forbidden = set().union(*(set(vals) for vals in vals_list)) - USER_CREATABLE
            if forbidden:
                raise UserError(
                    self.env._(
                        "A dispute starts open, recorded by us: %s are set by its workflow.",
                        ", ".join(sorted(forbidden)),
                    )
                )
        sessions = self.env["customer.reconciliation.session"].browse(
            {vals["session_id"] for vals in vals_list if vals.get("session_id")}
        )
        if not workflow:
            sessions._check_state(
                ["draft", "to_approve", "approved", "sent", "confirmed", "disputed"],
                self.env._("dispute"),
            )
        for vals in vals_list:
            self._check_dispute_values(vals, sessions.browse(vals.get("session_id")).currency_id)
        self._check_lines_on_statement(
            [(vals.get("line_ids"), sessions.browse(vals.get("session_id"))) for vals in vals_list]
        )
        # Numbers are drawn last, once every value is known to be valid.
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("customer.reconciliation.dispute") or "/"
                )
        Dispute = self if workflow else without_client_defaults(self, USER_CREATABLE)
        disputes = super(CustomerReconciliationDispute, Dispute).create(vals_list)
        if not workflow:
            # Recorded by hand on a sent statement: the statement is disputed, as through the
            # "Record Customer Answer" flow.
            sessions.filtered(lambda s: s.state == "sent")._workflow_write({"state": "disputed"})
        disputes._fill_assignment()
        disputes._schedule_owner_activity()
        return disputes

    def _fill_assignment(self):
        """Disputes raised by the workflow (portal, comparison) get the statement's responsible
        as owner and the company's deadline, as those recorded by hand do by default."""
        for dispute in self.filtered(lambda d: not d.user_id or not d.date_deadline):
            vals = {}
            if not dispute.user_id:
                owner = dispute.session_id.user_id or dispute.session_id.salesperson_id
                if not owner and not self.env.user.share and not self.env.user._is_superuser():
                    owner = self.env.user
                if owner:
                    vals["user_id"] = owner.id
            if not dispute.date_deadline:
                days = dispute.company_id.reconciliation_dispute_days or 10
                vals["date_deadline"] = fields.Date.context_today(dispute) + timedelta(days=days)
            if vals:
                dispute._workflow_write(vals)

    def _schedule_owner_activity(self):
        """One to-do for the owner, due on the deadline; moved when either changes."""
        todo = self.env.ref("mail.mail_activity_data_todo", raise_if_not_found=False)
        if not todo:
            return
        for dispute in self:
            existing = dispute.activity_ids.filtered(lambda a: a.activity_type_id == todo)
            if dispute.state not in UNSETTLED or not dispute.user_id:
                existing.unlink()
                continue
            if existing:
                existing.write(
                    {"user_id": dispute.user_id.id, "date_deadline": dispute.date_deadline}
                )
                continue
            dispute.activity_schedule(
                "mail.mail_activity_data_todo",
                date_deadline=dispute.date_deadline,
                user_id=dispute.user_id.id,
                summary=self.env._("Settle dispute %s", dispute.name),
                note=self.env._(
                    "%(partner)s: difference of %(amount)s on statement %(statement)s.",
                    partner=dispute.partner_id.display_name,
                    amount=dispute.currency_id.format(dispute.difference),
                    statement=dispute.session_id.name,
                ),
            )

    def write(self, vals):
        if not is_workflow_call(self):
            mail = chatter_fields(self.env)
            for dispute in self:
                allowed = mail | (
                    (
                        USER_EDITABLE
                        if dispute.source in ("internal", "salesperson")
                        else ASSIGNMENT | {"resolution"}
                    )
                    if dispute.state in UNSETTLED
                    else set()
                )
                forbidden = set(vals) - allowed
                if forbidden:
                    raise UserError(
                        self.env._(
                            "Dispute %(name)s: %(fields)s change only by resolving, rejecting or "
                            "reopening it (the customer's own words stay as they wrote them).",
                            name=dispute.name,
                            fields=", ".join(sorted(forbidden)),
                        )
                    )
        self._check_dispute_values(vals, self.currency_id[:1])
        if "line_ids" in vals:
            self._check_lines_on_statement([(vals["line_ids"], d.session_id) for d in self])
        result = super().write(vals)
        if vals.keys() & {"user_id", "date_deadline", "state"}:
            self._schedule_owner_activity()
        return result

    @api.model
    def _check_lines_on_statement(self, pairs):
        """The lines each dispute names are lines of its statement, checked before anything is
        written, in one query for all. ``pairs``: (x2many commands, statement)."""
        wanted = []
        for commands, session in pairs:
            ids = set()
            for command in commands or ():
                if command[0] == fields.Command.SET:
                    ids.update(command[2])
                elif command[0] == fields.Command.LINK:
                    ids.add(command[1])
                elif command[0] == fields.Command.CREATE:
                    ids.add(0)  # a line made up with the dispute: never one of the statement's
            wanted.append((ids, session))
        Line = self.env["customer.reconciliation.line"].sudo()
        existing = Line.browse(set().union(*(ids for ids, _session in wanted)) - {0}).exists()
        for ids, session in wanted:
            lines = existing.filtered(lambda line, ids=ids: line.id in ids)
            if (
                0 in ids
                or len(lines) != len(ids)
                or any(line.session_id != session or line.kind == "opening" for line in lines)
            ):
                raise ValidationError(
                    self.env._(
                        "A dispute of statement %s can only name lines of that statement (not "
                        "its opening balance).",
                        session.name,
                    )
                )

    def unlink(self):
        # Before the chatter's cleanup (mail.thread), which would run before an ondelete check.
        # No context key (not even the uninstall's) skips it: at uninstall the table is dropped.
        self._unlink_never()
        return super().unlink()

    def _unlink_never(self):
        if self:
            raise UserError(
                self.env._(
                    "Dispute %s is part of the statement's history: resolve or reject it instead "
                    "of deleting it.",
                    self[0].name,
                )
            )

    def _portal_ensure_token(self):
        # portal.mixin's own, as the workflow: the token is drawn by the server only.
        return super(CustomerReconciliationDispute, workflow_env(self))._portal_ensure_token()

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for dispute in self:
            dispute.access_url = f"/my/statements/{dispute.session_id.id}/disputes/{dispute.id}"
        return result

    def is_settled(self):
        return all(dispute.state not in UNSETTLED for dispute in self)

    def _check_unsettled(self):
        settled = self.filtered(lambda d: d.state not in UNSETTLED)
        if settled:
            raise UserError(self.env._("Dispute %s is already settled.", settled[0].name))

    def action_investigate(self):
        """The owner starts looking into it (the owner is the user when there is none)."""
        self.check_access("write")
        not_new = self.filtered(lambda d: d.state != "new")
        if not_new:
            raise UserError(
                self.env._("Dispute %s is already being investigated or settled.", not_new[0].name)
            )
        for dispute in self:
            vals = {"state": "investigating"}
            if not dispute.user_id and not self.env.user.share:
                vals["user_id"] = self.env.user.id
            dispute._workflow_write(vals)
        return True

    def action_reject(self, resolution=None):
        """Our books are right: nothing is posted, and the customer is told why."""
        self.check_access("write")
        resolution = resolution or self[:1].resolution
        if not (resolution or "").strip():
            raise UserError(
                self.env._(
                    "Write why the dispute is rejected in its Resolution first: the customer "
                    "reads it."
                )
            )
        self._check_unsettled()
        waiting = self.settlement_ids.filtered(lambda s: s.state in ("to_approve", "pending"))
        if waiting:
            raise UserError(
                self.env._(
                    "Settlement %s of this dispute waits for its entry: cancel its document "
                    "before rejecting the dispute.",
                    waiting[0].name,
                )
            )
        self._workflow_write(
            {
                "state": "rejected",
                "resolution": resolution,
                "resolved_by_id": self.env.user.id,
                "resolved_date": fields.Datetime.now(),
            }
        )
        for dispute in self:
            dispute._tell_customer(
                self.env._(
                    "Dispute %(name)s is not accepted: %(why)s",
                    name=dispute.name,
                    why=dispute.resolution,
                )
            )
        return True

    def _tell_customer(self, body):
        """A message on the dispute's thread that the customer sees on the portal and gets by
        email: its recipients are the statement's contact and the portal followers."""
        self.ensure_one()
        recipient = self.session_id._reconciliation_recipient()
        partners = self.message_partner_ids.filtered(lambda p: not p.user_ids or p.user_ids.share)
        if recipient:
            self.message_subscribe(partner_ids=recipient.ids)
            partners |= recipient
        self.message_post(
            body=body,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            partner_ids=partners.ids,
        )

    def action_reopen(self):
        # A settled dispute is reopened by a manager (the form shows the button to them only).
        self.env["customer.reconciliation.session"]._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reopen disputes of")
        )
        self.check_access("write")
        for dispute in self:
            if (
                dispute.state in UNSETTLED
                or dispute.session_id.state not in ("sent", "disputed")
                or dispute.settlement_ids.filtered(
                    lambda s: s.state != "cancelled" and (s.move_ids or s.payment_id)
                )
            ):
                raise UserError(
                    self.env._(
                        "Dispute %s can be reopened only once settled without an entry, on a "
                        "statement still waiting for its answer (an entry posted is reversed in "
                        "the accounting instead).",
                        dispute.name,
                    )
                )
        self._workflow_write(
            {"state": "investigating", "resolved_by_id": False, "resolved_date": False}
        )
        return True
