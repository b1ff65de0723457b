from . import download
from . import portal
