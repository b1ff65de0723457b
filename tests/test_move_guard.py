"""Journal entries of statements the customer confirmed, guarded at the ORM level: who may change
what, the managers' override posted on the statement, Odoo's own flows left alone, the cost."""

import base64
from datetime import date
from unittest.mock import patch

from common import ReconciliationCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

REFUSED = "refused"  # our UserError naming the statement, nothing written
OVERRIDE = "override"  # done, and posted on the statement with who, what and which entry
ACCESS = "access"  # AccessError: no write right on entries, so no statement named either

ROLES = ("accountant", "account_admin", "manager", "admin", "sales")
# accountant     Reconciliation User + Accounting / Bookkeeper
# account_admin  Reconciliation User + Accounting Administrator (Odoo's rights are no override)
# manager        Reconciliation Manager + Bookkeeper
# admin          Odoo's administrator (a Reconciliation Manager, as installed)
# sales          salesperson: reads entries, writes none
R, O, A = REFUSED, OVERRIDE, ACCESS
# fmt: off
MATRIX = {
    #  operation                 target    accountant account_admin manager admin sales
    "write_state_draft":        ("posted", (R,         R,            O,      O,    A)),
    "button_draft":             ("posted", (R,         R,            O,      O,    A)),
    "button_cancel":            ("posted", (R,         R,            O,      O,    A)),
    "line_date_maturity":       ("posted", (R,         R,            O,      O,    A)),
    "unlink":                   ("draft",  (R,         R,            O,      O,    A)),
    "repost":                   ("draft",  (R,         R,            O,      O,    A)),
    "line_debit":               ("draft",  (R,         R,            O,      O,    A)),
    "line_credit":              ("draft",  (R,         R,            O,      O,    A)),
    "line_amount_currency":     ("draft",  (R,         R,            O,      O,    A)),
    "line_date":                ("draft",  (R,         R,            O,      O,    A)),
    "line_partner":             ("draft",  (R,         R,            O,      O,    A)),
    "line_account":             ("draft",  (R,         R,            O,      O,    A)),
    "line_create":              ("draft",  (R,         R,            O,      O,    A)),
    "line_unlink":              ("draft",  (R,         R,            O,      O,    A)),
    "move_date":                ("draft",  (R,         R,            O,      O,    A)),
    "move_partner":             ("draft",  (R,         R,            O,      O,    A)),
    "move_line_ids_command":    ("draft",  (R,         R,            O,      O,    A)),
}
# fmt: on
# Keys Odoo (or a client) may put in the context: none of them skips the guard.
BYPASS_ATTEMPT = {
    "force_delete": True,
    "skip_readonly_check": True,
    "check_move_validity": False,
    "tracking_disable": True,
    "skip_account_move_synchronization": True,
    "skip_invoice_sync": True,
    "skip_invoice_line_sync": True,
    "dynamic_unlink": True,
    "skip_is_manually_modified": True,
    "install_mode": True,
    "import_file": True,
    "customer_reconciliation_skip_guard": True,
}


