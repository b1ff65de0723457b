"""Reconciliation KPIs: one row per company, accountant (the statement's responsible) and month
of the statement's period end, read from the statements and their disputes by a SQL view.

The ratios are stored with their numerators and denominators, and ``_read_group_select``
aggregates them as a ratio of sums: a year, or every accountant, gets its exact error rate and
average closing time, never an average of monthly averages."""

from odoo import fields, models
from odoo.tools.sql import SQL, drop_view_if_exists

from .session_answer import CONFIRMED_AT_FIRST_SENDING_SQL

# Per statement: whether it has a dispute, its disputes on our side, its settled disputes and
# their days to close. "Confirmed at first sending" is session_answer.py's definition.
_VIEW_SQL = """
WITH dispute AS (
    SELECT d.session_id,
           COUNT(*) FILTER (WHERE d.root_cause_side = 'ours') AS ours,
           COUNT(*) FILTER (WHERE d.state IN ('resolved', 'rejected')
                              AND d.resolved_date IS NOT NULL) AS closed,
           COALESCE(SUM(EXTRACT(EPOCH FROM (d.resolved_date - d.create_date)) / 86400.0)
                        FILTER (WHERE d.state IN ('resolved', 'rejected')
                                  AND d.resolved_date IS NOT NULL), 0) AS close_days
      FROM customer_reconciliation_dispute d
     GROUP BY d.session_id
)
SELECT MIN(s.id) AS id,
       s.company_id,
       s.user_id,
       date_trunc('month', s.date_to)::date AS date,
       COUNT(*) AS statements_prepared,
       COUNT(*) FILTER (WHERE s.sent_date IS NOT NULL) AS statements_sent,
       COUNT(*) FILTER (WHERE {confirmed_first}) AS statements_confirmed_first,
       COUNT(d.session_id) AS statements_disputed,
       COALESCE(SUM(d.ours), 0) AS disputes_ours,
       COALESCE(SUM(d.ours), 0)::float8
           / NULLIF(COUNT(*) FILTER (WHERE s.sent_date IS NOT NULL), 0) AS error_rate,
       COALESCE(SUM(d.closed), 0) AS disputes_closed,
       COALESCE(SUM(d.close_days), 0)::float8 AS dispute_close_days_total,
       COALESCE(SUM(d.close_days), 0)::float8 / NULLIF(SUM(d.closed), 0) AS dispute_close_days
  FROM customer_reconciliation_session s
  LEFT JOIN dispute d ON d.session_id = s.id
 WHERE s.state <> 'cancelled'
 GROUP BY s.company_id, s.user_id, date_trunc('month', s.date_to)
""".replace("{confirmed_first}", CONFIRMED_AT_FIRST_SENDING_SQL)

# ratio field: (numerator column, denominator column)
RATIOS = {
    "error_rate": ("disputes_ours", "statements_sent"),
    "dispute_close_days": ("dispute_close_days_total", "disputes_closed"),
}


class CustomerReconciliationKpi(models.Model):
    """Reconciliation KPIs per company, accountant and month (a read-only SQL view)."""

    _name = "customer.reconciliation.kpi"
    _description = "Reconciliation KPIs"
    _auto = False
    _order = "date desc, user_id"
    _rec_name = "date"
    # what the view reads: flushed before it is queried
    _depends = {
        "customer.reconciliation.session": [
            "company_id",
            "user_id",
            "date_to",
            "state",
            "sent_date",
            "confirmed_date",
            "previous_version_id",
            "reminder_count",
        ],
        "customer.reconciliation.dispute": [
            "session_id",
            "root_cause_side",
            "state",
            "create_date",
            "resolved_date",
        ],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Accountant", readonly=True, help="The statements' responsible."
    )
    date = fields.Date(string="Month", readonly=True, help="The month of the period end.")
    statements_prepared = fields.Integer(readonly=True, help="Every statement but cancelled ones.")
    statements_sent = fields.Integer(readonly=True)
    statements_confirmed_first = fields.Integer(
        string="Confirmed at First Sending",
        readonly=True,
        help="Confirmed without a reminder, a dispute or an earlier version.",
    )
    statements_disputed = fields.Integer(readonly=True)
    disputes_ours = fields.Integer(
        string="Disputes, Our Error",
        readonly=True,
        help="Disputes of these statements whose root cause was on our side.",
    )
    error_rate = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 3),
        help="Disputes whose root cause was on our side / statements sent.",
    )
    disputes_closed = fields.Integer(readonly=True, help="Disputes resolved or rejected.")
    dispute_close_days_total = fields.Float(
        string="Days to Close, Total", readonly=True, digits=(16, 1)
    )
    dispute_close_days = fields.Float(
        string="Days to Close a Dispute",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Average days from a dispute's creation to its resolution or rejection.",
    )

    def init(self):
        drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL("CREATE VIEW %s AS (%s)", SQL.identifier(self._table), SQL(_VIEW_SQL))
        )

    def _read_group_select(self, aggregate_spec, query):
        """A ratio over any group is the sum of its numerators over the sum of its
        denominators."""
        fname, _sep, func = aggregate_spec.partition(":")
        if fname in RATIOS and func in ("avg", "sum"):
            numerator, denominator = RATIOS[fname]
            return SQL(
                "SUM(%s)::float8 / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, numerator, query),
                self._field_to_sql(self._table, denominator, query),
            )
        return super()._read_group_select(aggregate_spec, query)
