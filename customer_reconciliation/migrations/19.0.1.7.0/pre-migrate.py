"""From 19.0.1.6.0: the statement lines and open items take their company and currency from
their statement, and an open item its journal entry from its journal item.

They were columns with a foreign key each, checked on every row a generation writes (a
month-end of 10,000 customers writes about 500,000); the values were the statement's (and the
journal item's entry) by construction. The columns are dropped before the update: the fields
are related ones now.
"""

from odoo.tools import SQL

COLUMNS = {
    "customer_reconciliation_line": ("company_id", "currency_id"),
    "customer_reconciliation_open_item": ("company_id", "currency_id", "move_id"),
}


def migrate(cr, version):
    for table, columns in COLUMNS.items():
        for column in columns:
            cr.execute(
                SQL(
                    "ALTER TABLE %s DROP COLUMN IF EXISTS %s",
                    SQL.identifier(table),
                    SQL.identifier(column),
                )
            )
