"""A customer's ledger file → ledger lines in our sign convention. Pure Python.

Customers export their accounts-payable ledger of us from their own software (Kingdee, Yonyou,
Chanjet, Excel, QuickBooks, Xero, SAP...). This module reads the rows below the header row
(``headers`` finds it and says which column holds what), tells each row's kind (``row_kinds``:
every row ends as a line, a kind that is not one, or an error), reads the values (``values``)
and keeps the lines in columns (``ledger``). The file itself is read by ``reading``. Nothing is
returned half-read: the first problem raises :class:`LedgerError`.
"""

from . import row_kinds as rk
from .dates import DATE_BOUNDS, NOT_A_DATE, OUTSIDE_DATES, DateParts, DayOrder
from .headers import (
    AMOUNT_ROLES,
    DATE_PART_ROLES,
    ROLES,
    check_mapping,
    column_label,
    column_letter,
    find_header,
    guess_mapping,
    guess_role,
    looks_like_header,
    normalize_header,
    parse_amount_or_none,
    row_at,
)
from .ledger import NO_BALANCE, Ledger, LedgerLine
from .reading import (
    _CHECK_EVERY,
    BACKGROUND_ROWS,
    BACKGROUND_TIME_LIMIT,
    COMPARE_SECONDS_PER_LINE,
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
    in_background,
    read_table,
    time_limit,
)
from .reading import number as thousands
from .values import (
    DOT_THOUSANDS,
    OutOfBounds,
    decimal_comma,
    parse_amount,
    parse_date,
    parse_direction,
    parse_units,
)

__all__ = [
    "BACKGROUND_ROWS",
    "BACKGROUND_TIME_LIMIT",
    "AMOUNT_ROLES",
    "COMPARE_SECONDS_PER_LINE",
    "DATE_PART_ROLES",
    "MAX_AMOUNT",
    "MAX_CELL_LENGTH",
    "MAX_COLUMNS",
    "MAX_DATE",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "MIN_DATE",
    "NO_BALANCE",
    "ROLES",
    "TIME_LIMIT",
    "Deadline",
    "Ledger",
    "LedgerError",
    "LedgerLine",
    "Table",
    "TooSlow",
    "in_background",
    "time_limit",
    "check_mapping",
    "column_label",
    "column_letter",
    "filled",
    "find_header",
    "guess_mapping",
    "guess_role",
    "looks_like_header",
    "normalize_header",
    "parse_amount",
    "parse_amount_or_none",
    "parse_date",
    "read_table",
    "row_at",
]

# The rows below the header shown as read on the mapping screen.
PREVIEW_ROWS = 12


class _RowReader:
    """Reads the cells of the data rows by role; raises LedgerError naming row and column."""

    def __init__(self, table, headers, mapping, parts=None):
        self.filename = table.filename
        self.headers = headers
        self.mapping = mapping
        self.parts = parts  # a _DateParts when the date is split in year / month / day columns
        self.comma = False  # the file writes decimal commas (values.decimal_comma)
        self.ambiguous_row = None  # the first row of an amount such as 1.000, read as 1.00
        self.ambiguous_value = ""
        self.comma_row = None  # the first row of an amount such as 1.234,56 (then unexpected)
        # 借贷 / D/C beside a signed amount gives the amount its side; 方向 / 余额方向 the balance's.
        title = normalize_header(headers[mapping["direction"]]) if "direction" in mapping else ""
        self.direction_on_amount = "amount" in mapping and title in _AMOUNT_DIRECTIONS

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
                self.error(NOT_A_DATE, number, role, raw)
            self.error(
                _lt("%(file)s, row %(row)s, column %(column)s: %(value)s is not an amount."),
                number,
                role,
                raw,
            )
        except (TypeError, OverflowError):
            self.error(NOT_A_DATE, number, role, raw)

    def out_of_bounds(self, row, role, value):
        if role == "date":
            self.error(OUTSIDE_DATES, row, role, value, **DATE_BOUNDS)
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

    def _watch_decimals(self, raw, number):
        """Note the first 1.000 read as one and the first 1.234,56 of a decimal-point file."""
        if (
            self.ambiguous_row is None
            and raw[-4:-3] == "."
            and (found := DOT_THOUSANDS.fullmatch(raw.strip()))
            and not found[3]  # 1.000, not 1.234,56
        ):
            self.ambiguous_row, self.ambiguous_value = number, raw.strip()
        if self.comma_row is None and "," in raw and raw.rfind(",") > raw.rfind(".") > -1:
            self.comma_row = number

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
        for role in ("debit", "credit", "amount", "balance"):
            index = self.mapping.get(role)
            if index is None:
                found.append(None)
                continue
            raw = cells[index] if index < width else None
            if raw == "" or raw is None:
                found.append(None)
                continue
            if not self.comma and raw.__class__ is str:
                self._watch_decimals(raw, number)
            found.append(self.value(cells, role, number, parse_units, places, self.comma))
        debit, credit, amount, balance = found
        direction = (
            parse_direction(self.cell(cells, "direction")) if "direction" in self.mapping else None
        )
        if direction is not None:
            if amount is not None and (self.direction_on_amount or balance is None):
                amount = abs(amount) * direction
            elif balance is not None:
                balance = abs(balance) * direction
        return debit, credit, amount, balance

    def date(self, cells, number, day_first):
        if self.parts is not None:
            return self.parts.date(self, cells, number)
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


