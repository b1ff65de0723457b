"""Shared world of the settlement tests: the roles, the settlement accounts, and disputed
statements built through the real transitions."""

from datetime import date

from common import ReconciliationCommon

from odoo import Command
from odoo.tests import new_test_user

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


class SettlementCommon(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        users = {"company_id": company.id, "company_ids": [Command.set(company.ids)]}
        cls.accountant = new_test_user(
            cls.env,
            login="stl_accountant",
            groups="customer_reconciliation.group_reconciliation_user",
            name="Li Accountant",
            **users,
        )
        cls.manager = new_test_user(
            cls.env,
            login="stl_manager",
            groups="customer_reconciliation.group_reconciliation_manager",
            name="Wang Manager",
            **users,
        )
        cls.manager2 = new_test_user(
            cls.env,
            login="stl_manager2",
            groups="customer_reconciliation.group_reconciliation_manager",
            name="Zhao Manager",
            **users,
        )
        cls.cashier = new_test_user(
            cls.env, login="stl_cashier", groups="account.group_account_invoice", **users
        )
        cls.auditor = new_test_user(
            cls.env,
            login="stl_auditor",
            groups="customer_reconciliation.group_reconciliation_auditor",
            **users,
        )
        cls.salesperson = new_test_user(
            cls.env, login="stl_sales", groups="sales_team.group_sale_salesman", **users
        )
        Account = cls.env["account.account"]
        cls.writeoff_account = Account.create(
            {"code": "660399", "name": "Reconciliation differences", "account_type": "expense"}
        )
        cls.bad_debt_account = Account.create(
            {"code": "123101", "name": "坏账准备", "account_type": "asset_current"}
        )
        cls.advance_account = Account.create(
            {
                "code": "220301",
                "name": "预收账款",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        company.write(
            {
                "reconciliation_writeoff_account_id": cls.writeoff_account.id,
                "reconciliation_writeoff_tolerance": 1.0,
                "reconciliation_bad_debt_account_id": cls.bad_debt_account.id,
                "reconciliation_bad_debt_limit": 1000.0,
                "reconciliation_advance_account_id": cls.advance_account.id,
                "reconciliation_settlement_journal_id": cls.company_data["default_journal_misc"].id,
            }
        )
        cls.plan = cls.env["account.analytic.plan"].create({"name": "Projects"})
        cls.project = cls.env["account.analytic.account"].create(
            {"name": "Project East", "plan_id": cls.plan.id}
        )
        cls.Settlement = cls.env["customer.reconciliation.settlement"]
        cls.Wizard = cls.env["customer.reconciliation.settlement.wizard"]

    # ------------------------------------------------------------------ builders
    def _statement(self, partner, currency=None, dispute_vals=None, source="portal"):
        """The October statement of ``partner``, approved, sent and disputed (a customer of a
        foreign ``currency`` has it as statement currency)."""
        session = self.Engine.generate(self.company, *PERIOD, partner.ids)["created"]
        self.assertEqual(session.currency_id, currency or self.company.currency_id)
        session.user_id = self.accountant
        session.with_user(self.accountant).action_submit()
        session.with_user(self.manager).action_approve()
        session.with_user(self.accountant).action_mark_sent()
        disputes = session._record_dispute(dispute_vals or [{"reason": "other"}], source=source)
        return session, disputes

    def _line_of(self, session, move):
        return session.line_ids.filtered(lambda line: line.move_id == move)

    def _settle(self, disputes, user=None, **vals):
        wizard = (
            self.Wizard.with_user(user or self.accountant)
            .with_context(default_dispute_ids=[Command.set(disputes.ids)])
            .create(vals)
        )
        action = wizard.action_settle()
        return self.Settlement.browse(action["res_id"])

    def _receivable(self, move):
        return move.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")

    def assertBalanced(self, move):
        self.assertEqual(move.state, "posted")
        self.assertAlmostEqual(sum(move.line_ids.mapped("balance")), 0.0, places=2)
        self.assertAlmostEqual(
            sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit")), places=2
        )
