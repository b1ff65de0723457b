"""Received but never reported: the receipts of customers who have a salesperson that no
collection names (proposed or validated), dated in the company's recent window
(``reconciliation_collection_unreported_days``). A database view, read-only: a list for the
cashier and the managers, each salesperson seeing their customers'."""

from odoo import fields, models
from odoo.tools import SQL

from .collection_matching import RECEIPTS_SQL

_VIEW_SQL = (
    """
WITH receipts AS ("""
    + RECEIPTS_SQL
    + """)
SELECT CASE WHEN r.kind = 'payment' THEN r.receipt_id * 2 ELSE r.receipt_id * 2 + 1 END AS id,
       r.kind, CASE WHEN r.kind = 'payment' THEN r.receipt_id END AS payment_id,
       CASE WHEN r.kind = 'statement_line' THEN r.receipt_id END AS statement_line_id,
       r.company_id, r.date, r.amount, r.currency_id, r.partner_id, p.user_id AS salesperson_id,
       r.journal_id, r.label, CURRENT_DATE - r.date AS age_days
  FROM receipts r
  JOIN res_partner p ON p.id = r.partner_id
  JOIN res_company co ON co.id = r.company_id
 WHERE p.user_id IS NOT NULL
   AND r.date >= CURRENT_DATE - co.reconciliation_collection_unreported_days
   AND NOT EXISTS (
       SELECT 1 FROM customer_reconciliation_collection c
        WHERE (r.kind = 'payment' AND c.payment_id = r.receipt_id)
           OR (r.kind = 'statement_line' AND c.statement_line_id = r.receipt_id))
"""
)


class CustomerReconciliationUnreportedReceipt(models.Model):
    """A receipt of a customer with a salesperson that no collection reported."""

    _name = "customer.reconciliation.unreported.receipt"
    _description = "Receipt Never Reported by the Salesperson"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "label"
    # What the view reads: flushed before it is searched.
    _depends = {
        "account.payment": ["payment_type", "partner_type", "state", "date", "amount", "memo"],
        "account.bank.statement.line": ["amount", "amount_currency", "partner_id", "payment_ref"],
        "customer.reconciliation.collection": ["payment_id", "statement_line_id"],
        "res.partner": ["user_id", "commercial_partner_id"],
        "res.company": ["reconciliation_collection_unreported_days"],
    }

    kind = fields.Selection(
        [("payment", "Payment"), ("statement_line", "Bank Statement Line")], readonly=True
    )
    payment_id = fields.Many2one("account.payment", readonly=True)
    statement_line_id = fields.Many2one("account.bank.statement.line", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    salesperson_id = fields.Many2one("res.users", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    label = fields.Char(string="Memo", readonly=True)
    age_days = fields.Integer(string="Days Since", readonly=True)

    def init(self):
        self.env.cr.execute(
            SQL(
                "CREATE OR REPLACE VIEW %s AS (%s)",
                SQL.identifier(self._table),
                SQL(_VIEW_SQL),
            )
        )

    def action_open_receipt(self):
        self.ensure_one()
        record = self.payment_id or self.statement_line_id.move_id
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }
