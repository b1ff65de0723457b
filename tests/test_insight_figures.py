"""Receivables insight: the formulas on hand-computed cases, the month-end snapshots exact
against the ledger and the statement engine on random books, the customer figures and the
credit suggestion a manager accepts."""

from datetime import date, timedelta

from common import ReconciliationCommon
from integrity_common import IntegrityCommon
from workers_common import FakeCommits, recorded_notifications

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.tools import receivables
from odoo.addons.customer_reconciliation.tools.receivables import (
    count_back_dso,
    credit_suggestion,
    month_ends_back,
    month_sales,
    payment_score,
    swing_exceeds,
)


def _pair(suggestion):
    return suggestion.action, suggestion.limit


class TestFormulas:
    """Pure Python: no database."""

    def test_count_back_hand_computed(self):
        # balance 150: October's 100 in full (31 days), half of September's (15 of 30 days)
        assert count_back_dso(150, [(100, 31), (100, 30)]) == 46.0
        assert count_back_dso(100, [(100, 31), (100, 30)]) == 31.0
        assert count_back_dso(40, [(100, 31)]) == 31 * 0.4
        # a month without sales counts whole
        assert count_back_dso(50, [(0, 30), (100, 31)]) == 30 + 15.5
        # beyond the window: the excess at the window's average daily sales (200 / 61 days)
        assert count_back_dso(300, [(100, 31), (100, 30)]) == 61 + 100 * 61 / 200
        # nothing owed; owed without any sale at all; a window without sales: the count-back
        # goes on through the history
        assert count_back_dso(0, [(100, 31)]) == 0.0
        assert count_back_dso(-20, [(100, 31)]) == 0.0
        assert count_back_dso(10, [(0, 31), (0, 30)]) is None
        assert count_back_dso(100, [(0, 31)], [(0, 31), (300, 30)]) == 31 + 30 * 100 / 300
        assert count_back_dso(400, [(0, 31)], [(0, 31), (300, 30)]) == 61 + 100 * 61 / 300

    def test_month_sales_newest_first(self):
        sales = {date(2026, 3, 1): 50.0, date(2026, 1, 1): 10.0}
        assert month_sales(sales, date(2026, 3, 31), 4) == [
            (50.0, 31),
            (0.0, 28),
            (10.0, 31),
            (0.0, 31),
        ]
        assert month_ends_back(date(2026, 3, 31), 3) == [
            date(2026, 1, 31),
            date(2026, 2, 28),
            date(2026, 3, 31),
        ]

    def test_trend(self):
        assert receivables.trend(50, 40) == "worsening"
        assert receivables.trend(40, 50) == "improving"
        assert receivables.trend(41, 40) == "stable"
        assert receivables.trend(None, 40) is None

    def test_score_components(self):
        perfect = payment_score(1.0, 0.0, 1000, 0, "improving")
        assert perfect.total == 100.0
        worst = payment_score(0.0, 90.0, 1000, 1000, "worsening")
        assert worst.total == 0.0
        # no history: neutral on-time and lateness, overdue share 50 %, stable trend
        score = payment_score(None, None, 1000, 500, "stable")
        assert (score.on_time, score.lateness, score.overdue, score.trend) == (50, 50, 50, 70)
        assert score.total == round((50 * 40 + 50 * 25 + 50 * 20 + 70 * 15) / 100, 1)
        # 30 days late is half the lateness points
        assert payment_score(0.5, 30.0, 0, 0, None).lateness == 50.0

    def test_credit_suggestion(self):
        # good payer using 90 % of a 10,000 limit: raise by a quarter
        assert _pair(credit_suggestion(90, 10000, 9000, 0, 9500)) == ("raise", 12000.0)
        # good payer far from the limit: keep
        assert _pair(credit_suggestion(90, 10000, 2000, 0, 5000)) == ("keep", 10000)
        # good payer without a limit: the 12 months' peak balance plus a quarter
        assert _pair(credit_suggestion(85, 0, 3000, 0, 4000)) == ("raise", 5000.0)
        # late payer: lowered by a quarter, never below what he owes
        assert _pair(credit_suggestion(45, 20000, 8000, 1000, 9000)) == ("lower", 15000.0)
        assert _pair(credit_suggestion(45, 20000, 18000, 1000, 19000)) == ("lower", 18000.0)
        # overdue above the limit, or a very poor payer: hold at the balance
        assert _pair(credit_suggestion(70, 5000, 7000, 6000, 7000)) == ("hold", 5000.0)
        assert _pair(credit_suggestion(20, 10000, 4000, 3000, 4000)) == ("hold", 4000.0)

    def test_swing(self):
        history = [100.0, -50.0, 80.0, -20.0, 60.0]
        swing = swing_exceeds(history, 2000.0, 3.0)
        assert swing.fired and swing.basis == "deviation" and swing.mean == 34.0
        assert swing.value == (2000.0 - 34.0) / swing.std
        assert not swing_exceeds(history, 90.0, 3.0).fired
        assert not swing_exceeds([10.0, 20.0], 5000.0, 3.0).fired  # too little history
        swing = swing_exceeds([10.0, 20.0], 600.0, 3.0, percent=50, previous_balance=1000)
        assert swing.fired and swing.basis == "percent" and swing.value == 60.0


