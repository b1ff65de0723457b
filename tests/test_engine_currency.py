"""Statements in every currency case: a foreign-currency statement of a customer who also has
items in other currencies converts them at the amounts of their reconciliations, or refuses
and names them; receipts on bank journals are payments; exchange differences of no amount in
the statement currency are not shown."""

import random
from collections import Counter
from datetime import date

from common import ReconciliationCommon

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

START = date(2026, 1, 1)
YEAR_END = date(2026, 12, 31)
PERIODS = [
    (date(2026, 1, 1), date(2026, 1, 31)),
    (date(2026, 2, 1), date(2026, 3, 31)),
    (date(2026, 4, 1), date(2026, 5, 31)),
    (date(2026, 6, 1), date(2026, 8, 31)),
]
# What happens to an invoice in the statement currency in the generated ledgers.
ACTIONS = [
    "company_full",  # paid in full in company currency (payment register wizard)
    "company_part",  # partly paid in company currency
    "foreign_full",  # paid in full in the statement currency
    "foreign_part",
    "mixed",  # part in the statement currency, the rest in company currency
    "third_part",  # partly paid in a third currency
    "advance",  # a company-currency advance received earlier, reconciled with it
    "credit_note",  # partly credited in the statement currency
    "refund",  # a credit note in the statement currency paid back in company currency
    "open",
]


def day(offset):
    return date.fromordinal(START.toordinal() + offset)


