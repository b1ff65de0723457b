"""Formula injection: customer text that a spreadsheet would run (=, +, -, @, tab, CR, their
full-width forms) is written as text in every workbook; numbers stay numbers."""

import csv
import io
import re
from datetime import date

import openpyxl
from common import ReconciliationCommon

from odoo import Command
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.reports import (
    balances_workbook,
    comparison_workbook,
    statement_workbook,
    workbook,
)

HYPERLINK = '=HYPERLINK("http://x","y")'
PAYLOADS = (HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "=1+1", "\t=2+2", "\r=3+3", "＝1+1", "{=1+1}")
# The only formulas the addon writes: sums, the running balance, references to its own cells.
OUR_FORMULA = re.compile(r"^=(SUM\(|SUMIFS\(|0$|\$?[A-Z]+\$?\d+([+-]\$?[A-Z]+\$?\d+)*$)")


def load(content):
    return openpyxl.load_workbook(io.BytesIO(content))


def links(book):
    return [
        cell.hyperlink
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.hyperlink
    ]


def cells(book):
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield sheet.title, cell


@tagged("post_install", "-at_install")
class TestXlsxFormulas(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer(HYPERLINK, ref="+1+1", vat="@SUM(A1)")
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 10, 5), ref="-2+3")
        entry = cls.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": cls.company_data["default_journal_misc"].id,
                "date": date(2026, 10, 9),
                "ref": "=1+1",
                "line_ids": [
                    Command.create(
                        {
                            "name": "@SUM(A1)",
                            "account_id": cls.receivable.id,
                            "partner_id": cls.customer.id,
                            "debit": 250,
                        }
                    ),
                    Command.create(
                        {
                            "name": "＝1+1",
                            "account_id": cls.company_data["default_account_revenue"].id,
                            "credit": 250,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        # overpaid: negative open amounts and balances
        cls._advance(cls.customer, 2000, date(2026, 10, 20), memo="+SUM(1)")
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]

    def _their_ledger(self):
        """The customer's ledger of us as a CSV, its texts formulas."""
        rows = [
            ["日期", "凭证字号", "摘要", "发票号", "借方", "贷方", "余额"],
            ["2026-10-06", "记-1", HYPERLINK, "=1+1", "", "1000.00", "1000.00"],
            ["2026-10-10", "记-2", "@SUM(A1)", "+1+1", "", "250.00", "1250.00"],
            ["2026-10-21", "记-3", "\t=2+2", "-2+3", "2000.00", "", "-750.00"],
            ["2026-10-25", "记-4", "＝1+1", "{=1+1}", "", "5.00", "-745.00"],
        ]
        output = io.StringIO()
        csv.writer(output).writerows(rows)
        return output.getvalue().encode("utf-8")

    def assert_text_never_runs(self, book, expected_texts):
        seen = set()
        for sheet, cell in cells(book):
            where = f"{sheet}!{cell.coordinate}"
            if cell.data_type == "f":
                self.assertRegex(cell.value, OUR_FORMULA, f"{where} is a formula not ours")
            elif isinstance(cell.value, str):
                self.assertEqual(cell.data_type, "s", where)
                seen.update(text for text in expected_texts if text.strip() in cell.value)
        self.assertEqual(seen, set(expected_texts), "every payload is in the workbook, as text")

    def assert_numbers_stay_numbers(self, book):
        numbers = [cell.value for _sheet, cell in cells(book) if cell.data_type == "n"]
        self.assertTrue(any(isinstance(value, (int, float)) and value < 0 for value in numbers))

    def test_statement_workbook(self):
        content, _name = statement_workbook.statement_xlsx(self.session)
        book = load(content)
        self.assert_text_never_runs(book, [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "=1+1"])
        self.assert_numbers_stay_numbers(book)
        self.assertFalse(links(book), "no live link")

    def test_balances_workbook(self):
        content, _name = balances_workbook.balances_xlsx(self.session, with_statement_sheets=True)
        book = load(content)
        self.assert_text_never_runs(book, [HYPERLINK, "+1+1", "-2+3", "@SUM(A1)"])
        self.assert_numbers_stay_numbers(book)
        # the one link is ours: the balances row to its statement sheet
        [link] = links(book)
        self.assertEqual(link.location, f"'{self.session.name.replace('/', '-')}'!A1")

    def test_comparison_workbook(self):
        self.session._import_customer_ledger("ledger.csv", self._their_ledger())
        self.assertTrue(self.session.customer_match_ids)
        content, _name = comparison_workbook.comparison_xlsx(self.session)
        book = load(content)
        self.assert_text_never_runs(
            book, [HYPERLINK, "=1+1", "+1+1", "@SUM(A1)", "-2+3", "=2+2", "＝1+1", "{=1+1}"]
        )
        self.assert_numbers_stay_numbers(book)
        self.assertFalse(links(book), "no live link")

    def test_the_one_rule_of_workbook_py(self):
        """Whatever a sheet writes with write(): texts are texts, numbers numbers."""
        book = workbook.Workbook(self.env)
        sheet = book.book.add_worksheet("Any")
        # constant-memory mode: rows in order
        sheet.write(0, 2, "http://example.com/pay")
        sheet.write(0, 3, "-2")
        sheet.write(0, 4, -2)
        sheet.write(0, 5, -2.5)
        sheet.write_formula(0, 6, "=E1+F1", None, -4.5)
        for row, text in enumerate(PAYLOADS, start=1):
            sheet.write(row, 0, text)
            sheet.write_string(row, 1, text)
        loaded = load(book.close())["Any"]
        for row, text in enumerate(PAYLOADS, start=2):
            for col in "AB":
                self.assertEqual(loaded[f"{col}{row}"].data_type, "s", f"{col}{row}")
                # a carriage return is stored escaped (_x000D_), which Excel reads back
                self.assertEqual(loaded[f"{col}{row}"].value.replace("_x000D_", "\r"), text)
        self.assertEqual(
            (loaded["C1"].data_type, loaded["C1"].value), ("s", "http://example.com/pay")
        )
        self.assertFalse(loaded["C1"].hyperlink)
        self.assertEqual((loaded["D1"].data_type, loaded["D1"].value), ("s", "-2"))
        self.assertEqual((loaded["E1"].data_type, loaded["E1"].value), ("n", -2))
        self.assertEqual((loaded["F1"].data_type, loaded["F1"].value), ("n", -2.5))
        self.assertEqual((loaded["G1"].data_type, loaded["G1"].value), ("f", "=E1+F1"))
        self.assertFalse(book.book.strings_to_formulas or book.book.strings_to_urls)
