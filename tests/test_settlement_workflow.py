"""Disputes from raising to settling: owner, deadline and activity, investigation, root cause
for the KPIs, who may settle what, the settlement record guarded, and the next version of the
statement whose balance carries the entries."""

from datetime import date, timedelta

from settlement_common import PERIOD, SettlementCommon

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, tagged

from odoo.addons.base.tests.common import MockSmtplibCase


@tagged("post_install", "-at_install")
class TestDisputeLifecycle(SettlementCommon):
    def test_owner_deadline_and_activity(self):
        partner = self._customer("Owner Customer")
        self._invoice(partner, 300, date(2026, 10, 5))
        self.company.reconciliation_dispute_days = 5
        session, dispute = self._statement(partner)
        self.assertEqual(dispute.state, "new")
        self.assertEqual(dispute.user_id, self.accountant, "the statement's responsible owns it")
        self.assertEqual(dispute.date_deadline, fields.Date.today() + timedelta(days=5))
        activity = dispute.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(
            (activity.user_id, activity.date_deadline), (self.accountant, dispute.date_deadline)
        )
        # Another owner, another deadline: the same activity moves.
        dispute.with_user(self.accountant).write(
            {"user_id": self.manager.id, "date_deadline": date(2026, 11, 2)}
        )
        self.assertEqual(dispute.activity_ids, activity)
        self.assertEqual(
            (activity.user_id, activity.date_deadline), (self.manager, date(2026, 11, 2))
        )
        self.assertTrue(dispute.is_overdue)
        Dispute = self.env["customer.reconciliation.dispute"]
        self.assertIn(dispute, Dispute.search([("is_overdue", "=", True)]))
        dispute.with_user(self.manager).action_investigate()
        self.assertEqual(dispute.state, "investigating")
        self._settle(
            dispute,
            settlement_type="explanation",
            root_cause="timing_cutoff",
            explanation="Delivered on 31 October, invoiced on 1 November.",
        )
        self.assertEqual(dispute.state, "resolved")
        self.assertFalse(dispute.activity_ids, "a settled dispute leaves no to-do")
        self.assertFalse(dispute.is_overdue)
        self.assertNotIn(dispute, Dispute.search([("is_overdue", "=", True)]))

    def test_root_cause_and_owner_reach_the_kpis(self):
        causes = ["our_price", "our_price", "timing_transit", "customer_error"]
        for index, cause in enumerate(causes):
            partner = self._customer(f"KPI Customer {index}")
            self._invoice(partner, 100 + index, date(2026, 10, 5))
            session, dispute = self._statement(partner)
            if index == 3:
                dispute.user_id = self.manager
            self._settle(
                dispute, settlement_type="explanation", root_cause=cause, explanation="Explained."
            )
        Dispute = self.env["customer.reconciliation.dispute"]
        groups = Dispute._read_group(
            [("partner_id.name", "like", "KPI Customer")],
            ["root_cause", "root_cause_side", "user_id"],
            ["__count"],
        )
        counted = {(cause, side, user): count for cause, side, user, count in groups}
        self.assertEqual(
            counted,
            {
                ("our_price", "ours", self.accountant): 2,
                ("timing_transit", "timing", self.accountant): 1,
                ("customer_error", "theirs", self.manager): 1,
            },
        )

    def test_a_dispute_is_settled_once(self):
        partner = self._customer("Once Customer")
        self._invoice(partner, 100, date(2026, 10, 5))
        session, dispute = self._statement(partner)
        self._settle(
            dispute,
            settlement_type="explanation",
            explanation="Cut-off.",
            root_cause="timing_cutoff",
        )
        with self.assertRaisesRegex(UserError, "already settled"):
            self._settle(dispute, settlement_type="explanation", explanation="Again.")
        with self.assertRaisesRegex(UserError, "already settled"):
            dispute.with_user(self.accountant).action_reject("No.")

    def test_several_disputes_of_one_customer_at_once(self):
        partner = self._customer("Several Customer")
        first = self._invoice(partner, 400, date(2026, 10, 3))
        second = self._invoice(partner, 600, date(2026, 10, 8))
        session, _other = self._statement(partner)
        disputes = session._record_dispute(
            [
                {
                    "line_ids": [Command.set(self._line_of(session, move).ids)],
                    "reason": "price_discount",
                    "customer_amount": move.amount_total - 0.3,
                }
                for move in (first, second)
            ]
        )
        settlement = self._settle(disputes, settlement_type="write_off", root_cause="our_price")
        self.assertEqual(settlement.dispute_ids, disputes)
        self.assertAlmostEqual(settlement.amount, 0.6)
        self.assertEqual(set(disputes.mapped("state")), {"resolved"})
        other_partner = self._customer("Someone Else")
        self._invoice(other_partner, 50, date(2026, 10, 4))
        _session, foreign_dispute = self._statement(other_partner)
        with self.assertRaisesRegex(UserError, "one customer at a time"):
            self._settle(_other | foreign_dispute, settlement_type="explanation", explanation="x")


