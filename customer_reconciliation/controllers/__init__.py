from . import download
from . import portal
from . import attachment
