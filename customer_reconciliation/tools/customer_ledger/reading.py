"""Reading a ledger file into its cells: XLSX, XLS or CSV, whatever the encoding. Pure Python.

Every problem raises :class:`LedgerError` naming the file (and the row and column when there is
one). Messages are English templates marked with ``_lt`` so that they are extracted for
translation; the Odoo side translates them with ``env._``. The formats are read by
``spreadsheets`` (XLSX, XLS) and ``csv_files``, imported when needed.
"""

import time
from datetime import date

from ..limits import MAX_AMOUNT, MAX_YEAR, MIN_YEAR, InputError, _lt  # noqa: F401 - MAX_AMOUNT for values.py

# The ceilings of an import, the one place they are defined (the parser, the values, the
# models and the wizard use these). A file beyond one is refused before it is loaded, with a
# message naming the limit and what the file holds or claims.
MAX_FILE_SIZE = 10 * 1024 * 1024  # bytes of the uploaded file
MAX_ROWS = 200_000  # rows with data, title block and header included
MAX_COLUMNS = 64
MAX_CELL_LENGTH = 1_000  # characters of one cell
MAX_UNPACKED_SIZE = 200 * 1024 * 1024  # bytes of an XLSX once unzipped, all its parts
MAX_PART_SIZE = 32 * 1024 * 1024  # bytes of one unzipped XLSX part other than a worksheet
# The bounds of amounts and dates are those of everything users enter (tools/limits.py).
MIN_DATE, MAX_DATE = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)
TIME_LIMIT = 15  # seconds to read, parse, store and compare one file
# A file of more rows than this is imported in the background, by a scheduled action, with
# BACKGROUND_TIME_LIMIT seconds: the user does not wait for it, and files too long for the
# request's TIME_LIMIT import up to the row ceiling.
BACKGROUND_ROWS = 20_000
BACKGROUND_TIME_LIMIT = 120
# What comparing one of their lines with the statement costs, its comparison row and the
# line stored (models/match.py, models/customer_line.py: the matcher, then batched SQL
# inserts; about 0.065 ms each measured on 2 cores, bench/bench_import.py, with a margin). A
# comparison that could not end in the time left is refused before it starts.
COMPARE_SECONDS_PER_LINE = 0.00008
# The whole import of one row: reading, parsing, storing and comparing it (about 0.085 ms
# measured on 2 cores, bench/bench_import.py, with a margin). A file whose rows could not all
# be imported in the time left is refused as soon as it is opened, before its rows are read.
IMPORT_SECONDS_PER_ROW = 0.0001
# Reading one row of an XLSX sheet (openpyxl, about 0.07 ms for 7 cells measured on 2 cores):
# a sheet whose declared rows could not be read and imported in time is refused unread.
XLSX_SECONDS_PER_ROW = 0.00008
HEADER_SCAN_ROWS = 30
# The rows a Table keeps at hand: the header scan and the three samples the wizard shows.
HEAD_ROWS = HEADER_SCAN_ROWS + 3
_CHECK_EVERY = 1024  # rows between two looks at the clock


def in_background(rows):
    """Whether a file of about ``rows`` rows is imported in the background rather than in the
    user's request."""
    return rows > BACKGROUND_ROWS


def time_limit(rows):
    """The seconds an import of a file of about ``rows`` rows has: in the user's request or,
    beyond BACKGROUND_ROWS, in the background."""
    return BACKGROUND_TIME_LIMIT if in_background(rows) else TIME_LIMIT


def number(value):
    """1,048,576: how counts are written in the messages."""
    return f"{value:,}"


class LedgerError(InputError):
    """A ledger file that cannot be read: ``message % params`` says where and why."""


class TooSlow(LedgerError):
    """A file that cannot be imported within the time limit (see :class:`Deadline`)."""