@tagged("post_install", "-at_install")
class TestSettlementIntegrity(SettlementCommon):
    def _disputed(self, name="Guarded Customer"):
        partner = self._customer(name)
        self._invoice(partner, 100, date(2026, 10, 5))
        return self._statement(partner)

    def test_settlements_change_only_through_the_workflow(self):
        session, dispute = self._disputed()
        settlement = self._settle(
            dispute,
            settlement_type="explanation",
            explanation="Timing.",
            root_cause="timing_cutoff",
        )
        for user in (self.accountant, self.manager, self.env.user):
            Settlement = self.Settlement.with_user(user)
            with self.assertRaises(UserError):  # AccessError included
                Settlement.create(
                    {
                        "partner_id": session.partner_id.id,
                        "company_id": self.company.id,
                        "currency_id": self.company.currency_id.id,
                        "settlement_type": "bad_debt",
                        "date": PERIOD[1],
                    }
                )
            with self.assertRaises(UserError):  # AccessError included
                settlement.with_user(user).write({"amount": 1.0})
            with self.assertRaises(UserError):  # AccessError included
                settlement.with_user(user).unlink()
        # Not even the superuser, nor a context key a client could send.
        with self.assertRaises(UserError):
            settlement.sudo().with_context(customer_reconciliation_workflow=True).write(
                {"state": "done", "amount": 5.0}
            )
        with self.assertRaises(UserError):
            settlement.sudo().unlink()

    def test_who_may_settle(self):
        session, dispute = self._disputed()
        for user in (self.auditor, self.salesperson, self.cashier):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._settle(dispute, user=user, settlement_type="explanation", explanation="x")
        self.assertEqual(dispute.state, "new")
        self.assertFalse(self.Settlement.search([("dispute_ids", "in", dispute.ids)]))

    def test_the_cashier_validates_not_the_accountant(self):
        session, dispute = self._disputed("Cash Customer")
        settlement = self._settle(
            dispute, settlement_type="payment_not_recorded", root_cause="our_posting", amount=100.0
        )
        with self.assertRaisesRegex(UserError, "segregation of duties"):
            settlement.payment_id.with_user(self.accountant).action_post()
        settlement.payment_id.with_user(self.cashier).action_post()
        self.assertEqual(settlement.state, "done")

    def test_a_settled_dispute_with_an_entry_is_not_reopened(self):
        partner = self._customer("Reopen Customer")
        self._invoice(partner, 100, date(2026, 10, 5))
        session, dispute = self._statement(
            partner, dispute_vals=[{"reason": "amount_differs", "customer_amount": 99.5}]
        )
        self._settle(dispute, settlement_type="write_off", root_cause="our_price")
        with self.assertRaisesRegex(UserError, "reversed in the accounting"):
            dispute.with_user(self.manager).action_reopen()


