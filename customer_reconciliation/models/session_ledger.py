"""The statement against the customer's own ledger: import, comparison, bridge."""

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from . import ledger_matching as lm
from . import ledger_parser as lp

SIGN_CONVENTIONS = [
    ("mirror", "Their books: their credit is our debit (accounts payable)"),
    ("same", "Our convention: a debit is what they owe us"),
]
SIGNS = {"mirror": -1, "same": 1}


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    customer_line_ids = fields.One2many(
        "customer.reconciliation.customer.line", "session_id", string="Customer's Ledger"
    )
    customer_match_ids = fields.One2many(
        "customer.reconciliation.match", "session_id", string="Comparison"
    )
    customer_ledger_attachment_id = fields.Many2one(
        "ir.attachment", string="Customer's Ledger File", readonly=True, copy=False
    )
    customer_ledger_import_date = fields.Datetime(
        string="Ledger Imported On", readonly=True, copy=False
    )
    customer_ledger_match_date = fields.Datetime(string="Compared On", readonly=True, copy=False)
    customer_ledger_sign = fields.Selection(
        SIGN_CONVENTIONS, string="Their Sign Convention", readonly=True, copy=False
    )
    customer_ledger_opening = fields.Monetary(
        string="Their Opening Balance", readonly=True, copy=False
    )
    customer_ledger_opening_known = fields.Boolean(readonly=True, copy=False)
    customer_ledger_closing_reported = fields.Monetary(
        string="Their Reported Closing",
        readonly=True,
        copy=False,
        help="The closing balance the customer's file shows (balance column or closing row).",
    )
    customer_ledger_closing_known = fields.Boolean(readonly=True, copy=False)
    customer_ledger_date_tolerance = fields.Integer(
        string="Date Tolerance (days)",
        default=7,
        help="Dates this many days apart still match; further apart (up to two months) they are a date difference.",
    )
    customer_ledger_amount_tolerance = fields.Monetary(
        string="Amount Tolerance",
        help="Amounts this close match (rounding differences).",
    )
    customer_ledger_outdated = fields.Boolean(compute="_compute_customer_ledger_bridge")
    customer_matched_count = fields.Integer(
        string="Matched", compute="_compute_customer_ledger_bridge"
    )
    customer_difference_count = fields.Integer(
        string="Differences", compute="_compute_customer_ledger_bridge"
    )
    customer_only_ours_count = fields.Integer(
        string="Only Ours", compute="_compute_customer_ledger_bridge"
    )
    customer_only_theirs_count = fields.Integer(
        string="Only Theirs", compute="_compute_customer_ledger_bridge"
    )
    # The bridge from our closing balance to theirs.
    customer_bridge_opening = fields.Monetary(
        string="Opening balance difference",
        compute="_compute_customer_ledger_bridge",
        help="Their opening balance minus ours. Zero when their file gives no opening balance: theirs is then "
        "taken as equal to ours.",
    )
    customer_bridge_only_ours = fields.Monetary(
        string="Less: only in our books", compute="_compute_customer_ledger_bridge"
    )
    customer_bridge_only_theirs = fields.Monetary(
        string="Add: only in their ledger", compute="_compute_customer_ledger_bridge"
    )
    customer_bridge_differences = fields.Monetary(
        string="Add: amount differences (theirs - ours)", compute="_compute_customer_ledger_bridge"
    )
    customer_bridge_their_closing = fields.Monetary(
        string="Their closing balance (from their lines)", compute="_compute_customer_ledger_bridge"
    )
    customer_bridge_unexplained = fields.Monetary(
        string="Unexplained",
        compute="_compute_customer_ledger_bridge",
        help="Their reported closing balance minus the one their lines add up to.",
    )

    @api.depends(
        "customer_match_ids.status",
        "customer_match_ids.our_amount",
        "customer_match_ids.their_amount",
        "customer_ledger_opening",
        "customer_ledger_closing_reported",
        "closing_balance",
        "opening_balance",
        "generated_at",
        "customer_ledger_match_date",
    )
    def _compute_customer_ledger_bridge(self):
        groups = self.env["customer.reconciliation.match"]._read_group(
            [("session_id", "in", self.ids)],
            ["session_id", "status"],
            ["__count", "our_amount:sum", "their_amount:sum", "difference:sum"],
        )
        figures = {
            (session.id, status): (count, ours, theirs, diff)
            for session, status, count, ours, theirs, diff in groups
        }
        for session in self:

            def get(status, position, session=session):
                return (figures.get((session.id, status)) or (0, 0.0, 0.0, 0.0))[position]

            session.customer_matched_count = get(lm.MATCHED, 0)
            session.customer_difference_count = get(lm.DIFFERENCE, 0)
            session.customer_only_ours_count = get(lm.ONLY_OURS, 0)
            session.customer_only_theirs_count = get(lm.ONLY_THEIRS, 0)
            opening = (
                session.customer_ledger_opening - session.opening_balance
                if session.customer_ledger_opening_known
                else 0.0
            )
            session.customer_bridge_opening = opening
            session.customer_bridge_only_ours = -get(lm.ONLY_OURS, 1)
            session.customer_bridge_only_theirs = get(lm.ONLY_THEIRS, 2)
            session.customer_bridge_differences = get(lm.MATCHED, 3) + get(lm.DIFFERENCE, 3)
            session.customer_bridge_their_closing = (
                session.closing_balance
                + opening
                + session.customer_bridge_only_ours
                + session.customer_bridge_only_theirs
                + session.customer_bridge_differences
            )
            session.customer_bridge_unexplained = (
                session.customer_ledger_closing_reported - session.customer_bridge_their_closing
                if session.customer_ledger_closing_known and session.customer_ledger_match_date
                else 0.0
            )
            session.customer_ledger_outdated = bool(
                session.customer_ledger_match_date
                and session.generated_at
                and session.generated_at > session.customer_ledger_match_date
            )

    # ------------------------------------------------------------------ import
    def _read_customer_ledger(self, filename, content, mapping=None, header_row=None):
        """Parse a file without writing anything: (table, header position, mapping, ledger).

        Raises UserError naming the file, row and column of the first problem.
        """
        self.ensure_one()
        remembered = self.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        try:
            table = lp.read_table(content, filename)
            position = lp.find_header(table, header_row)
            if mapping is None:
                mapping = lp.guess_mapping(table.rows[position][1], remembered.get("columns"))
            ledger = lp.parse_ledger(table, position, mapping)
        except lp.LedgerError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        return table, position, mapping, ledger

    def _guess_customer_ledger_sign(self, ledger):
        """'mirror' or 'same': whichever makes more of their amounts meet ours."""
        self.ensure_one()
        factor = 10**self.currency_id.decimal_places
        ours = [round(line.amount * factor) for line in self.line_ids if line.kind != "opening"]
        theirs = [int((line.raw * factor).to_integral_value()) for line in ledger.lines]
        return "same" if lm.guess_sign(ours, theirs) == 1 else "mirror"

    def _import_customer_ledger(
        self, filename, content, mapping=None, sign=None, header_row=None, remember=True
    ):
        """Import the customer's ledger file into this statement and compare it with our lines.

        The entry point of the import wizard and of the portal's dispute step. ``mapping``:
        {role: column index} (default: remembered for this customer, else guessed from the
        headers); ``sign``: 'mirror' or 'same' (default: remembered, else guessed from the
        amounts). Everything is read and checked before anything is written: a bad file
        raises UserError and leaves the statement as it was. A new import replaces the
        previous one; the file is kept as an attachment of the statement.
        """
        self.ensure_one()
        if self.state == "cancelled":
            raise UserError(self.env._("Statement %s is cancelled.", self.name))
        table, position, mapping, ledger = self._read_customer_ledger(
            filename, content, mapping, header_row
        )
        partner = self.partner_id.commercial_partner_id
        sign = (
            sign
            or (partner.reconciliation_ledger_mapping or {}).get("sign")
            or self._guess_customer_ledger_sign(ledger)
        )
        ledger.apply_sign(SIGNS[sign])
        currency = self.currency_id

        def money(value):
            return currency.round(float(value)) if value is not None else 0.0

        # Valid: write.
        self.customer_match_ids.unlink()
        self.customer_line_ids.unlink()
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename,
                "raw": content,
                "res_model": self._name,
                "res_id": self.id,
            }
        )
        self.env["customer.reconciliation.customer.line"].create(
            [
                {
                    "session_id": self.id,
                    "attachment_id": attachment.id,
                    "row_number": line.row,
                    "date": line.date,
                    "reference": line.reference,
                    "voucher": line.voucher,
                    "description": line.description,
                    "their_debit": money(line.debit),
                    "their_credit": money(line.credit),
                    "amount": money(line.amount),
                    "balance": money(line.balance),
                }
                for line in ledger.lines
            ]
        )
        self.write(
            {
                "customer_ledger_attachment_id": attachment.id,
                "customer_ledger_import_date": fields.Datetime.now(),
                "customer_ledger_sign": sign,
                "customer_ledger_opening": money(ledger.opening),
                "customer_ledger_opening_known": ledger.opening is not None,
                "customer_ledger_closing_reported": money(ledger.closing),
                "customer_ledger_closing_known": ledger.closing is not None,
            }
        )
        if remember:
            headers = table.rows[position][1]
            # A technical preference of the customer, saved whoever imports (portal included).
            partner.sudo().reconciliation_ledger_mapping = {
                "columns": {
                    role: lp.normalize_header(headers[index])
                    for role, index in mapping.items()
                    if index < len(headers)
                },
                "sign": sign,
            }
        self._match_customer_ledger()
        self.message_post(
            body=self.env._(
                "Customer's ledger %(file)s imported: %(lines)s lines, %(skipped)s rows skipped "
                "(blank, subtotals, opening and closing rows).",
                file=filename,
                lines=len(ledger.lines),
                skipped=ledger.skipped,
            ),
            attachment_ids=attachment.ids,
        )
        return self.customer_line_ids

    # ------------------------------------------------------------------ comparison
    def action_match_customer_ledger(self):
        """Compare again, after corrections on either side."""
        for session in self:
            if not session.customer_line_ids:
                raise UserError(
                    self.env._("Import the customer's ledger of %s first.", session.name)
                )
        self._match_customer_ledger()
        return True

    def _match_customer_ledger(self):
        """Run the matcher on our lines and theirs and store the result, replacing the last one."""
        Match = self.env["customer.reconciliation.match"]
        for session in self:
            factor = 10**session.currency_id.decimal_places
            # Plain values read once: the loops below never go back to the ORM per line.
            ours = [
                (
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
                (
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
                [
                    lm.Entry(day, amount, (name, ref), kind)
                    for _id, day, name, ref, kind, amount in ours
                ],
                [
                    lm.Entry(day, amount, (ref, text))
                    for _id, day, ref, text, _row, amount in theirs
                ],
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
                    min([ours[i][1] for i in g.ours] + [theirs[j][1] for j in g.theirs]),
                    g.ours[:1],
                    g.theirs[:1],
                )
            )
            vals_list = []
            for sequence, group in enumerate(groups, start=1):
                our_lines = [ours[i] for i in group.ours]
                their_lines = [theirs[j] for j in group.theirs]
                kinds = {line[4] for line in our_lines}
                vals_list.append(
                    {
                        "session_id": session.id,
                        "sequence": sequence,
                        "status": group.status,
                        "rule": group.rule,
                        "amount_differs": group.amount_differs,
                        "date_differs": group.date_differs,
                        "is_duplicate": group.duplicate,
                        "our_line_ids": [fields.Command.set([line[0] for line in our_lines])],
                        "our_date": max(line[1] for line in our_lines) if our_lines else False,
                        "our_document": ", ".join(line[2] for line in our_lines if line[2])[:250],
                        "our_kind": kinds.pop() if len(kinds) == 1 else False,
                        "our_amount": group.our_amount / factor,
                        "our_count": len(our_lines),
                        "their_date": max(line[1] for line in their_lines)
                        if their_lines
                        else False,
                        "their_reference": ", ".join(line[2] for line in their_lines if line[2])[
                            :250
                        ],
                        "their_description": " / ".join(line[3] for line in their_lines if line[3])[
                            :250
                        ],
                        "their_amount": group.their_amount / factor,
                        "their_count": len(their_lines),
                        "their_rows": ", ".join(str(line[4]) for line in their_lines)[:250],
                        "difference": (group.their_amount - group.our_amount) / factor,
                        "day_difference": group.day_diff,
                    }
                )
            matches = Match.create(vals_list)
            pairs = []
            for group, match in zip(groups, matches, strict=True):
                their_ids = [theirs[j][0] for j in group.theirs]
                pairs += [(their_id, match.id, group.status) for their_id in their_ids]
                key = (frozenset(ours[i][0] for i in group.ours), frozenset(their_ids))
                if key in disputed:
                    match.dispute_id = disputed[key]
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
            session.customer_ledger_match_date = fields.Datetime.now()
        return True

    # ------------------------------------------------------------------ actions
    def action_open_customer_ledger_import(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Import the Customer's Ledger"),
            "res_model": "customer.reconciliation.ledger.import.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_session_id": self.id},
        }

    def action_open_customer_comparison(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Comparison of %s with the Customer's Ledger", self.name),
            "res_model": "customer.reconciliation.match",
            "view_mode": "list",
            "views": [
                (self.env.ref("customer_reconciliation.view_reconciliation_match_list").id, "list")
            ],
            "search_view_id": self.env.ref(
                "customer_reconciliation.view_reconciliation_match_search"
            ).id,
            "domain": [("session_id", "=", self.id)],
            "context": {"create": False, "search_default_not_matched": 1},
        }
