"""The world of the collection tests: two salespeople, two cashiers, an accountant, an auditor,
customers with and without a salesperson, and builders for collections and receipts."""

from common import ReconciliationCommon

from odoo import Command
from odoo.tests import new_test_user


class CollectionCommon(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.sales1 = new_test_user(
            cls.env, login="col_sales1", groups="sales_team.group_sale_salesman", **users
        )
        cls.sales2 = new_test_user(
            cls.env, login="col_sales2", groups="sales_team.group_sale_salesman", **users
        )
        cashier = "customer_reconciliation.group_reconciliation_cashier"
        cls.cashier = new_test_user(cls.env, login="col_cashier", groups=cashier, **users)
        cls.cashier2 = new_test_user(
            cls.env,
            login="col_cashier2",
            groups=f"{cashier},sales_team.group_sale_salesman",
            **users,
        )
        cls.accountant = new_test_user(
            cls.env,
            login="col_accountant",
            groups="customer_reconciliation.group_reconciliation_user",
            **users,
        )
        cls.manager = new_test_user(
            cls.env,
            login="col_manager",
            groups="customer_reconciliation.group_reconciliation_manager",
            **users,
        )
        cls.auditor = new_test_user(
            cls.env,
            login="col_auditor",
            groups="customer_reconciliation.group_reconciliation_auditor",
            **users,
        )
        c = cls._customer
        cls.alpha = c("Alpha Trading", user_id=cls.sales1.id, email="ap@alpha.example")
        cls.beta = c("Beta Stores", user_id=cls.sales1.id)
        cls.gamma = c("Gamma Foods", user_id=cls.sales2.id)
        cls.zeta = c("Zeta Walk-in")  # no salesperson
        cls.Collection = cls.env["customer.reconciliation.collection"]
        cls.bank = cls.company_data["default_journal_bank"]

    @classmethod
    def _collect(cls, user, partner, amount, day, currency=None, method="cheque", reference=None):
        return cls.Collection.with_user(user).create(
            {
                "partner_id": partner.id,
                "amount": amount,
                "date": day,
                "currency_id": (currency or cls.company.currency_id).id,
                "method": method,
                "reference": reference,
            }
        )

    @classmethod
    def _statement_line(cls, partner, amount, day, label="", foreign=None, amount_currency=None):
        vals = {
            "journal_id": cls.bank.id,
            "date": day,
            "amount": amount,
            "payment_ref": label or "deposit",
            "partner_id": partner.id if partner else False,
        }
        if foreign:
            vals.update(foreign_currency_id=foreign.id, amount_currency=amount_currency)
        return cls.env["account.bank.statement.line"].create(vals)
