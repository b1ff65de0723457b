"""Reading customers' ledger files (pure Python, no database): formats, encodings, headers,
dates, amounts, sign conventions and every bad input."""

import io
import random
import zipfile
from datetime import date, datetime
from decimal import Decimal

import openpyxl
import pytest
import xlsxwriter
from test_customer_ledger_xlsx import calculated

from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing as lp
from odoo.addons.customer_reconciliation.tools.customer_ledger import reading

# A Kingdee-like AP detail ledger of us: a title block, Chinese headers, opening row, a
# subtotal, their credit = our invoice, their debit = their payment.
KINGDEE_ROWS = [
    ["应付账款明细账"],
    ["供应商：上海星河贸易有限公司", None, None, "期间：2026年10月"],
    [],
    ["日期", "凭证字号", "摘要", "发票号", "借方", "贷方", "方向", "余额"],
    [None, None, "期初余额", None, None, None, "贷", "10,000.00"],
    ["2026-10-03", "记-1", "采购货物", "INV/2026/00412", None, "11,300.00", "贷", "21,300.00"],
    ["2026-10-30", "记-9", "支付货款", None, "5,000.00", None, "贷", "16,300.00"],
    [None, None, "本月合计", None, "5,000.00", "11,300.00", "贷", "16,300.00"],
    [None, None, "本年累计", None, "5,000.00", "11,300.00", "贷", "16,300.00"],
]


def xlsx_bytes(rows, formulas=None):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet("明细账")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, (date, datetime)):
                sheet.write_datetime(r, c, value, book.add_format({"num_format": "yyyy-mm-dd"}))
            elif value is not None:
                sheet.write(r, c, value)
    for (r, c), (formula, value) in (formulas or {}).items():
        sheet.write_formula(r, c, formula, None, value)
    book.close()
    return output.getvalue()


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    text = (
        "\n".join(
            delimiter.join(
                "" if v is None else f'"{v}"' if delimiter in str(v) else str(v) for v in row
            )
            for row in rows
        )
        + "\n"
    )
    return text.encode(encoding)


def read(content, filename="ledger.xlsx", sign=-1):
    _table, _position, _mapping, ledger = lp.read_ledger(content, filename)
    return ledger.apply_sign(sign)


def summary(ledger):
    return [(line.row, line.date, line.amount) for line in ledger.lines]


KINGDEE_EXPECTED = [
    (6, date(2026, 10, 3), Decimal("11300.00")),
    (7, date(2026, 10, 30), Decimal("-5000.00")),
]


# ---------------------------------------------------------------------- formats and encodings
def test_xlsx_with_title_block_opening_and_subtotal_rows():
    ledger = read(xlsx_bytes(KINGDEE_ROWS))
    assert summary(ledger) == KINGDEE_EXPECTED
    assert ledger.lines[0].reference == "INV/2026/00412"
    assert ledger.lines[0].voucher == "记-1"
    assert ledger.lines[1].description == "支付货款"
    assert ledger.opening == Decimal("10000.00")
    assert ledger.closing == Decimal("16300.00")
    assert [line.balance for line in ledger.lines] == [Decimal("21300.00"), Decimal("16300.00")]
    assert ledger.skipped == 3  # opening row, 本月合计, 本年累计


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_encodings(encoding):
    ledger = read(csv_bytes(KINGDEE_ROWS, encoding), "ledger.csv")
    assert summary(ledger) == KINGDEE_EXPECTED
    assert ledger.lines[1].description == "支付货款"


def test_csv_encoding_is_reported():
    table = lp.read_table(csv_bytes(KINGDEE_ROWS, "gbk"), "ledger.csv")
    assert table.format == "csv" and table.detail.startswith("gb18030")
    table = lp.read_table(csv_bytes(KINGDEE_ROWS, "utf-8-sig"), "ledger.csv")
    assert table.detail.startswith("utf-8-sig")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_csv_delimiters(delimiter):
    ledger = read(csv_bytes(KINGDEE_ROWS, delimiter=delimiter), "ledger.csv")
    assert summary(ledger) == KINGDEE_EXPECTED


def test_xls_excel_97():
    xlwt = pytest.importorskip("xlwt")
    book = xlwt.Workbook()
    sheet = book.add_sheet("Sheet1")
    for r, row in enumerate(KINGDEE_ROWS):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    output = io.BytesIO()
    book.save(output)
    assert summary(read(output.getvalue(), "ledger.xls")) == KINGDEE_EXPECTED