@tagged("post_install", "-at_install")
class TestSnapshotsAgainstTheLedger(ReconciliationCommon):
    """Random books: every month-end snapshot equals the journal items at that date, and the
    statement the engine makes of that month."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls._random_ledger(seed=23, customers=9)
        cls.Snapshot = cls.env["customer.reconciliation.snapshot"]
        # today in January 2027: the month ends of February to December 2026
        cls.Snapshot._backfill(cls.company, months=11, today=date(2027, 1, 20))

    def test_every_snapshot_equals_the_ledger(self):
        snapshots = self.Snapshot.search([("company_id", "=", self.company.id)])
        self.assertTrue(snapshots)
        cur = self.company.currency_id
        checked = 0
        for partner in self.partners:
            for day in month_ends_back(date(2026, 12, 31), 11):
                balance = self._ledger_sum(partner, self.company, day)
                month_items = self._ledger_sum(partner, self.company, day, None) - self._ledger_sum(
                    partner, self.company, day, day.replace(day=1)
                )
                snapshot = snapshots.filtered(
                    lambda s, p=partner, d=day: (s.partner_id, s.date) == (p, d)
                )
                if not snapshot:
                    # no snapshot: nothing owed and no item in the month
                    self.assertTrue(cur.is_zero(balance), f"{partner.name} {day}")
                    continue
                checked += 1
                self.assertTrue(cur.is_zero(snapshot.balance - balance), f"{partner.name} {day}")
                aging = sum(snapshot[name] for name in receivables_aging_fields())
                self.assertTrue(cur.is_zero(aging - snapshot.balance))
                self.assertTrue(
                    cur.is_zero(snapshot.overdue_amount - (aging - snapshot.aging_not_due))
                )
                self.assertTrue(
                    cur.is_zero(snapshot.sales - snapshot.received - month_items)
                    or self._has_other_items(partner, day),
                    f"{partner.name} {day}: month's movement",
                )
        self.assertGreater(checked, 30)

    def _has_other_items(self, partner, day):
        """Items of the month that are neither sales documents nor receipts (write-offs,
        exchange differences) are in the balance but in neither column."""
        lines = self.env["account.move.line"].search(
            [
                ("partner_id", "child_of", partner.id),
                ("parent_state", "=", "posted"),
                ("account_id.account_type", "=", "asset_receivable"),
                ("date", ">=", day.replace(day=1)),
                ("date", "<=", day),
            ]
        )
        return any(
            line.move_id.move_type == "entry" and not line.move_id.origin_payment_id
            for line in lines
        )

    def test_snapshots_equal_the_engine_statements(self):
        """A company-currency statement of the month has the snapshot's closing, aging and
        overdue (same engine, same rules)."""
        day = date(2026, 6, 30)
        result = self.Engine.generate(self.company, date(2026, 6, 1), day, self.partners.ids)
        statements = result["created"].filtered(lambda s: s.currency_id == self.company.currency_id)
        self.assertGreater(len(statements), 3)
        for statement in statements:
            snapshot = self.Snapshot.search(
                [("partner_id", "=", statement.partner_id.id), ("date", "=", day)]
            )
            self.assertEqual(len(snapshot), 1, statement.partner_id.name)
            for name in ("overdue_amount", *receivables_aging_fields()):
                self.assertAlmostEqual(snapshot[name], statement[name], places=2, msg=name)
            self.assertAlmostEqual(snapshot.balance, statement.closing_balance, places=2)
            self.assertEqual(snapshot.open_item_count, statement.open_item_count)

    def test_aging_trend_rows_add_up_to_the_snapshots(self):
        """The stacked chart's rows: one per non-zero bucket, adding up to the balance."""
        Trend = self.env["customer.reconciliation.aging.trend"]
        groups = Trend._read_group(
            [("company_id", "=", self.company.id)], ["snapshot_id"], ["amount:sum", "__count"]
        )
        snapshots = self.Snapshot.search([("company_id", "=", self.company.id)])
        by_snapshot = {snapshot: (total, count) for snapshot, total, count in groups}
        for snapshot in snapshots:
            total, count = by_snapshot.get(snapshot, (0.0, 0))
            self.assertAlmostEqual(total, snapshot.balance, places=2)
            buckets = [name for name in receivables_aging_fields() if snapshot[name]]
            self.assertEqual(count, len(buckets))

    def test_last_month_end_equals_odoo_residuals(self):
        """After the last item, the open amounts at the month end are Odoo's residuals."""
        day = date(2026, 12, 31)
        for partner in self.partners:
            lines = self.env["account.move.line"].search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("parent_state", "=", "posted"),
                    ("account_id.account_type", "=", "asset_receivable"),
                ]
            )
            overdue = sum(
                line.amount_residual
                for line in lines
                if line.amount_residual > 0 and (line.date_maturity or line.date) < day
            )
            snapshot = self.Snapshot.search([("partner_id", "=", partner.id), ("date", "=", day)])
            self.assertAlmostEqual(snapshot.overdue_amount if snapshot else 0.0, overdue, places=2)

    def test_refresh_again_changes_nothing_and_queries_do_not_grow(self):
        before = self.Snapshot.search_read([], ["partner_id", "date", "balance", "overdue_amount"])
        self.Snapshot._compute_month_ends(self.company, [date(2026, 6, 30)])  # warm caches
        count = self._query_count(
            lambda: self.Snapshot._compute_month_ends(self.company, [date(2026, 6, 30)])
        )
        after = self.Snapshot.search_read([], ["partner_id", "date", "balance", "overdue_amount"])
        self.assertEqual(before, after)
        more = self._random_ledger(seed=29, customers=6)
        self.assertTrue(more)
        count_more = self._query_count(
            lambda: self.Snapshot._compute_month_ends(self.company, [date(2026, 6, 30)])
        )
        self.assertEqual(count, count_more)


