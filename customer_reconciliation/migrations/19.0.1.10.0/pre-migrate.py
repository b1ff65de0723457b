"""From 19.0.1.9.0: a statement line's and an open item's statement have no foreign key.

PostgreSQL checked the key on every row a generation writes, one by one; the engine alone
writes these rows, for its statements, and deleting statements deletes them (StatementPartOf,
models/line.py). The keys are dropped with their reflection (Odoo adds foreign keys, it never
drops one a field no longer declares).
"""

from odoo.tools import SQL

TABLES = ("customer_reconciliation_line", "customer_reconciliation_open_item")


def migrate(cr, version):
    for table in TABLES:
        name = f"{table}_session_id_fkey"
        cr.execute(
            SQL(
                "ALTER TABLE %s DROP CONSTRAINT IF EXISTS %s",
                SQL.identifier(table),
                SQL.identifier(name),
            )
        )
        cr.execute(SQL("DELETE FROM ir_model_constraint WHERE name = %s", name))