def test_english_headers_signed_amount_and_excel_dates():
    rows = [
        ["Customer ledger: Pacific Rim Imports"],
        ["Posting Date", "Reference", "Description", "Amount", "Balance"],
        [datetime(2026, 10, 3), "INV/2026/00412", "Invoice", -11300.0, -11300.0],
        [46325, "PAY-77", "Payment", 5000, -6300.0],
        ["Total", None, None, -6300.0, None],
    ]
    ledger = read(xlsx_bytes(rows))
    assert summary(ledger) == [
        (3, date(2026, 10, 3), Decimal("11300.0")),
        (4, date(2026, 10, 30), Decimal(-5000)),
    ]
    assert ledger.closing == Decimal("6300.0")
    assert ledger.skipped == 1


def test_our_convention_single_amount_column():
    rows = [
        ["日期", "单号", "金额"],
        ["2026-10-03", "INV/2026/00412", "11,300.00"],
        ["2026-10-30", "", "(5,000.00)"],
    ]
    ledger = read(csv_bytes(rows), "ledger.csv", sign=1)
    assert summary(ledger) == [
        (2, date(2026, 10, 3), Decimal("11300.00")),
        (3, date(2026, 10, 30), Decimal("-5000.00")),
    ]


def test_formula_with_cached_value_is_read_when_the_file_was_calculated():
    rows = [["日期", "摘要", "贷方"], ["2026-10-03", "采购", 100], ["2026-10-04", "采购", None]]
    content = xlsx_bytes(rows, formulas={(2, 2): ("=C2*2", 200)})
    # xlsxwriter asks for a calculation on opening: its cached values are not trusted.
    with pytest.raises(lp.LedgerError, match="C3 were not calculated"):
        read(content)
    assert summary(read(calculated(content))) == [
        (2, date(2026, 10, 3), Decimal(100)),
        (3, date(2026, 10, 4), Decimal(200)),
    ]


def test_header_guess_and_remembered_mapping():
    headers = ["凭证日期", "凭证号", "摘要", "借方金额", "贷方金额", "余额"]
    assert lp.guess_mapping(headers) == {
        "date": 0,
        "voucher": 1,
        "description": 2,
        "debit": 3,
        "credit": 4,
        "balance": 5,
    }
    # Remembered: their "摘要" column actually holds our invoice number.
    remembered = {
        "date": "凭证日期",
        "reference": "摘要",
        "debit": "借方金额",
        "credit": "贷方金额",
    }
    mapping = lp.guess_mapping(headers, remembered)
    assert mapping["reference"] == 2 and "description" not in mapping


def test_blank_rows_notes_and_zero_rows_are_skipped():
    rows = [
        ["日期", "摘要", "借方", "贷方"],
        [],
        ["2026-10-03", "采购", None, "100"],
        ["制表人：张三", None, None, None],
        ["2026-10-05", "调整", "0.00", None],
        [None, "小计", "0", "100"],
    ]
    ledger = read(csv_bytes(rows), "ledger.csv")
    assert summary(ledger) == [(3, date(2026, 10, 3), Decimal(100))]
    # Every row is counted by its kind: none is dropped without a name.
    assert {kind: n for kind, n in ledger.kinds.items() if n} == {
        "header": 1,
        "note": 1,
        "zero": 1,
        "subtotal": 1,
    }


def test_a_dated_row_without_amount_is_an_error():
    rows = [
        ["日期", "摘要", "借方", "贷方"],
        ["2026-10-03", "采购", None, "100"],
        ["2026-10-04", "退货"],
    ]
    with pytest.raises(lp.LedgerError) as caught:
        read(csv_bytes(rows), "ledger.csv")
    assert caught.value.params["row"] == "3"


# ---------------------------------------------------------------------- values
@pytest.mark.parametrize(
    "value",
    [
        "2026-11-03",
        "2026/11/3",
        "2026年11月3日",
        "20261103",
        "03.11.2026",
        "2026.11.03",
        46329,
        46329.0,
        "46329",
        20261103,
        "2026-11-03 00:00:00",
        "2026/11/3 0:00",
        "3-Nov-2026",
        "２０２６－１１－０３",
        datetime(2026, 11, 3, 8, 0),
        date(2026, 11, 3),
    ],
)
def test_dates(value):
    assert lp.parse_date(value) == date(2026, 11, 3)