class Deadline:
    """The time budget of one import, passed down and checked while reading and parsing.

    ``check()`` raises :class:`LedgerError` once the budget is spent, so that a file too
    big to import is refused with a message instead of the worker being killed.
    """

    __slots__ = ("end", "filename", "seconds")

    def __init__(self, filename, seconds=None):
        self.filename = filename
        self.seconds = TIME_LIMIT if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self, row=None):
        if time.monotonic() <= self.end:
            return
        if row is None:
            raise TooSlow(_TOO_SLOW, file=self.filename, limit=self.seconds)
        raise TooSlow(
            _lt(
                "%(file)s cannot be imported within %(limit)s seconds (stopped at row %(row)s): "
                "import a shorter period, e.g. the months of this statement."
            ),
            file=self.filename,
            limit=self.seconds,
            row=number(row),
        )

    def reserve(self, lines, whole_import=False, read_per_row=0.0):
        """Refuse now a comparison of ``lines`` of theirs that could not end in time (with
        ``whole_import``: the whole import of ``lines`` rows of a file just opened, at
        ``IMPORT_SECONDS_PER_ROW``, plus ``read_per_row`` seconds a row still to be read)."""
        per_line = (
            IMPORT_SECONDS_PER_ROW + read_per_row if whole_import else COMPARE_SECONDS_PER_LINE
        )
        needed = lines * per_line
        if time.monotonic() + needed > self.end:
            raise TooSlow(
                _lt(
                    "%(file)s has %(lines)s lines: comparing them with the statement would take "
                    "about %(needed)s seconds, and an import may take %(limit)s seconds. Import a "
                    "shorter period, e.g. the months of this statement."
                )
                if not whole_import
                else _lt(
                    "%(file)s has about %(lines)s rows: importing them would take about %(needed)s "
                    "seconds, and an import may take %(limit)s seconds. Import a shorter period, "
                    "e.g. the months of this statement."
                ),
                file=self.filename,
                lines=number(lines),
                needed=number(round(needed)),
                limit=self.seconds,
            )


_TOO_SLOW = _lt(
    "%(file)s cannot be imported within %(limit)s seconds: import a shorter period, e.g. the "
    "months of this statement."
)


