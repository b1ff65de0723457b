"""Importing the customer's ledger against a statement: comparison, explanations, bridge,
XLSX export, disputes, the wizard and its remembered mapping, bad files leaving nothing behind."""

import base64
import io
from datetime import date

import openpyxl
import xlsxwriter
from common import ReconciliationCommon

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import Form, HttpCase, new_test_user, tagged
from odoo.tools import SQL
from odoo.tools.misc import formatLang

from odoo.addons.customer_reconciliation.reports import comparison_workbook
from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing as ledger_parser


def xlsx_bytes(rows):
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    return output.getvalue()


def csv_bytes(rows, encoding="utf-8"):
    return "\n".join(",".join("" if v is None else f'"{v}"' for v in row) for row in rows).encode(
        encoding
    )


@tagged("post_install", "-at_install")
class TestLedgerImport(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("杭州西湖家居有限公司")
        cls._invoice(cls.customer, 800, date(2026, 9, 20))  # the opening balance
        cls.inv_a = cls._invoice(cls.customer, 11300, date(2026, 10, 28))  # not in their ledger
        cls.inv_b = cls._invoice(cls.customer, 1230, date(2026, 10, 5))  # they booked 1,200
        cls.inv_c = cls._invoice(cls.customer, 2000, date(2026, 10, 10))  # C + D booked as one line
        cls.inv_d = cls._invoice(cls.customer, 3000, date(2026, 10, 12))
        cls.inv_e = cls._invoice(cls.customer, 4000, date(2026, 10, 13))  # booked 20 days later
        cls.payment = cls._advance(cls.customer, 5000, date(2026, 10, 20), memo="货款")
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]

    def their_rows(self):
        """The customer's AP ledger of us (their credit = our invoice), Kingdee style."""
        return [
            ["应付账款明细账"],
            ["供应商：上海星河贸易有限公司", None, None, None, "2026年10月"],
            ["日期", "凭证字号", "摘要", "发票号", "借方", "贷方", "余额"],
            [None, None, "期初余额", None, None, None, "800.00"],
            [
                "2026-10-06",
                "记-1",
                "采购家具",
                self.inv_b.name.replace("/", "-").lower(),
                None,
                "1,200.00",
                "2,000.00",
            ],
            ["2026/10/13", "记-2", "采购 两张发票", None, None, "5,000.00", "7,000.00"],
            ["2026年10月21日", "记-5", "付款", "FK-001", "5,000.00", None, "2,000.00"],
            ["20261030", "记-8", "付款", "FK-002", "5,000.00", None, "-3,000.00"],
            ["本月合计", None, None, None, "10,000.00", "6,200.00", "-3,000.00"],
            ["2026-11-02", "记-1", "采购", f"No. {self.inv_e.name}", None, "4,000.00", "1,000.00"],
        ]

    def money(self, amount):
        return formatLang(self.env, amount, currency_obj=self.session.currency_id)

    def by_doc(self):
        return {
            match.our_document: match
            for match in self.session.customer_match_ids
            if match.our_document
        }

    def test_import_compares_explains_and_bridges(self):
        session = self.session
        content = xlsx_bytes(self.their_rows())
        lines = session._import_customer_ledger("西湖家居.xlsx", content)
        self.assertEqual(len(lines), 5)
        self.assertEqual(session.customer_ledger_sign, "mirror")
        self.assertEqual(lines.mapped("amount"), [1200, 5000, -5000, -5000, 4000])
        self.assertEqual(lines.mapped("row_number"), [5, 6, 7, 8, 10])
        self.assertEqual(lines.attachment_id, session.customer_ledger_attachment_id)
        self.assertEqual(session.customer_ledger_attachment_id.raw, content)

        matches = self.by_doc()
        a, b, e = matches[self.inv_a.name], matches[self.inv_b.name], matches[self.inv_e.name]
        self.assertEqual((a.status, a.dispute_reason), ("only_ours", "missing_invoice"))
        self.assertEqual(
            a.explanation,
            (
                f"Invoice {self.inv_a.name} of {self.money(11300)} dated 10/28/2026 is not in the customer's ledger — "
                "possibly not yet received by them."
            ),
        )
        self.assertEqual(
            (b.status, b.amount_differs, b.date_differs, b.dispute_reason),
            ("difference", True, False, "amount_differs"),
        )
        self.assertEqual(
            b.explanation,
            f"Amounts differ by {self.money(30)} on {self.inv_b.name} "
            f"(ours {self.money(1230)}, theirs {self.money(1200)}).",
        )
        self.assertEqual(
            (e.status, e.date_differs, e.amount_differs, e.day_difference),
            ("difference", True, False, 20),
        )
        self.assertIn("20 days apart", e.explanation)
        cd = matches[f"{self.inv_c.name}, {self.inv_d.name}"]
        self.assertEqual((cd.status, cd.rule, cd.their_count), ("matched", "sum", 1))
        paid = session.customer_match_ids.filtered(lambda m: m.our_kind == "payment")
        self.assertEqual(
            (paid.status, paid.rule, paid.their_reference), ("matched", "amount_date", "FK-001")
        )
        [extra] = session.customer_match_ids.filtered(lambda m: m.status == "only_theirs")
        self.assertEqual(extra.dispute_reason, "payment_not_recorded")
        self.assertEqual(
            extra.explanation,
            (
                f"The customer's payment of {self.money(5000)} on 10/30/2026 (their reference FK-002) is not in our "
                "books — possibly in transit."
            ),
        )
        # Every line of both sides in exactly one class.
        self.assertEqual(
            len(session.customer_match_ids.our_line_ids),
            len(session.line_ids.filtered(lambda l: l.kind != "opening")),
        )
        self.assertTrue(all(line.match_id for line in lines))
        self.assertEqual(lines.filtered(lambda l: l.row_number == 8).match_status, "only_theirs")

        # The bridge: our 17,330 to their 1,000.
        self.assertAlmostEqual(session.closing_balance, 17330)
        self.assertAlmostEqual(session.customer_bridge_opening, 0)
        self.assertAlmostEqual(session.customer_bridge_only_ours, -11300)
        self.assertAlmostEqual(session.customer_bridge_only_theirs, -5000)
        self.assertAlmostEqual(session.customer_bridge_differences, -30)
        self.assertAlmostEqual(session.customer_bridge_their_closing, 1000)
        self.assertAlmostEqual(session.customer_ledger_closing_reported, 1000)
        self.assertAlmostEqual(session.customer_bridge_unexplained, 0)
        self.assertEqual(
            (
                session.customer_matched_count,
                session.customer_difference_count,
                session.customer_only_ours_count,
                session.customer_only_theirs_count,
            ),
            (2, 2, 1, 1),
        )
        # The mapping is remembered for the customer.
        self.assertEqual(
            self.customer.reconciliation_ledger_mapping["columns"]["reference"], "发票号"
        )
        self.assertEqual(self.customer.reconciliation_ledger_mapping["sign"], "mirror")
        self.assertIn("西湖家居.xlsx", session.message_ids[0].body)

    def test_compare_again_after_a_correction(self):
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        line = self.session.customer_line_ids.filtered(lambda l: l.amount == 1200)
        line.amount = 1230
        self.session.action_match_customer_ledger()
        self.assertEqual(self.by_doc()[self.inv_b.name].status, "matched")
        self.assertAlmostEqual(self.session.customer_bridge_differences, 0)

    def test_regenerating_compares_again(self):
        # A draft regenerated after the import (by hand, or by a scheduled run refreshing the
        # month's drafts) is compared with the stored ledger again: nothing left to redo.
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        compared = self.session.customer_ledger_match_date
        late = self._invoice(self.customer, 777, date(2026, 10, 30))
        for regenerate in (
            self.session.action_regenerate,
            lambda: self.Engine.generate(
                self.company, date(2026, 10, 1), date(2026, 10, 31), self.customer.ids
            ),
        ):
            regenerate()
            self.assertFalse(self.session.customer_ledger_outdated)
            self.assertGreaterEqual(self.session.customer_ledger_match_date, compared)
            self.assertEqual(
                (self.by_doc()[late.name].status, self.by_doc()[self.inv_b.name].their_amount),
                ("only_ours", 1200),
            )
            # the comparison names the lines just written, none of the deleted ones
            self.assertTrue(self.session.customer_match_ids.our_line_ids)
            self.assertFalse(self.session.customer_match_ids.our_line_ids - self.session.line_ids)
        # generated and compared in one transaction, in the same second: not outdated
        self.env.cr.execute(
            SQL(
                "UPDATE customer_reconciliation_session SET generated_at ="
                " customer_ledger_match_date + interval '0.4 second' WHERE id = %s",
                self.session.id,
            )
        )
        self.session.invalidate_recordset()
        self.assertFalse(self.session.customer_ledger_outdated)

    def test_reimport_replaces_the_previous_one(self):
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        self.session._import_customer_ledger("l2.csv", csv_bytes(self.their_rows()[:5]))
        self.assertEqual(len(self.session.customer_line_ids), 1)
        self.assertEqual(self.session.customer_ledger_attachment_id.name, "l2.csv")
        self.assertEqual(len(self.session.customer_match_ids.customer_line_ids), 1)

    # ------------------------------------------------------------------ wizard
    def test_wizard_maps_columns_and_remembers_them(self):
        rows = [["Customer ledger"], ["Date", "Text", "Our Invoice", "Debit", "Credit"]] + [
            [r[0], r[2], r[3], r[4], r[5]] for r in self.their_rows()[4:8]
        ]
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(csv_bytes(rows, "gbk")), "filename": "ledger.csv"})
        )
        wizard.action_read_file()
        self.assertEqual(wizard.step, "mapping")
        self.assertEqual(wizard.header_row, 2)
        roles = {column.header: column.role for column in wizard.column_ids}
        self.assertEqual(
            roles,
            {
                "Date": "date",
                "Text": "description",
                "Our Invoice": "reference",
                "Debit": "debit",
                "Credit": "credit",
            },
        )
        self.assertEqual(wizard.sign_convention, "mirror")
        # The user says the "Text" column holds our invoice numbers, not "Our Invoice".
        wizard.column_ids.filtered(lambda c: c.header == "Our Invoice").role = False
        wizard.column_ids.filtered(lambda c: c.header == "Text").role = "reference"
        wizard.action_import()
        self.assertEqual(len(self.session.customer_line_ids), 4)
        self.assertEqual(self.session.customer_line_ids[0].reference, "采购家具")
        self.assertEqual(
            self.customer.reconciliation_ledger_mapping["columns"]["reference"], "text"
        )
        # Next import: the remembered mapping is proposed.
        again = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create(
                {"file": base64.b64encode(csv_bytes(rows, "utf-8-sig")), "filename": "ledger2.csv"}
            )
        )
        again.action_read_file()
        self.assertEqual(again.column_ids.filtered(lambda c: c.header == "Text").role, "reference")
        self.assertFalse(again.column_ids.filtered(lambda c: c.header == "Our Invoice").role)

    def test_wizard_through_its_form_view(self):
        # The file widget fills the (invisible) file name in the browser.
        form = Form(
            self.env["customer.reconciliation.ledger.import.wizard"].with_context(
                default_session_id=self.session.id, default_filename="西湖家居.xlsx"
            )
        )
        form.file = base64.b64encode(xlsx_bytes(self.their_rows()))
        wizard = form.save()
        wizard.action_read_file()
        self.assertEqual(wizard.header_row, 3)
        self.assertIn("XLSX", wizard.file_info)
        with Form(wizard) as mapping:
            self.assertEqual(mapping.sign_convention, "mirror")
            with mapping.column_ids.edit(3) as column:  # 发票号
                self.assertEqual(column.role, "reference")
            mapping.date_tolerance = 3
        wizard.action_import()
        self.assertEqual(len(self.session.customer_line_ids), 5)
        self.assertEqual(self.session.customer_ledger_date_tolerance, 3)
        arch = self.Session.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="customer_ledger_comparison"', arch)

    def test_wizard_rejects_a_role_twice(self):
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(xlsx_bytes(self.their_rows())), "filename": "l.xlsx"})
        )
        wizard.action_read_file()
        wizard.column_ids.filtered(lambda c: c.header == "摘要").role = "date"
        with self.assertRaisesRegex(UserError, "Two columns are mapped as Date"):
            wizard.action_import()

    # ------------------------------------------------------------------ bad files
    def test_bad_files_give_one_clear_error_and_leave_nothing(self):
        session = self.session
        session._import_customer_ledger("good.xlsx", xlsx_bytes(self.their_rows()))
        before = (
            session.customer_line_ids,
            session.customer_match_ids,
            session.customer_ledger_attachment_id,
        )
        attachments = self.env["ir.attachment"].search_count([("res_model", "=", session._name)])
        workbook = openpyxl.Workbook()
        for row in [
            ["日期", "摘要", "贷方"],
            ["2026-10-03", "采购", 100],
            ["2026-10-04", "采购", "=C2*2"],
        ]:
            workbook.active.append(row)
        formula = io.BytesIO()
        workbook.save(formula)
        bad_value = self.their_rows()
        bad_value[6][4] = "五千"
        bad_date = self.their_rows()
        bad_date[5][0] = "2026-02-30"
        cases = [
            (b"", "empty.csv", "empty.csv is empty."),
            (b"%PDF-1.4 binary", "scan.pdf", "scan.pdf is not a spreadsheet"),
            (
                csv_bytes([["摘要", "贷方"], ["采购", "100"]]),
                "nodate.csv",
                "nodate.csv: no date column",
            ),
            (
                csv_bytes([["日期", "摘要"], ["2026-10-03", "采购"]]),
                "noamount.csv",
                "noamount.csv: no amount column",
            ),
            (
                xlsx_bytes(bad_value),
                "value.xlsx",
                'value.xlsx, row 7, column "借方" (E): 五千 is not an amount.',
            ),
            (
                xlsx_bytes(bad_date),
                "date.xlsx",
                'date.xlsx, row 6, column "日期" (A): 2026-02-30 is not a date.',
            ),
            (
                b"a" * (ledger_parser.MAX_FILE_SIZE + 1),
                "big.csv",
                "big.csv is 10.0 MB: files up to 10 MB",
            ),
            (
                formula.getvalue(),
                "formula.xlsx",
                'formula.xlsx, row 3, column "贷方" (C): the formula =C2*2 has no saved value',
            ),
        ]
        for content, filename, message in cases:
            with self.subTest(filename=filename):
                with self.assertRaises(UserError) as caught:
                    session._import_customer_ledger(filename, content)
                self.assertIn(message, str(caught.exception))
                self.assertEqual(
                    (
                        session.customer_line_ids,
                        session.customer_match_ids,
                        session.customer_ledger_attachment_id,
                    ),
                    before,
                )
                self.assertEqual(
                    self.env["ir.attachment"].search_count([("res_model", "=", session._name)]),
                    attachments,
                )

    def test_bad_file_on_a_fresh_statement_creates_nothing(self):
        with self.assertRaises(UserError):
            self.session._import_customer_ledger(
                "x.csv", csv_bytes([["日期", "贷方"], ["someday", "1"]])
            )
        self.assertFalse(self.session.customer_line_ids)
        self.assertFalse(self.session.customer_ledger_import_date)
        self.assertFalse(self.customer.reconciliation_ledger_mapping)

    # ------------------------------------------------------------------ disputes
    def test_disputes_on_a_sent_statement(self):
        session = self.session
        session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        session._workflow_write({"state": "sent"})
        differences = session.customer_match_ids.filtered(lambda m: m.status != "matched")
        action = (differences | session.customer_match_ids[:1]).action_create_disputes()
        disputes = self.env["customer.reconciliation.dispute"].search(action["domain"])
        self.assertEqual(len(disputes), 4)
        self.assertEqual(session.state, "disputed")
        self.assertEqual(set(disputes.mapped("source")), {"ledger"})
        self.assertEqual(
            sorted(disputes.mapped("reason")),
            ["amount_differs", "missing_invoice", "other", "payment_not_recorded"],
        )
        missing = differences.filtered(lambda m: m.status == "only_ours").dispute_id
        self.assertEqual(missing.line_ids.move_id, self.inv_a)
        self.assertAlmostEqual(missing.difference, -11300)
        b = self.by_doc()[self.inv_b.name].dispute_id
        self.assertAlmostEqual(b.difference, -30)
        extra = differences.filtered(lambda m: m.status == "only_theirs").dispute_id
        self.assertFalse(extra.line_ids)
        self.assertAlmostEqual(extra.difference, -5000)
        self.assertIn("possibly in transit", extra.comment)
        with self.assertRaisesRegex(UserError, "Nothing to dispute"):
            differences.action_create_disputes()
        # Compared again: the differences keep their disputes, and no second one is created.
        session.action_match_customer_ledger()
        self.assertEqual(session.customer_match_ids.dispute_id, disputes)
        with self.assertRaisesRegex(UserError, "Nothing to dispute"):
            session.customer_match_ids.action_create_disputes()

    def test_disputes_before_sending_keep_the_state(self):
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        differences = self.session.customer_match_ids.filtered(lambda m: m.status == "only_ours")
        differences.action_create_disputes()
        self.assertEqual(self.session.state, "draft")
        self.assertEqual(differences.dispute_id.reason, "missing_invoice")
        self.session._workflow_write({"state": "closed"})
        with self.assertRaisesRegex(UserError, "takes no new disputes"):
            self.session.customer_match_ids.filtered(
                lambda m: m.status == "only_theirs"
            ).action_create_disputes()

    # ------------------------------------------------------------------ export, security
    def test_export_xlsx(self):
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        action = self.session.action_export_customer_comparison()
        self.assertEqual(
            action["url"], f"/customer_reconciliation/statement/{self.session.id}/comparison/xlsx"
        )
        attachments = self.env["ir.attachment"].search_count([])
        content, filename = comparison_workbook.comparison_xlsx(self.session)
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.assertTrue(filename.startswith("Comparison ") and filename.endswith(".xlsx"))
        book = openpyxl.load_workbook(io.BytesIO(content))
        sheet = book["Comparison"]
        self.assertEqual(sheet["A4"].value, "Our Date")
        self.assertEqual(sheet["L4"].value, "Explanation")
        statuses = [
            sheet.cell(row, 10).value for row in range(5, 5 + len(self.session.customer_match_ids))
        ]
        self.assertEqual(statuses.count("Only in our books"), 1)
        bridge = {row[0]: row[1] for row in book["Bridge"].iter_rows(min_row=4, values_only=True)}
        self.assertAlmostEqual(bridge["Our closing balance"], 17330)
        self.assertAlmostEqual(bridge["Their closing balance (from their lines)"], 1000)
        self.assertAlmostEqual(bridge["Unexplained"], 0)

    def test_company_rule(self):
        self.session._import_customer_ledger("l.xlsx", xlsx_bytes(self.their_rows()))
        other = self.env["res.company"].create({"name": "Other Company"})
        self.env.user.company_ids |= other
        env = self.env(context=dict(self.env.context, allowed_company_ids=[other.id]))
        user_env = env(user=self.env.user)
        self.assertFalse(user_env["customer.reconciliation.customer.line"].search([]))
        self.assertFalse(user_env["customer.reconciliation.match"].search([]))


