"""Page numbers stamped on a PDF after rendering (wkhtmltopdf without the patched Qt prints
no footer), with the PDF objects of ``odoo.tools.pdf``.

The text is appended to each page's content stream in a standard PDF font: no page is
re-rendered or merged, so the page resources (CJK fonts of several MB) stay shared by all the
pages. Merging an overlay page instead (as ``odoo.tools.pdf.add_banner`` does) copies them into
every page: a 34-page statement grew from 2 MB to 72 MB.
"""

import io
import warnings

from odoo.tools.pdf import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    PdfFileReader,
    PdfFileWriter,
)

PAGE_NUMBER_FONT = ("Helvetica", 7.5)  # a standard PDF font: no CJK glyphs
MARGIN_RIGHT_MM = 12
BASELINE_MM = 6


def stamp_page_numbers(pdf_content, label):
    """Write "<document>    n / total" at the bottom right of every page of ``pdf_content``.

    Written with the names that ``odoo.tools.pdf`` provides on every PDF library Odoo runs on
    (PyPDF2 1.x and 2.x, pypdf), the ones ``add_banner`` uses; PyPDF2 2.x announces their
    deprecation, which is no news here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        return _stamp(pdf_content, label)


def _stamp(pdf_content, label):
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.pdfbase.pdfmetrics import stringWidth  # noqa: PLC0415

    font_name, font_size = PAGE_NUMBER_FONT
    reader = PdfFileReader(io.BytesIO(pdf_content), strict=False)
    writer = PdfFileWriter()
    count = reader.getNumPages()
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject(f"/{font_name}"),
                NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
            }
        )
    )
    label = label if label.isascii() else ""  # the standard fonts have no CJK glyphs
    for number in range(count):
        page = reader.getPage(number)
        text = f"{label}    {number + 1} / {count}".strip()
        x = float(page.mediaBox[2]) - MARGIN_RIGHT_MM * mm - stringWidth(text, font_name, font_size)
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        _page_fonts(page)[NameObject("/CRPageNumber")] = font
        stamp = (
            f"Q\nBT /CRPageNumber {font_size} Tf 0.4 g {x:.2f} {BASELINE_MM * mm:.2f} Td "
            f"({escaped}) Tj ET\n"
        )
        page[NameObject("/Contents")] = ArrayObject(
            [_stream(writer, b"q\n"), *_contents(writer, page), _stream(writer, stamp.encode())]
        )
        writer.addPage(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _page_fonts(page):
    """The page's font dictionary, created when the page has none."""
    resources = page.get("/Resources")
    if resources is None:
        resources = page[NameObject("/Resources")] = DictionaryObject()
    fonts = resources.get("/Font")
    if fonts is None:
        fonts = resources[NameObject("/Font")] = DictionaryObject()
    return fonts


def _contents(writer, page):
    """The page's content streams as references, without reading them."""
    if "/Contents" not in page:
        return []
    raw = dict.__getitem__(page, NameObject("/Contents"))  # the reference, not the stream
    if isinstance(raw, list):
        return list(raw)
    return [raw if isinstance(raw, IndirectObject) else writer._add_object(raw)]


def _stream(writer, data):
    stream = DecodedStreamObject()
    stream.setData(data)
    return writer._add_object(stream)
