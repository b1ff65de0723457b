"""The comparison of a statement with the customer's ledger: its rows, how they are computed
from our lines and theirs, what each difference means, and the bridge between the balances."""

import re
from collections import namedtuple

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tools import SQL
from odoo.tools.misc import format_date, formatLang

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger.matching import (
    DIFFERENCE,
    MATCHED,
    ONLY_OURS,
    ONLY_THEIRS,
    RULE_AMOUNT_DATE,
    RULE_SUM,
)
from .dispute import DISPUTE_REASONS
from .line import LINE_KINDS

# Our lines and theirs as the matcher reads them (amounts in integer cents of the currency).
OurLine = namedtuple("OurLine", "id date document ref kind amount")
TheirLine = namedtuple("TheirLine", "id date reference description row amount")

MATCH_STATUSES = [
    (MATCHED, "Matched"),
    (DIFFERENCE, "Matched with a difference"),
    (ONLY_OURS, "Only in our books"),
    (ONLY_THEIRS, "Only in the customer's ledger"),
]

# What the customer's own description says about an entry of theirs missing in our books.
_RETURN_WORDS = re.compile(r"退货|退回|退款|红字|红冲|return|credit\s*note|refund", re.IGNORECASE)
_DISCOUNT_WORDS = re.compile(
    r"折扣|折让|返利|优惠|扣款|discount|rebate|allowance|deduct", re.IGNORECASE
)


class CustomerReconciliationMatch(models.Model):
    """One row of the comparison of a statement with the customer's ledger: our line(s), their
    line(s), or both, with the status and, for a difference, what it means.

    Rows are written by the comparison (``_compare``), never by hand: the
    statement lines themselves are never written, so their status lives here.
    """

    _name = "customer.reconciliation.match"
    _description = "Customer Ledger Comparison"
    _order = "session_id, sequence, id"

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
    def _compare(self, sessions):
        """Run the matcher on our lines and theirs and store the result, replacing the last one."""
        for session in sessions:
            self._compare_session(session)
        return True

    @api.model
    def _compare_session(self, session):
        factor = 10**session.currency_id.decimal_places
        # Plain values read once: the loops below never go back to the ORM per line.
        ours = [
            OurLine(
                line.id,
                line.date,
                line.name or "",
                line.customer_ref,
                line.kind,
                round(line.amount * factor),
            )
            for line in session.line_ids
            if line.kind != "opening"
        ]
        theirs = [
            TheirLine(
                line.id,
                line.date,
                line.reference or "",
                line.description or "",
                line.row_number,
                round(line.amount * factor),
            )
            for line in session.customer_line_ids
        ]
        groups = lm.match(
            [lm.Entry(o.date, o.amount, (o.document, o.ref), o.kind) for o in ours],
            [lm.Entry(t.date, t.amount, (t.reference, t.description)) for t in theirs],
            date_tolerance=session.customer_ledger_date_tolerance,
            amount_tolerance=round(session.customer_ledger_amount_tolerance * factor),
        )
        # Disputes already raised stay linked to the same difference when compared again.
        disputed = {
            (
                frozenset(match.our_line_ids.ids),
                frozenset(match.customer_line_ids.ids),
            ): match.dispute_id.id
            for match in session.customer_match_ids
            if match.dispute_id
        }
        session.customer_match_ids.unlink()
        groups.sort(
            key=lambda g: (
                min([ours[i].date for i in g.ours] + [theirs[j].date for j in g.theirs]),
                g.ours[:1],
                g.theirs[:1],
            )
        )
        vals_list = []
        for sequence, group in enumerate(groups, start=1):
            our_lines = [ours[i] for i in group.ours]
            their_lines = [theirs[j] for j in group.theirs]
            vals = _match_vals(session, sequence, group, our_lines, their_lines, factor)
            key = (frozenset(o.id for o in our_lines), frozenset(t.id for t in their_lines))
            vals["dispute_id"] = disputed.get(key, False)
            vals_list.append(vals)
        matches = self.create(vals_list)
        pairs = [
            (theirs[j].id, match.id, group.status)
            for group, match in zip(groups, matches, strict=True)
            for j in group.theirs
        ]
        # Their lines point at their comparison row: one statement for the whole batch.
        if pairs:
            session.customer_line_ids.flush_recordset()
            self.env.cr.execute(
                SQL(
                    """
                UPDATE customer_reconciliation_customer_line c
                   SET match_id = v.match_id, match_status = v.status
                  FROM unnest(%s::int[], %s::int[], %s::varchar[]) AS v(id, match_id, status)
                 WHERE c.id = v.id
                """,
                    [p[0] for p in pairs],
                    [p[1] for p in pairs],
                    [p[2] for p in pairs],
                )
            )
            session.customer_line_ids.invalidate_recordset(["match_id", "match_status"])
            matches.invalidate_recordset(["customer_line_ids"])
        session._workflow_write({"customer_ledger_match_date": fields.Datetime.now()})

    # ------------------------------------------------------------------ reasons
    @api.depends(
        "status", "amount_differs", "is_duplicate", "our_kind", "their_amount", "their_description"
    )
    def _compute_dispute_reason(self):
        for match in self:
            text = f"{match.their_reference or ''} {match.their_description or ''}"
            if match.status == MATCHED:
                reason = False
            elif match.is_duplicate:
                reason = "duplicate"
            elif match.status == DIFFERENCE:
                if not match.amount_differs:
                    reason = "other"
                elif _DISCOUNT_WORDS.search(text):
                    reason = "price_discount"
                else:
                    reason = "amount_differs"
            elif match.status == ONLY_OURS:
                # Our invoice is not in their books: they say they never got it.
                reason = "missing_invoice" if match.our_kind == "invoice" else "other"
            elif match.their_amount > 0:
                reason = "other"
            elif _RETURN_WORDS.search(text):
                reason = "return_not_credited"
            elif _DISCOUNT_WORDS.search(text):
                reason = "price_discount"
            else:
                reason = "payment_not_recorded"
            match.dispute_reason = reason

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
            lambda m: m.status != MATCHED and not (m.dispute_id and m.dispute_id.state == "open")
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


def _joined(values, separator=", "):
    return separator.join(value for value in values if value)[:250]


def _match_vals(session, sequence, group, our_lines, their_lines, factor):
    """The values of the comparison row of one group of the matcher."""
    kinds = {line.kind for line in our_lines}
    return {
        "session_id": session.id,
        "sequence": sequence,
        "status": group.status,
        "rule": group.rule,
        "amount_differs": group.amount_differs,
        "date_differs": group.date_differs,
        "is_duplicate": group.duplicate,
        "our_line_ids": [fields.Command.set([line.id for line in our_lines])],
        "our_date": max(line.date for line in our_lines) if our_lines else False,
        "our_document": _joined(line.document for line in our_lines),
        "our_kind": kinds.pop() if len(kinds) == 1 else False,
        "our_amount": group.our_amount / factor,
        "our_count": len(our_lines),
        "their_date": max(line.date for line in their_lines) if their_lines else False,
        "their_reference": _joined(line.reference for line in their_lines),
        "their_description": _joined((line.description for line in their_lines), " / "),
        "their_amount": group.their_amount / factor,
        "their_count": len(their_lines),
        "their_rows": _joined(str(line.row) for line in their_lines),
        "difference": (group.their_amount - group.our_amount) / factor,
        "day_difference": group.day_diff,
    }
