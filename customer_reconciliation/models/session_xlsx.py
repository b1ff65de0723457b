"""Statements as Excel workbooks: one statement, or the receivable balances (往来余额表).

Workbooks are written in xlsxwriter's constant-memory mode (rows are flushed to a temporary
file as they are written): memory stays flat for exports of 100,000 lines. That mode writes
rows strictly in order, hence the "side cells" below, written with the rows they sit on.
"""

import io
import re

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import fields, models

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

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


class StatementWorkbook:
    """One xlsxwriter workbook with the formats of the statements, in one language."""

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
        self.f_link = add({"font_color": "#0563c1", "underline": 1})
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

    # ------------------------------------------------------------------ statement sheet
    def write_statement_sheet(self, session, sheet_name, with_open_items=False):
        _ = self.env._
        session = session.with_env(self.env)
        currency = session.currency_id
        money, money_bold = self.money(currency), self.money(currency, bold=True)
        f_date = self.f_date
        kinds = dict(
            self.env["customer.reconciliation.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
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
        for col, (title, numeric) in enumerate(headers):
            sheet.write_string(
                TABLE_HEADER_ROW, col, title, self.f_header_num if numeric else self.f_header
            )
        widths = [10, 12, 14, 18, 18, 10, 14, 14, 14, 14]
        for col in (C_KIND, C_DOC, C_REF, C_LABEL):
            widths[col] = max(widths[col], text_width(headers[col][0]) + 2)

        lines = session._get_report_lines()
        opening = next((line for line in lines if line[1] == "opening"), None)
        moves = [line for line in lines if line[1] != "opening"]
        first_row = TABLE_HEADER_ROW + 1  # opening balance row (0-based)
        last_row = first_row + len(moves)  # last line row
        total_row, closing_row = last_row + 1, last_row + 2

        def cell(row, col):
            return xl_rowcol_to_cell(row, col)

        # Side block (summary and aging) on the right of the table, rows written in order.
        side = []
        side.append((_("Customer"), "text", session.partner_id.name, None))
        if session.partner_id.vat:
            side.append((_("Tax ID"), "text", session.partner_id.vat, None))
        if session.partner_id.ref:
            side.append((_("Customer Code"), "text", session.partner_id.ref, None))
        side += [
            (_("Statement No."), "text", session.name, None),
            (_("Version"), "number", session.version, None),
            (_("Period From"), "date", session.date_from, None),
            (_("Period To"), "date", session.date_to, None),
            (_("Currency"), "text", currency.name, None),
            (
                _("Status"),
                "text",
                dict(session._fields["state"]._description_selection(self.env))[session.state],
                None,
            ),
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
        aging = session._get_report_aging()
        aging_start = TABLE_HEADER_ROW + len(side)
        side += [(label, "money", value, None) for label, value in aging]
        side.append(
            (
                _("Total"),
                "formula_bold",
                f"=SUM({cell(aging_start, C_SIDE_VALUE)}:{cell(aging_start + len(aging) - 1, C_SIDE_VALUE)})",
                sum(value for _label, value in aging),
            )
        )
        if session.digest:
            side += [None, (_("Content Digest (SHA-256)"), "text", session.digest, None)]
        pending = list(enumerate(side, start=TABLE_HEADER_ROW))
        pending.reverse()

        def flush_side(upto):
            while pending and pending[-1][0] <= upto:
                row, item = pending.pop()
                if item is None:
                    continue
                label, kind, value, cached = item
                sheet.write_string(
                    row, C_SIDE_LABEL, label, self.f_label_bold if kind == "title" else self.f_label
                )
                if kind == "text":
                    sheet.write_string(row, C_SIDE_VALUE, value or "")
                elif kind == "number":
                    sheet.write_number(row, C_SIDE_VALUE, value)
                elif kind == "date":
                    sheet.write_datetime(row, C_SIDE_VALUE, value, f_date)
                elif kind == "money":
                    sheet.write_number(row, C_SIDE_VALUE, value or 0.0, money)
                elif kind in ("formula", "formula_bold"):
                    sheet.write_formula(
                        row,
                        C_SIDE_VALUE,
                        value,
                        money_bold if kind == "formula_bold" else money,
                        cached,
                    )

        flush_side(TABLE_HEADER_ROW)
        # Opening balance row
        flush_side(first_row)
        sheet.write_datetime(first_row, C_DATE, session.date_from, f_date)
        sheet.write_string(first_row, C_KIND, kinds["opening"])
        sheet.write_number(
            first_row, C_BALANCE, opening[9] if opening else session.opening_balance, money
        )

        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime, write_formula = sheet.write_datetime, sheet.write_formula
        w_kind = w_doc = w_ref = w_label = 0
        row = first_row
        for (
            _seq,
            kind,
            day,
            name,
            ref,
            label,
            due,
            debit,
            credit,
            balance,
            _is_open,
            open_amount,
        ) in moves:
            row += 1
            if pending:
                flush_side(row)
            excel_row = row + 1
            if day:
                write_datetime(row, C_DATE, day, f_date)
            kind_label = kinds.get(kind, kind)
            write_string(row, C_KIND, kind_label)
            w_kind = max(w_kind, len(kind_label))
            if name:
                write_string(row, C_DOC, name)
                w_doc = max(w_doc, len(name))
            if ref:
                write_string(row, C_REF, ref)
                w_ref = max(w_ref, text_width(ref))
            if label:
                write_string(row, C_LABEL, label)
                w_label = max(w_label, text_width(label))
            if due:
                write_datetime(row, C_DUE, due, f_date)
            write_number(row, C_DEBIT, debit, money)
            write_number(row, C_CREDIT, credit, money)
            write_formula(
                row, C_BALANCE, f"=I{excel_row - 1}+G{excel_row}-H{excel_row}", money, balance
            )
            write_number(row, C_OPEN, open_amount, money)

        flush_side(total_row)
        first_move, last_move = first_row + 2, last_row + 1  # 1-based Excel rows of the moves
        sheet.write_string(total_row, C_KIND, _("Total"), self.f_text_bold)
        for col in (C_DATE, C_DOC, C_REF, C_LABEL, C_DUE, C_BALANCE, C_OPEN):
            sheet.write_blank(total_row, col, None, self.f_text_bold)
        for col, cached in ((C_DEBIT, session.period_debit), (C_CREDIT, session.period_credit)):
            letter = "G" if col == C_DEBIT else "H"
            formula = f"=SUM({letter}{first_move}:{letter}{last_move})" if moves else "=0"
            sheet.write_formula(total_row, col, formula, money_bold, cached)
        flush_side(closing_row)
        sheet.write_datetime(closing_row, C_DATE, session.date_to, self.f_date_bold)
        sheet.write_string(closing_row, C_KIND, _("Closing Balance"), self.f_text_bold)
        for col in (C_DOC, C_REF, C_LABEL, C_DUE, C_DEBIT, C_CREDIT, C_OPEN):
            sheet.write_blank(closing_row, col, None, self.f_text_bold)
        sheet.write_formula(
            closing_row,
            C_BALANCE,
            f"={cell(first_row, C_BALANCE)}+{cell(total_row, C_DEBIT)}-{cell(total_row, C_CREDIT)}",
            money_bold,
            session.closing_balance,
        )
        flush_side(10**7)

        widths[C_KIND] = max(widths[C_KIND], w_kind + 2)
        widths[C_DOC] = max(widths[C_DOC], w_doc + 2)
        widths[C_REF] = min(max(widths[C_REF], w_ref + 2), 40)
        widths[C_LABEL] = min(max(widths[C_LABEL], w_label + 2), 50)
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

    def write_open_items_sheet(self, session, sheet_name):
        _ = self.env._
        currency = session.currency_id
        money, money_bold = self.money(currency), self.money(currency, bold=True)
        kinds = dict(
            self.env["customer.reconciliation.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        buckets = dict(
            self.env["customer.reconciliation.open.item"]
            ._fields["aging_bucket"]
            ._description_selection(self.env)
        )
        sheet = self.book.add_worksheet(sheet_name)
        headers = [
            _("Date"),
            _("Type"),
            _("Document"),
            _("Customer Reference"),
            _("Due Date"),
            _("Original Amount"),
            _("Open Amount"),
            _("Days Overdue"),
            _("Aging"),
        ]
        for col, title in enumerate(headers):
            sheet.write_string(
                0, col, title, self.f_header_num if col in (5, 6, 7) else self.f_header
            )
        items = session._get_report_open_items()
        row = 0
        for kind, day, name, ref, due, original, open_amount, days, bucket in items:
            row += 1
            if day:
                sheet.write_datetime(row, 0, day, self.f_date)
            sheet.write_string(row, 1, kinds.get(kind, kind))
            sheet.write_string(row, 2, name or "")
            sheet.write_string(row, 3, ref or "")
            if due:
                sheet.write_datetime(row, 4, due, self.f_date)
            sheet.write_number(row, 5, original, money)
            sheet.write_number(row, 6, open_amount, money)
            sheet.write_number(row, 7, days)
            sheet.write_string(row, 8, buckets.get(bucket, bucket or ""))
        total = row + 1
        sheet.write_string(total, 1, _("Total"), self.f_text_bold)
        sheet.write_formula(
            total,
            6,
            f"=SUM(G2:G{row + 1})" if items else "=0",
            money_bold,
            sum(item[6] for item in items),
        )
        for col, width in enumerate((10, 12, 16, 22, 10, 15, 15, 12, 14)):
            sheet.set_column(col, col, width)
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row, 1), len(headers) - 1)
        return sheet

    # ------------------------------------------------------------------ balances sheet
    def write_balances_sheet(self, sessions, sheet_name, links=None):
        _ = self.env._
        sessions = sessions.with_env(self.env)
        links = links or {}
        states = dict(sessions._fields["state"]._description_selection(self.env))
        sheet = self.book.add_worksheet(sheet_name)
        companies = sessions.company_id
        sheet.write_string(0, 0, _("Receivable Balances"), self.f_title)
        printed = _("Printed on %s", fields.Date.context_today(sessions).isoformat())
        sheet.write_string(
            1, 0, f"{', '.join(companies.mapped('name'))} · {printed}", self.f_subtitle
        )
        columns = [
            (_("Customer"), 30),
            (_("Customer Code"), 12),
            (_("Statement"), 18),
            (_("Version"), 8),
            (_("Period From"), 11),
            (_("Period To"), 11),
            (_("Currency"), 9),
            (_("Opening Balance"), 15),
            (_("Debit"), 15),
            (_("Credit"), 15),
            (_("Closing Balance"), 15),
            (_("Overdue"), 15),
        ]
        aging_fields = (
            "aging_not_due",
            "aging_1_30",
            "aging_31_60",
            "aging_61_90",
            "aging_over_90",
        )
        columns += [
            (sessions._fields[name]._description_string(self.env), 13) for name in aging_fields
        ]
        columns += [
            (_("Status"), 12),
            (_("Confirmed On"), 12),
            (_("Closing Balance (Company Currency)"), 18),
        ]
        amount_fields = (
            "opening_balance",
            "period_debit",
            "period_credit",
            "closing_balance",
            "overdue_amount",
        ) + aging_fields
        first_amount_col = 7
        col_state = first_amount_col + len(amount_fields)
        col_confirmed, col_company = col_state + 1, col_state + 2
        header = TABLE_HEADER_ROW
        for col, (title, width) in enumerate(columns):
            numeric = first_amount_col <= col < col_state or col == col_company
            sheet.write_string(header, col, title, self.f_header_num if numeric else self.f_header)
            sheet.set_column(col, col, width)
        ordered = sessions.sorted(
            lambda s: (s.partner_id.name or "", s.date_to, s.currency_id.name, s.version)
        )
        row = header
        name_width = 30
        for session in ordered:
            row += 1
            currency = session.currency_id
            money = self.money(currency)
            sheet.write_string(row, 0, session.partner_id.name or "")
            name_width = max(name_width, text_width(session.partner_id.name or "") + 2)
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
                    col_confirmed,
                    fields.Datetime.context_timestamp(session, session.confirmed_date).date(),
                    self.f_date,
                )
            sheet.write_number(
                row,
                col_company,
                session.closing_balance_company,
                self.money(session.company_currency_id),
            )
        last = row
        sheet.set_column(0, 0, min(name_width, 50))
        if ordered:
            sheet.autofilter(header, 0, last, len(columns) - 1)
        sheet.freeze_panes(header + 1, 1)
        # Totals per statement currency: amounts of different currencies are never added up.
        row += 1
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
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(header)
        return sheet


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    def _get_xlsx_content(self):
        """One statement as an Excel workbook: (bytes, file name)."""
        self.ensure_one()
        self.check_access("read")
        session = self.with_context(lang=self._get_report_lang())
        workbook = StatementWorkbook(session.env)
        workbook.book.set_properties(
            {
                "title": session.env._("Statement of Account %s", self.name),
                "company": self.company_id.name,
            }
        )
        workbook.write_statement_sheet(
            session, workbook.sheet_name(self.name), with_open_items=True
        )
        return workbook.close(), f"{self._get_report_base_filename('statement')}.xlsx"

    def _get_balances_xlsx_content(self, with_statement_sheets=False):
        """The receivable balances of these statements (往来余额表): (bytes, file name).

        One row per statement; with ``with_statement_sheets`` also one sheet per statement.
        Written in the user's language: the statements may be in several.
        """
        self.check_access("read")
        env = self.env
        workbook = StatementWorkbook(env)
        title = env._("Receivable Balances")
        workbook.book.set_properties(
            {"title": title, "company": ", ".join(self.company_id.mapped("name"))}
        )
        summary_name = workbook.sheet_name(title)
        ordered = self.sorted(
            lambda s: (s.partner_id.name or "", s.date_to, s.currency_id.name, s.version)
        )
        links = {}
        if with_statement_sheets:
            links = {session.id: workbook.sheet_name(session.name) for session in ordered}
        workbook.write_balances_sheet(self, summary_name, links)
        for session in ordered if with_statement_sheets else ():
            workbook.write_statement_sheet(session, links[session.id])
        return workbook.close(), f"{self._get_balances_base_filename()}.xlsx"

    def _get_balances_base_filename(self):
        name = self.env._("Receivable Balances")
        if len(self.partner_id) == 1:
            name += f" {self.partner_id.name}"
        if self:
            start, end = min(self.mapped("date_from")), max(self.mapped("date_to"))
            periods = {(s.date_from, s.date_to) for s in self}
            if len(periods) == 1:
                name += f" {self[:1]._get_report_period_label()}"
            else:
                name += f" {start:%Y-%m-%d}_{end:%Y-%m-%d}"
        return re.sub(r'[\\/:*?"<>|\r\n\t]+', "-", name).strip()
