"""Statement reports: the PDF statement and letter, the Excel workbooks, the downloads."""

import io
import re
import shutil
import subprocess
import unicodedata
from datetime import date
from unittest.mock import patch
from urllib.parse import unquote

import openpyxl
from common import ReconciliationCommon

from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import formatLang
from odoo.tools.translate import code_translations

from odoo.addons.customer_reconciliation.reports import (
    balances_workbook,
    page_numbers,
    statement_data,
    statement_workbook,
    workbook,
)

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def pdf_pages(pdf):
    """The text of each page, NFKC-normalised (CJK fonts may map to compatibility forms)."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return [unicodedata.normalize("NFKC", page) for page in text.split("\f") if page.strip()]


def squash(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


class ReportCommon(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"].sudo()._activate_lang("zh_CN")
        cls.globex = cls._customer(
            "Globex Trading Ltd.",
            lang="en_US",
            street="12 Harbour Road",
            city="Springfield",
            ref="GLX",
        )
        opening = cls._invoice(cls.globex, 500, date(2026, 2, 10), ref="GLX-PO-0")
        cls.inv1 = cls._invoice(cls.globex, 1200, date(2026, 3, 3), ref="GLX-PO-1")
        cls.inv2 = cls._invoice(cls.globex, 830.5, date(2026, 3, 12), ref="GLX-PO-2")
        cls.refund = cls._invoice(
            cls.globex, 100, date(2026, 3, 15), move_type="out_refund", ref="RET-7"
        )
        cls.payment = cls._pay(cls.inv1, amount=700, pay_date=date(2026, 3, 20))
        cls._pay(
            opening, pay_date=date(2026, 4, 2)
        )  # after the period: the opening invoice stays open
        cls.huanan = cls._customer("北京华联商贸有限公司", lang="zh_CN", city="北京")
        cls.huanan_inv = cls._invoice(cls.huanan, 8888, date(2026, 3, 8), ref="HL-PO-2601")
        sessions = cls.Engine.generate(cls.company, *MARCH, (cls.globex | cls.huanan).ids)[
            "created"
        ]
        cls.statement = sessions.filtered(lambda s: s.partner_id == cls.globex)
        cls.statement_cn = sessions.filtered(lambda s: s.partner_id == cls.huanan)

    def _moves(self, session):
        return session.line_ids.filtered(lambda line: line.kind != "opening").sorted(
            lambda line: (line.sequence, line.id)
        )


@tagged("post_install", "-at_install")
class TestReportData(ReportCommon):
    def test_report_language(self):
        self.assertEqual(self.statement._get_report_lang(), "en_US")
        self.assertEqual(self.statement_cn._get_report_lang(), "zh_CN")
        # The statement language wins over the contact's language.
        self.huanan.reconciliation_lang = "en_US"
        self.assertEqual(self.statement_cn._get_report_lang(), "en_US")
        # The statement contact's language comes before the customer's.
        self.huanan.reconciliation_lang = False
        contact = self.env["res.partner"].create(
            {"name": "王芳", "parent_id": self.huanan.id, "lang": "en_US"}
        )
        self.huanan.reconciliation_contact_id = contact
        self.assertEqual(self.statement_cn._get_report_lang(), "en_US")

    def test_file_names_carry_customer_and_period(self):
        name = self.statement._get_report_base_filename()
        self.assertIn("Globex Trading Ltd.", name)
        self.assertIn("2026-03", name)
        self.assertNotIn("/", name)
        self.assertTrue(
            statement_workbook.statement_xlsx(self.statement)[1].endswith(
                "Globex Trading Ltd. 2026-03.xlsx"
            )
        )
        self.assertIn(
            "北京华联商贸有限公司", statement_workbook.statement_xlsx(self.statement_cn)[1]
        )
        self.assertIn(self.statement.name.replace("/", "-"), name)
        report = self.env.ref("customer_reconciliation.action_report_reconciliation_statement")
        self.assertIn("_get_report_base_filename", report.print_report_name)

    def test_pagination_keeps_every_row_once(self):
        lines = [{"name": f"L{i}"} for i in range(130)]
        items = [{"name": f"O{i}"} for i in range(17)]
        pages = statement_data.paginate(lines, items, 12, 30)
        sections = [section for page in pages for section in page]
        self.assertEqual(
            [r["name"] for s in sections if s["type"] == "lines" for r in s["rows"]],
            [r["name"] for r in lines],
        )
        self.assertEqual(
            [r["name"] for s in sections if s["type"] == "open_items" for r in s["rows"]],
            [r["name"] for r in items],
        )
        self.assertEqual(sum(s["first"] for s in sections), 2)
        self.assertEqual(sum(s["last"] for s in sections), 2)
        for page in pages[1:]:
            rows = sum(
                len(s["rows"]) + 2 + (3 if s["first"] else 0) + (3 if s["last"] else 0)
                for s in page
            )
            self.assertLessEqual(rows, 30 + 1)  # + the opening balance row

    def test_pagination_moves_a_short_added_section_whole(self):
        # 12 lines with their title, headers, opening and totals rows (21) leave 8 rows of a
        # first page of 29: a 3-row section with its title, note, headers and 2 totals rows
        # does not fit. It starts on the next page whole; a long one starts at once and splits.
        lines = [{"name": f"L{i}"} for i in range(12)]
        short = {"cells": [["a"], ["b"], ["c"]], "total_rows": [1], "note": "n"}
        long = {"cells": [[str(i)] for i in range(40)], "total_rows": [1], "note": "n"}
        for extra, expected in ((short, [1]), (long, [0, 1, 2])):
            pages = statement_data.paginate(lines, [], 29, 30, [extra])
            self.assertEqual(
                [i for i, page in enumerate(pages) if any(s["type"] == "extra" for s in page)],
                expected,
            )
            rows = [r for page in pages for s in page if s["type"] == "extra" for r in s["rows"]]
            self.assertEqual(rows, extra["cells"])

    def test_report_data_matches_statement(self):
        data = statement_data.statement_data(self.statement.with_context(lang="en_US"))
        rows = [
            row for page in data["pages"] for s in page if s["type"] == "lines" for row in s["rows"]
        ]
        self.assertEqual([row["name"] for row in rows], self._moves(self.statement).mapped("name"))
        self.assertEqual(
            data["closing"],
            formatLang(
                self.env, self.statement.closing_balance, currency_obj=self.statement.currency_id
            ),
        )


@tagged("post_install", "-at_install")
class TestReportXlsx(ReportCommon):
    def _load(self, content, data_only=False):
        return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)

    def test_statement_workbook_values_and_formulas(self):
        content, _name = statement_workbook.statement_xlsx(self.statement)
        sheet = self._load(content).worksheets[0]
        cached = self._load(content, data_only=True).worksheets[0]
        self.assertEqual(sheet.freeze_panes, "A4")
        moves = self._moves(self.statement)
        self.assertEqual(sheet.auto_filter.ref, f"A3:J{4 + len(moves)}")
        self.assertEqual(
            [c.value for c in sheet[3][:10]],
            [
                "Date",
                "Type",
                "Document",
                "Customer Reference",
                "Label",
                "Due Date",
                "Debit",
                "Credit",
                "Balance",
                "Open at End Date",
            ],
        )
        # Opening balance row, then one row per line, balance as a running formula.
        self.assertEqual(sheet["A4"].value.date(), self.statement.date_from)
        self.assertAlmostEqual(sheet["I4"].value, self.statement.opening_balance)
        running = self.statement.opening_balance
        for row, line in enumerate(moves, start=5):
            values = [c.value for c in sheet[row][:10]]
            self.assertEqual(values[0].date(), line.date)
            self.assertEqual(values[2], line.name)
            self.assertEqual(values[3], line.customer_ref or None)
            self.assertEqual(values[5].date() if values[5] else False, line.date_maturity)
            self.assertAlmostEqual(values[6], line.debit)
            self.assertAlmostEqual(values[7], line.credit)
            self.assertEqual(values[8], f"=I{row - 1}+G{row}-H{row}")
            running += values[6] - values[7]  # what the formula computes
            self.assertAlmostEqual(running, line.balance)
            self.assertAlmostEqual(cached.cell(row, 9).value, line.balance)
            self.assertAlmostEqual(values[9], line.open_amount)
            self.assertIn("0.00", sheet.cell(row, 7).number_format)
            self.assertIn("yy", sheet.cell(row, 1).number_format)
        total, closing = 5 + len(moves), 6 + len(moves)
        self.assertEqual(sheet.cell(total, 7).value, f"=SUM(G5:G{total - 1})")
        self.assertEqual(sheet.cell(total, 8).value, f"=SUM(H5:H{total - 1})")
        self.assertAlmostEqual(cached.cell(total, 7).value, self.statement.period_debit)
        self.assertAlmostEqual(cached.cell(total, 8).value, self.statement.period_credit)
        self.assertEqual(sheet.cell(closing, 9).value, f"=I4+G{total}-H{total}")
        self.assertAlmostEqual(cached.cell(closing, 9).value, self.statement.closing_balance)
        self.assertAlmostEqual(running, self.statement.closing_balance)
        # The summary block on the right.
        summary = {
            sheet.cell(r, 12).value: (sheet.cell(r, 13).value, cached.cell(r, 13).value)
            for r in range(3, sheet.max_row + 1)
            if sheet.cell(r, 12).value
        }
        self.assertEqual(summary["Customer"][0], "Globex Trading Ltd.")
        self.assertAlmostEqual(summary["Opening Balance"][0], self.statement.opening_balance)
        self.assertEqual(summary["Closing Balance"][0], f"=I{closing}")
        self.assertAlmostEqual(summary["Closing Balance"][1], self.statement.closing_balance)
        self.assertAlmostEqual(summary["Over 90 Days"][0], self.statement.aging_over_90)
        self.assertTrue(summary["Total"][0].startswith("=SUM("))
        self.assertAlmostEqual(summary["Total"][1], self.statement.closing_balance)
        # Open items on their own sheet, adding up to the closing balance.
        items = self._load(content, data_only=True).worksheets[1]
        values = [row for row in items.iter_rows(min_row=2, values_only=True) if row[2]]
        self.assertEqual(len(values), len(self.statement.open_item_ids))
        self.assertAlmostEqual(items.cell(len(values) + 2, 7).value, self.statement.closing_balance)

    def test_headers_follow_the_statement_language(self):
        # The .po files come later: give the translation mechanism a zh_CN term to find.
        key = ("customer_reconciliation", "zh_CN")
        terms = {"Date": "日期", "Debit": "借方", "Credit": "贷方", "Balance": "余额"}
        with patch.dict(code_translations.python_translations, {key: terms}):
            content, _name = statement_workbook.statement_xlsx(self.statement_cn)
            english, _name = statement_workbook.statement_xlsx(self.statement)
        headers = [c.value for c in self._load(content).worksheets[0][3][:10]]
        self.assertEqual(
            [headers[0], headers[6], headers[7], headers[8]], ["日期", "借方", "贷方", "余额"]
        )
        self.assertEqual(self._load(english).worksheets[0]["A3"].value, "Date")

    def test_balances_workbook(self):
        foreign = self._customer("Initech GmbH")
        self._invoice(foreign, 300, date(2026, 3, 5), currency=self.foreign)
        self.Engine.generate(self.company, *MARCH, foreign.ids)
        sessions = self.Session.search(
            [("partner_id", "in", (self.globex | self.huanan | foreign).ids)]
        )
        self.assertEqual(len(sessions), 3)
        self.assertEqual(len(sessions.currency_id), 2)
        content, filename = balances_workbook.balances_xlsx(sessions, with_statement_sheets=True)
        self.assertTrue(filename.startswith("Receivable Balances 2026-03"))
        book, cached = self._load(content), self._load(content, data_only=True)
        self.assertEqual(len(book.worksheets), 4)
        sheet, values = book.worksheets[0], cached.worksheets[0]
        header = [c.value for c in sheet[3]]
        col = {title: index + 1 for index, title in enumerate(header)}
        rows = {values.cell(r, col["Statement"]).value: r for r in range(4, 7)}
        self.assertEqual(set(rows), set(sessions.mapped("name")))
        for session in sessions:
            r = rows[session.name]
            self.assertEqual(values.cell(r, col["Customer"]).value, session.partner_id.name)
            self.assertEqual(values.cell(r, col["Currency"]).value, session.currency_id.name)
            self.assertEqual(values.cell(r, col["Period To"]).value.date(), session.date_to)
            for title, field in (
                ("Opening Balance", "opening_balance"),
                ("Debit", "period_debit"),
                ("Credit", "period_credit"),
                ("Closing Balance", "closing_balance"),
                ("Overdue", "overdue_amount"),
                ("Not Due", "aging_not_due"),
                ("Over 90 Days", "aging_over_90"),
            ):
                self.assertAlmostEqual(values.cell(r, col[title]).value, session[field])
            self.assertEqual(values.cell(r, col["Status"]).value, "Draft")
            # Linked to its own sheet, which holds every line.
            self.assertEqual(
                sheet.cell(r, col["Statement"]).hyperlink.location.split("!")[0].strip("'"),
                session.name.replace("/", "-"),
            )
            statement_sheet = cached[session.name.replace("/", "-")]
            documents = [
                row[2] for row in statement_sheet.iter_rows(min_row=5, values_only=True) if row[2]
            ]
            self.assertEqual(documents, self._moves(session).mapped("name"))
        # One total per currency (SUMIFS), equal to the sum of its statements.
        totals = {
            values.cell(r, col["Currency"]).value: r
            for r in range(8, sheet.max_row + 1)
            if str(values.cell(r, 1).value or "").startswith("Total ")
            and values.cell(r, col["Currency"]).value
        }
        self.assertEqual(set(totals), set(sessions.currency_id.mapped("name")))
        for currency in sessions.currency_id:
            r = totals[currency.name]
            mine = sessions.filtered(lambda s, c=currency: s.currency_id == c)
            formula = sheet.cell(r, col["Closing Balance"]).value
            self.assertTrue(
                formula.startswith("=SUMIFS(") and f'"{currency.name}"' in formula, formula
            )
            self.assertAlmostEqual(
                values.cell(r, col["Closing Balance"]).value, sum(mine.mapped("closing_balance"))
            )
            self.assertAlmostEqual(
                values.cell(r, col["Debit"]).value, sum(mine.mapped("period_debit"))
            )

    def test_workbooks_stream(self):
        content, _name = balances_workbook.balances_xlsx(self.statement)
        self.assertEqual(len(self._load(content).worksheets), 1)
        book = workbook.Workbook(self.env)
        self.assertTrue(book.book.constant_memory)  # rows are flushed as they are written
        book.close()


class ReportHttpCommon(ReportCommon, HttpCase):
    pass


@tagged("post_install", "-at_install")
class TestReportPdf(ReportHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("pdftotext"):
            cls.skipTest(cls, "pdftotext (poppler-utils) is needed to read the PDFs back")
        if cls.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            cls.skipTest(cls, "wkhtmltopdf is needed to render the PDFs")
        # Build the report styles before the first PDF: wkhtmltopdf does not wait long for
        # a bundle compiled on the fly (libsass on a busy machine) and would print unstyled
        # pages, without their page breaks.
        for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
            for autoprefix in (False, True):
                cls.env["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=autoprefix).css()

    def _render(self, report, sessions):
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf(f"customer_reconciliation.{report}", sessions.ids)
        )
        self.assertEqual(kind, "pdf")
        return pdf

    def test_statement_pdf(self):
        self.statement.action_submit()
        self.assertTrue(self.statement.digest)
        pages = pdf_pages(self._render("action_report_reconciliation_statement", self.statement))
        text = "\n".join(pages).replace("\xa0", " ")
        closing = formatLang(
            self.env, self.statement.closing_balance, currency_obj=self.statement.currency_id
        ).replace("\xa0", " ")
        self.assertIn(closing, text)
        for name in self._moves(self.statement).mapped(
            "name"
        ) + self.statement.open_item_ids.mapped("name"):
            self.assertIn(name, text)
        self.assertIn(self.statement.name, text)
        self.assertIn("Globex Trading Ltd.", text)
        self.assertIn("GLX-PO-2", text)  # customer reference
        self.assertIn(self.statement.digest, squash(text))
        self.assertIn("Open items at", text)

    def test_long_statement_repeats_headers_and_numbers_pages(self):
        customer = self._customer("Long Ledger Co.")
        for day in range(1, 29):
            self._invoice(customer, 100 + day, date(2026, 3, day), ref=f"LL-{day:02d}")
        session = self.Engine.generate(self.company, *MARCH, customer.ids)["created"]
        with patch.object(statement_data, "page_rows", lambda session: (10, 16)):
            expected = len(statement_data.statement_data(session)["pages"])
            pages = pdf_pages(self._render("action_report_reconciliation_statement", session))
        self.assertGreaterEqual(expected, 3)
        self.assertEqual(len(pages), expected, "a page overflowed: the pagination is off")
        for number, page in enumerate(pages, start=1):
            self.assertIn("Customer Reference", page)  # the column headers, on every page
            self.assertRegex(page, rf"\b{number}\s*/\s*{len(pages)}\b")
        text = "\n".join(pages)
        for day in range(1, 29):
            self.assertEqual(text.count(f"LL-{day:02d}"), 2)  # in the lines and in the open items

    def test_chinese_customer_pdf(self):
        self.assertEqual(self.statement_cn._get_report_lang(), "zh_CN")
        view = self.env.ref("customer_reconciliation.report_statement_lines_table")
        # Until the .po files land, give the template its zh_CN term the way they will.
        view.update_field_translations("arch_db", {"zh_CN": {"Opening balance": "期初余额"}})
        text = "\n".join(
            pdf_pages(self._render("action_report_reconciliation_statement", self.statement_cn))
        )
        self.assertIn("北京华联商贸有限公司", text)
        self.assertIn("期初余额", text)
        date_format = self.env["res.lang"]._get_data(code="zh_CN").date_format
        self.assertIn(self.statement_cn.date_to.strftime(date_format), text)
        self.assertIn("HL-PO-2601", text)

    def test_page_numbers_keep_the_fonts_shared(self):
        # Stamping numbers adds a few bytes a page: the pages keep sharing their (CJK) fonts.
        pdf = self._render("action_report_statement_with_letter", self.statement_cn)
        pages = len(pdf_pages(pdf))
        stamped = page_numbers.stamp_page_numbers(pdf, "REC-TEST")
        self.assertLess(len(stamped) - len(pdf), 2000 * pages)
        self.assertIn("REC-TEST", pdf_pages(stamped)[-1])

    def test_letter_and_combined_reports(self):
        letter = pdf_pages(self._render("action_report_balance_confirmation", self.statement))
        self.assertEqual(len(letter), 1)
        text = letter[0].replace("\xa0", " ")
        balance = formatLang(
            self.env, self.statement.closing_balance, currency_obj=self.statement.currency_id
        ).replace("\xa0", " ")
        self.assertIn("Balance Confirmation", text)
        self.assertIn(balance, text)
        self.assertIn("We do not agree", text)
        self.assertIn("Company seal", text)
        statement = pdf_pages(
            self._render("action_report_reconciliation_statement", self.statement)
        )
        combined = pdf_pages(self._render("action_report_statement_with_letter", self.statement))
        self.assertEqual(len(combined), len(statement) + 1)
        self.assertIn("Balance Confirmation", combined[-1])
        self.assertNotIn("Balance Confirmation", combined[0])

    def test_several_statements_in_one_print(self):
        sessions = self.statement | self.statement_cn
        pages = pdf_pages(self._render("action_report_reconciliation_statement", sessions))
        self.assertTrue(any("Globex Trading Ltd." in page for page in pages))
        self.assertTrue(any("北京华联商贸有限公司" in page for page in pages))


@tagged("post_install", "-at_install")
class TestReportDownloads(ReportHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "base.group_user,customer_reconciliation.group_reconciliation_user"
        cls.rec_user = new_test_user(
            cls.env,
            login="rec_user",
            groups=groups,
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="plain_user",
            groups="base.group_user",
            company_id=cls.company.id,
            company_ids=[cls.company.id],
        )
        other = cls.setup_other_company(name="Other Company")["company"]
        cls.other_user = new_test_user(
            cls.env, login="other_user", groups=groups, company_id=other.id, company_ids=[other.id]
        )

    def _get(self, url):
        return self.url_open(url, allow_redirects=False)

    def test_statement_download(self):
        self.authenticate("rec_user", "rec_user")
        action = self.statement.action_download_xlsx()
        self.assertEqual(action["type"], "ir.actions.act_url")
        response = self._get(action["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("spreadsheetml", response.headers["Content-Type"])
        disposition = response.headers["Content-Disposition"]
        self.assertTrue(disposition.startswith("attachment; filename*=UTF-8''"))
        self.assertEqual(
            unquote(disposition.split("''", 1)[1]),
            statement_workbook.statement_xlsx(self.statement)[1],
        )
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(book.worksheets[0]["I4"].value, self.statement.opening_balance)
        # Chinese customer names survive the header.
        response = self._get(self.statement_cn.action_download_xlsx()["url"])
        self.assertEqual(response.status_code, 200)
        self.assertIn("北京华联商贸有限公司", unquote(response.headers["Content-Disposition"]))

    def test_balances_download(self):
        self.authenticate("rec_user", "rec_user")
        sessions = self.statement | self.statement_cn
        response = self._get(
            sessions.action_download_balances_xlsx(with_statement_sheets=True)["url"]
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(len(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets), 3)
        response = self._get(sessions.action_download_balances_xlsx()["url"])
        self.assertEqual(len(openpyxl.load_workbook(io.BytesIO(response.content)).worksheets), 1)
        action = self.env.ref("customer_reconciliation.action_server_balances_xlsx")
        result = action.with_context(active_model=sessions._name, active_ids=sessions.ids).run()
        self.assertEqual(result["url"], sessions.action_download_balances_xlsx()["url"])

    def test_access_is_refused(self):
        url = self.statement.action_download_xlsx()["url"]
        balances = f"/customer_reconciliation/balances/xlsx?ids={self.statement.id}"
        self.authenticate("plain_user", "plain_user")  # no reconciliation rights
        self.assertEqual(self._get(url).status_code, 403)
        self.assertEqual(self._get(balances).status_code, 403)
        self.authenticate("other_user", "other_user")  # another company's statements
        self.assertEqual(self._get(url).status_code, 403)
        self.assertEqual(self._get(balances).status_code, 403)
        self.authenticate(None, None)
        response = self._get(url)
        self.assertIn(response.status_code, (302, 303))  # to the login page

    def test_bad_input(self):
        self.authenticate("rec_user", "rec_user")
        missing = self.Session.search([], order="id desc", limit=1).id + 1000
        for url, status in (
            (f"/customer_reconciliation/statement/{missing}/xlsx", 404),
            ("/customer_reconciliation/statement/abc/xlsx", 404),
            ("/customer_reconciliation/balances/xlsx?ids=1,abc", 400),
            ("/customer_reconciliation/balances/xlsx?ids=", 400),
            ("/customer_reconciliation/balances/xlsx?ids=-4", 400),
            ("/customer_reconciliation/balances/xlsx", 400),
            (f"/customer_reconciliation/balances/xlsx?ids={self.statement.id},{missing}", 404),
        ):
            response = self._get(url)
            self.assertEqual(response.status_code, status, url)
            self.assertNotIn("Traceback", response.text)

    def test_report_actions_are_in_the_print_menu(self):
        model = self.env["ir.model"]._get("customer.reconciliation.session")
        for xmlid in (
            "action_report_reconciliation_statement",
            "action_report_balance_confirmation",
            "action_report_statement_with_letter",
        ):
            report = self.env.ref(f"customer_reconciliation.{xmlid}")
            self.assertEqual(report.binding_model_id, model)
            self.assertEqual(report.binding_type, "report")