class Formula:
    """A formula cell of an XLSX file without a saved (cached) value."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class Table:
    """The cells of the sheet to import, the rows with data only, each (row number, list of
    cells).

    ``head``: its first rows (enough to find the header row and show samples of the columns).
    ``iter_rows()`` goes through all of them: a CSV file is read again as it goes, so that its
    cells are never all held at once; the rows of a spreadsheet are kept in ``_rows`` (freed
    one by one with ``release``). ``row_estimate``: at most how many rows it has, known
    without reading them all (the early refusal of a file too long to import in time).
    ``sheets``: the names of the sheets of a workbook, in order; ``ledger_sheets``: those that
    look like a ledger (known when ``read_table`` is given ``is_header``), for the user to
    choose among them; both empty for a CSV file.
    """

    def __init__(
        self,
        filename,
        rows,
        file_format,
        detail="",
        stream=None,
        estimate=None,
        sheets=(),
        ledger_sheets=(),
    ):
        self.filename = filename
        self.format = file_format
        self.detail = detail
        self.sheets = list(sheets)
        self.ledger_sheets = list(ledger_sheets)
        self._rows = rows
        self._stream = stream
        if rows is not None:
            self.head = rows[:HEAD_ROWS]
            self.row_estimate = len(rows)
        else:
            self.head = []
            for item in stream():
                self.head.append(item)
                if len(self.head) == HEAD_ROWS:
                    break
            self.row_estimate = max(estimate or 0, len(self.head))

    def iter_rows(self, release=False):
        """(row number, cells) of every row with data, checked against the ceilings as read.
        ``release``: the kept rows of a spreadsheet are freed as they are given."""
        if self._rows is None:
            yield from self._stream()
            return
        rows = self._rows
        for position, item in enumerate(rows):
            if release and position >= HEAD_ROWS:
                rows[position] = None
            yield item

    @property
    def rows(self):
        """All the rows as a list: for small files and tests (a CSV file is read in full)."""
        return self._rows if self._rows is not None else list(self._stream())


def read_table(content, filename, deadline=None, sheet=None, is_header=None):
    """Detect the format and encoding of ``content`` and return its cells as a :class:`Table`.

    Refuses (:class:`LedgerError`) a file beyond the ceilings above, or not read before
    ``deadline`` (a :class:`Deadline`, by default one of ``TIME_LIMIT`` seconds).

    A workbook (XLSX, XLS): ``sheet`` is the name of the sheet to read (the user's choice; an
    unknown one is refused, naming the sheets). Else, given ``is_header(cells) -> bool`` (the
    parser's: does this row look like the header row of a ledger?), the active sheet is read
    when it looks like a ledger (one of its first ``HEADER_SCAN_ROWS`` rows with data passes
    ``is_header``), else the first sheet that does; a workbook of several sheets with data of
    which none does is refused, naming them (with a single one, it is read: the parser finds
    its header or says why not). Without ``is_header``: the active sheet, or the first one
    with data when it is empty (XLS: the first sheet with rows). ``Table.sheets`` and
    ``Table.ledger_sheets`` name the sheets and those that look like a ledger. Both arguments
    are ignored for a CSV file.
    """
    if not content or not content.strip():
        raise LedgerError(_lt("%(file)s is empty."), file=filename)
    if len(content) > MAX_FILE_SIZE:
        raise LedgerError(
            _lt("%(file)s is %(size)s MB: files up to %(limit)s MB can be imported."),
            file=filename,
            size=f"{len(content) / 1024 / 1024:.1f}",
            limit=MAX_FILE_SIZE // 1024 // 1024,
        )
    deadline = deadline or Deadline(filename)
    if content[:4] == b"PK\x03\x04":
        from .spreadsheets import read_xlsx  # noqa: PLC0415 - it builds on this module

        table = read_xlsx(content, filename, deadline, sheet, is_header)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        from .spreadsheets import read_xls  # noqa: PLC0415 - it builds on this module

        table = read_xls(content, filename, deadline, sheet, is_header)
    else:
        from .csv_files import read_csv  # noqa: PLC0415 - it builds on this module

        table = read_csv(content, filename, deadline)
    if not table.head:
        raise LedgerError(_lt("%(file)s is empty."), file=filename)
    return table


class _Rows:
    """Checks the rows with data of a sheet as they come, refusing them past a ceiling;
    ``add`` keeps them in ``rows``, ``take`` gives them back to stream them."""

    def __init__(self, filename, deadline):
        self.filename = filename
        self.deadline = deadline
        self.rows = []
        self.count = 0

    def add(self, row, cells):
        """Keep row number ``row`` when it has data; ``cells`` is a list or a tuple."""
        cells = self.take(row, cells)
        if cells is not None:
            self.rows.append((row, cells))

    def take(self, row, cells):
        """The cells of row number ``row`` as a list, None when it has no data."""
        if not row % _CHECK_EVERY:
            self.deadline.check(row)
        width = len(cells)
        while width and not filled(cells[width - 1]):
            width -= 1
        if not width:
            return None
        if width > MAX_COLUMNS:
            raise LedgerError(
                _lt(
                    "%(file)s, row %(row)s has %(columns)s columns (the last one %(letter)s): at most "
                    "%(max_columns)s columns can be imported."
                ),
                file=self.filename,
                row=number(row),
                columns=number(width),
                letter=column_letter(width - 1),
                max_columns=MAX_COLUMNS,
            )
        if self.count >= MAX_ROWS:
            raise LedgerError(
                _lt(
                    "%(file)s has more than %(max_rows)s rows with data: at most %(max_rows)s rows "
                    "and %(max_columns)s columns can be imported."
                ),
                file=self.filename,
                max_rows=number(MAX_ROWS),
                max_columns=MAX_COLUMNS,
            )
        self.count += 1
        cells = list(cells[:width]) if width < len(cells) or not isinstance(cells, list) else cells
        try:
            longest = max(map(len, cells))  # a row of texts (CSV), in one C call
        except TypeError:
            longest = max((len(value) for value in cells if isinstance(value, str)), default=0)
        if longest > MAX_CELL_LENGTH:
            for index, value in enumerate(cells):
                if isinstance(value, str) and len(value) > MAX_CELL_LENGTH:
                    raise _cell_too_long(self.filename, row, index, len(value))
        return cells


def _cell_too_long(filename, row, index=None, length=None):
    if index is None:
        return LedgerError(
            _lt(
                "%(file)s, row %(row)s: a cell holds more than %(limit)s characters; at most "
                "%(limit)s characters per cell can be imported."
            ),
            file=filename,
            row=number(row),
            limit=number(MAX_CELL_LENGTH),
        )
    return LedgerError(
        _lt(
            "%(file)s, row %(row)s, column %(letter)s: the cell holds %(length)s characters; at most "
            "%(limit)s characters per cell can be imported."
        ),
        file=filename,
        row=number(row),
        letter=column_letter(index),
        length=number(length),
        limit=number(MAX_CELL_LENGTH),
    )


def column_letter(index):
    """A, B, ..., Z, AA... for the 0-based column ``index``: the one way columns are named."""
    letters, rest = "", index + 1
    while rest:
        rest, digit = divmod(rest - 1, 26)
        letters = chr(65 + digit) + letters
    return letters


def _not_a_spreadsheet(filename):
    return LedgerError(
        _lt("%(file)s is not a spreadsheet: export the ledger as an Excel (.xlsx) or CSV file."),
        file=filename,
    )


def filled(value):
    return value is not None and not (isinstance(value, str) and not value.strip())
