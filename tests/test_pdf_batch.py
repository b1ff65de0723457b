"""Several statements per wkhtmltopdf run: the PDF cut back into each statement's pages, the
same as each rendered alone; a sending's PDFs rendered ahead, all at once."""

import shutil
from datetime import date
from unittest.mock import patch

from test_reports import MARCH, ReportHttpCommon, pdf_pages

from odoo.tests import tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport as BaseReport

STATEMENT = "customer_reconciliation.action_report_reconciliation_statement"


@tagged("post_install", "-at_install")
class TestPdfBatch(ReportHttpCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not shutil.which("pdftotext"):
            raise RuntimeError("pdftotext (poppler-utils) is needed to read the PDFs back")
        if cls.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            raise RuntimeError("wkhtmltopdf is needed to render the PDFs")
        for bundle in ("web.report_assets_common", "web.report_assets_pdf"):
            for autoprefix in (False, True):
                cls.env["ir.qweb"]._get_asset_bundle(bundle, js=False, autoprefix=autoprefix).css()
        long_ledger = cls._customer("Long Ledger Co.", lang="en_US")
        for day in range(1, 29):
            cls._invoice(long_ledger, 100 + day, date(2026, 3, day), ref=f"LL-{day:02d}")
        cls.long_statement = cls.Engine.generate(cls.company, *MARCH, long_ledger.ids)["created"]
        cls.sessions = cls.statement | cls.long_statement | cls.statement_cn
        cls.Report = cls.env["ir.actions.report"].with_context(force_report_rendering=True)

    def _count_runs(self):
        runs = []
        run = BaseReport._run_wkhtmltopdf

        def counted(report, bodies, *args, **kwargs):
            runs.append(len(bodies))
            return run(report, bodies, *args, **kwargs)

        self.startPatcher(patch.object(BaseReport, "_run_wkhtmltopdf", counted))
        return runs

    def _streams(self, res_ids):
        streams = self.Report._render_qweb_pdf_prepare_streams(STATEMENT, {}, res_ids)
        return {res_id: streams[res_id]["stream"].getvalue() for res_id in res_ids}

    def _text(self, pdf):
        return [" ".join(page.split()) for page in pdf_pages(pdf)]

    def test_statements_in_one_run_cut_back_into_each(self):
        runs = self._count_runs()
        together = self._streams(self.sessions.ids)
        self.assertEqual(len(runs), 1, "three statements, one wkhtmltopdf run")
        runs.clear()
        for session in self.sessions:
            alone = self._streams(session.ids)[session.id]
            pages = self._text(together[session.id])
            self.assertEqual(pages, self._text(alone), session.name)
            self.assertIn(session.name, pages[0])
            self.assertIn(session.partner_id.name, pages[0])
            for number, page in enumerate(pages, start=1):  # numbered per statement
                self.assertRegex(page, rf"\b{number}\s*/\s*{len(pages)}$")
        self.assertEqual(len(runs), 3)
        self.assertGreater(len(self._text(together[self.long_statement.id])), 1)

    def test_a_batch_that_cannot_be_cut_is_rendered_one_by_one(self):
        runs = self._count_runs()
        self.patch(
            type(self.env["ir.actions.report"]),
            "_cr_needs_fallback",
            lambda report, report_ref: True,
        )
        with patch(
            "odoo.addons.customer_reconciliation.models.ir_actions_report.split_at_markers",
            lambda pdf, count: None,
        ):
            streams = self._streams(self.sessions.ids)
        self.assertEqual(len(runs), 1 + len(self.sessions), "tried together, then one by one")
        for session in self.sessions:
            self.assertIn(session.name, self._text(streams[session.id])[0])

    def test_rendered_ahead_answers_the_mail_template(self):
        template = self.env.ref("customer_reconciliation.mail_template_statement_send")
        reports = template.report_template_ids
        runs = self._count_runs()
        with self.Report._cr_rendered_ahead(reports, self.sessions):
            self.assertEqual(len(runs), len(reports), "one run per report for all statements")
            for session in self.sessions:
                for report in reports:
                    pdf, _kind = self.Report._render_qweb_pdf(report, session.ids)
                    self.assertIn(session.name, self._text(pdf)[0])
            self.assertEqual(len(runs), len(reports), "answered from what was rendered ahead")
        self.Report._render_qweb_pdf(reports[0], self.statement.ids)
        self.assertEqual(len(runs), len(reports) + 1, "dropped at the end of the block")
