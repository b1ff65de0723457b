"""The one data provider of the statement's documents: the PDF statement, the confirmation
letter and the workbooks read the statement through these functions.

Rows are read with one query each (through ``_search``, so record rules apply) as named rows,
never loaded in the ORM cache: a statement can have tens of thousands of lines.
"""

from collections import namedtuple

from odoo import fields
from odoo.tools import SQL, formatLang

# The statement's lines as the documents read them, in statement order.
StatementLine = namedtuple(
    "StatementLine",
    "sequence kind date name customer_ref label date_maturity debit credit balance is_open "
    "open_amount",
)
OpenItem = namedtuple(
    "OpenItem",
    "kind date name customer_ref date_maturity amount open_amount days_overdue aging_bucket",
)

# Pagination of the PDF, in "rows" of the statement tables (see report_statement.scss, where
# a row has a fixed height). wkhtmltopdf without its patched Qt does not repeat table headers,
# and every build slows down sharply on tables of thousands of rows: the lines are cut into
# one table per page, each with its own header.
PDF_MM_PER_ROW = 4.3  # measured: 4.2 mm (17 px at the reports' dpi and zoom)
PDF_FIRST_PAGE_HEADER_ROWS = 22  # title, addresses, statement details, balances and aging
PDF_SECTION_TITLE_ROWS = 3
PDF_TABLE_HEADER_ROWS = 2
PDF_TOTALS_ROWS = 3
PDF_DIGEST_ROWS = 5
PDF_SHORT_TABLE_ROWS = 8  # an added section this short is never split over two pages
PDF_MIN_ROWS_PER_PAGE = 30
PDF_MIN_ROWS_FIRST_PAGE = 10


def _fetch_rows(session, model, row_type, order):
    """The rows of ``model`` belonging to ``session``, as ``row_type`` tuples, in one query."""
    Model = session.env[model]
    Model.check_access("read")
    Model.flush_model(row_type._fields)
    query = Model._search([("session_id", "in", session.ids)], order=order)
    session.env.cr.execute(
        query.select(*(SQL.identifier(query.table, column) for column in row_type._fields))
    )
    return [row_type._make(row) for row in session.env.cr.fetchall()]


def statement_lines(session):
    """The lines of the statement, opening balance first."""
    session.ensure_one()
    return _fetch_rows(session, "customer.reconciliation.line", StatementLine, "sequence, id")


def open_items(session):
    """The items still open at the end date, by due date."""
    session.ensure_one()
    return _fetch_rows(
        session, "customer.reconciliation.open.item", OpenItem, "date_maturity, date, id"
    )


def selection_labels(env, model, field):
    """{value: label} of a selection field, in the environment's language."""
    return dict(env[model]._fields[field]._description_selection(env))


def formatters(session):
    """Amount and date formatting in the current language, computed once per document.

    The QWeb ``monetary`` widget is too slow for a table of thousands of cells.
    """
    env = session.env
    currency = session.currency_id
    date_format = env["res.lang"]._get_data(code=env.lang or "en_US").date_format

    def amount(value, symbol=False, blank_zero=False):
        if blank_zero and currency.is_zero(value or 0.0):
            return ""
        return formatLang(
            env,
            value or 0.0,
            currency_obj=currency if symbol else None,
            digits=currency.decimal_places,
        )

    def day(value):
        return value.strftime(date_format) if value else ""

    return amount, day


def statement_data(session):
    """Everything the PDF statement shows, formatted once, cut into pages."""
    session.ensure_one()
    amount, day = formatters(session)
    kinds = selection_labels(session.env, "customer.reconciliation.line", "kind")
    lines = [
        {
            "date": day(line.date),
            "kind": kinds.get(line.kind, line.kind),
            "name": line.name or "",
            "ref": _shorten(line.customer_ref, 40),
            "due": day(line.date_maturity) if line.kind == "invoice" else "",
            "debit": amount(line.debit, blank_zero=True),
            "credit": amount(line.credit, blank_zero=True),
            "balance": amount(line.balance),
        }
        for line in statement_lines(session)
        # the opening balance is the table's first row, from the statement's own figure
        if line.kind != "opening"
    ]
    items = open_items(session)
    items_rows = [
        {
            "date": day(item.date),
            "kind": kinds.get(item.kind, item.kind),
            "name": item.name or "",
            "ref": _shorten(item.customer_ref, 40),
            "due": day(item.date_maturity),
            "days": item.days_overdue if item.days_overdue > 0 else "",
            "amount": amount(item.amount),
            "open_amount": amount(item.open_amount),
        }
        for item in items
    ]
    aging = session._get_aging()
    extras = extra_sections(session)
    return {
        "currency": session.currency_id,
        "contact": session.partner_id._reconciliation_statement_contact(session.company_id),
        "date_from": day(session.date_from),
        "date_to": day(session.date_to),
        "opening": amount(session.opening_balance, symbol=True),
        "opening_plain": amount(session.opening_balance),
        "debit": amount(session.period_debit, symbol=True),
        "credit": amount(session.period_credit, symbol=True),
        "debit_plain": amount(session.period_debit),
        "credit_plain": amount(session.period_credit),
        "closing": amount(session.closing_balance, symbol=True),
        "closing_plain": amount(session.closing_balance),
        "overdue": amount(session.overdue_amount, symbol=True),
        "aging": [(label, amount(value)) for label, value in aging],
        "aging_total": amount(sum(value for _label, value in aging)),
        "open_total": amount(sum(item.open_amount for item in items)),
        "frozen_date": day(fields.Datetime.context_timestamp(session, session.frozen_date))
        if session.frozen_date
        else "",
        "line_count": len(lines),
        "extra_sections": extras,
        "pages": paginate(lines, items_rows, *page_rows(session), extras=extras),
    }


