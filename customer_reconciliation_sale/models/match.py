"""The comparison with the customer's ledger, with the orders and deliveries: what only one
side has booked because goods and invoices cross the end date is a timing difference, not a
dispute."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_reconciliation.tools.customer_ledger.matching import (
    ONLY_OURS,
    ONLY_THEIRS,
)

from .delivery_line import DELIVERED_NOT_INVOICED, INVOICED_NOT_DELIVERED

INVOICED_NOT_RECEIVED = "invoiced_not_received"
TIMING_CLASSES = [
    (DELIVERED_NOT_INVOICED, "Delivered, not yet invoiced"),
    (INVOICED_NOT_RECEIVED, "Invoiced, not yet received"),
]

# Their charge not in our books whose reference or description names an order, a customer PO
# or a delivery of goods we had delivered and not invoiced at the end date: they booked the
# goods on receipt. Our invoice not in their books that bills goods not delivered by the end
# date: they will book it when the goods arrive.
_CLASSIFY_SQL = """
UPDATE customer_reconciliation_match m
   SET timing_class = c.timing_class, dispute_reason = NULL
  FROM (
    SELECT m.id,
           CASE WHEN m.status = %(only_theirs)s AND EXISTS (
                    SELECT 1
                      FROM customer_reconciliation_delivery_line d
                     CROSS JOIN LATERAL unnest(string_to_array(d.reference_keys, E'\\n')) AS k(ref)
                     WHERE d.session_id = m.session_id AND d.kind = %(dni)s
                       AND length(k.ref) >= 3
                       AND strpos(upper(concat_ws(' ', m.their_reference, m.their_description)),
                                  upper(k.ref)) > 0)
                THEN %(dni)s
                WHEN m.status = %(only_ours)s AND m.our_kind = 'invoice' AND EXISTS (
                    SELECT 1
                      FROM customer_reconciliation_match_line_rel r
                      JOIN customer_reconciliation_line l ON l.id = r.line_id
                      JOIN account_move_line li ON li.id = l.move_line_id
                      JOIN account_move_line aml ON aml.move_id = li.move_id
                      JOIN sale_order_line_invoice_rel si ON si.invoice_line_id = aml.id
                      JOIN customer_reconciliation_delivery_line d
                        ON d.sale_line_id = si.order_line_id AND d.session_id = m.session_id
                     WHERE r.match_id = m.id AND d.kind = %(ind)s)
                THEN %(inr)s
           END AS timing_class
      FROM customer_reconciliation_match m
     WHERE m.session_id = ANY(%(ids)s) AND m.status IN (%(only_theirs)s, %(only_ours)s)
  ) c
 WHERE m.id = c.id AND c.timing_class IS NOT NULL
"""


class CustomerReconciliationMatch(models.Model):
    _inherit = "customer.reconciliation.match"

    timing_class = fields.Selection(
        TIMING_CLASSES,
        string="Timing Difference",
        readonly=True,
        index="btree_not_null",
        help="Booked by one side only because goods and invoices cross the end date: it goes "
        "away when the goods arrive or are invoiced, and is not a dispute.",
    )

    @api.model
    def _classify_timing(self, sessions):
        """Mark the timing differences of the comparison of ``sessions`` (one query)."""
        if not sessions:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                _CLASSIFY_SQL,
                ids=sessions.ids,
                only_theirs=ONLY_THEIRS,
                only_ours=ONLY_OURS,
                dni=DELIVERED_NOT_INVOICED,
                ind=INVOICED_NOT_DELIVERED,
                inr=INVOICED_NOT_RECEIVED,
            )
        )
        self.invalidate_model(["timing_class", "dispute_reason", "explanation"])

    def _explain(self, kinds):
        if self.timing_class == DELIVERED_NOT_INVOICED:
            return self.env._(
                "The customer booked %(amount)s on %(date)s (%(ref)s) for goods we delivered and "
                "had not invoiced at the end date: a timing difference, settled by our invoice.",
                amount=self._money(self.their_amount),
                date=self._day(self.their_date),
                ref=self.their_reference or self.their_description or "",
            )
        if self.timing_class == INVOICED_NOT_RECEIVED:
            return self.env._(
                "Invoice %(document)s of %(amount)s dated %(date)s bills goods not delivered at "
                "the end date: the customer books it when the goods arrive — a timing difference.",
                document=self.our_document or "",
                amount=self._money(self.our_amount),
                date=self._day(self.our_date),
            )
        return super()._explain(kinds)

    @api.depends("timing_class")
    def _compute_explanation(self):
        return super()._compute_explanation()

    def action_create_disputes(self):
        """Timing differences are explained by the orders and deliveries: no dispute for them."""
        timing = self.filtered("timing_class")
        if timing and timing == self:
            raise UserError(
                self.env._(
                    "Nothing to dispute: the selected differences are timing differences "
                    "(goods delivered not yet invoiced, or invoiced not yet received)."
                )
            )
        return super(CustomerReconciliationMatch, self - timing).action_create_disputes()
