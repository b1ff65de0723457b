"""Load the addon's pure-Python ledger modules straight from their files: no Odoo, no database.

The models folder is mounted as a bare package, without running its ``__init__`` (which
imports the Odoo models), so that the modules' relative imports between themselves work.
"""

import importlib
import sys
import types
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "customer_reconciliation" / "models"
PACKAGE = "ledger_pure_models"


def load(name):
    if PACKAGE not in sys.modules:
        package = types.ModuleType(PACKAGE)
        package.__path__ = [str(MODELS)]
        sys.modules[PACKAGE] = package
    module = importlib.import_module(f"{PACKAGE}.{name}")
    assert "odoo" not in module.__dict__, f"{name} must not import Odoo"
    return module
