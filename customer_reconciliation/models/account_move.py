from collections import defaultdict
from contextlib import contextmanager

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

MANAGER_GROUP = "customer_reconciliation.group_reconciliation_manager"
# The states in which the customer has confirmed a statement: its entries are guarded.
CONFIRMED_STATES = ("confirmed", "closed")
# What the customer confirmed of an entry: its state, its dates (the accounting date, and on an
# invoice the date its accounting date and rate follow and the due date of its items, hence
# the aging), its customer, currency, journal and company, its type (the sign of its items).
GUARDED_MOVE_FIELDS = (
    "state",
    "date",
    "invoice_date",
    "invoice_date_due",
    "invoice_payment_term_id",
    "partner_id",
    "currency_id",
    "invoice_currency_rate",
    "journal_id",
    "company_id",
    "move_type",
)
# Their items: a command that adds, removes or changes one changes the amounts.
LINE_COMMAND_FIELDS = ("line_ids", "invoice_line_ids", "journal_line_ids")
# The managers' overrides of the operation in progress, in the cursor's cache (never in the
# context: nothing a client sends can skip or silence the guard).
_OVERRIDES = "customer_reconciliation.entry_overrides"


def changed_fields(record, vals, names):
    """The fields of ``names`` that ``vals`` really changes on ``record``: Odoo rewrites values
    unchanged (the state while posting, an item's amounts while reconciling), which is no change."""
    return [
        name
        for name in names
        if name in vals and _value_changes(record, record._fields[name], vals[name])
    ]


def _value_changes(record, field, value):
    try:
        if field.type == "monetary":
            currency = record[field.get_currency_field(record)]
            old, new = record[field.name] or 0.0, float(value or 0.0)
            return not currency.is_zero(old - new) if currency else old != new
        old = field.convert_to_cache(record[field.name], record, validate=False)
        new = field.convert_to_cache(value, record, validate=False)
    except (TypeError, ValueError):
        return True  # a value Odoo will interpret or refuse: not proven harmless
    if field.type in ("many2many", "one2many"):
        return set(old) != set(new)
    return old != new


