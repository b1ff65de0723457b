"""The customer's ledger as each common tool exports it, imported into a statement (through the
database): every row a line or a named kind of row, the comparison right, the bridge closed.

One month of our statement (twenty invoices, three payments, a credit note) is written in the
customer's books (their accounts payable: our invoice is their credit) in the style of 金蝶,
用友, a Traditional Chinese ledger, QuickBooks, SAP and Xero, each with the same known
differences: two invoices of another amount, one invoice missing, a payment only in their books
(in transit) and an invoice booked ten days later.
"""

import base64
import csv
import io
import re
import zipfile
from collections import namedtuple
from datetime import date, timedelta

import xlsxwriter
from common import ReconciliationCommon

from odoo.exceptions import UserError
from odoo.tests import tagged

# One entry of their ledger: its date in their books, our document number ("" for a payment),
# our kind of line, the amount in our sign (positive: they owe us more), their voucher number.
Entry = namedtuple("Entry", "day doc kind amount voucher")
THEM = "Haishu Hardware Co., Ltd."
TRANSIT = -2345.67  # their payment that we have not received yet
# The kinds of rows that are not lines, in the order and words of the import's note.
LABELS = [
    ("title", "title"),
    ("header", "column titles"),
    ("subtotal", "subtotal"),
    ("carried", "page carry-over"),
    ("opening", "opening balance"),
    ("closing", "closing balance"),
    ("note", "note (no date, no amount)"),
]
CN = {"invoice": "采购货物", "credit_note": "退货", "payment": "支付货款"}
TW = {"invoice": "採購貨物", "credit_note": "退貨", "payment": "支付貨款"}
KINGDEE_HEADER = ["日期", "凭证字号", "摘要", "发票号", "借方", "贷方", "方向", "余额"]


def money(amount):
    return f"{amount:,.2f}"


def debit_credit(amount):
    """Their debit and credit of an amount of ours: our invoice is their credit."""
    return (round(-amount, 2), None) if amount < 0 else (None, round(amount, 2))


def csv_bytes(rows, encoding="utf-8"):
    output = io.StringIO()
    writer = csv.writer(output, lineterminator="\r\n")
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return output.getvalue().encode(encoding)


def calculated(content):
    """The workbook as a spreadsheet program saves it: its formulas said to be calculated."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/workbook.xml":
                data = re.sub(rb'\s*fullCalcOnLoad="[^"]*"', b"", data)
            target.writestr(info.filename, data)
    return output.getvalue()


def xlsx_bytes(sheets, active=None, saved=True):
    """A workbook of ``sheets`` [(name, rows)]; a cell (formula, value) is a formula and the
    value saved with it. ``saved`` False: written as xlsxwriter does, every formula saved as 0
    and the workbook asking to be calculated on load."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets:
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, value[0], None, value[1] if saved else 0)
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif value is not None:
                    sheet.write(r, c, value)
        if name == active:
            sheet.activate()
    book.close()
    return calculated(output.getvalue()) if saved else output.getvalue()


