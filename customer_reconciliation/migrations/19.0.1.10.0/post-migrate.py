"""From 19.0.1.9.0: a statement line's and an open item's statement have no foreign key.

PostgreSQL checked the key on every row a generation writes, one by one; the engine alone
writes these rows, for its statements, and deleting statements deletes them (StatementPartOf,
models/line.py). The keys are dropped, and the reflections of every foreign key of the two
tables that PostgreSQL no longer has are forgotten: these two, and those of the columns
earlier versions dropped (company, currency, entry, account, log columns), which Odoo would
otherwise try to drop again when the addon is uninstalled. After the module is loaded: the
log columns' keys, dropped by 19.0.1.6.0's post-migration, are reflected again while it loads.
"""

from odoo.tools import SQL, sql

TABLES = ("customer_reconciliation_line", "customer_reconciliation_open_item")
MODELS = ("customer.reconciliation.line", "customer.reconciliation.open.item")

_FORGET_GONE_KEYS_SQL = """
DELETE FROM ir_model_constraint c
 USING ir_model m
 WHERE m.id = c.model AND m.model = ANY(%(models)s) AND c.type = 'f'
   AND NOT EXISTS (SELECT 1 FROM pg_constraint p
                    WHERE p.conname = c.name AND p.conrelid = ANY(%(tables)s::regclass[]))
"""


def migrate(cr, version):
    for table in TABLES:
        key = f"{table}_session_id_fkey"
        if sql.constraint_definition(cr, table, key):
            sql.drop_constraint(cr, table, key)
    cr.execute(SQL(_FORGET_GONE_KEYS_SQL, models=list(MODELS), tables=list(TABLES)))
