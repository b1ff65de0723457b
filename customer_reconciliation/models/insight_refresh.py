"""Refreshing the receivables insight: a fixed number of set-based queries per company, then
the formulas of tools/receivables.py in Python, then one upsert. The number of queries does
not depend on the number of customers."""

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import receivables
from ..tools.receivables import last_closed_month_end
from .dispute import UNSETTLED
from .session_answer import CONFIRMED_AT_FIRST_SENDING_SQL
from .snapshot import pg_settings

# The figures join the partial reconciliations of two years with their journal items and
# entries (hundreds of thousands of rows for a million items): hashed in memory, not in
# batches spilled to disk.
FIGURES_SETTINGS = {"work_mem": "128MB"}

# Today's balance and overdue, from Odoo's residuals.
_CURRENT_SQL = """
SELECT p.commercial_partner_id, SUM(aml.balance),
       COALESCE(SUM(aml.amount_residual) FILTER (
           WHERE aml.amount_residual > 0 AND COALESCE(aml.date_maturity, aml.date) < %(today)s), 0)
  FROM account_move_line aml
  JOIN res_partner p ON p.id = aml.partner_id
 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
   AND aml.account_id = ANY(%(accounts)s)
 GROUP BY 1
"""

_SNAPSHOTS_SQL = """
SELECT partner_id, date, balance, dso_3, dso_6, dso_12
  FROM customer_reconciliation_snapshot
 WHERE company_id = %(company)s AND date = ANY(%(dates)s)
"""

_PEAK_SQL = """
SELECT partner_id, MAX(balance)
  FROM customer_reconciliation_snapshot
 WHERE company_id = %(company)s AND date > %(since)s AND date <= %(date)s
 GROUP BY 1
"""

# Payments of invoices: each partial reconciliation of an invoice with a payment (not a
# credit note nor an exchange difference) on the later of the two dates, in company currency.
_PAYMENTS_SQL = """
WITH paid AS (
    SELECT p.commercial_partner_id AS partner_id, pr.amount, pr.max_date,
           pr.max_date - COALESCE(m.invoice_date, aml.date) AS days_to_pay,
           GREATEST(pr.max_date - COALESCE(aml.date_maturity, aml.date), 0) AS days_late,
           pr.max_date > %(date)s - INTERVAL '12 months' AS recent
      FROM account_partial_reconcile pr
      JOIN account_move_line aml ON aml.id = pr.debit_move_id
      JOIN account_move m ON m.id = aml.move_id
      JOIN res_partner p ON p.id = aml.partner_id
      JOIN account_move_line cl ON cl.id = pr.credit_move_id
      JOIN account_move cm ON cm.id = cl.move_id
     WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
       AND aml.account_id = ANY(%(accounts)s)
       AND m.move_type IN ('out_invoice', 'out_receipt')
       AND cm.move_type NOT IN ('out_refund', 'out_invoice', 'out_receipt')
       AND cm.journal_id IS DISTINCT FROM %(exchange_journal)s
       AND pr.max_date > %(date)s - INTERVAL '24 months' AND pr.max_date <= %(date)s
)
SELECT partner_id, recent, SUM(amount), SUM(amount * days_to_pay), SUM(amount * days_late),
       COALESCE(SUM(amount) FILTER (WHERE days_late = 0), 0)
  FROM paid
 GROUP BY 1, 2
"""

# Odoo's own DSO (res.partner.days_sales_outstanding): invoices ever and the first one.
_ODOO_DSO_SQL = """
SELECT commercial_partner_id, MIN(invoice_date), SUM(amount_total_signed)
  FROM account_move
 WHERE company_id = %(company)s AND state = 'posted'
   AND move_type IN ('out_invoice', 'out_refund', 'out_receipt')
 GROUP BY 1
"""

_PARTNERS_SQL = """
SELECT id, user_id, (credit_limit ->> %(company_key)s)::float8
  FROM res_partner
 WHERE id = ANY(%(partners)s)
"""

