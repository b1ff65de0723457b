"""What the tests of the scheduled actions' workers share."""

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase


class CommittedDataCase(TransactionCase):
    """Real transactions in separate cursors, committed: the data they make is removed after.

    A test class makes its records in _make_committed_data and removes them in
    _remove_committed_data; the sequences created meanwhile are removed with them."""

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self.company_id = env.ref("base.main_company").id
            self.sequence_ids = env["ir.sequence"].search([]).ids
            self._make_committed_data(env)
        self.addCleanup(self._remove_all_committed_data)

    def _make_committed_data(self, env):
        raise NotImplementedError

    def _remove_committed_data(self, env):
        raise NotImplementedError

    def _remove_all_committed_data(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            self._remove_committed_data(env)
            env["ir.sequence"].search([("id", "not in", self.sequence_ids)]).unlink()


class FakeCommits:
    """Stands for ir.cron._commit_progress in a test, which cannot commit: each call marks a
    savepoint that a "killed worker" rolls back to (what a real crash does to its uncommitted
    transaction), and records the progress reported."""

    SAVEPOINT = "cr_fake_commit"

    @classmethod
    def install(cls, test):
        """Stand for the cron's commits for the rest of ``test``; returns the fake."""
        commits = cls(test.env)
        test.patch(
            test.registry["ir.cron"],
            "_commit_progress",
            lambda cron, *args, **kwargs: commits(*args, **kwargs),
        )
        return commits

    def __init__(self, env):
        self.env = env
        self.calls = []
        self.time_left = 1000.0

    def __call__(self, processed=0, *, remaining=None, deactivate=False):
        self.env.flush_all()
        self.env.cr.execute(f"SAVEPOINT {self.SAVEPOINT}")
        self.calls.append((processed, remaining))
        return self.time_left

    def crash(self):
        """The worker died: everything since its last commit is gone."""
        self.env.cr.execute(f"ROLLBACK TO SAVEPOINT {self.SAVEPOINT}")
        self.env.invalidate_all(flush=False)


def recorded_notifications(test):
    """The bus messages sent to users for the rest of ``test``: [(user, kind, payload)]."""
    sent = []
    test.patch(
        test.registry["res.users"],
        "_bus_send",
        lambda user, kind, payload, **kw: sent.append((user, kind, payload)),
    )
    return sent
