from . import download
from . import portal
from . import chatter_pdf_preview
