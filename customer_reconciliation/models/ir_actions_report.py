"""PDF rendering of the statements: one wkhtmltopdf run per statement, and a fallback for
wkhtmltopdf builds without the patched Qt (Debian's package, for one).

Such builds ignore ``--header-html`` / ``--footer-html`` (no letterhead, no page numbers) and
cannot render several documents in one run. For the statement reports only, the company
header is then put at the top of the document itself and the page numbers are stamped on
the pages afterwards; with a patched build nothing changes.
"""

import functools
import io
import logging
import subprocess

from lxml import etree
from lxml import html as lxml_html

from odoo import api, models
from odoo.tools.pdf import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)

from odoo.addons.base.models.ir_actions_report import _wkhtml

_logger = logging.getLogger(__name__)

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
    def _cr_is_statement_report(self, report_ref):
        return bool(report_ref) and self._get_report(report_ref).report_name in STATEMENT_REPORTS

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
        # One run of wkhtmltopdf per statement: bounded memory for big batches, each
        # statement its own page numbering, and it works without the patched Qt.
        if (
            res_ids
            and len(res_ids) > 1
            and len(set(res_ids)) == len(res_ids)
            and self._cr_is_statement_report(report_ref)
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
        if (
            wkhtmltopdf_has_patched_qt()
            or not self._cr_is_statement_report(report_ref)
            or len(bodies) != 1
        ):
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
        return self._cr_stamp_page_numbers(pdf, label)

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
            model, res_id = article.get("data-oe-model"), article.get("data-oe-id")
            lang = article.get("data-oe-lang") or lang
            if model and res_id and res_id.isdigit():
                record = self.env[model].browse(int(res_id)).exists()
                label = (
                    record.display_name
                    if model != "customer.reconciliation.session"
                    else record.name
                )
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
        ), label or ""

    @api.model
    def _cr_stamp_page_numbers(self, pdf_content, label):
        """Write "<document>  n / total" at the bottom right of every page.

        The text is appended to each page's content stream with a standard PDF font: no page
        is re-rendered and the page resources (fonts of several MB for CJK) stay shared.
        """
        from reportlab.lib.units import mm  # noqa: PLC0415
        from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415

        reader = PdfFileReader(io.BytesIO(pdf_content), strict=False)
        writer = PdfFileWriter()
        add_page = getattr(writer, "add_page", None) or writer.addPage  # PyPDF2 1.x / 2.x, pypdf
        count = len(reader.pages)
        font = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Font"),
                    NameObject("/Subtype"): NameObject("/Type1"),
                    NameObject("/BaseFont"): NameObject("/Helvetica"),
                    NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
                }
            )
        )
        label = label if label.isascii() else ""  # the standard fonts have no CJK glyphs
        for number in range(1, count + 1):
            page = reader.pages[number - 1]
            box = page.mediabox if hasattr(page, "mediabox") else page.mediaBox
            text = f"{label}    {number} / {count}".strip()
            x = float(box[2]) - 12 * mm - stringWidth(text, "Helvetica", 7.5)
            escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            resources = page.get("/Resources")
            if resources is None:
                resources = page[NameObject("/Resources")] = DictionaryObject()
            fonts = resources.get("/Font")
            if fonts is None:
                fonts = resources[NameObject("/Font")] = DictionaryObject()
            fonts[NameObject("/CRPageNumber")] = font
            raw = (
                dict.__getitem__(page, NameObject("/Contents"))
                if "/Contents" in page
                else ArrayObject()
            )
            contents = (
                list(raw)
                if isinstance(raw, list)
                else [raw if isinstance(raw, IndirectObject) else writer._add_object(raw)]
            )
            before = _stream(writer, b"q\n")
            after = _stream(
                writer,
                (
                    f"Q\nBT /CRPageNumber 7.5 Tf 0.4 g {x:.2f} {6 * mm:.2f} Td ({escaped}) Tj ET\n"
                ).encode("latin-1"),
            )
            page[NameObject("/Contents")] = ArrayObject([before, *contents, after])
            add_page(page)
        output = io.BytesIO()
        writer.write(output)
        return output.getvalue()


def _cjk_font(lang):
    """The Noto CJK family whose glyph shapes match the language (fonts-noto-cjk)."""
    region = {"zh_TW": "TC", "zh_HK": "HK", "ja_JP": "JP", "ko_KR": "KR", "ko_KP": "KR"}.get(
        lang, "SC"
    )
    return f"Noto Sans CJK {region}"


def _stream(writer, data):
    stream = DecodedStreamObject()
    if hasattr(stream, "set_data"):
        stream.set_data(data)
    else:
        stream.setData(data)
    return writer._add_object(stream)
