"""Generation as a process: idempotence, bulk wizard, background runs, cron, frequencies, speed."""

from datetime import date

from common import ReconciliationCommon
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.customer_reconciliation.models import run as run_module
from odoo.addons.customer_reconciliation.models.run import frequency_period


@tagged("post_install", "-at_install")
class TestGeneration(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customers = cls.env["res.partner"]
        for index in range(6):
            customer = cls._customer(f"Gen Customer {index}")
            cls.customers |= customer
            cls._invoice(customer, 100 * (index + 1), date(2026, 10, 5))
        cls.idle = cls._customer("Idle Customer")

    def test_regenerate_refreshes_draft_instead_of_duplicating(self):
        first = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers.ids
        )
        self.assertEqual(len(first["created"]), 6)
        self._invoice(self.customers[0], 55, date(2026, 10, 20))
        second = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers.ids
        )
        self.assertFalse(second["created"])
        self.assertEqual(second["refreshed"], first["created"])
        session = second["refreshed"].filtered(lambda s: s.partner_id == self.customers[0])
        self.assertAlmostEqual(session.closing_balance, 155)
        self.assertEqual(len(session.line_ids), 3)
        self.assertEqual(self.Session.search_count([("partner_id", "in", self.customers.ids)]), 6)

    def test_submitted_statement_is_never_rewritten(self):
        session = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers[:1].ids
        )["created"]
        session._workflow_write({"state": "to_approve"})
        self._invoice(self.customers[0], 55, date(2026, 10, 20))
        result = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers[:1].ids
        )
        self.assertEqual(result["skipped"], session)
        self.assertFalse(result["created"] | result["refreshed"])
        self.assertAlmostEqual(session.closing_balance, 100)
        with self.assertRaisesRegex(UserError, "Only draft statements"):
            session.action_regenerate()

    def test_cancelled_statement_is_replaced_by_a_new_version(self):
        session = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers[:1].ids
        )["created"]
        session._workflow_write({"state": "cancelled"})
        new = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers[:1].ids
        )["created"]
        self.assertEqual(new.version, 2)
        self.assertNotEqual(new.name, session.name)

    def test_numbers_follow_the_period(self):
        sessions = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers.ids
        )["created"]
        names = sessions.mapped("name")
        self.assertEqual(len(set(names)), 6)
        self.assertTrue(all(name.startswith("REC/2026/10/") for name in names), names)

    def test_skip_or_keep_customers_without_activity(self):
        result = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), (self.customers | self.idle).ids
        )
        self.assertNotIn(self.idle, result["created"].partner_id)
        result = self.Engine.generate(
            self.company,
            date(2026, 10, 1),
            date(2026, 10, 31),
            self.idle.ids,
            only_with_balance_or_activity=False,
        )
        self.assertEqual(result["created"].partner_id, self.idle)
        self.assertEqual(result["created"].closing_balance, 0)
        self.assertEqual(len(result["created"].line_ids), 1)

    def test_query_count_does_not_grow_with_customers(self):
        few = self.env["res.partner"]
        many = self.env["res.partner"]
        for index in range(55):
            customer = self._customer(f"Bulk {index}")
            invoice = self._invoice(customer, 10 + index, date(2026, 9, 3))
            self._pay(invoice, amount=5, pay_date=date(2026, 9, 10))
            if index < 5:
                few |= customer
            else:
                many |= customer
        # Warm the caches (accounts, sequence, views of the ORM) on another period first.
        self.Engine.generate(self.company, date(2026, 9, 1), date(2026, 9, 15), few.ids)
        self.env.invalidate_all()
        count_5 = self._query_count(
            lambda: self.Engine.generate(self.company, date(2026, 9, 1), date(2026, 9, 30), few.ids)
        )
        self.env.invalidate_all()
        count_50 = self._query_count(
            lambda: self.Engine.generate(
                self.company, date(2026, 9, 1), date(2026, 9, 30), many.ids
            )
        )
        self.assertEqual(self.Session.search_count([("date_to", "=", date(2026, 9, 30))]), 55)
        self.assertEqual(
            self.env["customer.reconciliation.line"].search_count(
                [("session_id.date_to", "=", date(2026, 9, 30))]
            ),
            55 * 3,
        )
        self.assertLessEqual(
            abs(count_50 - count_5), 2, f"5 customers: {count_5}, 50 customers: {count_50}"
        )

    def test_wizard_preview_and_generate(self):
        wizard = self.env["customer.reconciliation.generate.wizard"].create(
            {
                "date_from": date(2026, 10, 1),
                "date_to": date(2026, 10, 31),
                "customer_selection": "active",
            }
        )
        self.assertEqual(wizard.customer_count, len(self.customers))
        self.assertEqual(wizard.new_count, len(self.customers))
        self.assertIn("6 customers", wizard.preview)
        action = wizard.action_generate()
        sessions = self.Session.search(action["domain"])
        self.assertEqual(sessions.partner_id, self.customers)
        wizard2 = self.env["customer.reconciliation.generate.wizard"].create(
            {
                "date_from": date(2026, 10, 1),
                "date_to": date(2026, 10, 31),
                "customer_selection": "active",
            }
        )
        self.assertEqual(wizard2.new_count, 0)
        self.assertEqual(wizard2.existing_count, 6)

    def test_wizard_from_partner_selection(self):
        contact = self.env["res.partner"].create(
            {"name": "Someone", "parent_id": self.customers[1].id}
        )
        wizard = (
            self.env["customer.reconciliation.generate.wizard"]
            .with_context(active_model="res.partner", active_ids=contact.ids)
            .create({"date_from": date(2026, 10, 1), "date_to": date(2026, 10, 31)})
        )
        self.assertEqual(wizard.customer_selection, "selected")
        self.assertEqual(wizard.partner_ids, self.customers[1])
        wizard.action_generate()
        self.assertEqual(
            self.Session.search([("date_to", "=", date(2026, 10, 31))]).partner_id,
            self.customers[1],
        )

    def test_wizard_explains_when_nothing_to_do(self):
        wizard = self.env["customer.reconciliation.generate.wizard"].create(
            {
                "date_from": date(2025, 1, 1),
                "date_to": date(2025, 1, 31),
                "customer_selection": "active",
            }
        )
        with self.assertRaisesRegex(UserError, "No customer to reconcile"):
            wizard.action_generate()

    def test_large_run_goes_to_background_with_progress(self):
        self.patch(run_module, "BATCH_SIZE", 2)
        run = self.env["customer.reconciliation.run"]._start(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customers.ids
        )
        self.assertEqual(run.state, "queued")
        self.assertEqual(run.progress, 0)
        run._process_batch(batch_size=2)
        self.assertEqual(run.state, "running")
        self.assertAlmostEqual(run.progress, 100 * 2 / 6)
        run._process_all()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.created_count, 6)
        self.assertEqual(len(run.session_ids), 6)


