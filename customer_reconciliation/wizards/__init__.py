from . import generate_wizard
from . import send_wizard
