"""The one workbook writer: a statement, the receivable balances (往来余额表) and the comparison
with the customer's ledger, with the same formats, in one language.

Workbooks are written in xlsxwriter's constant-memory mode (rows are flushed to a temporary
file as they are written): memory stays flat for exports of 100,000 lines. That mode writes
rows strictly in order, hence the "side block" below, written with the rows it sits on.
"""

import io
import re

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import fields

from ..tools import aging
from . import statement_data
from .statement_data import selection_labels

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

# Columns of a statement sheet.
(C_DATE, C_KIND, C_DOC, C_REF, C_LABEL, C_DUE, C_DEBIT, C_CREDIT, C_BALANCE, C_OPEN) = range(10)
C_SIDE_LABEL, C_SIDE_VALUE = 11, 12
TABLE_HEADER_ROW = 2
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


# ---------------------------------------------------------------------- the three workbooks
def statement_xlsx(session):
    """One statement as a workbook, in the customer's language: (bytes, file name)."""
    session.ensure_one()
    session.check_access("read")
    customer_session = session.with_context(lang=session._get_report_lang())
    workbook = Workbook(customer_session.env)
    workbook.book.set_properties(
        {
            "title": customer_session.env._("Statement of Account %s", session.name),
            "company": session.company_id.name,
        }
    )
    workbook.write_statement_sheet(
        customer_session, workbook.sheet_name(session.name), with_open_items=True
    )
    return workbook.close(), f"{session._get_report_base_filename('statement')}.xlsx"


def balances_xlsx(sessions, with_statement_sheets=False):
    """The receivable balances of ``sessions`` (往来余额表): (bytes, file name).

    One row per statement; with ``with_statement_sheets`` also one sheet per statement.
    Written in the user's language: the statements may be in several.
    """
    sessions.check_access("read")
    env = sessions.env
    workbook = Workbook(env)
    title = env._("Receivable Balances")
    workbook.book.set_properties(
        {"title": title, "company": ", ".join(sessions.company_id.mapped("name"))}
    )
    summary_name = workbook.sheet_name(title)
    ordered = _balances_order(sessions)
    links = {}
    if with_statement_sheets:
        links = {session.id: workbook.sheet_name(session.name) for session in ordered}
    workbook.write_balances_sheet(sessions, summary_name, links)
    for session in ordered if with_statement_sheets else ():
        workbook.write_statement_sheet(session, links[session.id])
    return workbook.close(), f"{sessions._get_balances_base_filename()}.xlsx"


def comparison_xlsx(session):
    """The comparison with the customer's ledger and its bridge, in the user's language:
    (bytes, file name)."""
    session.ensure_one()
    session.check_access("read")
    workbook = Workbook(session.env)
    workbook.book.set_properties(
        {"title": session.env._("Comparison %s", session.name), "company": session.company_id.name}
    )
    workbook.write_comparison_sheet(session, workbook.sheet_name(session.env._("Comparison")))
    workbook.write_bridge_sheet(session, workbook.sheet_name(session.env._("Bridge")))
    return workbook.close(), f"{session._get_report_base_filename('comparison')}.xlsx"


def _balances_order(sessions):
    return sessions.sorted(
        lambda s: (s.partner_id.name or "", s.date_to, s.currency_id.name, s.version)
    )


class _SideBlock:
    """Label/value pairs on the right of a table, written with the rows they sit on."""

    def __init__(self, workbook, sheet, items, first_row, money, money_bold):
        self.workbook, self.sheet = workbook, sheet
        self.money, self.money_bold = money, money_bold
        self.pending = list(enumerate(items, start=first_row))
        self.pending.reverse()

    def flush(self, upto):
        while self.pending and self.pending[-1][0] <= upto:
            row, item = self.pending.pop()
            if item is not None:
                self._write(row, *item)

    def _write(self, row, label, kind, value, cached):
        sheet, workbook = self.sheet, self.workbook
        label_format = workbook.f_label_bold if kind == "title" else workbook.f_label
        sheet.write_string(row, C_SIDE_LABEL, label, label_format)
        if kind == "text":
            sheet.write_string(row, C_SIDE_VALUE, value or "")
        elif kind == "number":
            sheet.write_number(row, C_SIDE_VALUE, value)
        elif kind == "date":
            sheet.write_datetime(row, C_SIDE_VALUE, value, workbook.f_date)
        elif kind == "money":
            sheet.write_number(row, C_SIDE_VALUE, value or 0.0, self.money)
        elif kind in ("formula", "formula_bold"):
            money = self.money_bold if kind == "formula_bold" else self.money
            sheet.write_formula(row, C_SIDE_VALUE, value, money, cached)


