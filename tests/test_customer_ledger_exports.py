"""Customers' ledgers as the common tools export them (pure Python, no database): each file is
read right, row by row (every row a line or a named kind), or refused with a reason.

The files are written here in each tool's style: title blocks, their headers (Simplified and
Traditional Chinese, English), split dates, subtotal and carry-over rows of each kind, opening
and closing rows, both encodings.
"""

from datetime import date
from decimal import Decimal

import pytest

from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing as lp


def csv_bytes(rows, encoding="utf-8"):
    text = "\n".join(
        ",".join("" if v is None else f'"{v}"' if "," in str(v) else str(v) for v in row)
        for row in rows
    )
    return (text + "\n").encode(encoding)


def read(content, filename, sign=-1, **options):
    _table, _position, _mapping, ledger = lp.read_ledger(content, filename, **options)
    return ledger.apply_sign(sign)


def kinds(ledger):
    return {kind: count for kind, count in ledger.kinds.items() if count}


def lines(ledger):
    return [(line.row, line.date, line.reference, line.amount) for line in ledger.lines]


# ---------------------------------------------------------------------- 用友 (Yonyou)
def yonyou_rows():
    """Dates in 月 / 日 columns, the year in the title; the month only on its first row;
    本日合计, 本月合计 and 本年累计 rows; a carry-over between pages."""
    return [
        ["应付账款明细账"],
        ["科目：2202 应付账款 / 上海星河贸易有限公司", None, None, "2026年度"],
        ["月", "日", "凭证号", "摘要", "借方", "贷方", "方向", "余额"],
        [None, None, None, "上年结转", None, None, "贷", "10,000.00"],
        ["10", "3", "记-1", "采购货物 INV/2026/00412", None, "11,300.00", "贷", "21,300.00"],
        [None, "3", None, "本日合计", None, "11,300.00", "贷", "21,300.00"],
        [None, "30", "记-9", "支付货款", "5,000.00", None, "贷", "16,300.00"],
        [None, None, None, "过次页", "5,000.00", "11,300.00", "贷", "16,300.00"],
        [None, None, None, "承上页", "5,000.00", "11,300.00", "贷", "16,300.00"],
        ["11", "2", "记-4", "采购货物 INV/2026/00501", None, "2,000.00", "贷", "18,300.00"],
        [None, None, None, "本月合计", "5,000.00", "13,300.00", "贷", "18,300.00"],
        [None, None, None, "本年累计", "5,000.00", "13,300.00", "贷", "18,300.00"],
        ["制表：王芳", None, None, "审核：李强"],
    ]


def test_yonyou_split_dates_with_the_year_in_the_title():
    ledger = read(csv_bytes(yonyou_rows(), "gbk"), "yonyou.csv")
    assert [(line.date, line.amount) for line in ledger.lines] == [
        (date(2026, 10, 3), Decimal("11300.00")),
        (date(2026, 10, 30), Decimal("-5000.00")),
        (date(2026, 11, 2), Decimal("2000.00")),
    ]
    assert kinds(ledger) == {
        "title": 2,
        "header": 1,
        "opening": 1,
        "subtotal": 3,
        "carried": 2,
        "note": 1,
    }
    assert ledger.opening == Decimal("10000.00")
    assert ledger.closing == Decimal("18300.00")


def test_yonyou_year_column_carried_down():
    rows = [
        ["年", "月", "日", "摘要", "借方", "贷方"],
        ["2025", "12", "30", "采购", None, "100"],
        [None, None, "31", "采购", None, "200"],
        ["2026", "1", "2", "付款", "300", None],
        [None, None, "5", "采购", None, "50"],
    ]
    ledger = read(csv_bytes(rows), "years.csv")
    assert [line.date for line in ledger.lines] == [
        date(2025, 12, 30),
        date(2025, 12, 31),
        date(2026, 1, 2),
        date(2026, 1, 5),
    ]


def test_split_dates_without_a_year_are_refused():
    rows = [["月", "日", "摘要", "借方", "贷方"], ["10", "3", "采购", None, "100"]]
    with pytest.raises(lp.LedgerError) as caught:
        read(csv_bytes(rows), "noyear.csv")
    assert "no year for its date" in str(caught.value)
    rows = [["月", "日", "摘要", "借方", "贷方"], ["13", "3", "采购", None, "100"]]
    with pytest.raises(lp.LedgerError, match="") as caught:
        read(csv_bytes([["2026年"], *rows]), "month13.csv")
    assert caught.value.params["value"] == "2026-13-3"


