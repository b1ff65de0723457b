"""From 19.0.1.5.0: the statement lines and open items have no log columns.

Both are frozen content written in bulk by the generation engine (a month-end writes hundreds of
thousands); when they were made is the statement's ``generated_at``. Their create/write columns
(and the foreign keys of the user ones, checked on every row written) are dropped.

A statement sending has no "Sending" state any more (the workers sending it never write it: it
is queued until done); one left in it is queued again.
"""

from odoo.tools import SQL

TABLES = ("customer_reconciliation_line", "customer_reconciliation_open_item")
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
    cr.execute(
        "UPDATE customer_reconciliation_send_batch SET state = 'queued' WHERE state = 'running'"
    )
