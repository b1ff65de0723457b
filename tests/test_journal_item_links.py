"""A statement's lines and open items name their journal items without a foreign key
(JournalItemReference): what the key guaranteed, tested on the paths that could break it.

A deleted journal item leaves no reference behind; a generation locks the items it writes, so
that a deletion waits for its commit and is then retried on a snapshot that sees its lines;
an item deleted after a generation read the ledger makes the generation retry without it."""

from datetime import date

from common import ReconciliationCommon
from workers_common import CommittedInvoicesCase, part_rows, parts_naming_nothing

from odoo.tests import tagged
from odoo.tools import SQL

PERIOD = (date(2026, 10, 1), date(2026, 10, 31))


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
        self.assertEqual(part_rows(self.env.cr, "move_line_id", items.ids), (1, 1))
        self.assertEqual(items.reconciliation_line_ids.session_id, statement)
        item_ids, name = items.ids, invoice.name

        invoice.button_draft()
        item_ids += receivable_items(invoice).ids
        invoice.unlink()

        self.assertEqual(part_rows(self.env.cr, "move_line_id", item_ids), (0, 0))
        self.assertEqual(parts_naming_nothing(self.env.cr, "move_line_id", "account_move_line"), 0)
        # The statement keeps what it showed (its lines are frozen content), without the link.
        self.assertEqual(len(statement.line_ids), 3, "opening and two invoices, as generated")
        unlinked = statement.line_ids.filtered(lambda line: line.name == name)
        self.assertFalse(unlinked.move_line_id)
        self.assertEqual(unlinked.amount, 300.0)
        for move in (kept, other_invoice):
            self.assertEqual(
                part_rows(self.env.cr, "move_line_id", receivable_items(move).ids), (1, 1)
            )


@tagged("post_install", "-at_install")
class TestDeletionDuringGeneration(CommittedInvoicesCase):
    CUSTOMER = "Item Deleted Meanwhile"

    def _delete_first_invoice(self, env):
        invoice = env["account.move"].browse(self.move_ids[0])
        invoice.button_draft()
        invoice.unlink()

    def _delete_first_invoice_and_count_its_references(self, env):
        self._delete_first_invoice(env)
        return part_rows(env.cr, "move_line_id", self.item_ids[:1])

    def test_a_deletion_waits_for_the_generation_then_empties_its_references(self):
        generated, attempts, left = self._change_waiting_for_a_generation(
            self._delete_first_invoice_and_count_its_references
        )
        self.assertEqual(attempts, 2, "retried once, on a snapshot that sees the lines")
        self.assertEqual(left, (0, 0))
        with self.registry.cursor() as cr:
            self.assertEqual(part_rows(cr, "move_line_id", self.item_ids[1:]), (1, 1))
            self.assertEqual(parts_naming_nothing(cr, "move_line_id", "account_move_line"), 0)
            cr.execute(
                SQL(
                    "SELECT COUNT(*) FROM customer_reconciliation_line WHERE session_id = ANY(%s)",
                    generated["created"],
                )
            )
            self.assertEqual(cr.fetchone()[0], 3, "the statement keeps its opening and 2 lines")

    def test_an_item_deleted_after_the_generation_read_the_ledger_is_left_out_on_retry(self):
        _statement_id, line_count, closing = self._generate_after_a_change(
            self._delete_first_invoice
        )
        self.assertEqual(line_count, 1, "generated without the deleted invoice")
        self.assertEqual(closing, 250.0)
        with self.registry.cursor() as cr:
            self.assertEqual(parts_naming_nothing(cr, "move_line_id", "account_move_line"), 0)
            self.assertEqual(part_rows(cr, "move_line_id", self.item_ids[1:]), (1, 1))