def test_slash_dates_follow_the_column():
    rows = [["Date", "Amount"], ["11/3/2026", "10"], ["11/25/2026", "20"]]
    assert [line.date for line in read(csv_bytes(rows), "l.csv").lines] == [
        date(2026, 11, 3),
        date(2026, 11, 25),
    ]
    rows = [["Date", "Amount"], ["3/11/2026", "10"], ["25/11/2026", "20"]]
    assert [line.date for line in read(csv_bytes(rows), "l.csv").lines] == [
        date(2026, 11, 3),
        date(2026, 11, 25),
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("¥1,234.56", "1234.56"),
        ("￥1,234.56", "1234.56"),
        ("1,234.56元", "1234.56"),
        ("RMB 1,234.56", "1234.56"),
        ("CNY1234.56", "1234.56"),
        ("$ 1,234.56", "1234.56"),
        ("(1,234.56)", "-1234.56"),
        ("（1,234.56）", "-1234.56"),
        ("-1,234.56", "-1234.56"),
        ("−1,234.56", "-1234.56"),
        ("1,234.56-", "-1234.56"),
        ("¥-1,234.56", "-1234.56"),
        ("-¥1,234.56", "-1234.56"),
        ("１，２３４．５６", "1234.56"),
        ("1.234,56 €", "1234.56"),
        ("1234,5", "1234.5"),
        ("1 234.56", "1234.56"),
        ("+12", "12"),
        (1234.56, "1234.56"),
        (1234, "1234"),
    ],
)
def test_amounts(value, expected):
    assert lp.parse_amount(value) == Decimal(expected)


@pytest.mark.parametrize("value", [None, "", "  ", "-", "—"])
def test_empty_amounts(value):
    assert lp.parse_amount(value) is None


@pytest.mark.parametrize("value", ["abc", "12a", "1,2,3,4", "1..2", True])
def test_bad_amounts(value):
    with pytest.raises(ValueError):
        lp.parse_amount(value)


# ---------------------------------------------------------------------- bad input
def error_of(content, filename="bad.xlsx"):
    with pytest.raises(lp.LedgerError) as info:
        lp.read_ledger(content, filename)
    return str(info.value)


def test_empty_file():
    assert error_of(b"", "empty.csv") == "empty.csv is empty."
    assert error_of(b"  \r\n", "blank.csv") == "blank.csv is empty."
    assert error_of(csv_bytes([[], [None, None]]), "commas.csv") == "commas.csv is empty."


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        bytes(range(256)) * 4,
    ],
)
def test_not_a_spreadsheet(content):
    assert "is not a spreadsheet" in error_of(content, "scan.pdf")


def test_zip_that_is_not_a_workbook():
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert error_of(output.getvalue(), "letter.docx") == (
        "letter.docx is not a spreadsheet: export the ledger as an Excel (.xlsx) or CSV file."
    )


def test_file_over_the_size_limit():
    message = error_of(b"x" * (lp.MAX_FILE_SIZE + 1), "huge.csv")
    assert message.startswith("huge.csv is 10.0 MB: files up to 10 MB")


def test_missing_date_column():
    rows = [["摘要", "借方", "贷方"], ["采购", None, "100"]]
    assert "no date column" in error_of(csv_bytes(rows), "nodate.csv")


def test_missing_amount_column():
    rows = [["日期", "摘要", "发票号"], ["2026-10-03", "采购", "INV/1"]]
    assert "nodamount.csv: no amount column" in error_of(csv_bytes(rows), "nodamount.csv")


def test_unparsable_date_names_file_row_and_column():
    rows = KINGDEE_ROWS[:6] + [
        ["2026-13-45", "记-9", "支付", None, "5,000.00", None, "贷", "16,300.00"]
    ]
    assert (
        error_of(csv_bytes(rows), "k.csv")
        == 'k.csv, row 7, column "日期" (A): 2026-13-45 is not a date.'
    )


def test_unparsable_amount_names_file_row_and_column():
    rows = KINGDEE_ROWS[:6] + [
        ["2026-10-30", "记-9", "支付", None, "五千元", None, "贷", "16,300.00"]
    ]
    assert (
        error_of(xlsx_bytes(rows), "k.xlsx")
        == 'k.xlsx, row 7, column "借方" (E): 五千元 is not an amount.'
    )