@tagged("post_install", "-at_install")
class TestNextVersion(SettlementCommon, MockSmtplibCase):
    def _disputed_return(self, allow_self_approval):
        self.company.reconciliation_allow_self_approval = allow_self_approval
        partner = self._customer("Return Customer", email="ap@return.example")
        invoice = self._invoice(partner, 2600, date(2026, 10, 6))
        self._invoice(partner, 400, date(2026, 10, 20))
        session = self.Engine.generate(self.company, *PERIOD, partner.ids)["created"]
        session.user_id = self.accountant
        session.with_user(self.accountant).action_submit()
        session.with_user(self.manager).action_approve()
        session.with_user(self.accountant).action_mark_sent()
        line = self._line_of(session, invoice)
        dispute = session._record_dispute(
            [
                {
                    "line_ids": [Command.set(line.ids)],
                    "reason": "return_not_credited",
                    "customer_amount": 2000.0,
                }
            ],
            source="portal",
        )
        return session, dispute, invoice

    def test_close_and_send_next_version(self):
        session, dispute, invoice = self._disputed_return(allow_self_approval=True)
        self.assertAlmostEqual(session.closing_balance, 3000.0)
        with self.assertRaisesRegex(UserError, "open disputes"):
            session.with_user(self.manager).action_close_and_send_next()
        with self.assertRaises(AccessError):
            session.with_user(self.accountant).action_close_and_send_next()
        settlement = self._settle(dispute, credit_mode="amount")
        self.assertEqual(settlement.date, PERIOD[1], "dated in the statement's open period")
        with self.mock_smtplib_connection():  # the mail leaves: the statement is sent
            session.with_user(self.manager).action_close_and_send_next()
        self.assertEqual(session.state, "closed")
        new = session.next_version_ids
        self.assertEqual(len(new), 1)
        self.assertEqual((new.version, new.state), (2, "sent"))
        self.assertEqual(new.approved_by_id, self.manager)
        self.assertAlmostEqual(new.closing_balance, 2400.0)
        self.assertAlmostEqual(
            new.closing_balance, self._ledger_sum(session.partner_id, self.company, PERIOD[1])
        )
        self.assertIn(settlement.move_ids, new.line_ids.move_id)
        self.assertEqual(new._portal_settled_disputes(), dispute)

    def test_next_version_mailed_after_the_commit(self):
        """Outside tests the next version's email leaves once the close is committed."""
        session, dispute, invoice = self._disputed_return(allow_self_approval=True)
        self._settle(dispute, credit_mode="amount")
        Batch = self.env["customer.reconciliation.send.batch"]
        self.patch(type(Batch), "_mails_leave_at_once", lambda batch: False)
        with self.mock_smtplib_connection():
            session.with_user(self.manager).action_close_and_send_next()
            new = session.next_version_ids
            self.assertEqual(new.state, "approved", "not sent before the commit")
            note = session.message_ids.filtered(lambda m: "Disputes settled" in (m.body or ""))
            self.assertIn("its email is on its way", note.body)
            with self.enter_registry_test_mode():
                self.env.cr.postcommit.run()
        self.assertEqual(new.state, "sent")

    def test_next_version_waits_for_another_manager_without_self_approval(self):
        session, dispute, invoice = self._disputed_return(allow_self_approval=False)
        self._settle(dispute, credit_mode="amount")
        session.with_user(self.manager).action_close_and_send_next()
        new = session.next_version_ids
        self.assertEqual(new.state, "to_approve")
        self.assertEqual(new.submitted_by_id, self.manager)
        self.assertTrue(new.activity_ids.filtered(lambda a: a.user_id == self.manager2))
        new.with_user(self.manager2).action_approve()
        self.assertEqual(new.state, "approved")

    def test_close_waits_for_pending_settlements(self):
        session, dispute, invoice = self._disputed_return(allow_self_approval=True)
        settlement = self._settle(
            dispute, settlement_type="bad_debt", root_cause="customer_error", amount=600.0
        )
        self.assertEqual(settlement.state, "done")
        partner = self._customer("Pending Customer")
        self._invoice(partner, 100, date(2026, 10, 5))
        other, pending_dispute = self._statement(
            partner, dispute_vals=[{"reason": "missing_invoice", "customer_amount": 180.0}]
        )
        pending = self._settle(pending_dispute)
        self.assertEqual(pending.state, "pending")
        with self.assertRaisesRegex(UserError, "open disputes|cannot be closed yet"):
            other.with_user(self.manager).action_close_and_send_next()
        pending.move_ids.action_post()
        other.with_user(self.manager).action_close_and_send_next()
        self.assertAlmostEqual(other.next_version_ids.closing_balance, 180.0)


