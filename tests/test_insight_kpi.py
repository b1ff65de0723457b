"""Reconciliation KPIs per accountant and month, the receivables per salesperson, and the
customer form's figures, on statements and disputes built through the real transitions."""

import json
from datetime import date

from settlement_common import SettlementCommon

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user

SEP = (date(2026, 9, 1), date(2026, 9, 30))
OCT = (date(2026, 10, 1), date(2026, 10, 31))
ALL_MEASURES = [
    "statements_prepared:sum",
    "statements_sent:sum",
    "statements_confirmed_first:sum",
    "statements_disputed:sum",
    "disputes_ours:sum",
    "error_rate:avg",
    "disputes_closed:sum",
    "dispute_close_days:avg",
]


class TestInsightKpi(SettlementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.accountant_b = new_test_user(
            cls.env,
            login="kpi_accountant_b",
            groups="customer_reconciliation.group_reconciliation_user",
            name="Zhou Accountant",
            **users,
        )
        cls.salesperson_b = new_test_user(
            cls.env, login="kpi_sales_b", groups="sales_team.group_sale_salesman", **users
        )
        sales_a, sales_b = cls.salesperson, cls.salesperson_b
        c = {
            name: cls._customer(f"KPI {name}", user_id=user.id)
            for name, user in (
                ("A1", sales_a),
                ("A2", sales_a),
                ("A3", sales_b),
                ("A4", sales_b),
                ("B1", sales_a),
                ("B2", sales_b),
            )
        }
        cls.customers = c
        # The ledger; today (2026-12-01) the invoices due before it are overdue.
        sep_a1 = cls._invoice(c["A1"], 1000, date(2026, 9, 5))
        cls._invoice(c["A1"], 2000, date(2026, 10, 5))
        cls._pay(sep_a1, pay_date=date(2026, 10, 10))
        cls._invoice(c["A2"], 1500, date(2026, 9, 5))
        cls._invoice(c["A2"], 500, date(2026, 10, 5))
        cls._invoice(c["A2"], 700, date(2026, 11, 20))  # due on 2026-12-20
        cls._invoice(c["A3"], 800, date(2026, 9, 5))
        sep_a4 = cls._invoice(c["A4"], 300, date(2026, 9, 10))
        cls._pay(sep_a4, pay_date=date(2026, 9, 20))
        sep_b1 = cls._invoice(c["B1"], 1200, date(2026, 9, 5))
        cls._invoice(c["B1"], 600, date(2026, 10, 5))
        cls._pay(sep_b1, amount=200, pay_date=date(2026, 10, 20))
        cls._invoice(c["B2"], 400, date(2026, 9, 5))
        cls._invoice(c["B2"], 900, date(2026, 10, 5))

        def generate(period, names, accountant):
            partners = cls.env["res.partner"].browse([c[n].id for n in names])
            sessions = cls.Engine.generate(cls.company, *period, partners.ids)["created"]
            sessions.user_id = accountant
            return {n: sessions.filtered(lambda s, p=c[n]: s.partner_id == p) for n in names}

        a_sep = generate(SEP, ["A1", "A2", "A3", "A4"], cls.accountant)
        a_oct = generate(OCT, ["A1", "A2", "A3"], cls.accountant)
        b_sep = generate(SEP, ["B1", "B2"], cls.accountant_b)
        b_oct = generate(OCT, ["B1", "B2"], cls.accountant_b)
        cls.sessions = {f"{n} sep": s for n, s in {**a_sep, **b_sep}.items()}
        cls.sessions.update({f"{n} oct": s for n, s in {**a_oct, **b_oct}.items()})
        s = cls.sessions
        s["A3 oct"].with_user(cls.manager).action_cancel()
        for key, session in s.items():
            if key in ("A4 sep", "A3 oct"):
                continue  # A4's stays a draft
            session.with_user(session.user_id).action_submit()
            session.with_user(cls.manager).action_approve()
            session.with_user(session.user_id).action_mark_sent()
        for key in ("A1 sep", "A1 oct", "B1 sep"):
            s[key]._record_confirmation("Ms. Li", channel="portal")
        d = {}
        (d["A2 sep"],) = s["A2 sep"]._record_dispute(
            [{"reason": "amount_differs", "root_cause": "our_price"}]
        )
        d["A2 oct ours"], d["A2 oct timing"] = s["A2 oct"]._record_dispute(
            [
                {"reason": "return_not_credited", "root_cause": "our_credit"},
                {"reason": "payment_not_recorded", "root_cause": "timing_transit"},
            ]
        )
        (d["B1 oct"],) = s["B1 oct"]._record_dispute(
            [{"reason": "missing_invoice", "root_cause": "customer_error"}]
        )
        d["B2 oct 1"], d["B2 oct 2"] = s["B2 oct"]._record_dispute(
            [
                {"reason": "duplicate", "root_cause": "our_duplicate"},
                {"reason": "price_discount", "root_cause": "our_price"},
            ]
        )
        cls.disputes = d
        d["A2 sep"].with_user(cls.accountant).action_resolve("Explained: the price list of May.")
        (d["A2 oct ours"] | d["A2 oct timing"]).with_user(cls.accountant).action_reject(
            "Our books are right."
        )
        d["B1 oct"].with_user(cls.accountant_b).action_reject("Our books are right.")
        cls.env.flush_all()
        # What the clock would have said: when each dispute was raised and settled, and the
        # reminder A1's October statement got before its confirmation.
        for key, created, resolved in (
            ("A2 sep", "2026-10-03 00:00", "2026-10-05 12:00"),  # 2.5 days
            ("A2 oct ours", "2026-11-02 00:00", "2026-11-06 00:00"),  # 4 days
            ("A2 oct timing", "2026-11-02 00:00", "2026-11-03 00:00"),  # 1 day
            ("B1 oct", "2026-11-03 00:00", "2026-11-13 00:00"),  # 10 days
        ):
            cls.env.cr.execute(
                "UPDATE customer_reconciliation_dispute"
                " SET create_date = %s, resolved_date = %s WHERE id = %s",
                (created, resolved, d[key].id),
            )
        cls.env.cr.execute(
            "UPDATE customer_reconciliation_session SET reminder_count = 1 WHERE id = %s",
            (s["A1 oct"].id,),
        )
        cls.env.invalidate_all()
        cls.Kpi = cls.env["customer.reconciliation.kpi"]
        cls.Insight = cls.env["customer.reconciliation.insight"]

    def _kpis(self, groupby, user=None):
        Kpi = self.Kpi.with_user(user) if user else self.Kpi
        domain = [("company_id", "=", self.company.id)]
        return {
            tuple(g.id if hasattr(g, "id") else g for g in row[: len(groupby)]): row[len(groupby) :]
            for row in Kpi._read_group(domain, groupby, ALL_MEASURES)
        }

    def test_statements_and_disputes_per_accountant_and_month(self):
        s = self.sessions
        self.assertEqual(
            [s["A1 sep"].state, s["A2 oct"].state, s["A3 oct"].state, s["B2 sep"].state],
            ["confirmed", "disputed", "cancelled", "sent"],
        )
        a, b = self.accountant.id, self.accountant_b.id
        sep, oct_ = date(2026, 9, 1), date(2026, 10, 1)
        # prepared, sent, confirmed first, disputed, ours, error rate, closed, days to close
        expected = {
            (a, sep): (4, 3, 1, 1, 1, 1 / 3, 1, 2.5),
            (a, oct_): (2, 2, 0, 1, 1, 1 / 2, 2, 2.5),  # A1 reminded; A3's cancelled
            (b, sep): (2, 2, 1, 0, 0, 0.0, 0, None),
            (b, oct_): (2, 2, 0, 2, 2, 1.0, 1, 10.0),
        }
        rows = self._kpis(["user_id", "date:month"])
        self.assertEqual(set(rows), set(expected))
        for key, values in expected.items():
            with self.subTest(row=key):
                self._assert_figures(rows[key], values)
        # The rows themselves hold the same figures.
        record = self.Kpi.search(
            [("user_id", "=", a), ("date", "=", sep), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(record), 1)
        self.assertAlmostEqual(record.error_rate, 1 / 3)
        self.assertAlmostEqual(record.dispute_close_days, 2.5)
        self.assertAlmostEqual(record.dispute_close_days_total, 2.5)

    def test_ratios_aggregate_exactly_over_months_and_accountants(self):
        a, b = self.accountant.id, self.accountant_b.id
        # Per accountant over both months: 2 of our errors for 5 sent (not the mean 5/12),
        # 7.5 days over 3 closed disputes.
        per_user = self._kpis(["user_id"])
        self._assert_figures(per_user[(a,)], (6, 5, 1, 2, 2, 2 / 5, 3, 7.5 / 3))
        self._assert_figures(per_user[(b,)], (4, 4, 1, 2, 2, 2 / 4, 1, 10.0))
        # Everything: 4 of our errors for 9 sent (the mean of the rows would be 0.458),
        # 17.5 days over 4 closed disputes (the mean of the rows would be 5.0).
        [total] = self.Kpi._read_group([("company_id", "=", self.company.id)], [], ALL_MEASURES)
        self._assert_figures(total, (10, 9, 2, 4, 4, 4 / 9, 4, 17.5 / 4))
        # Per year, with :sum asked instead of :avg, the same ratio of sums.
        [(year, rate, days)] = self.Kpi._read_group(
            [("company_id", "=", self.company.id)],
            ["date:year"],
            ["error_rate:sum", "dispute_close_days:sum"],
        )
        self.assertEqual(year.year, 2026)
        self.assertAlmostEqual(rate, 4 / 9)
        self.assertAlmostEqual(days, 17.5 / 4)
        # What the pivot asks for (formatted_read_group with the fields' aggregators).
        [group] = self.Kpi.formatted_read_group(
            [("company_id", "=", self.company.id), ("user_id", "=", a)],
            ["user_id"],
            ["error_rate:avg", "dispute_close_days:avg"],
        )
        self.assertAlmostEqual(group["error_rate:avg"], 2 / 5)
        self.assertAlmostEqual(group["dispute_close_days:avg"], 2.5)

    def _assert_figures(self, row, expected):
        counts, ratios = row[:5] + row[6:7], (row[5], row[7])
        self.assertEqual(tuple(counts), expected[:5] + expected[6:7])
        for value, wanted in zip(ratios, (expected[5], expected[7]), strict=True):
            if wanted is None:  # no denominator: no value (not a zero)
                self.assertTrue(value is None or value is False, value)
            else:
                self.assertAlmostEqual(value, wanted)

    def test_who_reads_the_kpis(self):
        a = self.accountant.id
        for user in (self.accountant, self.auditor):
            with self.subTest(user=user.login):
                rows = self._kpis(["user_id"], user=user)
                self.assertEqual(rows[(a,)][1], 5)
        with self.assertRaises(AccessError):
            self.Kpi.with_user(self.salesperson).search([])
        with self.assertRaises(AccessError):
            self.Kpi.with_user(self.salesperson)._read_group([], ["user_id"], ["__count"])

    def test_receivables_per_salesperson(self):
        self.Insight._refresh(self.company)
        rows = {
            user: (overdue, unanswered, count)
            for user, overdue, unanswered, count in self.Insight._read_group(
                [("company_id", "=", self.company.id), ("partner_id", "in", self._ids())],
                ["salesperson_id"],
                ["overdue_amount:sum", "statements_unanswered:sum", "__count"],
            )
        }
        # A1 2,000 + A2 2,000 (its 700 not due yet) + B1 1,600 (1,200 less 200, and 600);
        # no statement of theirs waits for an answer.
        self.assertEqual(rows[self.salesperson], (5600.0, 0, 3))
        # A3 800 + A4 0 (paid) + B2 1,300; A3's and B2's September statements are unanswered.
        self.assertEqual(rows[self.salesperson_b], (2100.0, 2, 3))
        # The salesperson reads their own customers' figures only.
        mine = self.Insight.with_user(self.salesperson).search([("partner_id", "in", self._ids())])
        self.assertEqual(
            mine.partner_id, self.customers["A1"] | self.customers["A2"] | self.customers["B1"]
        )

    def _ids(self):
        return [partner.id for partner in self.customers.values()]

    def test_customer_form_figures(self):
        self.Insight._refresh(self.company)
        customer = self.customers["A2"]
        contact = self.env["res.partner"].create({"name": "A2 Payables", "parent_id": customer.id})
        insight = self.Insight.search(
            [("partner_id", "=", customer.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(insight), 1)
        for partner in (customer, contact):
            with self.subTest(partner=partner.name):
                partner.invalidate_recordset()
                self.assertEqual(partner.reconciliation_insight_id, insight)
                self.assertEqual(partner.reconciliation_insight_balance, 2700.0)
                self.assertEqual(partner.reconciliation_insight_overdue, 2000.0)
                self.assertEqual(partner.reconciliation_insight_dso_3, insight.dso_3)
                self.assertEqual(partner.reconciliation_insight_score, insight.score)
                self.assertEqual(
                    partner.reconciliation_insight_credit_action, insight.credit_action
                )
        trend = json.loads(customer.reconciliation_insight_balance_trend)
        self.assertEqual(trend[0]["values"][-1]["value"], 2700.0, "the November month end")
        found = self.env["res.partner"].search([("reconciliation_insight_id", "=", insight.id)])
        self.assertEqual(found, customer | contact)
        without = self.env["res.partner"].search(
            [("reconciliation_insight_id", "=", False), ("id", "in", (customer | contact).ids)]
        )
        self.assertFalse(without)
        action = customer.action_open_reconciliation_insight()
        self.assertEqual((action["res_model"], action["res_id"]), (insight._name, insight.id))
        # Another company's form shows no figures of this one.
        other = self.env["res.company"].create({"name": "KPI Other Company"})
        self.env.user.company_ids |= other
        self.assertFalse(customer.with_company(other).reconciliation_insight_id)
        # A salesperson does not read the figures on the customer form.
        with self.assertRaises(AccessError):
            customer.with_user(self.salesperson).read(["reconciliation_insight_balance"])
