"""A customer's ledger file → ledger lines in our sign convention. Pure Python.

Customers export their accounts-payable ledger of us from their own software (Kingdee, Yonyou,
Chanjet, Excel, SAP...). This module finds the header row (even below a title block),
recognises Chinese and English headers, skips blank and subtotal rows, reads the values
(``values``) and converts their sign convention to ours. The file itself is read by
``reading``. Nothing is returned half-read: the first problem raises :class:`LedgerError`.
"""

import re
import unicodedata
from decimal import Decimal

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
from .values import OutOfBounds, guess_day_first, parse_amount, parse_date, parse_direction

__all__ = [
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


class LedgerLine:
    """One line of their ledger: ``raw`` in their books (debit positive), ``amount`` in ours.

    ``amount`` and ``balance`` are computed when read, from the signs ``Ledger.apply_sign``
    sets: a file of 200,000 lines holds 400,000 Decimals fewer."""

    __slots__ = (
        "balance_sign",
        "credit",
        "date",
        "debit",
        "description",
        "raw",
        "raw_balance",
        "reference",
        "row",
        "sign",
        "voucher",
    )

    def __init__(self, row, date, reference, voucher, description, debit, credit, raw, raw_balance):
        self.row = row
        self.date = date
        self.reference = reference
        self.voucher = voucher
        self.description = description
        self.debit = debit
        self.credit = credit
        self.raw = raw
        self.raw_balance = raw_balance
        self.sign = None
        self.balance_sign = None

    @property
    def amount(self):
        return None if self.sign is None else self.sign * self.raw

    @property
    def balance(self):
        if self.balance_sign is None or self.raw_balance is None:
            return None
        return self.balance_sign * self.raw_balance


class Ledger:
    """The parsed ledger: lines, their opening and closing balances when the file gives them.

    ``raw_opening`` / ``raw_closing``: (value, read from the balance column) or None.
    """

    def __init__(self, lines, raw_opening, raw_closing, skipped, balance_factor):
        self.lines = lines
        self.raw_opening = raw_opening
        self.raw_closing = raw_closing
        self.skipped = skipped
        self.balance_factor = balance_factor
        self.sign = None
        self.opening = None
        self.closing = None

    def apply_sign(self, sign):
        """Convert to our convention: ``sign`` -1 when their credit is our debit (their payables)."""
        self.sign = sign
        # A balance column shows the balance on its natural side; balance_factor says which.
        # Unknown: positive means they owe us, whatever their convention.
        factor = self.balance_factor if self.balance_factor is not None else sign

        def convert(found):
            if found is None:
                return None
            value, from_balance = found
            return sign * factor * value if from_balance else sign * value

        for line in self.lines:
            line.sign = sign
            line.balance_sign = sign * factor
        self.opening = convert(self.raw_opening)
        self.closing = convert(self.raw_closing)
        if self.closing is None and self.lines and self.lines[-1].balance is not None:
            self.closing = self.lines[-1].balance
        if self.opening is None and self.lines and self.lines[0].balance is not None:
            self.opening = self.lines[0].balance - self.lines[0].amount
        return self


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
    """Index in ``table.rows`` of the header row among the first rows: the one naming the most
    known columns including a date and an amount (signed, debit or credit); failing that, the
    first row of several text cells, for the user to map by hand. ``header_row``: the row
    number the user chose instead."""
    if header_row:
        for position, (number, _cells) in enumerate(table.rows):
            if number == header_row:
                return position
        raise LedgerError(_lt("%(file)s has no row %(row)s."), file=table.filename, row=header_row)
    best, best_score, fallback = None, 1, None
    for position, (_number, cells) in enumerate(table.rows[:HEADER_SCAN_ROWS]):
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


def _row_kind(cells):
    for cell in cells:
        if isinstance(cell, str) and len(cell) <= 60 and not _NO_WORDS.fullmatch(cell):
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
        raw = self.cell(cells, role)
        if raw is None or isinstance(raw, Formula):
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return str(raw).strip()

    def amounts(self, cells, number):
        """(debit, credit, amount, balance) of a row, each None where its column is not mapped."""
        found = {
            role: self.value(cells, role, number, parse_amount) if role in self.mapping else None
            for role in ("debit", "credit", "amount", "balance")
        }
        direction = (
            parse_direction(self.cell(cells, "direction")) if "direction" in self.mapping else None
        )
        if direction is not None:
            if found["balance"] is not None:
                found["balance"] = abs(found["balance"]) * direction
            elif found["amount"] is not None:
                found["amount"] = abs(found["amount"]) * direction
        return found["debit"], found["credit"], found["amount"], found["balance"]

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


_ZERO = Decimal(0)
_NOT_A_DATE = _lt("%(file)s, row %(row)s, column %(column)s: %(value)s is not a date.")


def _stated_balance(debit, credit, amount, balance):
    """Their opening / closing balance: (value, from the balance column?), or None."""
    if balance is not None:
        return balance, True
    if amount is not None or debit is not None or credit is not None:
        return (amount if amount is not None else (debit or 0) - (credit or 0)), False
    return None


def parse_ledger(table, header_position, mapping, deadline=None, release=False):
    """Read the lines below the header; raises LedgerError at the first unreadable value, or
    when ``deadline`` (a :class:`Deadline`) passes. ``release``: free each row of ``table``
    once read (the header row and the rows above it stay), so that the cells and the lines
    are not both held in full."""
    check_mapping(mapping, table.filename)
    deadline = deadline or Deadline(table.filename)
    rows = table.rows
    reader = _RowReader(table, rows[header_position][1], mapping)
    day_first = guess_day_first(
        reader.cell(cells, "date") for _number, cells in rows[header_position + 1 :]
    )
    lines, skipped = [], 0
    stated = {"opening": None, "closing": None}
    for position in range(header_position + 1, len(rows)):
        number, cells = rows[position]
        if release:
            rows[position] = None
        if not position % _CHECK_EVERY:
            deadline.check(number)
        if not any(filled(c) for c in cells):
            continue
        kind = _row_kind(cells)
        if kind == "subtotal":
            skipped += 1
            continue
        debit, credit, amount, balance = reader.amounts(cells, number)
        if kind in stated:
            stated[kind] = _stated_balance(debit, credit, amount, balance)
            skipped += 1
            continue
        raw = amount if amount is not None else (debit or 0) - (credit or 0)
        if (amount is None and debit is None and credit is None) or not raw:
            skipped += 1  # a note, a signature line, a zero: not a ledger entry
            continue
        lines.append(
            LedgerLine(
                number,
                reader.date(cells, number, day_first),
                reader.text(cells, "reference"),
                reader.text(cells, "voucher"),
                reader.text(cells, "description"),
                debit or _ZERO,
                credit or _ZERO,
                raw,
                balance,
            )
        )
    if not lines:
        raise LedgerError(
            _lt("%(file)s has no ledger lines below its header row (row %(row)s)."),
            file=table.filename,
            row=table.rows[header_position][0],
        )
    raw_opening, raw_closing = stated["opening"], stated["closing"]
    opening_balance = raw_opening[0] if raw_opening and raw_opening[1] else None
    return Ledger(lines, raw_opening, raw_closing, skipped, _balance_factor(lines, opening_balance))


def _balance_factor(lines, raw_opening):
    """+1 when the balance column moves with their debits, -1 with their credits, None if unknown."""
    votes = 0
    previous = raw_opening
    for line in lines:
        if line.raw_balance is None:
            previous = None
            continue
        if previous is not None:
            delta = line.raw_balance - previous
            if delta == line.raw:
                votes += 1
            elif delta == -line.raw:
                votes -= 1
        previous = line.raw_balance
    return 1 if votes > 0 else -1 if votes < 0 else None


def read_ledger(content, filename, mapping=None, remembered=None, deadline=None):
    """File → (table, header position, mapping, ledger) in one call (mapping guessed if not given)."""
    deadline = deadline or Deadline(filename)
    table = read_table(content, filename, deadline)
    position = find_header(table)
    if mapping is None:
        mapping = guess_mapping(table.rows[position][1], remembered)
    return table, position, mapping, parse_ledger(table, position, mapping, deadline)