_AMOUNT_DIRECTIONS = frozenset({"借贷", "借贷方向", "dc", "drcr", "debitcredit"})
_BOTH_DECIMALS = _lt(
    "%(file)s writes amounts with a decimal comma (1.234,56, row %(comma_row)s) and also as "
    "%(value)s (row %(row)s), which then reads as a thousand or as one: export the ledger again "
    "with one number format."
)
# Repeated cells (the same day, the same description) are read once and held once: a cache
# of this many cells, emptied when full, so that it stays small whatever the file.
_CACHE_SIZE = 4096


_DATED_NO_AMOUNT = _lt(
    "%(file)s, row %(row)s has a date but no amount: give its amount, or remove the row, and "
    "import the file again."
)


def _is_a_document(reader, cells, raw_date, split, order):
    """Whether a row whose text names a kind (合计, Opening Balance...) is still a document:
    dated, with a document or voucher number."""
    if not (reader.text(cells, "reference") or reader.text(cells, "voucher")):
        return False
    if split:
        return filled(reader.cell(cells, "day"))
    return _reads_as_date(raw_date, order)


def _reads_as_date(value, order):
    """Whether a date cell (or a month cell of split dates) holds a date: a note written in the
    date column does not."""
    if not filled(value) or isinstance(value, Formula):
        return False
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value <= 12:
        return True  # a month
    try:
        return parse_date(value, order.day_first) is not None
    except (ValueError, TypeError, OverflowError):
        return False


def _file_decimal_comma(table, header_position, mapping):
    """Whether the file writes decimal commas, as its first rows' amounts show."""
    columns = [
        mapping[role] for role in ("debit", "credit", "amount", "balance") if role in mapping
    ]
    return bool(
        decimal_comma(
            cells[index]
            for _number, cells in table.head[header_position + 1 :]
            for index in columns
            if index < len(cells)
        )
    )


def _check_decimals(reader, table):
    """Refuse a file that shows a decimal comma after an amount such as 1.000 was read as 1.00."""
    if reader.ambiguous_row is None or reader.comma_row is None:
        return
    raise LedgerError(
        _BOTH_DECIMALS,
        file=table.filename,
        comma_row=thousands(reader.comma_row),
        row=thousands(reader.ambiguous_row),
        value=reader.ambiguous_value,
    )


def _not_a_line(units, dated, filename, number):
    """The kind of a row without words of a kind and without an amount, or of zero."""
    if units is None:
        if dated:
            raise LedgerError(_DATED_NO_AMOUNT, file=filename, row=thousands(number))
        return rk.NOTE  # no date, no amount: a signature, a remark
    return rk.ZERO


def _line_date(dates, reader, cells, number, day_first, raw_date, split):
    """The date of a line, read once per text of the column (a cache emptied when full);
    ``row_kinds.SUBTOTAL`` for a row without a date that reads as a total."""
    try:
        if raw_date.__class__ is not str or split:
            return reader.date(cells, number, day_first)
        if len(dates) >= _CACHE_SIZE:
            dates.clear()
        when = dates[raw_date] = reader.date(cells, number, day_first)
        return when
    except LedgerError:
        has_number = reader.text(cells, "reference") or reader.text(cells, "voucher")
        if rk.is_loose_total(cells) and not has_number:
            return rk.SUBTOTAL
        raise


def _preview(preview, number, kind, units, text):
    """A row that is not a line, among the first rows shown as read."""
    if len(preview) < PREVIEW_ROWS:
        preview.append((number, kind, None, "", units or None, text))


def _shared(texts, text):
    """``text`` held once however often it is repeated (a cache emptied when full)."""
    shared = texts.get(text)
    if shared is None:
        if len(texts) >= _CACHE_SIZE:
            texts.clear()
        shared = texts[text] = text
    return shared


def _read_pending(ledger, reader, pending, date_index, day_first):
    """The x/y/yyyy dates read once the whole column decided their order."""
    for index, raw_date, number in pending:
        cells = [None] * date_index + [raw_date]
        ledger.dates[index] = reader.date(cells, number, day_first)
    if pending and ledger.preview:
        ledger.preview = [
            (row, kind, ledger.dates[ledger.rows.index(row)] if kind == rk.LINE else when, *rest)
            for row, kind, when, *rest in ledger.preview
        ]


def _stated_balance(debit, credit, amount, balance):
    """Their opening / closing balance: (units, from the balance column?), or None."""
    if balance is not None:
        return balance, True
    if amount is not None or debit is not None or credit is not None:
        return (amount if amount is not None else (debit or 0) - (credit or 0)), False
    return None


