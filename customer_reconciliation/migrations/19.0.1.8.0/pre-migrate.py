"""From 19.0.1.7.0: a statement line takes its journal entry and account from its journal item.

They were columns with a foreign key each, checked on every line a generation writes; the
values were the journal item's by construction (and cannot change while a confirmed statement
shows it: the journal items' guard). The columns are dropped before the update: the fields are
related ones now, and the entries' guard finds the lines through their journal items.
"""

from odoo.tools import SQL

COLUMNS = ("move_id", "account_id")


def migrate(cr, version):
    for column in COLUMNS:
        cr.execute(
            SQL(
                "ALTER TABLE customer_reconciliation_line DROP COLUMN IF EXISTS %s",
                SQL.identifier(column),
            )
        )
