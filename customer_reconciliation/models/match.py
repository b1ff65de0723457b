"""The comparison of a statement with the customer's ledger: its rows, how they are computed
from our lines and theirs, what each difference means, and the bridge between the balances."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL, float_repr, float_round
from odoo.tools.misc import format_date, formatLang

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger import rows as lr
from ..tools.customer_ledger.matching import (
    DIFFERENCE,
    MATCHED,
    ONLY_OURS,
    ONLY_THEIRS,
    RULE_AMOUNT_DATE,
    RULE_SUM,
)
from .dispute import DISPUTE_REASONS, UNSETTLED
from .line import LINE_KINDS

MATCH_STATUSES = [
    (MATCHED, "Matched"),
    (DIFFERENCE, "Matched with a difference"),
    (ONLY_OURS, "Only in our books"),
    (ONLY_THEIRS, "Only in the customer's ledger"),
]

# Comparison rows are inserted this many at a time (one query each, bounded parameters).
INSERT_BATCH = 10_000


class CustomerReconciliationMatch(models.Model):
    """One row of the comparison of a statement with the customer's ledger: our line(s), their
    line(s), or both, with the status and, for a difference, what it means.

    Rows are written by the comparison (``_compare``), never by hand: the
    statement lines themselves are never written, so their status lives here.
    """

    _name = "customer.reconciliation.match"
    _description = "Customer Ledger Comparison"
    _order = "session_id, sequence, id"
    # Computed rows, one a line of theirs, replaced at each comparison (whose date is the
    # statement's): no log columns a row, whose foreign keys would cost a third of the insert.
    _log_access = False

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    company_id = fields.Many2one(related="session_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="session_id.currency_id")
    sequence = fields.Integer(readonly=True)
    status = fields.Selection(MATCH_STATUSES, required=True, readonly=True, index=True)
    rule = fields.Selection(
        [
            ("reference", "Document number"),
            ("amount_date", "Amount and date"),
            ("sum", "Sum of several lines"),
            ("none", "No match"),
        ],
        string="Matched By",
        readonly=True,
    )
    amount_differs = fields.Boolean(readonly=True)
    date_differs = fields.Boolean(readonly=True)
    is_duplicate = fields.Boolean(string="Duplicate", readonly=True)
    our_line_ids = fields.Many2many(
        "customer.reconciliation.line",
        "customer_reconciliation_match_line_rel",
        "match_id",
        "line_id",
        string="Our Lines",
        readonly=True,
    )
    customer_line_ids = fields.One2many(
        "customer.reconciliation.customer.line", "match_id", string="Their Lines"
    )
    our_date = fields.Date(readonly=True)
    our_document = fields.Char(readonly=True)
    our_kind = fields.Selection(LINE_KINDS, readonly=True)
    our_amount = fields.Monetary(readonly=True)
    our_count = fields.Integer(readonly=True)
    their_date = fields.Date(readonly=True)
    their_reference = fields.Char(readonly=True)
    their_description = fields.Char(readonly=True)
    their_amount = fields.Monetary(readonly=True)
    their_count = fields.Integer(readonly=True)
    their_rows = fields.Char(readonly=True)
    difference = fields.Monetary(readonly=True, help="Their amount minus ours.")
    day_difference = fields.Integer(
        string="Days Apart", readonly=True, help="Their date minus ours."
    )
    explanation = fields.Text(compute="_compute_explanation")
    dispute_reason = fields.Selection(
        DISPUTE_REASONS, compute="_compute_dispute_reason", store=True
    )
    dispute_id = fields.Many2one(
        "customer.reconciliation.dispute", readonly=True, ondelete="set null"
    )

    # ------------------------------------------------------------------ comparison
    @api.model
    def _bridge_figures(self, sessions):
        """{session id: the session's comparison counts and bridge figures} in one query."""
        groups = self._read_group(
            [("session_id", "in", sessions.ids)],
            ["session_id", "status"],
            ["__count", "our_amount:sum", "their_amount:sum", "difference:sum"],
        )
        figures = {
            (session.id, status): (count, ours, theirs, diff)
            for session, status, count, ours, theirs, diff in groups
        }
        result = {}
        for session in sessions:

            def get(status, position, session=session):
                return (figures.get((session.id, status)) or (0, 0.0, 0.0, 0.0))[position]

            opening = (
                session.customer_ledger_opening - session.opening_balance
                if session.customer_ledger_opening_known
                else 0.0
            )
            only_ours = -get(ONLY_OURS, 1)
            only_theirs = get(ONLY_THEIRS, 2)
            differences = get(MATCHED, 3) + get(DIFFERENCE, 3)
            their_closing = (
                session.closing_balance + opening + only_ours + only_theirs + differences
            )
            result[session.id] = {
                "customer_matched_count": get(MATCHED, 0),
                "customer_difference_count": get(DIFFERENCE, 0),
                "customer_only_ours_count": get(ONLY_OURS, 0),
                "customer_only_theirs_count": get(ONLY_THEIRS, 0),
                "customer_bridge_opening": opening,
                "customer_bridge_only_ours": only_ours,
                "customer_bridge_only_theirs": only_theirs,
                "customer_bridge_differences": differences,
                "customer_bridge_their_closing": their_closing,
                "customer_bridge_unexplained": (
                    session.customer_ledger_closing_reported - their_closing
                    if session.customer_ledger_closing_known and session.customer_ledger_match_date
                    else 0.0
                ),
            }
        return result

    @api.model
    def _compare(self, sessions, deadline=None, ledger=None, their_ids=None):
        """Run the matcher on our lines and theirs and store the result, replacing the last one.

        ``deadline`` (the import's ``Deadline``) is checked between two batches of rows.
        ``ledger``: the parsed ledger being imported into the one statement of ``sessions``,
        whose lines are not stored yet (``their_ids``: the ids drawn for them); then the result
        is, per line of the ledger, (the id of its comparison row, its status), for the import
        to insert the lines with them.
        """
        if ledger is not None:
            sessions.ensure_one()
            return self._compare_session(sessions, deadline, ledger, their_ids)
        for session in sessions:
            self._compare_session(session, deadline)
        return True

    @api.model
    def _compare_session(self, session, deadline=None, ledger=None, their_ids=None):
        self.check_access("create")
        self.env.flush_all()
        factor = 10**session.currency_id.decimal_places
        ours = session._comparison_our_lines(factor)
        cr = self.env.cr
        if ledger is None:
            cr.execute(
                SQL(
                    """
                SELECT id, date, COALESCE(reference, ''), COALESCE(description, ''),
                       COALESCE(row_number, 0), amount
                  FROM customer_reconciliation_customer_line
                 WHERE session_id = %s ORDER BY row_number, id
                    """,
                    session.id,
                )
            )
            theirs = [lr.TheirLine(*row[:5], round(row[5] * factor)) for row in cr.fetchall()]
            their_ids = [line.id for line in theirs]
            names = ("date", "amount", "reference", "description")
            columns = [[getattr(line, name) for line in theirs] for name in names]
        else:
            # The lines being imported, in minor units of the statement's currency already.
            theirs, sign = ledger.lines, ledger.sign
            amounts = (sign * units for units in ledger.units)
            columns = (ledger.dates, amounts, ledger.references, ledger.descriptions)
        days = {}  # one ordinal per day, not one per line
        matcher = lm.Matcher(
            [lm.Entry(o.date, o.amount, (o.document, o.ref), o.kind) for o in ours],
            [
                lm.Entry(
                    days.get(day) or days.setdefault(day, day.toordinal()),
                    amount,
                    keys=tuple(lm.reference_keys(reference, description)),
                )
                for day, amount, reference, description in zip(*columns, strict=True)
            ],
            date_tolerance=session.customer_ledger_date_tolerance,
            amount_tolerance=round(session.customer_ledger_amount_tolerance * factor),
        )
        found = matcher.run()
        # Disputes already raised stay linked to the same difference when compared again.
        cr.execute(
            SQL(
                """
            SELECT ARRAY(SELECT line_id FROM customer_reconciliation_match_line_rel
                          WHERE match_id = m.id),
                   ARRAY(SELECT id FROM customer_reconciliation_customer_line WHERE match_id = m.id),
                   m.dispute_id
              FROM customer_reconciliation_match m
             WHERE m.session_id = %s AND m.dispute_id IS NOT NULL
                """,
                session.id,
            )
        )
        disputed = {(frozenset(o), frozenset(t)): dispute for o, t, dispute in cr.fetchall()}
        session.customer_match_ids.unlink()
        money, company_id = _money(session.currency_id), session.company_id.id
        # Per line of theirs (by position): its comparison row and status.
        linked = [None] * len(theirs)
        # In order, a batch at a time: the groups of the lines in no other group (most lines of
        # a long ledger) are built as their batch comes.
        for number, groups in enumerate(matcher.in_order(found, INSERT_BATCH)):
            start = number * INSERT_BATCH
            rows = []
            for sequence, group in enumerate(groups, start + 1):
                vals = lr.match_vals(session.id, sequence, group, ours, theirs, factor, their_ids)
                key = (frozenset(vals["our_line_ids"]), frozenset(vals["their_line_ids"]))
                vals["dispute_id"] = disputed.get(key, False)
                rows.append(lr.stored(vals, company_id, money))
            ids = self._insert_rows(rows)
            for row, group in zip(rows, groups, strict=True):
                pair = (ids[row["sequence"]], row["status"])
                for j in group.theirs:
                    linked[j] = pair
            if deadline:
                deadline.check()
        del matcher, columns, days
        if ledger is None:
            # Their lines point at their comparison row: one statement (a scan of their lines).
            cr.execute(
                SQL(
                    """
                UPDATE customer_reconciliation_customer_line c
                   SET match_id = v.match_id, match_status = v.status
                  FROM unnest(%s::int[], %s::int[], %s::varchar[]) AS v(id, match_id, status)
                 WHERE c.id = v.id
                    """,
                    lr.pg_array(their_ids),
                    lr.pg_array(pair[0] for pair in linked),
                    lr.pg_array(pair[1] for pair in linked),
                )
            )
        # The ORM's caches know nothing of the rows written above.
        self.invalidate_model()
        self.env["customer.reconciliation.customer.line"].invalidate_model(
            ["match_id", "match_status", "explanation", "our_line_ids"]
        )
        session.invalidate_recordset()  # its rows, and the bridge computed from them
        session._workflow_write({"customer_ledger_match_date": fields.Datetime.now()})
        return linked if ledger is not None else True

    def _insert_rows(self, rows):
        """Comparison rows (``rows.stored`` values) and their lines of ours in one query; returns
        {sequence: id}. One ORM ``create`` per row costs 0.7 ms (each monetary value resolves
        the currency again, the lines of ours are set row by row), 100 s for a 10 MB file; these
        are the values it would store (tests/test_match_insert.py)."""
        names = [name for name in rows[0] if name not in ("our_line_ids", "their_line_ids")]
        arrays = []
        for name in names:
            field, values = self._fields[name], [row[name] for row in rows]
            if field.type != "boolean":
                values = [None if value is False else value for value in values]
            arrays.append(SQL("%s::%s[]", lr.pg_array(values), SQL(field.column_type[1])))
        ours = [(row["sequence"], line_id) for row in rows for line_id in row["our_line_ids"]]
        self.env.cr.execute(
            SQL(
                """
            WITH inserted AS (
                INSERT INTO customer_reconciliation_match (%(names)s)
                SELECT v.*
                  FROM unnest(%(arrays)s) AS v(%(names)s)
             RETURNING id, sequence
            ), ours AS (
                INSERT INTO customer_reconciliation_match_line_rel (match_id, line_id)
                SELECT i.id, l.line_id
                  FROM unnest(%(sequences)s::int[], %(lines)s::int[]) AS l(sequence, line_id)
                  JOIN inserted i USING (sequence)
            )
            SELECT sequence, id FROM inserted
                """,
                names=SQL(", ").join(SQL.identifier(name) for name in names),
                arrays=SQL(", ").join(arrays),
                sequences=[pair[0] for pair in ours],
                lines=[pair[1] for pair in ours],
            )
        )
        return dict(self.env.cr.fetchall())

    # ------------------------------------------------------------------ reasons
    @api.depends(
        "status", "amount_differs", "is_duplicate", "our_kind", "their_amount", "their_description"
    )
    def _compute_dispute_reason(self):
        for match in self:
            match.dispute_reason = lr.dispute_reason(match)

    # ------------------------------------------------------------------ explanations
    @api.depends_context("lang")
    @api.depends(
        "status",
        "rule",
        "amount_differs",
        "date_differs",
        "is_duplicate",
        "our_date",
        "our_document",
        "our_kind",
        "our_amount",
        "their_date",
        "their_reference",
        "their_amount",
        "difference",
    )
    def _compute_explanation(self):
        kinds = dict(
            self.env["customer.reconciliation.line"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        for match in self:
            match.explanation = match._explain(kinds)

    def _money(self, amount):
        return formatLang(self.env, abs(amount), currency_obj=self.currency_id)

    def _day(self, day):
        return format_date(self.env, day) if day else ""

    def _explain(self, kinds):
        """The difference in plain words, in the reader's language."""
        if self.status == MATCHED:
            return self._explain_matched()
        if self.status == DIFFERENCE:
            return self._explain_difference()
        if self.status == ONLY_OURS:
            return self._explain_only_ours(kinds)
        return self._explain_only_theirs()

    def _explain_matched(self):
        _ = self.env._
        document = self.our_document or ""
        if self.rule == RULE_SUM:
            return _(
                "Matched as a group: %(theirs)s line(s) of the customer for %(ours)s of ours (%(documents)s), "
                "%(amount)s in total.",
                theirs=self.their_count,
                ours=self.our_count,
                documents=document,
                amount=self._money(self.our_amount),
            )
        if self.difference:
            return _(
                "Matched within the amount tolerance (difference %(difference)s).",
                difference=self._money(self.difference),
            )
        if self.rule == RULE_AMOUNT_DATE and self.their_reference:
            return _(
                "Matched on amount and date; the references differ (ours %(ours)s, theirs %(theirs)s).",
                ours=document,
                theirs=self.their_reference,
            )
        return ""

    def _explain_difference(self):
        _ = self.env._
        document = self.our_document or ""
        values = {
            "document": document,
            "difference": self._money(self.difference),
            "ours": self._money(self.our_amount),
            "theirs": self._money(self.their_amount),
            "amount": self._money(self.our_amount),
            "our_date": self._day(self.our_date),
            "their_date": self._day(self.their_date),
            "days": abs(self.day_difference),
        }
        if self.amount_differs and self.date_differs:
            return _(
                "Amounts differ by %(difference)s on %(document)s (ours %(ours)s, theirs %(theirs)s), and it "
                "is dated %(our_date)s in our books but %(their_date)s in theirs.",
                **values,
            )
        if self.amount_differs:
            return _(
                "Amounts differ by %(difference)s on %(document)s (ours %(ours)s, theirs %(theirs)s).",
                **values,
            )
        return _(
            "%(document)s of %(amount)s is dated %(our_date)s in our books and %(their_date)s in the "
            "customer's ledger (%(days)s days apart) — possibly booked on receipt.",
            **values,
        )

    def _explain_only_ours(self, kinds):
        _ = self.env._
        document = self.our_document or ""
        values = {
            "document": document,
            "amount": self._money(self.our_amount),
            "date": self._day(self.our_date),
            "kind": kinds.get(self.our_kind, ""),
        }
        if self.is_duplicate:
            return _(
                "%(kind)s %(document)s of %(amount)s dated %(date)s is in our books more often than in the "
                "customer's ledger — possibly a duplicate on our side.",
                **values,
            )
        if self.our_kind == "invoice":
            return _(
                "Invoice %(document)s of %(amount)s dated %(date)s is not in the customer's ledger — "
                "possibly not yet received by them.",
                **values,
            )
        if self.our_kind == "credit_note":
            return _(
                "Credit note %(document)s of %(amount)s dated %(date)s is not in the customer's ledger — "
                "possibly not yet received or accepted by them.",
                **values,
            )
        if self.our_kind == "payment":
            return _(
                "Payment %(document)s of %(amount)s received on %(date)s is not in the customer's ledger — "
                "possibly booked by them under another supplier or account.",
                **values,
            )
        if self.our_kind == "refund":
            return _(
                "Refund %(document)s of %(amount)s paid on %(date)s is not in the customer's ledger — "
                "possibly not yet received by them.",
                **values,
            )
        return _(
            "%(kind)s %(document)s of %(amount)s dated %(date)s is not in the customer's ledger — an "
            "adjustment they have possibly not booked.",
            **values,
        )

    def _explain_only_theirs(self):
        _ = self.env._
        session = self.session_id
        their_ref = _(" (their reference %s)", self.their_reference) if self.their_reference else ""
        values = {
            "amount": self._money(self.their_amount),
            "date": self._day(self.their_date),
            "ref": their_ref,
            "start": self._day(session.date_from),
            "end": self._day(session.date_to),
        }
        if self.their_date and session.date_to and self.their_date > session.date_to:
            return _(
                "The customer's entry of %(amount)s on %(date)s%(ref)s is after the end of this statement "
                "(%(end)s): it belongs to a later period.",
                **values,
            )
        if self.their_date and session.date_from and self.their_date < session.date_from:
            return _(
                "The customer's entry of %(amount)s on %(date)s%(ref)s is before the start of this statement "
                "(%(start)s): it belongs to an earlier period, or their opening balance differs.",
                **values,
            )
        if self.is_duplicate:
            return _(
                "The customer's entry of %(amount)s on %(date)s%(ref)s appears more often in their ledger than "
                "in our books — possibly booked twice by them.",
                **values,
            )
        if self.their_amount > 0:
            return _(
                "The customer's ledger has a charge of %(amount)s on %(date)s%(ref)s that is not in our books — "
                "possibly another supplier's invoice, or one we cancelled.",
                **values,
            )
        if self.dispute_reason == "return_not_credited":
            return _(
                "The customer's return or credit of %(amount)s on %(date)s%(ref)s is not in our books — "
                "possibly a return we have not credited yet.",
                **values,
            )
        if self.dispute_reason == "price_discount":
            return _(
                "The customer deducted %(amount)s on %(date)s%(ref)s for a discount or rebate that is not in "
                "our books.",
                **values,
            )
        return _(
            "The customer's payment of %(amount)s on %(date)s%(ref)s is not in our books — possibly in "
            "transit.",
            **values,
        )

    # ------------------------------------------------------------------ disputes
    def _dispute_vals(self):
        self.ensure_one()
        if self.status == ONLY_THEIRS:
            # No line of ours: the dispute is on the balance, which they say differs by their amount.
            customer_amount = self.session_id.closing_balance + self.their_amount
        else:
            customer_amount = self.their_amount
        return {
            "line_ids": [Command.set(self.our_line_ids.ids)],
            "reason": self.dispute_reason or "other",
            "customer_amount": customer_amount,
            "comment": self.explanation,
        }

    def action_create_disputes(self):
        """Turn the selected differences into disputes with source "Customer ledger comparison".

        A statement awaiting the customer's answer (sent) or already disputed goes through
        ``_record_dispute`` and becomes disputed, as when the customer raises them. Before it is
        sent (the accountant checks the customer's ledger first) or once confirmed, the disputes
        are recorded without changing its state. Closed and cancelled statements take none.
        """
        todo = self.filtered(
            lambda m: m.status != MATCHED and not (m.dispute_id and m.dispute_id.state in UNSETTLED)
        )
        if not todo:
            raise UserError(
                self.env._(
                    "Nothing to dispute: select differences (not matched lines) that have no open dispute yet."
                )
            )
        Dispute = self.env["customer.reconciliation.dispute"]
        disputes = Dispute.browse()
        for session, matches in todo.grouped("session_id").items():
            if session.state in ("closed", "cancelled"):
                raise UserError(
                    self.env._(
                        "Statement %s is closed or cancelled: it takes no new disputes.",
                        session.name,
                    )
                )
            vals_list = [match._dispute_vals() for match in matches]
            if session.state in ("sent", "disputed"):
                created = session._record_dispute(vals_list, source="ledger")
            else:
                created = Dispute._workflow_create(
                    [{**vals, "session_id": session.id, "source": "ledger"} for vals in vals_list]
                )
                session.message_post(
                    body=self.env._(
                        "Disputes recorded from the customer's ledger: %s",
                        ", ".join(created.mapped("name")),
                    )
                )
            for match, dispute in zip(matches, created, strict=True):
                match.dispute_id = dispute
            disputes |= created
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Disputes"),
            "res_model": "customer.reconciliation.dispute",
            "view_mode": "list,form",
            "domain": [("id", "in", disputes.ids)],
        }


def _money(currency):
    """Amounts as ``create`` stores them: rounded as the currency rounds, with its decimals."""
    places, rounding = currency.decimal_places, currency.rounding
    if currency.is_zero(rounding - 10**-places):  # a power of ten: integer cents are exact
        return lambda value: f"{value:.{places}f}"
    return lambda value: float_repr(float_round(value, precision_rounding=rounding), places)
