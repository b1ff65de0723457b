"""Reading an XLSX (openpyxl, read-only) or XLS (xlrd) ledger file: which of its sheets, that
sheet's rows with data, and its formulas. Pure Python, imported by ``reading.read_table``.

Which sheet: the one the user chose, else (given the parser's ``is_header``) the active sheet
when it looks like a ledger, else the first one that does; only the first rows of each sheet
are looked at. A formula's saved value is used only when the file says it was calculated.
"""

import io
import re
import zipfile

from .reading import (
    _CHECK_EVERY,
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_PART_SIZE,
    MAX_ROWS,
    MAX_UNPACKED_SIZE,
    XLSX_SECONDS_PER_ROW,
    Formula,
    LedgerError,
    Table,
    _lt,
    _not_a_spreadsheet,
    _Rows,
    column_letter,
    filled,
    number,
)

# The rows of a sheet looked at, at most, for its first HEADER_SCAN_ROWS rows with data (does
# it look like a ledger?): a few of each sheet, whatever its size.
SHEET_SCAN_ROWS = 1_000
# The formula cells named in the refusal of formulas not calculated.
NAMED_CELLS = 10


def _too_big(filename, rows, columns):
    return LedgerError(
        _lt(
            "%(file)s claims %(rows)s rows x %(columns)s columns: at most %(max_rows)s rows and "
            "%(max_columns)s columns can be imported."
        ),
        file=filename,
        rows=number(rows),
        columns=number(columns),
        max_rows=number(MAX_ROWS),
        max_columns=MAX_COLUMNS,
    )


def _quoted(names):
    """``"汇总", "明细"``: sheet names as the messages give them."""
    return ", ".join(f'"{name}"' for name in names)


def _no_such_sheet(filename, wanted, names):
    return LedgerError(
        _lt("%(file)s has no sheet %(sheet)s. Sheets: %(sheets)s."),
        file=filename,
        sheet=_quoted([wanted]),
        sheets=_quoted(names),
    )


def _no_ledger_sheet(filename, names):
    return LedgerError(
        _lt(
            "%(file)s: no sheet looks like a ledger (a row of column titles with a date and an "
            "amount). Sheets: %(sheets)s."
        ),
        file=filename,
        sheets=_quoted(names),
    )


def _look_at(rows, is_header):
    """(has data, looks like a ledger) of a sheet from its ``rows`` (iterables of cells): its
    first HEADER_SCAN_ROWS rows with data are given to ``is_header`` as a table's rows are
    (lists without their trailing empty cells, at most MAX_COLUMNS of them)."""
    seen = 0
    for values in rows:
        cells = list(values[:MAX_COLUMNS])
        while cells and not filled(cells[-1]):
            cells.pop()
        if not cells:
            continue
        if is_header(cells):
            return True, True
        seen += 1
        if seen == HEADER_SCAN_ROWS:
            break
    return bool(seen), False


def _ledger_choice(seen):
    """The index of the sheet to read among those looked at, each (has data, looks like a
    ledger, rank: 2 active, 1 selected, 0 else): the most active one that looks like a ledger
    (the first of them); else the only one with data (its header is the parser's to find, or to
    refuse); else, none having data, the most active one (an empty file). None: no choice."""
    ledgers = [index for index, (_data, looks, _rank) in enumerate(seen) if looks]
    if ledgers:
        return max(ledgers, key=lambda index: (seen[index][2], -index))
    with_data = [index for index, (data, _looks, _rank) in enumerate(seen) if data]
    if len(with_data) == 1:
        return with_data[0]
    if not with_data and seen:
        return max(range(len(seen)), key=lambda index: (seen[index][2], -index))
    return None


