"""The column titles of a customer's ledger: which column holds what. Pure Python.

The titles as the common tools write them: 金蝶 (Kingdee), 用友 (Yonyou), 畅捷通 / 好会计, 浪潮,
Excel templates, in Simplified and Traditional Chinese; QuickBooks, Xero and SAP (FBL1N / FBL5N)
in English. A title is compared once normalised: full-width forms, case, brackets, spaces and
punctuation do not count, Traditional characters are read as their Simplified forms.
"""

import re
import unicodedata

from .reading import HEADER_SCAN_ROWS, LedgerError, _lt, column_letter, filled
from .values import parse_amount

ROLES = (
    "date",
    "year",
    "month",
    "day",
    "reference",
    "voucher",
    "description",
    "debit",
    "credit",
    "amount",
    "balance",
    "direction",
)
AMOUNT_ROLES = ("debit", "credit", "amount")
DATE_PART_ROLES = ("year", "month", "day")

# The Traditional characters of ledger titles and row texts, and their Simplified forms.
_TRADITIONAL = str.maketrans(
    dict(
        zip(
            "憑證貸餘額發單據號編碼說備註傳帳賬總計頁結轉對應貨進銷購稅價幣別類數當過開務業項錄現間記產實與週來會細匯彙費資簽審製門廠紀經統歸標準紅沖衝讓優種戶頭內",
            "凭证贷余额发单据号编码说备注传账账总计页结转对应货进销购税价币别类数当过开务业项录现间记产实与周来会细汇汇费资签审制门厂纪经统归标准红冲冲让优种户头内",
            strict=True,
        )
    )
)


def simplified(text):
    """``text`` with the Traditional characters of ledgers in their Simplified forms."""
    return text.translate(_TRADITIONAL)


# For each role, its titles, the preferred first: when two columns name the same role, the
# one whose title comes first here holds it (SAP's "Reference" is our invoice number, its
# "DocumentNo" their own document; the posting date before the document date).
_HEADERS = {
    "date": "日期 记账日期 过账日期 入账日期 凭证日期 业务日期 单据日期 制单日期 交易日期 发生日期 开票日期 "
    "付款日期 date postingdate pstngdate glpostingdate entrydate bookingdate transactiondate "
    "txndate transdate documentdate docdate voucherdate invoicedate valuedate",
    "year": "年 年度 年份 会计年度 year fiscalyear yr",
    "month": "月 月份 会计期间 month mon mth",
    "day": "日 日子 day dd",
    "reference": "发票号 发票号码 发票编号 单号 单据号 单据号码 单据编号 业务单号 对方单号 原始单号 原始单据号 "
    "外部单据号 结算单号 参考号 参考 参考单号 业务编号 reference ref ourref yourref referenceno refno "
    "referencenumber externalreference invoiceno invoicenumber invno invoice supplierinvoice "
    "vendorinvoice vendorinvoiceno billno billnumber num no number documentno documentnumber "
    "docno document",
    "voucher": "凭证号 凭证字号 凭证编号 凭证号码 凭证字 凭证 记账凭证号 voucher voucherno vouchernumber "
    "journalno journalentry journal jeno entryno transno transactionno",
    "description": "摘要 说明 备注 描述 内容 业务摘要 摘要说明 description memo memodescription narration "
    "text details particulars label remarks comment",
    "debit": "借方 借方金额 借方发生额 本期借方 借方本币 本币借方 借 debit debitamount debitlc dr debits",
    "credit": "贷方 贷方金额 贷方发生额 本期贷方 贷方本币 本币贷方 贷 credit creditamount creditlc cr credits",
    "amount": "金额 发生额 本币金额 原币金额 amount amountinlocalcurrency amountinlc amountlc localamount "
    "amountindoccurr amountindocumentcurrency value sum netamount transactionamount gross",
    "balance": "余额 期末余额 本币余额 balance runningbalance closingbalance cumulativebalance",
    "direction": "方向 借贷方向 余额方向 借或贷 借贷 dc drcr debitcredit direction",
}
_HEADER_ROLE = {}
_HEADER_RANK = {}
for _role, _words in _HEADERS.items():
    for _rank, _word in enumerate(_words.split()):
        _HEADER_ROLE.setdefault(_word, _role)
        _HEADER_RANK.setdefault(_word, _rank)
# Titles that hold none of the roles although they look like one (QuickBooks' "Open Balance"
# is what is left to pay of one document, not a running balance; "Split" the other account).
_IGNORED = frozenset({"openbalance", "split", "name", "account", "clearingdoc", "clearing"})
# Titles that name a role without being one of the words above, by what they contain.
_NEEDLES = (
    ("balance", ("余额", "balance")),
    ("date", ("日期", "date")),
    ("debit", ("借方", "debit")),
    ("credit", ("贷方", "credit")),
    ("description", ("摘要", "description", "memo")),
    ("reference", ("发票", "单号", "单据号", "invoice", "reference")),
    ("voucher", ("凭证", "voucher")),
    ("amount", ("金额", "amount")),
)
_NEEDLE_RANK = 1000  # after every title of the list
_BRACKETS = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
_HEADER_NOISE = re.compile(r"[\s:：*.#_\-/\\'\"]+")


def normalize_header(value):
    if not isinstance(value, str):
        return ""
    text = simplified(unicodedata.normalize("NFKC", value).lower())
    return _HEADER_NOISE.sub("", _BRACKETS.sub("", text))