@tagged("post_install", "-at_install")
class TestMoveGuard(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company

        def user(login, groups):
            return new_test_user(
                cls.env,
                login=login,
                name=f"Guard {login}",
                groups=groups,
                company_id=company.id,
                company_ids=[company.id],
            )

        admin = cls.env.ref("base.user_admin")
        admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
        cls.users = {
            "accountant": user(
                "mg_accountant",
                "customer_reconciliation.group_reconciliation_user,account.group_account_user",
            ),
            "account_admin": user(
                "mg_account_admin",
                "customer_reconciliation.group_reconciliation_user,account.group_account_manager",
            ),
            "manager": user(
                "mg_manager",
                "customer_reconciliation.group_reconciliation_manager,account.group_account_user",
            ),
            "admin": admin,
            "sales": user("mg_sales", "sales_team.group_sale_salesman"),
        }
        cls.approver = user("mg_approver", "customer_reconciliation.group_reconciliation_manager")
        cls.customer = cls._customer("Guarded Customer", user_id=cls.users["sales"].id)
        cls.other_customer = cls._customer("Other Customer")
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 10, 5), ref="PO-1")
        cls.invoice2 = cls._invoice(cls.customer, 300, date(2026, 10, 8), ref="PO-2")
        cls.revenue = cls.company_data["default_account_revenue"]
        cls.expense = cls.company_data["default_account_expense"]
        cls.entry = cls._misc_entry(cls.customer, 500, date(2026, 10, 10))
        cls.session = cls._confirmed_statement(cls.customer)
        # a customer whose statement is only sent: its entries are free
        cls.free_invoice = cls._invoice(cls.other_customer, 700, date(2026, 10, 6))
        cls.sent_session = cls._generate(cls.other_customer)
        cls._submit_and_send(cls.sent_session)

    @classmethod
    def _misc_entry(cls, partner, amount, on):
        entry = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.company_data["default_journal_misc"].id,
                "date": on,
                "line_ids": [
                    Command.create(
                        {
                            "name": "Adjustment",
                            "account_id": cls.receivable.id,
                            "partner_id": partner.id,
                            "debit": amount,
                            "date_maturity": date(2026, 11, 10),
                        }
                    ),
                    Command.create(
                        {"name": "Adjustment", "account_id": cls.revenue.id, "credit": amount}
                    ),
                ],
            }
        )
        entry.action_post()
        return entry

    @classmethod
    def _generate(cls, partner):
        return cls.Engine.generate(cls.company, date(2026, 10, 1), date(2026, 10, 31), partner.ids)[
            "created"
        ]

    @classmethod
    def _submit_and_send(cls, session):
        session.with_user(cls.users["accountant"]).action_submit()
        session.with_user(cls.approver).action_approve()
        session.action_mark_sent()

    @classmethod
    def _confirmed_statement(cls, partner):
        session = cls._generate(partner)
        cls._submit_and_send(session)
        evidence = cls.env["ir.attachment"].create(
            {"name": "signed.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed")}
        )
        session._record_confirmation("Ms. Li", channel="internal", attachments=evidence)
        assert session.state == "confirmed"
        return session

    # ------------------------------------------------------------------ helpers
    def _receivable(self, move):
        return move.line_ids.filtered(lambda l: l.account_id == self.receivable)

    def _db_state(self, move):
        """The guarded values of an entry and its items, read from the database."""
        self.env.invalidate_all()
        header = self._sql(
            "SELECT state, date, partner_id, journal_id, currency_id FROM account_move "
            "WHERE id = %s",
            move.id,
        )
        lines = self._sql(
            "SELECT id, debit, credit, balance, amount_currency, currency_id, date, date_maturity, "
            "partner_id, account_id FROM account_move_line WHERE move_id = %s ORDER BY id",
            move.id,
        )
        return header, lines

    def _operate(self, operation, move, user):
        """Run ``operation`` on ``move`` as ``user``."""
        move = move.with_user(user)
        # amounts changed on one item only: Odoo's balance check is off, ours is not
        unbalanced = move.with_context(check_move_validity=False)
        receivable = self._receivable(unbalanced)
        other = unbalanced.line_ids - receivable

        def extra_item(**vals):
            return Command.create({"name": "Extra", **vals})

        operations = {
            "write_state_draft": lambda: move.write({"state": "draft"}),
            "button_draft": move.button_draft,
            "button_cancel": move.button_cancel,
            "unlink": move.unlink,
            "repost": move.action_post,
            "line_date_maturity": lambda: receivable.write({"date_maturity": date(2026, 12, 31)}),
            "line_debit": lambda: receivable.write({"debit": 650}),
            "line_credit": lambda: other.write({"credit": 650}),
            "line_amount_currency": lambda: receivable.write({"amount_currency": 650}),
            "line_date": lambda: receivable.write({"date": date(2026, 10, 20)}),
            "line_partner": lambda: receivable.write({"partner_id": self.other_customer.id}),
            "line_account": lambda: other.write({"account_id": self.expense.id}),
            "line_create": lambda: receivable.create(
                {
                    "move_id": move.id,
                    "name": "Extra",
                    "account_id": self.receivable.id,
                    "partner_id": self.customer.id,
                    "debit": 10,
                }
            ),
            "line_unlink": other.unlink,
            "move_date": lambda: move.write({"date": date(2026, 10, 12)}),
            "move_partner": lambda: move.write({"partner_id": self.other_customer.id}),
            "move_line_ids_command": lambda: move.write(
                {
                    "line_ids": [
                        extra_item(
                            account_id=self.receivable.id, partner_id=self.customer.id, debit=50
                        ),
                        extra_item(account_id=self.revenue.id, credit=50),
                    ]
                }
            ),
        }
        return operations[operation]()

    def _attempt(self, operation, target, role):
        """What happened, checked: (outcome, failure or None)."""
        user = self.users[role]
        move = self.invoice if target == "posted" else self.entry
        if target == "draft":
            self.entry.button_draft()  # by a manager (the test's superuser), posted too
        before = self._db_state(move)
        name = move.name
        messages = self.session.message_ids
        try:
            self._operate(operation, move, user)
            self.env.flush_all()
        except AccessError:
            self.env.invalidate_all()
            return ACCESS, None if self._db_state(move) == before else "changed the entry"
        except UserError as error:
            # no savepoint around the call: what the guard lets through would be flushed here
            self.env.flush_all()
            if self._db_state(move) != before:
                return REFUSED, "refused but the entry changed"
            if self.session.name not in str(error):
                return REFUSED, f"the error does not name the statement: {error}"
            if self.session.message_ids != messages:
                return REFUSED, "refused but posted on the statement"
            return REFUSED, None
        self.env.invalidate_all()
        posted = self.session.message_ids - messages
        if len(posted) != 1:
            return OVERRIDE, f"{len(posted)} messages posted on the statement instead of 1"
        body = str(posted.body)
        if user.name not in body or name not in body:
            return OVERRIDE, f"the message names neither the user nor the entry: {body}"
        return OVERRIDE, None

    # ------------------------------------------------------------------ the matrix
    def test_guard_matrix(self):
        failures = []
        for operation, (target, expected_row) in MATRIX.items():
            for role, expected in zip(ROLES, expected_row):
                with (
                    self.subTest(operation=operation, role=role),
                    self.env.cr.savepoint(flush=False) as savepoint,
                ):
                    try:
                        outcome, problem = self._attempt(operation, target, role)
                    finally:
                        savepoint.rollback()
                        self.env.invalidate_all()
                    if outcome != expected:
                        failures.append(f"{operation} by {role}: {outcome}, expected {expected}")
                    elif problem:
                        failures.append(f"{operation} by {role}: {problem}")
        self.assertFalse(failures, "\n".join(failures))

    def test_override_message(self):
        manager = self.users["manager"]
        messages = self.session.message_ids
        self.invoice.with_user(manager).button_cancel()
        self.assertEqual(self.invoice.state, "cancel")
        message = self.session.message_ids - messages
        self.assertEqual(len(message), 1, "one operation, one message")
        body = str(message.body)
        self.assertIn(manager.name, body)
        self.assertIn(self.invoice.name, body)
        self.assertIn("cancel", body)
        self.assertIn("Status", body)
        self.assertEqual(message.author_id, manager.partner_id)
        self.assertEqual(message.subtype_id, self.env.ref("mail.mt_note"), "a note, never mailed")
        # a command writing several items is one override, naming what changed
        self.entry.with_user(manager).button_draft()
        messages = self.session.message_ids
        self.entry.with_user(manager).write(
            {
                "line_ids": [
                    Command.update(line.id, {"debit": line.debit * 2, "credit": line.credit * 2})
                    for line in self.entry.line_ids
                ]
            }
        )
        self.assertEqual(self._receivable(self.entry).debit, 1000)
        message = self.session.message_ids - messages
        self.assertEqual(len(message), 1, "one write of several items, one message")
        body = str(message.body)
        self.assertIn(self.entry.name, body)
        self.assertIn("Journal Item: Debit", body)
        self.assertIn("Journal Item: Credit", body)

    # ------------------------------------------------------------------ no real change, no check
    def test_writes_that_change_nothing_pass(self):
        accountant = self.users["accountant"]
        messages = self.session.message_ids
        invoice = self.invoice.with_user(accountant)
        receivable = self._receivable(invoice)
        invoice.write({"state": "posted", "journal_id": invoice.journal_id.id})
        invoice.write({"ref": "PO-1 (corrected)", "narration": "Checked"})
        receivable.write(
            {
                "debit": receivable.debit,
                "balance": receivable.balance + 0.001,  # below the currency's rounding
                "date_maturity": receivable.date_maturity,
                "account_id": receivable.account_id.id,
                "partner_id": receivable.partner_id.id,
            }
        )
        receivable.write({"name": "Goods, as agreed"})
        invoice.message_post(body="Customer called")
        invoice.activity_schedule("mail.mail_activity_data_todo", summary="Follow up")
        # a draft entry (reset by a manager), rewritten unchanged, as a client saves a form
        self.entry.button_draft()
        messages = self.session.message_ids
        entry = self.entry.with_user(accountant)
        entry.write(
            {
                "date": entry.date.isoformat(),
                "partner_id": entry.partner_id.id,
                "currency_id": entry.currency_id.id,
                "line_ids": [
                    Command.update(
                        line.id,
                        {
                            "debit": line.debit,
                            "credit": line.credit,
                            "account_id": line.account_id.id,
                        },
                    )
                    for line in entry.line_ids
                ],
            }
        )
        self.env.flush_all()
        self.assertEqual(self.session.message_ids, messages)
        # compared as Odoo writes it: a debit alone on a credit item zeroes its balance
        revenue_line = entry.line_ids - self._receivable(entry)
        with self.assertRaisesRegex(UserError, self.session.name):
            revenue_line.with_context(check_move_validity=False).write({"debit": 0})

    def test_register_payment_on_a_confirmed_invoice(self):
        accountant = self.users["accountant"]
        messages = self.session.message_ids
        before = self._db_state(self.invoice2)
        wizard = (
            self.env["account.payment.register"]
            .with_user(accountant)
            .with_context(active_model="account.move", active_ids=self.invoice2.ids)
            .create({"payment_date": date(2026, 11, 5)})
        )
        payments = wizard._create_payments()
        self.env.flush_all()
        self.assertIn(self.invoice2.payment_state, ("paid", "in_payment"))
        self.assertTrue(self._receivable(self.invoice2).reconciled)
        self.assertEqual(self._db_state(self.invoice2), before, "the invoice itself is unchanged")
        self.assertEqual(self.session.message_ids, messages)
        # and undone: unreconciling is not a change of the entry either
        self._receivable(self.invoice2).with_user(accountant).remove_move_reconcile()
        self.assertEqual(self.invoice2.payment_state, "not_paid")
        self.assertTrue(payments)

    def test_partial_payment_and_credit_note_on_confirmed_invoices(self):
        accountant = self.users["accountant"]
        self._pay(self.invoice, amount=400, pay_date=date(2026, 11, 3))
        refund = self._invoice(self.customer, 100, date(2026, 11, 4), move_type="out_refund")
        (self._receivable(self.invoice) | self._receivable(refund)).with_user(
            accountant
        ).reconcile()
        self.assertAlmostEqual(self.invoice.amount_residual, 500)
        self.Session._cron_check_ledger()

    def test_entries_of_unconfirmed_statements_are_free(self):
        accountant = self.users["accountant"]
        self.assertEqual(self.sent_session.state, "sent")
        messages = self.sent_session.message_ids
        invoice = self.free_invoice.with_user(accountant)
        invoice.button_draft()
        invoice.write(
            {
                "invoice_date": date(2026, 10, 7),
                "invoice_line_ids": [
                    Command.update(invoice.invoice_line_ids.id, {"price_unit": 750})
                ],
            }
        )
        invoice.action_post()
        self.assertAlmostEqual(invoice.amount_total, 750)
        invoice.button_cancel()
        self.assertEqual(invoice.state, "cancel")
        self.assertEqual(self.sent_session.message_ids, messages)

    def test_no_context_key_bypasses_the_guard(self):
        accountant = self.users["accountant"]
        before = self._db_state(self.invoice)
        invoice = self.invoice.with_user(accountant).with_context(**BYPASS_ATTEMPT)
        for name, call in (
            ("write", lambda: invoice.write({"state": "draft"})),
            ("button_draft", invoice.button_draft),
            ("button_cancel", invoice.button_cancel),
            ("unlink", invoice.unlink),
            ("item", lambda: self._receivable(invoice).write({"date_maturity": date(2027, 1, 1)})),
        ):
            with self.subTest(name), self.assertRaisesRegex(UserError, self.session.name):
                call()
            self.assertEqual(self._db_state(self.invoice), before)

    def test_closed_statements_are_guarded_too(self):
        self.session.action_close()
        self.assertEqual(self.session.state, "closed")
        with self.assertRaisesRegex(UserError, self.session.name):
            self.invoice.with_user(self.users["accountant"]).button_draft()

    # ------------------------------------------------------------------ cost
    def test_one_query_per_batch(self):
        Move = self.env["account.move"]
        others = self.free_invoice | self.env["account.move"].search(
            [("partner_id", "=", self.other_customer.id)]
        )
        for day in range(1, 21):
            others |= self._invoice(self.other_customer, 10 * day, date(2026, 9, day))
        self.assertEqual(self._query_count(others._confirmed_reconciliation_sessions_by_move), 1)
        calls = []
        original = type(Move)._confirmed_reconciliation_sessions_by_move

        def spy(records):
            calls.append(len(records))
            return original(records)

        with patch.object(type(Move), "_confirmed_reconciliation_sessions_by_move", spy):
            others.write({"ref": "batch"})  # no guarded field: no query at all
            self.assertEqual(calls, [])
            others.write({"state": "posted"})
            self.assertEqual(calls, [len(others)], "one look-up for the whole batch")
            calls.clear()
            self._receivable(others).write({"name": "batch"})
            self.assertEqual(calls, [])
            self._receivable(others).write({"date_maturity": date(2026, 12, 1)})
            self.assertEqual(len(calls), 1)
        mixed = others | self.invoice
        self.assertEqual(
            dict(mixed._confirmed_reconciliation_sessions_by_move()),
            {self.invoice.id: self.session.ids},
        )