# ---------------------------------------------------------------------- XLSX
def _check_archive(content, filename):
    """Refuse a zip whose parts unpack beyond the ceilings (a zip bomb), before unpacking.

    The sizes are those the archive declares: zipfile never inflates a part beyond its
    declared size (a part that would is a CRC error).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError) as error:
        raise _not_a_spreadsheet(filename) from error
    total = sum(part.file_size for part in parts)
    big = [
        part
        for part in parts
        if part.file_size > MAX_PART_SIZE and not part.filename.startswith("xl/worksheets/")
    ]
    if total > MAX_UNPACKED_SIZE or big:
        part = big[0] if big else max(parts, key=lambda part: part.file_size)
        raise LedgerError(
            _lt(
                "%(file)s unpacks to %(size)s MB (%(part)s: %(part_size)s MB): at most %(limit)s MB "
                "in all and %(part_limit)s MB per part other than a worksheet can be imported."
            ),
            file=filename,
            size=number(total >> 20),
            part=part.filename,
            part_size=number(part.file_size >> 20),
            limit=MAX_UNPACKED_SIZE >> 20,
            part_limit=MAX_PART_SIZE >> 20,
        )


def _has_formulas(content, deadline, part=None):
    """Whether the worksheet ``part`` (every worksheet when unknown) holds a formula: its XML
    searched chunk by chunk, never parsed."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        part = part and part.lstrip("/")
        for name in [part] if part in names else names:
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                with archive.open(name) as stream:
                    tail = b""
                    while chunk := stream.read(1 << 20):
                        if re.search(rb"<(?:\w+:)?f[ >/]", tail + chunk):
                            return True
                        tail = chunk[-16:]
                        deadline.check()
    return False


_CALC_PROPERTIES = re.compile(rb"<(?:\w+:)?calcPr\b[^>]*>")
_FULL_CALC_ON_LOAD = re.compile(rb"\bfullCalcOnLoad\s*=\s*[\"']\s*(?:1|true)\s*[\"']")
_MAIN_PART = re.compile(rb"<(?:\w+:)?Override\b[^>]*\.main\+xml[^>]*>")
_PART_NAME = re.compile(rb"\bPartName\s*=\s*[\"']/?([^\"']+)[\"']")


