"""The orders-and-deliveries section of a statement, exact on built cases: partial deliveries,
returns, several orders on one invoice, one order over several invoices, foreign currency;
frozen with the statement; on the PDF, the workbook and the portal."""

import io
from datetime import date

import openpyxl
from sale_common import SaleReconciliationCommon

from odoo.exceptions import UserError
from odoo.tools import SQL

from odoo.addons.customer_reconciliation.reports import statement_data, statement_workbook

DNI, IND = "delivered_not_invoiced", "invoiced_not_delivered"
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
APRIL = (date(2026, 4, 1), date(2026, 4, 30))


class TestSaleSections(SaleReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A: two orders on one invoice, the first delivered in two parts and invoiced twice.
        cls.alpha = cls._customer("Alpha Machinery")
        cls.o1 = cls._order(cls.alpha, [(cls.product, 10, 100)], po="PO-A1")
        cls.o2 = cls._order(cls.alpha, [(cls.product, 5, 100)], po="PO-A2")
        cls.o1_first = cls._deliver(cls._open_picking(cls.o1), 6, date(2026, 3, 5))
        cls.o2_pick = cls._deliver(cls._open_picking(cls.o2), 5, date(2026, 3, 6))
        cls.inv_a = cls._invoice_orders(cls.o1 | cls.o2, date(2026, 3, 10))
        cls.o1_rest = cls._deliver(cls._open_picking(cls.o1), 4, date(2026, 3, 20))
        cls.inv_a2 = cls._invoice_orders(cls.o1, date(2026, 4, 2))
        # B: a return not credited by the end date, goods invoiced on order not yet delivered.
        cls.beta = cls._customer("Beta Trading")
        cls.o3 = cls._order(cls.beta, [(cls.product, 8, 50)], po="PO-B3")
        cls.o3_pick = cls._deliver(cls._open_picking(cls.o3), 8, date(2026, 3, 3))
        cls.inv_b = cls._invoice_orders(cls.o3, date(2026, 3, 4))
        cls.o3_return = cls._return(cls.o3_pick, 3, date(2026, 3, 15))
        cls.o4 = cls._order(cls.beta, [(cls.product_on_order, 4, 200)])
        cls.inv_b2 = cls._invoice_orders(cls.o4, date(2026, 3, 10))
        cls.refund_b = cls._credit_note(cls.inv_b, 3, date(2026, 4, 5))
        cls._deliver(cls._open_picking(cls.o4), 4, date(2026, 4, 10))

    def test_partial_delivery_several_orders_per_invoice(self):
        self.assertEqual(len(self.inv_a), 1)
        self.assertEqual(self.inv_a.amount_total, 1210.0)  # 11 x 100 + 10 %
        march = self._statement(self.alpha, *MARCH)
        self.assertEqual(march.closing_balance, 1210.0)
        self.assertEqual(self._rows(march), {(self.o1.name, DNI): (10.0, 6.0, 440.0)})
        self.assertEqual(march.delivery_line_ids.price_unit, 110.0)
        self.assertEqual(march.delivery_line_ids.client_order_ref, "PO-A1")
        self.assertEqual(
            march.delivery_line_ids.delivery_refs,
            f"{self.o1_first.name} (2026-03-05), {self.o1_rest.name} (2026-03-20)",
        )
        self.assertEqual(march.delivery_line_ids.invoice_refs, self.inv_a.name)
        self.assertEqual(march.sale_delivered_not_invoiced, 440.0)
        self.assertEqual(march.sale_invoiced_not_delivered, 0.0)
        self.assertEqual(march.sale_balance_on_receipt, 1650.0)
        # The same quantities as Odoo's own at the end date.
        line = self.o1.order_line.with_context(accrual_entry_date="2026-03-31")
        self.assertEqual((line.qty_delivered, line.qty_invoiced_at_date), (10.0, 6.0))
        invoice_line = march.line_ids.filtered(lambda l: l.move_id == self.inv_a)
        self.assertEqual(
            invoice_line.sale_order_refs, ", ".join(sorted([self.o1.name, self.o2.name]))
        )
        self.assertEqual(invoice_line.client_order_refs, "PO-A1, PO-A2")
        self.assertEqual(
            invoice_line.delivery_refs,
            ", ".join(
                sorted(
                    [
                        f"{self.o1_first.name} (2026-03-05)",
                        f"{self.o1_rest.name} (2026-03-20)",
                        f"{self.o2_pick.name} (2026-03-06)",
                    ]
                )
            ),
        )
        self.assertEqual(invoice_line.last_delivery_date, date(2026, 3, 20))

    def test_one_order_over_several_invoices(self):
        april = self._statement(self.alpha, *APRIL)
        self.assertEqual(april.closing_balance, 1650.0)
        self.assertFalse(april.delivery_line_ids)
        self.assertEqual(april.sale_balance_on_receipt, april.closing_balance)
        second = april.line_ids.filtered(lambda l: l.move_id == self.inv_a2)
        self.assertEqual(second.sale_order_refs, self.o1.name)
        self.assertEqual(second.client_order_refs, "PO-A1")
        self.assertIn(self.o1_rest.name, second.delivery_refs)

    def test_returns_and_goods_invoiced_before_delivery(self):
        march = self._statement(self.beta, *MARCH)
        self.assertEqual(march.closing_balance, 440.0 + 880.0)
        self.assertEqual(
            self._rows(march),
            {
                (self.o3.name, IND): (5.0, 8.0, -165.0),  # 3 returned, not credited: 3 x 55
                (self.o4.name, IND): (0.0, 4.0, -880.0),
            },
        )
        self.assertEqual(march.sale_invoiced_not_delivered, 1045.0)
        self.assertEqual(march.sale_delivered_not_invoiced, 0.0)
        self.assertEqual(march.sale_balance_on_receipt, 275.0)
        o3_row = march.delivery_line_ids.filtered(lambda r: r.order_id == self.o3)
        self.assertEqual(
            o3_row.delivery_refs,
            ", ".join(
                sorted([f"{self.o3_pick.name} (2026-03-03)", f"{self.o3_return.name} (2026-03-15)"])
            ),
        )
        line = self.o3.order_line.with_context(accrual_entry_date="2026-03-31")
        self.assertEqual((line.qty_delivered, line.qty_invoiced_at_date), (5.0, 8.0))
        # April: the credit note for the 3 returned and the delivery of the gearboxes.
        april = self._statement(self.beta, *APRIL)
        self.assertEqual(april.closing_balance, 1320.0 - 165.0)
        self.assertFalse(april.delivery_line_ids)
        refund_line = april.line_ids.filtered(lambda l: l.move_id == self.refund_b)
        self.assertEqual(refund_line.sale_order_refs, self.o3.name)

    def test_foreign_currency(self):
        # A company-currency statement values a foreign order at the end date's rate (0.45).
        gamma = self._customer("Gamma Foreign Orders")
        self._invoice(gamma, 100, date(2026, 3, 1))
        order = self._order(gamma, [(self.product, 2, 50)], pricelist=self.foreign_pricelist)
        self.assertEqual(order.currency_id, self.foreign)
        self._deliver(self._open_picking(order), 2, date(2026, 3, 12))
        march = self._statement(gamma, *MARCH)
        self.assertEqual(march.currency_id, self.company.currency_id)
        row = march.delivery_line_ids
        self.assertEqual(row.price_unit_order, 55.0)
        self.assertEqual(row.amount, 244.44)  # 110 / 0.45
        self.assertAlmostEqual(row.price_unit, 55.0 / 0.45, places=6)
        self.assertEqual(march.sale_balance_on_receipt, 100.0 + 244.44)
        # A statement in the foreign currency shows the orders in its currency only.
        delta = self._customer("Delta Foreign Customer")
        self._invoice(delta, 100, date(2026, 3, 1), currency=self.foreign)
        foreign_order = self._order(
            delta, [(self.product, 3, 20)], pricelist=self.foreign_pricelist
        )
        local_order = self._order(delta, [(self.product, 1, 100)])
        self._deliver(self._open_picking(foreign_order), 3, date(2026, 3, 12))
        self._deliver(self._open_picking(local_order), 1, date(2026, 3, 12))
        statement = self._statement(delta, *MARCH)
        self.assertEqual(statement.currency_id, self.foreign)
        self.assertEqual(self._rows(statement), {(foreign_order.name, DNI): (3.0, 0.0, 66.0)})
        self.assertEqual(statement.sale_balance_on_receipt, 166.0)

    def test_frozen_with_the_statement(self):
        march = self._statement(self.alpha, *MARCH)
        content = march._canonical_content()
        self.assertIn('"sale"', content)
        march.action_submit()
        self.assertEqual(march.digest, march._content_digest())
        # Goods returned after the freeze do not change the statement's rows.
        self._return(self.o1_rest, 1, date(2026, 3, 25))
        march.invalidate_recordset()
        self.assertEqual(self._rows(march), {(self.o1.name, DNI): (10.0, 6.0, 440.0)})
        with self.assertRaises(UserError):
            march.delivery_line_ids.write({"amount": 1.0})
        # Altered outside Odoo: the digest tells.
        self.env.cr.execute(
            SQL(
                "UPDATE customer_reconciliation_delivery_line SET amount = 1 WHERE session_id = %s",
                march.id,
            )
        )
        march.delivery_line_ids.invalidate_recordset()
        self.assertEqual(march.action_verify_digest()["params"]["type"], "danger")

    def test_documents_show_the_section(self):
        march = self._statement(self.beta, *MARCH).with_context(lang="en_US")
        sections = statement_data.extra_sections(march)
        self.assertEqual(
            [s["key"] for s in sections],
            ["sale_invoiced_not_delivered", "sale_balance_on_receipt"],
        )
        bridge = sections[1]
        self.assertEqual([row[1] for row in bridge["cells"]], ["1,320.00", "0.00", "-1,045.00"])
        self.assertEqual(bridge["total_rows"][0][0], "Balance booked on receipt")
        self.assertIn("275.00", bridge["total_rows"][0][1])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "customer_reconciliation.action_report_reconciliation_statement", march.ids
            )[0]
            .decode()
        )
        self.assertIn("Goods invoiced, not yet delivered", html)
        self.assertIn("-1,045.00", html)
        self.assertIn(self.o4.name, html)
        content, _name = statement_workbook.statement_xlsx(march)
        sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
        cells = {c.value: c for row in sheet.iter_rows() for c in row if c.value is not None}
        self.assertIn("Goods invoiced, not yet delivered", cells)
        title = cells["Balance booked on receipt"]
        self.assertEqual(sheet.cell(title.row, 2).value, 275.0)
        portal = self.env["ir.qweb"]._render(
            "customer_reconciliation.portal_statement_extra_sections", {"extra_sections": sections}
        )
        self.assertIn("statement_sale_balance_on_receipt", portal)
        self.assertIn("-1,045.00", portal)


