from . import report_statement
from . import report_balance_confirmation
from . import report_statement_with_letter