# ---------------------------------------------------------------------- Traditional Chinese, Big5
TRADITIONAL_ROWS = [
    ["應付帳款明細帳"],
    ["日期", "憑證號", "摘要", "發票號碼", "借方", "貸方", "餘額"],
    [None, None, "期初餘額", None, None, None, "10,000.00"],
    ["2026/10/03", "記-1", "採購貨物", "INV/2026/00412", None, "11,300.00", "21,300.00"],
    ["2026/10/30", "記-9", "支付貨款", None, "5,000.00", None, "16,300.00"],
    [None, None, "本月合計", None, "5,000.00", "11,300.00", "16,300.00"],
]


@pytest.mark.parametrize("encoding", ["utf-8", "big5"])
def test_traditional_headers_and_big5(encoding):
    content = csv_bytes(TRADITIONAL_ROWS, encoding)
    table, _position, mapping, ledger = lp.read_ledger(content, "tw.csv")
    assert table.detail.startswith("cp950" if encoding == "big5" else "utf-8")
    assert set(mapping) == {
        "date",
        "voucher",
        "description",
        "reference",
        "debit",
        "credit",
        "balance",
    }
    ledger.apply_sign(-1)
    # Both lines, the credit one included (it was dropped when 貸方 was not recognised).
    assert lines(ledger) == [
        (4, date(2026, 10, 3), "INV/2026/00412", Decimal("11300.00")),
        (5, date(2026, 10, 30), "", Decimal("-5000.00")),
    ]
    assert ledger.lines[0].description == "採購貨物"
    assert kinds(ledger) == {"title": 1, "header": 1, "opening": 1, "subtotal": 1}


# ---------------------------------------------------------------------- QuickBooks, Xero, SAP
QUICKBOOKS_ROWS = [
    ["Acme Trading Ltd"],
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
    ["Our Company Ltd", None, None, None, None, None, None, None, None],
    [None, "Beginning Balance", None, None, None, None, None, None, "1,000.00"],
    [
        None,
        "10/03/2026",
        "Bill",
        "INV202600412",
        "Goods",
        "11/02/2026",
        "11,300.00",
        "11,300.00",
        "12,300.00",
    ],
    [
        None,
        "10/30/2026",
        "Bill Payment (Check)",
        "1043",
        "Payment",
        None,
        "-5,000.00",
        "0.00",
        "7,300.00",
    ],
    ["Total for Our Company Ltd", None, None, None, None, None, "6,300.00", None, None],
    ["TOTAL", None, None, None, None, None, "6,300.00", None, None],
]


def test_quickbooks_vendor_balance_detail():
    table, _position, mapping, ledger = lp.read_ledger(csv_bytes(QUICKBOOKS_ROWS), "qb.csv")
    # "Num" is the document number; "Open Balance" is not the running balance.
    assert mapping["reference"] == 3 and mapping["balance"] == 8 and mapping["amount"] == 6
    ledger.apply_sign(1)
    assert lines(ledger) == [
        (7, date(2026, 10, 3), "INV202600412", Decimal("11300.00")),
        (8, date(2026, 10, 30), "1043", Decimal("-5000.00")),
    ]
    assert kinds(ledger) == {"title": 3, "header": 1, "note": 1, "opening": 1, "subtotal": 2}
    assert ledger.opening == Decimal("1000.00")


def test_sap_fbl1n_reference_is_ours_document_number_is_theirs():
    rows = [
        ["Vendor Line Item Display"],
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
        [
            "",
            "5100000123",
            "RE",
            "02.10.2026",
            "03.10.2026",
            "INV/2026/00412",
            "-11,300.00",
            "Goods",
        ],
        ["", "1500000045", "KZ", "30.10.2026", "30.10.2026", "", "5,000.00", "Payment"],
        ["*", None, None, None, None, None, "-6,300.00", None],
    ]
    _table, _position, mapping, ledger = lp.read_ledger(csv_bytes(rows), "fbl1n.csv")
    assert (mapping["reference"], mapping["voucher"], mapping["date"]) == (5, 1, 4)
    assert [(line.date, line.reference, line.voucher) for line in ledger.lines] == [
        (date(2026, 10, 3), "INV/2026/00412", "5100000123"),
        (date(2026, 10, 30), "", "1500000045"),
    ]


