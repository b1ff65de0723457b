"""The comparison rows inserted with SQL (``match._insert_rows``) are those the ORM ``create``
would have stored, column by column, with their lines of ours and of the customer."""

import base64
from datetime import date, timedelta
from decimal import Decimal
from unittest.mock import patch

from common import ReconciliationCommon

from odoo import Command
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.models import customer_line as customer_line_module
from odoo.addons.customer_reconciliation.models import match as match_module
from odoo.addons.customer_reconciliation.models.dispute import DISPUTE_REASONS
from odoo.addons.customer_reconciliation.tools.customer_ledger import reading
from odoo.addons.customer_reconciliation.tools.customer_ledger import rows as ledger_rows

HEADER = ["日期", "凭证字号", "摘要", "发票号", "借方", "贷方", "余额"]
# Only in their books: a charge, a return, a discount, a payment (all the reasons).
EXTRAS = [
    (date(2026, 3, 3), "采购", 456.78),
    (date(2026, 3, 9), "退货 red note", -321.09),
    (date(2026, 3, 15), "折扣 rebate", -55.55),
    (date(2026, 3, 21), "付款", -1000.01),
    (date(2026, 3, 22), 'paid "in full" back\\slash', -0.03),
    (date(2026, 2, 10), "earlier period", -10.02),
    (date(2026, 4, 20), "later period", 20.03),
]


