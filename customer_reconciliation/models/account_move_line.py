from collections import defaultdict

from odoo import api, fields, models

from .account_move import changed_fields

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

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed_reconciliation(self):
        if not self:
            return
        label = self.env._("Journal Items deleted")
        self.move_id._check_confirmed_reconciliation(
            self.env._("change"), {move.id: [label] for move in self.move_id}
        )
