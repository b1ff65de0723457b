"""Page numbers stamped on a PDF after rendering (wkhtmltopdf without the patched Qt prints
no footer): drawn with reportlab, merged with ``odoo.tools.pdf``."""

import io

from odoo.tools.pdf import PdfFileReader, PdfFileWriter

PAGE_NUMBER_FONT = ("Helvetica", 7.5)  # a standard PDF font: no CJK glyphs


def stamp_page_numbers(pdf_content, label):
    """Write "<document>  n / total" at the bottom right of every page.

    The numbers are drawn on an overlay with reportlab and merged onto the pages with
    ``odoo.tools.pdf``, the way Odoo stamps its own banners (``add_banner``).
    """
    from reportlab.lib.units import mm  # noqa: PLC0415
    from reportlab.pdfgen import canvas  # noqa: PLC0415

    reader = PdfFileReader(io.BytesIO(pdf_content), strict=False)
    count = len(reader.pages)
    label = label if label.isascii() else ""  # the standard fonts have no CJK glyphs
    overlay = io.BytesIO()
    can = canvas.Canvas(overlay)
    for number in range(count):
        box = reader.pages[number].mediabox
        width, height = float(box.width), float(box.height)
        can.setPageSize((width, height))
        can.setFont(*PAGE_NUMBER_FONT)
        can.setFillGray(0.4)
        can.drawRightString(width - 12 * mm, 6 * mm, f"{label}    {number + 1} / {count}".strip())
        can.showPage()
    can.save()
    numbers = PdfFileReader(overlay)
    writer = PdfFileWriter()
    for page, number_page in zip(reader.pages, numbers.pages):
        page.merge_page(number_page)
        writer.add_page(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()
