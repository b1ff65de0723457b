"""Orders confirmed with the customer before the statement is sent: who confirmed the order's
number, amount and date with whom, when and how; printed on the statement."""

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import formatLang

from odoo.addons.customer_reconciliation.models.session import without_client_defaults

# Before sending: once the customer has the statement, what was confirmed with them is history.
OPEN_STATES = ("draft", "to_approve", "approved")
# What a user gives; the order's number, amount and date are copied from it, the confirming
# user is who records it.
EDITABLE_FIELDS = frozenset({"contact_name", "confirmed_on", "method", "note"})
CREATABLE_FIELDS = EDITABLE_FIELDS | {"session_id", "order_id"}
METHODS = [
    ("phone", "Phone"),
    ("email", "Email"),
    ("visit", "Visit"),
    ("message", "Message"),
    ("other", "Other"),
]


class CustomerReconciliationOrderConfirmation(models.Model):
    """One sale order whose number, amount and date were confirmed with the customer."""

    _name = "customer.reconciliation.order.confirmation"
    _description = "Customer Reconciliation Order Confirmed with the Customer"
    _order = "session_id, order_name, id"

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(related="session_id.partner_id", string="Customer")
    order_id = fields.Many2one(
        "sale.order",
        string="Sale Order",
        required=True,
        index=True,
        domain="[('partner_invoice_id', 'child_of', partner_id), ('state', '=', 'sale')]",
    )
    order_name = fields.Char(string="Order", readonly=True)
    client_order_ref = fields.Char(string="Customer PO", readonly=True)
    order_date = fields.Date(readonly=True)
    order_amount = fields.Monetary(
        currency_field="order_currency_id", readonly=True, help="Tax included, when confirmed."
    )
    order_currency_id = fields.Many2one("res.currency", readonly=True)
    confirmed_by_id = fields.Many2one(
        "res.users", readonly=True, help="Who recorded the confirmation."
    )
    contact_name = fields.Char(
        string="Confirmed With", required=True, help="Who confirmed the order at the customer."
    )
    confirmed_on = fields.Datetime(required=True, default=fields.Datetime.now)
    method = fields.Selection(METHODS, string="How", required=True, default="phone")
    note = fields.Text()

    _order_once = models.Constraint(
        "UNIQUE (session_id, order_id)", "This order is already confirmed on this statement."
    )

    # ------------------------------------------------------------------ guards
    @api.model
    def _may_record(self, session):
        """Whether the current user may record or change confirmations on ``session``: before
        it is sent, its customer's salesperson or a reconciliation user."""
        if session.state not in OPEN_STATES:
            return False
        user = self.env.user
        return (
            self.env.su
            or user.has_group("customer_reconciliation.group_reconciliation_user")
            or session.salesperson_id == user
        )

    def _check_may_record(self, sessions):
        labels = dict(sessions._fields["state"]._description_selection(self.env))
        for session in sessions:
            if session.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "Statement %(name)s is %(state)s: orders are confirmed with the customer "
                        "before the statement is sent.",
                        name=session.name,
                        state=labels[session.state],
                    )
                )
            if not self._may_record(session):
                raise AccessError(
                    self.env._(
                        "Only the salesperson of %(customer)s or a reconciliation user may record "
                        "the orders confirmed on statement %(name)s.",
                        customer=session.partner_id.display_name,
                        name=session.name,
                    )
                )

    @api.model
    def _order_values(self, session, order):
        """The order's number, amount and date as confirmed, after checking it is the
        statement customer's confirmed order."""
        if (
            order.partner_invoice_id.commercial_partner_id != session.partner_id
            or order.company_id != session.company_id
            or order.state != "sale"
        ):
            raise ValidationError(
                self.env._(
                    "Order %(order)s is not a confirmed order of %(customer)s in %(company)s.",
                    order=order.name,
                    customer=session.partner_id.display_name,
                    company=session.company_id.name,
                )
            )
        return {
            "order_name": order.name,
            "client_order_ref": order.client_order_ref or False,
            "order_date": fields.Datetime.context_timestamp(self, order.date_order).date(),
            "order_amount": order.amount_total,
            "order_currency_id": order.currency_id.id,
        }

    def _check_confirmed_on(self, vals):
        if (
            vals.get("confirmed_on")
            and fields.Datetime.to_datetime(vals["confirmed_on"]) > fields.Datetime.now()
        ):
            raise ValidationError(self.env._("An order cannot be confirmed in the future."))

    # ------------------------------------------------------------------ CRUD
    @api.model_create_multi
    def create(self, vals_list):
        forbidden = set().union(*(set(vals) for vals in vals_list)) - CREATABLE_FIELDS
        if forbidden:
            raise UserError(
                self.env._(
                    "%(fields)s of an order confirmation are taken from the order and the user "
                    "who records it.",
                    fields=", ".join(sorted(forbidden)),
                )
            )
        Session, Order = self.env["customer.reconciliation.session"], self.env["sale.order"]
        for vals in vals_list:
            session = Session.browse(vals.get("session_id"))
            if not vals.get("session_id") or not vals.get("order_id"):
                raise ValidationError(self.env._("Give the statement and the order confirmed."))
            session.check_access("read")
            self._check_may_record(session)
            self._check_confirmed_on(vals)
            order = Order.browse(vals["order_id"]).sudo()
            vals.update(self._order_values(session, order), confirmed_by_id=self.env.user.id)
        # A default_* context key of another field is no value either (default_confirmed_by_id).
        Confirmation = without_client_defaults(self, CREATABLE_FIELDS)
        return super(CustomerReconciliationOrderConfirmation, Confirmation).create(vals_list)

    def write(self, vals):
        forbidden = set(vals) - EDITABLE_FIELDS
        if forbidden:
            raise UserError(
                self.env._(
                    "Only who confirmed it, when, how and the note of an order confirmation can "
                    "change: record another confirmation for %(fields)s.",
                    fields=", ".join(sorted(forbidden)),
                )
            )
        self._check_may_record(self.session_id)
        self._check_confirmed_on(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_before_sending(self):
        self._check_may_record(self.session_id)

    def _amount_text(self):
        self.ensure_one()
        return formatLang(self.env, self.order_amount, currency_obj=self.order_currency_id)
