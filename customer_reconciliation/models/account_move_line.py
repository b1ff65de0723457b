from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL

from .account_move import changed_fields
from .engine_workers import fail_to_serialize

# What the customer confirmed of a journal item: its amounts (in company currency, in its
# currency, and on an invoice line what they are computed from), its dates (the due date makes
# the aging and the overdue amount), its customer, its account, and the entry it belongs to.
# Any item of an entry counts, not only the receivable ones: the entry is balanced, and an
# account or partner changed on another item brings it into the customer's ledger.
GUARDED_LINE_FIELDS = (
    "debit",
    "credit",
    "balance",
    "amount_currency",
    "currency_id",
    "date",
    "date_maturity",
    "partner_id",
    "account_id",
    "move_id",
    "price_unit",
    "quantity",
    "discount",
    "tax_ids",
    "display_type",
    "is_storno",
)

# The fields that name a journal item without a foreign key (JournalItemReference).
UNCHECKED_REFERENCES = (
    ("customer.reconciliation.line", "move_line_id"),
    ("customer.reconciliation.open.item", "move_line_id"),
)

_FREE_ITEMS_SQL = """
SELECT (SELECT COUNT(*) FROM account_move_line WHERE id = ANY(%(ids)s)),
       (SELECT COUNT(*) FROM (SELECT id FROM account_move_line WHERE id = ANY(%(ids)s)
                                 FOR UPDATE SKIP LOCKED) AS free)
"""
_WAIT_ITEMS_SQL = "SELECT id FROM account_move_line WHERE id = ANY(%(ids)s) FOR UPDATE"


class JournalItemReference(fields.Many2one):
    """A statement's reference to a journal item it shows, with no foreign key in the database.

    A month-end writes hundreds of thousands of them, and PostgreSQL checked each row against
    its journal item one by one (about a quarter of a generation). What the key guaranteed is
    kept otherwise: the generation locks the items it writes in one query until it commits
    (engine_workers._lock_journal_items), so that a deletion waits for it and one committed
    since it read the ledger makes it a serialization failure (retried on a fresh snapshot);
    a deleted item's references are emptied, as the key's ON DELETE SET NULL did (unlink)."""

    def update_db_foreign_key(self, model, column):
        return  # on purpose: see the class


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    reconciliation_line_ids = fields.One2many(
        "customer.reconciliation.line",
        "move_line_id",
        string="Reconciliation Statement Lines",
        groups="customer_reconciliation.group_reconciliation_user",
    )

    def _reconciliation_changed_labels(self, vals):
        """What ``vals`` really changes on this item, as labels for the guard's messages."""
        self.ensure_one()
        # Compared as Odoo writes them: a debit or a credit alone sets the balance ({"debit": 0}
        # on a credit item zeroes it).
        names = changed_fields(self, self._sanitize_vals(vals), GUARDED_LINE_FIELDS)
        if "balance" in names and "balance" not in vals:
            names.remove("balance")
            names += [name for name in ("debit", "credit") if name in vals]
        return [
            self.env._(
                "Journal Item: %(field)s", field=self._fields[name]._description_string(self.env)
            )
            for name in names
        ]

    @api.model_create_multi
    def create(self, vals_list):
        moves = self.env["account.move"].browse(
            {vals["move_id"] for vals in vals_list if isinstance(vals.get("move_id"), int)}
        )
        if not moves:
            return super().create(vals_list)
        sessions_by_move = moves._confirmed_reconciliation_sessions_by_move()
        if not sessions_by_move:
            return super().create(vals_list)
        label = self.env._("Journal Items added")
        with moves._reconciliation_overrides():
            moves._check_confirmed_reconciliation(
                self.env._("change"), {move.id: [label] for move in moves}, sessions_by_move
            )
            return super().create(vals_list)

    def write(self, vals):
        if not self or not vals or not vals.keys() & set(GUARDED_LINE_FIELDS):
            return super().write(vals)
        moves = self.move_id
        target = self.env["account.move"]
        if isinstance(vals.get("move_id"), int):
            target = target.browse(vals["move_id"])
            moves |= target
        sessions_by_move = moves._confirmed_reconciliation_sessions_by_move()
        if not sessions_by_move:
            return super().write(vals)
        labels_by_move = defaultdict(dict)
        for line in self:
            if not {line.move_id.id, target.id} & sessions_by_move.keys():
                continue
            labels = line._reconciliation_changed_labels(vals)
            if labels:
                for move in line.move_id | target:
                    labels_by_move[move.id].update(dict.fromkeys(labels))
        with moves._reconciliation_overrides():
            moves._check_confirmed_reconciliation(
                self.env._("change"),
                {move_id: list(labels) for move_id, labels in labels_by_move.items()},
                sessions_by_move,
            )
            return super().write(vals)

    def unlink(self):
        if not self:
            return super().unlink()
        ids = self.ids
        self._reconciliation_wait_for_generations()
        result = super().unlink()
        # After the rows are gone: a generation holding them locked has committed its lines.
        for model_name, field_name in UNCHECKED_REFERENCES:
            model = self.env[model_name]
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET %s = NULL WHERE %s = ANY(%s)",
                    SQL.identifier(model._table),
                    SQL.identifier(field_name),
                    SQL.identifier(field_name),
                    ids,
                )
            )
            model.invalidate_model([field_name])
        return result

    def _reconciliation_wait_for_generations(self):
        """A generation that locked some of these items (engine_workers._lock_journal_items)
        may commit lines naming them that this transaction's snapshot cannot see, hence not
        empty: when another transaction holds one, wait for it, then fail to serialize (the
        retry, on a fresh snapshot, sees its lines). Unlocked items are deleted at once."""
        cr = self.env.cr
        cr.execute(SQL(_FREE_ITEMS_SQL, ids=self.ids))
        existing, free = cr.fetchone()
        if free < existing:
            cr.execute(SQL(_WAIT_ITEMS_SQL, ids=self.ids), log_exceptions=False)
            fail_to_serialize(cr)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed_reconciliation(self):
        if not self:
            return
        label = self.env._("Journal Items deleted")
        self.move_id._check_confirmed_reconciliation(
            self.env._("change"), {move.id: [label] for move in self.move_id}
        )
