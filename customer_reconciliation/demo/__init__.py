"""Demo data, imported only when demo data is loaded (see reconciliation_demo.py)."""