class CurrencyCommon(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_currency = cls.company.currency_id
        code = next(c for c in ("CHF", "GBP", "JPY") if c not in (cls.company_currency.name,))
        cls.third = cls.setup_other_currency(
            code, rates=[("2020-01-01", 1.3), ("2026-03-01", 1.1), ("2026-05-01", 1.25)]
        )
        cls.bank = cls.company_data["default_journal_bank"]
        cls.exchange_journal = cls.company.currency_exchange_journal_id

    @classmethod
    def _foreign_customer(cls, name):
        return cls._customer(name, reconciliation_currency_id=cls.foreign.id)

    @classmethod
    def _bank_entry(cls, partner, amount, entry_date, currency=None, amount_currency=None):
        """A journal entry on the bank journal crediting (amount > 0) the customer's
        receivable, without any payment record: a receipt booked by hand."""
        receivable = {
            "account_id": cls.receivable.id,
            "partner_id": partner.id,
            "debit": max(-amount, 0),
            "credit": max(amount, 0),
            "name": "Bank receipt",
        }
        if currency:
            receivable.update(currency_id=currency.id, amount_currency=-amount_currency)
        move = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.bank.id,
                "date": entry_date,
                "ref": "BANK-REF",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": cls.bank.default_account_id.id,
                            "debit": max(amount, 0),
                            "credit": max(-amount, 0),
                            **(
                                {"currency_id": currency.id, "amount_currency": amount_currency}
                                if currency
                                else {}
                            ),
                        }
                    ),
                    Command.create(receivable),
                ],
            }
        )
        move.action_post()
        return move

    @classmethod
    def _scenario(cls, rnd, partner, invoice_count):
        """Invoices in the statement currency with what ACTIONS says, all dated in 2026."""
        for _n in range(invoice_count):
            offset = rnd.randint(0, 150)
            action = rnd.choice(ACTIONS)
            if action == "advance":
                advance = cls._advance(partner, rnd.randint(50, 400), day(offset))
                # An invoice big enough to take the whole advance, invoiced later.
                invoice = cls._invoice(
                    partner,
                    rnd.randint(500, 2000),
                    day(offset + rnd.randint(1, 40)),
                    currency=cls.foreign,
                )
                cls._reconcile(advance, invoice)
                continue
            invoice = cls._invoice(
                partner,
                rnd.randint(400, 40000) / 4,
                day(offset),
                currency=cls.foreign,
                due_days=rnd.choice([0, 15, 30]),
            )
            pay_day = day(offset + rnd.randint(0, 90))
            part = round(invoice.amount_total * rnd.uniform(0.2, 0.7), 2)
            if action == "company_full":
                cls._pay(invoice, pay_date=pay_day, currency=cls.company_currency)
            elif action == "company_part":
                # The part in company currency worth less than the invoice at any rate.
                cls._pay(invoice, amount=part, pay_date=pay_day, currency=cls.company_currency)
            elif action == "foreign_full":
                cls._pay(invoice, pay_date=pay_day)
            elif action == "foreign_part":
                cls._pay(invoice, amount=part, pay_date=pay_day)
            elif action == "mixed":
                cls._pay(invoice, amount=part, pay_date=pay_day)
                cls._pay(
                    invoice,
                    pay_date=day(offset + rnd.randint(91, 120)),
                    currency=cls.company_currency,
                )
            elif action == "third_part":
                cls._pay(invoice, amount=round(part / 3, 2), pay_date=pay_day, currency=cls.third)
            elif action == "credit_note":
                refund = cls._invoice(
                    partner, part, pay_day, move_type="out_refund", currency=cls.foreign
                )
                cls._reconcile(invoice, refund)
            elif action == "refund":
                refund = cls._invoice(
                    partner, part, pay_day, move_type="out_refund", currency=cls.foreign
                )
                cls._pay(refund, pay_date=pay_day, currency=cls.company_currency)

    # ------------------------------------------------------------------ oracle
    def _items(self, partner, date_to):
        return self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("company_id", "=", self.company.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("date", "<=", date_to),
            ]
        )

    def _expected(self, partner, currency, date_to):
        """What a statement in ``currency`` at ``date_to`` must say, from the ORM: the amount
        and residual of each item, and the items it cannot convert."""
        items = self._items(partner, date_to)
        exchange_journal = self.exchange_journal

        def applied(aml):
            """(own amount, counterpart's amount, counterpart), signed as they reduce aml."""
            for partial in aml.matched_credit_ids:  # aml is the debit side
                if partial.credit_move_id in items:
                    yield (
                        -partial.debit_amount_currency,
                        -partial.credit_amount_currency,
                        partial.credit_move_id,
                    )
            for partial in aml.matched_debit_ids:
                if partial.debit_move_id in items:
                    yield (
                        partial.credit_amount_currency,
                        partial.debit_amount_currency,
                        partial.debit_move_id,
                    )

        native = items.filtered(lambda l: l.currency_id == currency)
        amounts, residuals, refused = {}, {}, self.env["account.move.line"]
        for aml in native:
            amounts[aml] = aml.amount_currency
            residuals[aml] = aml.amount_currency + sum(own for own, _o, _c in applied(aml))
        for aml in items - native:
            own_residual = aml.amount_currency + sum(own for own, _o, _c in applied(aml))
            internal = any(
                c not in native and exchange_journal not in (c.journal_id, aml.journal_id)
                for _own, _other, c in applied(aml)
            )
            if not aml.currency_id.is_zero(own_residual) or internal:
                refused |= aml
            amounts[aml] = -sum(other for _own, other, c in applied(aml) if c in native)
            residuals[aml] = 0.0
        return items, amounts, residuals, refused

    def _check_statement(self, session, items, amounts, residuals):
        """The statement against the oracle and the journal items."""
        cur, msg = session.currency_id, session.name
        lines = session.line_ids.filtered("move_line_id")
        prior = items.filtered(lambda l: l.date < session.date_from)
        period = items - prior
        self.assertAlmostEqual(
            session.opening_balance, sum(amounts[l] for l in prior), places=2, msg=msg
        )
        self.assertAlmostEqual(
            session.closing_balance, sum(amounts[l] for l in items), places=2, msg=msg
        )
        self.assertAlmostEqual(
            session.closing_balance_company, sum(items.mapped("balance")), places=2, msg=msg
        )
        self.assertTrue(
            cur.is_zero(
                session.opening_balance
                + session.period_debit
                - session.period_credit
                - session.closing_balance
            ),
            msg,
        )
        # Every item of the period is a line, but exchange differences of no amount.
        hidden = period.filtered(
            lambda l: l.journal_id == self.exchange_journal and cur.is_zero(amounts[l])
        )
        self.assertEqual(lines.move_line_id, period - hidden, msg)
        self.assertEqual(session.line_count, len(lines))
        for line in lines:
            aml = line.move_line_id
            self.assertAlmostEqual(line.amount, amounts[aml], places=2, msg=line.name)
            self.assertAlmostEqual(line.open_amount, residuals[aml], places=2, msg=line.name)
            self.assertAlmostEqual(line.amount_company, aml.balance, places=2, msg=line.name)
        running = session.opening_balance
        for line in session.line_ids.sorted("sequence")[1:]:
            running += line.debit - line.credit
            self.assertTrue(cur.is_zero(line.balance - running), line.name)
        aging = sum(session[name] for name in ("aging_not_due", "aging_1_30", "aging_31_60"))
        aging += session.aging_61_90 + session.aging_over_90
        self.assertTrue(cur.is_zero(aging - session.closing_balance), msg)
        open_amounts = sum(session.open_item_ids.mapped("open_amount"))
        self.assertTrue(cur.is_zero(open_amounts - session.closing_balance), msg)
        self.assertAlmostEqual(open_amounts, sum(residuals[l] for l in items), places=2, msg=msg)


