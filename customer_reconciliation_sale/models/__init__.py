# The statement's sale data in the order of the process: built at generation (engine), kept
# with the statement (delivery lines, the lines' order references), then used by the
# comparison with the customer's ledger and confirmed with the customer before sending.
from . import delivery_line
from . import line
from . import engine
from . import session
from . import order_confirmation
from . import match
