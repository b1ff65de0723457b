"""What the customer and the auditor hold in their hands: the data behind the PDF and XLSX."""

import re
from calendar import monthrange

from odoo import fields, models
from odoo.tools import SQL, formatLang

# The statement's lines as the reports read them, in statement order.
LINE_COLUMNS = (
    "sequence",
    "kind",
    "date",
    "name",
    "customer_ref",
    "label",
    "date_maturity",
    "debit",
    "credit",
    "balance",
    "is_open",
    "open_amount",
)
OPEN_ITEM_COLUMNS = (
    "kind",
    "date",
    "name",
    "customer_ref",
    "date_maturity",
    "amount",
    "open_amount",
    "days_overdue",
    "aging_bucket",
)

# Pagination of the PDF, in "rows" of the statement tables (see report_statement.scss, where
# a row has a fixed height). wkhtmltopdf does not repeat table headers by itself (not without
# its patched Qt) and slows down sharply on tables of thousands of rows: the lines are cut
# into one table per page, each with its own header.
PDF_MM_PER_ROW = 4.3  # measured: 4.2 mm (17 px at the reports' dpi and zoom)
PDF_FIRST_PAGE_HEADER_ROWS = 22  # title, addresses, statement details, balances and aging
PDF_SECTION_TITLE_ROWS = 3
PDF_TABLE_HEADER_ROWS = 2
PDF_TOTALS_ROWS = 3
PDF_DIGEST_ROWS = 5