def test_xero_account_transactions():
    rows = [
        ["Account Transactions"],
        ["Our Company Ltd"],
        ["For the period 1 October 2026 to 31 October 2026"],
        ["Date", "Source", "Description", "Reference", "Debit", "Credit", "Running Balance"],
        ["Opening Balance", None, None, None, None, None, "1,000.00"],
        [
            "3 Oct 2026",
            "Payable Invoice",
            "Goods",
            "INV-2026-00412",
            None,
            "11,300.00",
            "12,300.00",
        ],
        ["30 Oct 2026", "Payable Payment", "Payment", "", "5,000.00", None, "7,300.00"],
        ["Total Accounts Payable", None, None, None, "5,000.00", "11,300.00", None],
        ["Closing Balance", None, None, None, None, None, "7,300.00"],
    ]
    ledger = read(csv_bytes(rows), "xero.csv")
    assert [(line.date, line.amount) for line in ledger.lines] == [
        (date(2026, 10, 3), Decimal("11300.00")),
        (date(2026, 10, 30), Decimal("-5000.00")),
    ]
    assert kinds(ledger) == {"title": 3, "header": 1, "opening": 1, "subtotal": 1, "closing": 1}


# ---------------------------------------------------------------------- rows that are not lines
@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("本日合计", "subtotal"),
        ("当前合计", "subtotal"),
        ("当前累计", "subtotal"),
        ("本页合计", "subtotal"),
        ("本页小计", "subtotal"),
        ("月计", "subtotal"),
        ("本期发生额合计", "subtotal"),
        ("累计发生额", "subtotal"),
        ("本月合計", "subtotal"),
        ("Total for Acme Ltd", "subtotal"),
        ("承上页", "carried"),
        ("过次页", "carried"),
        ("上期余额", "opening"),
        ("期初", "opening"),
        ("Beginning Balance", "opening"),
        ("Balance b/f", "opening"),
        ("期末余额", "closing"),
        ("Ending Balance", "closing"),
    ],
)
def test_subtotal_carry_over_opening_and_closing_rows(text, kind):
    rows = [
        ["日期", "摘要", "借方", "贷方"],
        ["2026-10-03", "采购", None, "100"],
        [None, text, None, "9,999.00"],  # the amount of the row is not a line's
    ]
    ledger = read(csv_bytes(rows), "kinds.csv")
    assert [line.amount for line in ledger.lines] == [Decimal(100)]
    assert ledger.kinds[kind] == 1


def test_a_total_written_in_the_date_column_is_a_subtotal_not_a_missing_date():
    rows = [
        ["Date", "Memo", "Amount"],
        ["2026-10-03", "Bill", "100"],
        ["Total for Acme", None, "100"],
    ]
    ledger = read(csv_bytes(rows), "total.csv")
    assert len(ledger.lines) == 1 and ledger.kinds["subtotal"] == 1


# ---------------------------------------------------------------------- day and month
def test_day_order_the_file_cannot_tell_is_flagged_and_can_be_given():
    rows = [["Date", "Amount"], ["03/04/2026", "10.00"], ["05/06/2026", "20.00"]]
    ledger = read(csv_bytes(rows), "ambiguous.csv")
    assert (ledger.day_order, ledger.day_order_open) == ("month_first", True)
    assert ledger.lines[0].date == date(2026, 3, 4)
    told = read(csv_bytes(rows), "ambiguous.csv", day_first=True)
    assert told.lines[0].date == date(2026, 4, 3) and not told.day_order_open
    proved = read(csv_bytes([*rows, ["25/06/2026", "5.00"]]), "proved.csv")
    assert (proved.day_order, proved.day_order_open) == ("day_first", False)


# ---------------------------------------------------------------------- preview
def test_the_first_rows_are_shown_as_read():
    ledger = read(csv_bytes(yonyou_rows()), "yonyou.csv")
    assert [(row, kind) for row, kind, *_rest in ledger.preview[:5]] == [
        (4, "opening"),
        (5, "line"),
        (6, "subtotal"),
        (7, "line"),
        (8, "carried"),
    ]
    row, kind, day, reference, units, text = ledger.preview[1]
    assert (day, units, text) == (date(2026, 10, 3), -1130000, "采购货物 INV/2026/00412")