@tagged("post_install", "-at_install")
class TestCustomerLedgerTools(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("宁波海曙五金有限公司")
        cls._invoice(cls.customer, 800, date(2026, 9, 18))  # the opening balance
        invoices = [
            cls._invoice(cls.customer, 1000 + 123.47 * k, date(2026, 10, 1) + timedelta(days=k))
            for k in range(20)
        ]
        cls._pay(invoices[0], pay_date=date(2026, 10, 15))
        cls._pay(invoices[1], amount=500.13, pay_date=date(2026, 10, 22))
        cls._pay(invoices[4], pay_date=date(2026, 10, 27))
        refund = cls._invoice(cls.customer, 77.77, date(2026, 10, 26), move_type="out_refund")
        cls._reconcile(invoices[2], refund)
        cls.other_amount = {invoices[3]: -30.0, invoices[7]: 12.5}
        cls.missing, cls.late = invoices[11], invoices[9]
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]
        cls.us = cls.company.name
        cls.entries = cls._their_entries()
        cls.opening = cls.session.opening_balance
        cls.closing = round(cls.opening + sum(entry.amount for entry in cls.entries), 2)

    @classmethod
    def _their_entries(cls):
        """Our lines as they booked them (a payment a day before we received it), with the
        known differences; in the order of their dates."""
        entries = []
        for line in cls.session.line_ids.filtered(lambda l: l.kind != "opening"):
            move = line.move_id
            if move == cls.missing:
                continue
            day = line.date + timedelta(days=10 if move == cls.late else 0)
            amount = round(line.amount + cls.other_amount.get(move, 0.0), 2)
            if line.kind == "payment":
                entries.append((day - timedelta(days=1), "", line.kind, amount))
            else:
                entries.append((day, line.name, line.kind, amount))
        entries.append((date(2026, 10, 30), "", "payment", TRANSIT))
        entries.sort(key=lambda entry: entry[0])
        return [Entry(*entry, str(n)) for n, entry in enumerate(entries, 1)]

    def running(self):
        """(entry, their balance after it) in our sign: what they owe us."""
        balance = self.opening
        for entry in self.entries:
            balance = round(balance + entry.amount, 2)
            yield entry, balance

    def totals(self):
        debits = sum(-e.amount for e in self.entries if e.amount < 0)
        credits = sum(e.amount for e in self.entries if e.amount > 0)
        return round(debits, 2), round(credits, 2)

    # ------------------------------------------------------------------ the tools' files
    def kingdee_rows(self):
        """金蝶: a title block, the opening balance on the credit side (贷), a running balance
        written as formulas, 本月合计 and 本年累计."""
        rows = [
            ["应付账款明细账"],
            [f"科目：2202 应付账款—{self.us}", None, None, None, None, None, "期间：2026年10月"],
            KINGDEE_HEADER,
            [date(2026, 10, 1), None, "期初余额", None, None, None, "贷", self.opening],
        ]
        for entry, balance in self.running():
            r = len(rows) + 1
            rows.append(
                [
                    entry.day,
                    f"记-{entry.voucher}",
                    CN[entry.kind],
                    entry.doc or None,
                    *debit_credit(entry.amount),
                    "贷",
                    (f"=H{r - 1}+F{r}-E{r}", balance),
                ]
            )
        debits, credits = self.totals()
        end = date(2026, 10, 31)
        rows.append([end, None, "本月合计", None, debits, credits, "贷", self.closing])
        rows.append(
            [end, None, "本年累计", None, debits + 52000, credits + 61000, "贷", self.closing]
        )
        return rows

    def yonyou(self):
        """用友, GBK: month and day columns, the year only in the title, the month only on the
        first line of the month; 本日合计 after the days of several entries, a page carried
        over (过次页 / 承上页), 本月合计, 本年累计 and who made the report."""
        rows = [
            ["应付账款明细账"],
            [f"科目：2202 应付账款/{self.us}", None, None, "2026年度"],
            ["月", "日", "凭证号", "摘要", "借方", "贷方", "方向", "余额"],
            [None, None, None, "期初余额", None, None, "贷", money(self.opening)],
        ]
        days = [entry.day for entry in self.entries]
        debits = credits = 0.0
        self.yonyou_days = 0
        for n, (entry, balance) in enumerate(self.running()):
            debit, credit = debit_credit(entry.amount)
            debits, credits = debits + (debit or 0), credits + (credit or 0)
            rows.append(
                [
                    "10" if n == 0 else None,
                    str(entry.day.day),
                    f"记-{entry.voucher}",
                    f"{CN[entry.kind]} {entry.doc}".strip(),  # no invoice column: in the text
                    debit and money(debit),
                    credit and money(credit),
                    "贷",
                    money(balance),
                ]
            )
            if days.count(entry.day) > 1 and (n + 1 == len(days) or days[n + 1] != entry.day):
                self.yonyou_days += 1
                same_day = [e.amount for e in self.entries if e.day == entry.day]
                day_debits = -sum(amount for amount in same_day if amount < 0)
                day_credits = sum(amount for amount in same_day if amount > 0)
                total = [money(day_debits), money(day_credits), "贷", money(balance)]
                rows.append([None, str(entry.day.day), None, "本日合计", *total])
            if n == 11:
                carried = [money(debits), money(credits), "贷", money(balance)]
                rows.append([None, None, None, "过次页", *carried])
                rows.append([None, None, None, "承上页", *carried])
        month = [*map(money, self.totals()), "贷", money(self.closing)]
        rows.append([None, None, None, "本月合计", *month])
        rows.append([None, None, None, "本年累计", *month])
        rows.append(["制表：王芳"])
        return csv_bytes(rows, "gbk")

    def traditional(self):
        """A Traditional Chinese ledger in Big5: 憑證號, 發票號碼, 貸方, 餘額, 本月合計."""
        rows = [
            ["應付帳款明細帳"],
            [f"廠商：{self.us}", None, None, None, None, None, "2026年10月"],
            ["日期", "憑證號", "摘要", "發票號碼", "借方", "貸方", "餘額"],
            [None, None, "期初餘額", None, None, None, money(self.opening)],
        ]
        for entry, balance in self.running():
            debit, credit = debit_credit(entry.amount)
            rows.append(
                [
                    f"{entry.day:%Y/%m/%d}",
                    f"記-{entry.voucher}",
                    TW[entry.kind],
                    entry.doc,
                    debit and money(debit),
                    credit and money(credit),
                    money(balance),
                ]
            )
        debits, credits = self.totals()
        rows.append(
            [None, None, "本月合計", None, money(debits), money(credits), money(self.closing)]
        )
        return csv_bytes(rows, "big5")

    def quickbooks(self):
        """QuickBooks' Vendor Balance Detail: our number without separators in Num, bills
        positive and payments negative in Amount, month/day/year dates."""
        rows = [
            [THEM],
            ["Vendor Balance Detail"],
            ["All Dates"],
            [
                "",
                "Date",
                "Transaction Type",
                "Num",
                "Memo/Description",
                "Due Date",
                "Amount",
                "Open Balance",
                "Balance",
            ],
            [self.us, *[None] * 8],
            [None, "Beginning Balance", *[None] * 6, money(self.opening)],
        ]
        kinds = {
            "invoice": ("Bill", "Goods"),
            "credit_note": ("Vendor Credit", "Return"),
            "payment": ("Bill Payment (Check)", "Payment"),
        }
        for entry, balance in self.running():
            kind, memo = kinds[entry.kind]
            bill = entry.kind == "invoice"
            rows.append(
                [
                    None,
                    f"{entry.day:%m/%d/%Y}",
                    kind,
                    re.sub(r"[^A-Za-z0-9]", "", entry.doc) or str(1042 + int(entry.voucher)),
                    memo,
                    f"{entry.day + timedelta(days=30):%m/%d/%Y}" if bill else None,
                    money(entry.amount),
                    money(entry.amount if bill else 0),
                    money(balance),
                ]
            )
        total = money(self.closing - self.opening)
        rows.append([f"Total for {self.us}", *[None] * 5, total, None, money(self.closing)])
        rows.append(["TOTAL", *[None] * 5, total, None, money(self.closing)])
        return csv_bytes(rows)

    def sap(self):
        """SAP FBL1N: our number in Reference, theirs in DocumentNo, their credit negative with
        a trailing minus, dd.mm.yyyy dates (the posting date is theirs), a "*" total row."""
        rows = [
            ["Vendor Line Item Display"],
            ["Vendor 100234", self.us],
            [
                "Assignment",
                "DocumentNo",
                "Type",
                "Doc. Date",
                "Pstng Date",
                "Reference",
                "Amount in LC",
                "Text",
            ],
        ]
        types = {"invoice": "RE", "credit_note": "KG", "payment": "KZ"}
        for entry in self.entries:
            booked = entry.day - timedelta(days=10) if entry.doc == self.late.name else entry.day
            amount = -entry.amount  # their books: our invoice is their credit
            rows.append(
                [
                    "",
                    str(5100000100 + int(entry.voucher)),
                    types[entry.kind],
                    f"{booked:%d.%m.%Y}",
                    f"{entry.day:%d.%m.%Y}",
                    entry.doc,
                    f"{abs(amount):,.2f}" + ("-" if amount < 0 else ""),
                    {"invoice": "Goods", "credit_note": "Return"}.get(entry.kind, "Payment"),
                ]
            )
        rows.append(["*", *[None] * 5, f"{self.closing - self.opening:,.2f}-", None])
        return csv_bytes(rows)

    def xero(self):
        """Xero's Account Transactions: "3 Oct 2026" dates, the running balance growing with
        their credits, Opening Balance, Total and Closing Balance rows."""
        rows = [
            ["Account Transactions"],
            [THEM],
            ["For the period 1 October 2026 to 31 October 2026"],
            ["Date", "Source", "Description", "Reference", "Debit", "Credit", "Running Balance"],
            ["Opening Balance", *[None] * 5, money(self.opening)],
        ]
        sources = {
            "invoice": "Payable Invoice",
            "credit_note": "Payable Credit Note",
            "payment": "Payable Payment",
        }
        for entry, balance in self.running():
            debit, credit = debit_credit(entry.amount)
            rows.append(
                [
                    f"{entry.day.day} {entry.day:%b %Y}",
                    sources[entry.kind],
                    f"{sources[entry.kind]} {self.us}",
                    entry.doc,
                    debit and money(debit),
                    credit and money(credit),
                    money(balance),
                ]
            )
        debits, credits = self.totals()
        rows.append(["Total Accounts Payable", None, None, None, money(debits), money(credits)])
        rows.append(["Closing Balance", *[None] * 5, money(self.closing)])
        return csv_bytes(rows)

    # ------------------------------------------------------------------ checks
    def wizard(self, filename, content):
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        wizard.action_read_file()
        self.assertEqual(wizard.step, "mapping")
        self.assertFalse(wizard.parse_error)
        return wizard

    def rows_summary(self, kinds):
        others = ", ".join(f"{label} {kinds[kind]}" for kind, label in LABELS if kinds.get(kind))
        return f"{len(self.entries)} lines; not lines: {others}"

    def assert_imported(self, kinds, sign="mirror", closing=True):
        """Their lines are the entries written, the other rows named by kind, the comparison
        finds the known differences and nothing else, the bridge closes."""
        session = self.session
        session.invalidate_recordset()
        lines = session.customer_line_ids
        self.assertEqual(
            sorted((line.date, round(line.amount, 2)) for line in lines),
            sorted((entry.day, entry.amount) for entry in self.entries),
        )
        self.assertEqual(len(lines), 24)
        self.assertIn(f"Rows: {self.rows_summary(kinds)}.", session.customer_ledger_import_note)
        self.assertEqual(session.customer_ledger_sign, sign)
        self.assertEqual(
            (
                session.customer_matched_count,
                session.customer_difference_count,
                session.customer_only_ours_count,
                session.customer_only_theirs_count,
            ),
            (20, 3, 1, 1),
        )
        by_status = {}
        for match in session.customer_match_ids:
            by_status.setdefault(match.status, []).append(match)
        self.assertEqual(
            {match.our_document for match in by_status["difference"]},
            {self.late.name, *(move.name for move in self.other_amount)},
        )
        [late] = [m for m in by_status["difference"] if m.our_document == self.late.name]
        self.assertEqual(
            (late.date_differs, late.amount_differs, late.day_difference), (True, False, 10)
        )
        [ours] = by_status["only_ours"]
        self.assertEqual(
            (ours.our_document, ours.dispute_reason), (self.missing.name, "missing_invoice")
        )
        [theirs] = by_status["only_theirs"]
        self.assertAlmostEqual(theirs.their_amount, TRANSIT, places=2)
        self.assertEqual(theirs.dispute_reason, "payment_not_recorded")
        self.assertTrue(all(line.match_id for line in lines))
        self.assertAlmostEqual(session.customer_bridge_differences, -17.5, places=2)
        self.assertEqual(session.customer_ledger_closing_known, closing)
        if closing:
            self.assertEqual(session.customer_ledger_opening_known, True)
            self.assertAlmostEqual(session.customer_ledger_opening, self.opening, places=2)
            self.assertAlmostEqual(session.customer_bridge_opening, 0, places=2)
            self.assertAlmostEqual(session.customer_ledger_closing_reported, self.closing, places=2)
            self.assertAlmostEqual(session.customer_bridge_their_closing, self.closing, places=2)
            self.assertAlmostEqual(session.customer_bridge_unexplained, 0, places=2)

    # ------------------------------------------------------------------ one test a tool
    def test_the_statement_the_files_are_written_from(self):
        kinds = self.session.line_ids.mapped("kind")
        self.assertEqual(
            {kind: kinds.count(kind) for kind in set(kinds)},
            {"opening": 1, "invoice": 20, "payment": 3, "credit_note": 1},
        )
        self.assertAlmostEqual(self.opening, 800, places=2)
        self.assertEqual(len(self.entries), 24)  # 24 of ours, one missing, one only theirs

    def test_kingdee_xlsx(self):
        self.session._import_customer_ledger(
            "金蝶.xlsx", xlsx_bytes([("明细账", self.kingdee_rows())])
        )
        self.assert_imported({"title": 2, "header": 1, "subtotal": 2, "opening": 1})
        self.assertIn(
            "their document numbers that are ours", self.session.customer_ledger_import_note
        )
        line = self.session.customer_line_ids[0]
        self.assertEqual((line.row_number, line.voucher, line.description), (5, "记-1", "采购货物"))

    def test_yonyou_gbk_csv(self):
        content = self.yonyou()
        self.assertGreaterEqual(self.yonyou_days, 2)
        self.session._import_customer_ledger("用友.csv", content)
        kinds = {"title": 2, "header": 1, "subtotal": self.yonyou_days + 2, "carried": 2}
        self.assert_imported({**kinds, "opening": 1, "note": 1})

    def test_yonyou_through_the_wizard(self):
        content = self.yonyou()
        wizard = self.wizard("用友.csv", content)
        self.assertEqual(wizard.header_row, 3)
        self.assertEqual(
            {column.header: column.role for column in wizard.column_ids},
            {
                "月": "month",
                "日": "day",
                "凭证号": "voucher",
                "摘要": "description",
                "借方": "debit",
                "贷方": "credit",
                "方向": "direction",
                "余额": "balance",
            },
        )
        kinds = {"title": 2, "header": 1, "subtotal": self.yonyou_days + 2, "carried": 2}
        kinds.update(opening=1, note=1)
        self.assertEqual(wizard.rows_info, self.rows_summary(kinds))
        self.assertEqual(wizard.sign_convention, "mirror")
        self.assertFalse(wizard.sign_conflict)
        self.assertTrue(wizard.sign_note.startswith("Shown by the file"))
        wizard.action_import()
        self.assert_imported(kinds)

    def test_traditional_chinese_big5_csv(self):
        self.session._import_customer_ledger("台灣.csv", self.traditional())
        self.assert_imported({"title": 2, "header": 1, "subtotal": 1, "opening": 1})
        self.assertEqual(self.session.customer_line_ids[0].description, "採購貨物")

    def test_quickbooks_vendor_balance_detail(self):
        """Their bills positive, as ours: the file shows our convention, and says so."""
        self.session._import_customer_ledger("quickbooks.csv", self.quickbooks())
        kinds = {"title": 3, "header": 1, "subtotal": 2, "opening": 1, "note": 1}
        self.assert_imported(kinds, sign="same")
        note = self.session.customer_ledger_import_note
        self.assertIn("Amounts read as: Our convention", note)
        self.assertIn("Dates read as month/day/year.", note)
        compact = re.sub(r"[^A-Za-z0-9]", "", self.late.name)
        [late] = self.session.customer_line_ids.filtered(lambda l: l.reference == compact)
        self.assertEqual(late.match_id.our_document, self.late.name)

    def test_quickbooks_through_the_wizard(self):
        wizard = self.wizard("quickbooks.csv", self.quickbooks())
        self.assertEqual(wizard.header_row, 4)
        roles = {column.header: column.role for column in wizard.column_ids if column.role}
        self.assertEqual(
            roles,
            {
                "Date": "date",
                "Num": "reference",
                "Memo/Description": "description",
                "Amount": "amount",
                "Balance": "balance",
            },
        )
        self.assertEqual(wizard.sign_convention, "same")
        self.assertFalse(wizard.day_order_open)
        wizard.action_import()
        self.assert_imported(
            {"title": 3, "header": 1, "subtotal": 2, "opening": 1, "note": 1}, sign="same"
        )

    def test_sap_fbl1n_csv(self):
        """No balance column: no closing to bridge to, and none made up."""
        self.session._import_customer_ledger("FBL1N.csv", self.sap())
        self.assert_imported({"title": 2, "header": 1, "subtotal": 1}, closing=False)
        self.assertFalse(self.session.customer_ledger_opening_known)
        [late] = self.session.customer_line_ids.filtered(lambda l: l.reference == self.late.name)
        self.assertEqual(late.date, self.late.invoice_date + timedelta(days=10))  # Pstng Date
        self.assertEqual(late.voucher[:4], "5100")

    def test_xero_account_transactions(self):
        self.session._import_customer_ledger("xero.csv", self.xero())
        kinds = {"title": 3, "header": 1, "subtotal": 1, "opening": 1, "closing": 1}
        self.assert_imported(kinds)

    # ------------------------------------------------------------------ silent drops of the past
    def test_formulas_never_calculated_are_refused(self):
        """xlsxwriter saves the running balance as 0: refused naming the cells, nothing kept."""
        content = xlsx_bytes([("明细账", self.kingdee_rows())], saved=False)
        with self.assertRaises(UserError) as caught:
            self.session._import_customer_ledger("金蝶.xlsx", content)
        self.assertIn(
            '金蝶.xlsx, sheet "明细账": the formulas in H5, H6, H7, H8, H9, H10, H11, H12, H13, '
            "H14 and 14 more were not calculated when the file was saved.",
            str(caught.exception),
        )
        self.assertFalse(self.session.customer_line_ids)
        self.assertFalse(self.session.customer_ledger_import_date)
        self.assertFalse(self.customer.reconciliation_ledger_mapping)

    def test_the_ledger_sheet_behind_a_summary(self):
        debits, credits = self.totals()
        summary = [
            ["往来汇总表"],
            ["供应商", "期初余额", "本期借方", "本期贷方", "期末余额"],
            [self.us, self.opening, debits, credits, ("=明细!H28", self.closing)],
        ]
        content = xlsx_bytes([("汇总", summary), ("明细", self.kingdee_rows())], active="汇总")
        wizard = self.wizard("金蝶.xlsx", content)
        self.assertIn("明细", wizard.file_info)
        self.assertEqual(wizard.header_row, 3)
        self.session._import_customer_ledger("金蝶.xlsx", content)
        self.assert_imported({"title": 2, "header": 1, "subtotal": 2, "opening": 1})

    def test_the_file_shows_its_sign_whatever_was_remembered(self):
        self.customer.reconciliation_ledger_mapping = {"sign": "same"}
        content = xlsx_bytes([("明细账", self.kingdee_rows())])
        wizard = self.wizard("金蝶.xlsx", content)
        self.assertEqual((wizard.sign_convention, wizard.sign_conflict), ("mirror", True))
        self.session._import_customer_ledger("金蝶.xlsx", content)
        self.assert_imported({"title": 2, "header": 1, "subtotal": 2, "opening": 1})
        self.assertNotIn("remembered", self.session.customer_ledger_import_note)
        self.assertEqual(self.customer.reconciliation_ledger_mapping["sign"], "mirror")
