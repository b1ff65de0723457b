"""A statement's lines and open items name their statement without a foreign key
(StatementPartOf): what the key's ON DELETE CASCADE did, tested on the paths that could break it.

Deleting statements deletes their lines and open items, and nobody else's; a deletion that meets
a generation refreshing the statement waits for its commit and is retried on a snapshot that
sees the new lines; a statement deleted after a generation started refreshing it makes the
generation retry, which leaves nothing of the deleted statement."""

from datetime import date

from common import ReconciliationCommon
from workers_common import CommittedInvoicesCase, part_rows, parts_naming_nothing

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import SQL

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


@tagged("post_install", "-at_install")
class TestStatementParts(ReconciliationCommon):
    def test_deleting_statements_deletes_their_lines_and_open_items_only(self):
        customers = self._customer("Deleted Statement") | self._customer("Kept Statement")
        for customer, amount in zip(customers, (300.0, 200.0), strict=True):
            self._invoice(customer, amount, date(2026, 10, 5))
            self._invoice(customer, amount / 2, date(2026, 10, 9))
        statements = self.Engine.generate(self.company, *PERIOD, customers.ids)["created"]
        deleted = statements.filtered(lambda s: s.partner_id == customers[0])
        kept = statements - deleted
        self.assertEqual(part_rows(self.env.cr, "session_id", deleted.ids), (3, 2))
        deleted_ids = deleted.ids

        deleted.unlink()

        self.assertEqual(part_rows(self.env.cr, "session_id", deleted_ids), (0, 0))
        self.assertEqual(part_rows(self.env.cr, "session_id", kept.ids), (3, 2))
        self.assertEqual(kept.closing_balance, 300.0)
        self.assertEqual(len(kept.line_ids), 3)
        self.assertEqual(
            parts_naming_nothing(self.env.cr, "session_id", "customer_reconciliation_session"), 0
        )

    def test_a_refused_deletion_deletes_no_line(self):
        customer = self._customer("Frozen Statement")
        self._invoice(customer, 300.0, date(2026, 10, 5))
        statement = self.Engine.generate(self.company, *PERIOD, customer.ids)["created"]
        statement.action_submit()
        with self.assertRaises(UserError), self.env.cr.savepoint():
            statement.unlink()
        self.assertEqual(part_rows(self.env.cr, "session_id", statement.ids), (2, 1))

    def test_the_database_checks_no_key_on_the_lines_and_open_items(self):
        self.env.cr.execute(
            SQL(
                """SELECT c.conrelid::regclass::text, c.conname FROM pg_constraint c
                    WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])""",
                ["customer_reconciliation_line", "customer_reconciliation_open_item"],
            )
        )
        self.assertEqual(self.env.cr.fetchall(), [])


@tagged("post_install", "-at_install")
class TestDeletionOfAStatementBeingGenerated(CommittedInvoicesCase):
    CUSTOMER = "Statement Deleted Meanwhile"

    def _make_committed_data(self, env):
        super()._make_committed_data(env)
        self.statement_id = self._generate(env)["created"].id

    def _delete_statement(self, env):
        env["customer.reconciliation.session"].browse(self.statement_id).unlink()

    def test_a_deletion_waits_for_the_refresh_then_deletes_its_new_lines(self):
        generated, attempts, _returned = self._change_waiting_for_a_generation(
            self._delete_statement
        )
        self.assertEqual(generated["refreshed"], [self.statement_id])
        self.assertEqual(attempts, 2, "retried once, on a snapshot that sees the new lines")
        with self.registry.cursor() as cr:
            self.assertEqual(part_rows(cr, "session_id", [self.statement_id]), (0, 0))
            self.assertEqual(
                parts_naming_nothing(cr, "session_id", "customer_reconciliation_session"), 0
            )

    def test_a_statement_deleted_while_being_refreshed_leaves_nothing_after_the_retry(self):
        statement_id, line_count, closing = self._generate_after_a_change(self._delete_statement)
        self.assertNotEqual(statement_id, self.statement_id, "a new statement")
        self.assertEqual(line_count, 2)
        self.assertEqual(closing, 650.0)
        with self.registry.cursor() as cr:
            self.assertEqual(part_rows(cr, "session_id", [self.statement_id]), (0, 0))
            self.assertEqual(part_rows(cr, "session_id", [statement_id]), (3, 2))
            self.assertEqual(
                parts_naming_nothing(cr, "session_id", "customer_reconciliation_session"), 0
            )
