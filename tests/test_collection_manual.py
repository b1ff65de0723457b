"""The cashier's manual match (one collection, a grouped deposit, another customer's receipt,
the amounts that must agree, the receipts that may be picked) and the manager's Unmatch (the
reason, the roles refused, a deposited collection kept, the receipt never proposed again); the
collection settings in the managers' configuration wizard."""

from datetime import date, timedelta

from collection_common import CollectionCommon
from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged
from odoo.tools import mute_logger

D = date(2026, 11, 2)


def day(offset):
    return D + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCollectionManual(CollectionCommon):
    def _candidates(self, collections, user=None):
        """The receipts the wizard lists, as (kind, record) in its order."""
        action = collections.with_user(user or self.cashier).action_match_by_hand()
        wizard = (
            self.env[action["res_model"]].with_user(user or self.cashier).browse(action["res_id"])
        )
        return wizard, [
            (line.kind, line.payment_id or line.statement_line_id) for line in wizard.line_ids
        ]

    def _pick(self, collections, receipt, user=None):
        wizard, _rows = self._candidates(collections, user)
        line = wizard.line_ids.filtered(lambda l: (l.payment_id or l.statement_line_id) == receipt)
        self.assertEqual(len(line), 1, "the receipt is listed")
        return line.action_pick()

    def _validated(self, partner, amount, offset):
        """A collection of ``partner`` matched by the matcher and validated by the cashier."""
        collection = self._collect(self.sales1, partner, amount, day(offset))
        payment = self._advance(partner, amount, day(offset + 1))
        collection.with_user(self.cashier).action_match()
        self.assertEqual(collection.payment_id, payment)
        collection.with_user(self.cashier).action_validate_match()
        return collection, payment

    # ------------------------------------------------------------ manual match
    def test_manual_single_match_outside_the_window(self):
        collection = self._collect(self.sales1, self.alpha, 1500.0, D, reference="CHQ-5")
        late = self._advance(self.alpha, 1500.0, day(20), memo="cheque 5")
        other_amount = self._advance(self.alpha, 1499.0, day(1))
        self._advance(self.alpha, 1500.0, day(3), currency=self.foreign)  # another currency
        collection.with_user(self.cashier).action_match()
        self.assertFalse(collection.payment_id, "beyond the 7-day window: not found")
        wizard, rows = self._candidates(collection)
        self.assertEqual(rows, [("payment", late), ("payment", other_amount)])
        self.assertEqual(wizard.amount_total, 1500.0)
        self.assertEqual(wizard.partner_id, self.alpha)
        self.assertEqual(wizard.line_ids.mapped("amount_fits"), [True, False])
        self._pick(collection, late)
        self.assertEqual(collection.state, "matched")
        self.assertEqual(collection.payment_id, late)
        self.assertEqual(collection.match_kind, "manual")
        self.assertEqual(collection.matched_by_id, self.cashier)
        self.assertFalse(collection.partner_mismatch)
        self.assertEqual(collection.receipt_date, day(20))
        self.assertIn("Matched by hand", collection.message_ids[0].body)
        # Now validated: listed for no other collection, and refused if sent anyway.
        again = self._collect(self.sales1, self.alpha, 1500.0, day(1))
        _wizard, rows = self._candidates(again)
        self.assertNotIn(("payment", late), rows)
        with self.assertRaises(UserError) as caught:
            again.with_user(self.cashier)._match_manually(late)
        self.assertIn("already validated", str(caught.exception))

    def test_manual_grouped_deposit_of_part_of_the_collections(self):
        first = self._collect(self.sales1, self.beta, 300.0, day(0))
        second = self._collect(self.sales1, self.beta, 250.0, day(1), method="cash")
        third = self._collect(self.sales1, self.beta, 450.0, day(1))
        line = self._statement_line(self.beta, 550.0, day(2), label="BETA 2 CHEQUES")
        (first | second | third).with_user(self.cashier).action_match()
        self.assertFalse((first | second | third).statement_line_id, "a subset is not guessed")
        _wizard, rows = self._candidates(first | second)
        self.assertEqual(rows[0], ("statement_line", line))
        self._pick(first | second, line)
        self.assertEqual((first | second).mapped("state"), ["deposited", "deposited"])
        self.assertEqual((first | second).statement_line_id, line)
        self.assertEqual(set((first | second).mapped("match_kind")), {"manual"})
        self.assertEqual(set((first | second).mapped("deposited_date")), {day(2)})
        self.assertEqual(first.amount + second.amount, line.amount)
        self.assertEqual(third.state, "reported")
        self.assertFalse(third.statement_line_id)

    def test_amounts_must_agree_with_a_clear_message(self):
        first = self._collect(self.sales1, self.beta, 300.0, day(0))
        line = self._statement_line(self.beta, 550.0, day(2))
        with self.assertRaises(UserError) as caught:
            self._pick(first, line)
        message = str(caught.exception)
        currency = self.company.currency_id
        self.assertIn(currency.format(300.0), message)
        self.assertIn(currency.format(550.0), message)
        self.assertEqual(first.state, "reported")
        self.assertFalse(first.statement_line_id)

    def test_another_customers_receipt_is_allowed_but_flagged(self):
        collection = self._collect(self.sales1, self.alpha, 640.0, day(2))
        theirs = self._advance(self.zeta, 640.0, day(15))
        self._pick(collection, theirs)
        self.assertEqual(collection.state, "matched")
        self.assertTrue(collection.partner_mismatch)
        self.assertEqual(collection.receipt_partner_id, self.zeta)
        Alert = self.env["customer.reconciliation.alert"]
        Alert._check_rules(self.company, today=day(16))
        alert = Alert.search([("rule", "=", "collection_other_customer")])
        self.assertEqual((alert.partner_id, alert.amount), (self.alpha, 640.0))

    def test_a_proposal_is_withdrawn_for_the_receipt_picked(self):
        proposed = self._collect(self.sales1, self.alpha, 700.0, day(0))
        payment = self._advance(self.alpha, 700.0, day(1))
        proposed.with_user(self.cashier).action_match()
        self.assertEqual(proposed.payment_id, payment)
        # The cashier knows it pays Beta's collection, booked to Alpha by mistake.
        beta = self._collect(self.sales1, self.beta, 700.0, day(0))
        self._pick(beta, payment)
        self.assertEqual((beta.state, beta.payment_id), ("matched", payment))
        self.assertTrue(beta.partner_mismatch)
        self.assertFalse(proposed.payment_id)
        self.assertFalse(proposed.sudo().rejected_payment_ids, "withdrawn, not rejected")
        self.assertEqual(proposed.state, "reported")

    def test_manual_match_is_the_cashiers_never_on_their_own(self):
        collection = self._collect(self.sales1, self.alpha, 90.0, day(0))
        payment = self._advance(self.alpha, 90.0, day(30))
        for user in (self.sales1, self.accountant, self.manager, self.auditor):
            with self.assertRaises(AccessError):
                collection.with_user(user).action_match_by_hand()
            with self.assertRaises(AccessError):
                collection.with_user(user)._match_manually(payment)
        own = self._collect(self.cashier2, self.gamma, 90.0, day(0))
        with self.assertRaises(UserError):
            self._pick(own, self._advance(self.gamma, 90.0, day(30)), user=self.cashier2)
        self.assertEqual(own.state, "reported")
        # One customer (and currency) per match.
        with self.assertRaises(UserError) as caught:
            (collection | own).with_user(self.cashier).action_match_by_hand()
        self.assertIn("more than one customer", str(caught.exception))
        # A line a client forges with a receipt it may not pick is checked again.
        taken, taken_payment = self._validated(self.alpha, 90.0, 3)
        wizard, _rows = self._candidates(collection)
        forged = wizard.line_ids.create(
            {"wizard_id": wizard.id, "kind": "payment", "payment_id": taken_payment.id}
        )
        with self.assertRaises(UserError):
            forged.action_pick()
        self.assertEqual((collection.state, taken.payment_id), ("reported", taken_payment))

    # ------------------------------------------------------------ unmatch
    def _unmatch(self, collections, user, reason="Wrong cheque: it paid invoice INV/42."):
        wizard = (
            self.env["customer.reconciliation.collection.unmatch.wizard"]
            .with_user(user)
            .with_context(active_model=collections._name, active_ids=collections.ids)
            .create({"reason": reason})
        )
        return wizard.action_unmatch()

    def test_manager_unmatches_with_a_reason_and_the_receipt_is_not_proposed_again(self):
        collection, payment = self._validated(self.alpha, 830.0, 0)
        with self.assertRaises(UserError):
            collection.with_user(self.manager).action_unmatch("   ")
        self._unmatch(collection, self.manager)
        self.assertEqual(collection.state, "reported")
        self.assertFalse(collection.payment_id)
        self.assertFalse(collection.matched_by_id)
        self.assertFalse(collection.match_kind)
        self.assertEqual(collection.sudo().rejected_payment_ids, payment)
        note = collection.message_ids[0]
        self.assertIn("INV/42", note.body)
        self.assertEqual(note.author_id, self.manager.partner_id)
        # Neither the matcher nor the cashier's list propose it again for this collection.
        collection.with_user(self.cashier).action_match()
        self.assertFalse(collection.payment_id)
        _wizard, rows = self._candidates(collection)
        self.assertNotIn(("payment", payment), rows)
        # Another collection may have it.
        other = self._collect(self.sales1, self.alpha, 830.0, day(0))
        other.with_user(self.cashier).action_match()
        self.assertEqual(other.payment_id, payment)
        # Overdue, the nightly check flags it missing again.
        self.assertEqual(self.Collection._cron_check_collections(today=day(30)), collection)

    def test_grouped_deposit_is_unmatched_as_a_whole(self):
        group = self._collect(self.sales1, self.beta, 100.0, day(0)) | self._collect(
            self.sales1, self.beta, 150.0, day(0)
        )
        payment = self._advance(self.beta, 250.0, day(1))
        group.with_user(self.cashier).action_match()
        group.with_user(self.cashier).action_validate_match()
        self.assertEqual(set(group.mapped("state")), {"matched"})
        self._unmatch(group[0], self.manager)
        self.assertEqual(group.mapped("state"), ["reported", "reported"])
        self.assertEqual(group.sudo().rejected_payment_ids, payment)
        self.assertEqual(len(group[1].sudo().rejected_payment_ids), 1)

    def test_unmatch_refused_for_other_roles_deposited_and_the_validator(self):
        collection, _payment = self._validated(self.alpha, 410.0, 0)
        for user in (self.sales1, self.cashier, self.cashier2, self.accountant, self.auditor):
            with self.assertRaises(AccessError), mute_logger("odoo.models"):
                self._unmatch(collection, user)
            with self.assertRaises(AccessError):
                collection.with_user(user).action_unmatch("no")
        self.assertEqual(collection.state, "matched")
        # Deposited: the receipt is in the bank statement.
        deposited = self._collect(self.sales1, self.beta, 95.0, day(0))
        self._statement_line(self.beta, 95.0, day(1))
        deposited.with_user(self.cashier).action_match()
        deposited.with_user(self.cashier).action_validate_match()
        self.assertEqual(deposited.state, "deposited")
        with self.assertRaises(UserError) as caught:
            self._unmatch(deposited, self.manager)
        self.assertIn("deposited", str(caught.exception))
        # Reported: nothing to undo.
        reported = self._collect(self.sales1, self.beta, 12.0, day(0))
        with self.assertRaises(UserError):
            self._unmatch(reported, self.manager)
        # A manager who is a cashier too does not undo the match they validated.
        both = new_test_user(
            self.env,
            login="col_manager_cashier",
            groups="customer_reconciliation.group_reconciliation_manager,"
            "customer_reconciliation.group_reconciliation_cashier",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        mine = self._collect(self.sales1, self.gamma, 61.0, day(0))
        self._advance(self.gamma, 61.0, day(1))
        mine.with_user(both).action_match()
        mine.with_user(both).action_validate_match()
        with self.assertRaises(UserError) as caught:
            self._unmatch(mine, both)
        self.assertIn("segregation", str(caught.exception))
        self._unmatch(mine, self.manager)
        self.assertEqual(mine.state, "reported")

    # ------------------------------------------------------------ screens
    def test_every_role_opens_the_screens_of_a_rejected_receipt(self):
        """The form, list and kanban read as each role does (fields of other groups taken out
        of the arch): a salesperson, who may not read payments, opens their collection whose
        receipt was rejected."""
        collection, _payment = self._validated(self.alpha, 515.0, 0)
        self._unmatch(collection, self.manager)
        self.assertTrue(collection.sudo().rejected_payment_ids)
        users = (self.sales1, self.cashier, self.accountant, self.manager, self.auditor)
        for user in users:
            Collection = self.Collection.with_user(user)
            views = Collection.get_views([(False, "form"), (False, "list"), (False, "kanban")])
            for view_type, view in views["views"].items():
                arch = etree.fromstring(view["arch"])
                spec = {}
                for node in arch.iter("field"):
                    if node.getparent() is not None and node.getparent().tag == "field":
                        continue
                    field = Collection._fields[node.get("name")]
                    relational = field.type in ("many2one", "one2many", "many2many")
                    spec[field.name] = {"fields": {"display_name": {}}} if relational else {}
                with self.subTest(user=user.login, view=view_type):
                    [values] = collection.with_user(user).web_read(spec)
                    self.assertEqual(values["amount"], 515.0)
                    if view_type == "form":
                        self.assertEqual("rejected_payment_ids" in values, user != self.sales1)

    # ------------------------------------------------------------ settings
    def test_collection_settings_in_the_managers_wizard(self):
        wizard = (
            self.env["customer.reconciliation.config.wizard"]
            .with_user(self.manager)
            .create(
                {
                    "reconciliation_collection_match_days": 3,
                    "reconciliation_collection_missing_days": 20,
                }
            )
        )
        self.assertEqual(self.company.reconciliation_collection_match_days, 3)
        self.assertEqual(self.company.reconciliation_collection_missing_days, 20)
        wizard.reconciliation_collection_unreported_days = 45
        self.assertEqual(self.company.reconciliation_collection_unreported_days, 45)
        # The window applies: a receipt 5 days later is no longer found.
        collection = self._collect(self.sales1, self.alpha, 77.0, day(0))
        self._advance(self.alpha, 77.0, day(5))
        collection.with_user(self.cashier).action_match()
        self.assertFalse(collection.payment_id)
        with self.assertRaises(AccessError):
            self.env["customer.reconciliation.config.wizard"].with_user(self.cashier).create(
                {"reconciliation_collection_match_days": 30}
            )
