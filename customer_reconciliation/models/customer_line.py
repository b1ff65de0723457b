"""The customer's ledger as imported: one record per line of the file they sent us."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.customer_ledger import matching as lm
from ..tools.customer_ledger import parsing as lp
from .match import MATCH_STATUSES

# The customer's sign convention, and the factor that turns their amounts into ours.
SIGN_CONVENTIONS = [
    ("mirror", "Their books: their credit is our debit (accounts payable)"),
    ("same", "Our convention: a debit is what they owe us"),
]
SIGNS = {"mirror": -1, "same": 1}


class CustomerReconciliationCustomerLine(models.Model):
    """One line of the ledger the customer sent us (their accounts payable of us), as imported.

    ``amount`` and ``balance`` are converted to OUR sign convention (positive: the customer owes
    us more); ``their_debit`` / ``their_credit`` are kept as they appear in the file.
    """

    _name = "customer.reconciliation.customer.line"
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
    def _read_file(self, session, filename, content, mapping=None, header_row=None):
        """Parse a file without writing anything: (table, header position, mapping, ledger).

        Raises UserError naming the file, row and column of the first problem.
        """
        session.ensure_one()
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        try:
            table = lp.read_table(content, filename)
            position = lp.find_header(table, header_row)
            if mapping is None:
                mapping = lp.guess_mapping(table.rows[position][1], remembered.get("columns"))
            ledger = lp.parse_ledger(table, position, mapping)
        except lp.LedgerError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        return table, position, mapping, ledger

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
        amounts). Everything is read and checked before anything is written: a bad file
        raises UserError and leaves the statement as it was. A new import replaces the
        previous one; the file is kept as an attachment of the statement.
        """
        session.ensure_one()
        if session.state == "cancelled":
            raise UserError(self.env._("Statement %s is cancelled.", session.name))
        table, position, mapping, ledger = self._read_file(
            session, filename, content, mapping, header_row
        )
        partner = session.partner_id.commercial_partner_id
        sign = (
            sign
            or (partner.reconciliation_ledger_mapping or {}).get("sign")
            or self._guess_sign(session, ledger)
        )
        ledger.apply_sign(SIGNS[sign])
        currency = session.currency_id

        def money(value):
            return currency.round(float(value)) if value is not None else 0.0

        # Valid: write.
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
        self.create(
            [
                {
                    "session_id": session.id,
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
        session._match_customer_ledger()
        session.message_post(
            body=self.env._(
                "Customer's ledger %(file)s imported: %(lines)s lines, %(skipped)s rows skipped "
                "(blank, subtotals, opening and closing rows).",
                file=filename,
                lines=len(ledger.lines),
                skipped=ledger.skipped,
            ),
            attachment_ids=attachment.ids,
        )
        return session.customer_line_ids