class TestGoodsDeliveredWithoutBeingOrdered(SaleReconciliationCommon):
    def test_an_unordered_product_delivered_is_valued_at_its_price(self):
        # A product added on the delivery: Odoo adds it to the order with a quantity of 0 at its
        # price; its total is 0, the goods are still worth their price, tax included.
        customer = self._customer("Extra Goods Ltd")
        spacer = self._product("Spacer", "delivery")
        spacer.list_price = 50.0
        order = self._order(customer, [(self.product, 5, 100.0)], day=date(2026, 3, 2))
        picking = self._open_picking(order)
        self.env["stock.move"].create(
            {
                "product_id": spacer.id,
                "product_uom_qty": 2,
                "product_uom": spacer.uom_id.id,
                "picking_id": picking.id,
                "location_id": picking.location_id.id,
                "location_dest_id": picking.location_dest_id.id,
            }
        )
        self._deliver(picking, {self.product: 5, spacer: 2}, date(2026, 3, 5))
        extra = order.order_line.filtered(lambda line: line.product_id == spacer)
        self.assertEqual((extra.product_uom_qty, extra.qty_delivered), (0.0, 2.0))
        self._invoice(customer, 100.0, date(2026, 3, 3))  # a balance: the customer gets a statement
        march = self._statement(customer, date(2026, 3, 1), date(2026, 3, 31))
        rows = march.delivery_line_ids.filtered(lambda row: row.product_id == spacer)
        self.assertEqual((rows.quantity, rows.price_unit, rows.amount), (2.0, 55.0, 110.0))
        self.assertEqual(march.sale_delivered_not_invoiced, 550.0 + 110.0)