def receivables_aging_fields():
    from odoo.addons.customer_reconciliation.tools import aging

    return aging.FIELDS


@tagged("post_install", "-at_install")
class TestCustomerFigures(ReconciliationCommon):
    """A hand-computed customer: DSO, days to pay, days late, on-time ratio, Odoo's DSO."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Insight = cls.env["customer.reconciliation.insight"]
        cls.customer = cls._customer("Hand Computed Ltd")
        # January: 100 due Feb 4, paid Jan 25 (20 days, on time)
        jan = cls._invoice(cls.customer, 100, date(2026, 1, 5), due_days=30)
        cls._pay(jan, pay_date=date(2026, 1, 25))
        # February: 300 due Mar 12, paid Mar 20 (38 days, 8 late)
        feb = cls._invoice(cls.customer, 300, date(2026, 2, 10), due_days=30)
        cls._pay(feb, pay_date=date(2026, 3, 20))
        # March 200 and April 100, unpaid: 300 owed at April 30
        cls._invoice(cls.customer, 200, date(2026, 3, 15), due_days=30)
        cls._invoice(cls.customer, 100, date(2026, 4, 5), due_days=30)
        cls.Insight._refresh(cls.company, today=date(2026, 5, 10))
        cls.insight = cls.Insight.search([("partner_id", "=", cls.customer.id)])

    def test_dso_count_back(self):
        insight = self.insight
        self.assertEqual(insight.date, date(2026, 4, 30))
        # April's 100 (30 days), then March's 200 exhausts the 300: 30 + 31
        self.assertAlmostEqual(insight.dso_3, 61.0)
        self.assertAlmostEqual(insight.dso_6, 61.0)
        self.assertAlmostEqual(insight.dso_12, 61.0)
        self.assertAlmostEqual(insight.dso_3_previous, 0.0)  # nothing owed on January 31
        self.assertEqual(insight.dso_trend, "worsening")

    def test_payment_behaviour(self):
        insight = self.insight
        self.assertAlmostEqual(insight.paid_amount, 400.0)
        self.assertAlmostEqual(insight.days_to_pay, (300 * 38 + 100 * 20) / 400)
        self.assertAlmostEqual(insight.days_late, 300 * 8 / 400)
        self.assertAlmostEqual(insight.on_time_ratio, 0.25)
        self.assertFalse(insight.days_late_previous)
        self.assertAlmostEqual(insight.balance, 300.0)
        # at May 10: March's 200 (due April 14) and April's 100 (due May 5) are past due
        self.assertAlmostEqual(insight.overdue_amount, 300.0)

    def test_odoo_dso_beside_ours(self):
        # 300 owed / 700 invoiced x 125 days since January 5
        self.assertAlmostEqual(self.insight.dso_odoo, 300 / 700 * 125)
        today = date.today()
        self.Insight._refresh(self.company, today=today)
        insight = self.Insight.search([("partner_id", "=", self.customer.id)])
        self.assertAlmostEqual(
            insight.dso_odoo, self.customer.with_company(self.company).days_sales_outstanding
        )

    def test_score_and_suggestion_shown(self):
        insight = self.insight
        expected = payment_score(0.25, 6.0, 300.0, 300.0, "worsening")
        self.assertAlmostEqual(insight.score, expected.total)
        self.assertAlmostEqual(insight.score_on_time, expected.on_time)
        self.assertAlmostEqual(insight.score_lateness, expected.lateness)
        self.assertAlmostEqual(insight.score_overdue, expected.overdue)
        self.assertAlmostEqual(insight.score_trend, expected.trend)
        # score 32.5 (on time 25, lateness 90, overdue 0, trend 0): below 50, lowered to
        # the peak balance x 0.75, never below the 300 owed
        self.assertAlmostEqual(insight.score, 32.5)
        self.assertEqual(insight.credit_action, "lower")
        self.assertAlmostEqual(insight.suggested_credit_limit, 300.0)
        self.assertTrue(insight.balance_trend)


@tagged("post_install", "-at_install")
class TestCreditSuggestion(IntegrityCommon):
    """Built payment histories give the suggestion; a manager accepts it, nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Insight = cls.env["customer.reconciliation.insight"]
        cls.good = cls._customer("Always On Time")
        cls.good.with_company(cls.company).credit_limit = 1000.0
        for month in range(1, 7):
            invoice = cls._invoice(cls.good, 300, date(2026, month, 2), due_days=30)
            cls._pay(invoice, pay_date=date(2026, month, 20))
        cls._invoice(cls.good, 900, date(2026, 7, 10), due_days=30)  # 90 % of the limit
        cls.late = cls._customer("Always Late")
        cls.late.with_company(cls.company).credit_limit = 20000.0
        for month in range(1, 6):
            invoice = cls._invoice(cls.late, 1000, date(2026, month, 2), due_days=15)
            cls._pay(invoice, pay_date=date(2026, month + 2, 25))
        cls._invoice(cls.late, 1000, date(2026, 6, 2), due_days=15)
        cls.Insight._refresh(cls.company, today=date(2026, 8, 5))

    def _insight(self, partner):
        return self.Insight.search([("partner_id", "=", partner.id)])

    def test_suggestions(self):
        good, late = self._insight(self.good), self._insight(self.late)
        self.assertAlmostEqual(good.on_time_ratio, 1.0)
        self.assertAlmostEqual(good.days_late, 0.0)
        self.assertEqual(good.credit_action, "raise", good.score)
        self.assertAlmostEqual(good.suggested_credit_limit, 1200.0)
        self.assertAlmostEqual(good.credit_usage, 0.9)
        self.assertAlmostEqual(late.on_time_ratio, 0.0)
        self.assertGreater(late.days_late, 30)
        self.assertIn(late.credit_action, ("lower", "hold"))
        self.assertLess(late.suggested_credit_limit, 20000.0)

    def test_manager_accepts_with_a_chatter_note(self):
        good = self._insight(self.good)
        with self.assertRaises(AccessError):
            good.with_user(self.accountant).action_accept_credit_suggestion()
        with self.assertRaises(AccessError):
            good.with_user(self.auditor).action_accept_credit_suggestion()
        self.assertEqual(self.good.with_company(self.company).credit_limit, 1000.0)
        good.with_user(self.approver).action_accept_credit_suggestion()
        self.assertEqual(self.good.with_company(self.company).credit_limit, 1200.0)
        self.assertEqual(good.credit_action, "keep")
        self.assertEqual(good.credit_decision_user_id, self.approver)
        note = self.good.message_ids[:1]
        self.assertIn("1,200.00", note.body)
        self.assertEqual(note.author_id, self.approver.partner_id)
        with self.assertRaises(UserError):
            good.with_user(self.approver).action_accept_credit_suggestion()

    def test_nobody_writes_the_figures(self):
        good = self._insight(self.good)
        for role in ("accountant", "approver", "auditor", "salesperson"):
            with self.assertRaises(AccessError, msg=role):
                self._as(good, role).write({"credit_action": "raise", "score": 100})

    def test_nobody_writes_the_month_ends_kpis_or_batches(self):
        """The snapshots, the aging trend, the KPIs and the generation batches are written by
        the scheduled actions only: every role is refused create, write and unlink."""
        snapshot = self.env["customer.reconciliation.snapshot"].search(
            [("partner_id", "=", self.good.id)], limit=1
        )
        self.assertTrue(snapshot)
        for role in ("accountant", "approver", "auditor", "salesperson"):
            records = self._as(snapshot, role)
            with self.assertRaises(AccessError, msg=role):
                records.write({"balance": 0.0})
            with self.assertRaises(AccessError, msg=role):
                records.unlink()
            with self.assertRaises(AccessError, msg=role):
                records.create({"partner_id": self.good.id, "date": date(2026, 7, 31)})
            for model in (
                "customer.reconciliation.aging.trend",
                "customer.reconciliation.kpi",
                "customer.reconciliation.run.batch",
            ):
                with self.assertRaises(AccessError, msg=f"{role} {model}"):
                    self._as(self.env[model], role).create({})

    def test_refresh_on_demand_by_reconciliation_users_only(self):
        good = self._insight(self.good)
        for role in ("auditor", "salesperson"):
            with self.assertRaises(AccessError, msg=role):
                self._as(good, role).action_refresh()
        cron = self.env.ref("customer_reconciliation.ir_cron_refresh_insight")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        action = good.with_user(self.accountant).action_refresh()
        self.assertEqual(action["tag"], "display_notification", "in the background")
        self.assertEqual(
            self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1
        )
        sent = recorded_notifications(self)
        commits = FakeCommits.install(self)
        self.Insight.with_context(cron_id=cron.id)._cron_refresh()
        good.invalidate_recordset()
        self.assertEqual(
            good.date, self.Insight._fields["date"].today().replace(day=1) - timedelta(days=1)
        )
        # Per company: one step per month end (missing, and the last closed one), then one
        # for its figures; each committed.
        Snapshot = self.env["customer.reconciliation.snapshot"]
        self.assertEqual(commits.calls[0][0], 0)
        steps = commits.calls[0][1]
        self.assertGreaterEqual(steps, 2 * len(Snapshot._companies_with_items()))
        self.assertEqual(commits.calls[1:], [(1, steps - n) for n in range(1, steps + 1)])
        self.assertEqual(
            [
                (user, payload["title"])
                for user, kind, payload in sent
                if kind == "simple_notification"
            ],
            [(self.accountant, "Figures refreshed")],
            "who asked is told once, at the end",
        )
        sent.clear()
        self.Insight.with_context(cron_id=cron.id)._cron_refresh()
        self.assertFalse(
            [kind for _user, kind, _payload in sent if kind == "simple_notification"],
            "the next night tells nobody",
        )

    def test_background_refresh_stops_when_its_time_is_up_and_goes_on(self):
        commits = FakeCommits.install(self)
        self.env.cr.execute("DELETE FROM customer_reconciliation_snapshot")
        self.env.invalidate_all()
        Snapshot = self.env["customer.reconciliation.snapshot"]
        reference = receivables.last_closed_month_end(self.Insight._fields["date"].today())
        missing = Snapshot._missing_month_ends(self.company, reference)
        steps = len(set(missing) | {reference}) + 1  # each month end, then the figures
        commits.time_left = 0
        self.assertFalse(self.Insight._refresh(self.company, commit_progress=True))
        self.assertEqual(commits.calls, [(0, steps), (1, steps - 1)], "one step, then it stops")
        commits.time_left = 1000.0
        commits.calls.clear()
        self.assertTrue(self.Insight._refresh(self.company, commit_progress=True))
        self.assertLessEqual(commits.calls[0][1], steps, "the next run goes on from there")
        self.assertEqual(commits.calls[-1], (1, 0))
        self.assertEqual(set(self._insight(self.good).mapped("date")), {reference})

    def test_reconciliation_record(self):
        """The statements of customer_c in every state (IntegrityCommon)."""
        self.Insight._refresh(self.company)
        record = self._insight(self.customer_c)
        self.assertEqual(record.statements_sent, 4)  # sent, confirmed, disputed, closed
        self.assertEqual(record.statements_confirmed_first, 2)  # confirmed, closed
        self.assertEqual(record.statements_disputed, 1)
        self.assertEqual(record.statements_unanswered, 1)
        self.assertEqual(record.open_dispute_count, 1)
        confirmed = self.by_state["confirmed"] | self.by_state["closed"]
        last = confirmed.sorted("date_to")[-1]
        self.assertEqual(record.last_confirmed_date, last.date_to)
        self.assertAlmostEqual(record.last_confirmed_balance, last.closing_balance_company)
        self.assertGreaterEqual(record.answer_days, 0.0)
