"""A customer's ledger file → ledger lines in our sign convention. Pure Python.

Customers export their accounts-payable ledger of us from their own software (Kingdee, Yonyou,
Chanjet, Excel, SAP...). This module finds the header row (even below a title block),
recognises Chinese and English headers, skips blank and subtotal rows, reads the values
(``values``) and converts their sign convention to ours. The file itself is read by
``reading``. Nothing is returned half-read: the first problem raises :class:`LedgerError`.
"""

import re
import unicodedata

from .ledger import NO_BALANCE, Ledger, LedgerLine
from .reading import (
    _CHECK_EVERY,
    COMPARE_SECONDS_PER_LINE,
    HEADER_SCAN_ROWS,
    MAX_AMOUNT,
    MAX_CELL_LENGTH,
    MAX_COLUMNS,
    MAX_DATE,
    MAX_FILE_SIZE,
    MAX_ROWS,
    MIN_DATE,
    TIME_LIMIT,
    Deadline,
    Formula,
    LedgerError,
    Table,
    TooSlow,
    _lt,
    filled,
    read_table,
)
from .reading import number as thousands
from .values import (
    _DATE_XXY,
    OutOfBounds,
    guess_day_first,
    parse_amount,
    parse_date,
    parse_direction,
    parse_units,
)

__all__ = [
    "NO_BALANCE",
    "Ledger",
    "LedgerLine",
    "COMPARE_SECONDS_PER_LINE",
    "MAX_AMOUNT",
    "MAX_CELL_LENGTH",
    "MAX_COLUMNS",
    "MAX_DATE",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "MIN_DATE",
    "TIME_LIMIT",
    "Deadline",
    "LedgerError",
    "Table",
    "TooSlow",
    "filled",
    "parse_amount",
    "parse_date",
    "read_table",
]

