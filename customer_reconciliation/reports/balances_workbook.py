"""The receivable balances (往来余额表): one row per statement, totals per currency, and
optionally one sheet per statement."""

from xlsxwriter.utility import xl_rowcol_to_cell

from odoo import fields

from ..tools import aging
from . import statement_workbook
from .statement_data import selection_labels
from .workbook import TABLE_HEADER_ROW, Workbook, text_width

# Columns of the balances sheet: customer, code, statement, version, period, currency, then
# the amounts, then the status, the confirmation date and the closing in company currency.
AMOUNT_FIELDS = (
    "opening_balance",
    "period_debit",
    "period_credit",
    "closing_balance",
    "overdue_amount",
    *aging.FIELDS,
)
COL_CURRENCY = 6
FIRST_AMOUNT_COL = 7
COL_STATE = FIRST_AMOUNT_COL + len(AMOUNT_FIELDS)
COL_CONFIRMED, COL_COMPANY = COL_STATE + 1, COL_STATE + 2


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
    write_balances_sheet(workbook, ordered, summary_name, links)
    for session in ordered if with_statement_sheets else ():
        statement_workbook.write_statement_sheet(workbook, session, links[session.id])
    return workbook.close(), f"{sessions._get_balances_base_filename()}.xlsx"


def _balances_order(sessions):
    return sessions.sorted(
        lambda s: (s.partner_id.name or "", s.date_to, s.currency_id.name, s.version)
    )


def write_balances_sheet(wb, sessions, sheet_name, links=None):
    """One row per statement of ``sessions``, in their order, then the totals per currency."""
    _ = wb.env._
    sessions = sessions.with_env(wb.env)
    links = links or {}
    states = selection_labels(wb.env, sessions._name, "state")
    sheet = wb.book.add_worksheet(sheet_name)
    sheet.write_string(0, 0, _("Receivable Balances"), wb.f_title)
    printed = _("Printed on %s", fields.Date.context_today(sessions).isoformat())
    companies = ", ".join(sessions.company_id.mapped("name"))
    sheet.write_string(1, 0, f"{companies} · {printed}", wb.f_subtitle)
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
        *((sessions._fields[name]._description_string(wb.env), True, 13) for name in aging.FIELDS),
        (_("Status"), False, 12),
        (_("Confirmed On"), False, 12),
        (_("Closing Balance (Company Currency)"), True, 18),
    ]
    header = TABLE_HEADER_ROW
    wb._headers(sheet, header, columns)
    name_width = 30
    for row, session in enumerate(sessions, start=header + 1):
        name_width = max(name_width, text_width(session.partner_id.name or "") + 2)
        _write_balance_row(wb, sheet, row, session, links, states)
    last = header + len(sessions)
    sheet.set_column(0, 0, min(name_width, 50))
    if sessions:
        sheet.autofilter(header, 0, last, len(columns) - 1)
    sheet.freeze_panes(header + 1, 1)
    _write_balance_totals(wb, sheet, sessions, header, last)
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(header)
    return sheet


def _write_balance_row(wb, sheet, row, session, links, states):
    currency = session.currency_id
    money = wb.money(currency)
    sheet.write_string(row, 0, session.partner_id.name or "")
    sheet.write_string(row, 1, session.partner_id.ref or "")
    if session.id in links:
        sheet.write_url(
            row, 2, f"internal:'{links[session.id]}'!A1", wb.f_link, string=session.name
        )
    else:
        sheet.write_string(row, 2, session.name)
    sheet.write_number(row, 3, session.version)
    sheet.write_datetime(row, 4, session.date_from, wb.f_date)
    sheet.write_datetime(row, 5, session.date_to, wb.f_date)
    sheet.write_string(row, COL_CURRENCY, currency.name)
    for offset, name in enumerate(AMOUNT_FIELDS):
        sheet.write_number(row, FIRST_AMOUNT_COL + offset, session[name], money)
    sheet.write_string(row, COL_STATE, states[session.state])
    if session.confirmed_date:
        sheet.write_datetime(
            row,
            COL_CONFIRMED,
            fields.Datetime.context_timestamp(session, session.confirmed_date).date(),
            wb.f_date,
        )
    sheet.write_number(
        row,
        COL_COMPANY,
        session.closing_balance_company,
        wb.money(session.company_currency_id),
    )


def _write_balance_totals(wb, sheet, ordered, header, last):
    """Totals per statement currency: amounts of different currencies are never added up."""
    _ = wb.env._
    row = last + 1
    first_excel, last_excel = header + 2, last + 1
    currencies = xl_rowcol_to_cell(0, COL_CURRENCY, col_abs=True)[:-1]  # "$G"
    for currency in ordered.currency_id.sorted("name"):
        row += 1
        mine = ordered.filtered(lambda s, c=currency: s.currency_id == c)
        money_bold = wb.money(currency, bold=True)
        sheet.write_string(row, 0, _("Total %(currency)s", currency=currency.name), wb.f_text_bold)
        sheet.write_string(row, COL_CURRENCY, currency.name, wb.f_text_bold)
        for offset, name in enumerate(AMOUNT_FIELDS):
            col = FIRST_AMOUNT_COL + offset
            column = xl_rowcol_to_cell(0, col, col_abs=True)[:-1]
            formula = (
                f"=SUMIFS({column}{first_excel}:{column}{last_excel},"
                f'{currencies}${first_excel}:{currencies}${last_excel},"{currency.name}")'
            )
            sheet.write_formula(row, col, formula, money_bold, sum(mine.mapped(name)))
    company_currencies = ordered.company_currency_id
    if len(company_currencies) == 1:
        row += 1
        column = xl_rowcol_to_cell(0, COL_COMPANY)[:-1]
        sheet.write_string(row, 0, _("Total in company currency"), wb.f_text_bold)
        sheet.write_formula(
            row,
            COL_COMPANY,
            f"=SUM({column}{first_excel}:{column}{last_excel})",
            wb.money(company_currencies, bold=True),
            sum(ordered.mapped("closing_balance_company")),
        )