@tagged("post_install", "-at_install")
class TestFrequencyAndCron(ReconciliationCommon):
    def test_frequency_periods(self):
        self.assertEqual(
            frequency_period("monthly", date(2026, 2, 28)), (date(2026, 2, 1), date(2026, 2, 28))
        )
        self.assertIsNone(frequency_period("quarterly", date(2026, 2, 28)))
        self.assertEqual(
            frequency_period("quarterly", date(2026, 3, 31)), (date(2026, 1, 1), date(2026, 3, 31))
        )
        self.assertEqual(
            frequency_period("quarterly", date(2026, 12, 31)),
            (date(2026, 10, 1), date(2026, 12, 31)),
        )
        self.assertIsNone(frequency_period("half_yearly", date(2026, 3, 31)))
        self.assertEqual(
            frequency_period("half_yearly", date(2026, 6, 30)),
            (date(2026, 1, 1), date(2026, 6, 30)),
        )
        self.assertEqual(
            frequency_period("yearly", date(2026, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))
        )
        self.assertIsNone(frequency_period("yearly", date(2026, 11, 30)))
        self.assertIsNone(frequency_period("never", date(2026, 12, 31)))
        # A fiscal year ending in March moves the quarters and the year.
        self.assertEqual(
            frequency_period("yearly", date(2027, 3, 31), fiscal_last_month=3),
            (date(2026, 4, 1), date(2027, 3, 31)),
        )
        self.assertEqual(
            frequency_period("quarterly", date(2026, 6, 30), fiscal_last_month=3),
            (date(2026, 4, 1), date(2026, 6, 30)),
        )
        self.assertIsNone(frequency_period("quarterly", date(2026, 5, 31), fiscal_last_month=3))

    def test_cron_generates_due_statements_once(self):
        monthly = self._customer("Monthly", reconciliation_frequency="monthly")
        quarterly = self._customer("Quarterly", reconciliation_frequency="quarterly")
        never = self._customer("Never", reconciliation_frequency="never")
        default = self._customer("Default")  # company default: monthly
        for partner in monthly | quarterly | never | default:
            self._invoice(partner, 100, date(2026, 8, 15))
        self.company.reconciliation_generation_day = 3
        Run = self.env["customer.reconciliation.run"].with_company(self.company)
        # A company that never generated a statement is not one that reconciles: skipped.
        self.Session.search([("company_id", "=", self.company.id)]).sudo()._workflow_write(
            {"state": "cancelled"}
        )
        self.Session.search([("company_id", "=", self.company.id)]).unlink()
        Run.search([("company_id", "=", self.company.id)]).unlink()
        Run._cron_generate_due_statements(today=date(2026, 9, 3))
        self.assertFalse(self.Session.search([("company_id", "=", self.company.id)]))
        self.assertFalse(self.company.reconciliation_last_auto_period_end)
        # Its first statement, made by hand, starts the scheduled ones.
        manual = self._customer("Manual", reconciliation_frequency="never")
        self._invoice(manual, 50, date(2026, 7, 10))
        self.Engine.generate(self.company, date(2026, 7, 1), date(2026, 7, 31), manual.ids)
        # Before the generation day: nothing.
        Run._cron_generate_due_statements(today=date(2026, 9, 2))
        self.assertFalse(self.Session.search([("partner_id", "in", (monthly | quarterly).ids)]))
        Run._cron_generate_due_statements(today=date(2026, 9, 3))
        august = self.Session.search([("date_to", "=", date(2026, 8, 31))])
        self.assertEqual(august.partner_id, monthly | default)
        self.assertEqual(set(august.mapped("date_from")), {date(2026, 8, 1)})
        # Running again creates nothing new.
        Run._cron_generate_due_statements(today=date(2026, 9, 3))
        Run._cron_generate_due_statements(today=date(2026, 9, 20))
        self.assertEqual(
            self.Session.search_count([("partner_id", "in", (monthly | default).ids)]), 2
        )
        # End of the quarter: the quarterly customer gets July-September, monthly ones September.
        Run._cron_generate_due_statements(today=date(2026, 10, 5))
        q3 = self.Session.search([("partner_id", "=", quarterly.id)])
        self.assertEqual((q3.date_from, q3.date_to), (date(2026, 7, 1), date(2026, 9, 30)))
        self.assertAlmostEqual(q3.closing_balance, 100)
        self.assertEqual(self.Session.search_count([("partner_id", "=", monthly.id)]), 2)
        self.assertFalse(self.Session.search([("partner_id", "=", never.id)]))
        self.assertEqual(self.company.reconciliation_last_auto_period_end, date(2026, 9, 30))

    @freeze_time("2026-11-23")
    def test_wizard_defaults_to_last_month(self):
        wizard = self.env["customer.reconciliation.generate.wizard"].create(
            {"customer_selection": "active"}
        )
        self.assertEqual(
            (wizard.date_from, wizard.date_to), (date(2026, 10, 1), date(2026, 10, 31))
        )


