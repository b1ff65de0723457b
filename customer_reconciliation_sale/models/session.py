"""The statement with its orders and deliveries: the bridge to a customer who books goods on
receipt (after the closing balance on every document), frozen in the digest, and the orders
confirmed with the customer before sending."""

import json
import re

from odoo import api, fields, models
from odoo.tools import format_date

from .delivery_line import DELIVERED_NOT_INVOICED, INVOICED_NOT_DELIVERED

# The day after each delivery number ("WH/OUT/00012 (2026-03-04)"): not a reference.
_DELIVERY_DAY = re.compile(r"\s*\(\d{4}-\d{2}-\d{2}\)")


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    delivery_line_ids = fields.One2many(
        "customer.reconciliation.delivery.line",
        "session_id",
        string="Goods Not Yet Invoiced or Delivered",
    )
    order_confirmation_ids = fields.One2many(
        "customer.reconciliation.order.confirmation", "session_id", string="Orders Confirmed"
    )
    # Written by the generation (engine.py) with the delivery lines, frozen with them.
    sale_delivered_not_invoiced = fields.Monetary(
        string="Delivered, Not Yet Invoiced",
        readonly=True,
        copy=False,
        help="Goods delivered up to the end date and not invoiced by then, tax included.",
    )
    sale_invoiced_not_delivered = fields.Monetary(
        string="Invoiced, Not Yet Delivered",
        readonly=True,
        copy=False,
        help="Goods invoiced up to the end date and not delivered by then (or returned and not "
        "credited yet), tax included.",
    )
    sale_balance_on_receipt = fields.Monetary(
        string="Balance Booked on Receipt",
        readonly=True,
        copy=False,
        help="The balance of a customer who books goods when they receive them: the closing "
        "balance, plus the goods delivered not yet invoiced, minus the goods invoiced not yet "
        "delivered.",
    )
    sale_confirmation_editable = fields.Boolean(compute="_compute_sale_confirmation_editable")

    def _compute_sale_confirmation_editable(self):
        Confirmation = self.env["customer.reconciliation.order.confirmation"]
        for session in self:
            session.sale_confirmation_editable = Confirmation._may_record(session)

    # ------------------------------------------------------------------ digest
    def _canonical_content(self):
        """The frozen content with the goods not yet invoiced or delivered and the orders
        behind each line, when the statement has any (a statement without them keeps the
        digest it had before this addon)."""
        content = super()._canonical_content()
        digits = self.currency_id.decimal_places
        goods = [
            [
                row.kind,
                row.sale_line_id.id or None,
                f"{row.qty_delivered:.6f}",
                f"{row.qty_invoiced:.6f}",
                f"{row.amount:.{digits}f}",
                row.delivery_refs or None,
                row.invoice_refs or None,
            ]
            for row in self.delivery_line_ids.sorted(lambda r: (r.kind, r.sale_line_id.id, r.id))
        ]
        refs = [
            [line.sequence, line.sale_order_refs, line.client_order_refs, line.delivery_refs]
            for line in self.line_ids.sorted(lambda l: (l.sequence, l.id))
            if line.sale_order_refs or line.delivery_refs
        ]
        if not goods and not refs:
            return content
        data = json.loads(content)
        data["sale"] = {
            "goods": goods,
            "line_refs": refs,
            "totals": [
                f"{self[name]:.{digits}f}"
                for name in (
                    "sale_delivered_not_invoiced",
                    "sale_invoiced_not_delivered",
                    "sale_balance_on_receipt",
                )
            ],
        }
        return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    # ------------------------------------------------------------------ documents
    def _statement_extra_sections(self):
        sections = super()._statement_extra_sections()
        _ = self.env._
        rows = self.delivery_line_ids.sorted(lambda r: (r.order_name or "", r.sale_line_id.id))
        delivered = rows.filtered(lambda r: r.kind == DELIVERED_NOT_INVOICED)
        invoiced = rows.filtered(lambda r: r.kind == INVOICED_NOT_DELIVERED)
        day = self.date_to
        common = [
            (_("Order"), "text"),
            (_("Your Order Reference"), "text"),
            (_("Product"), "text"),
            (_("Delivered"), "quantity"),
            (_("Invoiced"), "quantity"),
            (_("Unit Price (tax incl.)"), "money"),
            (_("Amount"), "money"),
        ]
        if delivered:
            sections.append(
                {
                    "key": "sale_delivered_not_invoiced",
                    "title": _("Goods delivered, not yet invoiced"),
                    "note": _(
                        "Delivered to you on or before the end date and not invoiced by then: "
                        "not in the balance above."
                    ),
                    "columns": [*common[:2], (_("Deliveries"), "text"), *common[2:]],
                    "rows": [
                        (
                            r.order_name,
                            r.client_order_ref,
                            r.delivery_refs,
                            r.description,
                            r.qty_delivered,
                            r.qty_invoiced,
                            r.price_unit,
                            r.amount,
                        )
                        for r in delivered
                    ],
                    "totals": [
                        (_("Total delivered, not yet invoiced"), self.sale_delivered_not_invoiced)
                    ],
                }
            )
        if invoiced:
            sections.append(
                {
                    "key": "sale_invoiced_not_delivered",
                    "title": _("Goods invoiced, not yet delivered"),
                    "note": _(
                        "Invoiced on or before the end date and not delivered to you by then "
                        "(or returned and not credited yet): in the balance above."
                    ),
                    "columns": [*common[:2], (_("Invoices"), "text"), *common[2:]],
                    "rows": [
                        (
                            r.order_name,
                            r.client_order_ref,
                            r.invoice_refs,
                            r.description,
                            r.qty_delivered,
                            r.qty_invoiced,
                            r.price_unit,
                            r.amount,
                        )
                        for r in invoiced
                    ],
                    "totals": [
                        (_("Total invoiced, not yet delivered"), -self.sale_invoiced_not_delivered)
                    ],
                }
            )
        if delivered or invoiced:
            sections.append(
                {
                    "key": "sale_balance_on_receipt",
                    "title": _("Your balance if you book goods on receipt"),
                    "note": _(
                        "If you book our goods when you receive them rather than when we invoice "
                        "them, your balance with us at %(day)s should be:",
                        day=format_date(self.env, day),
                    ),
                    "columns": [(_("Description"), "text"), (_("Amount"), "money")],
                    "rows": [
                        (_("Closing balance"), self.closing_balance),
                        (
                            _("+ Goods delivered, not yet invoiced"),
                            self.sale_delivered_not_invoiced,
                        ),
                        (
                            _("− Goods invoiced, not yet delivered"),
                            -self.sale_invoiced_not_delivered,
                        ),
                    ],
                    "totals": [(_("Balance booked on receipt"), self.sale_balance_on_receipt)],
                }
            )
        confirmations = self.order_confirmation_ids.sorted(lambda c: (c.order_name or "", c.id))
        if confirmations:
            methods = dict(confirmations._fields["method"]._description_selection(self.env))
            sections.append(
                {
                    "key": "sale_orders_confirmed",
                    "title": _("Orders confirmed with you"),
                    "note": _(
                        "Number, amount and date of these orders were confirmed with you before "
                        "this statement was sent."
                    ),
                    "columns": [
                        (_("Order"), "text"),
                        (_("Your Order Reference"), "text"),
                        (_("Order Date"), "date"),
                        (_("Confirmed With"), "text"),
                        (_("Confirmed On"), "date"),
                        (_("How"), "text"),
                        (_("Order Amount"), "text"),
                    ],
                    "rows": [
                        (
                            c.order_name,
                            c.client_order_ref,
                            c.order_date,
                            c.contact_name,
                            fields.Datetime.context_timestamp(c, c.confirmed_on).date(),
                            methods.get(c.method, c.method),
                            c._amount_text(),
                        )
                        for c in confirmations
                    ],
                }
            )
        return sections

    # ------------------------------------------------------------------ comparison
    def _comparison_our_lines(self, factor):
        """Our lines with the order numbers, the customer's POs and the delivery numbers behind
        them as references: a customer who books our invoice under their PO or our delivery
        note still matches it by reference."""
        lines = super()._comparison_our_lines(factor)
        extra = {}
        for line in self.line_ids:
            if line.sale_order_refs or line.delivery_refs:
                texts = (line.client_order_refs, _DELIVERY_DAY.sub("", line.delivery_refs or ""))
                extra[line.id] = [
                    ref
                    for text in (line.sale_order_refs, *texts)
                    for ref in (text or "").split(", ")
                ]
        if not extra:
            return lines
        return [
            line._replace(ref=" ".join(dict.fromkeys(filter(None, (line.ref, *extra[line.id])))))
            if line.id in extra
            else line
            for line in lines
        ]

    def _match_customer_ledger(self, deadline=None, ledger=None, their_ids=None):
        result = super()._match_customer_ledger(deadline, ledger, their_ids)
        self.env["customer.reconciliation.match"]._classify_timing(self)
        return result

    def action_record_order_confirmation(self):
        """Open a new order confirmation of this statement (checked when it is saved)."""
        self.ensure_one()
        self.env["customer.reconciliation.order.confirmation"]._check_may_record(self)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Order Confirmed with the Customer"),
            "res_model": "customer.reconciliation.order.confirmation",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    @api.model
    def _load_sale_demo_data(self):
        """Build the sale demo (called by demo/demo_data.xml only)."""
        from ..demo import sale_demo  # noqa: PLC0415 - demo code stays out of production

        sale_demo.load(self.env)
