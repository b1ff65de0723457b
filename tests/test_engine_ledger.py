"""Every balance a statement shows equals what the journal items say."""

from datetime import date

from common import ReconciliationCommon

from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestLedgerEquality(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls._random_ledger(seed=7, customers=10)

    def _check_statement(self, session):
        partner, company = session.partner_id, session.company_id
        foreign = session.currency_id != company.currency_id
        field = "amount_currency" if foreign else "balance"
        currency = session.currency_id if foreign else None
        cur = session.currency_id
        opening = self._ledger_sum(
            partner, company, session.date_to, session.date_from, currency, field
        )
        closing = self._ledger_sum(partner, company, session.date_to, None, currency, field)
        self.assertAlmostEqual(session.opening_balance, opening, places=2, msg=session.name)
        self.assertAlmostEqual(session.closing_balance, closing, places=2, msg=session.name)
        self.assertAlmostEqual(
            session.opening_balance + session.period_debit - session.period_credit,
            session.closing_balance,
            places=2,
            msg=session.name,
        )
        company_closing = self._ledger_sum(
            partner, company, session.date_to, None, currency, "balance"
        )
        self.assertAlmostEqual(session.closing_balance_company, company_closing, places=2)
        aging = (
            session.aging_not_due
            + session.aging_1_30
            + session.aging_31_60
            + session.aging_61_90
            + session.aging_over_90
        )
        self.assertTrue(cur.is_zero(aging - session.closing_balance), f"aging {aging} != closing")
        self.assertTrue(cur.is_zero(session.overdue_amount - (aging - session.aging_not_due)))
        self.assertTrue(
            cur.is_zero(sum(session.open_item_ids.mapped("open_amount")) - session.closing_balance)
        )
        lines = session.line_ids.sorted("sequence")
        self.assertEqual(lines[0].kind, "opening")
        self.assertTrue(cur.is_zero(lines[0].balance - session.opening_balance))
        self.assertTrue(cur.is_zero(lines[-1].balance - session.closing_balance))
        running = session.opening_balance
        for line in lines[1:]:
            running += line.debit - line.credit
            self.assertTrue(cur.is_zero(line.balance - running), line.name)
            self.assertTrue(session.date_from <= line.date <= session.date_to)
        self.assertEqual(session.line_count, len(lines) - 1)

    def test_every_statement_equals_the_ledger(self):
        periods = [
            (date(2026, 1, 1), date(2026, 1, 31)),
            (date(2026, 2, 1), date(2026, 3, 31)),
            (date(2026, 4, 1), date(2026, 4, 30)),
            (date(2026, 5, 1), date(2026, 6, 30)),
            (date(2026, 1, 1), date(2026, 12, 31)),
        ]
        checked = foreign = 0
        for date_from, date_to in periods:
            result = self.Engine.generate(
                self.company, date_from, date_to, partner_ids=self.partners.ids
            )
            sessions = result["created"]
            self.assertTrue(sessions)
            for session in sessions:
                self._check_statement(session)
                checked += 1
                foreign += session.currency_id != self.company.currency_id
        self.assertGreater(checked, 30)
        self.assertGreater(
            foreign, 3, "the generated data must include foreign-currency statements"
        )

    def test_residual_today_equals_odoo_residual(self):
        """With every reconciliation inside the period, residuals are Odoo's own."""
        result = self.Engine.generate(
            self.company, date(2025, 1, 1), date(2029, 12, 31), partner_ids=self.partners.ids
        )
        compared = 0
        for session in result["created"]:
            foreign = session.currency_id != self.company.currency_id
            for line in session.line_ids.filtered("move_line_id"):
                aml = line.move_line_id
                expected = aml.amount_residual_currency if foreign else aml.amount_residual
                self.assertAlmostEqual(line.open_amount, expected, places=2, msg=line.name)
                self.assertEqual(line.is_open, not session.currency_id.is_zero(expected))
                compared += 1
        self.assertGreater(compared, 40)

    def test_statement_in_company_currency_includes_every_currency(self):
        partner = self.partners[3]  # a foreign-currency customer of the random ledger
        session = self.Session.create(
            {
                "partner_id": partner.id,
                "date_from": date(2026, 1, 1),
                "date_to": date(2026, 12, 31),
                "currency_id": self.company.currency_id.id,
            }
        )
        session.action_regenerate()
        self._check_statement(session)
        self.assertTrue(session.line_ids.filtered("move_line_id"))


@tagged("post_install", "-at_install")
class TestOpenAtDate(ReconciliationCommon):
    def test_residual_uses_only_reconciliations_dated_up_to_the_end(self):
        partner = self._customer("Late Payer")
        invoice = self._invoice(partner, 1000, date(2026, 1, 10), due_days=10)
        self._pay(invoice, amount=400, pay_date=date(2026, 2, 15))
        self._pay(invoice, amount=600, pay_date=date(2026, 3, 20))
        self.assertTrue(invoice.payment_state in ("paid", "in_payment"))

        jan = self.Engine.generate(self.company, date(2026, 1, 1), date(2026, 1, 31), [partner.id])[
            "created"
        ]
        feb = self.Engine.generate(self.company, date(2026, 2, 1), date(2026, 2, 28), [partner.id])[
            "created"
        ]
        mar = self.Engine.generate(self.company, date(2026, 3, 1), date(2026, 3, 31), [partner.id])[
            "created"
        ]

        jan_line = jan.line_ids.filtered(lambda l: l.move_id == invoice)
        self.assertTrue(jan_line.is_open)
        self.assertAlmostEqual(jan_line.open_amount, 1000)
        self.assertAlmostEqual(jan.aging_1_30, 1000)  # due 20 Jan, 11 days late on 31 Jan
        self.assertAlmostEqual(jan.overdue_amount, 1000)

        self.assertAlmostEqual(feb.closing_balance, 600)
        self.assertEqual(feb.open_item_ids.move_id, invoice)
        self.assertAlmostEqual(feb.open_item_ids.open_amount, 600)
        self.assertAlmostEqual(feb.aging_31_60, 600)  # 39 days past due on 28 Feb
        payment_line = feb.line_ids.filtered(lambda l: l.kind == "payment")
        self.assertAlmostEqual(payment_line.credit, 400)
        self.assertFalse(payment_line.is_open)

        self.assertAlmostEqual(mar.closing_balance, 0)
        self.assertFalse(mar.open_item_ids)
        self.assertAlmostEqual(mar.opening_balance, 600)

    def test_line_kinds_and_references(self):
        partner = self._customer("Kinds")
        invoice = self._invoice(partner, 500, date(2026, 5, 2), ref="PO-778")
        refund = self._invoice(partner, 50, date(2026, 5, 3), move_type="out_refund")
        advance = self._advance(partner, 100, date(2026, 5, 4), memo="REMIT 42")
        self._pay(invoice, amount=200, pay_date=date(2026, 5, 5))
        session = self.Engine.generate(
            self.company, date(2026, 5, 1), date(2026, 5, 31), [partner.id]
        )["created"]
        by_move = {line.move_id: line for line in session.line_ids}
        self.assertEqual(by_move[invoice].kind, "invoice")
        self.assertEqual(by_move[invoice].customer_ref, "PO-778")
        self.assertEqual(by_move[invoice].name, invoice.name)
        self.assertEqual(by_move[invoice].date_maturity, invoice.invoice_date_due)
        self.assertEqual(by_move[refund].kind, "credit_note")
        self.assertEqual(by_move[advance.move_id].kind, "payment")
        self.assertEqual(by_move[advance.move_id].customer_ref, "REMIT 42")
        self.assertAlmostEqual(session.period_debit, 500)
        self.assertAlmostEqual(session.period_credit, 350)
        self.assertAlmostEqual(session.closing_balance, 150)
