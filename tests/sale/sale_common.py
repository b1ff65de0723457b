"""Shared world of the orders-and-deliveries tests (customer_reconciliation_sale): orders
confirmed, delivered, returned and invoiced through Odoo's own flows, on chosen days."""

from datetime import datetime, time

from common import ReconciliationCommon

from odoo import Command
from odoo.tests import Form


class SaleReconciliationCommon(ReconciliationCommon):
    """Products with a 10 % tax, orders in company or foreign currency, their deliveries."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids |= cls.env.ref("sales_team.group_sale_manager") | cls.env.ref(
            "stock.group_stock_manager"
        )
        cls.tax = cls.env["account.tax"].create(
            {
                "name": "Sales 10 %",
                "amount": 10,
                "type_tax_use": "sale",
                "company_id": cls.company.id,
            }
        )
        cls.product = cls._product("Bearing", "delivery")
        cls.product_on_order = cls._product("Gearbox", "order")
        cls.foreign_pricelist = cls.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": cls.foreign.id, "company_id": cls.company.id}
        )

    @classmethod
    def _product(cls, name, policy):
        return cls.env["product.product"].create(
            {
                "name": name,
                "type": "consu",
                "invoice_policy": policy,
                "taxes_id": [Command.set(cls.tax.ids)],
            }
        )

    @classmethod
    def _order(cls, partner, lines, po=None, pricelist=None, day=None):
        """A confirmed order; ``lines``: [(product, quantity, unit price)]."""
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "client_order_ref": po,
                "pricelist_id": pricelist.id if pricelist else False,
                "order_line": [
                    Command.create({"product_id": p.id, "product_uom_qty": q, "price_unit": u})
                    for p, q, u in lines
                ],
            }
        )
        order.action_confirm()
        if day:
            order.date_order = datetime.combine(day, time(9))
        return order

    @classmethod
    def _open_picking(cls, order):
        return order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))

    @classmethod
    def _deliver(cls, picking, quantities, day):
        """Validate ``picking`` for ``quantities`` ({product: quantity} or one number) on
        ``day``; what is left goes to a backorder."""
        for move in picking.move_ids:
            qty = (
                quantities
                if not isinstance(quantities, dict)
                else quantities.get(move.product_id, 0)
            )
            move.write({"quantity": qty, "picked": True})
        picking.with_context(skip_backorder=True).button_validate()
        cls._date(picking, day)
        return picking

    @classmethod
    def _return(cls, picking, quantity, day, to_refund=True):
        """Return ``quantity`` of ``picking``'s first product, received back on ``day``."""
        wizard = Form(
            cls.env["stock.return.picking"].with_context(
                active_ids=picking.ids, active_id=picking.id, active_model="stock.picking"
            )
        ).save()
        wizard.product_return_moves.write({"quantity": quantity, "to_refund": to_refund})
        returned = cls.env["stock.picking"].browse(wizard.action_create_returns()["res_id"])
        returned.move_ids.write({"quantity": quantity, "picked": True})
        returned.button_validate()
        cls._date(returned, day)
        return returned

    @classmethod
    def _date(cls, picking, day):
        moment = datetime.combine(day, time(10))
        picking.write({"date_done": moment})
        picking.move_ids.write({"date": moment})

    @classmethod
    def _invoice_orders(cls, orders, day, final=False):
        invoice = orders._create_invoices(final=final)
        invoice.write({"invoice_date": day, "date": day})
        invoice.action_post()
        return invoice

    @classmethod
    def _credit_note(cls, invoice, quantity, day):
        """A credit note of ``quantity`` of the invoice's first line, linked to its order."""
        wizard = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"date": day, "journal_id": invoice.journal_id.id, "reason": "Return"})
        )
        refund = cls.env["account.move"].browse(wizard.refund_moves()["res_id"])
        line = refund.invoice_line_ids[:1]
        refund.write(
            {
                "invoice_date": day,
                "invoice_line_ids": [Command.update(line.id, {"quantity": quantity})]
                + [Command.delete(other.id) for other in refund.invoice_line_ids - line],
            }
        )
        refund.action_post()
        return refund

    @classmethod
    def _statement(cls, partner, date_from, date_to):
        return cls.Engine.generate(cls.company, date_from, date_to, partner.ids)["created"]

    @staticmethod
    def _rows(session):
        """{(order, kind): (delivered, invoiced, amount)} of the statement's goods."""
        return {
            (row.order_name, row.kind): (row.qty_delivered, row.qty_invoiced, row.amount)
            for row in session.delivery_line_ids
        }