@tagged("post_install", "-at_install")
class TestForeignStatementConversion(CurrencyCommon):
    """Generated ledgers: invoices in the statement currency paid in every currency."""

    SEEDS = (11, 23, 37)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"]
        for seed in cls.SEEDS:
            rnd = random.Random(seed)
            for index in range(5):
                partner = cls._foreign_customer(f"Foreign {seed}-{index}")
                cls._scenario(rnd, partner, rnd.randint(2, 4))
                cls.partners |= partner
            # Paid in advance in company currency in March, invoiced in April: no amount in
            # the statement currency at the end of March.
            partner = cls._foreign_customer(f"Foreign {seed}-advance")
            advance = cls._advance(partner, rnd.randint(50, 400), date(2026, 3, rnd.randint(2, 30)))
            invoice = cls._invoice(
                partner,
                rnd.randint(500, 900),
                date(2026, 4, rnd.randint(1, 20)),
                currency=cls.foreign,
            )
            cls._reconcile(advance, invoice)
            cls.partners |= partner

    def test_whole_history_equals_odoo_residuals(self):
        """No reconciliation after the end date: the statement says what Odoo says."""
        result = self.Engine.generate(self.company, START, YEAR_END, self.partners.ids)
        self.assertFalse(result["refused"], "every other-currency item is reconciled")
        self.assertEqual(result["created"].partner_id, self.partners)
        converted = 0
        kinds = Counter()
        for session in result["created"]:
            self.assertEqual(session.currency_id, self.foreign)
            items, amounts, residuals, refused = self._expected(
                session.partner_id, self.foreign, YEAR_END
            )
            self.assertFalse(refused)
            self._check_statement(session, items, amounts, residuals)
            native = items.filtered(lambda l: l.currency_id == self.foreign)
            # Odoo's own residual: the oracle.
            self.assertAlmostEqual(
                session.closing_balance,
                sum(native.mapped("amount_residual_currency")),
                places=2,
                msg=session.name,
            )
            for line in session.line_ids.filtered("move_line_id"):
                aml = line.move_line_id
                if aml.currency_id == self.foreign:
                    self.assertAlmostEqual(line.open_amount, aml.amount_residual_currency, 2)
                else:
                    converted += 1
                    self.assertFalse(line.is_open, line.name)
                    self.assertTrue(aml.reconciled, line.name)
                    kinds[line.kind] += 1
                    self.assertEqual(line.amount < 0, line.kind == "payment", line.name)
        self.assertGreater(converted, 10, "the generated ledgers must pay in other currencies")
        self.assertEqual(set(kinds), {"payment", "refund"}, kinds)

    def test_every_period_equals_the_oracle(self):
        checked = refused_count = 0
        previous = {}
        for date_from, date_to in PERIODS:
            result = self.Engine.generate(self.company, date_from, date_to, self.partners.ids)
            for session in result["created"]:
                items, amounts, residuals, refused = self._expected(
                    session.partner_id, self.foreign, date_to
                )
                self.assertFalse(refused, session.name)
                self._check_statement(session, items, amounts, residuals)
                if session.partner_id in previous:
                    self.assertAlmostEqual(
                        session.opening_balance, previous[session.partner_id], places=2
                    )
                previous[session.partner_id] = session.closing_balance
                checked += 1
            for partner_id, message in result["refused"].items():
                partner = self.env["res.partner"].browse(partner_id)
                refused = self._expected(partner, self.foreign, date_to)[3]
                self.assertTrue(refused, message)
                for aml in refused:
                    self.assertIn(aml.move_id.name, message)
                previous.pop(partner, None)
                refused_count += 1
            self.assertEqual(
                len(result["created"]) + len(result["refused"]),
                len(
                    self.Engine._select_customers(
                        self.company, date_from, date_to, self.partners.ids
                    )
                ),
            )
        self.assertGreater(checked, 20)
        self.assertGreaterEqual(refused_count, len(self.SEEDS))

    def test_company_currency_statement_is_unchanged(self):
        """In company currency every item is a line at its balance, exchange differences
        included (those of no company amount excepted); open amounts are Odoo's
        amount_residual."""
        exchange = 0
        for partner in self.partners[:8]:
            session = self.Session.create(
                {
                    "partner_id": partner.id,
                    "date_from": START,
                    "date_to": YEAR_END,
                    "currency_id": self.company_currency.id,
                }
            )
            session.action_regenerate()
            items = self._items(partner, YEAR_END)
            lines = session.line_ids.filtered("move_line_id")
            self.assertEqual(
                lines.move_line_id,
                items.filtered(lambda l: l.balance or l.journal_id != self.exchange_journal),
            )
            self.assertAlmostEqual(session.closing_balance, sum(items.mapped("balance")), places=2)
            for line in lines:
                self.assertAlmostEqual(line.amount, line.move_line_id.balance, places=2)
                self.assertAlmostEqual(
                    line.open_amount, line.move_line_id.amount_residual, places=2
                )
            exchange += len(lines.filtered(lambda l: l.kind == "exchange" and l.amount))
        self.assertTrue(exchange, "exchange differences are lines of company-currency statements")