class AccountMove(models.Model):
    _inherit = "account.move"

    reconciliation_session_count = fields.Integer(
        compute="_compute_reconciliation_session_count",
        string="Reconciliation Statements",
        groups="customer_reconciliation.group_reconciliation_user",
    )

    @api.depends("line_ids.reconciliation_line_ids")
    def _compute_reconciliation_session_count(self):
        counts = dict(
            self.env["customer.reconciliation.line"]._read_group(
                [("move_line_id.move_id", "in", self.ids)],
                ["move_line_id.move_id"],
                ["session_id:count_distinct"],
            )
        )
        for move in self:
            move.reconciliation_session_count = counts.get(move, 0)

    def action_view_reconciliation_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_reconciliation_session"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------ confirmed statements
    def _confirmed_reconciliation_sessions_by_move(self):
        """{entry id: [statement ids]} of the confirmed statements containing these entries.

        One query on the entries' journal items and the indexed ``move_line_id`` of the
        statement lines, whatever the number of entries: it is the whole cost of the guard for
        entries of no confirmed statement.
        """
        ids = [id_ for id_ in self._ids if isinstance(id_, int)]
        if not ids:
            return {}
        self.env["account.move.line"].flush_model(["move_id"])
        self.env["customer.reconciliation.line"].flush_model(["move_line_id", "session_id"])
        self.env["customer.reconciliation.session"].flush_model(["state"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT aml.move_id, line.session_id
                  FROM account_move_line aml
                  JOIN customer_reconciliation_line line ON line.move_line_id = aml.id
                  JOIN customer_reconciliation_session session ON session.id = line.session_id
                 WHERE aml.move_id = ANY(%s) AND session.state IN %s
                 GROUP BY aml.move_id, line.session_id
                 ORDER BY aml.move_id, line.session_id
                """,
                ids,
                CONFIRMED_STATES,
            )
        )
        sessions_by_move = defaultdict(list)
        for move_id, session_id in rows:
            sessions_by_move[move_id].append(session_id)
        return sessions_by_move

    def _check_confirmed_reconciliation(self, action, labels_by_move=None, sessions_by_move=None):
        """The one guard of the entries of confirmed statements (writes, reset, cancel, delete).

        ``action``: what is done, as a verb ("reset to draft"); ``labels_by_move``: {entry id:
        [what really changes]}, entries absent or without a label are not concerned (default:
        every entry, labelled with the action). A Reconciliation Manager may: the override is
        posted on each statement. Everyone else gets an error naming the statements. No context
        key skips this check.
        """
        if not self:
            return
        if sessions_by_move is None:
            sessions_by_move = self._confirmed_reconciliation_sessions_by_move()
        if labels_by_move is None:
            labels_by_move = {move.id: [action] for move in self}
        moves = self.filtered(lambda m: m.id in sessions_by_move and labels_by_move.get(m.id))
        if not moves:
            return
        # Who may not change the entries learns nothing of the statements.
        moves.check_access("write")
        if not self.env.user.has_group(MANAGER_GROUP):
            sessions = (
                self.env["customer.reconciliation.session"]
                .sudo()
                .browse(sorted({sid for move in moves for sid in sessions_by_move[move.id]}))
            )
            raise UserError(
                self.env._(
                    "Cannot %(action)s %(entries)s: the customer confirmed the statement(s) "
                    "%(statements)s, which contain it. Ask a Reconciliation Manager.",
                    action=action,
                    entries=moves._reconciliation_describe(labels_by_move, action),
                    statements=", ".join(sessions.mapped("name")),
                )
            )
        overrides = self.env.cr.cache.get(_OVERRIDES)
        immediate = overrides is None
        if immediate:
            overrides = {}
        for move in moves:
            for session_id in sessions_by_move[move.id]:
                entry = overrides.setdefault(session_id, {}).setdefault(
                    move.id, {"name": move.display_name, "labels": {}}
                )
                entry["labels"].update(dict.fromkeys(labels_by_move[move.id]))
        if immediate:
            self._post_reconciliation_overrides(overrides)

    def _reconciliation_describe(self, labels_by_move, action):
        parts = []
        for move in self:
            labels = [label for label in labels_by_move[move.id] if label != action]
            parts.append(
                f"{move.display_name} ({', '.join(labels)})" if labels else move.display_name
            )
        return ", ".join(parts)

    @contextmanager
    def _reconciliation_overrides(self):
        """Gathers the managers' overrides of one operation (a reset to draft writes the state,
        a command writes items) and posts them once per statement when it succeeded."""
        cache = self.env.cr.cache
        if cache.get(_OVERRIDES) is not None:
            yield
            return
        overrides = cache[_OVERRIDES] = {}
        try:
            yield
        finally:
            if cache.get(_OVERRIDES) is overrides:
                del cache[_OVERRIDES]
        self._post_reconciliation_overrides(overrides)

    def _post_reconciliation_overrides(self, overrides):
        sessions = self.env["customer.reconciliation.session"].sudo().browse(list(overrides))
        for session in sessions.exists():
            changes = "; ".join(
                f"{entry['name']}: {', '.join(entry['labels'])}"
                for entry in overrides[session.id].values()
            )
            session.message_post(
                body=self.env._(
                    "%(user)s, Reconciliation Manager, overrode the guard of the entries of this "
                    "statement confirmed by the customer: %(changes)s.",
                    user=self.env.user.name,
                    changes=changes,
                ),
                subtype_xmlid="mail.mt_note",
            )

    def _reconciliation_changes(self, vals, sessions_by_move):
        """{entry id: [labels of what ``vals`` really changes]} for the guarded entries."""
        labels_by_move = {}
        for move in self:
            if move.id not in sessions_by_move:
                continue
            names = changed_fields(move, vals, GUARDED_MOVE_FIELDS)
            names += [
                name
                for name in LINE_COMMAND_FIELDS
                if name in vals and move._reconciliation_commands_change(name, vals[name])
            ]
            labels_by_move[move.id] = [
                move._fields[name]._description_string(self.env) for name in names
            ]
        return labels_by_move

    def _reconciliation_commands_change(self, field_name, commands):
        """Whether these x2many commands on the entry's items change any of them."""
        current = set(self[field_name].ids)
        Line = self.env["account.move.line"]
        for command in commands or ():
            if not isinstance(command, (list, tuple)) or not command:
                return True
            operation = command[0]
            if operation == Command.UPDATE:
                # An item of another entry (or none) is not proven harmless.
                if command[1] not in current or Line.browse(
                    command[1]
                )._reconciliation_changed_labels(command[2] or {}):
                    return True
            elif operation in (Command.DELETE, Command.UNLINK, Command.LINK):
                if (command[1] in current) != (operation == Command.LINK):
                    return True
            elif operation == Command.CLEAR:
                if current:
                    return True
            elif operation == Command.SET:
                if set(command[2] or ()) != current:
                    return True
            else:  # Command.CREATE
                return True
        return False

    def write(self, vals):
        if not self or not vals or not vals.keys() & {*GUARDED_MOVE_FIELDS, *LINE_COMMAND_FIELDS}:
            return super().write(vals)
        sessions_by_move = self._confirmed_reconciliation_sessions_by_move()
        if not sessions_by_move:
            return super().write(vals)
        with self._reconciliation_overrides():
            self._check_confirmed_reconciliation(
                self.env._("change"),
                self._reconciliation_changes(vals, sessions_by_move),
                sessions_by_move,
            )
            return super().write(vals)

    def button_draft(self):
        with self._reconciliation_overrides():
            self._check_confirmed_reconciliation(self.env._("reset to draft"))
            return super().button_draft()

    def button_cancel(self):
        with self._reconciliation_overrides():
            self._check_confirmed_reconciliation(self.env._("cancel"))
            return super().button_cancel()

    def unlink(self):
        # Checked before Odoo unreconciles and deletes the items.
        with self._reconciliation_overrides():
            self._check_confirmed_reconciliation(self.env._("delete"))
            return super().unlink()

    def _post(self, soft=True):
        # One query for both: the settlements these entries belong to (usually none).
        settlements = self.env["customer.reconciliation.settlement"]._of_entries(self)
        # A bad debt awaiting a manager is posted by the manager's approval, not from here.
        settlements._check_not_awaiting_approval(self)
        posted = super()._post(soft=soft)
        # A draft invoice the settlement of a dispute asked for: posted, it settles the dispute.
        settlements._entries_posted(posted)
        return posted
