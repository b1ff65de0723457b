"""Who sees and records what: salespeople see their customers' statements with the orders and
deliveries, and confirm orders with them before sending; nobody writes the snapshot."""

from datetime import date, datetime

from sale_common import SaleReconciliationCommon

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

from odoo.addons.customer_reconciliation.reports import statement_data

SALESMAN = "sales_team.group_sale_salesman"


class TestSaleAccess(SaleReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = {"company_id": cls.company.id, "company_ids": [(6, 0, cls.company.ids)]}
        cls.seller = new_test_user(
            cls.env, "seller", groups=f"base.group_user,{SALESMAN}", **company
        )
        cls.other_seller = new_test_user(
            cls.env, "other_seller", groups=f"base.group_user,{SALESMAN}", **company
        )
        cls.accountant = new_test_user(
            cls.env,
            "cr_accountant",
            groups="base.group_user,customer_reconciliation.group_reconciliation_user",
            **company,
        )
        cls.customer = cls._customer("Zeta Followed", user_id=cls.seller.id)
        cls.order = cls._order(cls.customer, [(cls.product, 5, 100)], po="ZT-PO-1")
        cls._deliver(cls._open_picking(cls.order), 5, date(2026, 3, 10))
        cls._invoice(cls.customer, 50, date(2026, 3, 2))
        cls.session = cls._statement(cls.customer, date(2026, 3, 1), date(2026, 3, 31))

    def test_salesperson_sees_their_customers_goods(self):
        self.assertEqual(self.session.salesperson_id, self.seller)
        session = self.session.with_user(self.seller)
        self.assertEqual(session.delivery_line_ids.amount, 550.0)
        self.assertEqual(session.sale_balance_on_receipt, 600.0)
        keys = [s["key"] for s in statement_data.extra_sections(session)]
        self.assertIn("sale_delivered_not_invoiced", keys)
        Goods = self.env["customer.reconciliation.delivery.line"]
        self.assertEqual(Goods.with_user(self.seller).search([]), self.session.delivery_line_ids)
        self.assertFalse(Goods.with_user(self.other_seller).search([]))
        with self.assertRaises(AccessError):
            self.session.with_user(self.other_seller).delivery_line_ids.mapped("amount")

    def test_nobody_writes_the_snapshot(self):
        for user in (self.seller, self.accountant):
            with self.assertRaises(UserError):
                self.session.delivery_line_ids.with_user(user).write({"amount": 1.0})
            with self.assertRaises(UserError):
                self.session.with_user(user).write({"sale_balance_on_receipt": 1.0})
        with self.assertRaises(UserError):
            self.session.delivery_line_ids.sudo().write({"amount": 1.0})

    def _confirm(self, user, **vals):
        return (
            self.env["customer.reconciliation.order.confirmation"]
            .with_user(user)
            .create(
                {
                    "session_id": self.session.id,
                    "order_id": self.order.id,
                    "contact_name": "Ms Zhao, purchasing",
                    "method": "phone",
                    "confirmed_on": datetime(2026, 4, 2, 9, 30),
                    **vals,
                }
            )
        )

    def test_order_confirmations(self):
        confirmation = self._confirm(self.seller)
        self.assertEqual(confirmation.confirmed_by_id, self.seller)
        self.assertEqual(
            (confirmation.order_name, confirmation.client_order_ref, confirmation.order_amount),
            (self.order.name, "ZT-PO-1", 550.0),
        )
        # Shown on the statement.
        sections = statement_data.extra_sections(self.session.with_context(lang="en_US"))
        confirmed = next(s for s in sections if s["key"] == "sale_orders_confirmed")
        self.assertEqual(confirmed["cells"][0][:2], [self.order.name, "ZT-PO-1"])
        self.assertEqual(confirmed["cells"][0][3], "Ms Zhao, purchasing")
        # Another salesperson cannot; nor can anyone claim to be someone else.
        with self.assertRaises(AccessError):
            confirmation.with_user(self.other_seller).unlink()
        confirmation.with_user(self.seller).unlink()
        with self.assertRaises(AccessError):
            self._confirm(self.other_seller)
        with self.assertRaises(UserError):
            self._confirm(self.seller, confirmed_by_id=self.other_seller.id)
        forged = self._confirm(
            self.seller.with_context(default_confirmed_by_id=self.other_seller.id)
        )
        self.assertEqual(forged.confirmed_by_id, self.seller)
        with self.assertRaises(UserError):
            forged.with_user(self.seller).write({"order_amount": 1.0})
        with self.assertRaises(ValidationError):
            forged.with_user(self.seller).write({"confirmed_on": datetime(2999, 1, 1)})
        # An accountant may too; once sent, nobody.
        forged.with_user(self.accountant).write({"method": "email"})
        self.session._workflow_write({"state": "sent"})
        with self.assertRaises(UserError):
            forged.with_user(self.accountant).write({"note": "late"})
        with self.assertRaises(UserError):
            forged.with_user(self.seller).unlink()

    def test_only_the_customers_orders(self):
        stranger = self._customer("Eta Stranger")
        order = self._order(stranger, [(self.product, 1, 10)])
        with self.assertRaises(ValidationError):
            self._confirm(self.accountant, order_id=order.id)
