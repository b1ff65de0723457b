"""Attachments: the customer's ledger files are stored without Odoo's full-text index."""

from odoo import models

# Set by the ledger import only (a Python object: no client can send it in a context).
_UNINDEXED_MARK = object()
_UNINDEXED_KEY = "customer_reconciliation_unindexed"


def unindexed(records):
    """``records`` whose attachments are stored without ``index_content``.

    Odoo copies every printable run of a text file into ``index_content`` as it stores it: for
    a customer's ledger of 10 MB, 8 MB of text in the database and 40 MB of memory while it is
    computed, the largest part of an import's memory. The file stays searchable by name, and
    its lines are in the statement's comparison.
    """
    return records.with_context(**{_UNINDEXED_KEY: _UNINDEXED_MARK})


class IrAttachment(models.Model):
    _inherit = "ir.attachment"

    def _index(self, bin_data, file_type, checksum=None):
        if self.env.context.get(_UNINDEXED_KEY) is _UNINDEXED_MARK:
            return False
        return super()._index(bin_data, file_type, checksum=checksum)
