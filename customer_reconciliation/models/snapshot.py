"""Month-end snapshots: each customer's receivable balance, aging and overdue at each month end.

The figures come from the statement engine itself (``build_items_table``): a snapshot is the
closing of a company-currency statement of the month ending on that day, with the same items,
the same residuals at the end date and the same aging buckets. It is computed set-based, one
month end at a time, for every customer of the company at once; the number of queries does
not depend on the number of customers.
"""

from contextlib import contextmanager

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools import aging, receivables
from ..tools.receivables import last_closed_month_end, month_ends_back, month_sales
from .engine import aging_totals, build_items_table

HISTORY_MONTHS = 24  # backfilled on install and kept by the scheduled refresh
DSO_WINDOWS = (3, 6, 12)

# For the set-based queries over a whole ledger (a million journal items and more): sorts and
# hashes of a few hundred thousand rows stay in memory instead of spilling to disk, and no
# nested loop is planned from the underestimated row counts of the temporary tables (the
# self-join of cr_items on two columns is estimated at a few rows: a nested loop of index
# scans then probes it once per partial). Same results, a fraction of the time.
LEDGER_SETTINGS = {"work_mem": "128MB", "enable_nestloop": "off"}


@contextmanager
def pg_settings(cr, settings):
    """Run the queries inside with the PostgreSQL ``settings`` ({name: value}), then restore
    the previous values. Local to the transaction (an error rolls them back with it): two
    queries before, one after."""
    names = list(settings)
    cr.execute(SQL("SELECT %s", SQL(", ").join(SQL("current_setting(%s)", n) for n in names)))
    previous = cr.fetchone()

    def assign(values):
        calls = (SQL("set_config(%s, %s, TRUE)", n, str(v)) for n, v in zip(names, values))
        cr.execute(SQL("SELECT %s", SQL(", ").join(calls)))

    assign(settings.values())
    yield
    assign(previous)


# Customers with a balance at the month end or an item in its month, like the engine's
# selection of customers for a statement of that month.
_PAIRS_SQL = """
CREATE TEMP TABLE cr_snapshot_pairs ON COMMIT DROP AS
SELECT ROW_NUMBER() OVER ()::int AS id, q.partner_id, %(company)s::int AS company_id,
       %(date_from)s::date AS date_from, %(date_to)s::date AS date_to
  FROM (SELECT p.commercial_partner_id AS partner_id
          FROM account_move_line aml
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE aml.company_id = %(company)s
           AND aml.parent_state = 'posted'
           AND aml.account_id = ANY(%(accounts)s)
           AND aml.date <= %(date_to)s
         GROUP BY p.commercial_partner_id
        HAVING SUM(aml.balance) <> 0 OR BOOL_OR(aml.date >= %(date_from)s)) q
"""

_PAIRS_SOURCE = """
    SELECT k.id, k.partner_id, k.company_id, k.date_from, k.date_to, c.currency_id,
           TRUE AS in_company_currency, '{}'::int[] AS scope
      FROM cr_snapshot_pairs k
      JOIN res_company c ON c.id = k.company_id
"""

_UPSERT_SQL = """
INSERT INTO customer_reconciliation_snapshot AS s (
    company_id, currency_id, partner_id, salesperson_id, date, balance, sales, received,
    overdue_amount, %(aging_columns)s, open_item_count,
    create_uid, create_date, write_uid, write_date)
SELECT k.company_id, c.currency_id, k.partner_id, p.user_id, k.date_to,
       COALESCE(t.balance, 0), COALESCE(t.sales, 0), COALESCE(t.received, 0),
       COALESCE(t.overdue_amount, 0), %(aging_values)s, COALESCE(t.open_item_count, 0),
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM cr_snapshot_pairs k
  JOIN res_company c ON c.id = k.company_id
  JOIN res_partner p ON p.id = k.partner_id
  -- aggregated per statement first: hashed, instead of sorting every item by customer
  LEFT JOIN (
    SELECT i.session_id,
           COALESCE(SUM(i.amount), 0) AS balance,
           COALESCE(SUM(i.amount) FILTER (
               WHERE NOT i.prior AND i.kind IN ('invoice', 'credit_note')), 0) AS sales,
           COALESCE(-SUM(i.amount) FILTER (
               WHERE NOT i.prior AND i.kind IN ('payment', 'refund')), 0) AS received,
           COALESCE(SUM(i.residual) FILTER (WHERE i.aging_days > 0), 0) AS overdue_amount,
           %(aging_totals)s,
           COUNT(i.aml_id) FILTER (WHERE i.residual <> 0) AS open_item_count
      FROM cr_items i
     GROUP BY i.session_id
  ) t ON t.session_id = k.id
ON CONFLICT (company_id, partner_id, date) DO UPDATE
   SET currency_id = EXCLUDED.currency_id, salesperson_id = EXCLUDED.salesperson_id,
       balance = EXCLUDED.balance, sales = EXCLUDED.sales, received = EXCLUDED.received,
       overdue_amount = EXCLUDED.overdue_amount, %(aging_updates)s,
       open_item_count = EXCLUDED.open_item_count,
       write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
"""

