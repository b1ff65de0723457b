"""Anomaly alerts: each rule fires on a customer built for it and stays silent on a clean one;
re-runs neither duplicate an alert nor its activity; a cleared condition resolves its alert;
only reconciliation users move an alert, through its buttons."""

import base64
from datetime import date

import psycopg2
from freezegun import freeze_time
from settlement_common import PERIOD, SettlementCommon

from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

TODAY = date(2026, 12, 15)


@tagged("post_install", "-at_install")
class TestInsightAlerts(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Alert = cls.env["customer.reconciliation.alert"]
        cls.company.reconciliation_approver_id = cls.manager
        sales = {"user_id": cls.salesperson.id}
        c = cls._customer

        # Credit balance: negative a first time in August (back to positive on the 20th), then
        # from October 1st on without interruption: 75 days on December 15th.
        cls.credit = c("Credit Customer", **sales)
        first = cls._invoice(cls.credit, 100, date(2026, 8, 1))
        cls._advance(cls.credit, 150, date(2026, 8, 10))
        cls._invoice(cls.credit, 100, date(2026, 8, 20))
        cls._advance(cls.credit, 300, date(2026, 10, 1))
        cls._invoice(cls.credit, 50, date(2026, 11, 1))
        cls.credit_first_invoice = first
        # Negative for 14 days only.
        cls.credit_recent = c("Recent Credit Customer")
        cls._advance(cls.credit_recent, 300, date(2026, 12, 1))

        # Month-end swing: irregular small monthly increases, then a jump in November; the
        # clean customer has the same history and an ordinary November.
        history = [(5, 100), (6, 120), (7, 90), (8, 110), (9, 100), (10, 95)]
        cls.swing = c("Swing Customer")
        cls.swing_clean = c("Steady Customer")
        for month, amount in history:
            cls._invoice(cls.swing, amount, date(2026, month, 5))
            cls._invoice(cls.swing_clean, amount, date(2026, month, 5))
        cls._invoice(cls.swing, 5000, date(2026, 11, 5))
        cls._invoice(cls.swing_clean, 105, date(2026, 11, 5))

        # No confirmed statement: a balance since March; the clean one confirmed October.
        cls.unconfirmed = c("Unconfirmed Customer")
        cls._invoice(cls.unconfirmed, 700, date(2026, 3, 1))
        cls.confirmed = c("Confirmed Customer")
        cls._invoice(cls.confirmed, 700, date(2026, 3, 1))
        cls.confirmed_session = cls._confirmed_statement(cls.confirmed)
        # Confirmed October, then a journal item dated inside October: the ledger differs.
        cls.changed = c("Changed Ledger Customer")
        cls._invoice(cls.changed, 400, date(2026, 10, 3))
        cls.changed_session = cls._confirmed_statement(cls.changed)
        cls._invoice(cls.changed, 60, date(2026, 10, 20))
        (cls.confirmed_session | cls.changed_session).action_check_ledger()

        # DSO: June-August paid within the month (DSO 0 at August's end), September-November
        # never paid (about 91 days). The clean one always pays the next month (about 30 days).
        cls.dso = c("Slowing Customer")
        cls.dso_clean = c("Regular Customer")
        previous = None
        for month in range(6, 12):
            invoice = cls._invoice(cls.dso, 1000, date(2026, month, 1))
            if month <= 8:
                cls._pay(invoice, pay_date=date(2026, month, 20))
            regular = cls._invoice(cls.dso_clean, 1000, date(2026, month, 1))
            if previous:
                cls._pay(previous, pay_date=date(2026, month, 10))
            previous = regular

        # Overdue above the limit (due October 31st); the clean ones: a higher limit, and an
        # invoice not yet due.
        cls.over_limit = c("Over Limit Customer")
        cls.under_limit = c("Under Limit Customer")
        cls.not_due = c("Not Due Customer")
        for partner, limit, day in (
            (cls.over_limit, 500, date(2026, 10, 1)),
            (cls.under_limit, 5000, date(2026, 10, 1)),
            (cls.not_due, 500, date(2026, 12, 10)),
        ):
            partner.with_company(cls.company).credit_limit = limit
            cls._invoice(partner, 1000, day)

        # Unapplied: a payment of October 15th (61 days) and a credit note of November 1st
        # (44 days) left open. The clean one: its payment applied, a new one of December 1st.
        cls.unapplied = c("Unapplied Customer")
        cls._invoice(cls.unapplied, 1000, date(2026, 10, 1))
        cls._advance(cls.unapplied, 400, date(2026, 10, 15))
        cls._invoice(cls.unapplied, 100, date(2026, 11, 1), move_type="out_refund")
        cls.applied = c("Applied Customer")
        paid = cls._invoice(cls.applied, 1000, date(2026, 10, 1))
        cls._pay(paid, pay_date=date(2026, 10, 15))
        cls._invoice(cls.applied, 2000, date(2026, 11, 20))
        cls._advance(cls.applied, 300, date(2026, 12, 1))

        cls.env["customer.reconciliation.insight"]._refresh(cls.company, today=TODAY)
        cls.created = cls._check()

    # ------------------------------------------------------------------ helpers
    @classmethod
    def _check(cls):
        return cls.Alert._check_rules(cls.company, today=TODAY)

    @classmethod
    def _confirmed_statement(cls, partner):
        session = cls.Engine.generate(cls.company, *PERIOD, partner.ids)["created"]
        session.user_id = cls.accountant
        session.with_user(cls.accountant).action_submit()
        session.with_user(cls.manager).action_approve()
        session.with_user(cls.accountant).action_mark_sent()
        evidence = cls.env["ir.attachment"].create(
            {"name": "signed.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed")}
        )
        session._record_confirmation("Ms. Li", channel="internal", attachments=evidence)
        return session

    def _alerts(self, rule, partner=None, states=("new", "seen")):
        domain = [
            ("rule", "=", rule),
            ("state", "in", states),
            ("company_id", "=", self.company.id),
        ]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        return self.Alert.search(domain)

    def _only(self, rule, partner):
        """The one open alert of ``rule``: the one of ``partner``."""
        alerts = self._alerts(rule)
        self.assertEqual(alerts.partner_id, partner, rule)
        self.assertEqual(len(alerts), 1, rule)
        return alerts

    # ------------------------------------------------------------------ each rule
    def test_credit_balance(self):
        alert = self._only("credit_balance", self.credit)
        self.assertAlmostEqual(alert.amount, -200.0)
        self.assertEqual(alert.value, 75.0)  # since October 1st, not the dip of August
        self.assertEqual(alert.threshold, 30.0)
        self.assertFalse(self._alerts("credit_balance", self.credit_recent))
        self.assertIn("75", alert.description)

    def test_balance_swing(self):
        alert = self._only("balance_swing", self.swing)
        self.assertAlmostEqual(alert.amount, 5000.0)
        self.assertEqual(alert.swing_basis, "deviation")
        self.assertGreater(alert.value, 3.0)
        self.assertEqual(alert.threshold, 3.0)
        self.assertFalse(self._alerts("balance_swing", self.swing_clean))

    def test_balance_swing_by_percent(self):
        # 105 on a previous balance of 615: 17%, within 3 standard deviations but above 10%.
        self.company.reconciliation_alert_swing_percent = 10.0
        self._check()
        alert = self._alerts("balance_swing", self.swing_clean)
        self.assertEqual(alert.swing_basis, "percent")
        self.assertAlmostEqual(alert.value, 105 / 615 * 100, places=3)
        self.assertEqual(alert.threshold, 10.0)

    def test_unconfirmed(self):
        alert = self._alerts("unconfirmed", self.unconfirmed)
        self.assertEqual(len(alert), 1)
        self.assertAlmostEqual(alert.amount, 700.0)
        self.assertEqual(alert.value, 9.0)  # March 1st to December 15th
        self.assertEqual(alert.threshold, 6.0)
        for partner in (self.confirmed, self.changed, self.credit_recent, self.applied):
            self.assertFalse(self._alerts("unconfirmed", partner), partner.name)

    def test_ledger_changed(self):
        self.assertEqual(self.changed_session.ledger_check_state, "differs")
        self.assertEqual(self.confirmed_session.ledger_check_state, "ok")
        alert = self._only("ledger_changed", self.changed)
        self.assertEqual(alert.session_id, self.changed_session)
        self.assertAlmostEqual(alert.amount, 400.0)
        # The responsible of the customer's latest statement.
        self.assertEqual(alert.user_id, self.accountant)
        self.assertIn(self.changed_session.name, alert.description)

    def test_dso_worsening(self):
        alert = self._alerts("dso_worsening", self.dso)
        self.assertEqual(len(alert), 1)
        insight = self.env["customer.reconciliation.insight"].search(
            [("partner_id", "=", self.dso.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(insight.dso_3_previous, 0.0)
        self.assertAlmostEqual(alert.value, insight.dso_3 - insight.dso_3_previous, places=1)
        self.assertGreater(alert.value, 60.0)
        self.assertAlmostEqual(alert.amount, 3000.0)
        self.assertFalse(self._alerts("dso_worsening", self.dso_clean))

    def test_overdue_over_limit(self):
        alert = self._only("overdue_over_limit", self.over_limit)
        self.assertAlmostEqual(alert.amount, 1000.0)
        self.assertEqual(alert.threshold, 500.0)
        self.assertAlmostEqual(alert.value, 200.0)

    def test_old_unapplied(self):
        alert = self._alerts("old_unapplied", self.unapplied)
        self.assertEqual(len(alert), 1)
        self.assertAlmostEqual(alert.amount, 500.0)
        self.assertEqual(alert.value, 61.0)
        self.assertFalse(self._alerts("old_unapplied", self.applied))
        # The credit customer's October advance is also unapplied; the recent one is not.
        self.assertTrue(self._alerts("old_unapplied", self.credit))
        self.assertFalse(self._alerts("old_unapplied", self.credit_recent))

    # ------------------------------------------------------------------ re-runs
    def test_new_alerts_get_one_activity_for_the_responsible(self):
        alert = self._alerts("credit_balance", self.credit)
        self.assertIn(alert, self.created)
        self.assertEqual(alert.state, "new")
        self.assertEqual(alert.date_detected, TODAY)
        self.assertEqual(alert.salesperson_id, self.salesperson)
        # No statement: the company's approver before the salesperson.
        self.assertEqual(alert.user_id, self.manager)
        self.assertEqual(len(alert.activity_ids), 1)
        self.assertEqual(alert.activity_ids.user_id, self.manager)
        for created in self.created:
            self.assertEqual(len(created.activity_ids), 1, created.description)

    def test_activities_are_whole_and_mail_nobody(self):
        """The set-based activities hold what Odoo's create would store: the document, its
        name, the type, the summary and note in the responsible's language, his time zone; he
        follows the alert with the default subtypes; no email is queued per activity."""
        self.manager.tz = "Asia/Shanghai"
        self.manager.lang = "en_US"
        self.Alert.sudo().search([]).activity_ids.unlink()
        self.Alert.sudo().search([]).write({"state": "resolved"})
        mails = self.env["mail.mail"].search_count([])
        created = self._check()
        self.assertTrue(created)
        self.assertEqual(self.env["mail.mail"].search_count([]), mails)
        alert = created.filtered(lambda a: a.rule == "credit_balance")[:1]
        activity = alert.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.res_model, alert._name)
        self.assertEqual(activity.res_name, alert.display_name)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(activity.summary, "Credit balance")
        self.assertIn(alert.description, activity.note)
        self.assertEqual(activity.user_tz, "Asia/Shanghai")
        self.assertEqual(activity.date_deadline, TODAY)
        self.assertIn(
            activity,
            self.manager.with_user(self.manager)
            .env["mail.activity"]
            .search([("user_id", "=", self.manager.id)]),
        )
        follower = alert.message_follower_ids.filtered(
            lambda f: f.partner_id == self.manager.partner_id
        )
        self.assertEqual(
            follower.subtype_ids,
            self.env["mail.message.subtype"].default_subtypes(alert._name)[0],
        )
        # done like any activity
        activity.with_user(self.manager).action_feedback(feedback="Checked")
        self.assertFalse(alert.activity_ids)

    def test_rerun_creates_no_duplicate_and_no_second_activity(self):
        before = self.Alert.search([])
        activities = before.activity_ids
        self.assertFalse(self._check())
        self.assertEqual(self.Alert.search([]), before)
        self.assertEqual(before.activity_ids, activities)
        self.created[:2].action_mark_seen()
        self.assertFalse(self._check())  # a seen alert is still open
        self.assertEqual(self.Alert.search([]), before)

    def test_open_alert_is_unique_in_the_database(self):
        alert = self._alerts("credit_balance", self.credit)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self._sql(
                "INSERT INTO customer_reconciliation_alert (rule, company_id, partner_id,"
                " currency_id, date_detected, state) SELECT rule, company_id, partner_id,"
                " currency_id, date_detected, 'seen' FROM customer_reconciliation_alert"
                " WHERE id = %s",
                alert.id,
            )

    def test_rerun_updates_figures_and_resolves_cleared_conditions(self):
        credit = self._alerts("credit_balance", self.credit)
        activity = credit.activity_ids
        unapplied = self._alerts("old_unapplied", self.unapplied)
        # The credit customer owes again; the unapplied customer's credit note grows.
        self._invoice(self.credit, 500, date(2026, 12, 10))
        self._invoice(self.unapplied, 50, date(2026, 11, 2), move_type="out_refund")
        self.assertFalse(self._check())
        self.assertEqual(credit.state, "resolved")
        self.assertTrue(credit.auto_resolved)
        self.assertFalse(credit.resolved_by_id)
        self.assertFalse(credit.activity_ids)
        self.assertFalse(activity.active)  # done: archived with its feedback
        self.assertIn("resolved automatically", activity.feedback)
        self.assertEqual(activity.date_done, TODAY)
        self.assertEqual(unapplied.state, "new")
        self.assertAlmostEqual(unapplied.amount, 550.0)
        self.assertEqual(unapplied.date_last_seen, TODAY)
        # Owing again later: a new alert, the resolved one stays as it was.
        self._advance(self.credit, 1000, date(2026, 11, 1))
        [new] = self._check()
        self.assertEqual((new.rule, new.partner_id), ("credit_balance", self.credit))
        self.assertNotEqual(new, credit)
        self.assertEqual(credit.state, "resolved")

    def test_query_count_does_not_depend_on_the_customers(self):
        self._check()
        flat = self._query_count(self._check)
        for index in range(5):
            partner = self._customer(f"More Over Limit {index}")
            partner.with_company(self.company).credit_limit = 100
            self._invoice(partner, 1000, date(2026, 9, 1))
            self._advance(partner, 10, date(2026, 9, 2))
        self.env["customer.reconciliation.insight"]._refresh(self.company, today=TODAY)
        self.assertEqual(len(self._check()), 10)  # over the limit, unapplied: 2 each
        self.assertEqual(self._query_count(self._check), flat)

    @freeze_time("2026-12-15")
    def test_scheduled_refresh_checks_the_alerts(self):
        partner = self._customer("Cron Over Limit")
        partner.with_company(self.company).credit_limit = 100
        self._invoice(partner, 1000, date(2026, 9, 1))
        self.env["customer.reconciliation.insight"]._cron_refresh()
        alert = self._alerts("overdue_over_limit", partner)
        self.assertEqual(len(alert), 1)
        self.assertEqual(alert.date_detected, TODAY)

    def test_responsible_falls_back_to_the_salesperson(self):
        self.company.reconciliation_approver_id = False
        self._invoice(self.credit_recent, 1000, date(2026, 12, 2))
        self.credit_recent.user_id = self.salesperson
        self._advance(self.credit_recent, 10, date(2026, 10, 1))  # unapplied for 75 days
        [alert] = self._check()
        self.assertEqual(alert.rule, "old_unapplied")
        self.assertEqual(alert.user_id, self.salesperson)

    # ------------------------------------------------------------------ who moves an alert
    def test_accountant_marks_seen_and_resolves(self):
        alert = self._alerts("unconfirmed", self.unconfirmed).with_user(self.accountant)
        alert.action_mark_seen()
        self.assertEqual(alert.state, "seen")
        alert.action_resolve()
        self.assertEqual(alert.state, "resolved")
        self.assertEqual(alert.resolved_by_id, self.accountant)
        self.assertFalse(alert.auto_resolved)
        self.assertFalse(alert.activity_ids)
        bodies = "".join(alert.sudo().message_ids.mapped("body"))
        self.assertIn(f"Alert resolved by {self.accountant.name}.", bodies)

    def test_auditor_and_salesperson_cannot_move_an_alert(self):
        alert = self._alerts("credit_balance", self.credit)
        for user in (self.auditor, self.salesperson):
            mine = alert.with_user(user)
            mine.check_access("read")
            for action in (mine.action_mark_seen, mine.action_resolve):
                with self.assertRaises(AccessError):
                    action()
        self.assertEqual(alert.state, "new")

    def test_salesperson_reads_only_his_customers_alerts(self):
        mine = self.Alert.with_user(self.salesperson).search([])
        self.assertTrue(mine)
        self.assertEqual(mine.partner_id, self.credit)
        other = self._alerts("unconfirmed", self.unconfirmed).with_user(self.salesperson)
        with self.assertRaises(AccessError):
            other.check_access("read")
        self.assertEqual(len(self.Alert.with_user(self.auditor).search([])), len(self.created))

    def test_customer_form_badge_counts_open_alerts(self):
        credit = self.credit.with_company(self.company)
        expected = len(
            self.Alert.search([("partner_id", "=", credit.id), ("state", "!=", "resolved")])
        )
        self.assertTrue(expected)
        self.assertEqual(credit.reconciliation_alert_count, expected)
        self.assertEqual(credit.with_user(self.salesperson).reconciliation_alert_count, expected)
        action = credit.action_open_reconciliation_alerts()
        self.assertEqual(
            len(self.Alert.search(action["domain"] + [("state", "!=", "resolved")])), expected
        )
        self._alerts("credit_balance", self.credit).with_user(self.accountant).action_resolve()
        credit.invalidate_recordset(["reconciliation_alert_count"])
        self.assertEqual(credit.reconciliation_alert_count, expected - 1)

    def test_state_is_not_written_through_the_orm(self):
        alert = self._alerts("credit_balance", self.credit)
        for user in (self.accountant, self.manager):
            for context in ({}, {"tracking_disable": True, "install_mode": True}):
                with self.assertRaises(AccessError):
                    alert.with_user(user).with_context(**context).write({"state": "resolved"})
        with self.assertRaises(AccessError):
            self.Alert.with_user(self.manager).create(
                {
                    "rule": "credit_balance",
                    "company_id": self.company.id,
                    "partner_id": self.credit.id,
                    "currency_id": self.company.currency_id.id,
                    "date_detected": TODAY,
                }
            )
        self.assertEqual(alert.state, "new")

    # ------------------------------------------------------------------ settings
    def test_thresholds_are_company_settings(self):
        other = self.setup_other_company(name="Alerts Branch")["company"]
        self.assertEqual(
            (
                other.reconciliation_alert_credit_days,
                other.reconciliation_alert_swing_deviations,
                other.reconciliation_alert_swing_percent,
                other.reconciliation_alert_unconfirmed_months,
                other.reconciliation_alert_dso_days,
                other.reconciliation_alert_unapplied_days,
            ),
            (30, 3.0, 0.0, 6, 15.0, 30),
        )
        wizard = (
            self.env["customer.reconciliation.config.wizard"]
            .with_user(self.manager)
            .create({"reconciliation_alert_credit_days": 90})
        )
        self.assertEqual(self.company.reconciliation_alert_credit_days, 90)
        wizard.reconciliation_alert_unapplied_days = 70
        self.assertEqual(self.company.reconciliation_alert_unapplied_days, 70)
        self.assertEqual(other.reconciliation_alert_credit_days, 30)
        # 75 days of credit balance no longer alert; 61 days unapplied neither.
        self._check()
        self.assertFalse(self._alerts("credit_balance", self.credit))
        self.assertFalse(self._alerts("old_unapplied", self.unapplied))
        self.assertEqual(
            self.env["res.config.settings"].create({}).reconciliation_alert_credit_days, 90
        )
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.company.reconciliation_alert_dso_days = 0
            self.env.flush_all()
        with self.assertRaises(AccessError):
            self.env["customer.reconciliation.config.wizard"].with_user(self.accountant).create(
                {"reconciliation_alert_credit_days": 1}
            )

    def test_views_load(self):
        for user in (self.manager, self.auditor, self.salesperson):
            Alert = self.Alert.with_user(user)
            Alert.get_views([(False, "form"), (False, "list"), (False, "search")])
            rows = Alert.formatted_read_group([], ["rule"], ["__count"])
            self.assertTrue(rows, user.login)
        self.env["res.config.settings"].get_views([(False, "form")])
        self.env["customer.reconciliation.config.wizard"].get_views([(False, "form")])
