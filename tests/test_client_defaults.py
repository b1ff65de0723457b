"""What a client slips into the context (default_* keys) or sends in the place of the workflow
decides nothing: approvals, companies, customers, senders, and the states of settlements."""

from datetime import date

from settlement_common import SettlementCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestClientDefaults(SettlementCommon):
    def _disputed(self, name, amount=4800.0):
        partner = self._customer(name)
        invoice = self._invoice(partner, amount, date(2026, 10, 2))
        session, dispute = self._statement(
            partner, dispute_vals=[{"reason": "other", "customer_amount": 0.0}]
        )
        return session, dispute, invoice

    def test_a_default_approver_does_not_skip_the_bad_debt_approval(self):
        session, dispute, invoice = self._disputed("Forged Approver")
        wizard = (
            self.Wizard.with_user(self.accountant)
            .with_context(
                default_dispute_ids=[Command.set(dispute.ids)],
                default_approved_by_id=self.manager.id,
                default_carried_out=True,
                default_state="done",
            )
            .create({"settlement_type": "bad_debt", "root_cause": "customer_error"})
        )
        settlement = self.Settlement.browse(wizard.action_settle()["res_id"])
        self.assertEqual(settlement.state, "to_approve")
        self.assertFalse(settlement.approved_by_id)
        self.assertEqual(settlement.move_ids.state, "draft")
        self.assertEqual(invoice.payment_state, "not_paid")

    def test_the_entry_awaiting_a_manager_is_posted_by_the_approval_only(self):
        session, dispute, invoice = self._disputed("Self Posting")
        settlement = self._settle(dispute, settlement_type="bad_debt", root_cause="customer_error")
        entry = settlement.move_ids
        with self.assertRaisesRegex(UserError, "waits for a Reconciliation Manager"):
            entry.with_user(self.accountant).action_post()
        with self.assertRaisesRegex(UserError, "waits for a Reconciliation Manager"):
            entry.sudo().action_post()
        self.assertEqual(entry.state, "draft")
        # Changed after it was proposed: the approval refuses it.
        receivable = self._receivable(entry)
        entry.write(
            {
                "line_ids": [
                    Command.update(receivable.id, {"amount_currency": -100.0, "balance": -100.0}),
                    Command.update(
                        (entry.line_ids - receivable).id,
                        {"amount_currency": 100.0, "balance": 100.0},
                    ),
                ]
            }
        )
        with self.assertRaisesRegex(UserError, "was changed after it was proposed"):
            settlement.with_user(self.manager).action_approve()
        self.assertEqual(entry.state, "draft")

    def test_a_dispute_waiting_for_its_entry_is_not_rejected(self):
        session, dispute, invoice = self._disputed("Reject Pending")
        self._settle(dispute, settlement_type="bad_debt", root_cause="customer_error")
        with self.assertRaisesRegex(UserError, "waits for its entry"):
            dispute.with_user(self.accountant).action_reject("Our books are right.")
        self.assertEqual(dispute.state, "investigating")

    def test_a_deleted_draft_document_cancels_its_settlement(self):
        partner = self._customer("Deleted Draft")
        self._invoice(partner, 100, date(2026, 10, 2))
        session, dispute = self._statement(
            partner, dispute_vals=[{"reason": "missing_invoice", "customer_amount": 150.0}]
        )
        settlement = self._settle(dispute)
        self.assertEqual(settlement.state, "pending")
        settlement.move_ids.unlink()
        self.assertEqual(settlement.state, "cancelled")
        self.assertEqual(dispute.state, "investigating", "settled by nothing: still open")
        with self.assertRaisesRegex(UserError, "open disputes"):
            session.with_user(self.manager).action_close()

    def test_who_may_settle_is_checked_by_the_settlement_itself(self):
        session, dispute, invoice = self._disputed("Direct Call")
        for user in (self.auditor, self.salesperson, self.cashier):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.Settlement.with_user(user)._settle_disputes(
                    dispute.with_user(user),
                    {"settlement_type": "explanation", "explanation": "x", "date": date.today()},
                )
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                dispute.with_user(user).action_resolve("Explained.")
        self.assertEqual(dispute.state, "new")

    def test_a_credit_note_is_in_the_statement_currency(self):
        partner = self._customer("Two Currencies")
        self._invoice(partner, 500, date(2026, 10, 2))
        usd_invoice = self._invoice(partner, 300, date(2026, 10, 3), currency=self.foreign)
        session, dispute = self._statement(partner)
        self.assertEqual(session.currency_id, self.company.currency_id)
        with self.assertRaisesRegex(UserError, "in .* \\(the statement's currency\\)"):
            self._settle(
                dispute,
                settlement_type="credit_note",
                credit_mode="amount",
                invoice_id=usd_invoice.id,
                amount=100.0,
                root_cause="our_price",
            )

    def test_settings_wizards_and_sendings_take_no_default_from_the_client(self):
        other = self.setup_other_company(name="Defaults Branch")["company"]
        other_tolerance = other.reconciliation_writeoff_tolerance
        Config = self.env["customer.reconciliation.config.wizard"].with_user(self.manager)
        Config.with_context(default_company_id=other.id).create(
            {"reconciliation_writeoff_tolerance": 99.0}
        )
        self.assertEqual(other.reconciliation_writeoff_tolerance, other_tolerance)
        self.assertEqual(self.company.reconciliation_writeoff_tolerance, 99.0)
        # A customer the wizard was not opened on is not written.
        target = self._customer("Not Opened", reconciliation_frequency="monthly")
        opened = self._customer("Opened", reconciliation_frequency="monthly")
        Partner = self.env["customer.reconciliation.partner.settings.wizard"].with_user(
            self.accountant
        )
        Partner.with_context(
            active_model="res.partner", active_id=opened.id, default_partner_id=target.id
        ).create({"reconciliation_frequency": "quarterly"})
        self.assertEqual(target.reconciliation_frequency, "monthly")
        self.assertEqual(opened.reconciliation_frequency, "quarterly")
        # A sending is its sender's: a default_user_id does not make another the sender.
        Batch = self.env["customer.reconciliation.send.batch"].with_user(self.accountant)
        batch = Batch.with_context(default_user_id=self.manager.id).create(
            {"template_id": self.env.ref("customer_reconciliation.mail_template_statement_send").id}
        )
        self.assertEqual(batch.user_id, self.accountant)
        with self.assertRaises(AccessError):
            batch.write({"template_id": False})

    def test_write_off_and_bad_debt_settle_no_more_than_there_is(self):
        session, dispute, invoice = self._disputed("Capped", amount=800.0)
        with self.assertRaisesRegex(UserError, "not more"):
            self._settle(
                dispute,
                user=self.manager,
                settlement_type="bad_debt",
                root_cause="customer_error",
                amount=900.0,
            )
        partner = self._customer("Capped Write-off")
        self._invoice(partner, 100, date(2026, 10, 2))
        _session, small = self._statement(
            partner, dispute_vals=[{"reason": "amount_differs", "customer_amount": 99.5}]
        )
        with self.assertRaisesRegex(UserError, "not more"):
            self._settle(
                small,
                user=self.manager,
                settlement_type="write_off",
                root_cause="our_price",
                amount=50.0,
            )
        self.assertFalse(self.Settlement.search([("dispute_ids", "in", (dispute | small).ids)]))

    def test_the_disputes_and_settlements_transitions_refuse_the_wrong_roles(self):
        session, dispute, invoice = self._disputed("Wrong Roles")
        settlement = self._settle(dispute, settlement_type="bad_debt", root_cause="customer_error")
        for user in (self.auditor, self.salesperson, self.cashier):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    settlement.with_user(user).action_approve()
                with self.assertRaises(AccessError):
                    dispute.with_user(user).write({"user_id": user.id, "root_cause": "our_price"})
        # The accountant may assign and investigate, not approve.
        with self.assertRaises(AccessError):
            settlement.with_user(self.accountant).action_approve()
        self.assertEqual((settlement.state, dispute.user_id), ("to_approve", self.accountant))

    def test_investigation_is_started_by_users_of_the_reconciliation_only(self):
        partner = self._customer("Investigated")
        self._invoice(partner, 100, date(2026, 10, 2))
        session, dispute = self._statement(partner)
        for user in (self.auditor, self.salesperson, self.cashier):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                dispute.with_user(user).action_investigate()
        self.assertEqual(dispute.state, "new")
        dispute.with_user(self.accountant).action_investigate()
        self.assertEqual(dispute.state, "investigating")
