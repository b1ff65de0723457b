from . import generate_wizard
from . import reject_wizard
from . import answer_wizard
from . import ledger_import_column
from . import ledger_import_sheet
from . import ledger_import_wizard
from . import send_wizard
from . import settlement_wizard
