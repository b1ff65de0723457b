"""What the tests of the scheduled actions' workers share."""


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
