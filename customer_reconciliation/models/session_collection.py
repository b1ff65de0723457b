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
    @api.depends("partner_id", "company_id", "date_to")
    def _compute_collection_pending(self):
        """Counted for every reader of the statement (one query for all): a figure of the
        customer's account, whoever reported the collections. Only money handed over by the
        statement's end date: a later collection is not in the balance it states."""
        dated = self.filtered("date_to")
        groups = (
            self.env["customer.reconciliation.collection"]
            .sudo()
            ._read_group(
                [
                    ("company_id", "in", dated.company_id.ids),
                    ("partner_id", "in", dated.partner_id.commercial_partner_id.ids),
                    ("state", "in", OPEN_STATES),
                    ("date", "<=", max(dated.mapped("date_to"), default=fields.Date.today())),
                ],
                ["company_id", "partner_id", "currency_id", "date:day"],
                ["__count", "amount:sum"],
            )
        )
        by_key = {}
        for company, partner, currency, day, count, amount in groups:
            by_key.setdefault((company.id, partner.id), []).append((currency, day, count, amount))
        for session in self:
            key = (session.company_id.id, session.partner_id.commercial_partner_id.id)
            totals = {}
            for currency, day, count, amount in by_key.get(key, ()) if session.date_to else ():
                if day <= session.date_to:
                    previous = totals.get(currency, (0, 0.0))
                    totals[currency] = (previous[0] + count, previous[1] + amount)
            session.collection_pending_count = sum(count for count, _amount in totals.values())
            session.collection_pending_summary = ", ".join(
                currency.format(amount)
                for currency, (_count, amount) in sorted(totals.items(), key=lambda i: i[0].name)
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
            ("date", "<=", self.date_to),
        ]
        action["context"] = {"create": False}
        return action
