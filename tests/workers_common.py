"""What the tests of the scheduled actions' workers share."""

import threading
from datetime import date

from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, Command, api
from odoo.service.model import retrying
from odoo.tests import TransactionCase
from odoo.tools import SQL


def part_rows(cr, column, ids):
    """(lines, open items) of the statements whose ``column`` is one of ``ids``, read from the
    tables (``session_id``: their statement; ``move_line_id``: their journal item)."""
    cr.execute(
        SQL(
            """SELECT (SELECT COUNT(*) FROM customer_reconciliation_line
                        WHERE %(column)s = ANY(%(ids)s)),
                      (SELECT COUNT(*) FROM customer_reconciliation_open_item
                        WHERE %(column)s = ANY(%(ids)s))""",
            column=SQL.identifier(column),
            ids=list(ids),
        )
    )
    return cr.fetchone()


def parts_naming_nothing(cr, column, table):
    """Lines and open items whose ``column`` is set and names no row of ``table``."""
    cr.execute(
        SQL(
            """SELECT COUNT(*) FROM (
                   SELECT %(column)s AS target FROM customer_reconciliation_line
                   UNION ALL SELECT %(column)s FROM customer_reconciliation_open_item) r
                WHERE r.target IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM %(table)s t WHERE t.id = r.target)""",
            column=SQL.identifier(column),
            table=SQL.identifier(table),
        )
    )
    return cr.fetchone()[0]


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


class CommittedInvoicesCase(CommittedDataCase):
    """One customer with posted invoices (INVOICES: (date, amount)), committed, and the
    generation of its statement for PERIOD in a given environment; removed after, with the
    statements made of them."""

    CUSTOMER = "Committed Invoices"
    INVOICES = ((date(2031, 3, 3), 400.0), (date(2031, 3, 9), 250.0))
    PERIOD = (date(2031, 3, 1), date(2031, 3, 31))

    def _make_committed_data(self, env):
        self.partner_id = env["res.partner"].create({"name": self.CUSTOMER}).id
        moves = env["account.move"].create(
            [
                {
                    "move_type": "out_invoice",
                    "company_id": self.company_id,
                    "partner_id": self.partner_id,
                    "invoice_date": day,
                    "date": day,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": "Goods",
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.clear()],
                            }
                        )
                    ],
                }
                for day, amount in self.INVOICES
            ]
        )
        moves.action_post()
        self.move_ids = moves.ids
        self.item_ids = moves.line_ids.filtered(
            lambda line: line.account_id.account_type == "asset_receivable"
        ).ids

    def _remove_committed_data(self, env):
        env["customer.reconciliation.session"].search(
            [("partner_id", "=", self.partner_id)]
        ).unlink()
        moves = env["account.move"].browse(self.move_ids).exists()
        moves.filtered(lambda m: m.state == "posted").button_draft()
        moves.with_context(force_delete=True).unlink()
        env["res.partner"].browse(self.partner_id).unlink()

    def _generate(self, env):
        company = env["res.company"].browse(self.company_id)
        return env["customer.reconciliation.engine"].generate(
            company, *self.PERIOD, [self.partner_id]
        )

    def _change_waiting_for_a_generation(self, change):
        """Generate in one transaction and, before its commit, run ``change(env)`` in another,
        retried as Odoo retries a request; assert that the change waited for the commit.
        Return the ids the generation created and refreshed, the change's attempts and what
        its last attempt returned."""
        generation_cr = self.registry.cursor()
        attempts, outcome = [], {}
        try:
            result = self._generate(api.Environment(generation_cr, SUPERUSER_ID, {}))
            generated = {key: result[key].ids for key in ("created", "refreshed")}

            def run():
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})

                    def attempt():
                        attempts.append(1)
                        return change(env)

                    outcome["returned"] = retrying(attempt, env)

            thread = threading.Thread(target=run)
            thread.start()
            thread.join(1.5)
            self.assertTrue(thread.is_alive(), "the change waits for the generation's commit")
            generation_cr.commit()
            thread.join(60)
        finally:
            generation_cr.rollback()
            generation_cr.close()
        return generated, len(attempts), outcome.get("returned")

    def _generate_after_a_change(self, change):
        """Generate while another transaction runs ``change(env)`` and commits just after the
        generation read the ledger: assert that the first attempt fails to serialize, retry it
        as Odoo retries a request and return the statement created then (its id, line count
        and closing balance)."""
        engine_class = self.registry["customer.reconciliation.engine"]
        lock_items = engine_class._lock_journal_items
        attempts = []

        def change_then_lock(engine):
            if len(attempts) == 1:  # the ledger is read: another user changes it
                with self.registry.cursor() as cr:
                    change(api.Environment(cr, SUPERUSER_ID, {}))
            return lock_items(engine)

        self.patch(engine_class, "_lock_journal_items", change_then_lock)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            with self.assertRaises(SerializationFailure):
                attempts.append(1)
                with cr.savepoint():
                    self._generate(env)
            cr.rollback()
            env.transaction.reset()

            def attempt():
                attempts.append(1)
                return self._generate(env)["created"]

            statement = retrying(attempt, env)
            return statement.id, statement.line_count, statement.closing_balance


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
