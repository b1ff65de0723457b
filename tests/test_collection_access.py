"""Who may do what with collections: salespeople report and see their own only, cashiers
validate (never their own), nobody writes the state, the receipt or a matched collection
through the ORM - administrators and context keys included."""

from datetime import date

import psycopg2
from collection_common import CollectionCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

FORBIDDEN = (AccessError, UserError, ValidationError)
D = date(2026, 11, 2)


@tagged("post_install", "-at_install")
class TestCollectionAccess(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mine = cls._collect(cls.sales1, cls.alpha, 900.0, D, reference="CHQ-1")
        cls.theirs = cls._collect(cls.sales2, cls.gamma, 400.0, D)
        cls.payment = cls._advance(cls.alpha, 900.0, date(2026, 11, 3))
        cls.matched = cls._collect(cls.sales1, cls.beta, 250.0, D)
        cls._advance(cls.beta, 250.0, date(2026, 11, 3))
        (cls.mine | cls.matched).with_user(cls.cashier).action_match()
        cls.matched.with_user(cls.cashier).action_validate_match()

    def assertRefused(self, call):
        try:
            with mute_logger("odoo.models", "odoo.sql_db"), self.env.cr.savepoint():
                call()
        except FORBIDDEN:
            return
        self.fail("the call was not refused")

    def test_groups_keep_duties_apart(self):
        cashier = self.env.ref("customer_reconciliation.group_reconciliation_cashier")
        for xmlid in ("group_reconciliation_user", "group_reconciliation_manager"):
            group = self.env.ref(f"customer_reconciliation.{xmlid}")
            self.assertNotIn(cashier, group.all_implied_ids)
        self.assertIn(self.env.ref("account.group_account_invoice"), cashier.all_implied_ids)
        self.assertFalse(self.accountant.has_group(cashier.get_external_id()[cashier.id]))

    def test_salesperson_sees_and_reports_only_their_own(self):
        Collection = self.Collection.with_user(self.sales1)
        self.assertEqual(Collection.search([]), self.mine | self.matched)
        self.assertRefused(lambda: self.theirs.with_user(self.sales1).read(["amount"]))
        self.assertRefused(lambda: self.theirs.with_user(self.sales1).write({"note": "x"}))
        self.assertRefused(lambda: self.theirs.with_user(self.sales1).unlink())
        # Reporting for another salesperson is refused by the record rule.
        self.assertRefused(
            lambda: Collection.create(
                {"partner_id": self.gamma.id, "amount": 10.0, "user_id": self.sales2.id}
            )
        )
        own = Collection.create({"partner_id": self.alpha.id, "amount": 10.0})
        self.assertEqual((own.user_id, own.state), (self.sales1, "reported"))
        own.write({"amount": 12.5, "reference": "T-9"})
        self.assertEqual(own.amount, 12.5)
        own.unlink()

    def test_nobody_reports_in_anothers_name_to_validate_it(self):
        # A cashier who is also a salesperson (the company-wide rule lets the create through)
        # may not report a collection in another salesperson's name.
        with self.assertRaisesRegex(UserError, "in the name of another salesperson"):
            self.Collection.with_user(self.cashier2).create(
                {"partner_id": self.alpha.id, "amount": 40.0, "user_id": self.sales1.id}
            )
        # A manager (here also a salesperson and a cashier) may record one for a salesperson,
        # and then never validates it.
        cashier = self.env.ref("customer_reconciliation.group_reconciliation_cashier")
        sales = self.env.ref("sales_team.group_sale_salesman")
        self.manager.group_ids = [Command.link(cashier.id), Command.link(sales.id)]
        recorded = self.Collection.with_user(self.manager).create(
            {"partner_id": self.alpha.id, "amount": 41.0, "user_id": self.sales1.id}
        )
        self.assertEqual(recorded.user_id, self.sales1)
        self.env["account.payment"].create(
            {
                "payment_type": "inbound",
                "partner_type": "customer",
                "partner_id": self.alpha.id,
                "amount": 41.0,
                "date": recorded.date,
                "journal_id": self.bank.id,
            }
        ).action_post()
        recorded.with_user(self.manager).action_match()
        self.assertTrue(recorded.match_proposed)
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            recorded.with_user(self.manager).action_validate_match()
        recorded.with_user(self.cashier).action_validate_match()
        self.assertEqual(recorded.state, "matched")

    def test_salesperson_cannot_validate_nor_match(self):
        for action in ("action_match", "action_validate_match", "action_reject_match"):
            self.assertRefused(
                lambda action=action: getattr(self.mine.with_user(self.sales1), action)()
            )
        self.assertTrue(self.mine.match_proposed)
        self.assertEqual(self.mine.state, "reported")

    def test_accountant_auditor_and_manager_read_but_do_not_validate(self):
        for user in (self.accountant, self.auditor, self.manager):
            records = self.Collection.with_user(user).search([])
            self.assertEqual(records, self.mine | self.theirs | self.matched)
            self.assertRefused(lambda user=user: self.mine.with_user(user).action_validate_match())
            self.assertRefused(lambda user=user: self.mine.with_user(user).write({"note": "x"}))
            self.assertRefused(
                lambda user=user: self.Collection.with_user(user).create(
                    {"partner_id": self.alpha.id, "amount": 1.0}
                )
            )
        self.assertEqual(self.mine.state, "reported")

    def test_cashier_validates_but_not_their_own_nor_edits_reports(self):
        self.assertRefused(lambda: self.theirs.with_user(self.cashier).write({"amount": 1.0}))
        self.assertRefused(lambda: self.theirs.with_user(self.cashier).unlink())
        own = self._collect(self.cashier2, self.gamma, 77.0, D)
        self._advance(self.gamma, 77.0, D)
        own.with_user(self.cashier2).action_match()
        self.assertTrue(own.match_proposed)
        self.assertRefused(lambda: own.with_user(self.cashier2).action_validate_match())
        own.with_user(self.cashier).action_validate_match()
        self.assertEqual(own.state, "matched")

    def test_nobody_writes_state_receipt_or_a_matched_collection(self):
        admin = self.env.ref("base.user_admin")
        for user in (self.sales1, self.cashier, self.manager, admin):
            mine = self.mine.with_user(user)
            for vals in (
                {"state": "deposited"},
                {"payment_id": self.payment.id},
                {"match_kind": "exact"},
                {"matched_by_id": user.id},
                {"partner_mismatch": True},
            ):
                self.assertRefused(lambda mine=mine, vals=vals: mine.write(vals))
        for vals in ({"amount": 1.0}, {"partner_id": self.gamma.id}, {"state": "reported"}):
            self.assertRefused(lambda vals=vals: self.matched.with_user(self.sales1).write(vals))
            self.assertRefused(lambda vals=vals: self.matched.sudo().write(vals))
        # A proposed receipt freezes the report too (the cashier rejects it first).
        self.assertRefused(lambda: self.mine.with_user(self.sales1).write({"amount": 1.0}))
        self.assertRefused(lambda: self.matched.sudo().unlink())
        self.assertEqual(self.matched.state, "matched")
        self.assertEqual(self.matched.amount, 250.0)

    def test_context_keys_do_not_bypass(self):
        keys = {
            "customer_reconciliation_workflow": True,
            "default_state": "deposited",
            "default_payment_id": self.payment.id,
            "install_mode": True,
            "tracking_disable": True,
        }
        Collection = self.Collection.with_user(self.sales1).with_context(**keys)
        created = Collection.create({"partner_id": self.alpha.id, "amount": 5.0})
        self.assertEqual(created.state, "reported")
        self.assertFalse(created.payment_id)
        self.assertRefused(lambda: created.with_context(**keys).write({"state": "matched"}))
        self.assertRefused(
            lambda: Collection.create(
                {"partner_id": self.alpha.id, "amount": 5.0, "state": "deposited"}
            )
        )
        self.assertRefused(
            lambda: self.mine.with_user(self.sales1).with_context(**keys).action_validate_match()
        )

    def test_bad_input_is_named(self):
        Collection = self.Collection.with_user(self.sales1)
        with self.assertRaises(ValidationError) as caught:
            Collection.create({"partner_id": self.alpha.id, "amount": 1.234})
        self.assertIn("decimals", str(caught.exception))
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError):
            with self.env.cr.savepoint():
                Collection.create({"partner_id": self.alpha.id, "amount": -5.0})
        with self.assertRaises(ValidationError) as caught:
            Collection.create({"partner_id": self.alpha.id, "amount": 5.0, "date": "2199-01-01"})
        self.assertIn("future", str(caught.exception))

    def test_cashier_has_a_way_in(self):
        menus = self.env["ir.ui.menu"].with_user(self.cashier)._visible_menu_ids()
        for xmlid in (
            "menu_reconciliation_root",
            "menu_reconciliation_app_collection",
            "menu_reconciliation_app_collection_to_match",
            "menu_reconciliation_app_collection_exceptions",
            "menu_reconciliation_app_unreported_receipt",
            "menu_reconciliation_collection_to_match",
        ):
            self.assertIn(self.env.ref(f"customer_reconciliation.{xmlid}").id, menus, xmlid)
        report = self.env.ref("customer_reconciliation.menu_reconciliation_app_collection_report")
        self.assertNotIn(report.id, menus, "a cashier does not report collections")
        self.assertNotIn(
            self.env.ref("customer_reconciliation.menu_reconciliation_app_collection_to_match").id,
            self.env["ir.ui.menu"].with_user(self.accountant)._visible_menu_ids(),
        )
        # The lists behind the menus open for the cashier (no AccessError).
        self.Collection.with_user(self.cashier).search([]).read(["amount", "state"])
        self.env["customer.reconciliation.unreported.receipt"].with_user(self.cashier).search(
            []
        ).read(["amount"])
