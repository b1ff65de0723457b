"""The anomaly rules of the salespeople's collections (collection.py), checked with the others
by the nightly check (alert_check.py): one alert per customer and rule, for the cashier and the
managers; the salesperson has the to-do on each collection itself."""

from odoo import api, models
from odoo.tools import format_amount

_MISSING_SQL = """
SELECT c.partner_id, NULL::int, SUM(c.amount_company), MAX(%(today)s - c.date),
       co.reconciliation_collection_missing_days::float8, NULL
  FROM customer_reconciliation_collection c
  JOIN res_company co ON co.id = c.company_id
 WHERE c.company_id = %(company)s AND c.state = 'missing'
 GROUP BY c.partner_id, co.reconciliation_collection_missing_days
"""

# Validated, but the receipt is booked to another customer (or to none): until the cashier
# corrects the receipt's customer.
_OTHER_CUSTOMER_SQL = """
SELECT c.partner_id, NULL::int, SUM(c.amount_company), COUNT(*)::float8, 0.0, NULL
  FROM customer_reconciliation_collection c
 WHERE c.company_id = %(company)s AND c.state IN ('matched', 'deposited') AND c.partner_mismatch
 GROUP BY c.partner_id
"""


# One model, one file per step of its process (see alert.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationAlert(models.Model):
    _inherit = "customer.reconciliation.alert"

    @api.model
    def _find_collection_missing(self, company, params):
        """Collection not received: the customer's collections flagged missing (reported, no
        receipt validated N days after their date, ``reconciliation_collection_missing_days``).
        Amount: their total in company currency; value: the days since the oldest."""
        return self._query(_MISSING_SQL, **params)

    @api.model
    def _find_collection_other_customer(self, company, params):
        """Collection booked to another customer: validated collections whose receipt is booked
        to another customer than the one reported, or to none. Amount: their total in company
        currency; value: how many."""
        return self._query(_OTHER_CUSTOMER_SQL, **params)

    def _sentence(self):
        self.ensure_one()
        _ = self.env._
        amount = format_amount(self.env, self.amount, self.currency_id)
        if self.rule == "collection_missing":
            return _(
                "Collections of %(amount)s reported by the salesperson have not reached the "
                "cashier, the oldest for %(days)s days (alert after %(limit)s days).",
                amount=amount,
                days=int(self.value),
                limit=int(self.threshold),
            )
        if self.rule == "collection_other_customer":
            return _(
                "%(count)s collection(s) of %(amount)s reported for this customer were "
                "received on another customer's account (or none): correct the receipt.",
                count=int(self.value),
                amount=amount,
            )
        return super()._sentence()
