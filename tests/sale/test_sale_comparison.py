"""The comparison with the customer's ledger, with orders and deliveries: PO and delivery
numbers as references, goods booked on receipt and invoices for goods not yet received as
timing differences, which raise no dispute."""

import csv
import io
from datetime import date

from sale_common import SaleReconciliationCommon

from odoo.exceptions import UserError

HEADER = ["日期", "摘要", "单号", "借方", "贷方", "余额"]


def csv_bytes(rows):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([HEADER, *rows])
    return text.getvalue().encode("utf-8")


class TestSaleComparison(SaleReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Epsilon Books on Receipt")
        # 10 bearings at 110 incl. tax: 6 delivered and invoiced, 4 delivered on the 28th.
        cls.order = cls._order(cls.customer, [(cls.product, 10, 100)], po="EP-PO-7001")
        cls.first = cls._deliver(cls._open_picking(cls.order), 6, date(2026, 3, 10))
        # Numbers as customers see them (those of a fresh test database are too short to be
        # references: the matcher wants three digits).
        cls.first.name = "WH/OUT/04711"
        cls.invoice = cls._invoice_orders(cls.order, date(2026, 3, 12))
        cls.rest = cls._deliver(cls._open_picking(cls.order), 4, date(2026, 3, 28))
        cls.rest.name = "WH/OUT/04712"
        # 2 gearboxes invoiced on order, shipped in April.
        cls.order2 = cls._order(cls.customer, [(cls.product_on_order, 2, 300)], po="EP-PO-8001")
        cls.invoice2 = cls._invoice_orders(cls.order2, date(2026, 3, 30))
        cls.session = cls._statement_of(cls.customer)

    @classmethod
    def _statement_of(cls, customer):
        return cls.Engine.generate(cls.company, date(2026, 3, 1), date(2026, 3, 31), customer.ids)[
            "created"
        ]

    def _import(self, rows):
        self.session._import_customer_ledger("ledger.csv", csv_bytes(rows))
        return {(m.their_reference or m.our_document): m for m in self.session.customer_match_ids}

    def test_timing_differences(self):
        self.assertEqual(self.session.sale_delivered_not_invoiced, 440.0)
        self.assertEqual(self.session.sale_invoiced_not_delivered, 660.0)
        matches = self._import(
            [
                ["2026-03-12", "采购发票", self.invoice.name, "", "660.00", "660.00"],
                ["2026-03-29", "收货 暂估", self.rest.name, "", "440.00", "1100.00"],
                ["2026-03-30", "其他供应商", "XYZ-999", "", "123.00", "1223.00"],
            ]
        )
        self.assertEqual(matches[self.invoice.name].status, "matched")
        received = matches[self.rest.name]
        self.assertEqual(received.status, "only_theirs")
        self.assertEqual(received.timing_class, "delivered_not_invoiced")
        self.assertFalse(received.dispute_reason)
        self.assertIn("timing difference", received.explanation)
        not_received = matches[self.invoice2.name]
        self.assertEqual(not_received.status, "only_ours")
        self.assertEqual(not_received.timing_class, "invoiced_not_received")
        self.assertFalse(not_received.dispute_reason)
        other = matches["XYZ-999"]
        self.assertFalse(other.timing_class)
        self.assertTrue(other.dispute_reason)
        # Timing differences raise no dispute; the others do.
        with self.assertRaises(UserError):
            (received | not_received).action_create_disputes()
        (received | not_received | other).action_create_disputes()
        # On the balance: ours 1,320 plus their other charge.
        self.assertEqual(self.session.dispute_ids.mapped("customer_amount"), [1320.0 + 123.0])
        self.assertFalse(received.dispute_id or not_received.dispute_id)
        # The bridge: their ledger without the other charge (660 + 440) is our balance as booked
        # on receipt: 1,320 + 440 delivered not invoiced - 660 invoiced not delivered.
        self.assertEqual(self.session.closing_balance, 1320.0)
        self.assertEqual(self.session.sale_balance_on_receipt, 660.0 + 440.0)

    def test_po_and_delivery_numbers_are_references(self):
        # Their line names only our delivery note, and is dated far from our invoice.
        matches = self._import([["2026-03-31", "采购", self.first.name, "", "660.00", "660.00"]])
        found = matches[self.first.name]
        self.assertIn(found.status, ("matched", "difference"))
        self.assertEqual(found.rule, "reference")
        self.assertEqual(found.our_line_ids.move_id, self.invoice)
        # Or their PO only.
        matches = self._import([["2026-03-31", "采购", "EP-PO-7001", "", "660.00", "660.00"]])
        self.assertEqual(matches["EP-PO-7001"].rule, "reference")
        self.assertEqual(matches["EP-PO-7001"].our_line_ids.move_id, self.invoice)
