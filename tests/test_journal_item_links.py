"""A statement's lines and open items name their journal items without a foreign key
(JournalItemReference): what the key guaranteed, tested on the paths that could break it.

A deleted journal item leaves no reference behind; a generation locks the items it writes, so
that a deletion waits for its commit and is then retried on a snapshot that sees its lines;
an item deleted after a generation read the ledger makes the generation retry without it."""

import threading
from datetime import date

from common import ReconciliationCommon
from psycopg2.errors import SerializationFailure
from workers_common import CommittedDataCase

from odoo import SUPERUSER_ID, Command, api
from odoo.service.model import retrying
from odoo.tests import tagged
from odoo.tools import SQL

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))
FUTURE_PERIOD = (date(2031, 3, 1), date(2031, 3, 31))


def references(cr, aml_ids):
    """The statement lines' and open items' rows naming ``aml_ids``, read from the tables."""
    cr.execute(
        SQL(
            """SELECT (SELECT COUNT(*) FROM customer_reconciliation_line
                        WHERE move_line_id = ANY(%(ids)s)),
                      (SELECT COUNT(*) FROM customer_reconciliation_open_item
                        WHERE move_line_id = ANY(%(ids)s))""",
            ids=list(aml_ids),
        )
    )
    return cr.fetchone()


def dangling(cr):
    """Rows of the lines and open items naming a journal item that does not exist."""
    cr.execute(
        SQL(
            """SELECT COUNT(*) FROM (
                   SELECT move_line_id FROM customer_reconciliation_line
                   UNION ALL SELECT move_line_id FROM customer_reconciliation_open_item) r
                WHERE r.move_line_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM account_move_line a WHERE a.id = r.move_line_id)"""
        )
    )
    return cr.fetchone()[0]


def receivable_items(move):
    return move.line_ids.filtered(lambda line: line.account_id.account_type == "asset_receivable")


@tagged("post_install", "-at_install")
class TestJournalItemReferences(ReconciliationCommon):
    def test_deleting_journal_items_empties_the_references_of_the_statements(self):
        customer, other = self._customer("Deleted Items"), self._customer("Kept Items")
        invoice = self._invoice(customer, 300.0, date(2026, 10, 5))
        kept = self._invoice(customer, 200.0, date(2026, 10, 7))
        other_invoice = self._invoice(other, 100.0, date(2026, 10, 8))
        result = self.Engine.generate(self.company, *PERIOD, (customer | other).ids)
        statement = result["created"].filtered(lambda s: s.partner_id == customer)
        items = receivable_items(invoice)
        self.assertEqual(references(self.env.cr, items.ids), (1, 1))
        self.assertEqual(items.reconciliation_line_ids.session_id, statement)
        item_ids, name = items.ids, invoice.name

        invoice.button_draft()
        item_ids += receivable_items(invoice).ids
        invoice.unlink()

        self.assertEqual(references(self.env.cr, item_ids), (0, 0))
        self.assertEqual(dangling(self.env.cr), 0)
        # The statement keeps what it showed (its lines are frozen content), without the link.
        self.assertEqual(len(statement.line_ids), 3, "opening and two invoices, as generated")
        unlinked = statement.line_ids.filtered(lambda line: line.name == name)
        self.assertFalse(unlinked.move_line_id)
        self.assertEqual(unlinked.amount, 300.0)
        for move in (kept, other_invoice):
            self.assertEqual(references(self.env.cr, receivable_items(move).ids), (1, 1))

    def test_the_database_checks_no_key_on_the_journal_items_and_still_on_the_statement(self):
        self.env.cr.execute(
            SQL(
                """SELECT c.conrelid::regclass::text, a.attname
                     FROM pg_constraint c
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                    WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[])""",
                ["customer_reconciliation_line", "customer_reconciliation_open_item"],
            )
        )
        self.assertEqual(
            sorted(self.env.cr.fetchall()),
            [
                ("customer_reconciliation_line", "session_id"),
                ("customer_reconciliation_open_item", "session_id"),
            ],
        )


@tagged("post_install", "-at_install")
class TestDeletionDuringGeneration(CommittedDataCase):
    def _make_committed_data(self, env):
        self.partner_id = env["res.partner"].create({"name": "Item Deleted Meanwhile"}).id
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
                for day, amount in ((date(2031, 3, 3), 400.0), (date(2031, 3, 9), 250.0))
            ]
        )
        moves.action_post()
        self.move_ids = moves.ids
        self.item_ids = receivable_items(moves).ids

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
            company, *FUTURE_PERIOD, [self.partner_id]
        )

    def _delete_first_invoice(self, env):
        invoice = env["account.move"].browse(self.move_ids[0])
        invoice.button_draft()
        invoice.unlink()

    def test_a_deletion_waits_for_the_generation_then_empties_its_references(self):
        generation_cr = self.registry.cursor()
        attempts, outcome = [], {}
        try:
            statement = self._generate(api.Environment(generation_cr, SUPERUSER_ID, {}))["created"]
            self.assertEqual(statement.line_count, 2)

            def delete():
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})

                    def attempt():
                        attempts.append(1)
                        self._delete_first_invoice(env)

                    retrying(attempt, env)
                    outcome["references"] = references(cr, self.item_ids[:1])

            thread = threading.Thread(target=delete)
            thread.start()
            thread.join(1.5)
            self.assertTrue(thread.is_alive(), "the deletion waits for the generation's commit")
            generation_cr.commit()
            thread.join(60)
        finally:
            generation_cr.rollback()
            generation_cr.close()
        self.assertEqual(len(attempts), 2, "retried once, on a snapshot that sees the lines")
        self.assertEqual(outcome["references"], (0, 0))
        with self.registry.cursor() as cr:
            self.assertEqual(references(cr, self.item_ids[1:]), (1, 1))
            self.assertEqual(dangling(cr), 0)
            cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM customer_reconciliation_line WHERE session_id = %s",
                    statement.id,
                )
            )
            self.assertEqual(cr.fetchone()[0], 3, "the statement keeps its lines")

    def test_an_item_deleted_after_the_generation_read_the_ledger_is_left_out_on_retry(self):
        engine_class = self.registry["customer.reconciliation.engine"]
        lock_items = engine_class._lock_journal_items
        attempts = []

        def delete_then_lock(engine):
            if len(attempts) == 1:  # the ledger is read: another user deletes an invoice
                with self.registry.cursor() as cr:
                    self._delete_first_invoice(api.Environment(cr, SUPERUSER_ID, {}))
            return lock_items(engine)

        self.patch(engine_class, "_lock_journal_items", delete_then_lock)
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
            self.assertEqual(statement.line_count, 1, "generated without the deleted invoice")
            self.assertEqual(statement.closing_balance, 250.0)
        with self.registry.cursor() as cr:
            self.assertEqual(dangling(cr), 0)
            self.assertEqual(references(cr, self.item_ids[1:]), (1, 1))
