"""The statement's documents: the sections a bridge addon adds after the closing balance.

The PDF, the workbook and the portal print the statement's lines, its closing balance and its
open items; sections returned here follow them, each a titled table (``reports/statement_data``
formats them once for every document). Nothing in them changes the statement's figures.
"""

from odoo import models


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    def _statement_extra_sections(self):
        """The sections after the closing balance, in the current language: a list of dicts

        - ``key``: a technical name; ``title``; ``note`` (a sentence under the title, or "");
        - ``columns``: [(label, type)], type one of ``text``, ``date``, ``quantity``, ``money``
          (in the statement currency);
        - ``rows``: tuples of raw values (dates, numbers), one per column;
        - ``totals``: [(label, amount in the statement currency)], under the last column, the
          last one in bold.

        Read from the statement's stored rows only, so that a frozen statement prints what it
        froze. None here; bridge addons add theirs (super() first)."""
        self.ensure_one()
        return []
