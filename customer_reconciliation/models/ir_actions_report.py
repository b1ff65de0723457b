"""PDF rendering of the statement reports with a wkhtmltopdf build that lacks the patched Qt
(Debian's package, for one).

Such builds ignore ``--header-html`` / ``--footer-html`` (no letterhead, no page numbers) and
cannot render several documents in one run. For the statement reports only, and only with
such a build (detected once, from Odoo's own wkhtmltopdf detection), each statement is rendered
in a run of its own, the company header is put at the top of the document itself and the page
numbers are stamped on the pages afterwards with ``odoo.tools.pdf``. With the patched build
that Odoo documents, Odoo's own rendering, header, footer and page numbers are used unchanged.
"""

import functools
import subprocess

from lxml import etree
from lxml import html as lxml_html

from odoo import api, models

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..reports.page_numbers import stamp_page_numbers

STATEMENT_REPORTS = (
    "customer_reconciliation.report_statement",
    "customer_reconciliation.report_balance_confirmation",
    "customer_reconciliation.report_statement_with_letter",
)
# Page margins (mm) when wkhtmltopdf cannot print the header and footer in the margins.
UNPATCHED_MARGIN_TOP = 12
UNPATCHED_MARGIN_BOTTOM = 14
UNPATCHED_HEADER_MM = 32  # the company header put at the top of the first page
PAGE_HEIGHTS_MM = {
    "A3": 420,
    "A4": 297,
    "A5": 210,
    "B4": 353,
    "B5": 250,
    "Legal": 355.6,
    "Letter": 279.4,
    "Executive": 254,
}


@functools.lru_cache(1)
def wkhtmltopdf_has_patched_qt():
    """Whether the wkhtmltopdf Odoo found is the patched-Qt build (asked once per process).

    Odoo's ``_wkhtml()`` keeps only the version number, so the build is read from the same
    binary's ``--version``. No usable wkhtmltopdf: nothing to work around.
    """
    info = _wkhtml()
    if info.state != "ok":
        return True
    try:
        out = subprocess.run(
            [info.bin, "--version"], capture_output=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return True
    return b"patched qt" in out.lower()


class IrActionsReport(models.Model):
    _inherit = "ir.actions.report"

    @api.model
    def _cr_needs_fallback(self, report_ref):
        """A statement report, with a wkhtmltopdf build that lacks the patched Qt."""
        return (
            bool(report_ref)
            and not wkhtmltopdf_has_patched_qt()
            and self._get_report(report_ref).report_name in STATEMENT_REPORTS
        )

    @api.model
    def _cr_page_body_heights(self, paperformat):
        """(printable height of a page, of the first page) in mm for a statement report."""
        height = PAGE_HEIGHTS_MM.get(paperformat.format) or paperformat.page_height or 297
        if paperformat.orientation == "Landscape":
            height = paperformat.page_width or {"A4": 210, "Letter": 215.9}.get(
                paperformat.format, 210
            )
        if wkhtmltopdf_has_patched_qt():
            body = height - paperformat.margin_top - paperformat.margin_bottom
            return body, body
        body = height - UNPATCHED_MARGIN_TOP - UNPATCHED_MARGIN_BOTTOM
        return body, body - UNPATCHED_HEADER_MM

    def _render_qweb_pdf_prepare_streams(self, report_ref, data, res_ids=None):
        # Without the patched Qt wkhtmltopdf renders one document per run.
        if (
            res_ids
            and len(res_ids) > 1
            and len(set(res_ids)) == len(res_ids)
            and self._cr_needs_fallback(report_ref)
        ):
            streams = {}
            for res_id in res_ids:
                streams.update(
                    super()._render_qweb_pdf_prepare_streams(report_ref, dict(data or {}), [res_id])
                )
            return streams
        return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)

    @api.model
    def _run_wkhtmltopdf(
        self,
        bodies,
        report_ref=False,
        header=None,
        footer=None,
        landscape=False,
        specific_paperformat_args=None,
        set_viewport_size=False,
    ):
        if not self._cr_needs_fallback(report_ref) or len(bodies) != 1:
            return super()._run_wkhtmltopdf(
                bodies,
                report_ref=report_ref,
                header=header,
                footer=footer,
                landscape=landscape,
                specific_paperformat_args=specific_paperformat_args,
                set_viewport_size=set_viewport_size,
            )
        body, label = self._cr_body_with_header(bodies[0], header)
        args = dict(specific_paperformat_args or {})
        args["data-report-margin-top"] = UNPATCHED_MARGIN_TOP
        args["data-report-margin-bottom"] = UNPATCHED_MARGIN_BOTTOM
        args.pop("data-report-header-spacing", None)
        pdf = super()._run_wkhtmltopdf(
            [body],
            report_ref=report_ref,
            header=None,
            footer=None,
            landscape=landscape,
            specific_paperformat_args=args,
            set_viewport_size=set_viewport_size,
        )
        return stamp_page_numbers(pdf, label)

    @api.model
    def _cr_body_with_header(self, body, header):
        """Adapt a statement body for an unpatched wkhtmltopdf; return it with the document name.

        - the company header goes at the top of the document;
        - text is set in system fonts: this build draws web fonts as vector paths, which
          makes the text impossible to search or copy and the file enormous (2 MB a page).
        """
        tree = lxml_html.fromstring(body)
        article = next(
            iter(
                tree.xpath(
                    "//div[contains(concat(' ', normalize-space(@class), ' '), ' article ')]"
                )
            ),
            None,
        )
        label = ""
        lang = "en_US"
        if article is not None:
            lang = article.get("data-oe-lang") or lang
            label = self._cr_document_label(article)
            if header:
                headers = lxml_html.fromstring(header).xpath(
                    "//div[@id='minimal_layout_report_headers']/*"
                )
                if headers:
                    headers[0].set("class", (headers[0].get("class") or "") + " o_cr_inline_header")
                    article.addprevious(headers[0])
        head = next(iter(tree.xpath("//head")), None)
        if head is not None:
            style = etree.SubElement(head, "style")
            style.text = (
                f'* {{ font-family: "DejaVu Sans", "{_cjk_font(lang)}", sans-serif !important; }}\n'
                '.o_cr_mono { font-family: "DejaVu Sans Mono", monospace !important; }\n'
            )
        return etree.tostring(
            tree, method="html", encoding="unicode", doctype="<!DOCTYPE html>"
        ), label

    @api.model
    def _cr_document_label(self, article):
        """The number of the statement (or the name of the record) the article renders."""
        model, res_id = article.get("data-oe-model"), article.get("data-oe-id")
        if not (model and res_id and res_id.isdigit()):
            return ""
        record = self.env[model].browse(int(res_id)).exists()
        if model == "customer.reconciliation.session":
            return record.name or ""
        return record.display_name or ""


def _cjk_font(lang):
    """The Noto CJK family whose glyph shapes match the language (fonts-noto-cjk)."""
    region = {"zh_TW": "TC", "zh_HK": "HK", "ja_JP": "JP", "ko_KR": "KR", "ko_KP": "KR"}.get(
        lang, "SC"
    )
    return f"Noto Sans CJK {region}"