_STATEMENTS_SQL = """
WITH first_dispute AS (
    SELECT session_id, MIN(create_date) AS date
      FROM customer_reconciliation_dispute
     GROUP BY session_id
)
SELECT s.partner_id,
       COUNT(*) FILTER (WHERE s.sent_date IS NOT NULL),
       COUNT(*) FILTER (WHERE {confirmed_first}),
       COUNT(*) FILTER (WHERE d.session_id IS NOT NULL),
       COUNT(*) FILTER (WHERE s.state = 'sent'),
       AVG(GREATEST(EXTRACT(EPOCH FROM (COALESCE(LEAST(s.confirmed_date, d.date),
                                                 s.confirmed_date, d.date) - s.sent_date)), 0)
           / 86400.0)
           FILTER (WHERE s.sent_date IS NOT NULL AND COALESCE(s.confirmed_date, d.date) IS NOT NULL)
  FROM customer_reconciliation_session s
  LEFT JOIN first_dispute d ON d.session_id = s.id
 WHERE s.company_id = %(company)s AND s.state <> 'cancelled'
 GROUP BY 1
""".replace("{confirmed_first}", CONFIRMED_AT_FIRST_SENDING_SQL)

_LAST_CONFIRMED_SQL = """
SELECT DISTINCT ON (partner_id) partner_id, date_to, closing_balance_company
  FROM customer_reconciliation_session
 WHERE company_id = %(company)s AND confirmed_date IS NOT NULL
 ORDER BY partner_id, date_to DESC, version DESC
"""

_DISPUTES_SQL = """
SELECT partner_id, COUNT(*), COALESCE(SUM(ABS(difference)), 0)
  FROM customer_reconciliation_dispute
 WHERE company_id = %(company)s AND state = ANY(%(unsettled)s)
 GROUP BY 1
"""

# column: SQL array type of the upsert
_COLUMNS = {
    "partner_id": "int",
    "salesperson_id": "int",
    "balance": "numeric",
    "overdue_amount": "numeric",
    "peak_balance": "numeric",
    "dso_3": "float8",
    "dso_6": "float8",
    "dso_12": "float8",
    "dso_3_previous": "float8",
    "dso_6_previous": "float8",
    "dso_12_previous": "float8",
    "dso_trend": "varchar",
    "dso_odoo": "float8",
    "paid_amount": "numeric",
    "days_to_pay": "float8",
    "days_late": "float8",
    "on_time_ratio": "float8",
    "days_to_pay_previous": "float8",
    "days_late_previous": "float8",
    "on_time_ratio_previous": "float8",
    "payment_trend": "varchar",
    "credit_limit": "numeric",
    "credit_usage": "float8",
    "over_limit_amount": "numeric",
    "overdue_over_limit": "bool",
    "score": "float8",
    "score_on_time": "float8",
    "score_lateness": "float8",
    "score_overdue": "float8",
    "score_trend": "float8",
    "credit_action": "varchar",
    "suggested_credit_limit": "numeric",
    "statements_sent": "int",
    "statements_confirmed_first": "int",
    "statements_disputed": "int",
    "statements_unanswered": "int",
    "answer_days": "float8",
    "open_dispute_count": "int",
    "open_dispute_amount": "numeric",
    "last_confirmed_date": "date",
    "last_confirmed_balance": "numeric",
}


