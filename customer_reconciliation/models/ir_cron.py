"""The scheduled actions' transactions, as the addon's workers share them."""

from psycopg2 import errors

from odoo import api, models

# What says only that another worker's commit got there first: try again on a fresh snapshot.
STALE_SNAPSHOT_ERRORS = (errors.SerializationFailure, errors.LockNotAvailable)


class IrCron(models.Model):
    _inherit = "ir.cron"

    @api.model
    def _cr_on_fresh_snapshot(self, function, attempts=5, default=None):
        """``function()`` in a savepoint, tried again in a new transaction (the current one
        committed with the cron progress) when another worker's commit made this one's
        snapshot stale; ``default`` after ``attempts`` conflicts.

        A claim of rows with ``SKIP LOCKED`` meets this when another worker committed rows it
        selects after this transaction began: the row is not locked any more, but changed."""
        for _attempt in range(attempts):
            try:
                with self.env.cr.savepoint(flush=False):
                    return function()
            except STALE_SNAPSHOT_ERRORS:
                self.env.invalidate_all(flush=False)
                self._commit_progress(0)  # a new transaction, a new snapshot
        return default
