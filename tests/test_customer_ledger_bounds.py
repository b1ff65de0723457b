"""The bounds of the customer's-ledger import: every malformed or oversized file is refused with
one message naming what is wrong, through the wizard and through ``_import_customer_ledger`` (the
portal's path), and leaves the statement exactly as it was: its lines, comparison, attachments,
fields, chatter and the customer's remembered mapping."""

import base64
import csv
import io
import random
import re
import zipfile
from datetime import date
from unittest.mock import patch

import xlsxwriter
from common import ReconciliationCommon

from odoo.exceptions import UserError
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing as lp
from odoo.addons.customer_reconciliation.tools.customer_ledger import reading

HEADER = ["日期", "摘要", "发票号", "借方", "贷方", "余额"]


def csv_bytes(rows, encoding="utf-8"):
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return text.getvalue().encode(encoding)


def xlsx_bytes(rows, cells=()):
    """A workbook of ``rows``, plus single ``cells`` (row, column, value) anywhere."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    for r, c, value in cells:
        sheet.write(r, c, value)
    book.close()
    return output.getvalue()


def rezip(content, replace=None, add=None):
    """The XLSX ``content`` with parts rewritten: ``replace`` {name: function(bytes) -> bytes},
    ``add`` {name: iterable of byte chunks}, written in a stream (never held in memory)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if add and info.filename in add:
                continue
            data = source.read(info.filename)
            if replace and info.filename in replace:
                data = replace[info.filename](data)
            target.writestr(info.filename, data)
        for name, chunks in (add or {}).items():
            with target.open(name, "w", force_zip64=True) as stream:
                for chunk in chunks:
                    stream.write(chunk)
    return output.getvalue()


def set_dimension(ref):
    """A part rewrite: the sheet's declared dimension becomes ``ref`` (or goes when None)."""

    def rewrite(xml):
        tag = f'<dimension ref="{ref}"/>'.encode() if ref else b""
        return re.sub(rb"<dimension [^>]*/>", tag, xml)

    return rewrite


