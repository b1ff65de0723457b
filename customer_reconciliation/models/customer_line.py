"""The customer's ledger as imported: one record per line of the file they sent us."""

from array import array
from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger import parsing as lp
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
    def _open_file(self, session, filename, content, mapping=None, header_row=None, deadline=None):
        """Open a file without reading all its rows: (table, header position, mapping).

        Raises UserError naming the file and the ceiling it goes beyond
        (``tools/customer_ledger/reading.py``), or when its rows could not all be imported
        before ``deadline`` (a ``Deadline``, by default the import's time limit from now)."""
        session.ensure_one()
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        deadline = deadline or lp.Deadline(filename)
        try:
            table = lp.read_table(content, filename, deadline)
            # Refused now rather than after parsing, if its rows cannot all be imported in time.
            deadline.reserve(table.row_estimate, whole_import=True)
            position = lp.find_header(table, header_row)
            if mapping is None:
                mapping = lp.guess_mapping(lp.row_at(table, position)[1], remembered.get("columns"))
        except lp.LedgerError as error:
            raise self._user_error(error) from None
        return table, position, mapping

    @api.model
    def _parse_file(self, session, table, position, mapping, deadline):
        """The ledger below the header row (its rows freed as they are read); raises UserError
        naming the file, row and column of the first problem, or when ``deadline`` passes."""
        try:
            return lp.parse_ledger(
                table, position, mapping, deadline, True, session.currency_id.decimal_places
            )
        except lp.LedgerError as error:
            raise self._user_error(error) from None

    def _user_error(self, error):
        return UserError(self.env._(error.message, **error.params))

    @api.model
    def _guess_sign(self, session, ledger):
        """'mirror' or 'same': whichever makes more of their amounts meet ours."""
        session.ensure_one()
        factor = 10**session.currency_id.decimal_places
        ours = [round(line.amount * factor) for line in session.line_ids if line.kind != "opening"]
        theirs = ledger.units  # in minor units of the statement's currency
        return "same" if lm.guess_sign(ours, theirs) == 1 else "mirror"

    @api.model
    def _import_file(
        self, session, filename, content, mapping=None, sign=None, header_row=None, remember=True
    ):
        """Import the customer's ledger file into this statement and compare it with our lines.

        The entry point of the import wizard and of the portal's dispute step. ``mapping``:
        {role: column index} (default: remembered for this customer, else guessed from the
        headers); ``sign``: 'mirror' or 'same' (default: remembered, else guessed from the
        amounts). Everything is read and checked before anything is written, within the
        import's time limit: a bad file, too big or too slow a file raises UserError and leaves
        the statement as it was (the writes are in a savepoint, rolled back on any error). A new
        import replaces the previous one; the file is kept as an attachment of the statement.
        """
        session.ensure_one()
        if session.state == "cancelled":
            raise UserError(self.env._("Statement %s is cancelled.", session.name))
        deadline = lp.Deadline(filename)
        partner = session.partner_id.commercial_partner_id
        try:
            with self.env.cr.savepoint():
                table, position, mapping = self._open_file(
                    session, filename, content, mapping, header_row, deadline
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
                ledger = self._parse_file(session, table, position, mapping, deadline)
                deadline.reserve(len(ledger.lines))
                headers = lp.row_at(table, position)[1]
                del table  # only its header row is needed from here on
                sign = (
                    sign
                    or (partner.reconciliation_ledger_mapping or {}).get("sign")
                    or self._guess_sign(session, ledger)
                )
                ledger.apply_sign(SIGNS[sign])
                self._write_import(session, attachment, ledger, sign, deadline)
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
                "Customer's ledger %(file)s imported: %(lines)s lines, %(skipped)s rows skipped "
                "(blank, subtotals, opening and closing rows).",
                file=filename,
                lines=len(ledger.lines),
                skipped=ledger.skipped,
            ),
            attachment_ids=session.customer_ledger_attachment_id.ids,
        )
        return session.customer_line_ids

    @api.model
    def _write_import(self, session, attachment, ledger, sign, deadline):
        """Replace the statement's imported file, lines and comparison with these (in the
        caller's savepoint). Their lines are compared first and inserted with their comparison
        row: an update of every line afterwards would cost as much as inserting them."""
        session.customer_match_ids.unlink()
        session.customer_line_ids.unlink()
        money = _money(session.currency_id)
        session._workflow_write(
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


def _money(currency):
    """Amounts rounded as the currency rounds them (0.0 for a missing one); a power-of-ten
    rounding (the usual case) with Decimal arithmetic, as fast as a C call."""
    places = currency.decimal_places
    if currency.is_zero(currency.rounding - 10**-places):
        step = Decimal(1).scaleb(-places)

        def money(value):
            return float(value.quantize(step, ROUND_HALF_UP)) if value is not None else 0.0

        return money

    def money(value):
        return currency.round(float(value)) if value is not None else 0.0

    return money
