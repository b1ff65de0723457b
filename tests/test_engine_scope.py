"""What goes into a statement and what never does."""

from datetime import date

from common import ReconciliationCommon

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestScope(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Scope Customer")
        cls.contact = cls.env["res.partner"].create({"name": "Buyer", "parent_id": cls.customer.id})
        cls.plan = cls.env["account.analytic.plan"].create({"name": "Projects"})
        cls.project_a = cls.env["account.analytic.account"].create(
            {"name": "Project A", "plan_id": cls.plan.id, "company_id": False}
        )
        cls.project_b = cls.env["account.analytic.account"].create(
            {"name": "Project B", "plan_id": cls.plan.id, "company_id": False}
        )

    def _generate(self, partner=None, **kwargs):
        return self.Engine.generate(
            self.company,
            date(2026, 3, 1),
            date(2026, 3, 31),
            [(partner or self.customer).id],
            **kwargs,
        )

    def test_contacts_included_draft_and_cancelled_excluded(self):
        self._invoice(self.customer, 100, date(2026, 3, 5))
        self._invoice(self.contact, 40, date(2026, 3, 6))
        self._invoice(self.customer, 1000, date(2026, 3, 7), post=False)
        cancelled = self._invoice(self.customer, 2000, date(2026, 3, 8))
        cancelled.button_draft()
        cancelled.button_cancel()
        session = self._generate()["created"]
        self.assertEqual(session.partner_id, self.customer)
        self.assertAlmostEqual(session.closing_balance, 140)
        self.assertEqual(len(session.line_ids), 3)

    def test_other_company_never_mixes_in(self):
        other = self.setup_other_company(name="Other Co")["company"]
        self.env.user.company_ids |= other
        self._invoice(self.customer, 100, date(2026, 3, 5))
        self.env["account.move"].with_company(other).create(
            {
                "move_type": "out_invoice",
                "partner_id": self.customer.id,
                "invoice_date": date(2026, 3, 5),
                "invoice_line_ids": [
                    Command.create({"name": "x", "price_unit": 999, "tax_ids": []})
                ],
            }
        ).action_post()
        session = self._generate()["created"]
        self.assertAlmostEqual(session.closing_balance, 100)
        other_session = self.Engine.with_company(other).generate(
            other, date(2026, 3, 1), date(2026, 3, 31), [self.customer.id]
        )["created"]
        self.assertAlmostEqual(other_session.closing_balance, 999)
        self.assertEqual(other_session.company_id, other)
        self.assertEqual(other_session.line_ids.company_id, other)

    def test_analytic_scope(self):
        self._invoice(self.customer, 100, date(2026, 3, 5), analytic=self.project_a)
        self._invoice(self.customer, 200, date(2026, 3, 6), analytic=self.project_b)
        self._invoice(self.customer, 400, date(2026, 3, 7))
        # Odoo puts the analytic distribution on the invoice lines; the scope applies to the
        # receivable items themselves, so give them the distribution of their entry.
        items = self.env["account.move.line"].search(
            [("partner_id", "=", self.customer.id), ("account_id", "=", self.receivable.id)]
        )
        for item in items:
            distribution = item.move_id.invoice_line_ids.analytic_distribution
            if distribution:
                item.analytic_distribution = distribution
        session_a = self._generate(analytic_ids=self.project_a.ids)["created"]
        self.assertAlmostEqual(session_a.closing_balance, 100)
        self.assertEqual(session_a.line_ids.filtered("move_line_id").analytic_names, "Project A")
        expected = self._ledger_sum(
            self.customer, self.company, date(2026, 3, 31), analytic=self.project_a
        )
        self.assertAlmostEqual(session_a.closing_balance, expected)
        session_ab = self._generate(analytic_ids=(self.project_a | self.project_b).ids)["created"]
        self.assertAlmostEqual(session_ab.closing_balance, 300)
        unscoped = self._generate()["created"]
        self.assertAlmostEqual(unscoped.closing_balance, 700)
        self.assertEqual(
            len(session_a | session_ab | unscoped), 3, "each scope is its own statement"
        )

    def test_extra_reconciliation_account(self):
        advances = self.env["account.account"].create(
            {
                "name": "Customer Advances",
                "code": "220500",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        self._invoice(self.customer, 100, date(2026, 3, 5))
        move = self.env["account.move"].create(
            {
                "move_type": "entry",
                "date": date(2026, 3, 9),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": self.company_data[
                                "default_journal_bank"
                            ].default_account_id.id,
                            "debit": 30,
                        }
                    ),
                    Command.create(
                        {"account_id": advances.id, "partner_id": self.customer.id, "credit": 30}
                    ),
                ],
            }
        )
        move.action_post()
        self.assertAlmostEqual(self._generate()["created"].closing_balance, 100)
        self.company.reconciliation_extra_account_ids = advances
        self.Session.search([("partner_id", "=", self.customer.id)]).unlink()
        session = self._generate()["created"]
        self.assertAlmostEqual(session.closing_balance, 70)
        self.assertEqual(session.line_ids.filtered(lambda l: l.move_id == move).kind, "misc")

    def test_foreign_currency_customer_gets_foreign_statement(self):
        self._invoice(self.customer, 100, date(2026, 3, 5), currency=self.foreign)
        session = self._generate()["created"]
        self.assertEqual(session.currency_id, self.foreign)
        self.assertAlmostEqual(session.closing_balance, 100)
        rate = self.foreign.with_context(date=date(2026, 3, 5))._convert(
            100, self.company.currency_id, self.company, date(2026, 3, 5)
        )
        self.assertAlmostEqual(session.closing_balance_company, rate, places=2)

    def test_customer_setting_forces_statement_currency(self):
        invoice = self._invoice(self.customer, 100, date(2026, 3, 5))
        self._invoice(self.customer, 50, date(2026, 3, 6), currency=self.foreign)
        self.assertEqual(self._generate()["created"].currency_id, self.company.currency_id)
        self.customer.reconciliation_currency_id = self.foreign
        # The company-currency invoice has no amount in the foreign currency: refused, named.
        result = self.Engine.generate(
            self.company, date(2026, 3, 1), date(2026, 3, 30), [self.customer.id]
        )
        self.assertFalse(result["created"])
        self.assertIn(invoice.name, result["refused"][self.customer.id])
        invoice.button_draft()
        session = self.Engine.generate(
            self.company, date(2026, 3, 1), date(2026, 3, 30), [self.customer.id]
        )["created"]
        self.assertEqual(session.currency_id, self.foreign)
        self.assertAlmostEqual(session.closing_balance, 50)

    def test_period_must_be_ordered(self):
        with self.assertRaisesRegex(UserError, "after its end"):
            self.Engine.generate(
                self.company, date(2026, 3, 31), date(2026, 3, 1), [self.customer.id]
            )
