"""Several statements in one wkhtmltopdf run, for a build without the patched Qt (which prints
one HTML document per run and no outline to split a PDF by).

The documents are put one after the other in one HTML page, each starting on a new page with
a marker: a dot of one pixel in a colour no report uses, near white, that nobody sees. The PDF
is then cut before each page whose drawing sets that colour, found in the page's content
stream as bytes (reading the pages' text instead, in Python, took seconds a page). Starting
wkhtmltopdf and loading the report's assets, the bulk of a short statement's cost, is so paid
once per batch instead of once per statement.
"""

import io
import re
import warnings

from lxml import etree
from lxml import html as lxml_html

from odoo.tools.pdf import PdfFileReader, PdfFileWriter

MARKER_RGB = (254, 253, 252)
MARKER_STYLE = "width:1px;height:1px;margin:0;padding:0;overflow:hidden;background-color:#{:02x}{:02x}{:02x};".format(
    *MARKER_RGB
)
# How Qt's PDF engine writes that fill colour: "0.996078431 0.992156862 0.988235294 scn" (the
# first seven decimals are matched, whatever the rounding of the last ones).
MARKER_PATTERN = re.compile(
    rb"\s+".join(re.escape(f"{value / 255:.9f}"[:9].encode()) + rb"\d*" for value in MARKER_RGB)
    + rb"\s+(?:scn|sc|rg)\b"
)
# Statements per wkhtmltopdf run: more pages per run use more memory for little gain.
MAX_DOCUMENTS_PER_RUN = 50


def merge_documents(bodies):
    """One HTML document of ``bodies`` (each a whole HTML document of one statement, with the
    same head), each starting on a new page with the marker. Returns it as a string."""
    tree = lxml_html.fromstring(bodies[0])
    body = next(iter(tree.xpath("//body")), None)
    if body is None:
        raise ValueError("the first document has no body")
    documents = [_body_children(body)]
    for source in bodies[1:]:
        other = next(iter(lxml_html.fromstring(source).xpath("//body")), None)
        if other is None:
            raise ValueError("a document has no body")
        documents.append(_body_children(other))
    for child in list(body):
        body.remove(child)
    for index, children in enumerate(documents):
        wrapper = etree.SubElement(body, "div", {"class": "o_cr_batch_document"})
        if index:
            wrapper.set("style", "page-break-before: always;")
        etree.SubElement(wrapper, "div", {"class": "o_cr_batch_marker", "style": MARKER_STYLE})
        wrapper.extend(children)
    return etree.tostring(tree, method="html", encoding="unicode", doctype="<!DOCTYPE html>")


def _body_children(body):
    """The elements of ``body``, with the text before the first one (kept in a span)."""
    children = list(body)
    if (body.text or "").strip():
        span = etree.Element("span")
        span.text = body.text
        children.insert(0, span)
    return children


def split_at_markers(pdf_content, count):
    """``pdf_content`` cut before each page that carries the marker: ``count`` PDFs, or None
    when the marker is not found on exactly ``count`` pages, the first being the first page
    (the caller then renders the documents one by one)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        reader = PdfFileReader(io.BytesIO(pdf_content), strict=False)
        pages = [reader.getPage(number) for number in range(reader.getNumPages())]
        starts = [number for number, page in enumerate(pages) if _has_marker(page)]
        if len(starts) != count or not starts or starts[0] != 0:
            return None
        parts = []
        for index, start in enumerate(starts):
            end = starts[index + 1] if index + 1 < len(starts) else len(pages)
            writer = PdfFileWriter()
            for page in pages[start:end]:
                writer.addPage(page)
            output = io.BytesIO()
            writer.write(output)
            parts.append(output.getvalue())
        return parts


def _has_marker(page):
    """Whether the page's content streams set the marker's colour (read as bytes, unparsed)."""
    contents = page.get("/Contents")
    if contents is None:
        return False
    contents = _resolved(contents)
    streams = [_resolved(item) for item in contents] if isinstance(contents, list) else [contents]
    try:
        return any(MARKER_PATTERN.search(_data(stream)) for stream in streams)
    except Exception:  # noqa: BLE001 - a page whose content cannot be read carries no marker
        return False


def _resolved(obj):
    return obj.get_object() if hasattr(obj, "get_object") else obj.getObject()


def _data(stream):
    return stream.get_data() if hasattr(stream, "get_data") else stream.getData()
