"""Reading a customer's workbook (pure Python, no database): which of its sheets is read, the
sheets offered to choose from, and formulas whose saved values were never calculated."""

import io
import re
import zipfile
from datetime import date

import openpyxl
import pytest
import xlsxwriter

from odoo.addons.customer_reconciliation.tools.customer_ledger import reading, spreadsheets

LEDGER = [
    ["应付账款明细账"],
    ["日期", "摘要", "发票号", "借方", "贷方", "余额"],
    ["2026-10-03", "采购货物", "INV/2026/00412", None, 11300, 11300],
    ["2026-10-30", "支付货款", None, 5000, None, 6300],
]
SUMMARY = [["汇总"], ["客户", "余额"], ["上海星河贸易有限公司", 6300]]
NOTES = [["说明"], ["本文件由财务部导出"]]


def is_header(cells):
    """A row naming a date and an amount (the parser gives its own)."""
    texts = [cell for cell in cells if isinstance(cell, str)]
    dated = any("日期" in text or "Date" in text for text in texts)
    return dated and any(
        word in text for text in texts for word in ("金额", "借方", "贷方", "Amount")
    )


def xlsx_bytes(sheets, active=None, formulas=()):
    """A workbook of ``sheets`` [(name, rows)], ``active`` the name of the active one;
    ``formulas``: (sheet name, row, column, formula, saved value) written as xlsxwriter does."""
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    written = {}
    for name, rows in sheets:
        sheet = written[name] = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    for name, r, c, formula, value in formulas:
        written[name].write_formula(r, c, formula, None, value)
    if active:
        written[active].activate()
    book.close()
    return output.getvalue()


