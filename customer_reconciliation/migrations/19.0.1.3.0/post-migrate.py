"""From 19.0.1.2.0: the customer's ledger lines and the comparison rows have no log columns.

Both are written in bulk by the import (up to 200,000 rows a file) and replaced at each
comparison; who imported and when is the statement's and its file's. Their create/write
columns (and the foreign keys of the user ones) are dropped.
"""

from odoo.tools import SQL

TABLES = ("customer_reconciliation_customer_line", "customer_reconciliation_match")
COLUMNS = ("create_uid", "create_date", "write_uid", "write_date")


def migrate(cr, version):
    for table in TABLES:
        for column in COLUMNS:
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP COLUMN IF EXISTS %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                )
            )
