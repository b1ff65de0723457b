"""Disputes: "open" became "new" (then "investigating", "resolved" or "rejected")."""


def migrate(cr, version):
    cr.execute("UPDATE customer_reconciliation_dispute SET state = 'new' WHERE state = 'open'")