def xls_bytes(sheets, active=None):
    xlwt = pytest.importorskip("xlwt")  # one of Odoo 19's own requirements
    book = xlwt.Workbook()
    names = [name for name, _rows in sheets]
    for name, rows in sheets:
        sheet = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    if active:
        book.active_sheet = names.index(active)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def rezip(content, part, rewrite):
    """``content`` with its zip part ``part`` rewritten by ``rewrite(bytes) -> bytes``."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, rewrite(data) if info.filename == part else data)
    return output.getvalue()


def calculated(content):
    """The workbook as a spreadsheet program saves it: its formulas said to be calculated."""
    return rezip(
        content, "xl/workbook.xml", lambda xml: re.sub(rb'\s*fullCalcOnLoad="[^"]*"', b"", xml)
    )


def refusal(content, filename, **kwargs):
    with pytest.raises(reading.LedgerError) as info:
        reading.read_table(content, filename, **kwargs)
    return str(info.value)


def values(table):
    return [cells for _row, cells in table.rows]


# ---------------------------------------------------------------------- which sheet
@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_a_summary_active_sheet_gives_way_to_the_ledger(fmt):
    sheets = [("汇总", SUMMARY), ("明细", LEDGER)]
    content = xlsx_bytes(sheets, "汇总") if fmt == "xlsx" else xls_bytes(sheets, "汇总")
    table = reading.read_table(content, f"ledger.{fmt}", is_header=is_header)
    assert table.detail == "明细" and table.format == fmt
    assert table.sheets == ["汇总", "明细"] and table.ledger_sheets == ["明细"]
    assert table.head[1] == (2, LEDGER[1])
    assert [row for row, _cells in table.rows] == [1, 2, 3, 4]
    # Without the parser's word, the active sheet (XLSX) or the first one with rows (XLS).
    table = reading.read_table(content, f"ledger.{fmt}")
    assert table.detail == "汇总" and table.ledger_sheets == []
    assert table.sheets == ["汇总", "明细"]


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_two_ledger_sheets_the_active_one_then_the_one_chosen(fmt):
    october = [row[:] for row in LEDGER]
    november = [row[:] for row in LEDGER]
    november[2][0] = "2026-11-03"
    sheets = [("十月", october), ("汇总", SUMMARY), ("十一月", november)]
    content = xlsx_bytes(sheets, "十一月") if fmt == "xlsx" else xls_bytes(sheets, "十一月")
    table = reading.read_table(content, f"two.{fmt}", is_header=is_header)
    assert table.ledger_sheets == ["十月", "十一月"]
    assert table.detail == "十一月" and table.head[2][1][0] == "2026-11-03"
    table = reading.read_table(content, f"two.{fmt}", sheet="十月", is_header=is_header)
    assert table.detail == "十月" and table.head[2][1][0] == "2026-10-03"
    assert table.ledger_sheets == ["十月", "十一月"]
    # The sheet chosen is read even when it does not look like a ledger; without is_header,
    # the sheets that do are not looked for.
    table = reading.read_table(content, f"two.{fmt}", sheet="汇总")
    assert table.detail == "汇总" and table.ledger_sheets == []
    # Active, not a ledger: the first one that is.
    content = xlsx_bytes(sheets, "汇总") if fmt == "xlsx" else xls_bytes(sheets, "汇总")
    assert reading.read_table(content, f"two.{fmt}", is_header=is_header).detail == "十月"


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_no_sheet_looks_like_a_ledger(fmt):
    sheets = [("汇总", SUMMARY), ("明细", NOTES)]
    content = xlsx_bytes(sheets) if fmt == "xlsx" else xls_bytes(sheets)
    assert refusal(content, f"none.{fmt}", is_header=is_header) == (
        f"none.{fmt}: no sheet looks like a ledger (a row of column titles with a date and an "
        'amount). Sheets: "汇总", "明细".'
    )
    # One sheet with data: read, for the parser to find its header or say why not.
    sheets = [("汇总", SUMMARY), ("Sheet2", []), ("Sheet3", [])]
    content = xlsx_bytes(sheets) if fmt == "xlsx" else xls_bytes(sheets)
    table = reading.read_table(content, f"one.{fmt}", is_header=is_header)
    assert table.detail == "汇总" and table.ledger_sheets == []
    assert table.sheets == ["汇总", "Sheet2", "Sheet3"]


@pytest.mark.parametrize("fmt", ["xlsx", "xls"])
def test_an_unknown_sheet_is_refused_naming_the_sheets(fmt):
    sheets = [("汇总", SUMMARY), ("明细", LEDGER)]
    content = xlsx_bytes(sheets) if fmt == "xlsx" else xls_bytes(sheets)
    expected = f'u.{fmt} has no sheet "十月". Sheets: "汇总", "明细".'
    assert refusal(content, f"u.{fmt}", sheet="十月", is_header=is_header) == expected
    assert refusal(content, f"u.{fmt}", sheet="十月") == expected


def test_a_ledger_header_is_looked_for_among_the_first_rows_with_data_only():
    late = [[f"备注 {n}"] for n in range(reading.HEADER_SCAN_ROWS)] + LEDGER[1:]
    blank_first = [[] for _n in range(40)] + LEDGER
    content = xlsx_bytes([("晚", late), ("空行", blank_first)])
    table = reading.read_table(content, "late.xlsx", is_header=is_header)
    assert table.ledger_sheets == ["空行"] and table.detail == "空行"
    assert table.head[1] == (42, LEDGER[1])
    # Only the first rows of a sheet are looked at, however far its first data are.
    far = [[] for _n in range(spreadsheets.SHEET_SCAN_ROWS)] + LEDGER
    content = xlsx_bytes([("远", far), ("明细", LEDGER)])
    table = reading.read_table(content, "far.xlsx", is_header=is_header)
    assert table.ledger_sheets == ["明细"] and table.detail == "明细"


def test_csv_tables_have_no_sheets():
    table = reading.read_table("日期,金额\n2026-10-03,100\n".encode(), "l.csv", sheet="x")
    assert table.sheets == [] and table.ledger_sheets == []


def test_the_sheet_read_keeps_its_ceilings():
    content = xlsx_bytes([("汇总", SUMMARY), ("明细", LEDGER)], "汇总")
    claims = rezip(
        content,
        "xl/worksheets/sheet2.xml",
        lambda xml: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:F300000"/>', xml),
    )
    assert refusal(claims, "tall.xlsx", is_header=is_header).startswith(
        "tall.xlsx claims 300,000 rows x 6 columns"
    )
    # The summary, whose dimension is not read, can claim what it likes.
    claims = rezip(
        content,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb"<dimension [^>]*/>", b'<dimension ref="A1:XFD1048576"/>', xml),
    )
    assert reading.read_table(claims, "ok.xlsx", is_header=is_header).detail == "明细"


# ---------------------------------------------------------------------- formulas
def formula_ledger(count=2):
    """A ledger whose credits are formulas saved by xlsxwriter, which cannot calculate them:
    saved as 0, the workbook asking for them to be calculated on load."""
    rows = [LEDGER[1]] + [
        [f"2026-10-{day + 1:02d}", "采购", f"INV/{day}", None, None, None] for day in range(count)
    ]
    formulas = [("明细", 1 + day, 4, f"=100*{day + 1}", 0) for day in range(count)]
    return xlsx_bytes([("明细", rows)], formulas=formulas)


def test_formulas_saved_uncalculated_are_refused_naming_the_cells():
    content = formula_ledger()
    assert b'fullCalcOnLoad="1"' in zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml")
    assert refusal(content, "f.xlsx", is_header=is_header) == (
        'f.xlsx, sheet "明细": the formulas in E2, E3 were not calculated when the file was '
        "saved. Open it in Excel or WPS, save it and import it again."
    )
    assert refusal(formula_ledger(12), "f.xlsx") == (
        'f.xlsx, sheet "明细": the formulas in E2, E3, E4, E5, E6, E7, E8, E9, E10, E11 and 2 '
        "more were not calculated when the file was saved. Open it in Excel or WPS, save it and "
        "import it again."
    )


def test_formulas_of_a_calculated_file_keep_their_saved_values():
    table = reading.read_table(calculated(formula_ledger()), "f.xlsx", is_header=is_header)
    assert [cells[4] for _row, cells in table.rows[1:]] == [0, 0]
    content = xlsx_bytes(
        [("明细", LEDGER)],
        formulas=[("明细", 3, 5, "=F3-D4", 6300), ("明细", 2, 4, "=11300", 11300)],
    )
    assert values(reading.read_table(calculated(content), "c.xlsx")) == LEDGER


def test_formulas_elsewhere_than_in_the_sheet_read_do_not_matter():
    content = xlsx_bytes(
        [("汇总", SUMMARY), ("明细", LEDGER)],
        "汇总",
        formulas=[("汇总", 2, 1, "=明细!F4", 0)],
    )
    table = reading.read_table(content, "s.xlsx", is_header=is_header)
    assert table.detail == "明细" and values(table) == LEDGER
    message = refusal(content, "s.xlsx", sheet="汇总")
    assert message.startswith('s.xlsx, sheet "汇总": the formulas in B3 were not calculated')


def test_formulas_without_saved_values_are_left_to_the_parser():
    # openpyxl saves no value at all: nothing can be misread, the cells are marked.
    book = openpyxl.Workbook()
    book.active.title = "明细"
    for row in [LEDGER[1], ["2026-10-03", "=1+1", "INV/1", None, "=C2*2"]]:
        book.active.append(row)
    output = io.BytesIO()
    book.save(output)
    table = reading.read_table(output.getvalue(), "o.xlsx", is_header=is_header)
    cells = table.rows[1][1]
    assert isinstance(cells[4], reading.Formula) and cells[4].text == "=C2*2"
    assert isinstance(cells[1], reading.Formula)


def test_a_text_starting_with_an_equals_sign_is_no_formula():
    rows = [LEDGER[1], ["2026-10-03", "=HYPERLINK(1)", "INV/1", None, None]]
    content = xlsx_bytes([("明细", rows)], formulas=[("明细", 1, 4, "=1+1", 0)])
    assert refusal(content, "t.xlsx").startswith(
        't.xlsx, sheet "明细": the formulas in E2 were not calculated'
    )
    table = reading.read_table(calculated(content), "t.xlsx")
    assert table.rows[1][1] == ["2026-10-03", "=HYPERLINK(1)", "INV/1", None, 0]


def test_the_calculation_flag_is_read_as_excel_writes_it():
    content = formula_ledger()
    for flag, refused in (
        (b'fullCalcOnLoad="true"', True),
        (b"fullCalcOnLoad='1'", True),
        (b'fullCalcOnLoad="0"', False),
        (b'fullCalcOnLoad="false"', False),
        (b"", False),
    ):
        rewritten = rezip(
            content,
            "xl/workbook.xml",
            lambda xml, flag=flag: re.sub(rb'fullCalcOnLoad="1"', flag, xml),
        )
        if refused:
            assert "were not calculated" in refusal(rewritten, "flag.xlsx")
        else:
            table = reading.read_table(rewritten, "flag.xlsx")
            assert table.rows[1][1][4] == 0
    # No calcPr at all: nothing says the values were not calculated.
    rewritten = rezip(content, "xl/workbook.xml", lambda xml: re.sub(rb"<calcPr[^>]*/>", b"", xml))
    assert reading.read_table(rewritten, "none.xlsx").rows[1][1][4] == 0


def test_dates_and_numbers_of_the_sheet_read_are_unchanged():
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    summary = book.add_worksheet("汇总")
    summary.write(0, 0, "汇总")
    sheet = book.add_worksheet("明细")
    sheet.write_row(0, 0, ["Date", "Amount"])
    sheet.write_datetime(1, 0, date(2026, 10, 3), book.add_format({"num_format": "yyyy-mm-dd"}))
    sheet.write_number(1, 1, -11300.5)
    summary.activate()
    book.close()
    table = reading.read_table(output.getvalue(), "en.xlsx", is_header=is_header)
    assert table.detail == "明细"
    assert table.rows[1][1][0].date() == date(2026, 10, 3) and table.rows[1][1][1] == -11300.5