@tagged("post_install", "-at_install")
class TestRefusal(CurrencyCommon):
    def _generate(self, partners, date_to=date(2026, 3, 31)):
        return self.Engine.generate(self.company, date(2026, 3, 1), date_to, partners.ids)

    def test_unreconciled_company_currency_items_are_refused_and_named(self):
        rnd = random.Random(5)
        for index in range(4):
            partner = self._foreign_customer(f"Mixed {index}")
            self._invoice(partner, 100, date(2026, 3, 2), currency=self.foreign)
            loose = self.env["account.move"]
            for _n in range(rnd.randint(1, 3)):
                loose |= self._invoice(
                    partner, rnd.randint(10, 900), date(2026, 3, rnd.randint(3, 28))
                )
            if index % 2:  # a company-currency payment of a company-currency invoice
                self._pay(loose[0], pay_date=date(2026, 3, 29))
            result = self._generate(partner)
            self.assertFalse(result["created"])
            message = result["refused"][partner.id]
            for move in loose:
                self.assertIn(move.name, message)
            payments = self._items(partner, YEAR_END).move_id.filtered("origin_payment_id")
            self.assertEqual(len(payments), index % 2)
            for payment_move in payments:
                self.assertIn(payment_move.name, message)
            self.assertIn(self.company_currency.name, message)
            self.assertIn(self.foreign.name, message)
            self.assertIn("Reconcile", message)
            refused = self._expected(partner, self.foreign, date(2026, 3, 31))[3]
            self.assertEqual(refused.move_id, loose | payments)

    def test_overpayment_in_company_currency_is_refused(self):
        partner = self._foreign_customer("Overpaid")
        invoice = self._invoice(partner, 100, date(2026, 3, 2), currency=self.foreign)
        advance = self._advance(partner, 5000, date(2026, 3, 3))
        self._reconcile(advance, invoice)
        self.assertTrue(invoice.payment_state in ("paid", "in_payment"))
        message = self._generate(partner)["refused"][partner.id]
        self.assertIn(advance.move_id.name, message)
        self.assertNotIn(invoice.name, message)

    def test_reconciliation_after_the_end_does_not_count(self):
        partner = self._foreign_customer("Early Payer")
        advance = self._advance(partner, 100, date(2026, 3, 20))
        invoice = self._invoice(partner, 500, date(2026, 4, 5), currency=self.foreign)
        self._reconcile(advance, invoice)
        march = self._generate(partner)
        self.assertIn(advance.move_id.name, march["refused"][partner.id])
        april = self.Engine.generate(
            self.company, date(2026, 3, 1), date(2026, 4, 30), partner.ids
        )["created"]
        self.assertTrue(april)
        self.assertAlmostEqual(april.closing_balance, invoice.amount_residual, places=2)
        payment_line = april.line_ids.filtered(lambda l: l.move_id == advance.move_id)
        self.assertEqual(payment_line.kind, "payment")
        self.assertAlmostEqual(payment_line.amount, invoice.amount_residual - 500, places=2)

    def test_regenerating_a_draft_refuses_and_keeps_it(self):
        partner = self._foreign_customer("Becomes Mixed")
        self._invoice(partner, 100, date(2026, 3, 2), currency=self.foreign)
        session = self._generate(partner)["created"]
        self.assertAlmostEqual(session.closing_balance, 100)
        loose = self._invoice(partner, 70, date(2026, 3, 9))
        with self.assertRaisesRegex(UserError, loose.name):
            session.action_regenerate()
        self.assertAlmostEqual(session.closing_balance, 100)
        self.assertEqual(len(session.line_ids), 2)
        result = self._generate(partner)
        self.assertFalse(result["refreshed"] | result["created"])
        self.assertIn(loose.name, result["refused"][partner.id])
        # Generating it in company currency works.
        partner.reconciliation_currency_id = self.company_currency
        session = self._generate(partner)["created"]
        self.assertEqual(session.currency_id, self.company_currency)

    def test_a_refusal_does_not_stop_the_run(self):
        good = self.env["res.partner"]
        bad = self.env["res.partner"]
        for index in range(6):
            partner = self._foreign_customer(f"Run {index}")
            invoice = self._invoice(partner, 100 + index, date(2026, 3, 2), currency=self.foreign)
            if index % 3 == 0:
                self._invoice(partner, 40, date(2026, 3, 4))
                bad |= partner
            else:
                self._pay(
                    invoice, amount=30, pay_date=date(2026, 3, 5), currency=self.company_currency
                )
                good |= partner
        run = self.env["customer.reconciliation.run"]._start(
            self.company, date(2026, 3, 1), date(2026, 3, 31), (good | bad).ids
        )
        self.assertEqual(run.state, "done")
        self.assertEqual(run.created_count, len(good))
        self.assertEqual(run.session_ids.partner_id, good)
        self.assertEqual(run.refused_count, len(bad))
        for partner in bad:
            self.assertIn(partner.name, run.refusals)
        wizard = self.env["customer.reconciliation.generate.wizard"].create(
            {
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "customer_selection": "selected",
                "partner_ids": [Command.set((good | bad).ids)],
            }
        )
        action = wizard.action_generate()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(bad[0].name, action["params"]["message"])
        self.assertEqual(action["params"]["next"]["res_model"], "customer.reconciliation.session")
        wizard = self.env["customer.reconciliation.generate.wizard"].create(
            {
                "date_from": date(2026, 3, 1),
                "date_to": date(2026, 3, 31),
                "customer_selection": "selected",
                "partner_ids": [Command.set(bad[:1].ids)],
            }
        )
        with self.assertRaisesRegex(UserError, "cannot be generated"):
            wizard.action_generate()