class Workbook:
    """One xlsxwriter workbook with the formats of the addon's workbooks, in one language."""

    def __init__(self, env):
        self.env = env
        self.output = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.output, {"constant_memory": True, "in_memory": False})
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

    # ------------------------------------------------------------------ statement sheet
    def write_statement_sheet(self, session, sheet_name, with_open_items=False):
        _ = self.env._
        session = session.with_env(self.env)
        currency = session.currency_id
        money, money_bold = self.money(currency), self.money(currency, bold=True)
        kinds = selection_labels(self.env, "customer.reconciliation.line", "kind")
        sheet = self.book.add_worksheet(sheet_name)
        sheet.hide_gridlines(2)
        title = _(
            "Statement of Account %(number)s — %(customer)s",
            number=session.name,
            customer=session.partner_id.name,
        )
        sheet.write_string(0, 0, title, self.f_title)
        period = _(
            "Period %(start)s – %(end)s",
            start=session.date_from.isoformat(),
            end=session.date_to.isoformat(),
        )
        sheet.write_string(
            1, 0, f"{session.company_id.name} · {period} · {currency.name}", self.f_subtitle
        )
        headers = [
            (_("Date"), False),
            (_("Type"), False),
            (_("Document"), False),
            (_("Customer Reference"), False),
            (_("Label"), False),
            (_("Due Date"), False),
            (_("Debit"), True),
            (_("Credit"), True),
            (_("Balance"), True),
            (_("Open at End Date"), True),
        ]
        self._headers(
            sheet, TABLE_HEADER_ROW, [(title, numeric, None) for title, numeric in headers]
        )
        widths = [10, 12, 14, 18, 18, 10, 14, 14, 14, 14]
        for col in (C_KIND, C_DOC, C_REF, C_LABEL):
            widths[col] = max(widths[col], text_width(headers[col][0]) + 2)

        lines = statement_data.statement_lines(session)
        opening = next((line for line in lines if line.kind == "opening"), None)
        moves = [line for line in lines if line.kind != "opening"]
        first_row = TABLE_HEADER_ROW + 1  # opening balance row (0-based)
        last_row = first_row + len(moves)  # last line row
        total_row, closing_row = last_row + 1, last_row + 2
        side = _SideBlock(
            self,
            sheet,
            self._statement_side_items(session, total_row, closing_row),
            TABLE_HEADER_ROW,
            money,
            money_bold,
        )
        side.flush(first_row)
        sheet.write_datetime(first_row, C_DATE, session.date_from, self.f_date)
        sheet.write_string(first_row, C_KIND, kinds["opening"])
        sheet.write_number(
            first_row, C_BALANCE, opening.balance if opening else session.opening_balance, money
        )
        seen = [0, 0, 0, 0]  # widest kind, document, reference, label
        for row, line in enumerate(moves, start=first_row + 1):
            side.flush(row)
            self._write_statement_line(sheet, row, line, kinds, money, seen)
        side.flush(total_row)
        self._write_statement_totals(
            sheet, session, total_row, closing_row, bool(moves), money_bold
        )
        side.flush(10**7)

        widths[C_KIND] = max(widths[C_KIND], seen[0] + 2)
        widths[C_DOC] = max(widths[C_DOC], seen[1] + 2)
        widths[C_REF] = min(max(widths[C_REF], seen[2] + 2), 40)
        widths[C_LABEL] = min(max(widths[C_LABEL], seen[3] + 2), 50)
        for col, width in enumerate(widths):
            sheet.set_column(col, col, width)
        sheet.set_column(C_SIDE_LABEL - 1, C_SIDE_LABEL - 1, 3)
        sheet.set_column(C_SIDE_LABEL, C_SIDE_LABEL, 24)
        sheet.set_column(C_SIDE_VALUE, C_SIDE_VALUE, 18)
        sheet.freeze_panes(TABLE_HEADER_ROW + 1, 0)
        sheet.autofilter(TABLE_HEADER_ROW, C_DATE, last_row, C_OPEN)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(TABLE_HEADER_ROW)
        if with_open_items:
            self.write_open_items_sheet(session, self.sheet_name(_("Open Items")))
        return sheet

    def _statement_side_items(self, session, total_row, closing_row):
        """The summary and the aging beside the lines: (label, kind, value, cached value)."""
        _ = self.env._
        partner = session.partner_id
        side = [(_("Customer"), "text", partner.name, None)]
        if partner.vat:
            side.append((_("Tax ID"), "text", partner.vat, None))
        if partner.ref:
            side.append((_("Customer Code"), "text", partner.ref, None))
        states = selection_labels(self.env, session._name, "state")
        side += [
            (_("Statement No."), "text", session.name, None),
            (_("Version"), "number", session.version, None),
            (_("Period From"), "date", session.date_from, None),
            (_("Period To"), "date", session.date_to, None),
            (_("Currency"), "text", session.currency_id.name, None),
            (_("Status"), "text", states[session.state], None),
            None,
            (_("Opening Balance"), "money", session.opening_balance, None),
            (_("Debit"), "formula", f"={cell(total_row, C_DEBIT)}", session.period_debit),
            (_("Credit"), "formula", f"={cell(total_row, C_CREDIT)}", session.period_credit),
            (
                _("Closing Balance"),
                "formula_bold",
                f"={cell(closing_row, C_BALANCE)}",
                session.closing_balance,
            ),
            (_("Overdue"), "money", session.overdue_amount, None),
            None,
            (_("Aging at End Date"), "title", None, None),
        ]
        buckets = session._get_aging()
        start = TABLE_HEADER_ROW + len(side)
        side += [(label, "money", value, None) for label, value in buckets]
        last = start + len(buckets) - 1
        side.append(
            (
                _("Total"),
                "formula_bold",
                f"=SUM({cell(start, C_SIDE_VALUE)}:{cell(last, C_SIDE_VALUE)})",
                sum(value for _label, value in buckets),
            )
        )
        if session.digest:
            side += [None, (_("Content Digest (SHA-256)"), "text", session.digest, None)]
        return side

    def _write_statement_line(self, sheet, row, line, kinds, money, seen):
        excel_row = row + 1
        if line.date:
            sheet.write_datetime(row, C_DATE, line.date, self.f_date)
        kind_label = kinds.get(line.kind, line.kind)
        sheet.write_string(row, C_KIND, kind_label)
        seen[0] = max(seen[0], len(kind_label))
        for col, value, position in (
            (C_DOC, line.name, 1),
            (C_REF, line.customer_ref, 2),
            (C_LABEL, line.label, 3),
        ):
            if value:
                sheet.write_string(row, col, value)
                seen[position] = max(seen[position], text_width(value))
        if line.date_maturity:
            sheet.write_datetime(row, C_DUE, line.date_maturity, self.f_date)
        sheet.write_number(row, C_DEBIT, line.debit, money)
        sheet.write_number(row, C_CREDIT, line.credit, money)
        sheet.write_formula(
            row, C_BALANCE, f"=I{excel_row - 1}+G{excel_row}-H{excel_row}", money, line.balance
        )
        sheet.write_number(row, C_OPEN, line.open_amount, money)

    def _write_statement_totals(
        self, sheet, session, total_row, closing_row, has_moves, money_bold
    ):
        _ = self.env._
        first_move, last_move = TABLE_HEADER_ROW + 3, total_row  # 1-based Excel rows of the moves
        sheet.write_string(total_row, C_KIND, _("Total"), self.f_text_bold)
        for col in (C_DATE, C_DOC, C_REF, C_LABEL, C_DUE, C_BALANCE, C_OPEN):
            sheet.write_blank(total_row, col, None, self.f_text_bold)
        for col, letter, cached in (
            (C_DEBIT, "G", session.period_debit),
            (C_CREDIT, "H", session.period_credit),
        ):
            formula = f"=SUM({letter}{first_move}:{letter}{last_move})" if has_moves else "=0"
            sheet.write_formula(total_row, col, formula, money_bold, cached)
        sheet.write_datetime(closing_row, C_DATE, session.date_to, self.f_date_bold)
        sheet.write_string(closing_row, C_KIND, _("Closing Balance"), self.f_text_bold)
        for col in (C_DOC, C_REF, C_LABEL, C_DUE, C_DEBIT, C_CREDIT, C_OPEN):
            sheet.write_blank(closing_row, col, None, self.f_text_bold)
        opening = cell(TABLE_HEADER_ROW + 1, C_BALANCE)
        sheet.write_formula(
            closing_row,
            C_BALANCE,
            f"={opening}+{cell(total_row, C_DEBIT)}-{cell(total_row, C_CREDIT)}",
            money_bold,
            session.closing_balance,
        )

    def write_open_items_sheet(self, session, sheet_name):
        _ = self.env._
        currency = session.currency_id
        money, money_bold = self.money(currency), self.money(currency, bold=True)
        kinds = selection_labels(self.env, "customer.reconciliation.line", "kind")
        buckets = selection_labels(self.env, "customer.reconciliation.open.item", "aging_bucket")
        sheet = self.book.add_worksheet(sheet_name)
        self._headers(
            sheet,
            0,
            [
                (_("Date"), False, 10),
                (_("Type"), False, 12),
                (_("Document"), False, 16),
                (_("Customer Reference"), False, 22),
                (_("Due Date"), False, 10),
                (_("Original Amount"), True, 15),
                (_("Open Amount"), True, 15),
                (_("Days Overdue"), True, 12),
                (_("Aging"), False, 14),
            ],
        )
        items = statement_data.open_items(session)
        for row, item in enumerate(items, start=1):
            if item.date:
                sheet.write_datetime(row, 0, item.date, self.f_date)
            sheet.write_string(row, 1, kinds.get(item.kind, item.kind))
            sheet.write_string(row, 2, item.name or "")
            sheet.write_string(row, 3, item.customer_ref or "")
            if item.date_maturity:
                sheet.write_datetime(row, 4, item.date_maturity, self.f_date)
            sheet.write_number(row, 5, item.amount, money)
            sheet.write_number(row, 6, item.open_amount, money)
            sheet.write_number(row, 7, item.days_overdue)
            sheet.write_string(row, 8, buckets.get(item.aging_bucket, item.aging_bucket or ""))
        total = len(items) + 1
        sheet.write_string(total, 1, _("Total"), self.f_text_bold)
        sheet.write_formula(
            total,
            6,
            f"=SUM(G2:G{len(items) + 1})" if items else "=0",
            money_bold,
            sum(item.open_amount for item in items),
        )
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(len(items), 1), 8)
        return sheet

    # ------------------------------------------------------------------ balances sheet
    def write_balances_sheet(self, sessions, sheet_name, links=None):
        _ = self.env._
        sessions = sessions.with_env(self.env)
        links = links or {}
        states = selection_labels(self.env, sessions._name, "state")
        sheet = self.book.add_worksheet(sheet_name)
        sheet.write_string(0, 0, _("Receivable Balances"), self.f_title)
        printed = _("Printed on %s", fields.Date.context_today(sessions).isoformat())
        companies = ", ".join(sessions.company_id.mapped("name"))
        sheet.write_string(1, 0, f"{companies} · {printed}", self.f_subtitle)
        amount_fields = (
            "opening_balance",
            "period_debit",
            "period_credit",
            "closing_balance",
            "overdue_amount",
            *aging.FIELDS,
        )
        first_amount_col = 7
        col_state = first_amount_col + len(amount_fields)
        col_company = col_state + 2
        columns = [
            (_("Customer"), False, 30),
            (_("Customer Code"), False, 12),
            (_("Statement"), False, 18),
            (_("Version"), False, 8),
            (_("Period From"), False, 11),
            (_("Period To"), False, 11),
            (_("Currency"), False, 9),
            (_("Opening Balance"), True, 15),
            (_("Debit"), True, 15),
            (_("Credit"), True, 15),
            (_("Closing Balance"), True, 15),
            (_("Overdue"), True, 15),
            *(
                (sessions._fields[name]._description_string(self.env), True, 13)
                for name in aging.FIELDS
            ),
            (_("Status"), False, 12),
            (_("Confirmed On"), False, 12),
            (_("Closing Balance (Company Currency)"), True, 18),
        ]
        header = TABLE_HEADER_ROW
        self._headers(sheet, header, columns)
        ordered = _balances_order(sessions)
        name_width = 30
        for row, session in enumerate(ordered, start=header + 1):
            name_width = max(name_width, text_width(session.partner_id.name or "") + 2)
            self._write_balance_row(sheet, row, session, links, states, amount_fields)
        last = header + len(ordered)
        sheet.set_column(0, 0, min(name_width, 50))
        if ordered:
            sheet.autofilter(header, 0, last, len(columns) - 1)
        sheet.freeze_panes(header + 1, 1)
        self._write_balance_totals(sheet, ordered, header, last, amount_fields, col_company)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header)
        return sheet

    def _write_balance_row(self, sheet, row, session, links, states, amount_fields):
        currency = session.currency_id
        money = self.money(currency)
        first_amount_col = 7
        col_state = first_amount_col + len(amount_fields)
        sheet.write_string(row, 0, session.partner_id.name or "")
        sheet.write_string(row, 1, session.partner_id.ref or "")
        if session.id in links:
            sheet.write_url(
                row, 2, f"internal:'{links[session.id]}'!A1", self.f_link, string=session.name
            )
        else:
            sheet.write_string(row, 2, session.name)
        sheet.write_number(row, 3, session.version)
        sheet.write_datetime(row, 4, session.date_from, self.f_date)
        sheet.write_datetime(row, 5, session.date_to, self.f_date)
        sheet.write_string(row, 6, currency.name)
        for offset, name in enumerate(amount_fields):
            sheet.write_number(row, first_amount_col + offset, session[name], money)
        sheet.write_string(row, col_state, states[session.state])
        if session.confirmed_date:
            sheet.write_datetime(
                row,
                col_state + 1,
                fields.Datetime.context_timestamp(session, session.confirmed_date).date(),
                self.f_date,
            )
        sheet.write_number(
            row,
            col_state + 2,
            session.closing_balance_company,
            self.money(session.company_currency_id),
        )

    def _write_balance_totals(self, sheet, ordered, header, last, amount_fields, col_company):
        """Totals per statement currency: amounts of different currencies are never added up."""
        _ = self.env._
        first_amount_col = 7
        row = last + 1
        first_excel, last_excel = header + 2, last + 1
        for currency in ordered.currency_id.sorted("name"):
            row += 1
            mine = ordered.filtered(lambda s, c=currency: s.currency_id == c)
            money_bold = self.money(currency, bold=True)
            sheet.write_string(
                row, 0, _("Total %(currency)s", currency=currency.name), self.f_text_bold
            )
            sheet.write_string(row, 6, currency.name, self.f_text_bold)
            for offset, name in enumerate(amount_fields):
                col = first_amount_col + offset
                column = xl_rowcol_to_cell(0, col, col_abs=True)[:-1]
                formula = (
                    f"=SUMIFS({column}{first_excel}:{column}{last_excel},"
                    f'$G${first_excel}:$G${last_excel},"{currency.name}")'
                )
                sheet.write_formula(row, col, formula, money_bold, sum(mine.mapped(name)))
        company_currencies = ordered.company_currency_id
        if len(company_currencies) == 1:
            row += 1
            column = xl_rowcol_to_cell(0, col_company)[:-1]
            sheet.write_string(row, 0, _("Total in company currency"), self.f_text_bold)
            sheet.write_formula(
                row,
                col_company,
                f"=SUM({column}{first_excel}:{column}{last_excel})",
                self.money(company_currencies, bold=True),
                sum(ordered.mapped("closing_balance_company")),
            )

    # ------------------------------------------------------------------ comparison sheets
    def write_comparison_sheet(self, session, sheet_name):
        """Our lines and the customer's side by side, with the status and its explanation."""
        _ = self.env._
        session = session.with_env(self.env)
        money, money_bold = self.money(session.currency_id), self.money(session.currency_id, True)
        statuses = selection_labels(self.env, "customer.reconciliation.match", "status")
        kinds = selection_labels(self.env, "customer.reconciliation.line", "kind")
        sheet = self.book.add_worksheet(sheet_name)
        sheet.write_string(
            0,
            0,
            _(
                "%(statement)s — %(customer)s: our books and the customer's ledger",
                statement=session.name,
                customer=session.partner_id.display_name,
            ),
            self.f_title,
        )
        sheet.write_string(
            1,
            0,
            _(
                "Period %(start)s to %(end)s, in %(currency)s",
                start=session.date_from.isoformat(),
                end=session.date_to.isoformat(),
                currency=session.currency_id.name,
            ),
            self.f_subtitle,
        )
        columns = [
            (_("Our Date"), False, 11),
            (_("Our Document"), False, 22),
            (_("Kind"), False, 14),
            (_("Our Amount"), True, 15),
            (_("Their Row"), False, 9),
            (_("Their Date"), False, 11),
            (_("Their Reference"), False, 20),
            (_("Their Description"), False, 28),
            (_("Their Amount"), True, 15),
            (_("Status"), False, 22),
            (_("Difference"), True, 14),
            (_("Explanation"), False, 70),
        ]
        self._headers(sheet, 3, columns)
        sheet.freeze_panes(4, 0)
        matches = session.customer_match_ids
        for row, match in enumerate(matches, start=4):
            self._write_comparison_row(sheet, row, match, kinds, statuses, money)
        if not matches:
            return sheet
        row = 4 + len(matches)
        sheet.autofilter(3, 0, row - 1, len(columns) - 1)
        sheet.write_string(row, 2, _("Total"), self.f_text_bold)
        for col, letter, name in (
            (3, "D", "our_amount"),
            (8, "I", "their_amount"),
            (10, "K", "difference"),
        ):
            sheet.write_formula(
                row, col, f"=SUM({letter}5:{letter}{row})", money_bold, sum(matches.mapped(name))
            )
        return sheet

    def _write_comparison_row(self, sheet, row, match, kinds, statuses, money):
        if match.our_date:
            sheet.write_datetime(row, 0, match.our_date, self.f_date)
        sheet.write_string(row, 1, match.our_document or "")
        sheet.write_string(row, 2, kinds.get(match.our_kind, ""))
        if match.our_count:
            sheet.write_number(row, 3, match.our_amount, money)
        sheet.write_string(row, 4, match.their_rows or "")
        if match.their_date:
            sheet.write_datetime(row, 5, match.their_date, self.f_date)
        sheet.write_string(row, 6, match.their_reference or "")
        sheet.write_string(row, 7, match.their_description or "")
        if match.their_count:
            sheet.write_number(row, 8, match.their_amount, money)
        sheet.write_string(row, 9, statuses[match.status], self.f_status[match.status])
        sheet.write_number(row, 10, match.difference, money)
        sheet.write_string(row, 11, match.explanation or "", self.f_wrap)

    def write_bridge_sheet(self, session, sheet_name):
        """From our closing balance to the customer's, step by step."""
        _ = self.env._
        session = session.with_env(self.env)
        money, money_bold = self.money(session.currency_id), self.money(session.currency_id, True)
        sheet = self.book.add_worksheet(sheet_name)
        sheet.set_column(0, 0, 52)
        sheet.set_column(1, 2, 18)
        sheet.write_string(0, 0, _("From our closing balance to the customer's"), self.f_title)
        lines = [
            (_("Our closing balance"), session.closing_balance, None, True),
            (
                _("Opening balance difference (theirs - ours)"),
                session.customer_bridge_opening,
                None,
                False,
            ),
            (
                _("Less: only in our books"),
                session.customer_bridge_only_ours,
                session.customer_only_ours_count,
                False,
            ),
            (
                _("Add: only in the customer's ledger"),
                session.customer_bridge_only_theirs,
                session.customer_only_theirs_count,
                False,
            ),
            (
                _("Add: amount differences (theirs - ours)"),
                session.customer_bridge_differences,
                session.customer_difference_count,
                False,
            ),
            (
                _("Their closing balance (from their lines)"),
                session.customer_bridge_their_closing,
                None,
                True,
            ),
        ]
        if session.customer_ledger_closing_known:
            lines += [
                (
                    _("Their closing balance as reported in their file"),
                    session.customer_ledger_closing_reported,
                    None,
                    False,
                ),
                (_("Unexplained"), session.customer_bridge_unexplained, None, True),
            ]
        self._headers(
            sheet, 2, [("", False, None), (_("Amount"), True, None), (_("Lines"), True, None)]
        )
        for row, (label, amount, count, bold) in enumerate(lines, start=3):
            sheet.write_string(row, 0, label, self.f_label_bold if bold else self.f_label)
            sheet.write_number(row, 1, amount, money_bold if bold else money)
            if count is not None:
                sheet.write_number(row, 2, count)
        return sheet
