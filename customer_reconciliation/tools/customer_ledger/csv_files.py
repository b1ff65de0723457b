"""Reading a CSV ledger file, whatever its encoding and delimiter. Pure Python.

Its encoding is checked over the whole file without decoding it at once; its rows are decoded
and split as they are read, each time the :class:`~.reading.Table` is gone through.
"""

import codecs
import csv
import io

from .reading import (
    HEADER_SCAN_ROWS,
    MAX_ROWS,
    LedgerError,
    Table,
    _cell_too_long,
    _lt,
    _not_a_spreadsheet,
    _Rows,
    number,
)

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
_CHUNK = 1 << 20
_SAMPLE = 1 << 16


def _chardet_guess(content):
    """The encoding chardet sees (Big5, Shift-JIS...), when chardet is installed (Odoo ships it)."""
    try:
        import chardet  # noqa: PLC0415 - optional
    except ImportError:
        return None
    found = chardet.detect(content[:_SAMPLE])
    # A guess of little confidence is no better than trying GB18030 first.
    return found.get("encoding") if (found.get("confidence") or 0) >= 0.7 else None


# Traditional Chinese encodings, as chardet names them: tried before GB18030, which decodes
# most Big5 bytes too (into the wrong characters).
_TRADITIONAL = {"big5", "big5hkscs", "cp950"}


def _utf16_without_bom(content):
    """'utf-16-le' or 'utf-16-be' when NUL bytes fall on every other byte only, as in UTF-16
    text (its figures, dates and separators), else None."""
    sample = content[:_SAMPLE]
    if len(sample) < 16:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > 0.1 * (len(sample) // 2) and even < 0.05 * odd:
        return "utf-16-le"
    if even > 0.1 * (len(sample) // 2) and odd < 0.05 * even:
        return "utf-16-be"
    return None


def _invalid_at(content, encoding):
    """Offset of the first byte ``encoding`` cannot decode, or None; decoded chunk by chunk
    (no copy of the whole text)."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        return 0
    offset = 0
    try:
        for offset in range(0, len(content), _CHUNK):
            decoder.decode(content[offset : offset + _CHUNK])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        return offset + max(error.start, 0)
    return None


def _encoding(content, filename):
    """The encoding of a CSV file, checked over the whole file without decoding it at once."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            if _invalid_at(content, encoding) is None:
                return encoding
            break
    if content.startswith(_BINARY_MAGIC):
        raise _not_a_spreadsheet(filename)
    utf16 = _utf16_without_bom(content)
    if utf16 and _invalid_at(content, utf16) is None:
        return utf16
    if (nul := content.find(b"\x00")) >= 0:
        raise LedgerError(
            _lt(
                "%(file)s is not a spreadsheet: it holds binary data (a NUL byte at byte %(offset)s). "
                "Export the ledger as an Excel (.xlsx) or CSV file."
            ),
            file=filename,
            offset=number(nul),
        )
    invalid = _invalid_at(content, "utf-8")
    if invalid is None:
        return "utf-8"
    if len(content[:invalid].decode("utf-8", "replace")) + 16 <= invalid:
        # Several non-ASCII UTF-8 characters before an invalid byte: UTF-8 text with a
        # part in another encoding (pasted from a GBK file): any single decoding garbles it.
        raise LedgerError(
            _lt(
                "%(file)s mixes text encodings: it is UTF-8 up to byte %(offset)s, then not. Save "
                "the whole CSV again as UTF-8 or GBK."
            ),
            file=filename,
            offset=number(invalid),
        )
    guess = _chardet_guess(content)
    candidates = ("gb18030", guess)
    if guess and guess.lower().replace("-", "").replace("_", "") in _TRADITIONAL:
        candidates = ("big5hkscs" if "hk" in guess.lower() else "cp950", guess, "gb18030")
    for encoding in candidates:
        if encoding and _invalid_at(content, encoding) is None:
            return encoding
    raise LedgerError(
        _lt("%(file)s: the text encoding cannot be read; save the CSV as UTF-8, GBK or Big5."),
        file=filename,
    )


def read_csv(content, filename, deadline):
    """The cells of a CSV file as a streamed :class:`Table`: its encoding and delimiter found
    first, its rows read (and checked against the ceilings) as they are asked for."""
    encoding = _encoding(content, filename)
    sample = codecs.getincrementaldecoder(encoding)(errors="replace").decode(content[:_SAMPLE])
    controls = sum(1 for char in sample if ord(char) < 32 and char not in "\t\r\n")
    if controls > 0.01 * len(sample):
        raise _not_a_spreadsheet(filename)
    lines = sample.splitlines()[: HEADER_SCAN_ROWS + 20]
    if len(lines) > 1 and len(sample) == _SAMPLE:
        lines.pop()  # cut in the middle
    sample = "\n".join(lines)
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = max(",;\t|", key=sample.count)
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar"}

    def stream():
        # Decoded as it is read: no copy of the whole text, no list of its lines or cells.
        checker = _Rows(filename, deadline)
        reader = csv.reader(
            io.TextIOWrapper(io.BytesIO(content), encoding=encoding, newline=""),
            delimiter=delimiter,
        )
        row = 0
        try:
            for row, cells in enumerate(reader, 1):
                cells = checker.take(row, cells)
                if cells is not None:
                    yield row, cells
        except csv.Error as error:
            if "field larger than field limit" in str(error):
                raise _cell_too_long(filename, row + 1) from error
            raise _not_a_spreadsheet(filename) from error

    # A row a line (blank lines and line feeds quoted in cells make this an upper bound).
    estimate = content.count(b"\n") + (not content.endswith(b"\n"))
    table = Table(filename, None, "csv", f"{encoding}, {names[delimiter]}", stream, estimate)
    if estimate > MAX_ROWS:
        # More lines than rows can be imported: its rows with data are counted (the count
        # stops, refused, at the ceiling), without keeping them.
        table.row_estimate = sum(1 for _row in table.iter_rows())
    return table
