"""Each settlement type posts the right entry: balanced, on the right accounts, with the right
amounts, partner and analytic distribution, and reconciled with what it settles; afterwards
the customer's balance is the figure they claimed. Amounts are drawn at random (seeded)."""

import random
from datetime import date

from settlement_common import PERIOD, SettlementCommon

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged


@tagged("post_install", "-at_install")
class TestSettlementEntries(SettlementCommon):
    def _balance(self, partner, currency=None, field="balance"):
        return self._ledger_sum(partner, self.company, PERIOD[1], currency=currency, field=field)

    # ------------------------------------------------------------------ credit notes
    def test_credit_note_for_an_amount_random(self):
        rnd = random.Random(13)
        for case in range(5):
            with self.subTest(case=case):
                partner = self._customer(f"Credit Customer {case}")
                total = rnd.randint(20000, 500000) / 100
                invoice = self._invoice(
                    partner, total, date(2026, 10, rnd.randint(1, 28)), analytic=self.project
                )
                credited = round(total * rnd.uniform(0.05, 0.6), 2)
                session, _ = self._statement(partner)
                line = self._line_of(session, invoice)
                dispute = session._record_dispute(
                    [
                        {
                            "line_ids": [Command.set(line.ids)],
                            "reason": "return_not_credited",
                            "customer_amount": total - credited,
                        }
                    ],
                    source="portal",
                )
                settlement = self._settle(dispute, credit_mode="amount")
                self.assertEqual(settlement.settlement_type, "credit_note")
                self.assertEqual(settlement.state, "done")
                refund = settlement.move_ids.filtered(lambda m: m.move_type == "out_refund")
                self.assertEqual(len(refund), 1)
                self.assertBalanced(refund)
                self.assertEqual(refund.partner_id, partner)
                self.assertEqual(refund.reversed_entry_id, invoice)
                self.assertAlmostEqual(refund.amount_total, credited, places=2)
                product = refund.invoice_line_ids
                self.assertEqual(product.account_id, invoice.invoice_line_ids.account_id)
                self.assertEqual(product.analytic_distribution, {str(self.project.id): 100.0})
                self.assertTrue(self._receivable(refund).reconciled)
                self.assertAlmostEqual(invoice.amount_residual, total - credited, places=2)
                self.assertEqual(invoice.payment_state, "partial")
                self.assertEqual(dispute.state, "resolved")
                self.assertEqual(dispute.root_cause, "our_credit")
                self.assertIn(refund, dispute.settlement_move_ids)
                # The customer's claim was accepted: our balance is their figure.
                self.assertAlmostEqual(self._balance(partner), dispute.customer_amount, places=2)

    def test_credit_note_of_chosen_lines_and_whole_invoice(self):
        partner = self._customer("Lines Customer")
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date(2026, 10, 3),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Chairs", "quantity": 4, "price_unit": 150, "tax_ids": []}
                    ),
                    Command.create(
                        {
                            "name": "Desks",
                            "quantity": 2,
                            "price_unit": 400,
                            "tax_ids": [],
                            "analytic_distribution": {str(self.project.id): 100},
                        }
                    ),
                ],
            }
        )
        invoice.action_post()
        other = self._invoice(partner, 300, date(2026, 10, 9))
        session, disputes = self._statement(partner, dispute_vals=[{"reason": "price_discount"}])
        desks = invoice.invoice_line_ids.filtered(lambda l: l.name == "Desks")
        settlement = self._settle(
            disputes, credit_mode="lines", invoice_id=invoice.id, invoice_line_ids=desks.ids
        )
        refund = settlement.move_ids
        self.assertBalanced(refund)
        self.assertEqual(refund.invoice_line_ids.mapped("name"), ["Desks"])
        self.assertEqual(
            refund.invoice_line_ids.analytic_distribution, {str(self.project.id): 100.0}
        )
        self.assertAlmostEqual(refund.amount_total, 800.0)
        self.assertAlmostEqual(invoice.amount_residual, 600.0)
        self.assertAlmostEqual(self._balance(partner), 600.0 + 300.0)

        # The whole invoice, through Odoo's reversal wizard: the other invoice is paid by it.
        session2, disputes2 = self._statement_again(partner)
        whole = self._settle(disputes2, credit_mode="whole", invoice_id=other.id)
        self.assertEqual(whole.move_ids.reversed_entry_id, other)
        self.assertBalanced(whole.move_ids)
        self.assertEqual(other.payment_state, "reversed")
        self.assertAlmostEqual(self._balance(partner), 600.0)

    def _statement_again(self, partner):
        """A new dispute on a fresh statement of ``partner`` (the previous one cancelled)."""
        self.Session.search([("partner_id", "=", partner.id)]).sudo()._workflow_write(
            {"state": "cancelled"}
        )
        return self._statement(partner, dispute_vals=[{"reason": "duplicate"}])

    def test_credit_note_for_an_amount_with_tax(self):
        partner = self._customer("Taxed Customer")
        tax = self.company_data["default_tax_sale"]
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": date(2026, 10, 3),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Goods", "quantity": 1, "price_unit": 1000, "tax_ids": tax.ids}
                    )
                ],
            }
        )
        invoice.action_post()
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "price_discount", "customer_amount": 0}]
        )
        settlement = self._settle(disputes, credit_mode="amount", amount=115.0)
        refund = settlement.move_ids
        self.assertBalanced(refund)
        self.assertAlmostEqual(refund.amount_total, 115.0)
        self.assertEqual((tax.amount_type, tax.price_include), ("percent", False))
        self.assertEqual(refund.invoice_line_ids.tax_ids, tax)
        self.assertAlmostEqual(refund.amount_tax, invoice.amount_tax * 0.1, delta=0.02)

    # ------------------------------------------------------------------ missing invoice
    def test_missing_invoice_is_a_draft_for_the_accountant(self):
        partner = self._customer("Missing Invoice Customer")
        self._invoice(partner, 500, date(2026, 10, 4), analytic=self.project)
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "missing_invoice", "customer_amount": 740.0}]
        )
        settlement = self._settle(disputes)
        self.assertEqual(settlement.settlement_type, "missing_invoice")
        invoice = settlement.move_ids
        self.assertEqual((invoice.move_type, invoice.state), ("out_invoice", "draft"))
        self.assertEqual(invoice.partner_id, partner)
        self.assertAlmostEqual(invoice.amount_total, 240.0)
        self.assertEqual(
            invoice.invoice_line_ids.analytic_distribution, {str(self.project.id): 100.0}
        )
        self.assertEqual(settlement.state, "pending")
        self.assertEqual(disputes.state, "investigating")
        with self.assertRaisesRegex(UserError, "cannot be closed yet"):
            session.with_user(self.manager).action_close()
        invoice.with_user(self.accountant).action_post()
        self.assertEqual(settlement.state, "done")
        self.assertEqual(disputes.state, "resolved")
        self.assertAlmostEqual(self._balance(partner), 740.0)

    # ------------------------------------------------------------------ write-off
    def test_small_difference_written_off_within_tolerance_random(self):
        rnd = random.Random(29)
        for case in range(4):
            with self.subTest(case=case):
                partner = self._customer(f"Write-off Customer {case}")
                total = rnd.randint(10000, 900000) / 100
                invoice = self._invoice(partner, total, date(2026, 10, 6), analytic=self.project)
                cents = rnd.randint(1, 100) / 100
                claimed = total - cents if case % 2 == 0 else total + cents
                session, disputes = self._statement(
                    partner, dispute_vals=[{"reason": "amount_differs", "customer_amount": claimed}]
                )
                settlement = self._settle(
                    disputes, settlement_type="write_off", root_cause="timing_cutoff"
                )
                move = settlement.move_ids
                self.assertBalanced(move)
                receivable = self._receivable(move)
                counterpart = move.line_ids - receivable
                self.assertEqual(counterpart.account_id, self.writeoff_account)
                self.assertEqual(counterpart.analytic_distribution, {str(self.project.id): 100.0})
                self.assertEqual(move.line_ids.partner_id, partner)
                self.assertAlmostEqual(receivable.balance, claimed - total, places=2)
                if case % 2 == 0:
                    self.assertTrue(receivable.reconciled)
                    self.assertAlmostEqual(invoice.amount_residual, claimed, places=2)
                self.assertAlmostEqual(self._balance(partner), claimed, places=2)
                self.assertEqual(disputes.state, "resolved")

    def test_write_off_above_tolerance_only_for_a_manager(self):
        partner = self._customer("Tolerance Customer")
        self._invoice(partner, 1000, date(2026, 10, 6))
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "amount_differs", "customer_amount": 995.0}]
        )
        moves_before = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "above the write-off tolerance"):
            self._settle(disputes, settlement_type="write_off", root_cause="our_price")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(self.Settlement.search_count([("dispute_ids", "in", disputes.ids)]), 0)
        self.assertEqual(disputes.state, "new")
        settlement = self._settle(
            disputes, user=self.manager, settlement_type="write_off", root_cause="our_price"
        )
        self.assertEqual(settlement.state, "done")
        self.assertAlmostEqual(self._balance(partner), 995.0)

    # ------------------------------------------------------------------ bad debt
    def test_bad_debt_below_the_limit_is_posted_by_the_accountant(self):
        partner = self._customer("Small Bad Debt")
        invoice = self._invoice(partner, 800, date(2026, 10, 2), analytic=self.project)
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "other", "customer_amount": 0}]
        )
        settlement = self._settle(disputes, settlement_type="bad_debt", root_cause="customer_error")
        move = settlement.move_ids
        self.assertBalanced(move)
        debit = move.line_ids.filtered(lambda l: l.debit)
        self.assertEqual(debit.account_id, self.bad_debt_account)
        self.assertAlmostEqual(debit.debit, 800.0)
        self.assertEqual(debit.analytic_distribution, {str(self.project.id): 100.0})
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAlmostEqual(self._balance(partner), 0.0)

    def test_bad_debt_above_the_limit_waits_for_another_manager(self):
        partner = self._customer("Large Bad Debt")
        invoice = self._invoice(partner, 4800, date(2026, 10, 2))
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "other", "customer_amount": 0}]
        )
        settlement = self._settle(disputes, settlement_type="bad_debt", root_cause="customer_error")
        self.assertEqual(settlement.state, "to_approve")
        self.assertEqual(settlement.move_ids.state, "draft")
        self.assertEqual(disputes.state, "investigating")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertTrue(
            settlement.activity_ids.filtered(lambda a: a.user_id == self.manager),
            "the managers get an approval activity",
        )
        with self.assertRaises(Exception):  # noqa: B017 - AccessError or UserError
            settlement.with_user(self.accountant).action_approve()
        self.assertEqual(settlement.state, "to_approve")
        # Promoted meanwhile, the proposer still does not approve their own proposal.
        self.accountant.group_ids |= self.env.ref(
            "customer_reconciliation.group_reconciliation_manager"
        )
        with self.assertRaisesRegex(UserError, "another manager approves it"):
            settlement.with_user(self.accountant).action_approve()
        settlement.with_user(self.manager).action_approve()
        self.assertEqual(settlement.state, "done")
        self.assertBalanced(settlement.move_ids)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(disputes.state, "resolved")
        self.assertEqual(settlement.approved_by_id, self.manager)

    def test_a_manager_is_not_held_by_the_bad_debt_limit(self):
        partner = self._customer("Own Bad Debt")
        self._invoice(partner, 4800, date(2026, 10, 2))
        self.company.reconciliation_bad_debt_limit = 100.0
        session, disputes = self._statement(partner)
        # A manager is not held by the limit: it is posted at once.
        settlement = self._settle(
            disputes, user=self.manager, settlement_type="bad_debt", root_cause="customer_error"
        )
        self.assertEqual(settlement.state, "done")

    # ------------------------------------------------------------------ advances (预收账款)
    def test_customer_advance_applied_to_open_invoices(self):
        partner = self._customer("Advance Customer")
        bank = self.company_data["default_journal_bank"]
        receipt = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": bank.id,
                "date": date(2026, 9, 20),
                "line_ids": [
                    Command.create(
                        {
                            "account_id": bank.default_account_id.id,
                            "partner_id": partner.id,
                            "debit": 1200.0,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": self.advance_account.id,
                            "partner_id": partner.id,
                            "credit": 1200.0,
                        }
                    ),
                ],
            }
        )
        receipt.action_post()
        first = self._invoice(partner, 700, date(2026, 10, 3))
        second = self._invoice(partner, 900, date(2026, 10, 10))
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "payment_not_recorded", "customer_amount": 400.0}]
        )
        settlement = self._settle(
            disputes, settlement_type="advance", amount=1200.0, root_cause="our_posting"
        )
        move = settlement.move_ids.filtered(lambda m: m.journal_id.type == "general")
        self.assertBalanced(move)
        advance_debit = move.line_ids.filtered(lambda l: l.account_id == self.advance_account)
        self.assertAlmostEqual(advance_debit.debit, 1200.0)
        self.assertTrue(advance_debit.reconciled)
        self.assertEqual(first.payment_state, "paid")
        self.assertAlmostEqual(second.amount_residual, 400.0)
        self.assertAlmostEqual(self._balance(partner), 400.0)

    # ------------------------------------------------------------------ payment allocation
    def test_unapplied_payment_allocated_oldest_first_the_last_partly(self):
        partner = self._customer("Allocation Customer")
        inv1 = self._invoice(partner, 1000, date(2026, 10, 2))
        inv2 = self._invoice(partner, 800, date(2026, 10, 5))
        inv3 = self._invoice(partner, 600, date(2026, 10, 8))
        self._advance(partner, 1500, date(2026, 10, 12))
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "payment_not_recorded", "customer_amount": 900.0}]
        )
        settlement = self._settle(
            disputes, settlement_type="allocate_payment", root_cause="our_posting"
        )
        self.assertEqual(settlement.state, "done")
        self.assertEqual(inv1.payment_state, "paid")
        self.assertAlmostEqual(inv2.amount_residual, 300.0)
        self.assertEqual(inv3.payment_state, "not_paid")
        self.assertAlmostEqual(settlement.amount, 1500.0)
        self.assertEqual(settlement.invoice_ids, inv1 | inv2)
        self.assertEqual(len(settlement.partial_ids), 2)
        self.assertFalse(settlement.move_ids, "an allocation posts no entry in one currency")

    def test_unapplied_payment_allocated_to_the_invoices_picked(self):
        partner = self._customer("Picked Customer")
        inv1 = self._invoice(partner, 1000, date(2026, 10, 2))
        inv2 = self._invoice(partner, 800, date(2026, 10, 5))
        inv3 = self._invoice(partner, 600, date(2026, 10, 8))
        self._advance(partner, 1000, date(2026, 10, 12))
        session, disputes = self._statement(partner)
        self._settle(
            disputes,
            settlement_type="allocate_payment",
            root_cause="our_posting",
            allocation_mode="chosen",
            allocate_invoice_ids=[Command.set((inv3 | inv2).ids)],
        )
        self.assertEqual(inv1.payment_state, "not_paid")
        self.assertEqual(inv2.payment_state, "paid")
        self.assertAlmostEqual(inv3.amount_residual, 400.0)

    # ------------------------------------------------------------------ unrecorded payment
    def test_unrecorded_payment_is_drafted_for_the_cashier(self):
        partner = self._customer("Payment Customer")
        invoice = self._invoice(partner, 650, date(2026, 10, 2))
        session, disputes = self._statement(
            partner, dispute_vals=[{"reason": "payment_not_recorded", "customer_amount": 0.0}]
        )
        settlement = self._settle(disputes)
        payment = settlement.payment_id
        self.assertEqual(payment.state, "draft")
        self.assertEqual((payment.partner_id, payment.amount), (partner, 650.0))
        self.assertEqual(payment.payment_type, "inbound")
        self.assertEqual(settlement.state, "pending")
        with self.assertRaisesRegex(UserError, "a cashier"):
            payment.with_user(self.accountant).action_post()
        self.assertEqual(payment.state, "draft")
        payment.with_user(self.cashier).action_post()
        self.assertEqual(settlement.state, "done")
        self.assertEqual(disputes.state, "resolved")
        self.assertTrue(payment.move_id)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertAlmostEqual(self._balance(partner), 0.0)

    # ------------------------------------------------------------------ no entry
    def test_explanation_and_rejection_post_nothing_and_tell_the_customer(self):
        partner = self._customer("Timing Customer")
        self._invoice(partner, 500, date(2026, 10, 30))
        session, disputes = self._statement(
            partner,
            dispute_vals=[
                {"reason": "other", "customer_amount": 0.0},
                {"reason": "amount_differs", "customer_amount": 10.0},
            ],
        )
        timing, rejected = disputes
        moves = self.env["account.move"].search_count([])
        with self.assertRaisesRegex(UserError, "Explain the difference"):
            self._settle(timing, settlement_type="explanation")
        settlement = self._settle(
            timing,
            settlement_type="explanation",
            root_cause="timing_transit",
            explanation="Invoice of 30 October still in the post.",
        )
        self.assertEqual(settlement.state, "done")
        self.assertEqual(timing.state, "resolved")
        told = timing.message_ids.filtered(
            lambda m: (
                m.subtype_id == self.env.ref("mail.mt_comment")
                and "still in the post" in (m.body or "")
            )
        )
        self.assertTrue(told)
        rejected.write({"resolution": "Our price list of 1 October applies."})
        rejected.with_user(self.accountant).action_reject()
        self.assertEqual(rejected.state, "rejected")
        self.assertTrue(
            rejected.message_ids.filtered(
                lambda m: (
                    m.subtype_id == self.env.ref("mail.mt_comment")
                    and "price list" in (m.body or "")
                )
            )
        )
        self.assertEqual(self.env["account.move"].search_count([]), moves)
        self.assertFalse(settlement.move_ids)

    # ------------------------------------------------------------------ foreign currency
    def test_foreign_currency_bad_debt_posts_in_the_invoice_currency(self):
        partner = self._customer("USD Customer", reconciliation_currency_id=self.foreign.id)
        invoice = self._invoice(partner, 1000, date(2026, 3, 10), currency=self.foreign)
        self.assertAlmostEqual(invoice.amount_total_signed, 1000 / 0.45, places=2)
        self.company.reconciliation_bad_debt_limit = 100000.0
        session, disputes = self._statement(
            partner, currency=self.foreign, dispute_vals=[{"reason": "other", "customer_amount": 0}]
        )
        settlement = self._settle(disputes, settlement_type="bad_debt", root_cause="customer_error")
        move = settlement.move_ids.filtered(
            lambda m: m.journal_id == self.company_data["default_journal_misc"]
        )
        self.assertBalanced(move)
        receivable = self._receivable(move)
        self.assertEqual(receivable.currency_id, self.foreign)
        self.assertAlmostEqual(receivable.amount_currency, -1000.0)
        # At the rate of the settlement date (31 October: 0.48), not the invoice's (0.45).
        self.assertAlmostEqual(receivable.balance, -1000 / 0.48, places=2)
        self.assertEqual(invoice.payment_state, "paid")
        exchange = settlement.move_ids - move
        self.assertTrue(exchange, "Odoo's exchange difference entry is linked")
        self.assertEqual(exchange.journal_id, self.company.currency_exchange_journal_id)
        self.assertAlmostEqual(
            self._balance(partner, field="amount_currency", currency=self.foreign), 0.0
        )
        self.assertAlmostEqual(self._balance(partner), 0.0, places=2)

    def test_foreign_currency_credit_note_in_the_invoice_currency(self):
        partner = self._customer("USD Credit", reconciliation_currency_id=self.foreign.id)
        invoice = self._invoice(partner, 2000, date(2026, 10, 5), currency=self.foreign)
        session, disputes = self._statement(
            partner,
            currency=self.foreign,
            dispute_vals=[{"reason": "return_not_credited", "customer_amount": 1750.0}],
        )
        settlement = self._settle(disputes, credit_mode="amount")
        refund = settlement.move_ids
        self.assertEqual(refund.currency_id, self.foreign)
        self.assertAlmostEqual(refund.amount_total, 250.0)
        self.assertAlmostEqual(invoice.amount_residual, 1750.0)
        self.assertAlmostEqual(
            self._balance(partner, field="amount_currency", currency=self.foreign), 1750.0
        )
