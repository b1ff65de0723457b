"""Load the addon's pure-Python ledger modules straight from their files: no Odoo, no database."""

import importlib.util
import sys
from pathlib import Path

MODELS = Path(__file__).resolve().parent.parent / "customer_reconciliation" / "models"


def load(name):
    key = f"ledger_pure_{name}"
    if key not in sys.modules:
        spec = importlib.util.spec_from_file_location(key, MODELS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[key] = module
        spec.loader.exec_module(module)
    return sys.modules[key]
