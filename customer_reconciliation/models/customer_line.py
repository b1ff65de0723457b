"""The customer's ledger as imported: one record per line of the file they sent us."""

from array import array
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger import parsing as lp
from ..tools.customer_ledger import row_kinds as rk
from ..tools.customer_ledger import rows as lr
from .ir_attachment import unindexed
from .match import MATCH_STATUSES

# The customer's sign convention, and the factor that turns their amounts into ours.
SIGN_CONVENTIONS = [
    ("mirror", "Their books: their credit is our debit (accounts payable)"),
    ("same", "Our convention: a debit is what they owe us"),
]
SIGNS = {"mirror": -1, "same": 1}
# Their lines are inserted this many at a time (one query each, bounded parameters).
INSERT_BATCH = 10_000


class CustomerReconciliationCustomerLine(models.Model):
    """One line of the ledger the customer sent us (their accounts payable of us), as imported.

    ``amount`` and ``balance`` are converted to OUR sign convention (positive: the customer owes
    us more); ``their_debit`` / ``their_credit`` are kept as they appear in the file.
    """

    _name = "customer.reconciliation.customer.line"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Customer Ledger Line"
    _order = "session_id, row_number, id"
    # Rows of a file, up to 200,000 at a time: who imported it and when is the statement's
    # (import date, chatter) and the file's (its attachment); no log columns a line, whose
    # foreign keys would cost a third of the import.
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
    attachment_id = fields.Many2one(
        "ir.attachment", string="Imported File", readonly=True, ondelete="set null"
    )
    row_number = fields.Integer(string="Row", help="The row of the line in the imported file.")
    date = fields.Date(required=True)
    reference = fields.Char(
        help="Our document number as the customer wrote it: invoice number, order number..."
    )
    voucher = fields.Char(string="Their Voucher", help="The customer's own voucher (凭证号).")
    description = fields.Char(help="The customer's description (摘要).")
    their_debit = fields.Monetary()
    their_credit = fields.Monetary()
    amount = fields.Monetary(
        help="In our sign convention: positive when the customer owes us more."
    )
    balance = fields.Monetary(
        string="Their Balance", help="The customer's running balance, in our sign convention."
    )
    match_id = fields.Many2one(
        "customer.reconciliation.match",
        string="Comparison",
        readonly=True,
        ondelete="set null",
        index="btree_not_null",
    )
    match_status = fields.Selection(MATCH_STATUSES, readonly=True, index=True)
    explanation = fields.Text(related="match_id.explanation")
    our_line_ids = fields.Many2many(related="match_id.our_line_ids", string="Our Lines")

    # ------------------------------------------------------------------ import
    @api.model
    def _open_file(
        self, session, filename, content, mapping=None, header_row=None, deadline=None, sheet=None
    ):
        """Open a file without reading all its rows: (table, header position, mapping).

        Raises UserError naming the file and the ceiling it goes beyond
        (``tools/customer_ledger/reading.py``), or when its rows could not all be imported
        before ``deadline`` (a ``Deadline``, by default the import's time limit from now).
        ``sheet``: the sheet of a workbook to read (default: the one that looks like a ledger)."""
        session.ensure_one()
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        deadline = deadline or lp.Deadline(filename)
        try:
            table = lp.read_table(
                content, filename, deadline, sheet=sheet or None, is_header=lp.looks_like_header
            )
            # Refused now rather than after parsing, if its rows cannot all be imported in time.
            deadline.reserve(table.row_estimate, whole_import=True)
            position = lp.find_header(table, header_row)
            if mapping is None:
                mapping = lp.guess_mapping(lp.row_at(table, position)[1], remembered.get("columns"))
        except lp.LedgerError as error:
            raise self._user_error(error) from None
        return table, position, mapping

    @api.model
    def _parse_file(self, session, table, position, mapping, deadline, day_first=None):
        """The ledger below the header row (its rows freed as they are read); raises UserError
        naming the file, row and column of the first problem, or when ``deadline`` passes.
        ``day_first``: how x/y/yyyy dates are written (None: as the column shows)."""
        try:
            return lp.parse_ledger(
                table,
                position,
                mapping,
                deadline,
                True,
                session.currency_id.decimal_places,
                day_first=day_first,
            )
        except lp.LedgerError as error:
            raise self._user_error(error) from None

    def _user_error(self, error):
        return UserError(self.env._(error.message, **error.params))

    @api.model
    def _sign_evidence(self, session, ledger):
        """(sign convention or None, why): what the file itself says of its convention.

        In order of strength: their document numbers that are ours (near the statement's
        period), with amounts of the same or the other sign; their amounts equal to ours or to
        ours negated; their closing balance against ours. A side wins with two thirds of the
        votes; None when the file does not tell."""
        session.ensure_one()
        factor = 10**session.currency_id.decimal_places
        ours = [line for line in session.line_ids if line.kind != "opening"]
        # Our documents by their own number (a payment's reference may name the invoice it
        # pays: it would vote for the invoice's sign), against their document-number column
        # only (their description of a payment may cite our invoice too).
        our_keys = {}
        for line in ours:
            for key in lm.reference_keys(line.name):
                our_keys.setdefault(key, round(line.amount * factor))
        start = session.date_from - timedelta(days=62)
        end = session.date_to + timedelta(days=62)
        same = mirror = 0
        for day, units, reference in zip(
            ledger.dates, ledger.units, ledger.references, strict=True
        ):
            if units and reference and start <= day <= end:
                amount = next(
                    (our_keys[key] for key in lm.reference_keys(reference) if key in our_keys), 0
                )
                same += bool(amount) and (amount > 0) == (units > 0)
                mirror += bool(amount) and (amount > 0) != (units > 0)
        _ = self.env._
        if same + mirror >= 3 and max(same, mirror) * 3 >= 2 * (same + mirror):
            return ("same" if same > mirror else "mirror"), _(
                "%(agree)s of %(total)s of their document numbers that are ours",
                agree=max(same, mirror),
                total=same + mirror,
            )
        same, mirror = lm.sign_votes((round(line.amount * factor) for line in ours), ledger.units)
        if same + mirror >= 3 and max(same, mirror) * 3 >= 2 * (same + mirror):
            return ("same" if same > mirror else "mirror"), _(
                "%(agree)s of %(total)s of their amounts equal to ours",
                agree=max(same, mirror),
                total=same + mirror,
            )
        last = ledger.lines[-1].balance_units if ledger.lines else None
        closing = round(session.closing_balance * factor)
        if last and closing and ledger.balance_factor:
            # Their balance in their debit-positive terms, against ours.
            mirrored = (ledger.balance_factor * last > 0) != (closing > 0)
            return ("mirror" if mirrored else "same"), _("their closing balance against ours")
        return None, ""

    def _kind_labels(self):
        """The kinds of rows (tools/customer_ledger/row_kinds.py) in the reader's words."""
        _ = self.env._
        return {
            rk.LINE: _("line"),
            rk.TITLE: _("title"),
            rk.HEADER: _("column titles"),
            rk.SUBTOTAL: _("subtotal"),
            rk.CARRIED: _("page carry-over"),
            rk.OPENING: _("opening balance"),
            rk.CLOSING: _("closing balance"),
            rk.NOTE: _("note (no date, no amount)"),
            rk.ZERO: _("entry of zero"),
        }

    def _rows_summary(self, ledger):
        """'120 lines; not lines: title 3, column titles 1, subtotal 2'."""
        labels = self._kind_labels()
        others = ", ".join(
            f"{labels[kind]} {ledger.kinds[kind]}" for kind in rk.KINDS if ledger.kinds.get(kind)
        )
        lines = self.env._("%s lines", len(ledger.lines))
        if not others:
            return lines
        return self.env._("%(lines)s; not lines: %(others)s", lines=lines, others=others)

    def _preview_html(self, ledger):
        """The first rows below the header as the import reads them, as an HTML table."""
        _ = self.env._
        labels = self._kind_labels()
        head = [
            _("Row"),
            _("Read as"),
            _("Date"),
            _("Document"),
            _("Amount (their books)"),
            _("Description"),
        ]
        rows = []
        for row, kind, day, reference, units, text in ledger.preview:
            amount = f"{ledger.decimal(units):,}" if units is not None else ""
            day = day.isoformat() if day else ""
            cells = [str(row), labels[kind], day, reference or "", amount, text or ""]
            muted = Markup("") if kind == rk.LINE else Markup(' class="text-muted"')
            tds = Markup("").join(Markup("<td>%s</td>") % cell for cell in cells)
            rows.append(Markup("<tr%s>%s</tr>") % (muted, tds))
        header = Markup("").join(Markup("<th>%s</th>") % cell for cell in head)
        return Markup(
            '<table class="table table-sm o_cr_ledger_preview"><thead><tr>%s</tr></thead>'
            "<tbody>%s</tbody></table>"
        ) % (header, Markup("").join(rows))

    def _import_note(self, ledger, sign, sign_reason, day_first):
        """How the file was read, in the reader's words: its lines and the rows that are not
        lines, the sign convention and why, the order of day and month when it mattered."""
        _ = self.env._
        parts = [_("Rows: %s.", self._rows_summary(ledger))]
        conventions = dict(
            self.env["customer.reconciliation.session"]
            ._fields["customer_ledger_sign"]
            ._description_selection(self.env)
        )
        parts.append(
            _(
                "Amounts read as: %(convention)s (%(why)s).",
                convention=conventions[sign],
                why=sign_reason,
            )
        )
        if ledger.day_order:
            order = _("day/month/year") if ledger.day_order == "day_first" else _("month/day/year")
            if day_first is None and ledger.day_order_open:
                parts.append(
                    _("Dates such as 03/04/2026 read as %s: the file does not tell.", order)
                )
            else:
                parts.append(_("Dates read as %s.", order))
        return " ".join(parts)

    @api.model
    def _import_file(
        self,
        session,
        filename,
        content,
        mapping=None,
        sign=None,
        header_row=None,
        remember=True,
        day_first=None,
        sheet=None,
        time_limit=None,
    ):
        """Import the customer's ledger file into this statement and compare it with our lines.

        The entry point of the import wizard and of the portal's dispute step. ``mapping``:
        {role: column index} (default: remembered for this customer, else guessed from the
        headers); ``sign``: 'mirror' or 'same' (default: remembered, else guessed from the
        amounts). Everything is read and checked before anything is written, within the
        import's time limit: a bad file, too big or too slow a file raises UserError and leaves
        the statement as it was (the writes are in a savepoint, rolled back on any error). A new
        import replaces the previous one; the file is kept as an attachment of the statement.
        ``time_limit``: its seconds (default ``TIME_LIMIT``; a background import has more).
        """
        session.ensure_one()
        if session.state == "cancelled":
            raise UserError(self.env._("Statement %s is cancelled.", session.name))
        deadline = lp.Deadline(filename, time_limit)
        partner = session.partner_id.commercial_partner_id
        try:
            with self.env.cr.savepoint():
                table, position, mapping = self._open_file(
                    session, filename, content, mapping, header_row, deadline, sheet
                )
                # The file is stored first, before its lines are in memory (and without
                # Odoo's full-text index: see ir_attachment.unindexed).
                attachment = unindexed(self.env["ir.attachment"]).create(
                    {
                        "name": filename,
                        "raw": content,
                        "res_model": session._name,
                        "res_id": session.id,
                    }
                )
                ledger = self._parse_file(session, table, position, mapping, deadline, day_first)
                deadline.reserve(len(ledger.lines))
                headers = lp.row_at(table, position)[1]
                del table  # only its header row is needed from here on
                sign, why = self._choose_sign(session, partner, ledger, sign)
                ledger.apply_sign(SIGNS[sign])
                note = self._import_note(ledger, sign, why, day_first)
                self._write_import(session, attachment, ledger, sign, deadline, note)
                if remember:
                    # A technical preference of the customer, saved whoever imports (portal included).
                    partner.sudo().reconciliation_ledger_mapping = {
                        "columns": {
                            role: lp.normalize_header(headers[index])
                            for role, index in mapping.items()
                            if index < len(headers)
                        },
                        "sign": sign,
                    }
        except lp.LedgerError as error:
            raise self._user_error(error) from None
        session.message_post(
            body=self.env._(
                "Customer's ledger %(file)s imported. %(note)s", file=filename, note=note
            ),
            attachment_ids=session.customer_ledger_attachment_id.ids,
        )
        return session.customer_line_ids

    def _choose_sign(self, session, partner, ledger, sign=None):
        """(sign convention, why): the one given (the accountant's choice), else what the file
        shows, else the one remembered for the customer, else their accounts payable."""
        _ = self.env._
        evidence, why = self._sign_evidence(session, ledger)
        if sign and evidence == sign:
            return sign, _("%s; confirmed on import", why)
        if sign and evidence:
            return sign, _("chosen on import, although the file shows the other (%s)", why)
        if sign:
            return sign, _("chosen on import")
        if evidence:
            return evidence, why
        remembered = (partner.reconciliation_ledger_mapping or {}).get("sign")
        if remembered:
            return remembered, _("remembered for this customer; the file does not tell")
        return "mirror", _("their accounts payable of us; the file does not tell")

    @api.model
    def _write_import(self, session, attachment, ledger, sign, deadline, note=False):
        """Replace the statement's imported file, lines and comparison with these (in the
        caller's savepoint). Their lines are compared first and inserted with their comparison
        row: an update of every line afterwards would cost as much as inserting them."""
        session.customer_match_ids.unlink()
        session.customer_line_ids.unlink()
        currency = session.currency_id

        def money(value):  # the currency's rounding, Odoo's own (0.0 when the file gives none)
            return currency.round(float(value)) if value is not None else 0.0

        session._workflow_write(
            {
                "customer_ledger_attachment_id": attachment.id,
                "customer_ledger_import_date": fields.Datetime.now(),
                "customer_ledger_sign": sign,
                "customer_ledger_import_note": note,
                "customer_ledger_opening": money(ledger.opening),
                "customer_ledger_opening_known": ledger.opening is not None,
                "customer_ledger_closing_reported": money(ledger.closing),
                "customer_ledger_closing_known": ledger.closing is not None,
            }
        )
        deadline.check()
        # Their ids first: the comparison rows name them; the comparison (match.py) checks the
        # same deadline between its batches.
        ids = self._draw_ids(len(ledger.lines))
        matches = session._match_customer_ledger(deadline, ledger, ids)
        self._insert_lines(session, attachment, ledger, ids, matches, deadline)

    def _draw_ids(self, count):
        """``count`` ids of this model's sequence, drawn as an insert would draw them."""
        self.env.cr.execute(
            SQL(
                """
            SELECT array_agg(nextval(s.name) ORDER BY n)
              FROM (SELECT pg_get_serial_sequence(%s, 'id') AS name) s, generate_series(1, %s) n
                """,
                self._table,
                count,
            )
        )
        return array("q", self.env.cr.fetchone()[0] or [])

    @api.model
    def _insert_lines(self, session, attachment, ledger, ids, matches, deadline):
        """Their lines in a few INSERT queries: one ORM ``create`` per line costs about a
        millisecond (each monetary value resolves the statement's currency again), 100 s
        for a 10 MB file. The values are those ``create`` would write: amounts rounded as the
        currency rounds them, the stored related company. ``ids``: those drawn
        for the lines; ``matches``: per line, (comparison row id, status)."""
        self.check_access("create")
        self.env.flush_all()
        units = _units(session.currency_id)
        sign, balance_sign = ledger.sign, ledger.balance_sign
        scale = 10**ledger.places
        for start in range(0, len(ids), INSERT_BATCH):
            part = slice(start, start + INSERT_BATCH)
            linked = matches[part]
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO customer_reconciliation_customer_line
                       (id, session_id, company_id, attachment_id, row_number, date, reference, voucher,
                        description, their_debit, their_credit, amount, balance, match_id,
                        match_status)
                SELECT v.id, %(session)s, %(company)s, %(attachment)s, v.row_number, v.date, v.reference,
                       v.voucher, v.description, v.their_debit / %(scale)s, v.their_credit / %(scale)s,
                       v.amount / %(scale)s, v.balance / %(scale)s, v.match_id, v.match_status
                  FROM unnest(%(ids)s::int[], %(rows)s::int[], %(dates)s::date[], %(references)s::varchar[],
                              %(vouchers)s::varchar[], %(descriptions)s::varchar[],
                              %(debits)s::numeric[], %(credits)s::numeric[], %(amounts)s::numeric[],
                              %(balances)s::numeric[], %(match_ids)s::int[],
                              %(statuses)s::varchar[])
                       AS v(id, row_number, date, reference, voucher, description, their_debit,
                            their_credit, amount, balance, match_id, match_status)
                    """,
                    session=session.id,
                    company=session.company_id.id,
                    attachment=attachment.id,
                    scale=SQL("%s::numeric", scale),
                    ids=lr.pg_array(ids[part]),
                    rows=lr.pg_array(ledger.rows[part]),
                    dates=lr.pg_array(ledger.dates[part]),
                    references=lr.pg_array(ledger.references[part]),
                    vouchers=lr.pg_array(ledger.vouchers[part]),
                    descriptions=lr.pg_array(ledger.descriptions[part]),
                    debits=lr.pg_array(map(units, ledger.debits[part])),
                    credits=lr.pg_array(map(units, ledger.credits[part])),
                    amounts=lr.pg_array(units(sign * value) for value in ledger.units[part]),
                    balances=lr.pg_array(
                        None if value == lp.NO_BALANCE else units(balance_sign * value)
                        for value in ledger.balances[part]
                    ),
                    match_ids=lr.pg_array(match_id for match_id, _status in linked),
                    statuses=lr.pg_array(status for _match_id, status in linked),
                )
            )
            deadline.check(ledger.rows[min(start + INSERT_BATCH, len(ids)) - 1])
        session.invalidate_recordset(["customer_line_ids"])


def _units(currency):
    """Minor units (10^-decimal places) rounded as the currency rounds them: themselves for
    a power-of-ten rounding (the usual case), else to the nearest step, half up."""
    places = currency.decimal_places
    step = round(currency.rounding * 10**places)
    if step <= 1:
        return lambda units: units

    def rounded(units):
        quotient, rest = divmod(abs(units), step)
        value = (quotient + (2 * rest >= step)) * step
        return value if units >= 0 else -value

    return rounded
