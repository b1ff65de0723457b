"""The aging of the month-end snapshots, one row per customer, month end and bucket: what
a stacked bar chart of the aging by month needs (Odoo's graph shows one measure at a time,
so the buckets must be a dimension). A read-only SQL view over
customer_reconciliation_snapshot; the buckets are those of tools/aging.py."""

from odoo import fields, models
from odoo.tools import SQL

from ..tools import aging


class CustomerReconciliationAgingTrend(models.Model):
    _name = "customer.reconciliation.aging.trend"
    _description = "Customer Aging by Month End"
    _auto = False
    _order = "date desc, partner_id, bucket"
    _rec_name = "partner_id"

    snapshot_id = fields.Many2one("customer.reconciliation.snapshot", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    category_ids = fields.Many2many(related="partner_id.category_id", string="Customer Tags")
    date = fields.Date(string="Month End", readonly=True)
    bucket = fields.Selection(aging.SELECTION, string="Aging", readonly=True)
    amount = fields.Monetary(readonly=True)

    @property
    def _table_query(self):
        buckets = [bucket.key for bucket in aging.BUCKETS]
        columns = SQL(", ").join(SQL("s.%s", SQL.identifier(b.field)) for b in aging.BUCKETS)
        return SQL(
            """
            SELECT s.id * %(count)s + b.n - 1 AS id, s.id AS snapshot_id, s.company_id,
                   s.currency_id, s.partner_id, s.salesperson_id, s.date,
                   b.bucket, b.amount
              FROM customer_reconciliation_snapshot s
             CROSS JOIN LATERAL unnest(%(buckets)s::varchar[], ARRAY[%(columns)s])
                   WITH ORDINALITY AS b(bucket, amount, n)
             WHERE b.amount <> 0
            """,
            count=len(buckets),
            buckets=buckets,
            columns=columns,
        )
