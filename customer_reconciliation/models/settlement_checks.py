"""The settlement's checks: what the user asked for is complete and allowed (the disputes,
the documents chosen, the accounts of the settings, the tolerance) before anything is written.

They run on a new record (``settlement_posting._settle_disputes``): relations are compared
through ``_origin``.
"""

from odoo import models
from odoo.exceptions import UserError

from ..tools import limits
from .settlement import MANAGER_GROUP


# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSettlement(models.Model):
    _inherit = "customer.reconciliation.settlement"

    def _check_disputes(self, disputes):
        if not disputes:
            raise UserError(self.env._("Choose the disputes to settle."))
        settled = disputes.filtered(lambda d: d.state not in ("new", "investigating"))
        if settled:
            raise UserError(self.env._("Dispute %s is already settled.", settled[0].name))
        waiting = disputes.settlement_ids.filtered(lambda s: s.state in ("to_approve", "pending"))
        if waiting:
            raise UserError(
                self.env._(
                    "Dispute %(dispute)s already waits for settlement %(settlement)s.",
                    dispute=waiting[0].dispute_ids[:1].name,
                    settlement=waiting[0].name,
                )
            )
        if len(disputes.session_id.partner_id.commercial_partner_id) > 1:
            raise UserError(self.env._("Settle the disputes of one customer at a time."))
        if len(disputes.session_id) > 1:
            raise UserError(
                self.env._("Settle the disputes of one statement at a time (one currency).")
            )

    # ------------------------------------------------------------------ checks of the order
    def _check_order(self):
        """What the user asked for is complete and allowed, before anything is posted."""
        self.ensure_one()
        kind = self.settlement_type
        try:
            limits.check_text(self.explanation, self._fields["explanation"].string)
        except limits.InputError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        if kind == "explanation":
            if not (self.explanation or "").strip():
                raise UserError(
                    self.env._("Explain the difference: the customer reads the explanation.")
                )
            return
        if kind != "allocate_payment" and not (
            kind == "credit_note" and self.credit_mode in ("whole", "lines")
        ):
            if self.currency_id.compare_amounts(self.amount, 0.0) <= 0:
                raise UserError(self.env._("The amount to settle must be positive."))
            try:
                limits.check_amount(self.amount, self._fields["amount"].string, 6)
            except limits.InputError as error:
                raise UserError(self.env._(error.message, **error.params)) from None
        getattr(self, f"_check_{kind}")()

    # The checks run on a new record (before anything is written): relations through _origin.
    def _check_credit_note(self):
        invoice = self.invoice_ids._origin
        if (
            len(invoice) != 1
            or invoice.move_type != "out_invoice"
            or invoice.state != "posted"
            or invoice.commercial_partner_id != self.partner_id
            or invoice.company_id != self.company_id
            or invoice.currency_id != self.currency_id
        ):
            raise UserError(
                self.env._(
                    "Choose one posted invoice of %(partner)s in %(currency)s (the statement's "
                    "currency) to credit.",
                    partner=self.partner_id.name,
                    currency=self.currency_id.name,
                )
            )
        if self.credit_mode == "lines":
            lines = self.invoice_line_ids._origin
            if not lines or lines.move_id != invoice:
                raise UserError(
                    self.env._("Choose the lines of invoice %s to credit.", invoice.name)
                )
        elif self.credit_mode == "amount":
            if invoice.currency_id.compare_amounts(self.amount, invoice.amount_total) > 0:
                raise UserError(
                    self.env._(
                        "A credit note cannot exceed invoice %(invoice)s (%(total)s).",
                        invoice=invoice.name,
                        total=invoice.currency_id.format(invoice.amount_total),
                    )
                )

    def _check_missing_invoice(self):
        return True

    def _in_settlement_currency(self, line):
        """An item of the settlement's company, in its currency when the statement is foreign
        (a company-currency statement holds every item at its company amount)."""
        return line.company_id == self.company_id and (
            self.currency_id == self.company_currency_id or line.currency_id == self.currency_id
        )

    def _check_write_off(self):
        self._check_account("reconciliation_writeoff_account_id")
        difference = abs(sum(self.dispute_ids.mapped("difference")))
        if self.currency_id.compare_amounts(self.amount, difference) > 0:
            raise UserError(
                self.env._(
                    "A write-off settles the difference (%(difference)s), not more.",
                    difference=self.currency_id.format(difference),
                )
            )
        tolerance = self.company_id.reconciliation_writeoff_tolerance
        if self.company_currency_id.compare_amounts(
            self.amount_company, tolerance
        ) > 0 and not self.env.user.has_group(MANAGER_GROUP):
            raise UserError(
                self.env._(
                    "%(amount)s is above the write-off tolerance of %(tolerance)s: only a "
                    "Reconciliation Manager may write it off (or settle it by another entry).",
                    amount=self.company_currency_id.format(self.amount_company),
                    tolerance=self.company_currency_id.format(tolerance),
                )
            )

    def _check_bad_debt(self):
        self._check_account("reconciliation_bad_debt_account_id")
        foreign = self.currency_id != self.company_currency_id
        field = "amount_residual_currency" if foreign else "amount_residual"
        open_amount = sum(self._open_receivable_lines().mapped(field))
        if self.currency_id.compare_amounts(self.amount, open_amount) > 0:
            raise UserError(
                self.env._(
                    "A bad debt writes off what the customer owes (%(open)s open), not more.",
                    open=self.currency_id.format(open_amount),
                )
            )

    def _check_advance(self):
        account = self.company_id.reconciliation_advance_account_id
        self._check_account("reconciliation_advance_account_id")
        lines = self.applied_line_ids._origin
        if not lines or any(
            line.account_id != account
            or not self._in_settlement_currency(line)
            or line.partner_id.commercial_partner_id != self.partner_id
            or line.reconciled
            or line.balance >= 0
            or line.parent_state != "posted"
            for line in lines
        ):
            raise UserError(
                self.env._(
                    "Choose open advances of %(partner)s on %(account)s.",
                    partner=self.partner_id.name,
                    account=account.display_name,
                )
            )

    def _check_allocate_payment(self):
        line = self.applied_line_ids._origin
        if (
            len(line) != 1
            or line.account_id.account_type != "asset_receivable"
            or not self._in_settlement_currency(line)
            or line.partner_id.commercial_partner_id != self.partner_id
            or line.reconciled
            or line.amount_residual >= 0
            or line.parent_state != "posted"
        ):
            raise UserError(
                self.env._("Choose one unapplied payment of %s to allocate.", self.partner_id.name)
            )
        if not self._open_receivable_lines(
            self.invoice_ids if self.allocation_mode == "chosen" else None
        ):
            raise UserError(
                self.env._("%s has no open invoice to allocate to.", self.partner_id.name)
            )

    def _check_payment_not_recorded(self):
        if (
            self.journal_id.type not in ("bank", "cash")
            or self.journal_id.company_id != self.company_id
        ):
            raise UserError(self.env._("Choose the bank or cash journal the payment came in."))

    def _check_account(self, setting):
        """The company's account of ``setting`` (a field of the company) is set and usable."""
        account = self.company_id[setting]
        if not account:
            raise UserError(
                self.env._(
                    "Set the %s in the Customer Reconciliation settings first.",
                    self.company_id._fields[setting]._description_string(self.env),
                )
            )
        if account.account_type in ("asset_receivable", "liability_payable"):
            raise UserError(
                self.env._("%s cannot be a receivable or payable account.", account.display_name)
            )