@tagged("post_install", "-at_install")
class TestKindsAndExchange(CurrencyCommon):
    def test_bank_receipts_without_payment_are_payments(self):
        rnd = random.Random(3)
        for index in range(3):
            partner = self._customer(f"Bank {index}")
            self._invoice(partner, 1000, date(2026, 5, 2))
            receipts = [
                self._bank_entry(partner, rnd.randint(10, 300), date(2026, 5, rnd.randint(3, 28)))
                for _n in range(rnd.randint(1, 3))
            ]
            back = self._bank_entry(partner, -5, date(2026, 5, 29))  # money paid back
            session = self.Engine.generate(
                self.company, date(2026, 5, 1), date(2026, 5, 31), partner.ids
            )["created"]
            by_move = {line.move_id: line for line in session.line_ids}
            for receipt in receipts:
                self.assertFalse(receipt.origin_payment_id or receipt.statement_line_id)
                self.assertEqual(by_move[receipt].kind, "payment")
                self.assertEqual(by_move[receipt].customer_ref, "BANK-REF")
            self.assertEqual(by_move[back].kind, "refund")
            self.assertAlmostEqual(
                session.closing_balance,
                self._ledger_sum(partner, self.company, date(2026, 5, 31)),
                places=2,
            )

    def test_bank_receipt_in_the_statement_currency(self):
        partner = self._foreign_customer("Foreign Bank")
        self._invoice(partner, 500, date(2026, 5, 2), currency=self.foreign)
        receipt = self._bank_entry(partner, 250, date(2026, 5, 10), self.foreign, 120)
        session = self.Engine.generate(
            self.company, date(2026, 5, 1), date(2026, 5, 31), partner.ids
        )["created"]
        line = session.line_ids.filtered(lambda l: l.move_id == receipt)
        self.assertEqual(line.kind, "payment")
        self.assertAlmostEqual(line.amount, -120)
        self.assertAlmostEqual(session.closing_balance, 380)

    def test_exchange_differences_hidden_in_foreign_shown_in_company_currency(self):
        rnd = random.Random(9)
        shown_company = hidden_foreign = 0
        for index in range(4):
            partner = self._foreign_customer(f"Rates {index}")
            # Invoiced at one rate, paid at another: Odoo books exchange differences.
            for _n in range(2):
                invoice = self._invoice(
                    partner,
                    rnd.randint(100, 5000),
                    date(2026, 1, rnd.randint(2, 25)),
                    currency=self.foreign,
                )
                self._pay(
                    invoice,
                    pay_date=date(2026, rnd.choice([4, 6]), rnd.randint(2, 20)),
                    currency=rnd.choice([self.foreign, self.company_currency]),
                )
            items = self._items(partner, YEAR_END)
            exchange = items.filtered(lambda l: l.journal_id == self.exchange_journal)
            self.assertTrue(exchange, "the rates must produce exchange differences")
            foreign = self.Engine.generate(self.company, START, YEAR_END, partner.ids)["created"]
            self.assertFalse(foreign.line_ids.filtered(lambda l: l.kind == "exchange"))
            self.assertAlmostEqual(
                foreign.closing_balance_company, sum(items.mapped("balance")), places=2
            )
            self.assertAlmostEqual(foreign.closing_balance, 0, places=2)
            hidden_foreign += len(exchange)
            company = self.Session.create(
                {
                    "partner_id": partner.id,
                    "date_from": START,
                    "date_to": YEAR_END,
                    "currency_id": self.company_currency.id,
                }
            )
            company.action_regenerate()
            lines = company.line_ids.filtered(lambda l: l.kind == "exchange")
            self.assertEqual(lines.move_line_id, exchange.filtered("balance"))
            for line in lines:
                self.assertAlmostEqual(line.amount, line.move_line_id.balance, places=2)
            shown_company += len(lines)
            self.assertAlmostEqual(company.closing_balance, sum(items.mapped("balance")), places=2)
        self.assertGreater(shown_company, 2)
        self.assertGreater(hidden_foreign, 2)

    def test_ledger_check_ignores_hidden_exchange_differences(self):
        partner = self._foreign_customer("Checked")
        invoice = self._invoice(partner, 1000, date(2026, 1, 5), currency=self.foreign)
        self._pay(invoice, pay_date=date(2026, 4, 5), currency=self.company_currency)
        session = self.Engine.generate(self.company, START, YEAR_END, partner.ids)["created"]
        self.assertTrue(
            self._items(partner, YEAR_END).filtered(lambda l: l.journal_id == self.exchange_journal)
        )
        self.assertEqual(session._ledger_differences()[session.id], [])