def test_a_dated_document_whose_memo_names_a_kind_is_a_line():
    rows = [
        ["Date", "Description", "Reference", "Debit", "Credit", "Running Balance"],
        ["Opening Balance", None, None, None, None, "800.00"],
        ["3 Oct 2026", "Goods", "INV/2026/00003", None, "100.00", "900.00"],
        ["6 Oct 2026", "Opening Balance", "INV/2026/00007", None, "200.00", "1,100.00"],
        ["2026-10-08", "合计", "INV/2026/00009", None, "50.00", "1,150.00"],
        ["Closing Balance", None, None, None, None, "1,150.00"],
    ]
    ledger = read(csv_bytes(rows), "memo.csv")
    assert [line.reference for line in ledger.lines] == [
        "INV/2026/00003",
        "INV/2026/00007",
        "INV/2026/00009",
    ]
    assert ledger.opening == Decimal("800.00") and ledger.kinds["opening"] == 1


def test_the_month_of_an_opening_row_is_carried_down():
    rows = [
        ["2026年度"],
        ["月", "日", "凭证号", "摘要", "借方", "贷方"],
        ["10", "1", None, "期初余额", None, None],
        [None, "3", "记-1", "采购", None, "100.00"],
    ]
    ledger = read(csv_bytes(rows), "month.csv")
    assert [line.date for line in ledger.lines] == [date(2026, 10, 3)]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16-le", "utf-16-be"])
def test_simplified_chinese_and_utf16_files_are_not_taken_for_big5(encoding):
    rows = [["日期", "凭证号", "摘要", "借方", "贷方", "余额"]] + [
        [f"2026-10-{1 + n % 28:02d}", f"记-{n}", "采购货物款项结算", None, f"{n}.00", f"{n}.00"]
        for n in range(1, 300)
    ]
    table, _position, _mapping, ledger = lp.read_ledger(csv_bytes(rows, encoding), "cn.csv")
    assert table.detail.split(",")[0] in (encoding.replace("gbk", "gb18030"), encoding)
    assert ledger.lines[0].description == "采购货物款项结算"


# ---------------------------------------------------------------------- found in review
def test_the_first_opening_row_of_several_months_is_the_opening():
    rows = [
        ["日期", "凭证字号", "摘要", "借方", "贷方", "方向", "余额"],
        ["2026-01-01", None, "期初余额", None, None, "贷", "5000.00"],
        ["2026-01-03", "记-1", "采购 INV/2026/0001", None, "1000.00", "贷", "6000.00"],
        ["2026-01-31", None, "期末余额", None, None, "贷", "6000.00"],
        ["2026-02-01", None, "期初余额", None, None, "贷", "6000.00"],
        ["2026-02-05", "记-3", "付款", "6000.00", None, "平", "0.00"],
    ]
    ledger = read(csv_bytes(rows), "months.csv")
    assert ledger.opening == Decimal("5000.00")
    assert ledger.kinds["opening"] == 2 and ledger.kinds["closing"] == 1


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Balance b/fwd", "opening"),
        ("Balance b/d", "opening"),
        ("Bal b/f", "opening"),
        ("Balance brought down", "opening"),
        ("Opening balance as at 1 Jan 2026", "opening"),
        ("上期结余", "opening"),
        ("期初结余", "opening"),
        ("Balance c/d", "closing"),
        ("Balance carried down", "closing"),
        ("结转下年", "closing"),
        ("本期结余", "closing"),
        ("月末余额", "closing"),
    ],
)
def test_more_opening_and_closing_phrasings(text, kind):
    rows = [["Date", "Details", "Debit", "Credit"], ["01/13/2026", "Invoice", None, "500.00"]]
    rows.append([None, text, None, "1,500.00"])
    ledger = read(csv_bytes(rows), "phrases.csv")
    assert len(ledger.lines) == 1 and ledger.kinds[kind] == 1


def test_the_year_of_the_title_is_not_an_account_code():
    rows = [
        ["应付账款明细账"],
        ["科目：2121 应付账款-上海星河贸易有限公司", None, None, "2026年度"],
        ["月", "日", "凭证号", "摘要", "借方", "贷方", "方向", "余额"],
        ["1", "3", "记-1", "采购 INV/2026/0001", None, "1000.00", "贷", "11000.00"],
    ]
    assert read(csv_bytes(rows), "code.csv").lines[0].date == date(2026, 1, 3)


def test_split_dates_cross_the_year_end():
    rows = [
        ["应付账款明细账  期间：2025年12月-2026年1月"],
        ["月", "日", "凭证号", "摘要", "借方", "贷方"],
        ["12", "3", "记-1", "采购", None, "1000.00"],
        ["1", "5", "记-2", "采购", None, "500.00"],
    ]
    dates = [line.date for line in read(csv_bytes(rows), "yearend.csv").lines]
    assert dates == [date(2025, 12, 3), date(2026, 1, 5)]