ROLES = (
    "date",
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
_MONEY_ROLES = ("debit", "credit", "amount", "balance")


_HEADERS = {
    "date": "日期 凭证日期 记账日期 业务日期 单据日期 制单日期 交易日期 发生日期 入账日期 开票日期 付款日期 "
    "date postingdate documentdate docdate voucherdate transactiondate invoicedate entrydate bookingdate valuedate",
    "reference": "发票号 发票号码 单号 单据号 单据编号 业务单号 对方单号 原始单号 参考号 参考 参考单号 业务编号 "
    "reference ref ourref yourref invoiceno invoicenumber invoice documentno documentnumber docno document "
    "billno referenceno refno externalreference",
    "voucher": "凭证号 凭证字号 凭证编号 凭证字 凭证 记账凭证号 voucher voucherno vouchernumber journalno entryno "
    "journalentry",
    "description": "摘要 说明 备注 描述 内容 业务摘要 description memo narration text details particulars label "
    "remarks comment",
    "debit": "借方 借方金额 借方发生额 本期借方 借 本币借方 debit debitamount dr debits",
    "credit": "贷方 贷方金额 贷方发生额 本期贷方 贷 本币贷方 credit creditamount cr credits",
    "amount": "金额 发生额 本币金额 原币金额 amount value sum netamount transactionamount",
    "balance": "余额 期末余额 本币余额 balance runningbalance closingbalance",
    "direction": "方向 借贷方向 余额方向 借或贷 借贷 dc drcr direction",
}
_HEADER_ROLE = {word: role for role, words in _HEADERS.items() for word in words.split()}
_BRACKETS = re.compile(r"[(\[【（][^)\]】）]*[)\]】）]")
_HEADER_NOISE = re.compile(r"[\s:：*.#_\-/\\'\"]+")


def normalize_header(value):
    if not isinstance(value, str):
        return ""
    text = unicodedata.normalize("NFKC", value).lower()
    return _HEADER_NOISE.sub("", _BRACKETS.sub("", text))


def guess_role(value):
    """The role of a header cell, or None."""
    text = normalize_header(value)
    if not text:
        return None
    if text in _HEADER_ROLE:
        return _HEADER_ROLE[text]
    for role, needles in (
        ("balance", ("余额", "balance")),
        ("date", ("日期", "date")),
        ("debit", ("借方", "debit")),
        ("credit", ("贷方", "credit")),
        ("description", ("摘要", "description", "memo")),
        ("reference", ("发票", "单号", "单据号", "invoice", "reference")),
        ("voucher", ("凭证", "voucher")),
        ("amount", ("金额", "amount")),
    ):
        if any(needle in text for needle in needles):
            return role
    return None


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
        if "date" in roles and roles & set(AMOUNT_ROLES) and len(roles) > best_score:
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


def guess_mapping(headers, remembered=None):
    """{role: column index}: the remembered headers first, then what the header texts say."""
    mapping = {}
    normalized = [normalize_header(header) for header in headers]
    for role, header in (remembered or {}).items():
        if role in ROLES and header in normalized:
            mapping[role] = normalized.index(header)
    guessed = {}
    for index, header in enumerate(headers):
        role = guess_role(header)
        if role and role not in guessed:
            guessed[role] = index
    from_memory = set(mapping)
    for role, index in guessed.items():
        if role not in mapping and index not in mapping.values():
            mapping[role] = index
    if (
        ("debit" in mapping or "credit" in mapping)
        and "amount" in mapping
        and "amount" not in from_memory
    ):
        del mapping["amount"]  # "金额" beside debit and credit columns is not a signed amount
    return mapping


def column_letter(index):
    """A, B, ..., Z, AA... for the 0-based column ``index``."""
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def column_label(headers, index):
    """``"金额" (D)``: the header text and the spreadsheet letter of a column."""
    letters = column_letter(index)
    header = headers[index] if index < len(headers) and filled(headers[index]) else ""
    return f'"{str(header).strip()}" ({letters})' if header else f"({letters})"


_SUBTOTAL = re.compile(
    r"(本月|本期|本年|本季|当月|当期|全年|月|年|期间)?(合计|小计|累计|总计)|本年累计|本月累计|过次页|承前页"
    r"|sub-?totals?|totals?|grandtotal|pagetotal",
    re.IGNORECASE,
)
_OPENING = re.compile(
    r"期初余额|期初|上期结转|上年结转|上月结转|年初余额|openingbalance|opening|broughtforward|balancebroughtforward|b/?f",
    re.IGNORECASE,
)
_CLOSING = re.compile(
    r"期末余额|本期余额|closingbalance|closing|carriedforward|balancecarriedforward|c/?f",
    re.IGNORECASE,
)


# A cell of figures, dates and punctuation only names no kind of row.
_NO_WORDS = re.compile(r"[\d\s,.\-/:()+]*")
# What every subtotal, opening and closing text above holds, full-width forms included: a
# row without it is an ordinary line (a first look, in C string methods, before the patterns).
_KIND_CHARS = "计页期结初"
_KIND_WORDS = ("total", "open", "forward", "clos")
_BF = re.compile(r"[bc]\s*/?\s*f")


def _may_name_kind(text):
    if any(char in text for char in _KIND_CHARS):
        return True
    if not text.isascii() and max(text) >= "\uff00":
        return True
    low = text.lower()
    return any(word in low for word in _KIND_WORDS) or ("f" in low and bool(_BF.search(low)))


def _row_kind(cells):
    texts = [cell for cell in cells if isinstance(cell, str)]
    if not _may_name_kind("\n".join(texts)):
        return "line"  # the usual row: one look at all its texts
    for cell in texts:
        if len(cell) <= 60 and _may_name_kind(cell) and not _NO_WORDS.fullmatch(cell):
            text = re.sub(r"[\s:：*]+", "", unicodedata.normalize("NFKC", cell))
            if _SUBTOTAL.fullmatch(text):
                return "subtotal"
            if _OPENING.fullmatch(text):
                return "opening"
            if _CLOSING.fullmatch(text):
                return "closing"
    return "line"


def check_mapping(mapping, filename):
    if "date" not in mapping:
        raise LedgerError(
            _lt("%(file)s: no date column. Map the column holding the dates (日期, Date)."),
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


class _RowReader:
    """Reads the cells of the data rows by role; raises LedgerError naming row and column."""

    def __init__(self, table, headers, mapping):
        self.filename = table.filename
        self.headers = headers
        self.mapping = mapping

    def cell(self, cells, role):
        index = self.mapping.get(role)
        return cells[index] if index is not None and index < len(cells) else None

    def error(self, message, row, role, value, **params):
        raise LedgerError(
            message,
            file=self.filename,
            row=row,
            column=column_label(self.headers, self.mapping[role]),
            value=value.text if isinstance(value, Formula) else str(value).strip(),
            **params,
        )

    def value(self, cells, role, number, parser, *args):
        raw = self.cell(cells, role)
        if isinstance(raw, Formula):
            self.error(
                _lt(
                    "%(file)s, row %(row)s, column %(column)s: the formula %(value)s has no saved value. "
                    "Open the file in Excel or WPS, save it and import it again."
                ),
                number,
                role,
                raw,
            )
        try:
            return parser(raw, *args)
        except OutOfBounds:
            self.out_of_bounds(number, role, raw)
        except ValueError:
            if role == "date":
                self.error(_NOT_A_DATE, number, role, raw)
            self.error(
                _lt("%(file)s, row %(row)s, column %(column)s: %(value)s is not an amount."),
                number,
                role,
                raw,
            )
        except (TypeError, OverflowError):
            self.error(_NOT_A_DATE, number, role, raw)

    def out_of_bounds(self, row, role, value):
        if role == "date":
            self.error(
                _lt(
                    "%(file)s, row %(row)s, column %(column)s: %(value)s is outside the dates that can "
                    "be imported (%(min_date)s to %(max_date)s)."
                ),
                row,
                role,
                value,
                min_date=MIN_DATE.isoformat(),
                max_date=MAX_DATE.isoformat(),
            )
        self.error(
            _lt(
                "%(file)s, row %(row)s, column %(column)s: %(value)s is beyond the amounts that can be "
                "imported (less than %(max_amount)s)."
            ),
            row,
            role,
            value,
            max_amount=thousands(MAX_AMOUNT),
        )

    def text(self, cells, role):
        index = self.mapping.get(role)
        raw = cells[index] if index is not None and index < len(cells) else None
        if raw.__class__ is str:
            return raw.strip()
        if raw is None or isinstance(raw, Formula):
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw).strip()

    def amounts(self, cells, number, places):
        """(debit, credit, amount, balance) of a row in minor units, each None where its column
        is not mapped."""
        width = len(cells)
        found = []
        for role in _MONEY_ROLES:
            index = self.mapping.get(role)
            if index is None:
                found.append(None)
                continue
            raw = cells[index] if index < width else None
            if raw == "" or raw is None:
                found.append(None)
            else:
                found.append(self.value(cells, role, number, parse_units, places))
        debit, credit, amount, balance = found
        direction = (
            parse_direction(self.cell(cells, "direction")) if "direction" in self.mapping else None
        )
        if direction is not None:
            if balance is not None:
                balance = abs(balance) * direction
            elif amount is not None:
                amount = abs(amount) * direction
        return debit, credit, amount, balance

    def date(self, cells, number, day_first):
        when = self.value(cells, "date", number, parse_date, day_first)
        if when is None:
            raw_date = self.cell(cells, "date")
            self.error(
                _lt("%(file)s, row %(row)s, column %(column)s: the date is missing."),
                number,
                "date",
                raw_date if raw_date is not None else "",
            )
        return when


_NOT_A_DATE = _lt("%(file)s, row %(row)s, column %(column)s: %(value)s is not a date.")
# Repeated cells (the same day, the same description) are read once and held once: a cache
# of this many cells, emptied when full, so that it stays small whatever the file.
_CACHE_SIZE = 4096


class _DayOrder:
    """d/m/yyyy or m/d/yyyy, decided by the first date of the column that proves it (see
    ``values.guess_day_first``); month first until then."""

    __slots__ = ("day_first", "decided")

    def __init__(self):
        self.day_first = False
        self.decided = False

    def see(self, value):
        """Whether ``value`` needs the order to be read (a x/y/yyyy text); decides it when it
        can."""
        if not isinstance(value, str) or not any(char in value for char in "/.-"):
            return False
        text = unicodedata.normalize("NFKC", value).strip()
        if not _DATE_XXY.fullmatch(text):
            return False
        if not self.decided:
            guess = guess_day_first([text])
            if guess or int(_DATE_XXY.fullmatch(text)[3]) > 12:
                self.day_first, self.decided = guess, True
        return True


def _stated_balance(debit, credit, amount, balance):
    """Their opening / closing balance: (units, from the balance column?), or None."""
    if balance is not None:
        return balance, True
    if amount is not None or debit is not None or credit is not None:
        return (amount if amount is not None else (debit or 0) - (credit or 0)), False
    return None


def parse_ledger(table, header_position, mapping, deadline=None, release=False, places=2):
    """Read the lines below the header; raises LedgerError at the first unreadable value, or
    when ``deadline`` (a :class:`Deadline`) passes. ``places``: the decimals of the statement's
    currency, those of the amounts in minor units. The rows are read one by one (a CSV file
    streamed); ``release``: the kept rows of a spreadsheet are freed once read."""
    check_mapping(mapping, table.filename)
    deadline = deadline or Deadline(table.filename)
    header_number, headers = row_at(table, header_position)
    reader = _RowReader(table, headers, mapping)
    ledger = Ledger(places)
    skipped = 0
    stated = {"opening": None, "closing": None}
    order, pending = _DayOrder(), []  # lines whose x/y/yyyy date waits for the order
    dates, texts = {}, {}
    date_index = mapping["date"]
    for position, (number, cells) in enumerate(table.iter_rows(release)):
        if position <= header_position:
            continue
        if not position % _CHECK_EVERY:
            deadline.check(number)
        # Every row of a table has data (Table.iter_rows): no blank row comes here.
        raw_date = cells[date_index] if date_index < len(cells) else None
        when = dates.get(raw_date) if raw_date.__class__ is str else None
        ordered = when is None and order.see(raw_date)
        kind = _row_kind(cells)
        if kind == "subtotal":
            skipped += 1
            continue
        debit, credit, amount, balance = reader.amounts(cells, number, places)
        if kind in stated:
            stated[kind] = _stated_balance(debit, credit, amount, balance)
            skipped += 1
            continue
        units = amount if amount is not None else (debit or 0) - (credit or 0)
        if (amount is None and debit is None and credit is None) or not units:
            skipped += 1  # a note, a signature line, a zero: not a ledger entry
            continue
        if when is not None:
            pass
        elif ordered and not order.decided:
            pending.append((len(ledger.rows), raw_date, number))
        elif raw_date.__class__ is str:
            if len(dates) >= _CACHE_SIZE:
                dates.clear()
            when = dates[raw_date] = reader.date(cells, number, order.day_first)
        else:
            when = reader.date(cells, number, order.day_first)
        description = reader.text(cells, "description")
        shared = texts.get(description)
        if shared is None:
            if len(texts) >= _CACHE_SIZE:
                texts.clear()
            shared = texts[description] = description
        ledger.append(
            number,
            when,
            reader.text(cells, "reference"),
            reader.text(cells, "voucher"),
            shared,
            debit or 0,
            credit or 0,
            units,
            balance,
        )
    for index, raw_date, number in pending:
        cells = [None] * date_index + [raw_date]
        ledger.dates[index] = reader.date(cells, number, order.day_first)
    if not ledger.rows:
        raise LedgerError(
            _lt("%(file)s has no ledger lines below its header row (row %(row)s)."),
            file=table.filename,
            row=header_number,
        )
    ledger.skipped = skipped
    ledger.raw_opening, ledger.raw_closing = stated["opening"], stated["closing"]
    opening_balance = (
        ledger.raw_opening[0] if ledger.raw_opening and ledger.raw_opening[1] else None
    )
    ledger.balance_factor = _balance_factor(ledger, opening_balance)
    return ledger


def _balance_factor(ledger, raw_opening):
    """+1 when the balance column moves with their debits, -1 with their credits, None if unknown."""
    votes = 0
    previous = raw_opening
    for units, balance in zip(ledger.units, ledger.balances):
        if balance == NO_BALANCE:
            previous = None
            continue
        if previous is not None:
            delta = balance - previous
            if delta == units:
                votes += 1
            elif delta == -units:
                votes -= 1
        previous = balance
    return 1 if votes > 0 else -1 if votes < 0 else None


def read_ledger(content, filename, mapping=None, remembered=None, deadline=None, places=2):
    """File → (table, header position, mapping, ledger) in one call (mapping guessed if not given)."""
    deadline = deadline or Deadline(filename)
    table = read_table(content, filename, deadline)
    position = find_header(table)
    if mapping is None:
        mapping = guess_mapping(table.head[position][1], remembered)
    return table, position, mapping, parse_ledger(table, position, mapping, deadline, places=places)
