"""The statement's follow-up: the customer's collections reported to a salesperson and not yet
received by the cashier, so that nobody sends a statement the customer will dispute for money
already handed over."""

from odoo import api, fields, models

from .collection import OPEN_STATES


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    collection_pending_count = fields.Integer(
        string="Collections Not Received",
        compute="_compute_collection_pending",
        help="Collections of this customer reported by a salesperson and not yet received.",
    )
    collection_pending_summary = fields.Char(
        string="Not Yet Received", compute="_compute_collection_pending"
    )

    @api.depends_context("lang")
    @api.depends("partner_id", "company_id")
    def _compute_collection_pending(self):
        """Counted for every reader of the statement (one query for all): a figure of the
        customer's account, whoever reported the collections."""
        groups = (
            self.env["customer.reconciliation.collection"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "in", self.company_id.ids),
                    ("partner_id", "in", self.partner_id.commercial_partner_id.ids),
                    ("state", "in", OPEN_STATES),
                ],
                ["company_id", "partner_id", "currency_id"],
                ["__count", "amount:sum"],
            )
        )
        by_key = {}
        for company, partner, currency, count, amount in groups:
            by_key.setdefault((company.id, partner.id), []).append((currency, count, amount))
        for session in self:
            rows = by_key.get((session.company_id.id, session.partner_id.commercial_partner_id.id))
            session.collection_pending_count = sum(count for _c, count, _a in rows or ())
            session.collection_pending_summary = ", ".join(
                currency.format(amount) for currency, _count, amount in rows or ()
            )

    def _collection_warning(self):
        """The sentence that warns before sending, or an empty text."""
        self.ensure_one()
        if not self.collection_pending_count:
            return ""
        return self.env._(
            "%(statement)s: %(count)s collection(s) reported by the salesperson but not yet "
            "received: %(amount)s. The customer may dispute the balance for them.",
            statement=self.name,
            count=self.collection_pending_count,
            amount=self.collection_pending_summary,
        )

    def action_open_collections(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_collection"
        )
        action["domain"] = [
            ("partner_id", "=", self.partner_id.commercial_partner_id.id),
            ("company_id", "=", self.company_id.id),
            ("state", "in", list(OPEN_STATES)),
        ]
        action["context"] = {"create": False}
        return action