@tagged("post_install", "-at_install")
class TestComparisonDownload(ReconciliationCommon, HttpCase):
    """The comparison workbook: for those who may read the comparison, and nobody else."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Comparison Download Co")
        cls._invoice(cls.customer, 1000, date(2026, 10, 5))
        cls.statement = cls.Engine.generate(
            cls.company, date(2026, 10, 1), date(2026, 10, 31), cls.customer.ids
        )["created"]
        cls.statement._import_customer_ledger(
            "l.csv", "日期,摘要,贷方\n2026-10-06,货款,1000\n".encode()
        )
        # Sent, so that the customer's portal users may read the statement itself.
        cls.env.cr.execute(
            "UPDATE customer_reconciliation_session SET state = 'sent' WHERE id = %s",
            [cls.statement.id],
        )
        cls.statement.invalidate_recordset(["state"])
        company = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        roles = {
            "cmp_accountant": "base.group_user,customer_reconciliation.group_reconciliation_user",
            "cmp_auditor": "base.group_user,customer_reconciliation.group_reconciliation_auditor",
            "cmp_sales": "base.group_user,sales_team.group_sale_salesman",
            "cmp_plain": "base.group_user",
        }
        cls.users = {
            login: new_test_user(cls.env, login=login, groups=groups, **company)
            for login, groups in roles.items()
        }
        cls.customer.user_id = cls.users["cmp_sales"]  # the salesperson follows the customer
        cls.statement.salesperson_id = cls.users["cmp_sales"]
        cls.users["cmp_portal"] = new_test_user(
            cls.env,
            login="cmp_portal",
            groups="base.group_portal",
            partner_id=cls.customer.id,
            **company,
        )
        other = cls.setup_other_company(name="Comparison Other Co")["company"]
        cls.users["cmp_other"] = new_test_user(
            cls.env,
            login="cmp_other",
            groups=roles["cmp_accountant"],
            company_id=other.id,
            company_ids=[other.id],
        )

    def test_comparison_download_by_role(self):
        url = self.statement.action_export_customer_comparison()["url"]
        expected = {
            "cmp_accountant": 200,
            "cmp_auditor": 200,
            "cmp_sales": 200,  # follows the customer: reads the comparison to chase differences
            "cmp_portal": 403,  # the customer reads the statement, not our working paper
            "cmp_plain": 403,
            "cmp_other": 403,  # another company's statement
        }
        attachments = self.env["ir.attachment"].search_count([])
        for login, status in expected.items():
            self.authenticate(login, login)
            response = self.url_open(url, allow_redirects=False)
            self.assertEqual(response.status_code, status, login)
            self.assertNotIn("Traceback", response.text)
            if status == 200:
                book = openpyxl.load_workbook(io.BytesIO(response.content))
                self.assertEqual(book.sheetnames, ["Comparison", "Bridge"])
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)
        self.authenticate(None, None)
        self.assertIn(self.url_open(url, allow_redirects=False).status_code, (302, 303))

    def test_comparison_download_without_comparison(self):
        other = self.Engine.generate(
            self.company,
            date(2026, 9, 1),
            date(2026, 9, 30),
            self.customer.ids,
            only_with_balance_or_activity=False,
        )["created"]
        self.authenticate("cmp_accountant", "cmp_accountant")
        url = f"/customer_reconciliation/statement/{other.id}/comparison/xlsx"
        self.assertEqual(self.url_open(url, allow_redirects=False).status_code, 404)


@tagged("post_install", "-at_install")
class TestLedgerImportScreens(ReconciliationCommon):
    """The wizard's mapping screen: the rows as read, the questions it asks (sheet, order of
    day and month, a sign convention that contradicts the one remembered), and what the
    statement keeps of how the file was read."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Screens Test Customer")
        cls.invoices = [
            cls._invoice(cls.customer, 1000 + 100 * k, date(2026, 3, 1 + k)) for k in range(6)
        ]
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 3, 1), date(2026, 3, 31), cls.customer.ids
        )["created"]

    def rows(self, day="%Y-%m-%d", sign=-1):
        """Their ledger of us: our invoices as their credits (``sign`` -1), dates as ``day``."""
        rows = [["Supplier ledger"], ["Date", "Reference", "Memo", "Amount"]]
        for invoice in self.invoices:
            rows.append(
                [
                    invoice.invoice_date.strftime(day),
                    invoice.name,
                    "Goods",
                    f"{sign * invoice.amount_total:.2f}",
                ]
            )
        rows.append(["Total for Screens Test Customer", None, None, "-6,500.00"])
        return rows

    def wizard(self, content, filename="theirs.csv"):
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(content), "filename": filename})
        )
        wizard.action_read_file()
        return wizard

    def test_rows_as_read_and_the_note_of_the_import(self):
        wizard = self.wizard(csv_bytes(self.rows()))
        self.assertEqual(
            wizard.rows_info, "6 lines; not lines: title 1, column titles 1, subtotal 1"
        )
        self.assertIn(self.invoices[0].name, wizard.preview)
        self.assertIn("2026-03-01", wizard.preview)
        self.assertIn("<td>subtotal</td>", wizard.preview)
        self.assertFalse(wizard.parse_error)
        self.assertEqual(wizard.sign_convention, "mirror")
        self.assertIn("6 of 6 of their document numbers that are ours", wizard.sign_note)
        wizard.action_import()
        note = self.session.customer_ledger_import_note
        self.assertIn("6 lines", note)
        self.assertIn("subtotal 1", note)
        self.assertIn("6 of 6 of their document numbers", note)
        self.assertIn(note, self.session.message_ids[0].body)

    def test_a_mapping_that_does_not_read_is_shown_not_raised(self):
        wizard = self.wizard(csv_bytes(self.rows()))
        wizard.column_ids.filtered(lambda c: c.header == "Memo").role = "amount"
        wizard.column_ids.filtered(lambda c: c.header == "Amount").role = False
        wizard.action_read_file()  # the columns set by hand are kept for the same header row
        self.assertIn('column "Memo" (C): Goods is not an amount', wizard.parse_error)
        self.assertEqual(wizard.column_ids.filtered(lambda c: c.header == "Memo").role, "amount")
        with self.assertRaisesRegex(UserError, "Goods is not an amount"):
            wizard.action_import()

    def test_the_order_of_day_and_month_is_asked_when_the_file_cannot_tell(self):
        # Every day of March 1-6 is <= 12: 01/03/2026 reads both ways.
        wizard = self.wizard(csv_bytes(self.rows(day="%d/%m/%Y")))
        self.assertTrue(wizard.day_order_open)
        with self.assertRaisesRegex(UserError, "Say how the dates of theirs.csv are written"):
            wizard.action_import()
        wizard.day_order = "day_first"
        wizard.action_import()
        self.assertEqual(
            sorted(self.session.customer_line_ids.mapped("date")),
            sorted(invoice.invoice_date for invoice in self.invoices),
        )
        self.assertEqual(self.session.customer_matched_count, 6)
        self.assertIn("Dates read as day/month/year", self.session.customer_ledger_import_note)
        # Through the portal, the statement says what was assumed.
        self.session._import_customer_ledger("again.csv", csv_bytes(self.rows(day="%d/%m/%Y")))
        self.assertIn(
            "read as month/day/year: the file does not tell",
            self.session.customer_ledger_import_note,
        )

    def test_a_remembered_convention_the_file_contradicts_is_questioned(self):
        self.customer.reconciliation_ledger_mapping = {"sign": "same"}
        wizard = self.wizard(csv_bytes(self.rows(day="%Y-%m-%d")))
        self.assertTrue(wizard.sign_conflict)
        self.assertEqual(wizard.sign_convention, "mirror")
        self.assertIn("Remembered for this customer", wizard.sign_note)
        # The portal's path follows the file too, and says why.
        self.session._import_customer_ledger("theirs.csv", csv_bytes(self.rows(day="%Y-%m-%d")))
        self.assertEqual(self.session.customer_ledger_sign, "mirror")
        self.assertEqual(self.session.customer_matched_count, 6)

    def test_the_sheet_is_picked_among_those_that_look_like_a_ledger(self):
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        summary = book.add_worksheet("汇总")
        summary.write_row(0, 0, ["供应商", "余额"])
        summary.write_row(1, 0, ["Screens Test Customer", -6500])
        for name, rows in (
            ("2025", self.rows(day="%Y-%m-%d")[:3]),
            ("2026", self.rows(day="%Y-%m-%d")),
        ):
            sheet = book.add_worksheet(name)
            for r, row in enumerate(rows):
                sheet.write_row(r, 0, row)
        summary.activate()
        book.close()
        wizard = self.wizard(output.getvalue(), "workbook.xlsx")
        self.assertEqual(wizard.sheet_count, 2)
        self.assertEqual(wizard.sheet_id.name, "2025")  # the first that looks like a ledger
        self.assertIn("1 lines", wizard.rows_info)
        wizard.sheet_id = wizard.sheet_id.search(
            [("wizard_id", "=", wizard.id), ("name", "=", "2026")]
        )
        wizard.action_read_file()
        self.assertIn("2026", wizard.file_info)
        self.assertIn("6 lines", wizard.rows_info)
        wizard.action_import()
        self.assertEqual(len(self.session.customer_line_ids), 6)
