"""The customer's own ledger (their accounts-payable of us), in pure Python.

``reading`` turns a file into cells, ``values`` reads dates and amounts, ``parsing`` finds the
header and the rows and converts their sign convention to ours, ``matching`` pairs their lines
with ours, ``rows`` turns the pairs into the comparison rows that ``models/match.py`` stores.
"Ledger" alone, elsewhere in the addon, means our general ledger (journal items).
"""