@tagged("post_install", "-at_install")
class TestMatchInsert(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls._customer("Insert Test Customer")
        invoices = [
            cls._invoice(cls.customer, 1000 + 123.47 * k, date(2026, 3, 1) + timedelta(days=k))
            for k in range(24)
        ]
        cls._pay(invoices[0], pay_date=date(2026, 3, 20))
        cls._pay(invoices[1], amount=500.13, pay_date=date(2026, 3, 22))
        refund = cls._invoice(cls.customer, 77.77, date(2026, 3, 25), move_type="out_refund")
        cls._reconcile(invoices[2], refund)
        cls.session = cls.Engine.generate(
            cls.company, date(2026, 3, 1), date(2026, 3, 31), cls.customer.ids
        )["created"]

    def their_ledger(self):
        """Our lines in their books, in their sign: exact, a different amount (with and without
        a discount word), a later date, twice, missing, two booked as one, and their extras."""
        ours = [line for line in self.session.line_ids if line.kind != "opening"]
        entries = []
        for k, line in enumerate(ours):
            day, ref, amount = line.date, line.name, line.amount
            if k % 8 == 0:
                continue  # only in our books
            if k % 8 == 1:
                entries.append((day, ref, "折扣 price", amount - 12.34))
            elif k % 8 == 2:
                entries.append((day, ref, "goods", amount + 0.37))
            elif k % 8 == 3:
                entries.append((day + timedelta(days=20), ref, "late", amount))
            elif k % 8 == 4:
                entries += [(day, ref, "twice", amount)] * 2
            elif k % 8 == 5 and k + 1 < len(ours):
                entries.append((day, "", "two invoices", amount + ours[k + 1].amount))
            elif k % 8 != 6:
                entries.append((day, ref, "exact", amount))
        entries += [(day, f"X-{n}", text, amount) for n, (day, text, amount) in enumerate(EXTRAS)]
        rows = [HEADER]
        for n, (day, ref, text, amount) in enumerate(entries, 1):
            debit, credit = (f"{-amount:.2f}", "") if amount < 0 else ("", f"{amount:.2f}")
            rows.append([day.isoformat(), f"记-{n}", text, ref, debit, credit, ""])
        return "\n".join(",".join(row) for row in rows).encode()

    def stored_rows(self):
        """{sequence: every column but id}, {sequence: our line ids}, {their line: (sequence,
        status)} of the statement's comparison, straight from the tables."""
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            "SELECT * FROM customer_reconciliation_match WHERE session_id = %s",
            [self.session.id],
        )
        names = [column.name for column in cr.description]
        rows = {}
        for values in cr.fetchall():
            row = dict(zip(names, values, strict=True))
            row.pop("id")
            rows[row["sequence"]] = row
        ours = {}
        for sequence, line in self._sql(
            "SELECT m.sequence, r.line_id FROM customer_reconciliation_match_line_rel r"
            " JOIN customer_reconciliation_match m ON m.id = r.match_id WHERE m.session_id = %s",
            self.session.id,
        ):
            ours.setdefault(sequence, set()).add(line)
        theirs = {
            line: (sequence, status)
            for line, sequence, status in self._sql(
                "SELECT c.id, m.sequence, c.match_status FROM customer_reconciliation_customer_line c"
                " LEFT JOIN customer_reconciliation_match m ON m.id = c.match_id"
                " WHERE c.session_id = %s",
                self.session.id,
            )
        }
        return rows, ours, theirs

    def compare_with_orm(self, compare):
        """Run ``compare`` (it stores the comparison by SQL), then store the same values with
        ``create`` and compare both, column by column."""
        with patch.object(ledger_rows, "stored", wraps=ledger_rows.stored) as spy:
            compare()
        vals_list = [call.args[0] for call in spy.call_args_list]
        self.assertTrue(vals_list)
        sql_rows, sql_ours, sql_theirs = self.stored_rows()
        explanations = {m.sequence: m.explanation for m in self.session.customer_match_ids}
        Match = self.env["customer.reconciliation.match"]
        # Every stored field has a column, and each is compared below.
        stored = {
            name for name, field in Match._fields.items() if field.store and field.column_type
        }
        self.assertEqual(stored - {"id"}, set(next(iter(sql_rows.values()))))
        self.session.customer_match_ids.unlink()
        matches = Match.create(
            [
                {
                    **{
                        k: v for k, v in vals.items() if k not in ("our_line_ids", "their_line_ids")
                    },
                    "our_line_ids": [Command.set(vals["our_line_ids"])],
                }
                for vals in vals_list
            ]
        )
        for vals, match in zip(vals_list, matches, strict=True):
            match.customer_line_ids = [Command.set(vals["their_line_ids"])]
            match.customer_line_ids.match_status = match.status
        orm_rows, orm_ours, orm_theirs = self.stored_rows()
        self.assertEqual(len(sql_rows), len(vals_list))
        for sequence, sql_row in sql_rows.items():
            for name, value in sql_row.items():
                with self.subTest(sequence=sequence, field=name):
                    orm = orm_rows[sequence][name]  # the same value, written the same way
                    self.assertEqual((type(value), str(value)), (type(orm), str(orm)))
        self.assertEqual(sql_ours, orm_ours)
        self.assertEqual(sql_theirs, orm_theirs)
        self.assertEqual(explanations, {m.sequence: m.explanation for m in matches})
        return sql_rows

    def import_ledger(self):
        self.session._import_customer_ledger("theirs.csv", self.their_ledger(), sign="mirror")

    def test_inserted_rows_are_those_create_stores(self):
        rows = self.compare_with_orm(self.import_ledger)
        # The ledger has every kind of row and every reason.
        self.assertEqual(
            {row["status"] for row in rows.values()},
            {"matched", "difference", "only_ours", "only_theirs"},
        )
        reasons = {row["dispute_reason"] for row in rows.values()}
        self.assertLessEqual(set(dict(DISPUTE_REASONS)), reasons)
        self.assertIn("sum", {row["rule"] for row in rows.values()})
        self.assertEqual(
            [row["sequence"] for row in sorted(rows.values(), key=lambda r: r["sequence"])],
            list(range(1, len(rows) + 1)),
        )
        self.assertTrue(self.session.customer_ledger_match_date)

    def test_a_rounding_of_five_cents(self):
        """A currency rounding to 0.05: the amounts are stored as ``create`` rounds them."""
        currency = self.session.currency_id
        # Past the guard of currencies with entries: the statement is made, only its comparison is tested.
        self._sql("UPDATE res_currency SET rounding = 0.05 WHERE id = %s", currency.id)
        currency.invalidate_recordset()
        self.assertEqual(currency.decimal_places, 2)
        rows = self.compare_with_orm(self.import_ledger)
        cents = {round(float(row["our_amount"]) * 100) % 5 for row in rows.values()}
        self.assertEqual(cents, {0})

    def test_compared_again_in_batches_keeps_the_disputes(self):
        self.import_ledger()
        session = self.session
        differences = session.customer_match_ids.filtered(lambda m: m.status != "matched")
        differences[:4].action_create_disputes()
        disputed = {
            (frozenset(m.our_line_ids.ids), frozenset(m.customer_line_ids.ids)): m.dispute_id
            for m in differences[:4]
        }
        with patch.object(match_module, "INSERT_BATCH", 7):
            self.compare_with_orm(session.action_match_customer_ledger)
        session.invalidate_recordset()
        again = {
            (frozenset(m.our_line_ids.ids), frozenset(m.customer_line_ids.ids)): m.dispute_id
            for m in session.customer_match_ids
            if m.dispute_id
        }
        self.assertEqual(again, disputed)
        self.assertEqual(len(disputed), 4)

    def test_the_deadline_is_checked_between_batches(self):
        self.import_ledger()
        before = self.stored_rows()
        deadline = reading.Deadline("theirs.csv", seconds=0)
        Match = self.env["customer.reconciliation.match"]
        with (
            patch.object(match_module, "INSERT_BATCH", 5),
            patch.object(ledger_rows, "stored", wraps=ledger_rows.stored) as spy,
        ):
            with self.assertRaises(reading.TooSlow), self.env.cr.savepoint():
                Match._compare(self.session, deadline)
        self.assertEqual(spy.call_count, 5)  # stopped after the first batch
        self.env.invalidate_all()
        self.assertEqual(self.stored_rows(), before)

    def test_imported_in_batches_as_in_one(self):
        """Their lines are inserted with ids drawn first and their comparison rows, batch by
        batch: the same rows as in one batch."""
        with patch.object(customer_line_module, "INSERT_BATCH", 4):
            self.import_ledger()
        lines = self.session.customer_line_ids
        self.assertEqual(len(set(lines.ids)), len(lines))
        self.assertTrue(all(line.match_id and line.match_status for line in lines))
        self.assertEqual(lines.mapped("match_status"), [line.match_id.status for line in lines])
        in_batches = [(line.row_number, line.amount, line.match_id.status) for line in lines]
        self.import_ledger()
        lines = self.session.customer_line_ids
        self.assertEqual(
            [(line.row_number, line.amount, line.match_id.status) for line in lines], in_batches
        )

    def test_pg_array_literals_read_back_as_written(self):
        texts = [
            'a "quoted" word',
            "back\\slash",
            "",
            "{braces}, commas",
            "NULL",
            "  spaced  ",
            "记-1",
        ]
        self.env.cr.execute(
            "SELECT %s::varchar[], %s::numeric[], %s::bool[], %s::date[]",
            [
                ledger_rows.pg_array([*texts, None]),
                ledger_rows.pg_array([1, -2.5, Decimal("3.10"), None]),
                ledger_rows.pg_array([True, False, None]),
                ledger_rows.pg_array([date(2026, 3, 1), None]),
            ],
        )
        strings, numbers, flags, dates = self.env.cr.fetchone()
        self.assertEqual(strings, [*texts, None])
        self.assertEqual(numbers, [1.0, -2.5, 3.1, None])  # Odoo reads numeric as float
        self.assertEqual((flags, dates), ([True, False, None], [date(2026, 3, 1), None]))

    def test_ledger_files_are_stored_without_full_text_index(self):
        self.import_ledger()
        stored = self.session.customer_ledger_attachment_id
        self.assertTrue(stored.raw.startswith("日期".encode()))
        self.assertFalse(stored.sudo().index_content)
        wizard = (
            self.env["customer.reconciliation.ledger.import.wizard"]
            .with_context(default_session_id=self.session.id)
            .create({"file": base64.b64encode(self.their_ledger()), "filename": "theirs.csv"})
        )
        upload = self.env["ir.attachment"].search(
            [
                ("res_model", "=", wizard._name),
                ("res_id", "=", wizard.id),
                ("res_field", "=", "file"),
            ]
        )
        self.assertFalse(upload.index_content)
        self.assertEqual(upload.raw, self.their_ledger())
        # Any other text file is indexed as Odoo does, whatever key a client sends.
        Attachment = self.env["ir.attachment"].with_context(customer_reconciliation_unindexed=True)
        other = Attachment.create({"name": "notes.txt", "raw": b"INV/2026/00412 paid"})
        self.assertIn("INV/2026/00412", other.index_content)