def extra_sections(session):
    """The sections after the closing balance (``session._statement_extra_sections``), their
    cells formatted in the current language: each section's dict with ``header`` [(label,
    numeric)], ``cells`` [[text]] and ``total_rows`` [(label, text, bold)] added."""
    session.ensure_one()
    amount, day = formatters(session)
    lang = session.env["res.lang"]._get_data(code=session.env.lang or "en_US")

    def text(value, kind):
        if kind == "money":
            return amount(value)
        if kind == "date":
            return day(value)
        if kind == "quantity":  # 10 rather than 10.00, 2.5 rather than 2.50
            return (
                formatLang(session.env, value or 0.0, digits=2)
                .rstrip("0")
                .rstrip(lang.decimal_point)
            )
        return value or ""

    result = []
    for section in session._statement_extra_sections():
        columns = section["columns"]
        totals = section.get("totals") or []
        result.append(
            {
                **section,
                "header": [(label, kind in ("money", "quantity")) for label, kind in columns],
                "cells": [
                    [text(value, kind) for value, (_label, kind) in zip(row, columns, strict=True)]
                    for row in section["rows"]
                ],
                "total_rows": [
                    (label, amount(value, symbol=True), index == len(totals) - 1)
                    for index, (label, value) in enumerate(totals)
                ],
            }
        )
    return result


def letter_data(session):
    """What the balance confirmation letter shows, formatted in the current language."""
    session.ensure_one()
    amount, day = formatters(session)
    contact = session.partner_id._reconciliation_statement_contact(session.company_id)
    balance = session.closing_balance
    if session.currency_id.is_zero(balance):
        direction = "nil"
    else:
        direction = "receivable" if balance > 0 else "payable"
    letter_date = (
        fields.Datetime.context_timestamp(session, session.sent_date).date()
        if session.sent_date
        else fields.Date.context_today(session)
    )
    return {
        "contact": contact,
        "salutation": contact.name if not contact.is_company else session.env._("Sir or Madam"),
        "balance": amount(abs(balance), symbol=True),
        "direction": direction,
        "date_from": day(session.date_from),
        "date_to": day(session.date_to),
        "today": day(letter_date),
        "reply_email": session.user_id.email or session.company_id.email,
    }


def page_rows(session):
    """(rows on the first page, rows on the next pages) for the statement's paper format."""
    env = session.env
    report = env.ref("customer_reconciliation.action_report_reconciliation_statement").sudo()
    body_mm, first_body_mm = env["ir.actions.report"]._cr_page_body_heights(
        report.get_paperformat()
    )
    rows = max(int(body_mm / PDF_MM_PER_ROW), PDF_MIN_ROWS_PER_PAGE)
    first = max(
        int(first_body_mm / PDF_MM_PER_ROW) - PDF_FIRST_PAGE_HEADER_ROWS, PDF_MIN_ROWS_FIRST_PAGE
    )
    return first, rows


def paginate(lines, items, first_rows, rows_per_page, extras=()):
    """Cut the lines, then the open items, then the ``extras`` (``extra_sections``) into
    pages: [[section, ...], ...].

    A section is the part of a table that is on one page: {"type", "rows", "first", "last"}
    (and "extra": its ``extras`` entry, for type "extra"); each is printed with its column
    headers, the first with the title of the table (and the opening balance for the lines),
    the last with the totals.
    """
    pages = [[]]
    free = first_rows
    tables = [("lines", lines, None), ("open_items", items, None)]
    tables += [("extra", extra["cells"], extra) for extra in extras]
    for kind, rows, extra in tables:
        if kind == "open_items" and not rows:
            continue
        totals_rows = len(extra["total_rows"]) + 1 if extra else PDF_TOTALS_ROWS
        index, first = 0, True
        while True:
            overhead = PDF_TABLE_HEADER_ROWS
            if first:
                overhead += PDF_SECTION_TITLE_ROWS + (1 if kind == "lines" else 0)
                overhead += 1 if extra and extra.get("note") else 0
            take, last = _rows_on_page(len(rows) - index, free - overhead, totals_rows)
            # a short added section that does not fit starts on the next page, not split
            small = extra and first and len(rows) + totals_rows <= PDF_SHORT_TABLE_ROWS
            if (take > 0 or last) and (last or not small or free == rows_per_page):
                section = {"type": kind, "rows": rows[index : index + take]}
                pages[-1].append({**section, "first": first, "last": last, "extra": extra})
                free -= overhead + take + (totals_rows if last else 0)
                index += take
                first = False
            if last:
                break
            pages.append([])
            free = rows_per_page
    if free < PDF_DIGEST_ROWS:
        pages.append([])
    return pages


def _rows_on_page(remaining, room, totals_rows=PDF_TOTALS_ROWS):
    """(rows of a table that go on this page, whether its totals follow them)."""
    if remaining + totals_rows <= room:
        return remaining, True
    if remaining <= room:
        return remaining - 1, False  # keep a row with the totals on the next page
    return room, False


def _shorten(text, size):
    text = (text or "").replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"


def report_values(env, docids):
    """The rendering values of the statement reports (``report.*._get_report_values``)."""
    return {
        "doc_ids": docids,
        "doc_model": "customer.reconciliation.session",
        "docs": env["customer.reconciliation.session"].browse(docids),
        "statement_data": statement_data,
        "letter_data": letter_data,
    }
