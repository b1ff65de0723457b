"""Each role does its main job in headless Chromium, in 简体中文: the accountant submits, the
manager approves, the auditor verifies, the salesperson logs a customer's answer, the portal
customer disputes and the holder of the emailed link confirms. The tours assert the Chinese
texts they see (static/tests/tours/role_tours.js); the checks here, what the job left."""

from datetime import date

from portal_common import PortalCommon

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRoleTours(PortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms(["customer_reconciliation"], ["zh_CN"])
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.manager = new_test_user(
            cls.env,
            login="tour_manager",
            groups="customer_reconciliation.group_reconciliation_manager",
            lang="zh_CN",
            **users,
        )
        cls.tour_auditor = new_test_user(
            cls.env,
            login="tour_auditor",
            groups="customer_reconciliation.group_reconciliation_auditor",
            lang="zh_CN",
            **users,
        )
        cls.accountant.lang = "zh_CN"
        cls.tour_salesperson = new_test_user(
            cls.env,
            login="tour_sales",
            groups="sales_team.group_sale_salesman",
            lang="zh_CN",
            **users,
        )
        cls.statements = {}
        for name, state in (
            ("巡检客户甲", "draft"),
            ("巡检客户乙", "to_approve"),
            ("巡检客户丙", "sent"),
            ("巡检客户丁", "sent"),
        ):
            partner = cls._customer(name, lang="zh_CN", user_id=cls.tour_salesperson.id)
            cls._invoice(partner, 1480.0, date(2026, 10, 8))
            session = cls.Engine.generate(
                cls.company, date(2026, 10, 1), date(2026, 10, 31), partner.ids
            )["created"]
            session.user_id = cls.accountant
            if state != "draft":
                session.with_user(cls.accountant).action_submit()
            if state == "sent":
                session.with_user(cls.manager).action_approve()
                session.with_user(cls.accountant).action_mark_sent()
            cls.statements[name] = session

    def _tour(
        self, tour, login, url="/odoo/action-customer_reconciliation.action_reconciliation_session"
    ):
        self.start_tour(url, tour, login=login)

    def test_accountant_submits(self):
        self._tour("customer_reconciliation_accountant_submits", "accountant_r")
        statement = self.statements["巡检客户甲"]
        self.assertEqual(statement.state, "to_approve")
        self.assertEqual(statement.submitted_by_id, self.accountant)

    def test_manager_approves(self):
        self._tour("customer_reconciliation_manager_approves", "tour_manager")
        statement = self.statements["巡检客户乙"]
        self.assertEqual(statement.state, "approved")
        self.assertEqual(statement.approved_by_id, self.manager)

    def test_auditor_verifies_and_sees_no_button_he_cannot_use(self):
        self._tour("customer_reconciliation_auditor_verifies", "tour_auditor")
        self.assertEqual(self.statements["巡检客户丙"].state, "sent")

    def test_portal_customer_disputes_in_chinese(self):
        (self.customer_a | self.contact_a).lang = "zh_CN"
        self.user_a.lang = "zh_CN"
        self.start_tour(
            "/my/statements",
            "customer_reconciliation_portal_customer_disputes_zh",
            login="portal_a",
        )
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")
        self.assertEqual(self.sa.dispute_ids.customer_amount, 1480.0)
        self.assertEqual(self.sa.dispute_ids.comment, "发票金额应为1,480元")

    def test_token_holder_confirms_in_chinese(self):
        (self.customer_a | self.contact_a).lang = "zh_CN"
        self.start_tour(
            self.sa.get_portal_url(), "customer_reconciliation_token_holder_confirms_zh", login=None
        )
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "confirmed")
        self.assertEqual(self.sa.confirmed_by_name, "王芳")
        self.assertEqual(self.sa.confirmation_channel, "link")

    def test_salesperson_logs_a_customer_answer_from_his_app(self):
        self._tour("customer_reconciliation_salesperson_logs_an_answer", "tour_sales", url="/odoo")
        statement = self.statements["巡检客户丁"]
        self.assertEqual(statement.state, "sent", "a salesperson's report is reviewed first")
        self.assertTrue(
            statement.message_ids.filtered(lambda m: "客户电话确认余额无误" in (m.body or ""))
        )
        self.assertTrue(statement.activity_ids.filtered(lambda a: a.user_id == self.accountant))

    def test_auditor_opening_a_pdf_in_the_chatter_gets_no_error(self):
        """The chatter saves the first page of a PDF as its thumbnail; a reader who may not
        write the attachment (the auditor) is answered quietly and nothing is stored."""
        statement = self.statements["巡检客户丙"]
        attachment = self.env["ir.attachment"].create(
            {
                "name": "对账单.pdf",
                "raw": b"%PDF-1.4 statement",
                "mimetype": "application/pdf",
                "res_model": statement._name,
                "res_id": statement.id,
            }
        )
        self.authenticate("tour_auditor", "tour_auditor")
        response = self.make_jsonrpc_request(
            "/mail/attachment/update_thumbnail", {"attachment_id": attachment.id}
        )
        self.assertIsNone(response)
        attachment.invalidate_recordset()
        self.assertFalse(attachment.thumbnail)
        # Someone who may write it still stores it, through Odoo's own route.
        self.authenticate("accountant_r", "accountant_r")
        self.make_jsonrpc_request(
            "/mail/attachment/update_thumbnail", {"attachment_id": attachment.id}
        )
        attachment.invalidate_recordset()
        self.assertTrue(attachment.thumbnail)