_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    # ------------------------------------------------------------------ language & names
    def _get_report_lang(self):
        """The language the customer reads: the statement language, else its contact's."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        installed = dict(self.env["res.lang"].get_installed())
        contact = partner._reconciliation_statement_contact(self.company_id)
        for code in (partner.reconciliation_lang, contact.lang, partner.lang, self.env.lang):
            if code and code in installed:
                return code
        return "en_US"

    def _get_report_period_label(self):
        """``2026-10`` for a calendar month, else ``2026-10-01_2026-12-31``."""
        self.ensure_one()
        start, end = self.date_from, self.date_to
        if (
            start.day == 1
            and (start.year, start.month) == (end.year, end.month)
            and end.day == monthrange(end.year, end.month)[1]
        ):
            return f"{start:%Y-%m}"
        return f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"

    def _get_report_base_filename(self, kind="statement"):
        """File name (without extension) carrying the number, the customer and the period."""
        self.ensure_one()
        env = self.with_context(lang=self._get_report_lang()).env
        prefix = {
            "statement": env._("Statement"),
            "letter": env._("Balance Confirmation"),
            "statement_letter": env._("Statement and Balance Confirmation"),
        }[kind]
        name = f"{prefix} {self.name} {self.partner_id.name} {self._get_report_period_label()}"
        return _UNSAFE_FILENAME.sub("-", name).strip()

    # ------------------------------------------------------------------ data provider
    def _fetch_report_rows(self, model, columns, order):
        """The rows of ``model`` belonging to these statements, as tuples, in one query.

        Goes through ``_search`` so that record rules apply, without loading the records in
        the ORM cache: a statement can have tens of thousands of lines.
        """
        Model = self.env[model]
        Model.check_access("read")
        query = Model._search([("session_id", "in", self.ids)], order=order)
        self.env.cr.execute(
            query.select(*(SQL.identifier(query.table, column) for column in columns))
        )
        return self.env.cr.fetchall()

    def _get_report_lines(self):
        """The lines of the statement (opening balance first) as tuples of ``LINE_COLUMNS``."""
        self.ensure_one()
        self.env["customer.reconciliation.line"].flush_model(LINE_COLUMNS)
        return self._fetch_report_rows("customer.reconciliation.line", LINE_COLUMNS, "sequence, id")

    def _get_report_open_items(self):
        self.ensure_one()
        self.env["customer.reconciliation.open.item"].flush_model(OPEN_ITEM_COLUMNS)
        return self._fetch_report_rows(
            "customer.reconciliation.open.item", OPEN_ITEM_COLUMNS, "date_maturity, date, id"
        )

    def _get_report_aging(self):
        """[(label, amount)] of the aging buckets at the end date, in the current language."""
        self.ensure_one()
        names = ("aging_not_due", "aging_1_30", "aging_31_60", "aging_61_90", "aging_over_90")
        return [(self._fields[name]._description_string(self.env), self[name]) for name in names]

    def _get_report_formatters(self):
        """Amount and date formatting in the current language, computed once per report.

        The QWeb ``monetary`` widget is too slow for a table of thousands of cells.
        """
        self.ensure_one()
        env = self.env
        currency = self.currency_id
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

    def _get_statement_report_data(self):
        """Everything the PDF statement shows, formatted once, cut into pages."""
        self.ensure_one()
        amount, day = self._get_report_formatters()
        kinds = dict(
            self.env["customer.reconciliation.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        lines = []
        for (
            _seq,
            kind,
            date,
            name,
            ref,
            _label,
            due,
            debit,
            credit,
            balance,
            _is_open,
            _open_amount,
        ) in self._get_report_lines():
            if kind == "opening":
                continue  # shown as the table's first row from the statement's own figure
            lines.append(
                {
                    "date": day(date),
                    "kind": kinds.get(kind, kind),
                    "name": name or "",
                    "ref": _shorten(ref, 40),
                    "due": day(due) if kind == "invoice" else "",
                    "debit": amount(debit, blank_zero=True),
                    "credit": amount(credit, blank_zero=True),
                    "balance": amount(balance),
                }
            )
        open_items = []
        open_total = 0.0
        for (
            kind,
            date,
            name,
            ref,
            due,
            original,
            open_amount,
            days,
            _bucket,
        ) in self._get_report_open_items():
            open_total += open_amount
            open_items.append(
                {
                    "date": day(date),
                    "kind": kinds.get(kind, kind),
                    "name": name or "",
                    "ref": _shorten(ref, 40),
                    "due": day(due),
                    "days": days if days > 0 else "",
                    "amount": amount(original),
                    "open_amount": amount(open_amount),
                }
            )
        return {
            "currency": self.currency_id,
            "contact": self.partner_id._reconciliation_statement_contact(self.company_id),
            "date_from": day(self.date_from),
            "date_to": day(self.date_to),
            "opening": amount(self.opening_balance, symbol=True),
            "opening_plain": amount(self.opening_balance),
            "debit": amount(self.period_debit, symbol=True),
            "credit": amount(self.period_credit, symbol=True),
            "debit_plain": amount(self.period_debit),
            "credit_plain": amount(self.period_credit),
            "closing": amount(self.closing_balance, symbol=True),
            "closing_plain": amount(self.closing_balance),
            "overdue": amount(self.overdue_amount, symbol=True),
            "aging": [(label, amount(value)) for label, value in self._get_report_aging()],
            "aging_total": amount(sum(value for _label, value in self._get_report_aging())),
            "open_total": amount(open_total),
            "frozen_date": day(fields.Datetime.context_timestamp(self, self.frozen_date))
            if self.frozen_date
            else "",
            "line_count": len(lines),
            "pages": self._paginate_report(lines, open_items),
        }

    def _get_letter_report_data(self):
        """What the balance confirmation letter shows, formatted in the current language."""
        self.ensure_one()
        amount, day = self._get_report_formatters()
        contact = self.partner_id._reconciliation_statement_contact(self.company_id)
        balance = self.closing_balance
        if self.currency_id.is_zero(balance):
            direction = "nil"
        else:
            direction = "receivable" if balance > 0 else "payable"
        letter_date = (
            fields.Datetime.context_timestamp(self, self.sent_date).date()
            if self.sent_date
            else fields.Date.context_today(self)
        )
        return {
            "contact": contact,
            "salutation": contact.name if not contact.is_company else self.env._("Sir or Madam"),
            "balance": amount(abs(balance), symbol=True),
            "direction": direction,
            "date_from": day(self.date_from),
            "date_to": day(self.date_to),
            "today": day(letter_date),
            "reply_email": self.user_id.email or self.company_id.email,
        }

    def _get_report_page_rows(self):
        """(rows on the first page, rows on the next pages) for the statement's paper format."""
        report = self.env.ref(
            "customer_reconciliation.action_report_reconciliation_statement"
        ).sudo()
        body_mm, first_body_mm = self.env["ir.actions.report"]._cr_page_body_heights(
            report.get_paperformat()
        )
        rows = max(int(body_mm / PDF_MM_PER_ROW), 30)
        first = max(int(first_body_mm / PDF_MM_PER_ROW) - PDF_FIRST_PAGE_HEADER_ROWS, 10)
        return first, rows

    def _paginate_report(self, lines, open_items):
        """Cut the lines, then the open items, into pages: [[section, ...], ...].

        A section is the part of a table that is on one page: {"type", "rows", "first",
        "last"}; each is printed with its column headers, the first with the title of the
        table (and the opening balance for the lines), the last with the totals.
        """
        first_rows, rows_per_page = self._get_report_page_rows()
        pages = [[]]
        free = first_rows
        for kind, rows in (("lines", lines), ("open_items", open_items)):
            if kind == "open_items" and not rows:
                continue
            index, first = 0, True
            while True:
                overhead = PDF_TABLE_HEADER_ROWS
                if first:
                    overhead += PDF_SECTION_TITLE_ROWS + (1 if kind == "lines" else 0)
                room = free - overhead
                remaining = len(rows) - index
                if remaining + PDF_TOTALS_ROWS <= room:
                    take, last = remaining, True
                elif remaining <= room:
                    take, last = remaining - 1, False  # keep a row with the totals on the next page
                else:
                    take, last = room, False
                if take > 0 or last:
                    pages[-1].append(
                        {
                            "type": kind,
                            "rows": rows[index : index + take],
                            "first": first,
                            "last": last,
                        }
                    )
                    free -= overhead + take + (PDF_TOTALS_ROWS if last else 0)
                    index += take
                    first = False
                if last:
                    break
                pages.append([])
                free = rows_per_page
        if free < PDF_DIGEST_ROWS:
            pages.append([])
        return pages

    # ------------------------------------------------------------------ downloads
    def action_download_xlsx(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_reconciliation/statement/{self.id}/xlsx",
            "target": "download",
        }

    def action_download_balances_xlsx(self, with_statement_sheets=False):
        ids = ",".join(str(i) for i in self.ids)
        url = f"/customer_reconciliation/balances/xlsx?ids={ids}"
        if with_statement_sheets:
            url += "&sheets=1"
        return {"type": "ir.actions.act_url", "url": url, "target": "download"}


def _shorten(text, size):
    text = (text or "").replace("\n", " ")
    return text if len(text) <= size else text[: size - 1] + "…"