def test_missing_date_on_a_line_with_an_amount():
    rows = [["日期", "摘要", "贷方"], ["2026-10-03", "采购", "100"], [None, "采购", "200"]]
    assert (
        error_of(csv_bytes(rows), "d.csv")
        == 'd.csv, row 3, column "日期" (A): the date is missing.'
    )


def test_formula_without_cached_value():
    book = openpyxl.Workbook()
    sheet = book.active
    for row in [
        ["日期", "摘要", "贷方"],
        ["2026-10-03", "采购", 100],
        ["2026-10-04", "采购", "=C2*2"],
    ]:
        sheet.append(row)
    output = io.BytesIO()
    book.save(output)
    assert error_of(output.getvalue(), "f.xlsx") == (
        'f.xlsx, row 3, column "贷方" (C): the formula =C2*2 has no saved value. '
        "Open the file in Excel or WPS, save it and import it again."
    )


def test_header_without_lines():
    assert (
        error_of(csv_bytes([["日期", "摘要", "金额"]]), "h.csv")
        == "h.csv has no ledger lines below its header row (row 1)."
    )


def test_text_without_any_header():
    assert "no header row found" in error_of(b"hello\nworld\n", "notes.csv")


# ---------------------------------------------------------------------- streaming and columns
def test_csv_is_streamed_not_held():
    rows = [["日期", "摘要", "金额"]] + [
        [f"2026-10-{1 + n % 28:02d}", "货款", f"{n}.25"] for n in range(1, 500)
    ]
    table = lp.read_table(csv_bytes(rows, "utf-8"), "big.csv")
    # Only its first rows are kept; the rest is read again as it is parsed.
    assert table._rows is None and len(table.head) == reading.HEAD_ROWS
    assert table.row_estimate == 500
    assert [number for number, _cells in table.iter_rows()] == list(range(1, 501))
    ledger = lp.parse_ledger(
        table, lp.find_header(table), {"date": 0, "description": 1, "amount": 2}
    )
    assert len(ledger.lines) == 499 and list(ledger.units[:2]) == [125, 225]
    assert ledger.lines[-1].row == 500 and ledger.lines[-1].date == date(2026, 10, 24)
    assert [line.row for line in ledger.lines[1:3]] == [3, 4]
    with pytest.raises(IndexError):
        ledger.lines[499]
    # The same texts are held once, whatever their number.
    assert len({id(text) for text in ledger.descriptions}) == 1


def test_units_are_read_as_decimals_would_be():
    rnd = random.Random(3)
    for _n in range(3000):
        whole = rnd.randint(0, 10 ** rnd.randint(1, 12))
        text = f"{whole:,}" if rnd.random() < 0.5 else str(whole)
        if rnd.random() < 0.8:
            text += "." + str(rnd.randint(0, 10**4)).zfill(rnd.randint(1, 4))[: rnd.randint(1, 4)]
        if rnd.random() < 0.3:
            text = "-" + text
        for places in (0, 2, 3):
            expected = lp.parse_amount(text).scaleb(places).to_integral_value("ROUND_HALF_UP")
            assert lp.parse_units(text, places) == int(expected), (text, places)
    assert lp.parse_units("", 2) is None and lp.parse_units(None, 2) is None
    for beyond in ("10,000,000,000,000.00", "-10000000000000", "1e400"):
        with pytest.raises(ValueError):  # beyond the amounts that can be imported, or none
            lp.parse_units(beyond, 2)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        # The order is proved by a later date: the earlier ambiguous ones follow it.
        (["03/04/2026", "05/06/2026", "25/06/2026"], [(4, 3), (6, 5), (6, 25)]),
        (["03/04/2026", "05/06/2026", "06/25/2026"], [(3, 4), (5, 6), (6, 25)]),
        (["03/04/2026", "05/06/2026"], [(3, 4), (5, 6)]),  # unproved: month first
    ],
)
def test_day_order_is_decided_by_the_whole_column(dates, expected):
    rows = [["Date", "Amount"]] + [[day, "10.00"] for day in dates]
    ledger = read(csv_bytes(rows, "utf-8"), "order.csv")
    assert [line.date for line in ledger.lines] == [date(2026, m, d) for m, d in expected]
