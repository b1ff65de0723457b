"""One statement as a workbook: the lines with the summary and aging beside them, and the
open items (also the statement sheets of the receivable balances)."""

from . import statement_data
from .statement_data import selection_labels
from .workbook import TABLE_HEADER_ROW, Workbook, cell, text_width

# Columns of a statement sheet.
(C_DATE, C_KIND, C_DOC, C_REF, C_LABEL, C_DUE, C_DEBIT, C_CREDIT, C_BALANCE, C_OPEN) = range(10)
C_SIDE_LABEL, C_SIDE_VALUE = 11, 12


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
    write_statement_sheet(
        workbook, customer_session, workbook.sheet_name(session.name), with_open_items=True
    )
    return workbook.close(), f"{session._get_report_base_filename('statement')}.xlsx"


def write_statement_sheet(wb, session, sheet_name, with_open_items=False):
    _ = wb.env._
    session = session.with_env(wb.env)
    currency = session.currency_id
    money, money_bold = wb.money(currency), wb.money(currency, bold=True)
    kinds = selection_labels(wb.env, "customer.reconciliation.line", "kind")
    sheet = wb.book.add_worksheet(sheet_name)
    sheet.hide_gridlines(2)
    title = _(
        "Statement of Account %(number)s — %(customer)s",
        number=session.name,
        customer=session.partner_id.name,
    )
    sheet.write_string(0, 0, title, wb.f_title)
    period = _(
        "Period %(start)s – %(end)s",
        start=session.date_from.isoformat(),
        end=session.date_to.isoformat(),
    )
    sheet.write_string(
        1, 0, f"{session.company_id.name} · {period} · {currency.name}", wb.f_subtitle
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
    wb._headers(sheet, TABLE_HEADER_ROW, [(title, numeric, None) for title, numeric in headers])
    widths = [10, 12, 14, 18, 18, 10, 14, 14, 14, 14]
    for col in (C_KIND, C_DOC, C_REF, C_LABEL):
        widths[col] = max(widths[col], text_width(headers[col][0]) + 2)

    lines = statement_data.statement_lines(session)
    opening = next((line for line in lines if line.kind == "opening"), None)
    moves = [line for line in lines if line.kind != "opening"]
    first_row = TABLE_HEADER_ROW + 1  # opening balance row (0-based)
    last_row = first_row + len(moves)  # last line row
    total_row, closing_row = last_row + 1, last_row + 2
    side_items = _statement_side_items(wb, session, total_row, closing_row)
    side = _SideBlock(wb, sheet, side_items, TABLE_HEADER_ROW, money, money_bold)
    side.flush(first_row)
    sheet.write_datetime(first_row, C_DATE, session.date_from, wb.f_date)
    sheet.write_string(first_row, C_KIND, kinds["opening"])
    sheet.write_number(
        first_row, C_BALANCE, opening.balance if opening else session.opening_balance, money
    )
    seen = [0, 0, 0, 0]  # widest kind, document, reference, label
    for row, line in enumerate(moves, start=first_row + 1):
        side.flush(row)
        _write_statement_line(wb, sheet, row, line, kinds, money, seen)
    side.flush(total_row)
    _write_statement_totals(wb, sheet, session, total_row, closing_row, bool(moves), money_bold)
    side.flush(10**7)
    # Rows are written in order (the workbook streams them): below the lines and the side block.
    extra_row = max(closing_row, TABLE_HEADER_ROW + len(side_items)) + 3
    _write_extra_sections(wb, sheet, session, extra_row, money, money_bold)

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
        write_open_items_sheet(wb, session, wb.sheet_name(_("Open Items")))
    return sheet


def _statement_side_items(wb, session, total_row, closing_row):
    """The summary and the aging beside the lines: (label, kind, value, cached value)."""
    _ = wb.env._
    partner = session.partner_id
    side = [(_("Customer"), "text", partner.name, None)]
    if partner.vat:
        side.append((_("Tax ID"), "text", partner.vat, None))
    if partner.ref:
        side.append((_("Customer Code"), "text", partner.ref, None))
    states = selection_labels(wb.env, session._name, "state")
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


def _write_statement_line(wb, sheet, row, line, kinds, money, seen):
    excel_row = row + 1
    if line.date:
        sheet.write_datetime(row, C_DATE, line.date, wb.f_date)
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
        sheet.write_datetime(row, C_DUE, line.date_maturity, wb.f_date)
    sheet.write_number(row, C_DEBIT, line.debit, money)
    sheet.write_number(row, C_CREDIT, line.credit, money)
    sheet.write_formula(
        row, C_BALANCE, f"=I{excel_row - 1}+G{excel_row}-H{excel_row}", money, line.balance
    )
    sheet.write_number(row, C_OPEN, line.open_amount, money)


def _write_statement_totals(wb, sheet, session, total_row, closing_row, has_moves, money_bold):
    _ = wb.env._
    first_move, last_move = TABLE_HEADER_ROW + 3, total_row  # 1-based Excel rows of the moves
    sheet.write_string(total_row, C_KIND, _("Total"), wb.f_text_bold)
    for col in (C_DATE, C_DOC, C_REF, C_LABEL, C_DUE, C_BALANCE, C_OPEN):
        sheet.write_blank(total_row, col, None, wb.f_text_bold)
    for col, letter, cached in (
        (C_DEBIT, "G", session.period_debit),
        (C_CREDIT, "H", session.period_credit),
    ):
        formula = f"=SUM({letter}{first_move}:{letter}{last_move})" if has_moves else "=0"
        sheet.write_formula(total_row, col, formula, money_bold, cached)
    sheet.write_datetime(closing_row, C_DATE, session.date_to, wb.f_date_bold)
    sheet.write_string(closing_row, C_KIND, _("Closing Balance"), wb.f_text_bold)
    for col in (C_DOC, C_REF, C_LABEL, C_DUE, C_DEBIT, C_CREDIT, C_OPEN):
        sheet.write_blank(closing_row, col, None, wb.f_text_bold)
    opening = cell(TABLE_HEADER_ROW + 1, C_BALANCE)
    sheet.write_formula(
        closing_row,
        C_BALANCE,
        f"={opening}+{cell(total_row, C_DEBIT)}-{cell(total_row, C_CREDIT)}",
        money_bold,
        session.closing_balance,
    )


def _write_extra_sections(wb, sheet, session, row, money, money_bold):
    """The sections after the closing balance (``session._statement_extra_sections``), one
    under the other from ``row``, with their typed values: dates, quantities, amounts."""
    for section in session._statement_extra_sections():
        columns = section["columns"]
        sheet.write_string(row, 0, section["title"], wb.f_title)
        row += 1
        if section.get("note"):
            sheet.write_string(row, 0, section["note"], wb.f_subtitle)
            row += 1
        wb._headers(
            sheet, row, [(label, kind in ("money", "quantity"), None) for label, kind in columns]
        )
        for values in section["rows"]:
            row += 1
            for col, (value, (_label, kind)) in enumerate(zip(values, columns, strict=True)):
                if kind == "date" and value:
                    sheet.write_datetime(row, col, value, wb.f_date)
                elif kind == "money":
                    sheet.write_number(row, col, value or 0.0, money)
                elif kind == "quantity":
                    sheet.write_number(row, col, value or 0.0)
                elif value:
                    sheet.write_string(row, col, str(value))
        totals = section.get("totals") or []
        for index, (label, value) in enumerate(totals):
            row += 1
            bold = index == len(totals) - 1
            sheet.write_string(row, 0, label, wb.f_text_bold if bold else wb.f_label)
            sheet.write_number(row, len(columns) - 1, value or 0.0, money_bold if bold else money)
        row += 3


def write_open_items_sheet(wb, session, sheet_name):
    _ = wb.env._
    currency = session.currency_id
    money, money_bold = wb.money(currency), wb.money(currency, bold=True)
    kinds = selection_labels(wb.env, "customer.reconciliation.line", "kind")
    buckets = selection_labels(wb.env, "customer.reconciliation.open.item", "aging_bucket")
    sheet = wb.book.add_worksheet(sheet_name)
    wb._headers(
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
            sheet.write_datetime(row, 0, item.date, wb.f_date)
        sheet.write_string(row, 1, kinds.get(item.kind, item.kind))
        sheet.write_string(row, 2, item.name or "")
        sheet.write_string(row, 3, item.customer_ref or "")
        if item.date_maturity:
            sheet.write_datetime(row, 4, item.date_maturity, wb.f_date)
        sheet.write_number(row, 5, item.amount, money)
        sheet.write_number(row, 6, item.open_amount, money)
        sheet.write_number(row, 7, item.days_overdue)
        sheet.write_string(row, 8, buckets.get(item.aging_bucket, item.aging_bucket or ""))
    total = len(items) + 1
    sheet.write_string(total, 1, _("Total"), wb.f_text_bold)
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