def _role_and_rank(value):
    text = normalize_header(value)
    if not text or text in _IGNORED:
        return None, None
    if text in _HEADER_ROLE:
        return _HEADER_ROLE[text], _HEADER_RANK[text]
    for role, needles in _NEEDLES:
        if any(needle in text for needle in needles):
            return role, _NEEDLE_RANK
    return None, None


def guess_role(value):
    """The role of a header cell, or None."""
    return _role_and_rank(value)[0]


def _names_a_date(roles):
    return "date" in roles or {"month", "day"} <= roles


def looks_like_header(cells):
    """Whether a row reads as the column titles of a ledger: a date (or month and day) and an
    amount (signed, debit or credit)."""
    roles = {guess_role(cell) for cell in cells} - {None}
    return _names_a_date(roles) and bool(roles & set(AMOUNT_ROLES))


def find_header(table, header_row=None):
    """Index among the rows of ``table`` of the header row among the first rows: the one naming
    the most known columns including a date and an amount (signed, debit or credit); failing
    that, the first row of several text cells, for the user to map by hand. ``header_row``: the
    row number the user chose instead."""
    if header_row:
        for position, (number, _cells) in enumerate(table.iter_rows()):
            if number == header_row:
                return position
            if number > header_row:
                break
        raise LedgerError(_lt("%(file)s has no row %(row)s."), file=table.filename, row=header_row)
    best, best_score, fallback = None, 1, None
    for position, (_number, cells) in enumerate(table.head[:HEADER_SCAN_ROWS]):
        roles = {guess_role(cell) for cell in cells} - {None}
        if _names_a_date(roles) and roles & set(AMOUNT_ROLES) and len(roles) > best_score:
            best, best_score = position, len(roles)
        texts = [
            cell
            for cell in cells
            if isinstance(cell, str) and cell.strip() and parse_amount_or_none(cell) is None
        ]
        if fallback is None and len(texts) >= 2:
            fallback = position
    if best is None and fallback is None:
        raise LedgerError(
            _lt(
                "%(file)s: no header row found in its first %(rows)s rows. The ledger needs a date column "
                "(日期, Date) and an amount column (金额, 借方, 贷方, Amount, Debit, Credit)."
            ),
            file=table.filename,
            rows=HEADER_SCAN_ROWS,
        )
    return best if best is not None else fallback


def row_at(table, position):
    """(row number, cells) of the row at ``position`` among the rows of ``table``."""
    if position < len(table.head):
        return table.head[position]
    for index, item in enumerate(table.iter_rows()):
        if index == position:
            return item
    raise IndexError(position)


def parse_amount_or_none(value):
    try:
        return parse_amount(value)
    except ValueError:
        return None


# A column of our document numbers that lost to a better-named one holds theirs.
_SECOND_CHOICE = {"reference": "voucher"}


def guess_mapping(headers, remembered=None):
    """{role: column index}: the remembered headers first, then what the header texts say
    (for a role named by several columns, the best-named one)."""
    mapping = {}
    normalized = [normalize_header(header) for header in headers]
    for role, header in (remembered or {}).items():
        if role in ROLES and header in normalized:
            mapping[role] = normalized.index(header)
    candidates = {}
    for index, header in enumerate(headers):
        role, rank = _role_and_rank(header)
        if role:
            candidates.setdefault(role, []).append((rank, index))
    from_memory = set(mapping)
    for role, found in candidates.items():
        for _rank, index in sorted(found):
            if index in mapping.values():
                continue
            if role not in mapping:
                mapping[role] = index
            elif (second := _SECOND_CHOICE.get(role)) and not {role, second} & from_memory:
                mapping.setdefault(second, index)
    if (
        ("debit" in mapping or "credit" in mapping)
        and "amount" in mapping
        and "amount" not in from_memory
    ):
        del mapping["amount"]  # "金额" beside debit and credit columns is not a signed amount
    if "date" in mapping:
        for role in DATE_PART_ROLES:
            if role not in from_memory:
                mapping.pop(role, None)  # "年" beside a full date column is not needed
    return mapping


def column_label(headers, index):
    """``"金额" (D)``: the header text and the spreadsheet letter of a column."""
    letters = column_letter(index)
    header = headers[index] if index < len(headers) and filled(headers[index]) else ""
    return f'"{str(header).strip()}" ({letters})' if header else f"({letters})"


def check_mapping(mapping, filename):
    if "date" not in mapping and not {"month", "day"} <= set(mapping):
        raise LedgerError(
            _lt(
                "%(file)s: no date column. Map the column holding the dates (日期, Date), or the "
                "month and day columns (月, 日) and the year column if there is one (年)."
            ),
            file=filename,
        )
    if "date" in mapping and set(DATE_PART_ROLES) & set(mapping):
        raise LedgerError(
            _lt("%(file)s: map either a date column or year, month and day columns, not both."),
            file=filename,
        )
    if not set(AMOUNT_ROLES) & set(mapping):
        raise LedgerError(
            _lt(
                "%(file)s: no amount column. Map a signed amount column (金额, Amount) or the debit and "
                "credit columns (借方, 贷方, Debit, Credit)."
            ),
            file=filename,
        )
    if "amount" in mapping and ("debit" in mapping or "credit" in mapping):
        raise LedgerError(
            _lt(
                "%(file)s: map either a signed amount column or debit and credit columns, not both."
            ),
            file=filename,
        )
    if len(set(mapping.values())) != len(mapping):
        raise LedgerError(_lt("%(file)s: a column is mapped to two roles."), file=filename)
