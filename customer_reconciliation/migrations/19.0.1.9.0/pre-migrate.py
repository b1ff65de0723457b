"""From 19.0.1.8.0: a statement line's and an open item's journal item have no foreign key.

PostgreSQL checked the key on every row a generation writes, one by one; the generation now
locks the items it writes in one query and the journal items' deletion empties the
references (JournalItemReference, account_move_line.py). The keys are dropped with their
reflection (Odoo adds foreign keys, it never drops one a field no longer declares).
"""

from odoo.tools import SQL

TABLES = ("customer_reconciliation_line", "customer_reconciliation_open_item")


def migrate(cr, version):
    for table in TABLES:
        name = f"{table}_move_line_id_fkey"
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
        cr.execute(SQL("DELETE FROM ir_model_constraint WHERE name = %s", name))