@tagged("post_install", "-at_install")
class TestSettledOnThePortal(SettlementCommon, HttpCase, MockSmtplibCase):
    def test_the_customer_sees_how_each_difference_was_settled(self):
        self.company.reconciliation_allow_self_approval = True
        partner = self._customer("Portal Return", email="ap@portal-return.example")
        invoice = self._invoice(partner, 1800, date(2026, 10, 6))
        session = self.Engine.generate(self.company, *PERIOD, partner.ids)["created"]
        session.user_id = self.accountant
        session.with_user(self.accountant).action_submit()
        session.with_user(self.manager).action_approve()
        session.with_user(self.accountant).action_mark_sent()
        disputes = session._record_dispute(
            [
                {
                    "line_ids": [Command.set(self._line_of(session, invoice).ids)],
                    "reason": "return_not_credited",
                    "customer_amount": 1500.0,
                },
                {"reason": "other", "customer_amount": 1800.0, "comment": "Check the dates"},
            ],
            source="portal",
        )
        settlement = self._settle(disputes[0], credit_mode="amount")
        disputes[1].write({"resolution": "The dates are those of the delivery notes."})
        disputes[1].with_user(self.accountant).action_reject()
        with self.mock_smtplib_connection():  # the mail leaves: the statement is sent
            session.with_user(self.manager).action_close_and_send_next()
        new = session.next_version_ids
        self.assertEqual(new.state, "sent")
        new._portal_ensure_token()
        page = self.url_open(f"/my/statements/{new.id}?access_token={new.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(f"Differences settled since version {session.version}", page.text)
        self.assertIn(settlement.move_ids.name, page.text)
        self.assertIn("Credit note", page.text)
        self.assertIn("The dates are those of the delivery notes.", page.text)
        # The first version's page, and a statement without a previous version, show none.
        session._portal_ensure_token()
        first = self.url_open(f"/my/statements/{session.id}?access_token={session.access_token}")
        self.assertNotIn("Differences settled since", first.text)


@tagged("post_install", "-at_install")
class TestSettlementBadInput(SettlementCommon):
    """What a client sends (amounts, texts, ids of other customers' documents) is checked on
    the server, and a refused settlement leaves nothing behind."""

    def _world(self):
        partner = self._customer("Input Customer")
        invoice = self._invoice(partner, 500, date(2026, 10, 5))
        other = self._customer("Other Customer")
        other_invoice = self._invoice(other, 900, date(2026, 10, 6))
        other_payment = self._advance(other, 300, date(2026, 10, 7))
        session, dispute = self._statement(partner)
        return dispute, invoice, other_invoice, other_payment

    def test_refused_inputs_write_nothing(self):
        dispute, invoice, other_invoice, other_payment = self._world()
        other_line = other_payment.move_id.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable"
        )
        cases = [
            ({"settlement_type": "write_off", "amount": -0.5}, "must be positive"),
            ({"settlement_type": "missing_invoice", "amount": 1e16}, "Amount"),
            ({"settlement_type": "explanation", "explanation": "x" * 200000}, "characters long"),
            ({"settlement_type": "credit_note", "amount": 600.0}, "cannot exceed invoice"),
            (
                {"settlement_type": "credit_note", "invoice_id": other_invoice.id, "amount": 10.0},
                "Choose one posted invoice of Input Customer",
            ),
            (
                {
                    "settlement_type": "allocate_payment",
                    "payment_line_id": other_line.id,
                },
                "Choose one unapplied payment of Input Customer",
            ),
            (
                {"settlement_type": "advance", "advance_line_ids": [Command.set(other_line.ids)]},
                "Choose open advances of Input Customer",
            ),
            (
                {
                    "settlement_type": "payment_not_recorded",
                    "amount": 10.0,
                    "payment_journal_id": self.company_data["default_journal_misc"].id,
                },
                "bank or cash journal",
            ),
        ]
        moves = self.env["account.move"].search_count([])
        payments = self.env["account.payment"].search_count([])
        for vals, message in cases:
            with self.subTest(vals=str(vals)[:60]), self.assertRaisesRegex(UserError, message):
                self._settle(dispute, root_cause="our_posting", **vals)
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertEqual(self.env["account.payment"].search_count([]), payments)
        self.assertFalse(self.Settlement.search([("dispute_ids", "in", dispute.ids)]))
        self.assertEqual(dispute.state, "new")
        self.assertEqual(other_invoice.payment_state, "not_paid")

    def test_settings_missing_are_named(self):
        dispute, *_ = self._world()
        self.company.reconciliation_bad_debt_account_id = False
        with self.assertRaisesRegex(UserError, "Set the Bad Debt Account"):
            self._settle(dispute, settlement_type="bad_debt", root_cause="customer_error")
        self.company.reconciliation_writeoff_account_id = self.receivable
        with self.assertRaisesRegex(UserError, "cannot be a receivable or payable account"):
            self._settle(dispute, settlement_type="write_off", root_cause="our_price", amount=0.5)