def parse_ledger(
    table, header_position, mapping, deadline=None, release=False, places=2, day_first=None
):
    """Read the rows below the header; raises LedgerError at the first unreadable value or row
    that is neither a line nor a known kind, or when ``deadline`` (a :class:`Deadline`)
    passes. ``places``: the decimals of the statement's currency, those of the amounts in
    minor units; ``day_first``: how x/y/yyyy dates are written (None: as the column shows).
    The rows are read one by one (a CSV file streamed); ``release``: the kept rows of a
    spreadsheet are freed once read. ``Ledger.kinds`` counts the rows of each kind."""
    check_mapping(mapping, table.filename)
    deadline = deadline or Deadline(table.filename)
    header_number, headers = row_at(table, header_position)
    split = "date" not in mapping
    parts = DateParts(table.head[:header_position]) if split else None
    reader = _RowReader(table, headers, mapping, parts)
    reader.comma = _file_decimal_comma(table, header_position, mapping)
    ledger = Ledger(places)
    kinds = dict.fromkeys(rk.KINDS, 0)
    kinds[rk.TITLE], kinds[rk.HEADER] = header_position, 1
    preview = ledger.preview
    stated = {rk.OPENING: None, rk.CLOSING: None}
    order, pending = DayOrder(day_first), []  # lines whose x/y/yyyy date waits for the order
    dates, texts = {}, {}
    date_index = mapping.get("date", mapping.get("day"))
    for position, (number, cells) in enumerate(table.iter_rows(release)):
        if position <= header_position:
            continue
        if not position % _CHECK_EVERY:
            deadline.check(number)
        # Every row of a table has data (Table.iter_rows): no blank row comes here.
        raw_date = cells[date_index] if date_index < len(cells) else None
        when = dates.get(raw_date) if raw_date.__class__ is str and not split else None
        ordered = when is None and not split and order.see(raw_date)
        kind = rk.row_kind(cells)
        if kind != rk.LINE and _is_a_document(reader, cells, raw_date, split, order):
            kind = rk.LINE  # "Opening Balance" as the memo of a dated bill: a line
        debit, credit, amount, balance = (
            reader.amounts(cells, number, places) if kind != rk.SUBTOTAL else (None,) * 4
        )
        units = (
            None
            if amount is None and debit is None and credit is None
            else (amount if amount is not None else (debit or 0) - (credit or 0))
        )
        if kind in stated and not (kind == rk.OPENING and stated[kind] is not None):
            # The first opening row (a ledger of several months has one a month), the last closing.
            stated[kind] = _stated_balance(debit, credit, amount, balance)
        elif kind == rk.LINE and not units:
            dated = _reads_as_date(reader.cell(cells, "month") if split else raw_date, order)
            kind = _not_a_line(units, dated, table.filename, number)
        if kind != rk.LINE:
            if split:
                parts.carry(reader, cells)
            kinds[kind] += 1
            _preview(preview, number, kind, units, reader.text(cells, "description"))
            continue
        if when is None and ordered and not order.decided:
            pending.append((len(ledger.rows), raw_date, number))
        elif when is None:
            when = _line_date(dates, reader, cells, number, order.day_first, raw_date, split)
            if when is rk.SUBTOTAL:
                kinds[rk.SUBTOTAL] += 1  # a total of a row without a date
                _preview(preview, number, rk.SUBTOTAL, units, "")
                continue
        shared = _shared(texts, reader.text(cells, "description"))
        reference = reader.text(cells, "reference")
        if len(preview) < PREVIEW_ROWS:
            preview.append((number, rk.LINE, when, reference, units, shared))
        ledger.append(
            number,
            when,
            reference,
            reader.text(cells, "voucher"),
            shared,
            debit or 0,
            credit or 0,
            units,
            balance,
        )
    _read_pending(ledger, reader, pending, date_index, order.day_first)
    _check_decimals(reader, table)
    if not ledger.rows:
        raise LedgerError(
            _lt("%(file)s has no ledger lines below its header row (row %(row)s)."),
            file=table.filename,
            row=header_number,
        )
    ledger.kinds = kinds
    ledger.day_order = None if not order.seen else "day_first" if order.day_first else "month_first"
    ledger.day_order_open = order.seen and not order.decided
    ledger.raw_opening, ledger.raw_closing = stated[rk.OPENING], stated[rk.CLOSING]
    opening_balance = (
        ledger.raw_opening[0] if ledger.raw_opening and ledger.raw_opening[1] else None
    )
    ledger.balance_factor = _balance_factor(ledger, opening_balance)
    if ledger.balance_factor is None and "direction" in mapping and not reader.direction_on_amount:
        ledger.balance_factor = 1  # a balance signed by its 借/贷 column is debit-positive
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


def read_ledger(
    content, filename, mapping=None, remembered=None, deadline=None, places=2, day_first=None
):
    """File → (table, header position, mapping, ledger) in one call (mapping guessed if not given)."""
    deadline = deadline or Deadline(filename)
    table = read_table(content, filename, deadline, is_header=looks_like_header)
    position = find_header(table)
    if mapping is None:
        mapping = guess_mapping(row_at(table, position)[1], remembered)
    ledger = parse_ledger(table, position, mapping, deadline, places=places, day_first=day_first)
    return table, position, mapping, ledger