def _calculated(content):
    """Whether the saved values of the formulas were calculated: the workbook does not ask for
    all of them to be calculated when it is opened (``<calcPr fullCalcOnLoad="1"/>``, written
    by tools that cannot calculate: xlsxwriter, openpyxl, some exporters, whose saved values
    are 0 or nothing). Its part is small: at most MAX_PART_SIZE (``_check_archive``)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = set(archive.namelist())
        name = "xl/workbook.xml"
        if name not in names and "[Content_Types].xml" in names:
            # Elsewhere, it is the part of the content type "....main+xml".
            main = _MAIN_PART.search(archive.read("[Content_Types].xml"))
            found = main and _PART_NAME.search(main.group())
            name = found.group(1).decode("utf-8", "replace") if found else None
        if name not in names:
            return True
        workbook = archive.read(name)
    properties = _CALC_PROPERTIES.search(workbook)
    return not (properties and _FULL_CALC_ON_LOAD.search(properties.group()))


def read_xlsx(content, filename, deadline, wanted=None, is_header=None):
    import openpyxl  # noqa: PLC0415 - only needed for this format

    _check_archive(content, filename)
    try:
        book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except LedgerError:
        raise
    except Exception as error:  # whatever the failure, this is not an XLSX workbook
        raise _not_a_spreadsheet(filename) from error
    try:
        sheet, declared, names, ledgers = _pick_sheet(book, filename, deadline, wanted, is_header)
        if sheet is None:  # no worksheet at all
            return Table(filename, [], "xlsx", "", sheets=names, ledger_sheets=ledgers)
        # What it claims is refused before it is read, when it could not be imported in time.
        deadline.reserve(declared, whole_import=True, read_per_row=XLSX_SECONDS_PER_ROW)
        rows = _sheet_rows(sheet, filename, deadline)
        title = sheet.title
        if _has_formulas(content, deadline, getattr(sheet, "_worksheet_path", None)):
            _mark_formulas(content, title, rows, filename, deadline, _calculated(content))
    except LedgerError:
        raise
    except Exception as error:
        raise _not_a_spreadsheet(filename) from error
    finally:
        book.close()
    return Table(filename, rows, "xlsx", title, sheets=names, ledger_sheets=ledgers)


def _sheet_rows(sheet, filename, deadline):
    """The rows with data of a read-only sheet, streamed: each is checked as it comes, so a
    cell at XFD1048576 is refused when its row is reached, without building the rows before."""
    collected = _Rows(filename, deadline)
    for row, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if values:
            collected.add(row, values)
        elif not row % _CHECK_EVERY:
            deadline.check(row)
    return collected.rows


def _formula_text(value):
    """The formula of a cell of the formula view (``=C2*2``), None when it holds none."""
    if isinstance(value, str):
        return value if value[:1] == "=" else None
    text = getattr(value, "text", None)  # openpyxl 3.1's array formulas
    return text if isinstance(text, str) else None


def _mark_formulas(content, title, rows, filename, deadline, calculated=True):
    """Formula cells read as empty when the file was never recalculated and saved: find them
    in the formula view to say so instead of importing a hole.

    When the file says its formulas were not calculated (``calculated`` False), their saved
    values cannot be trusted (a 0 for an invoice, a bogus closing balance): the sheet is
    refused, naming its formula cells, when one of them has a saved value. (Without any saved
    value, nothing is misread: the parser refuses the formula cells it reads.)"""
    import openpyxl  # noqa: PLC0415 - only needed for this format

    formula_book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    named, count, saved_values, added = [], 0, False, False
    try:
        formula_sheet = formula_book[title]
        formula_sheet.reset_dimensions()
        by_row = dict(rows)
        for row, values in enumerate(formula_sheet.iter_rows(values_only=True), start=1):
            if not row % _CHECK_EVERY:
                deadline.check(row)
            cells = by_row.get(row)
            for index, value in enumerate(values[:MAX_COLUMNS]):
                text = _formula_text(value)
                if text is None:
                    continue
                saved = cells[index] if cells is not None and index < len(cells) else None
                if saved == text:
                    continue  # a text starting with "=", not a formula
                if not calculated:
                    count += 1
                    saved_values = saved_values or saved is not None
                    if len(named) < NAMED_CELLS:
                        named.append(f"{column_letter(index)}{row}")
                if saved is not None:
                    continue
                if cells is None:
                    cells = by_row[row] = []
                    rows.append((row, cells))
                    added = True
                if index >= len(cells):
                    cells.extend([None] * (index + 1 - len(cells)))
                cells[index] = Formula(text)
        if added:
            rows.sort(key=lambda item: item[0])
    finally:
        formula_book.close()
    if saved_values:
        raise _not_calculated(filename, title, named, count)


def _not_calculated(filename, title, named, count):
    params = {"file": filename, "sheet": _quoted([title]), "cells": ", ".join(named)}
    if count > len(named):
        return LedgerError(
            _lt(
                "%(file)s, sheet %(sheet)s: the formulas in %(cells)s and %(more)s more were not "
                "calculated when the file was saved. Open it in Excel or WPS, save it and import "
                "it again."
            ),
            more=number(count - len(named)),
            **params,
        )
    return LedgerError(
        _lt(
            "%(file)s, sheet %(sheet)s: the formulas in %(cells)s were not calculated when the "
            "file was saved. Open it in Excel or WPS, save it and import it again."
        ),
        **params,
    )


def _pick_sheet(book, filename, deadline, wanted=None, is_header=None):
    """(sheet, rows it declares, names of the worksheets, names of those that look like a
    ledger) of the sheet to read: ``wanted`` (its name), else given ``is_header`` the active
    one when it looks like a ledger, else the first one that does (see ``_ledger_choice``);
    without ``is_header``, the active sheet, or the first one with data when it is empty.

    Its declared dimension is checked first: beyond the ceilings, the file is refused as it
    claims to be. Then the dimensions are ignored (some exporters write wrong ones): every row
    and column is read, up to the ceilings; only the first rows of the others are looked at."""
    sheets = list(book.worksheets)
    names = [sheet.title for sheet in sheets]
    declared = {id(sheet): (sheet.max_row or 0, sheet.max_column or 0) for sheet in sheets}
    active = next((sheet for sheet in sheets if sheet is book.active), None)
    if wanted is not None and wanted not in names:
        raise _no_such_sheet(filename, wanted, names)
    ledgers, chosen = [], None
    if is_header is not None:
        seen = []
        for sheet in sheets:
            deadline.check()
            sheet.reset_dimensions()
            data, looks = _look_at(
                sheet.iter_rows(max_row=SHEET_SCAN_ROWS, values_only=True), is_header
            )
            seen.append((data, looks, 2 if sheet is active else 0))
            if looks:
                ledgers.append(sheet.title)
        if wanted is None:
            index = _ledger_choice(seen)
            if index is None:
                raise _no_ledger_sheet(filename, names)
            chosen = sheets[index]
    if wanted is not None:
        chosen = sheets[names.index(wanted)]
    elif chosen is None:
        for sheet in ([active] if active else []) + [s for s in sheets if s is not active]:
            sheet.reset_dimensions()
            for values in sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True):
                if any(filled(value) for value in values[: MAX_COLUMNS + 1]):
                    chosen = sheet
                    break
            if chosen:
                break
        chosen = chosen or active or (sheets[0] if sheets else None)
    if chosen is None:
        return None, 0, names, ledgers
    rows, columns = declared[id(chosen)]
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        raise _too_big(filename, rows, columns)
    chosen.reset_dimensions()
    return chosen, rows, names, ledgers


# ---------------------------------------------------------------------- XLS
def read_xls(content, filename, deadline, wanted=None, is_header=None):
    try:
        import xlrd  # noqa: PLC0415 - optional: Excel 97-2003 files
    except ImportError as error:
        raise LedgerError(
            _lt(
                "%(file)s is an Excel 97-2003 (.xls) file: save it as .xlsx or CSV and import it again."
            ),
            file=filename,
        ) from error
    try:
        # Rows as long as their cells (not padded to the widest one); one sheet at a time.
        book = xlrd.open_workbook(file_contents=content, on_demand=True, ragged_rows=True)
    except Exception as error:
        raise _not_a_spreadsheet(filename) from error
    try:
        names = book.sheet_names()
        sheet, ledgers = _xls_sheet(book, filename, deadline, wanted, is_header, xlrd)
        if sheet.nrows > MAX_ROWS or sheet.ncols > MAX_COLUMNS:
            raise _too_big(filename, sheet.nrows, sheet.ncols)
        deadline.check()
        collected = _Rows(filename, deadline)
        for index in range(sheet.nrows):
            collected.add(index + 1, _xls_cells(sheet, index, book.datemode, xlrd))
    except LedgerError:
        raise
    except Exception as error:
        raise _not_a_spreadsheet(filename) from error
    finally:
        book.release_resources()
    return Table(filename, collected.rows, "xls", sheet.name, sheets=names, ledger_sheets=ledgers)


def _xls_cells(sheet, index, datemode, xlrd):
    cells = []
    for cell in sheet.row(index):
        if cell.ctype == xlrd.XL_CELL_DATE:
            cells.append(xlrd.xldate_as_datetime(cell.value, datemode))
        elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            cells.append(None)
        else:
            cells.append(cell.value)
    return cells


def _xls_sheet(book, filename, deadline, wanted, is_header, xlrd):
    """(sheet, names of the sheets that look like a ledger): as ``_pick_sheet``; without
    ``is_header``, the first sheet with rows, else the first one. A sheet is loaded whole (the
    format has no other way): at most the one chosen so far stays loaded beside the one looked
    at, the others are released as soon as they are looked at."""
    names = book.sheet_names()
    if wanted is not None and wanted not in names:
        raise _no_such_sheet(filename, wanted, names)
    if is_header is None:
        if wanted is not None:
            return book.sheet_by_index(names.index(wanted)), []
        first = None
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.nrows:
                return sheet, []
            first = first or sheet
            book.unload_sheet(index)
        return first or book.sheet_by_index(0), []
    seen, ledgers, kept = [], [], None
    for index in range(book.nsheets):
        deadline.check()
        sheet = book.sheet_by_index(index)
        head = (
            _xls_cells(sheet, row, book.datemode, xlrd)
            for row in range(min(sheet.nrows, SHEET_SCAN_ROWS))
        )
        data, looks = _look_at(head, is_header)
        # Active: displayed when the file was saved (xlrd's sheet_visible), or else selected.
        seen.append((data, looks, 2 if sheet.sheet_visible else 1 if sheet.sheet_selected else 0))
        if looks:
            ledgers.append(names[index])
        best = names.index(wanted) if wanted is not None else _ledger_choice(seen)
        if best == index:
            if kept is not None:
                book.unload_sheet(kept)
            kept = index
        else:
            book.unload_sheet(index)
    chosen = names.index(wanted) if wanted is not None else _ledger_choice(seen)
    if chosen is None:
        raise _no_ledger_sheet(filename, names)
    return book.sheet_by_index(chosen), ledgers
