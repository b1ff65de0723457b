"""Shared world for the customer_reconciliation tests: no demo data, everything built here."""

import random
from datetime import date

from odoo import Command
from odoo.tools import SQL

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class ReconciliationCommon(AccountTestInvoicingCommon):
    """A company with a chart of accounts, a foreign currency and helpers to build a ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.env.user.group_ids |= cls.env.ref(
            "customer_reconciliation.group_reconciliation_manager"
        )
        cls.receivable = cls.company_data["default_account_receivable"]
        code = "EUR" if cls.company.currency_id.name == "USD" else "USD"
        cls.foreign = cls.setup_other_currency(
            code,
            rates=[
                ("2020-01-01", 0.5),
                ("2026-02-01", 0.45),
                ("2026-04-01", 0.52),
                ("2026-06-01", 0.48),
            ],
        )
        cls.Engine = cls.env["customer.reconciliation.engine"]
        cls.Session = cls.env["customer.reconciliation.session"]

    # ------------------------------------------------------------------ builders
    @classmethod
    def _customer(cls, name, **vals):
        return cls.env["res.partner"].create({"name": name, "is_company": True, **vals})

    @classmethod
    def _invoice(
        cls,
        partner,
        amount,
        invoice_date,
        move_type="out_invoice",
        currency=None,
        post=True,
        due_days=30,
        analytic=None,
        ref=None,
    ):
        line = {"name": "Goods", "quantity": 1, "price_unit": amount, "tax_ids": [Command.clear()]}
        if analytic:
            line["analytic_distribution"] = {str(analytic.id): 100}
        move = cls.env["account.move"].create(
            {
                "move_type": move_type,
                "partner_id": partner.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_date_due": date.fromordinal(
                    date.fromisoformat(str(invoice_date)).toordinal() + due_days
                ),
                "currency_id": (currency or cls.company.currency_id).id,
                "ref": ref,
                "invoice_line_ids": [Command.create(line)],
            }
        )
        if post:
            move.action_post()
        return move

    @classmethod
    def _pay(cls, invoices, amount=None, pay_date=None, currency=None):
        vals = {"payment_date": pay_date}
        if amount is not None:
            vals["amount"] = amount
            vals["payment_difference_handling"] = "open"
        if currency:
            vals["currency_id"] = currency.id
        return cls._register_payment(invoices, **vals)

    @classmethod
    def _advance(cls, partner, amount, pay_date, currency=None, memo=None):
        payment = cls.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": partner.id,
                "amount": amount,
                "date": pay_date,
                "currency_id": (currency or cls.company.currency_id).id,
                "memo": memo,
            }
        )
        payment.action_post()
        return payment

    @classmethod
    def _reconcile(cls, *records):
        lines = cls.env["account.move.line"]
        for record in records:
            move = record.move_id if record._name == "account.payment" else record
            lines |= move.line_ids.filtered(
                lambda l: l.account_id.account_type == "asset_receivable"
            )
        lines.reconcile()

    @classmethod
    def _random_ledger(cls, seed, customers=8, start=date(2026, 1, 1), days=180):
        """Customers with random invoices, credit notes, partial/full payments and advances."""
        rnd = random.Random(seed)
        partners = cls.env["res.partner"]
        for index in range(customers):
            partner = cls._customer(f"Random Customer {seed}-{index}")
            partners |= partner
            currency = cls.foreign if index % 4 == 3 else None

            def day(offset):
                return date.fromordinal(start.toordinal() + offset)

            invoices = []
            for _n in range(rnd.randint(2, 6)):
                offset = rnd.randint(0, days)
                invoice = cls._invoice(
                    partner,
                    rnd.randint(100, 50000) / 4,
                    day(offset),
                    currency=currency,
                    due_days=rnd.choice([0, 15, 30, 60]),
                )
                invoices.append((offset, invoice))
            for offset, invoice in invoices:
                action = rnd.random()
                pay_day = day(min(days, offset + rnd.randint(0, 60)))
                if action < 0.35:
                    cls._pay(invoice, pay_date=pay_day)
                elif action < 0.6:
                    cls._pay(
                        invoice,
                        amount=round(invoice.amount_total * rnd.uniform(0.1, 0.9), 2),
                        pay_date=pay_day,
                        currency=currency,
                    )
                elif action < 0.75:
                    refund = cls._invoice(
                        partner,
                        round(invoice.amount_total * rnd.uniform(0.1, 0.5), 2),
                        pay_day,
                        move_type="out_refund",
                        currency=currency,
                    )
                    cls._reconcile(invoice, refund)
            if rnd.random() < 0.6:
                advance = cls._advance(
                    partner,
                    rnd.randint(100, 20000) / 4,
                    day(rnd.randint(0, days)),
                    currency=currency,
                )
                later = cls._invoice(
                    partner,
                    advance.amount * rnd.uniform(0.5, 1.5),
                    date.fromordinal(advance.date.toordinal() + rnd.randint(1, 30)),
                    currency=currency,
                )
                cls._reconcile(advance, later)
        return partners

    # ------------------------------------------------------------------ ledger truth
    def _ledger_sum(
        self,
        partner,
        company,
        date_to,
        date_before=None,
        currency=None,
        field="balance",
        analytic=None,
    ):
        """Sum of posted receivable items straight from the ORM, the reference for every test."""
        domain = [
            ("partner_id", "child_of", partner.id),
            ("company_id", "=", company.id),
            ("parent_state", "=", "posted"),
            ("account_id.account_type", "=", "asset_receivable"),
            ("date", "<=", date_to),
        ]
        if date_before:
            domain.append(("date", "<", date_before))
        if currency:
            domain.append(("currency_id", "=", currency.id))
        if analytic:
            domain.append(("analytic_distribution", "in", [analytic.id]))
        [(total,)] = self.env["account.move.line"]._read_group(domain, [], [f"{field}:sum"])
        return total or 0.0

    def _query_count(self, func):
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        func()
        self.env.flush_all()
        return self.env.cr.sql_log_count - before

    def _sql(self, query, *args):
        self.env.cr.execute(SQL(query, *args))
        return self.env.cr.fetchall() if self.env.cr.description else None
