from . import generate_wizard
from . import ledger_import_wizard