# A customer who no longer has a balance nor an item in the month (the ledger changed).
_PRUNE_SQL = """
DELETE FROM customer_reconciliation_snapshot s
 WHERE s.company_id = %(company)s AND s.date = %(date_to)s
   AND NOT EXISTS (SELECT 1 FROM cr_snapshot_pairs k WHERE k.partner_id = s.partner_id)
"""

# Net sales (invoices less credit notes, tax included) per customer and month.
_MONTHLY_SALES_SQL = """
SELECT p.commercial_partner_id, date_trunc('month', aml.date)::date, SUM(aml.balance)
  FROM account_move_line aml
  JOIN account_move m ON m.id = aml.move_id
  JOIN res_partner p ON p.id = aml.partner_id
 WHERE aml.company_id = %(company)s
   AND aml.parent_state = 'posted'
   AND aml.account_id = ANY(%(accounts)s)
   AND m.move_type IN ('out_invoice', 'out_refund', 'out_receipt')
   AND aml.date BETWEEN %(date_from)s AND %(date_to)s
 GROUP BY 1, 2
"""


class CustomerReconciliationSnapshot(models.Model):
    _name = "customer.reconciliation.snapshot"
    _description = "Customer Month-End Balance"
    _order = "date desc, partner_id"
    _rec_name = "partner_id"

    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    currency_id = fields.Many2one("res.currency", required=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, index=True
    )
    salesperson_id = fields.Many2one("res.users", readonly=True, help="The customer's salesperson.")
    category_ids = fields.Many2many(related="partner_id.category_id", string="Customer Tags")
    date = fields.Date(string="Month End", required=True, readonly=True, index=True)
    balance = fields.Monetary(readonly=True)
    sales = fields.Monetary(
        string="Invoiced in the Month",
        readonly=True,
        help="Invoices less credit notes of the month, tax included.",
    )
    received = fields.Monetary(
        string="Received in the Month", readonly=True, help="Payments less refunds of the month."
    )
    overdue_amount = fields.Monetary(string="Overdue", readonly=True)
    aging_not_due = fields.Monetary(string="Not Due", readonly=True)
    aging_1_30 = fields.Monetary(string="1-30 Days", readonly=True)
    aging_31_60 = fields.Monetary(string="31-60 Days", readonly=True)
    aging_61_90 = fields.Monetary(string="61-90 Days", readonly=True)
    aging_over_90 = fields.Monetary(string="Over 90 Days", readonly=True)
    open_item_count = fields.Integer(string="Open Items", readonly=True)
    dso_3 = fields.Float(
        string="DSO 3 Months",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Days sales outstanding at the month end, count-back method over 3 months.",
    )
    dso_6 = fields.Float(string="DSO 6 Months", readonly=True, aggregator="avg", digits=(16, 1))
    dso_12 = fields.Float(string="DSO 12 Months", readonly=True, aggregator="avg", digits=(16, 1))

    _company_partner_date_unique = models.Constraint(
        "UNIQUE (company_id, partner_id, date)",
        "A customer has one snapshot per company and month end.",
    )
    _partner_date_idx = models.Index("(partner_id, company_id, date)")

    # ------------------------------------------------------------ computing
    @api.model
    def _compute_month_ends(self, company, month_ends):
        """(Re)compute the snapshots of ``company`` at each of ``month_ends``, then their DSO.
        A handful of queries per month end, whatever the number of customers; one month end
        at a time (its items only in the temporary tables, its snapshots only in memory)."""
        self.env.flush_all()
        engine = self.env["customer.reconciliation.engine"]
        accounts = engine._reconciliation_account_ids(company)
        cr = self.env.cr
        fields_sql = [SQL.identifier(name) for name in aging.FIELDS]
        upsert = SQL(
            _UPSERT_SQL,
            aging_columns=SQL(", ").join(fields_sql),
            aging_values=SQL(", ").join(SQL("COALESCE(t.%s, 0)", name) for name in fields_sql),
            aging_totals=aging_totals(),
            aging_updates=SQL(", ").join(
                SQL("%s = EXCLUDED.%s", name, name) for name in fields_sql
            ),
            uid=self.env.uid,
        )
        days = sorted(set(month_ends))
        sales = self._dso_sales(company, days)
        with pg_settings(cr, LEDGER_SETTINGS):
            for day in days:
                params = {
                    "company": company.id,
                    "accounts": accounts,
                    "date_from": day.replace(day=1),
                    "date_to": day,
                }
                cr.execute(SQL(_PAIRS_SQL, **params))
                cr.execute(SQL("ANALYZE cr_snapshot_pairs"))
                build_items_table(cr, params, statements=SQL(_PAIRS_SOURCE), keep_hidden=True)
                cr.execute(upsert)
                cr.execute(SQL(_PRUNE_SQL, **params))
                cr.execute(SQL("DROP TABLE cr_items; DROP TABLE cr_snapshot_pairs"))
        for day in days:
            self._compute_dso(company, [day], sales)
        self.invalidate_model()

    @api.model
    def _monthly_sales(self, company, first_month, last_day):
        """{commercial partner id: {first day of a month: net sales}} in one query."""
        engine = self.env["customer.reconciliation.engine"]
        self.env.cr.execute(
            SQL(
                _MONTHLY_SALES_SQL,
                company=company.id,
                accounts=engine._reconciliation_account_ids(company),
                date_from=first_month,
                date_to=last_day,
            )
        )
        sales = {}
        for partner_id, month, amount in self.env.cr.fetchall():
            sales.setdefault(partner_id, {})[month] = amount
        return sales

    @api.model
    def _dso_sales(self, company, month_ends):
        """The monthly sales the DSO of ``month_ends`` reads (see _monthly_sales)."""
        if not month_ends:
            return {}
        first = min(month_ends).replace(day=1) - relativedelta(months=max(DSO_WINDOWS) - 1)
        return self._monthly_sales(company, first, max(month_ends))

    @api.model
    def _compute_dso(self, company, month_ends, sales=None):
        """Store the count-back DSO of the snapshots of ``company`` at ``month_ends``.
        ``sales``: the monthly sales of _dso_sales (default: read for these month ends)."""
        if not month_ends:
            return
        longest = max(DSO_WINDOWS)
        if sales is None:
            sales = self._dso_sales(company, month_ends)
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT id, partner_id, date, balance FROM customer_reconciliation_snapshot"
                " WHERE company_id = %s AND date = ANY(%s)",
                company.id,
                sorted(set(month_ends)),
            )
        )
        ids, values = [], {n: [] for n in DSO_WINDOWS}
        for snapshot_id, partner_id, day, balance in cr.fetchall():
            months = month_sales(sales.get(partner_id, {}), day, longest)
            ids.append(snapshot_id)
            for n in DSO_WINDOWS:
                values[n].append(receivables.count_back_dso(balance, months[:n], months))
        if ids:
            cr.execute(
                SQL(
                    """
                    UPDATE customer_reconciliation_snapshot s
                       SET dso_3 = v.dso_3, dso_6 = v.dso_6, dso_12 = v.dso_12
                      FROM unnest(%s::int[], %s::float8[], %s::float8[], %s::float8[])
                           AS v(id, dso_3, dso_6, dso_12)
                     WHERE s.id = v.id
                    """,
                    ids,
                    values[3],
                    values[6],
                    values[12],
                )
            )

    @api.model
    def _backfill(self, companies=None, months=HISTORY_MONTHS, today=None):
        """Compute the last ``months`` month ends for ``companies`` (default: every company
        with receivable journal items)."""
        today = today or fields.Date.context_today(self)
        last = last_closed_month_end(today)
        for company in companies if companies is not None else self._companies_with_items():
            self._compute_month_ends(company, month_ends_back(last, months))

    @api.model
    def _companies_with_items(self):
        self.env.cr.execute(
            """
            SELECT DISTINCT aml.company_id
              FROM account_move_line aml
              JOIN account_account a ON a.id = aml.account_id
             WHERE aml.parent_state = 'posted' AND a.account_type = 'asset_receivable'
            """
        )
        return self.env["res.company"].browse(sorted(row[0] for row in self.env.cr.fetchall()))

    @api.model
    def _missing_month_ends(self, company, last, months=HISTORY_MONTHS):
        """The month ends of the window ending at ``last`` without any snapshot of ``company``
        (all of them on a first refresh; none once backfilled, unless the ledger was empty)."""
        window = month_ends_back(last, months)
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT date FROM customer_reconciliation_snapshot"
                " WHERE company_id = %s AND date = ANY(%s)",
                company.id,
                window,
            )
        )
        done = {row[0] for row in self.env.cr.fetchall()}
        return [day for day in window if day not in done]
