"""Reading a ledger file into its cells: XLSX, XLS or CSV, whatever the encoding. Pure Python.

Every problem raises :class:`LedgerError` naming the file (and the row and column when there is
one). Messages are English templates marked with ``_lt`` so that they are extracted for
translation; the Odoo side translates them with ``env._``.
"""

import codecs
import csv
import io
import re
import zipfile

MAX_FILE_SIZE = 10 * 1024 * 1024
HEADER_SCAN_ROWS = 30


def _lt(message):
    """Mark a message for translation; the caller translates it (no Odoo import here)."""
    return message


class LedgerError(ValueError):
    """A ledger file that cannot be read: ``message % params`` says where and why."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message % params)


class Formula:
    """A formula cell of an XLSX file without a saved (cached) value."""

    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


class Table:
    """The cells of the sheet to import: ``rows`` is a list of (row number, list of cells)."""

    def __init__(self, filename, rows, file_format, detail=""):
        self.filename = filename
        self.rows = rows
        self.format = file_format
        self.detail = detail


def read_table(content, filename):
    """Detect the format and encoding of ``content`` and return its cells as a :class:`Table`."""
    if not content or not content.strip():
        raise LedgerError(_lt("%(file)s is empty."), file=filename)
    if len(content) > MAX_FILE_SIZE:
        raise LedgerError(
            _lt("%(file)s is %(size)s MB: files up to %(limit)s MB can be imported."),
            file=filename,
            size=f"{len(content) / 1024 / 1024:.1f}",
            limit=MAX_FILE_SIZE // 1024 // 1024,
        )
    if content[:4] == b"PK\x03\x04":
        table = _read_xlsx(content, filename)
    elif content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        table = _read_xls(content, filename)
    else:
        table = _read_csv(content, filename)
    if not any(filled(cell) for _number, cells in table.rows for cell in cells):
        raise LedgerError(_lt("%(file)s is empty."), file=filename)
    return table


def _not_a_spreadsheet(filename):
    return LedgerError(
        _lt("%(file)s is not a spreadsheet: export the ledger as an Excel (.xlsx) or CSV file."),
        file=filename,
    )


def _has_formulas(content):
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 20):
                        if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                            return True
                        tail = chunk[-16:]
    return False


def _read_xlsx(content, filename):
    import openpyxl  # only needed for this format

    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        formulas = _has_formulas(content)
    except Exception as error:  # whatever the failure, this is not an XLSX workbook
        raise _not_a_spreadsheet(filename) from error
    try:
        sheet = _pick_sheet(book)
        rows = [list(values) for values in sheet.iter_rows(values_only=True)]
        title = sheet.title
        if formulas:
            # Formula cells read as empty when the file was never recalculated and saved:
            # find them in the formula view to say so instead of importing a hole.
            formula_book = openpyxl.load_workbook(
                io.BytesIO(content), read_only=True, data_only=False
            )
            formula_sheet = formula_book[title]
            formula_sheet.reset_dimensions()
            for cells, formula_cells in zip(
                rows, formula_sheet.iter_rows(values_only=True), strict=False
            ):
                for index, value in enumerate(formula_cells):
                    if (
                        index < len(cells)
                        and cells[index] is None
                        and isinstance(value, str)
                        and value[:1] == "="
                    ):
                        cells[index] = Formula(value)
            formula_book.close()
    except LedgerError:
        raise
    except Exception as error:
        raise _not_a_spreadsheet(filename) from error
    finally:
        book.close()
    return Table(filename, list(enumerate(rows, start=1)), "xlsx", title)


def _pick_sheet(book):
    """The active sheet, or the first one with data when the active one is empty."""
    sheets = [book.active] + [sheet for sheet in book.worksheets if sheet is not book.active]
    for sheet in sheets:
        sheet.reset_dimensions()  # some exporters write wrong dimensions: read every row and column
        for values in sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True):
            if any(filled(value) for value in values):
                return sheet
    return book.active


def _read_xls(content, filename):
    try:
        import xlrd  # optional: Excel 97-2003 files
    except ImportError as error:
        raise LedgerError(
            _lt(
                "%(file)s is an Excel 97-2003 (.xls) file: save it as .xlsx or CSV and import it again."
            ),
            file=filename,
        ) from error
    try:
        book = xlrd.open_workbook(file_contents=content)
        sheet = next((s for s in book.sheets() if s.nrows), book.sheet_by_index(0))
        rows = []
        for index in range(sheet.nrows):
            cells = []
            for cell in sheet.row(index):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    cells.append(xlrd.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    cells.append(None)
                else:
                    cells.append(cell.value)
            rows.append((index + 1, cells))
    except Exception as error:
        raise _not_a_spreadsheet(filename) from error
    return Table(filename, rows, "xls", sheet.name)


_BINARY_MAGIC = (
    b"%PDF",
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"\x1f\x8b",
    b"Rar!",
    b"7z\xbc\xaf",
    b"BM",
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _chardet_guess(content):
    """The encoding chardet sees (Big5, Shift-JIS...), when chardet is installed (Odoo ships it)."""
    try:
        import chardet  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return chardet.detect(content[:65536]).get("encoding")


def _decode(content, filename):
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    if content.startswith(_BINARY_MAGIC) or b"\x00" in content[:65536]:
        raise _not_a_spreadsheet(filename)
    candidates = ["utf-8", "gb18030"]
    guess = _chardet_guess(content)
    if guess:
        candidates.append(guess)
    for encoding in candidates:
        try:
            return content.decode(encoding), encoding
        except (UnicodeDecodeError, LookupError):
            continue
    raise LedgerError(
        _lt("%(file)s: the text encoding cannot be read; save the CSV as UTF-8 or GBK."),
        file=filename,
    )


def _read_csv(content, filename):
    text, encoding = _decode(content, filename)
    controls = sum(1 for char in text[:65536] if ord(char) < 32 and char not in "\t\r\n")
    if controls > 0.01 * min(len(text), 65536):
        raise _not_a_spreadsheet(filename)
    sample = "\n".join(text.splitlines()[: HEADER_SCAN_ROWS + 20])
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = max(",;\t|", key=sample.count)
    try:
        rows = [
            (number, cells)
            for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), 1)
        ]
    except csv.Error as error:
        raise _not_a_spreadsheet(filename) from error
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}
    return Table(filename, rows, "csv", f"{encoding}, {names[delimiter]}")


def filled(value):
    return value is not None and not (isinstance(value, str) and not value.strip())