@tagged("post_install", "-at_install")
class TestAccess(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Access Customer")
        cls._invoice(cls.customer, 100, date(2026, 10, 5))
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]
        cls.other_company = cls.setup_other_company(name="Elsewhere Ltd")["company"]
        cls.accountant = new_test_user(
            cls.env,
            login="cr_accountant",
            groups="customer_reconciliation.group_reconciliation_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.stranger = new_test_user(
            cls.env,
            login="cr_stranger",
            groups="customer_reconciliation.group_reconciliation_manager",
            company_id=cls.other_company.id,
            company_ids=[cls.other_company.id],
        )
        cls.billing = new_test_user(
            cls.env,
            login="cr_billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )

    def test_accountant_reads_and_generates(self):
        session = self.session.with_user(self.accountant)
        self.assertEqual(session.closing_balance, 100)
        self.assertTrue(session.line_ids)
        result = self.Engine.with_user(self.accountant).generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customer.ids
        )
        self.assertEqual(result["refreshed"], self.session)

    def test_other_company_cannot_read(self):
        with self.assertRaises(AccessError):
            self.session.with_user(self.stranger).check_access("read")
        self.assertFalse(
            self.Session.with_user(self.stranger).search([("id", "=", self.session.id)])
        )
        lines = self.env["customer.reconciliation.line"].with_user(self.stranger)
        self.assertFalse(lines.search([("session_id", "=", self.session.id)]))

    def test_users_without_group_have_no_access(self):
        with self.assertRaises(AccessError):
            self.session.with_user(self.billing).check_access("read")

    def test_lines_are_never_edited_by_hand(self):
        line = self.session.line_ids[:1]
        with self.assertRaisesRegex(UserError, "cannot be edited by hand"):
            line.write({"debit": 1})
        with self.assertRaisesRegex(UserError, "cannot be edited by hand"):
            line.with_user(self.accountant).write({"debit": 1})
        with self.assertRaisesRegex(UserError, "come from the ledger"):
            self.env["customer.reconciliation.line"].create(
                {
                    "session_id": self.session.id,
                    "kind": "misc",
                    "company_id": self.company.id,
                    "currency_id": self.company.currency_id.id,
                }
            )

    def test_only_drafts_can_be_deleted(self):
        self.session._workflow_write({"state": "sent"})
        with self.assertRaisesRegex(UserError, "only draft or cancelled"):
            self.session.unlink()

    @freeze_time("2026-11-23")
    def test_partner_figures_and_move_links(self):
        self.assertEqual(self.customer.reconciliation_session_count, 1)
        invoice = self.session.line_ids.move_id
        self.assertEqual(invoice.reconciliation_session_count, 1)
        found = self.env["account.move"].search(
            [
                ("line_ids.reconciliation_line_ids", "!=", False),
                ("partner_id", "=", self.customer.id),
            ]
        )
        self.assertEqual(found, invoice)
        self.assertAlmostEqual(self.customer.reconciliation_overdue_amount, 100)
        self.assertEqual(self.customer._reconciliation_statement_contact(), self.customer)


