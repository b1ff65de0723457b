"""Collections reported by salespeople against the cashier's receipts: exact and grouped
matches, the reference tie-break, another customer's receipt, missing after N days and found
later, receipts never reported, foreign currencies, deposits, rejections, and the statement's
warning."""

from datetime import date, timedelta

from collection_common import CollectionCommon

from odoo import fields
from odoo.tests import tagged

D = date(2026, 11, 2)


def day(offset):
    return D + timedelta(days=offset)


@tagged("post_install", "-at_install")
class TestCollections(CollectionCommon):
    def _match(self, collections):
        return collections.with_user(self.cashier).action_match()

    def _validate(self, collections):
        return collections.with_user(self.cashier).action_validate_match()

    def test_exact_match_reference_breaks_ties_within_the_window(self):
        collection = self._collect(self.sales1, self.alpha, 1000.0, D, reference="CHQ-778")
        self.assertEqual(collection.state, "reported")
        self.assertTrue(collection.name.startswith(f"COL/{fields.Date.today().year}/"))
        self._advance(self.alpha, 1000.0, day(-1))  # before the collection
        nearest = self._advance(self.alpha, 1000.0, day(1), memo="transfer")
        with_ref = self._advance(self.alpha, 1000.0, day(4), memo="Cheque chq-778 Alpha")
        self._advance(self.alpha, 1000.0, day(8))  # after the 7-day window
        self._advance(self.alpha, 999.0, day(2))  # another amount
        self._match(collection)
        self.assertEqual(collection.payment_id, with_ref)
        self.assertEqual(collection.match_kind, "exact")
        self.assertTrue(collection.match_proposed)
        self.assertEqual(collection.state, "reported")
        self.assertFalse(collection.partner_mismatch)
        # Without the reference, the nearest date wins.
        other = self._collect(self.sales1, self.alpha, 1000.0, D)
        self._match(other)
        self.assertEqual(other.payment_id, nearest)
        self._validate(collection)
        self.assertEqual(collection.state, "matched")
        self.assertEqual(collection.matched_by_id, self.cashier)
        self.assertEqual(collection.receipt_date, day(4))
        # The payment waits on the outstanding account, not yet on a bank statement.
        self.assertFalse(with_ref.is_matched)
        self.assertEqual(collection.state, "matched")

    def test_grouped_deposit_many_to_one(self):
        collections = (
            self._collect(self.sales1, self.beta, 300.0, day(0))
            | self._collect(self.sales1, self.beta, 200.0, day(1), method="cash")
            | self._collect(self.sales1, self.beta, 500.0, day(2))
        )
        line = self._statement_line(self.beta, 1000.0, day(3), label="BETA DEPOSIT")
        self._match(collections[0])  # one selected: the others of the customer come along
        self.assertEqual(collections.statement_line_id, line)
        self.assertEqual(set(collections.mapped("match_kind")), {"grouped"})
        self._validate(collections[1])  # validated as a whole
        self.assertEqual(set(collections.mapped("state")), {"deposited"})
        self.assertEqual(set(collections.mapped("deposited_date")), {day(3)})
        self.assertEqual(sum(collections.mapped("amount")), line.amount)
        # A deposit of only part of the open collections is not guessed.
        partial = self._collect(self.sales1, self.beta, 300.0, day(5)) | self._collect(
            self.sales1, self.beta, 200.0, day(5)
        )
        self._statement_line(self.beta, 400.0, day(6))
        self._match(partial)
        self.assertFalse(partial.statement_line_id)
        self.assertFalse(partial.payment_id)

    def test_booked_to_another_customer(self):
        collection = self._collect(self.sales1, self.alpha, 800.0, day(8))
        wrong = self._advance(self.zeta, 800.0, day(9))
        # Gamma's own collection keeps Gamma's receipt; Alpha's does not take it.
        gamma_collection = self._collect(self.sales2, self.gamma, 650.0, day(8))
        gamma_payment = self._advance(self.gamma, 650.0, day(9))
        alpha_650 = self._collect(self.sales1, self.alpha, 650.0, day(8))
        self._match(collection | alpha_650)
        self.assertEqual(collection.payment_id, wrong)
        self.assertEqual(collection.match_kind, "other_customer")
        self.assertTrue(collection.partner_mismatch)
        self.assertEqual(collection.receipt_partner_id, self.zeta)
        self.assertFalse(alpha_650.payment_id, "Gamma's payment fits Gamma's own collection")
        self._match(gamma_collection)
        self.assertEqual(gamma_collection.payment_id, gamma_payment)
        self.assertFalse(gamma_collection.partner_mismatch)
        self._validate(collection)
        self.assertEqual(collection.state, "matched")
        Alert = self.env["customer.reconciliation.alert"]
        Alert._check_rules(self.company, today=day(10))
        alert = Alert.search([("rule", "=", "collection_other_customer")])
        self.assertEqual(alert.partner_id, self.alpha)
        self.assertAlmostEqual(alert.amount, 800.0)
        self.assertEqual(alert.value, 1)
        self.assertIn("another customer", alert.description)

    def test_missing_after_n_days_then_received(self):
        self.company.reconciliation_collection_missing_days = 10
        collection = self._collect(self.sales1, self.alpha, 1200.0, D, method="cheque")
        Collection = self.Collection
        self.assertFalse(Collection._cron_check_collections(today=day(10)))
        self.assertEqual(collection.state, "reported")
        missing = Collection._cron_check_collections(today=day(11))
        self.assertEqual(missing, collection)
        self.assertEqual(collection.state, "missing")
        self.assertEqual(collection.missing_date, day(11))
        activity = collection.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.sales1)
        self.assertEqual(activity.date_deadline, day(11))
        # The alert for the cashier and the managers, in company currency.
        Alert = self.env["customer.reconciliation.alert"]
        Alert._check_rules(self.company, today=day(11))
        alert = Alert.search([("rule", "=", "collection_missing")])
        self.assertEqual(alert.partner_id, self.alpha)
        self.assertAlmostEqual(alert.amount, 1200.0)
        self.assertEqual(int(alert.value), 11)
        self.assertEqual(alert.threshold, 10)
        # Runs again: no second alert, no second activity.
        Collection._cron_check_collections(today=day(12))
        Alert._check_rules(self.company, today=day(12))
        self.assertEqual(len(Alert.search([("rule", "=", "collection_missing")])), 1)
        self.assertEqual(len(collection.activity_ids), 1)
        # The money turns up, booked late but dated within the window: matched after all.
        payment = self._advance(self.alpha, 1200.0, day(5))
        Collection._cron_check_collections(today=day(13))
        self.assertEqual(collection.payment_id, payment)
        self.assertEqual(collection.state, "missing")
        self._validate(collection)
        self.assertEqual(collection.state, "matched")
        self.assertFalse(collection.activity_ids, "the salesperson's to-do is done")
        Alert._check_rules(self.company, today=day(13))
        self.assertEqual(alert.state, "resolved")
        self.assertTrue(alert.auto_resolved)

    def test_received_but_never_reported(self):
        today = fields.Date.today()
        self.company.reconciliation_collection_unreported_days = (today - D).days + 5
        unreported = self._advance(self.alpha, 5000.0, day(1))
        self._advance(self.zeta, 5000.0, day(1))  # no salesperson: not expected reported
        reported = self._advance(self.beta, 700.0, day(2))
        line = self._statement_line(self.gamma, 333.0, day(2), label="GAMMA")
        collection = self._collect(self.sales1, self.beta, 700.0, day(1))
        self._match(collection)
        self.assertEqual(collection.payment_id, reported)
        rows = self.env["customer.reconciliation.unreported.receipt"].search([])
        self.assertEqual(
            {
                (r.kind, r.payment_id or r.statement_line_id, r.salesperson_id, r.amount)
                for r in rows
            },
            {
                ("payment", unreported, self.sales1, 5000.0),
                ("statement_line", line, self.sales2, 333.0),
            },
        )
        # The salesperson sees their customers' only.
        mine = self.env["customer.reconciliation.unreported.receipt"].with_user(self.sales2)
        self.assertEqual(mine.search([]).statement_line_id, line)
        self.assertFalse(mine.search([]).payment_id)
        # Outside the window: not listed.
        self.company.reconciliation_collection_unreported_days = (today - D).days - 3
        rows = self.env["customer.reconciliation.unreported.receipt"].search([])
        self.assertFalse(rows, [(r.date, r.amount, today) for r in rows])

    def test_foreign_currency_amounts(self):
        usd = self.foreign
        collection = self._collect(self.sales1, self.alpha, 500.0, day(10), currency=usd)
        expected = usd._convert(500.0, self.company.currency_id, self.company, day(10))
        self.assertAlmostEqual(collection.amount_company, expected)
        self.assertNotAlmostEqual(collection.amount_company, 500.0)
        self._advance(self.alpha, 500.0, day(11))  # company currency: not the same money
        foreign_payment = self._advance(self.alpha, 500.0, day(12), currency=usd)
        self._match(collection)
        self.assertEqual(collection.payment_id, foreign_payment)
        # A bank statement line in company currency with the customer's USD amount.
        second = self._collect(self.sales1, self.beta, 300.0, day(10), currency=usd)
        line = self._statement_line(self.beta, 640.0, day(11), foreign=usd, amount_currency=300.0)
        self._match(second)
        self.assertEqual(second.statement_line_id, line)
        self._validate(second)
        self.assertEqual(second.state, "deposited")
        # The missing alert adds company-currency amounts at the collections' dates.
        third = self._collect(self.sales1, self.alpha, 100.0, day(1), currency=usd)
        self.Collection._cron_check_collections(today=day(20))
        self.assertEqual(third.state, "missing")
        Alert = self.env["customer.reconciliation.alert"]
        Alert._check_rules(self.company, today=day(20))
        alert = Alert.search([("rule", "=", "collection_missing")])
        self.assertAlmostEqual(
            alert.amount, usd._convert(100.0, self.company.currency_id, self.company, day(1))
        )

    def test_deposited_when_the_payment_is_in_the_bank(self):
        line = self.bank.inbound_payment_method_line_ids[:1]
        line.payment_account_id = self.bank.default_account_id
        collection = self._collect(self.sales1, self.alpha, 420.0, day(3))
        payment = self._advance(self.alpha, 420.0, day(4))
        self.assertTrue(payment.is_matched)
        self._match(collection)
        self._validate(collection)
        self.assertEqual(collection.state, "deposited")
        self.assertEqual(collection.deposited_date, day(4))

    def test_rejected_receipt_is_not_proposed_again(self):
        collection = self._collect(self.sales1, self.alpha, 250.0, day(3))
        payment = self._advance(self.alpha, 250.0, day(4))
        self._match(collection)
        self.assertEqual(collection.payment_id, payment)
        collection.with_user(self.cashier).action_reject_match()
        self.assertFalse(collection.payment_id)
        self.assertEqual(collection.sudo().rejected_payment_ids, payment)
        self._match(collection)
        self.assertFalse(collection.payment_id)
        # Another collection of the customer may still get it.
        other = self._collect(self.sales1, self.alpha, 250.0, day(3))
        self._match(other)
        self.assertEqual(other.payment_id, payment)

    def test_statement_warns_of_collections_not_received(self):
        self._invoice(self.alpha, 2000.0, date(2026, 11, 1))
        session = self.Engine.generate(
            self.company, date(2026, 11, 1), date(2026, 11, 30), self.alpha.ids
        )["created"]
        self.assertEqual(session.collection_pending_count, 0)
        self._collect(self.sales1, self.alpha, 600.0, day(1))
        self._collect(self.sales2, self.alpha, 150.0, day(2), currency=self.foreign)
        # handed over after the statement's end date: not in the balance it states
        self._collect(self.sales1, self.alpha, 999.0, session.date_to + timedelta(days=1))
        session.invalidate_recordset()
        self.assertEqual(session.collection_pending_count, 2)
        summary = session.collection_pending_summary
        self.assertNotIn(self.company.currency_id.format(999.0), summary)
        self.assertIn(self.company.currency_id.format(600.0), summary)
        self.assertIn(self.foreign.format(150.0), summary)
        # The salesperson reading the statement sees the customer's total, not only theirs.
        as_sales = session.with_user(self.sales1)
        self.assertEqual(as_sales.collection_pending_count, 2)
        session._workflow_write({"state": "approved"})
        wizard = (
            self.env["customer.reconciliation.send.wizard"]
            .with_context(active_model=session._name, active_ids=session.ids)
            .create({})
        )
        self.assertEqual(wizard.sendable_count, 1, "a warning, not a block")
        self.assertIn(session.name, wizard.collection_warning)
        self.assertIn("not yet received", wizard.collection_warning)
