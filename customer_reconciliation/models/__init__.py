from . import res_company
from . import res_config_settings
from . import tag
from . import engine
from . import run
from . import session
from . import line
from . import res_partner
from . import account_move