@tagged("post_install", "-at_install")
class TestLedgerBounds(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Bounds Customer")
        cls.inv = cls._invoice(cls.customer, 1200, date(2026, 10, 5))
        cls.inv2 = cls._invoice(cls.customer, 800, date(2026, 10, 12))
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]
        cls.good = csv_bytes(
            [
                HEADER,
                ["2026-10-05", "采购", cls.inv.name, None, "1,200.00", "1,200.00"],
                ["2026-10-12", "采购", cls.inv2.name, None, "800.00", "2,000.00"],
            ]
        )

    def setUp(self):
        super().setUp()
        # A previous import, which every refused file must leave as it is.
        self.session._import_customer_ledger("previous.csv", self.good)
        self.env.flush_all()

    # ------------------------------------------------------------------ helpers
    def row(self, description="采购"):
        return ["2026-10-05", description, self.inv.name, None, "1,200.00", "1,200.00"]

    def state(self):
        """Everything an import writes, as plain values."""
        self.env.flush_all()
        self.env.invalidate_all()
        session = self.session
        return {
            "lines": sorted(
                session.customer_line_ids.mapped(lambda l: (l.id, l.row_number, l.amount))
            ),
            "line_count": self.env["customer.reconciliation.customer.line"].search_count([]),
            "matches": sorted(session.customer_match_ids.ids),
            "match_count": self.env["customer.reconciliation.match"].search_count([]),
            "attachments": self.env["ir.attachment"].search_count(
                [("res_model", "=", session._name), ("res_id", "=", session.id)]
            ),
            "all_attachments": self.env["ir.attachment"].search_count([]),
            "messages": len(session.message_ids),
            "session": session.read(
                [
                    "customer_ledger_attachment_id",
                    "customer_ledger_import_date",
                    "customer_ledger_match_date",
                    "customer_ledger_sign",
                    "customer_ledger_opening",
                    "customer_ledger_closing_reported",
                    "customer_ledger_date_tolerance",
                    "customer_ledger_amount_tolerance",
                    "state",
                ]
            ),
            "mapping": self.customer.reconciliation_ledger_mapping,
        }

    def through_wizard(self, filename, content):
        """As the UI does: upload, Next, then Import and Compare (with new tolerances)."""
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        wizard.action_read_file()
        wizard.write({"date_tolerance": 3, "amount_tolerance": 1.0})
        wizard.action_import()

    def through_portal(self, filename, content):
        self.session._import_customer_ledger(filename, content)

    def assert_refused(self, cases):
        """Each (filename, content, message) is refused by both paths, leaving no trace;
        ``message``: one for both, or (through the wizard, through the portal)."""
        for filename, content, messages in cases:
            if isinstance(messages, str):
                messages = (messages, messages)
            for path, message in zip((self.through_wizard, self.through_portal), messages):
                with self.subTest(file=filename, path=path.__name__):
                    before = self.state()
                    with self.assertRaises(UserError) as caught:
                        path(filename, content)
                    self.assertIn(message, str(caught.exception))
                    self.assertEqual(self.state(), before)

    # ------------------------------------------------------------------ bad files
    def test_empty_and_not_spreadsheets(self):
        rnd = random.Random(7)
        garbage = bytes(rnd.randrange(1, 256) for _ in range(8192))  # no NUL byte
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("word/document.xml", "<w:document/>")
        self.assert_refused(
            [
                # The wizard has no file at all: an empty upload is none.
                # An empty upload is named as such, by both paths.
                ("empty.csv", b"", "empty.csv is empty."),
                ("blank.csv", b" \r\n\t\n", "blank.csv is empty."),
                ("commas.csv", b",,,\n,,\n", "commas.csv is empty."),
                (
                    "header.csv",
                    csv_bytes([HEADER]),
                    "header.csv has no ledger lines below its header row (row 1).",
                ),
                (
                    "blank_rows.csv",
                    csv_bytes([HEADER, [None] * 6, [None] * 6]),
                    "blank_rows.csv has no ledger lines below its header row (row 1).",
                ),
                (
                    "garbage.csv",
                    garbage,
                    "garbage.csv: the text encoding cannot be read; save the CSV as UTF-8, GBK or Big5.",
                ),
                (
                    "noise.csv",
                    bytes(rnd.randrange(0, 256) for _ in range(8192)),
                    "noise.csv is not a spreadsheet: it holds binary data (a NUL byte at byte",
                ),
                ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + garbage, "photo.xlsx is not a spreadsheet"),
                ("scan.csv", b"%PDF-1.7\n" + garbage, "scan.csv is not a spreadsheet"),
                ("letter.xlsx", docx.getvalue(), "letter.xlsx is not a spreadsheet"),
                (
                    "cut.xlsx",
                    xlsx_bytes([HEADER, self.row()])[:-200],
                    "cut.xlsx is not a spreadsheet",
                ),
            ]
        )

    def test_text_encodings_and_control_bytes(self):
        utf8 = csv_bytes([HEADER, self.row("采购货物一批，含运费")])
        mixed = utf8 + csv_bytes([["2026-10-07", "退货冲销", "X-2", None, "1", "6"]], "gbk")
        try:
            mixed.decode()
        except UnicodeDecodeError as error:
            invalid = error.start
        nul = csv_bytes([HEADER, self.row()]) * 3 + b"2026-10-08,a\x00b,X-3,,1,1\n"
        zero = nul.index(b"\x00")
        self.assert_refused(
            [
                (
                    "mixed.csv",
                    mixed,
                    f"mixed.csv mixes text encodings: it is UTF-8 up to byte {invalid:,}, then not.",
                ),
                (
                    "nul.csv",
                    nul,
                    f"nul.csv is not a spreadsheet: it holds binary data (a NUL byte at byte {zero:,}).",
                ),
            ]
        )

    def test_too_many_rows_columns_and_characters(self):
        rows = [HEADER] + [["2026-10-05", "x", "", "1"]] * reading.MAX_ROWS  # one row too many
        wide = [HEADER + [f"x{n}" for n in range(100)], self.row()]
        self.assert_refused(
            [
                (
                    "rows.csv",
                    csv_bytes(rows),
                    "rows.csv has more than 200,000 rows with data: at most 200,000 rows and 64 "
                    "columns can be imported.",
                ),
                (
                    "wide.csv",
                    csv_bytes(wide),
                    "wide.csv, row 1 has 106 columns (the last one DB): at most 64 columns can be "
                    "imported.",
                ),
                (
                    "cell.csv",
                    csv_bytes([HEADER, self.row(), self.row("x" * (1 << 20))]),
                    # Odoo raises the csv module's field limit: the cell is read, then refused.
                    "cell.csv, row 3, column B: the cell holds 1,048,576 characters; at most 1,000 "
                    "characters per cell can be imported.",
                ),
                (
                    "long.csv",
                    csv_bytes([HEADER, self.row("说明" * 1000)]),
                    "long.csv, row 2, column B: the cell holds 2,000 characters; at most 1,000",
                ),
                (
                    "long.xlsx",
                    xlsx_bytes([HEADER, self.row("y" * 1001)]),
                    "long.xlsx, row 2, column B: the cell holds 1,001 characters",
                ),
            ]
        )

    def test_xlsx_claiming_or_holding_huge_dimensions(self):
        good = xlsx_bytes([HEADER, self.row()])
        sheet = "xl/worksheets/sheet1.xml"
        far = xlsx_bytes([HEADER, self.row()], cells=[(1048575, 16383, "x")])
        wide = xlsx_bytes([HEADER, self.row()], cells=[(0, 16383, "x")])
        self.assert_refused(
            [
                (
                    "declared.xlsx",
                    rezip(good, replace={sheet: set_dimension("A1:XFD1048576")}),
                    "declared.xlsx claims 1,048,576 rows x 16,384 columns: at most 200,000 rows and "
                    "64 columns can be imported.",
                ),
                (
                    "tall.xlsx",
                    rezip(good, replace={sheet: set_dimension("A1:F300000")}),
                    "tall.xlsx claims 300,000 rows x 6 columns",
                ),
                # xlsxwriter declares the cell at XFD1048576 in the dimension...
                ("far.xlsx", far, "far.xlsx claims 1,048,576 rows x 16,384 columns"),
                # ... and without the dimension the cell is found when its row is read.
                (
                    "far_undeclared.xlsx",
                    rezip(far, replace={sheet: set_dimension(None)}),
                    "far_undeclared.xlsx, row 1,048,576 has 16,384 columns (the last one XFD): at "
                    "most 64 columns can be imported.",
                ),
                (
                    "wide_undeclared.xlsx",
                    rezip(wide, replace={sheet: set_dimension(None)}),
                    "wide_undeclared.xlsx, row 1 has 16,384 columns (the last one XFD)",
                ),
            ]
        )

    def test_xlsx_zip_bombs(self):
        good = xlsx_bytes([HEADER, self.row()])
        megabyte = b" " * (1 << 20)
        strings = [b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">']
        strings += [b"<si><t>x</t></si>" * 61681] * 40 + [b"</sst>"]
        self.assert_refused(
            [
                (
                    "bomb.xlsx",
                    # A worksheet of 210 MB of blanks, about 200 KB zipped.
                    rezip(good, add={"xl/worksheets/sheet2.xml": [megabyte] * 210}),
                    "bomb.xlsx unpacks to 210 MB (xl/worksheets/sheet2.xml: 210 MB): at most 200 MB",
                ),
                (
                    "strings.xlsx",
                    rezip(good, add={"xl/sharedStrings.xml": strings}),
                    "strings.xlsx unpacks to 40 MB (xl/sharedStrings.xml: 40 MB): at most 200 MB in "
                    "all and 32 MB per part other than a worksheet can be imported.",
                ),
            ]
        )

    def test_xls_too_wide(self):
        # xlwt is one of Odoo 19's own requirements: the test runs wherever Odoo does.
        import xlwt  # noqa: PLC0415 - only to write an Excel 97 file

        book = xlwt.Workbook()
        sheet = book.add_sheet("Sheet1")
        for c, value in enumerate(HEADER):
            sheet.write(0, c, value)
        sheet.write(1, 255, "x")  # IV2, the last column of Excel 97
        output = io.BytesIO()
        book.save(output)
        self.assert_refused(
            [
                (
                    "wide.xls",
                    output.getvalue(),
                    "wide.xls claims 2 rows x 256 columns: at most 200,000 rows and 64 columns",
                )
            ]
        )

    def test_bad_values(self):
        def one(debit, day="2026-10-05"):
            return csv_bytes([HEADER, [day, "采购", "X-1", debit, None, None]])

        column = '"借方" (D)'
        self.assert_refused(
            [
                ("nan.csv", one("nan"), f"nan.csv, row 2, column {column}: nan is not an amount."),
                ("inf.csv", one("inf"), f"inf.csv, row 2, column {column}: inf is not an amount."),
                ("-inf.csv", one("-Infinity"), "-Infinity is not an amount."),
                (
                    "e400.csv",
                    one("1e400"),
                    f"e400.csv, row 2, column {column}: 1e400 is not an amount.",
                ),
                (
                    "huge.csv",
                    one("1000000000000000"),
                    f"huge.csv, row 2, column {column}: 1000000000000000 is beyond the amounts that "
                    "can be imported (less than 10,000,000,000,000).",
                ),
                ("digits.csv", one("9" * 900), "is beyond the amounts that can be imported"),
                (
                    "huge.xlsx",
                    xlsx_bytes([HEADER, ["2026-10-05", "采购", "X-1", 1e20, None, None]]),
                    'huge.xlsx, row 2, column "借方" (D): 1e+20 is beyond the amounts',
                ),
                (
                    "first.csv",
                    one("1", "0001-01-01"),
                    'first.csv, row 2, column "日期" (A): 0001-01-01 is outside the dates that can be '
                    "imported (1900-01-01 to 2199-12-31).",
                ),
                ("last.csv", one("1", "9999-12-31"), "9999-12-31 is outside the dates"),
                (
                    "feb30.csv",
                    one("1", "2026-02-30"),
                    'feb30.csv, row 2, column "日期" (A): 2026-02-30 is not a date.',
                ),
                ("month13.csv", one("1", "2026-13-01"), "2026-13-01 is not a date."),
            ]
        )

    def test_too_slow_is_refused_not_killed(self):
        rows = csv_bytes([HEADER] + [self.row()] * 3000)
        with patch.object(reading, "TIME_LIMIT", 0):
            # As soon as it is opened: its rows could not be imported in the time left.
            self.assert_refused(
                [
                    (
                        "slow.csv",
                        rows,
                        "slow.csv has about 3,001 rows: importing them would take about",
                    ),
                    ("small.csv", self.good, "rows: importing them would take about 0 seconds"),
                ]
            )
            # While its rows are read (every 1,024 rows), when the estimate let it through.
            with patch.object(reading.Deadline, "reserve", return_value=None):
                self.assert_refused(
                    [
                        (
                            "slow.csv",
                            rows,
                            "slow.csv cannot be imported within 0 seconds (stopped at row 1,024)",
                        )
                    ]
                )
        with patch.object(reading, "COMPARE_SECONDS_PER_LINE", 1.0):
            self.assert_refused(
                [
                    (
                        "many.csv",
                        rows,
                        "many.csv has 3,000 lines: comparing them with the statement would take about "
                        "3,000 seconds, and an import may take 15 seconds.",
                    )
                ]
            )

    def test_failure_after_the_writes_leaves_nothing(self):
        """A failure once the lines are written (here, in the comparison) rolls them back."""
        before = self.state()
        Session = type(self.session)
        with patch.object(Session, "_match_customer_ledger", side_effect=UserError("boom")):
            for path in (self.through_wizard, self.through_portal):
                with self.subTest(path=path.__name__), self.assertRaisesRegex(UserError, "boom"):
                    path("other.csv", csv_bytes([HEADER, self.row()]))
                self.assertEqual(self.state(), before)
        with patch.object(reading.Deadline, "reserve", return_value=None):
            with patch.object(reading, "TIME_LIMIT", 0), self.assertRaises(UserError) as caught:
                self.through_portal("late.csv", self.good)  # the check before comparing
        self.assertIn("late.csv cannot be imported within 0 seconds", str(caught.exception))
        self.assertEqual(self.state(), before)

    # ------------------------------------------------------------------ what is accepted
    def test_formulas_as_descriptions_are_plain_text(self):
        link = '=HYPERLINK("http://example.com/x","付款")'
        for filename, content in (
            ("formula.csv", csv_bytes([HEADER, self.row(link)])),
            ("formula.xlsx", xlsx_bytes([HEADER, self.row(link)])),
        ):
            with self.subTest(file=filename):
                [line] = self.session._import_customer_ledger(filename, content)
                self.assertEqual(line.description, link)

    def test_trailing_empty_columns_and_rows_are_not_counted(self):
        # Excel's CSV of a sheet formatted far right and far down: empty cells and rows.
        rows = [HEADER + [None] * 200] + [self.row() + [None] * 200] + [[None] * 206] * 1000
        lines = self.session._import_customer_ledger("padded.csv", csv_bytes(rows))
        self.assertEqual(len(lines), 1)

    def test_lines_are_written_as_the_orm_would(self):
        rows = [HEADER] + [
            [f"2026-10-{1 + n % 28:02d}", f"采购 {n}", f"X-{n}", None, f"{n * 1000:,}.005", None]
            for n in range(1, 2501)
        ]
        lines = self.session._import_customer_ledger("many.csv", csv_bytes(rows))
        self.assertEqual(len(lines), 2500)
        first = lines[0]
        self.assertEqual(
            (first.row_number, first.date, first.reference, first.description),
            (2, date(2026, 10, 2), "X-1", "采购 1"),
        )
        # Their credit is our debit (mirror); amounts rounded half up as the currency does.
        self.assertEqual((first.their_credit, first.amount, first.balance), (1000.01, 1000.01, 0.0))
        self.assertEqual(first.company_id, self.session.company_id)
        self.assertEqual(first.attachment_id, self.session.customer_ledger_attachment_id)
        # Who imported and when: the file's and the statement's (lines have no log columns).
        self.assertEqual(first.attachment_id.create_uid, self.env.user)
        self.assertTrue(self.session.customer_ledger_import_date)
        self.assertNotIn("create_uid", first._fields)
        self.assertTrue(all(line.match_id for line in lines))
        self.assertEqual(len(lines.filtered(lambda l: l.match_status == "only_theirs")), 2500)


# ---------------------------------------------------------------------- pure Python
def test_the_ceilings_are_the_ones_documented():
    assert (reading.MAX_ROWS, reading.MAX_COLUMNS, reading.MAX_CELL_LENGTH) == (200_000, 64, 1_000)
    assert reading.MAX_FILE_SIZE == 10 * 1024 * 1024
    assert reading.TIME_LIMIT == 15
    assert lp.MAX_ROWS is reading.MAX_ROWS


def test_bounded_values():
    assert lp.parse_amount("9,999,999,999,999.99") == lp.parse_amount("9999999999999.99")
    assert lp.parse_date("1900-01-01") == date(1900, 1, 1)
    assert lp.parse_date("2199-12-31") == date(2199, 12, 31)
    for value in ("10000000000000", 1e13, -(10**13)):
        try:
            lp.parse_amount(value)
        except ValueError:
            continue
        raise AssertionError(value)
