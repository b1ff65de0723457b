"""The one workbook writer: its formats, shared by the statement, the receivable balances
(往来余额表) and the comparison with the customer's ledger (``*_workbook.py``), in one language.

Workbooks are written in xlsxwriter's constant-memory mode (rows are flushed to a temporary
file as they are written): memory stays flat for exports of 100,000 lines. That mode writes
rows strictly in order, hence the "side block" below, written with the rows it sits on.

Every text is written as a text: the customer's names, references and the descriptions of
their ledger never become a formula or a link in the spreadsheet (formula injection), however
they start. Formulas are only ever written as such, with ``write_formula``.
"""

import io
import re

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet, convert_cell_args

_STRFTIME_TO_EXCEL = {
    "%Y": "yyyy",
    "%y": "yy",
    "%m": "mm",
    "%d": "dd",
    "%e": "d",
    "%b": "mmm",
    "%B": "mmmm",
    "%a": "ddd",
    "%A": "dddd",
}
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

TABLE_HEADER_ROW = 2  # the row of the column titles under a title and a subtitle
# The status colours of the comparison.
STATUS_COLOURS = {
    "matched": ("#1E7B34", False),
    "difference": ("#B7791F", True),
    "only_ours": ("#C53030", True),
    "only_theirs": ("#C53030", True),
}


def excel_date_format(strftime_format):
    """'%Y年%m月%d日' -> 'yyyy"年"mm"月"dd"日"'."""
    parts = re.split(r"(%[a-zA-Z])", strftime_format or "%Y-%m-%d")
    out = []
    for part in parts:
        if part in _STRFTIME_TO_EXCEL:
            out.append(_STRFTIME_TO_EXCEL[part])
        elif part:
            out.append('"{}"'.format(part.replace('"', "")))
    return "".join(out) or "yyyy-mm-dd"


def excel_currency_format(currency):
    digits = currency.decimal_places
    number = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    symbol = (currency.symbol or currency.name).replace('"', "")
    positive = f'{number} "{symbol}"' if currency.position == "after" else f'"{symbol}"{number}'
    return f"{positive};-{positive}"


def text_width(text):
    """Display width of a text: CJK characters (3 bytes in UTF-8) count twice."""
    return (len(text.encode("utf-8")) + len(text)) // 2


def cell(row, col):
    return xl_rowcol_to_cell(row, col)


class TextWorksheet(Worksheet):
    """A worksheet on which ``write()`` of a text writes a text, as ``write_string()`` does:
    never a formula (``=...``, and the array formula ``{=...}`` that xlsxwriter's
    ``strings_to_formulas`` option does not cover), a link or a number."""

    @convert_cell_args
    def write(self, row, col, *args):
        if args and isinstance(args[0], str) and args[0]:
            return self.write_string(row, col, *args)
        return super().write(row, col, *args)


class TextWorkbook(xlsxwriter.Workbook):
    """xlsxwriter's workbook whose every sheet is a :class:`TextWorksheet`, and whose own
    conversions of texts (to formulas, links, numbers) are off: the one rule of every
    workbook of the addon."""

    worksheet_class = TextWorksheet

    def __init__(self, filename=None, options=None):
        options = {
            **(options or {}),
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        }
        super().__init__(filename, options)

    def add_worksheet(self, name=None, worksheet_class=None):
        if worksheet_class is not None and not issubclass(worksheet_class, TextWorksheet):
            raise TypeError("the addon's workbooks hold text worksheets only")
        return super().add_worksheet(name, worksheet_class or TextWorksheet)


class Workbook:
    """One xlsxwriter workbook with the formats of the addon's workbooks, in one language."""

    def __init__(self, env):
        self.env = env
        self.output = io.BytesIO()
        self.book = TextWorkbook(self.output, {"constant_memory": True, "in_memory": False})
        lang = env["res.lang"]._get_data(code=env.lang or "en_US")
        date_format = excel_date_format(lang.date_format)
        add = self.book.add_format
        self.f_title = add({"bold": True, "font_size": 13})
        self.f_subtitle = add({"font_color": "#6c757d"})
        self.f_header = add({"bold": True, "bg_color": "#e9ecef", "bottom": 1, "valign": "vcenter"})
        self.f_header_num = add(
            {"bold": True, "bg_color": "#e9ecef", "bottom": 1, "align": "right"}
        )
        self.f_label = add({"font_color": "#495057"})
        self.f_label_bold = add({"bold": True})
        self.f_date = add({"num_format": date_format, "align": "left"})
        self.f_date_bold = add({"num_format": date_format, "align": "left", "bold": True, "top": 1})
        self.f_text_bold = add({"bold": True, "top": 1})
        self.f_wrap = add({"text_wrap": True, "valign": "top"})
        self.f_link = add({"font_color": "#0563c1", "underline": 1})
        self.f_status = {
            status: add({"font_color": colour, "bold": bold})
            for status, (colour, bold) in STATUS_COLOURS.items()
        }
        self._money = {}
        self._used_sheet_names = set()

    def money(self, currency, bold=False):
        key = (currency.id, bold)
        if key not in self._money:
            props = {"num_format": excel_currency_format(currency)}
            if bold:
                props.update(bold=True, top=1)
            self._money[key] = self.book.add_format(props)
        return self._money[key]

    def sheet_name(self, name):
        base = _SHEET_NAME_FORBIDDEN.sub("-", name).strip("'")[:31] or "Sheet"
        candidate, index = base, 2
        while candidate.lower() in self._used_sheet_names:
            suffix = f" ({index})"
            candidate = base[: 31 - len(suffix)] + suffix
            index += 1
        self._used_sheet_names.add(candidate.lower())
        return candidate

    def close(self):
        self.book.close()
        return self.output.getvalue()

    def _headers(self, sheet, row, headers):
        """Column titles; ``headers``: [(title, numeric, width)]."""
        for col, (title, numeric, width) in enumerate(headers):
            sheet.write_string(row, col, title, self.f_header_num if numeric else self.f_header)
            if width:
                sheet.set_column(col, col, width)
