"""The settlement's entries: each type posts (or drafts) its documents through Odoo's own
accounting, with the customer as partner and the disputed items' analytic distribution, then
reconciles what it settles.

The entries, as accountants write them:
- credit note (红字发票): the invoice reversed, whole, by lines or by an amount, reconciled with it;
- missing invoice: a draft invoice (借：应收账款 贷：主营业务收入) for the accountant to complete;
- small difference: receivable against the write-off account;
- bad debt: 借：坏账准备 (or bad-debt expense) 贷：应收账款;
- customer advance: 借：预收账款 贷：应收账款, both sides reconciled;
- unapplied payment: reconciled with invoices, oldest first or the ones picked, the last partly;
- unrecorded payment: a draft customer payment (借：银行存款 贷：应收账款) for the cashier.
"""

from collections import defaultdict

from odoo import Command, api, models
from odoo.exceptions import UserError

from .session import without_client_defaults, workflow_env
from .settlement import MANAGER_GROUP

USER_GROUP = "customer_reconciliation.group_reconciliation_user"


# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSettlement(models.Model):
    _inherit = "customer.reconciliation.settlement"

    # ------------------------------------------------------------------ entry point
    @api.model
    def _settle_disputes(self, disputes, vals):
        """Record and carry out the settlement of ``disputes`` described by ``vals`` (the
        settlement's fields, without the disputes, customer, statement and currency)."""
        session_model = self.env["customer.reconciliation.session"]
        session_model._check_group(USER_GROUP, self.env._("settle disputes of"))
        disputes.check_access("write")
        self._check_disputes(disputes)
        session = disputes.session_id
        vals = dict(
            vals,
            dispute_ids=[Command.set(disputes.ids)],
            session_id=session.id,
            company_id=session.company_id.id,
            partner_id=session.partner_id.commercial_partner_id.id,
            currency_id=session.currency_id.id,
        )
        if vals["settlement_type"] != "write_off":
            vals["direction"] = (
                "increase" if vals["settlement_type"] == "missing_invoice" else "decrease"
            )
        vals["amount_company"] = session.currency_id._convert(
            vals.get("amount") or 0.0,
            session.company_id.currency_id,
            session.company_id,
            vals["date"],
        )
        # Checked before anything is written: a refused settlement leaves no trace.
        self.new(vals)._check_order()
        settlement = self._workflow_create(vals)
        settlement._carry_out()
        if settlement.state == "done":
            disputes._resolve(settlement)
        else:
            disputes._await_settlement(settlement)
        return settlement

    @api.model
    def _workflow_create(self, vals):
        # Every field from ``vals`` only: no default_* key a client slips into the context
        # (an approver, entries, a payment) becomes a value.
        vals = {
            "needs_approval": False,
            "approved_by_id": False,
            "approved_date": False,
            "carried_out": False,
            **vals,
        }
        return workflow_env(without_client_defaults(self, set())).create(vals).with_env(self.env)

    # ------------------------------------------------------------------ carrying out
    def _carry_out(self):
        self.ensure_one()
        # The documents are the statement's company's, whatever company the user works in, and
        # only this settlement's values make them (no default_* of the caller's context).
        self = without_client_defaults(self, set()).with_company(self.company_id)  # noqa: PLW0642
        kind = self.settlement_type
        if kind == "bad_debt":
            limit = self.company_id.reconciliation_bad_debt_limit
            if self.company_currency_id.compare_amounts(
                self.amount_company, limit
            ) > 0 and not self.env.user.has_group(MANAGER_GROUP):
                self._workflow_write({"needs_approval": True})
        if kind != "explanation":
            getattr(self, f"_do_{kind}")()
        self._workflow_write({"carried_out": True})
        if self.state == "to_approve":
            self._schedule_approval()

    def _label(self):
        names = ", ".join(self.dispute_ids.mapped("name"))
        return self.env._("%(type)s: dispute %(disputes)s", type=self._type_label(), disputes=names)

    def _type_label(self):
        return dict(self._fields["settlement_type"]._description_selection(self.env))[
            self.settlement_type
        ]

    def _disputed_items(self):
        """The journal items disputed: those of the disputed lines, or, for a dispute of the
        whole balance, every item of the statement."""
        items = self.env["account.move.line"]
        for dispute in self.dispute_ids._origin:
            items |= dispute.move_line_ids or dispute.session_id.line_ids.move_line_id
        return items

    def _receivable_account(self):
        accounts = self._disputed_items().account_id.filtered(
            lambda a: a.account_type == "asset_receivable"
        )
        if accounts:
            return accounts[0]
        return self.partner_id.with_company(self.company_id).property_account_receivable_id

    def _analytic_distribution(self):
        """The disputed items' distribution, else their entries' (weighted by amount)."""
        items = self._disputed_items()
        lines = items.filtered("analytic_distribution") or items.move_id.line_ids.filtered(
            lambda line: line.analytic_distribution and line.display_type == "product"
        )
        weights, total = defaultdict(float), 0.0
        for line in lines:
            weight = abs(line.balance) or 1.0
            total += weight
            for key, percent in line.analytic_distribution.items():
                weights[key] += percent * weight
        return {key: round(value / total, 2) for key, value in weights.items()} if total else False

    def _to_company(self, amount):
        return self.currency_id._convert(
            amount, self.company_currency_id, self.company_id, self.date
        )

    def _journal(self):
        journal = self.journal_id or self.company_id.reconciliation_settlement_journal_id
        return journal or self.env["account.journal"].search(
            [
                *self.env["account.journal"]._check_company_domain(self.company_id),
                ("type", "=", "general"),
            ],
            limit=1,
        )

    def _open_receivable_lines(self, moves=None, debit=True):
        """The customer's open receivable items in the settlement's currency, oldest first:
        of ``moves`` when given (invoices picked), else of the disputed entries first."""
        domain = [
            ("company_id", "=", self.company_id.id),
            ("partner_id", "child_of", self.partner_id.id),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
            ("amount_residual", ">" if debit else "<", 0),
        ]
        if self.currency_id != self.company_currency_id:
            domain.append(("currency_id", "=", self.currency_id.id))
        if moves is not None:
            domain.append(("move_id", "in", moves._origin.ids))
        lines = self.env["account.move.line"].search(domain, order="date_maturity, date, id")
        disputed = lines.filtered(lambda line: line.move_id in self._disputed_items().move_id)
        return disputed + (lines - disputed)

    def _reconcile_in_order(self, line, targets):
        """Reconcile ``line`` with ``targets`` one after the other until it is used up: the last
        one partly. Returns the partial reconciliations made."""
        Partial = self.env["account.partial.reconcile"]
        made = Partial
        for target in targets:
            if line.reconciled:
                break
            if target.reconciled or target.account_id != line.account_id:
                continue  # Odoo reconciles items of one account only
            before = line.matched_debit_ids | line.matched_credit_ids
            (line + target).reconcile()
            made |= (line.matched_debit_ids | line.matched_credit_ids) - before
        return made

    def _record(self, moves=None, partials=None, **vals):
        """Link the documents made and the reconciliations, with the exchange difference
        entries Odoo posted for them."""
        partials = partials or self.env["account.partial.reconcile"]
        moves = (moves or self.env["account.move"]) | partials.exchange_move_id
        update = dict(vals)
        if moves:
            update["move_ids"] = [Command.link(move.id) for move in moves]
        if partials:
            update["partial_ids"] = [Command.link(partial.id) for partial in partials]
        if update:
            self._workflow_write(update)
        for move in moves.filtered(lambda m: m.state != "cancel"):
            move.message_post(
                body=self.env._(
                    "Settles %(disputes)s (settlement %(name)s).",
                    disputes=", ".join(self.dispute_ids.mapped("name")),
                    name=self.name,
                )
            )

    # --- credit note
    def _do_credit_note(self):
        invoice = self.invoice_ids
        reason = self._label()
        if self.credit_mode == "whole":
            reversal = (
                self.env["account.move.reversal"]
                .with_context(active_model="account.move", active_ids=invoice.ids)
                .create(
                    {
                        "move_ids": [Command.set(invoice.ids)],
                        "date": self.date,
                        "reason": reason,
                        "journal_id": invoice.journal_id.id,
                    }
                )
            )
            reversal.refund_moves()
            refund = reversal.new_move_ids
        else:
            refund = self.env["account.move"].create(
                {
                    "move_type": "out_refund",
                    "partner_id": invoice.partner_id.id,
                    "currency_id": invoice.currency_id.id,
                    "journal_id": invoice.journal_id.id,
                    "invoice_date": self.date,
                    "date": self.date,
                    "reversed_entry_id": invoice.id,
                    "invoice_origin": invoice.name,
                    "ref": reason,
                    "invoice_line_ids": self._credit_note_lines(invoice),
                }
            )
        refund.action_post()
        receivable = (refund + invoice).line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        partials = self.env["account.partial.reconcile"]
        for line in receivable.filtered(lambda line: line.move_id == refund):
            partials |= self._reconcile_in_order(
                line, receivable.filtered(lambda x: x.move_id == invoice)
            )
        self._record(
            refund,
            partials,
            amount=refund.amount_total,
            amount_company=abs(refund.amount_total_signed),
        )

    def _credit_note_lines(self, invoice):
        if self.credit_mode == "lines":
            return [
                Command.create(
                    {
                        "product_id": line.product_id.id,
                        "name": line.name,
                        "quantity": line.quantity,
                        "product_uom_id": line.product_uom_id.id,
                        "price_unit": line.price_unit,
                        "discount": line.discount,
                        "tax_ids": [Command.set(line.tax_ids.ids)],
                        "account_id": line.account_id.id,
                        "analytic_distribution": line.analytic_distribution,
                    }
                )
                for line in self.invoice_line_ids.sorted("sequence")
            ]
        first = invoice.invoice_line_ids.filtered(lambda line: line.display_type == "product")[:1]
        price, taxes = self._net_price(self.amount, first.tax_ids, invoice.currency_id)
        return [
            Command.create(
                {
                    "name": self._label(),
                    "quantity": 1,
                    "price_unit": price,
                    "tax_ids": [Command.set(taxes.ids)],
                    **({"account_id": first.account_id.id} if first else {}),
                    "analytic_distribution": self._analytic_distribution()
                    or first.analytic_distribution,
                }
            )
        ]

    @api.model
    def _net_price(self, gross, taxes, currency):
        """The untaxed price whose total with ``taxes`` is ``gross`` exactly, and the taxes;
        taxes other than plain percentages added to the price: the gross amount untaxed."""
        if not taxes or any(t.amount_type != "percent" or t.price_include for t in taxes):
            return gross, taxes.browse()
        rate = sum(taxes.mapped("amount")) / 100.0
        price = currency.round(gross / (1.0 + rate))
        for candidate in (price, price + currency.rounding, price - currency.rounding):
            total = candidate + sum(currency.round(candidate * t.amount / 100.0) for t in taxes)
            if currency.compare_amounts(total, gross) == 0:
                return candidate, taxes
        return gross, taxes.browse()

    # --- missing invoice
    def _do_missing_invoice(self):
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "currency_id": self.currency_id.id,
                "invoice_date": self.date,
                "ref": self._label(),
                "narration": self.explanation or False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": self._label(),
                            "quantity": 1,
                            "price_unit": self.amount,
                            "tax_ids": [Command.clear()],
                            "analytic_distribution": self._analytic_distribution(),
                        }
                    )
                ],
            }
        )
        self._record(invoice, invoice_ids=[Command.link(invoice.id)])

    # --- write-off and bad debt: the receivable against an account
    def _do_write_off(self):
        self._adjust(self.company_id.reconciliation_writeoff_account_id)

    def _do_bad_debt(self):
        self._adjust(self.company_id.reconciliation_bad_debt_account_id)

    def _adjust(self, account):
        sign = -1 if self.direction == "decrease" else 1
        targets = self._open_receivable_lines(debit=self.direction == "decrease")
        move = self._create_entry(
            [
                (self._receivable_account(), sign * self.amount, False),
                (account, -sign * self.amount, self._analytic_distribution()),
            ]
        )
        self._record(move, invoice_ids=[Command.set(targets.move_id.ids)])
        if not self.needs_approval:
            self._post_drafts()

    def _create_entry(self, lines):
        """A balanced entry in the settlement journal: ``lines`` as (account, signed amount in
        the settlement currency, analytic distribution); the company amounts at the date."""
        label = self._label()
        vals = []
        company_total = 0.0
        for index, (account, amount, distribution) in enumerate(lines):
            balance = (
                self.company_currency_id.round(self._to_company(amount))
                if index < len(lines) - 1
                else -company_total  # the last takes the rounding: the entry balances
            )
            company_total += balance
            vals.append(
                Command.create(
                    {
                        "account_id": account.id,
                        "partner_id": self.partner_id.id,
                        "name": label,
                        "currency_id": self.currency_id.id,
                        "amount_currency": amount,
                        "balance": balance,
                        "analytic_distribution": distribution or False,
                    }
                )
            )
        return self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self._journal().id,
                "date": self.date,
                "ref": label,
                "partner_id": self.partner_id.id,
                "line_ids": vals,
            }
        )

    def _post_drafts(self):
        """Post the settlement's draft entry and reconcile its receivable item with what it
        settles (the invoices for a write-off or bad debt)."""
        self.ensure_one()
        moves = self.move_ids.filtered(lambda m: m.state == "draft")
        receivable = moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        if self.currency_id.compare_amounts(
            abs(sum(receivable.mapped("amount_currency"))), self.amount
        ):
            raise UserError(
                self.env._(
                    "The entry of settlement %s was changed after it was proposed: cancel it "
                    "and settle the dispute again.",
                    self.name,
                )
            )
        # The workflow's mark: an entry awaiting a manager is posted by its approval only.
        workflow_env(moves).action_post()
        receivable = moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable" and not line.reconciled
        )
        partials = self.env["account.partial.reconcile"]
        for line in receivable:
            targets = self._open_receivable_lines(self.invoice_ids, debit=line.balance < 0)
            partials |= self._reconcile_in_order(line, targets)
        if partials:
            self._record(partials=partials)
        if self.state == "done":
            self.dispute_ids.filtered(lambda d: d.state in ("new", "investigating"))._resolve(self)

    # --- advance (预收账款) applied to invoices
    def _do_advance(self):
        advances = self.applied_line_ids
        foreign = self.currency_id != self.company_currency_id
        available = -sum(
            advances.mapped("amount_residual_currency" if foreign else "amount_residual")
        )
        targets = self._open_receivable_lines(self.invoice_ids or None)
        due = sum(targets.mapped("amount_residual_currency" if foreign else "amount_residual"))
        amount = min(self.amount, available, due)
        if self.currency_id.compare_amounts(amount, 0.0) <= 0:
            raise UserError(self.env._("Nothing to apply: no open advance or no open invoice."))
        move = self._create_entry(
            [
                (self._receivable_account(), -amount, False),
                (self.company_id.reconciliation_advance_account_id, amount, False),
            ]
        )
        move.action_post()
        partials = self.env["account.partial.reconcile"]
        credit = move.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        )
        partials |= self._reconcile_in_order(credit, targets)
        if self.company_id.reconciliation_advance_account_id.reconcile:
            debit = move.line_ids - credit
            partials |= self._reconcile_in_order(debit, advances)
        self._record(
            move,
            partials,
            amount=amount,
            amount_company=abs(credit.balance),
            invoice_ids=[Command.set(targets.move_id.ids)],
        )

    # --- an unapplied payment allocated
    def _do_allocate_payment(self):
        payment_line = self.applied_line_ids
        targets = self._open_receivable_lines(
            self.invoice_ids if self.allocation_mode == "chosen" else None
        )
        foreign = self.currency_id != self.company_currency_id
        before = -(
            payment_line.amount_residual_currency if foreign else payment_line.amount_residual
        )
        partials = self._reconcile_in_order(payment_line, targets)
        after = -(
            payment_line.amount_residual_currency if foreign else payment_line.amount_residual
        )
        reached = (partials.debit_move_id | partials.credit_move_id).move_id - payment_line.move_id
        self._record(
            partials=partials,
            amount=before - after,
            amount_company=self.company_currency_id.round(sum(partials.mapped("amount"))),
            invoice_ids=[Command.set(reached.ids)],
        )

    # --- a payment the customer proves, for the cashier
    def _do_payment_not_recorded(self):
        payment = self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.partner_id.id,
                "amount": self.amount,
                "currency_id": self.currency_id.id,
                "journal_id": self.journal_id.id,
                "date": self.date,
                "memo": self._label(),
            }
        )
        targets = self._open_receivable_lines()
        self._workflow_write(
            {"payment_id": payment.id, "invoice_ids": [Command.set(targets.move_id.ids)]}
        )
        payment.message_post(
            body=self.env._(
                "Drafted to settle %(disputes)s: a cashier validates it once the money is found "
                "on the bank account.",
                disputes=", ".join(self.dispute_ids.mapped("name")),
            )
        )

    def _payment_posted(self):
        """The cashier validated the payment: it pays the invoices settled, oldest first."""
        for settlement in self:
            lines = settlement.payment_id.move_id.line_ids.filtered(
                lambda line: (
                    line.account_id.account_type == "asset_receivable" and not line.reconciled
                )
            )
            partials = self.env["account.partial.reconcile"]
            for line in lines:
                partials |= settlement._reconcile_in_order(
                    line, settlement._open_receivable_lines(settlement.invoice_ids)
                )
            if partials or settlement.payment_id.move_id:
                settlement._record(settlement.payment_id.move_id, partials)
