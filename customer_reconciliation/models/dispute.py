"""The statement, step 5: the disputes the customer raises, until they are settled."""

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

# What a user records by hand on a dispute (the customer's words when they told us), and may
# correct while it is open. State, who and when of the settlement: its transitions only.
USER_EDITABLE = frozenset({"line_ids", "reason", "customer_amount", "comment", "resolution"})
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
        [("open", "Open"), ("resolved", "Resolved"), ("rejected", "Rejected")],
        default="open",
        required=True,
        tracking=True,
        index=True,
    )
    resolution = fields.Text(tracking=True)
    resolved_by_id = fields.Many2one("res.users", readonly=True)
    resolved_date = fields.Datetime(readonly=True)

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
        return workflow_env(self).create(vals_list).with_env(self.env)

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
        return disputes

    def write(self, vals):
        if not is_workflow_call(self):
            mail = chatter_fields(self.env)
            for dispute in self:
                allowed = mail | (
                    (
                        USER_EDITABLE
                        if dispute.source in ("internal", "salesperson")
                        else {"resolution"}
                    )
                    if dispute.state == "open"
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
        return super().write(vals)

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
        return all(dispute.state in ("resolved", "rejected") for dispute in self)

    def _settle(self, state, resolution):
        self.check_access("write")
        if not (resolution or "").strip():
            raise UserError(self.env._("Explain how the dispute was settled."))
        not_open = self.filtered(lambda d: d.state != "open")
        if not_open:
            raise UserError(self.env._("Dispute %s is already settled.", not_open[0].name))
        self._workflow_write(
            {
                "state": state,
                "resolution": resolution,
                "resolved_by_id": self.env.user.id,
                "resolved_date": fields.Datetime.now(),
            }
        )

    def action_resolve(self, resolution=None):
        self._settle("resolved", resolution or self.resolution)
        return True

    def action_reject(self, resolution=None):
        self._settle("rejected", resolution or self.resolution)
        return True

    def action_reopen(self):
        # A settled dispute is reopened by a manager (the form shows the button to them only).
        self.env["customer.reconciliation.session"]._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reopen disputes of")
        )
        self.check_access("write")
        for dispute in self:
            if dispute.state == "open" or dispute.session_id.state not in ("sent", "disputed"):
                raise UserError(
                    self.env._(
                        "Dispute %s can be reopened only once settled, on a statement still waiting "
                        "for its answer.",
                        dispute.name,
                    )
                )
        self._workflow_write({"state": "open", "resolved_by_id": False, "resolved_date": False})
        return True