def test_a_direction_column_beside_a_signed_amount_signs_the_amount():
    rows = [
        ["日期", "凭证号", "摘要", "借贷", "金额", "余额"],
        ["2026-01-03", "记-1", "采购 INV/2026/0001", "贷", "1000.00", "1000.00"],
        ["2026-01-20", "记-2", "付款", "借", "600.00", "400.00"],
    ]
    ledger = read(csv_bytes(rows), "dc.csv")
    assert [line.amount for line in ledger.lines] == [Decimal("1000.00"), Decimal("-600.00")]


def test_a_balance_signed_by_its_direction_column_is_read_as_signed():
    rows = [
        ["应付账款明细账"],
        ["日期", "凭证字号", "摘要", "借方", "贷方", "方向", "余额"],
        ["2026-01-03", "记-1", "采购 INV/2026/0001", None, "1,000.00", "贷", "1,000.00"],
        ["2026-01-31", None, "本期合计", None, "1,000.00", "贷", "1,000.00"],
    ]
    ledger = read(csv_bytes(rows), "one.csv")
    assert (ledger.opening, ledger.closing) == (Decimal("0.00"), Decimal("1000.00"))


def test_totals_without_a_date_and_documents_without_one():
    rows = [
        ["Date", "Num", "Memo", "Amount"],
        ["05/01/2026", None, "Total fortnightly cleaning", "300.00"],
        ["Total for Acme Ltd", None, None, "300.00"],
    ]
    ledger = read(csv_bytes(rows), "totals.csv")
    assert [line.description for line in ledger.lines] == ["Total fortnightly cleaning"]
    assert ledger.kinds["subtotal"] == 1
    missing = [
        ["Date", "Num", "Memo", "Amount"],
        [None, "B-2", "Total Tools Ltd invoice 42", "250.00"],
    ]
    with pytest.raises(lp.LedgerError, match="the date is missing"):
        read(csv_bytes(missing), "nodate.csv")


def test_dates_with_a_time_follow_the_order_of_the_column():
    rows = [
        ["Date", "Reference", "Description", "Amount"],
        ["03/01/2026 00:00", "INV-1", "Invoice", "-100.00"],
        ["13/01/2026 00:00", "INV-3", "Invoice", "-300.00"],
    ]
    ledger = read(csv_bytes(rows), "times.csv")
    assert [line.date for line in ledger.lines] == [date(2026, 1, 3), date(2026, 1, 13)]
    assert ledger.day_order == "day_first"


def test_a_decimal_comma_file_reads_1000_as_a_thousand():
    rows = [
        ["Posting Date", "Reference", "Text", "Debit", "Credit", "Balance"],
        ["03.01.2026", "INV/2026/0001", "Invoice", None, "1.234,56", "-1.234,56"],
        ["20.01.2026", "INV/2026/0002", "Invoice", None, "1.000", "-2.234,56"],
        ["22.01.2026", "INV/2026/0004", "Invoice", None, "12.500", "-14.734,56"],
    ]
    text = "\n".join(";".join("" if v is None else v for v in row) for row in rows) + "\n"
    ledger = read(text.encode(), "eu.csv", sign=1)
    assert [line.amount for line in ledger.lines] == [
        Decimal("-1234.56"),
        Decimal("-1000.00"),
        Decimal("-12500.00"),
    ]


def test_a_decimal_comma_shown_only_after_1000_was_read_is_refused():
    rows = [["Date", "Reference", "Amount"]] + [
        ["2026-01-03", f"INV-{n}", "1.000"] for n in range(40)
    ]
    rows.append(["2026-01-20", "INV-99", "1.234,56"])
    text = "\n".join(";".join(row) for row in rows) + "\n"
    with pytest.raises(lp.LedgerError, match="with a decimal comma"):
        read(text.encode(), "late.csv")
    # A decimal-point file: 1.000 is one, 1,234.56 a thousand and more.
    rows = [
        ["Date", "Reference", "Amount"],
        ["2026-01-03", "A", "1.000"],
        ["2026-01-04", "B", "1,234.56"],
    ]
    ledger = read(
        ("\n".join(",".join(f'"{v}"' for v in r) for r in rows) + "\n").encode(), "us.csv", sign=1
    )
    assert [line.amount for line in ledger.lines] == [Decimal("1.00"), Decimal("1234.56")]
