"""The comparison with the customer's ledger as a workbook: the rows side by side with their
explanation, and the bridge from our closing balance to theirs."""

from .statement_data import selection_labels
from .workbook import Workbook


def comparison_xlsx(session):
    """The comparison with the customer's ledger and its bridge, in the user's language:
    (bytes, file name)."""
    session.ensure_one()
    session.check_access("read")
    workbook = Workbook(session.env)
    workbook.book.set_properties(
        {"title": session.env._("Comparison %s", session.name), "company": session.company_id.name}
    )
    write_comparison_sheet(workbook, session, workbook.sheet_name(session.env._("Comparison")))
    write_bridge_sheet(workbook, session, workbook.sheet_name(session.env._("Bridge")))
    return workbook.close(), f"{session._get_report_base_filename('comparison')}.xlsx"


def write_comparison_sheet(wb, session, sheet_name):
    """Our lines and the customer's side by side, with the status and its explanation."""
    _ = wb.env._
    session = session.with_env(wb.env)
    money, money_bold = wb.money(session.currency_id), wb.money(session.currency_id, True)
    statuses = selection_labels(wb.env, "customer.reconciliation.match", "status")
    kinds = selection_labels(wb.env, "customer.reconciliation.line", "kind")
    sheet = wb.book.add_worksheet(sheet_name)
    sheet.write_string(
        0,
        0,
        _(
            "%(statement)s — %(customer)s: our books and the customer's ledger",
            statement=session.name,
            customer=session.partner_id.display_name,
        ),
        wb.f_title,
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
        wb.f_subtitle,
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
    wb._headers(sheet, 3, columns)
    sheet.freeze_panes(4, 0)
    matches = session.customer_match_ids
    for row, match in enumerate(matches, start=4):
        _write_comparison_row(wb, sheet, row, match, kinds, statuses, money)
    if not matches:
        return sheet
    row = 4 + len(matches)
    sheet.autofilter(3, 0, row - 1, len(columns) - 1)
    sheet.write_string(row, 2, _("Total"), wb.f_text_bold)
    for col, letter, name in (
        (3, "D", "our_amount"),
        (8, "I", "their_amount"),
        (10, "K", "difference"),
    ):
        sheet.write_formula(
            row, col, f"=SUM({letter}5:{letter}{row})", money_bold, sum(matches.mapped(name))
        )
    return sheet


def _write_comparison_row(wb, sheet, row, match, kinds, statuses, money):
    if match.our_date:
        sheet.write_datetime(row, 0, match.our_date, wb.f_date)
    sheet.write_string(row, 1, match.our_document or "")
    sheet.write_string(row, 2, kinds.get(match.our_kind, ""))
    if match.our_count:
        sheet.write_number(row, 3, match.our_amount, money)
    sheet.write_string(row, 4, match.their_rows or "")
    if match.their_date:
        sheet.write_datetime(row, 5, match.their_date, wb.f_date)
    sheet.write_string(row, 6, match.their_reference or "")
    sheet.write_string(row, 7, match.their_description or "")
    if match.their_count:
        sheet.write_number(row, 8, match.their_amount, money)
    sheet.write_string(row, 9, statuses[match.status], wb.f_status[match.status])
    sheet.write_number(row, 10, match.difference, money)
    sheet.write_string(row, 11, match.explanation or "", wb.f_wrap)


def write_bridge_sheet(wb, session, sheet_name):
    """From our closing balance to the customer's, step by step."""
    _ = wb.env._
    session = session.with_env(wb.env)
    money, money_bold = wb.money(session.currency_id), wb.money(session.currency_id, True)
    sheet = wb.book.add_worksheet(sheet_name)
    sheet.set_column(0, 0, 52)
    sheet.set_column(1, 2, 18)
    sheet.write_string(0, 0, _("From our closing balance to the customer's"), wb.f_title)
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
    wb._headers(sheet, 2, [("", False, None), (_("Amount"), True, None), (_("Lines"), True, None)])
    for row, (label, amount, count, bold) in enumerate(lines, start=3):
        sheet.write_string(row, 0, label, wb.f_label_bold if bold else wb.f_label)
        sheet.write_number(row, 1, amount, money_bold if bold else money)
        if count is not None:
            sheet.write_number(row, 2, count)
    return sheet
