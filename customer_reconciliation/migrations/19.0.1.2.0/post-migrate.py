"""From 19.0.1.1.0: statement and dispute numbers are gapless.

Their sequences were PostgreSQL sequences, whose numbers a failed generation or a refused
dispute burned. They become ``no_gap`` sequences (a row updated in the transaction, given back
when it fails), continuing from the next number the old sequence would have given.
"""

from odoo import SUPERUSER_ID, api

SEQUENCES = (
    "customer_reconciliation.seq_customer_reconciliation_session",
    "customer_reconciliation.seq_customer_reconciliation_dispute",
)


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    for xmlid in SEQUENCES:
        sequence = env.ref(xmlid, raise_if_not_found=False)
        if sequence and sequence.implementation == "standard":
            next_number = sequence.number_next_actual
            sequence.write({"implementation": "no_gap", "number_next": next_number})
