"""The customer's ledger as imported: one record per line of the file they sent us."""

from decimal import ROUND_HALF_UP, Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger import parsing as lp
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
    def _read_file(
        self,
        session,
        filename,
        content,
        mapping=None,
        header_row=None,
        deadline=None,
        release=False,
    ):
        """Parse a file without writing anything: (table, header position, mapping, ledger).

        Raises UserError naming the file, row and column of the first problem, or the ceiling
        the file goes beyond (``tools/customer_ledger/reading.py``), or when ``deadline`` (a
        ``Deadline``, by default the import's time limit from now) passes. ``release``: the
        rows of the table below its header are freed as they are parsed (see ``parse_ledger``).
        """
        session.ensure_one()
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        deadline = deadline or lp.Deadline(filename)
        try:
            table = lp.read_table(content, filename, deadline)
            # Refused now rather than after parsing, if its rows cannot all be imported in time.
            deadline.reserve(len(table.rows), rows_just_read=True)
            position = lp.find_header(table, header_row)
            if mapping is None:
                mapping = lp.guess_mapping(table.rows[position][1], remembered.get("columns"))
            ledger = lp.parse_ledger(table, position, mapping, deadline, release)
        except lp.LedgerError as error:
            raise self._user_error(error) from None
        return table, position, mapping, ledger

    def _user_error(self, error):
        return UserError(self.env._(error.message, **error.params))

    @api.model
    def _guess_sign(self, session, ledger):
        """'mirror' or 'same': whichever makes more of their amounts meet ours."""
        session.ensure_one()
        factor = 10**session.currency_id.decimal_places
        ours = [round(line.amount * factor) for line in session.line_ids if line.kind != "opening"]
        theirs = [int((line.raw * factor).to_integral_value()) for line in ledger.lines]
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
        table, position, mapping, ledger = self._read_file(
            session, filename, content, mapping, header_row, deadline, release=True
        )
        try:
            deadline.reserve(len(ledger.lines))
        except lp.LedgerError as error:
            raise self._user_error(error) from None
        headers = table.rows[position][1]
        del table  # only its header row is needed from here on
        partner = session.partner_id.commercial_partner_id
        sign = (
            sign
            or (partner.reconciliation_ledger_mapping or {}).get("sign")
            or self._guess_sign(session, ledger)
        )
        ledger.apply_sign(SIGNS[sign])
        money = _money(session.currency_id)
        try:
            with self.env.cr.savepoint():
                self._write_import(session, filename, content, ledger, sign, money, deadline)
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
                deadline.check()
                # The comparison (match.py) checks the same deadline between its batches.
                session._match_customer_ledger(deadline)
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
    def _write_import(self, session, filename, content, ledger, sign, money, deadline):
        """Replace the statement's imported file and lines with these (in the caller's savepoint)."""
        session.customer_match_ids.unlink()
        session.customer_line_ids.unlink()
        attachment = self.env["ir.attachment"].create(
            {
                "name": filename,
                "raw": content,
                "res_model": session._name,
                "res_id": session.id,
            }
        )
        self._insert_lines(session, attachment, ledger.lines, money, deadline)
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

    @api.model
    def _insert_lines(self, session, attachment, lines, money, deadline):
        """Their lines in a few INSERT queries: one ORM ``create`` per line costs about a
        millisecond (each monetary value resolves the statement's currency again), 100 s
        for a 10 MB file. The values are those ``create`` would write: rounded amounts, the
        stored related company, the log columns."""
        self.check_access("create")
        self.env.flush_all()
        now = self.env.cr.now()
        uid = self.env.uid
        for start in range(0, len(lines), INSERT_BATCH):
            batch = lines[start : start + INSERT_BATCH]
            self.env.cr.execute(
                SQL(
                    """
                INSERT INTO customer_reconciliation_customer_line
                       (session_id, company_id, attachment_id, row_number, date, reference, voucher,
                        description, their_debit, their_credit, amount, balance,
                        create_uid, create_date, write_uid, write_date)
                SELECT %(session)s, %(company)s, %(attachment)s, v.row_number, v.date, v.reference,
                       v.voucher, v.description, v.their_debit, v.their_credit, v.amount, v.balance,
                       %(uid)s, %(now)s, %(uid)s, %(now)s
                  FROM unnest(%(rows)s::int[], %(dates)s::date[], %(references)s::varchar[],
                              %(vouchers)s::varchar[], %(descriptions)s::varchar[],
                              %(debits)s::numeric[], %(credits)s::numeric[], %(amounts)s::numeric[],
                              %(balances)s::numeric[])
                       AS v(row_number, date, reference, voucher, description, their_debit,
                            their_credit, amount, balance)
                    """,
                    session=session.id,
                    company=session.company_id.id,
                    attachment=attachment.id,
                    uid=uid,
                    now=now,
                    rows=[line.row for line in batch],
                    dates=[line.date for line in batch],
                    references=[line.reference for line in batch],
                    vouchers=[line.voucher for line in batch],
                    descriptions=[line.description for line in batch],
                    debits=[money(line.debit) for line in batch],
                    credits=[money(line.credit) for line in batch],
                    amounts=[money(line.amount) for line in batch],
                    balances=[money(line.balance) for line in batch],
                )
            )
            deadline.check(batch[-1].row)
        session.invalidate_recordset(["customer_line_ids"])


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