@tagged("post_install", "-at_install")
class TestViews(ReconciliationCommon):
    def test_forms_load(self):
        """Every view the addon touches renders for a manager (fields_get included)."""
        for model in (
            "res.partner",
            "account.move",
            "customer.reconciliation.session",
            "customer.reconciliation.dispute",
            "customer.reconciliation.run",
            "customer.reconciliation.generate.wizard",
            "res.config.settings",
        ):
            self.env[model].get_views([(False, "form"), (False, "list"), (False, "search")])
            self.env[model].fields_get()
        self.assertTrue(self.env["res.partner"].fields_get(["reconciliation_lang"]))


@tagged("post_install", "-at_install")
class TestNumbering(ReconciliationCommon):
    def test_each_company_numbers_its_statements_without_the_others_gaps(self):
        other = self.setup_other_company(name="Numbering Branch Ltd")["company"]
        self.env.user.company_ids |= other
        ours, theirs = [], []
        for index in range(3):
            for company, numbers in ((self.company, ours), (other, theirs)):
                partner = self._customer(f"Numbered {company.id}-{index}")
                invoice = (
                    self.env["account.move"]
                    .with_company(company)
                    .create(
                        {
                            "move_type": "out_invoice",
                            "partner_id": partner.id,
                            "invoice_date": date(2026, 6, 5),
                            "invoice_line_ids": [
                                Command.create({"name": "Goods", "quantity": 1, "price_unit": 10})
                            ],
                        }
                    )
                )
                invoice.action_post()
                session = self.Engine.with_company(company).generate(
                    company, date(2026, 6, 1), date(2026, 6, 30), partner.ids
                )["created"]
                numbers.append(int(session.name.rsplit("/", 1)[1]))
        # Each company's numbers follow one another, whatever the other drew in between.
        self.assertEqual(ours, list(range(ours[0], ours[0] + 3)))
        self.assertEqual(theirs, list(range(theirs[0], theirs[0] + 3)))
        sequences = (
            self.env["ir.sequence"]
            .sudo()
            .search([("code", "=", "customer.reconciliation.session")])
        )
        self.assertLessEqual({self.company, other}, set(sequences.company_id))
