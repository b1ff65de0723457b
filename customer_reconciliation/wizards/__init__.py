from . import generate_wizard
