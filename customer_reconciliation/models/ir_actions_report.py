"""PDF rendering of the statement reports with a wkhtmltopdf build that lacks the patched Qt
(Debian's package, for one), and PDFs rendered ahead of a sending.

Such builds ignore ``--header-html`` / ``--footer-html`` (no letterhead, no page numbers) and
cannot print several HTML documents in one run. For the statement reports only, and only with
such a build (detected once, from Odoo's own wkhtmltopdf detection), the company header is put
at the top of each statement itself, several statements are merged into one document for one
run and the PDF is cut back into them (``reports/pdf_batch.py``), and the page numbers are
stamped on each statement's pages afterwards with ``odoo.tools.pdf``. With the patched build
that Odoo documents, Odoo's own rendering, header, footer, page numbers and splitting (by the
PDF outline) are used unchanged.

A sending renders the PDFs of a whole batch of statements first (``_cr_rendered_ahead``): the
mail template, which asks for them one statement at a time, is then answered from those.
"""

import contextlib
import functools
import io
import logging
import subprocess

import psycopg2
from lxml import etree
from lxml import html as lxml_html

from odoo import api, models, modules, tools

from odoo.addons.base.models.ir_actions_report import _wkhtml

from ..reports.page_numbers import stamp_page_numbers
from ..reports.pdf_batch import MAX_DOCUMENTS_PER_RUN, merge_documents, split_at_markers

_logger = logging.getLogger(__name__)

# Where PDFs rendered ahead of a sending wait for the mail template (in the cursor's cache).
PRERENDERED_KEY = "customer_reconciliation.rendered_ahead"

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
        prerendered = self._cr_prerendered(report_ref, res_ids)
        if prerendered is not None:
            return prerendered
        # Without the patched Qt wkhtmltopdf prints one document per run: several statements
        # are merged into one document and the PDF cut again (reports/pdf_batch.py).
        if (
            res_ids
            and len(res_ids) > 1
            and len(set(res_ids)) == len(res_ids)
            and self._cr_needs_fallback(report_ref)
        ):
            streams = {}
            for start in range(0, len(res_ids), MAX_DOCUMENTS_PER_RUN):
                streams.update(
                    self._cr_render_merged(
                        report_ref, dict(data or {}), res_ids[start : start + MAX_DOCUMENTS_PER_RUN]
                    )
                )
            return streams
        return super()._render_qweb_pdf_prepare_streams(report_ref, data, res_ids=res_ids)

    @api.model
    def _cr_render_merged(self, report_ref, data, res_ids):
        """``{res_id: {"stream", "attachment"}}`` of the statements ``res_ids``, rendered in one
        wkhtmltopdf run; one run each when the merged PDF cannot be cut back into them."""
        report_sudo = self._get_report(report_ref)
        data = dict(data, report_type="pdf", debug=False)
        html = self.with_context(debug=False)._render_qweb_html(report_ref, res_ids, data=data)[0]
        bodies, html_ids, header, _footer, paperformat_args = report_sudo.with_context(
            debug=False
        )._prepare_html(html, report_model=report_sudo.model)
        parts = None
        if list(html_ids) == list(res_ids):
            adapted = [self._cr_body_with_header(body, header) for body in bodies]
            pdf = self._cr_run_unpatched(
                merge_documents([body for body, _label in adapted]),
                report_ref,
                paperformat_args,
                self.env.context.get("landscape"),
                self.env.context.get("set_viewport_size"),
            )
            parts = split_at_markers(pdf, len(res_ids))
        if parts is None:
            _logger.info("Statements %s rendered one by one: the batch could not be cut", res_ids)
            streams = {}
            for res_id in res_ids:
                streams.update(
                    super()._render_qweb_pdf_prepare_streams(report_ref, dict(data), [res_id])
                )
            return streams
        return {
            res_id: {
                "stream": io.BytesIO(stamp_page_numbers(part, label)),
                "attachment": None,
            }
            for res_id, part, (_body, label) in zip(res_ids, parts, adapted, strict=True)
        }

    @api.model
    def _cr_run_unpatched(
        self, body, report_ref, paperformat_args, landscape=None, set_viewport_size=None
    ):
        """One wkhtmltopdf run of ``body`` (adapted by ``_cr_body_with_header``), in the margins
        of an unpatched build."""
        args = dict(paperformat_args or {})
        args["data-report-margin-top"] = UNPATCHED_MARGIN_TOP
        args["data-report-margin-bottom"] = UNPATCHED_MARGIN_BOTTOM
        args.pop("data-report-header-spacing", None)
        return super()._run_wkhtmltopdf(
            [body],
            report_ref=report_ref,
            header=None,
            footer=None,
            landscape=landscape,
            specific_paperformat_args=args,
            set_viewport_size=set_viewport_size,
        )

    # ------------------------------------------------------------------ rendered ahead
    @api.model
    @contextlib.contextmanager
    def _cr_rendered_ahead(self, reports, records):
        """Within the block, ``reports`` of ``records`` are answered from PDFs rendered here,
        all at once (many statements per wkhtmltopdf run), in each record's language as
        the mail template would render it one by one. Kept in the cursor, not the context,
        and dropped at the end of the block."""
        if (modules.module.current_test or tools.config["test_enable"]) and not (
            self.env.context.get("force_report_rendering")
        ):
            yield  # Odoo renders no PDF in tests (HTML instead): nothing to render ahead
            return
        cache = self.env.cr.cache.setdefault(PRERENDERED_KEY, {})
        keys = []
        try:
            for report in reports.filtered(lambda r: r.report_type == "qweb-pdf"):
                try:
                    with self.env.cr.savepoint():
                        streams = self._render_qweb_pdf_prepare_streams(report, {}, records.ids)
                except psycopg2.Error:
                    raise  # the transaction is lost: not a rendering problem
                except Exception:  # noqa: BLE001 - each statement is then rendered on its own
                    _logger.warning(
                        "%s of %s statements could not be rendered together",
                        report.name,
                        len(records),
                        exc_info=True,
                    )
                    continue
                for res_id in records.ids:
                    stream = streams.get(res_id, {}).get("stream")
                    if stream is not None:
                        key = (report.id, res_id, self.env.lang)
                        cache[key] = stream.getvalue()
                        keys.append(key)
            yield
        finally:
            for key in keys:
                cache.pop(key, None)

    @api.model
    def _cr_prerendered(self, report_ref, res_ids):
        """The stream of the one record ``res_ids`` names, rendered ahead, or None."""
        cache = self.env.cr.cache.get(PRERENDERED_KEY)
        if not cache or not res_ids or len(res_ids) != 1:
            return None
        content = cache.get((self._get_report(report_ref).id, res_ids[0], self.env.lang))
        if content is None:
            return None
        return {res_ids[0]: {"stream": io.BytesIO(content), "attachment": None}}

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
        pdf = self._cr_run_unpatched(
            body, report_ref, specific_paperformat_args, landscape, set_viewport_size
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