# One model, one file per step of its process (see insight.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationInsight(models.Model):
    _inherit = "customer.reconciliation.insight"

    @api.model
    def _refresh(self, companies=None, today=None, commit_progress=False, asked=None):
        """Refresh the snapshots (missing month ends and the last closed one) and the figures
        of ``companies`` (default: every company with receivable journal items).

        One step per month end of a company, then one for its figures (a fixed number of
        queries each, whatever the number of customers). ``commit_progress``: in the scheduled
        action, commit after each step with the cron's progress; False when its time is up
        before the end (the next run goes on: the month ends done are no longer missing).
        ``asked``: the figures refreshes this run carries out; False too after the step during
        which the last of them was cancelled."""
        Snapshot = self.env["customer.reconciliation.snapshot"]
        Cron = self.env["ir.cron"]
        today = today or fields.Date.context_today(self)
        reference = last_closed_month_end(today)
        if companies is None:
            companies = Snapshot._companies_with_items()
        plan = [
            (company, sorted(set(Snapshot._missing_month_ends(company, reference)) | {reference}))
            for company in companies
        ]
        remaining = sum(len(days) + 1 for _company, days in plan)
        if commit_progress:
            Cron._commit_progress(remaining=remaining)
        for company, days in plan:
            steps = [(Snapshot._compute_month_ends, (company, [day])) for day in days]
            steps.append((self._refresh_figures, (company, reference, today)))
            for function, args in steps:
                function(*args)
                remaining -= 1
                if commit_progress and Cron._commit_progress(1, remaining=remaining) <= 0:
                    return False
                if asked and not asked._still_wanted():
                    return False
        self.invalidate_model()
        return True

    @api.model
    def _refresh_figures(self, company, reference, today):
        with pg_settings(self.env.cr, FIGURES_SETTINGS):
            rows = self._figures(company, reference, today)
        self._store(company, reference, rows)

    def _query(self, query, **params):
        self.env.cr.execute(SQL(query, **params))
        return self.env.cr.fetchall()

    @api.model
    def _figures(self, company, reference, today):
        """[{column: value}] of every customer of ``company``: a fixed number of queries."""
        engine = self.env["customer.reconciliation.engine"]
        common = {"company": company.id, "accounts": engine._reconciliation_account_ids(company)}
        current = {
            partner: (balance, overdue)
            for partner, balance, overdue in self._query(_CURRENT_SQL, today=today, **common)
        }
        dates = {n: reference - relativedelta(months=n, day=31) for n in (0, 3, 6, 12)}
        snapshots = {
            (partner, day): (balance, dso)
            for partner, day, balance, *dso in self._query(
                _SNAPSHOTS_SQL, dates=list(dates.values()), **common
            )
        }
        peaks = dict(self._query(_PEAK_SQL, since=dates[12], date=reference, **common))
        payments = {}
        for partner, recent, amount, to_pay, late, on_time in self._query(
            _PAYMENTS_SQL,
            date=reference,
            exchange_journal=company.currency_exchange_journal_id.id or None,
            **common,
        ):
            payments[partner, recent] = (amount, to_pay / amount, late / amount, on_time / amount)
        odoo_dso = {
            partner: (first, total)
            for partner, first, total in self._query(_ODOO_DSO_SQL, **common)
        }
        statements = {row[0]: row[1:] for row in self._query(_STATEMENTS_SQL, **common)}
        confirmed = {row[0]: row[1:] for row in self._query(_LAST_CONFIRMED_SQL, **common)}
        disputes = {
            row[0]: row[1:]
            for row in self._query(_DISPUTES_SQL, unsettled=list(UNSETTLED), **common)
        }
        partners = (
            {p for p, balance_overdue in current.items() if balance_overdue[0]}
            | {p for p, _day in snapshots}
            | set(peaks)
            | set(statements)
        )
        fallback = (
            self.env["res.partner"]
            ._fields["credit_limit"]
            .get_company_dependent_fallback(self.env["res.partner"].with_company(company))
        )
        partner_rows = {
            pid: (user, limit if limit is not None else fallback or 0.0)
            for pid, user, limit in self._query(
                _PARTNERS_SQL, company_key=str(company.id), partners=sorted(partners)
            )
        }
        rows = []
        for partner in sorted(partners):
            balance, overdue = current.get(partner, (0.0, 0.0))
            dso = snapshots.get((partner, dates[0]), (0.0, (None, None, None)))[1]
            previous = [
                snapshots.get((partner, dates[n]), (0.0, (None, None, None)))[1][i]
                for i, n in enumerate((3, 6, 12))
            ]
            paid = payments.get((partner, True))
            paid_before = payments.get((partner, False))
            first_invoice, invoiced = odoo_dso.get(partner, (None, 0.0))
            user, limit = partner_rows.get(partner, (None, 0.0))
            dso_trend = receivables.trend(dso[0], previous[0])
            payment_trend = receivables.trend(paid and paid[2], paid_before and paid_before[2])
            score = receivables.payment_score(
                paid and paid[3], paid and paid[2], balance, overdue, dso_trend
            )
            peak = max(peaks.get(partner, 0.0), balance)
            suggestion = receivables.credit_suggestion(score.total, limit, balance, overdue, peak)
            sent, first, disputed, unanswered, answer_days = statements.get(
                partner, (0, 0, 0, 0, None)
            )
            last_date, last_balance = confirmed.get(partner, (None, None))
            dispute_count, dispute_amount = disputes.get(partner, (0, 0.0))
            rows.append(
                {
                    "partner_id": partner,
                    "salesperson_id": user,
                    "balance": balance,
                    "overdue_amount": overdue,
                    "peak_balance": peak,
                    "dso_3": dso[0],
                    "dso_6": dso[1],
                    "dso_12": dso[2],
                    "dso_3_previous": previous[0],
                    "dso_6_previous": previous[1],
                    "dso_12_previous": previous[2],
                    "dso_trend": dso_trend,
                    "dso_odoo": (balance / invoiced * (today - first_invoice).days)
                    if invoiced and first_invoice
                    else 0.0,
                    "paid_amount": paid[0] if paid else 0.0,
                    "days_to_pay": paid and paid[1],
                    "days_late": paid and paid[2],
                    "on_time_ratio": paid and paid[3],
                    "days_to_pay_previous": paid_before and paid_before[1],
                    "days_late_previous": paid_before and paid_before[2],
                    "on_time_ratio_previous": paid_before and paid_before[3],
                    "payment_trend": payment_trend,
                    "credit_limit": limit,
                    "credit_usage": balance / limit if limit > 0 else None,
                    "over_limit_amount": max(balance - limit, 0.0) if limit > 0 else 0.0,
                    "overdue_over_limit": bool(limit > 0 and overdue > limit),
                    "score": score.total,
                    "score_on_time": score.on_time,
                    "score_lateness": score.lateness,
                    "score_overdue": score.overdue,
                    "score_trend": score.trend,
                    "credit_action": suggestion.action,
                    "suggested_credit_limit": suggestion.limit,
                    "statements_sent": sent,
                    "statements_confirmed_first": first,
                    "statements_disputed": disputed,
                    "statements_unanswered": unanswered,
                    "answer_days": answer_days,
                    "open_dispute_count": dispute_count,
                    "open_dispute_amount": dispute_amount,
                    "last_confirmed_date": last_date,
                    "last_confirmed_balance": last_balance,
                }
            )
        return rows

    @api.model
    def _store(self, company, reference, rows):
        """Upsert ``rows`` for ``company`` in one query; drop the customers no longer listed."""
        names = list(_COLUMNS)
        arrays = [[row[name] for row in rows] for name in names]
        columns = SQL(", ").join(SQL.identifier(name) for name in names)
        unnest = SQL(", ").join(
            SQL("%s::%s[]", values, SQL(_COLUMNS[name])) for name, values in zip(names, arrays)
        )
        updates = SQL(", ").join(
            SQL("%s = EXCLUDED.%s", SQL.identifier(name), SQL.identifier(name))
            for name in names
            if name != "partner_id"
        )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO customer_reconciliation_insight AS i (
                    company_id, currency_id, date, refreshed_at, %(columns)s,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(company)s, %(currency)s, %(date)s, NOW() AT TIME ZONE 'UTC', v.*,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(unnest)s) AS v
                ON CONFLICT (company_id, partner_id) DO UPDATE
                   SET date = EXCLUDED.date, refreshed_at = EXCLUDED.refreshed_at,
                       currency_id = EXCLUDED.currency_id, %(updates)s,
                       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
                """,
                columns=columns,
                company=company.id,
                currency=company.currency_id.id,
                date=reference,
                uid=self.env.uid,
                unnest=unnest,
                updates=updates,
            )
        )
        self.env.cr.execute(
            SQL(
                "DELETE FROM customer_reconciliation_insight"
                " WHERE company_id = %s AND partner_id <> ALL(%s::int[])",
                company.id,
                [row["partner_id"] for row in rows],
            )
        )
