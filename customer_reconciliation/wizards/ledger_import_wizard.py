from itertools import islice

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.customer_line import SIGN_CONVENTIONS
from ..models.ir_attachment import unindexed
from ..tools.customer_ledger import parsing as lp


class CustomerReconciliationLedgerImportWizard(models.TransientModel):
    """Import the customer's ledger: upload the file, confirm the columns, compare."""

    _name = "customer.reconciliation.ledger.import.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Import the Customer's Ledger"

    session_id = fields.Many2one(
        "customer.reconciliation.session", string="Statement", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="session_id.partner_id")
    currency_id = fields.Many2one(related="session_id.currency_id")
    step = fields.Selection(
        [("upload", "File"), ("mapping", "Columns")], default="upload", required=True
    )
    # Kept as an attachment (the filestore): read back as bytes, never as a base64 text.
    file = fields.Binary(
        string="Ledger File",
        help="The customer's ledger of us as an Excel (.xlsx, .xls) or CSV file (UTF-8 or GBK).",
    )
    filename = fields.Char()
    column_ids = fields.One2many(
        "customer.reconciliation.ledger.import.column", "wizard_id", string="Columns"
    )
    header_row = fields.Integer(help="The row of the column titles in the file.")
    file_info = fields.Char(readonly=True)
    sign_convention = fields.Selection(
        SIGN_CONVENTIONS, string="Their Amounts", default="mirror", required=True
    )
    sign_note = fields.Char(readonly=True)
    date_tolerance = fields.Integer(string="Date Tolerance (days)", default=7)
    amount_tolerance = fields.Monetary()
    remember = fields.Boolean(string="Remember for this customer", default=True)

    @api.model_create_multi
    def create(self, vals_list):
        # The uploaded file is stored without Odoo's full-text index (ir_attachment.unindexed).
        wizards = super(CustomerReconciliationLedgerImportWizard, unindexed(self)).create(vals_list)
        return wizards.with_env(self.env)

    def write(self, vals):
        return super(CustomerReconciliationLedgerImportWizard, unindexed(self)).write(vals)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        session = self.env["customer.reconciliation.session"].browse(values.get("session_id"))
        if session:
            values.setdefault("date_tolerance", session.customer_ledger_date_tolerance)
            values.setdefault("amount_tolerance", session.customer_ledger_amount_tolerance)
        return values

    def _content(self):
        """The bytes of the uploaded file, read from the filestore (the wizard's own
        attachment; ``file`` would be its base64 text, a third larger and decoded again)."""
        self.ensure_one()
        attachment = (
            self.env["ir.attachment"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_field", "=", "file"),
                    ("res_id", "=", self.id),
                ],
                limit=1,
            )
        )
        content = attachment.raw if attachment else b""
        attachment.invalidate_recordset(["raw"])
        if not content:
            raise UserError(self.env._("Choose the customer's ledger file."))
        return content

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import the Customer's Ledger"),
        }

    def _mapping(self):
        mapping = {}
        for column in self.column_ids.filtered("role"):
            if column.role in mapping:
                raise UserError(
                    self.env._(
                        "Two columns are mapped as %s: keep one.",
                        dict(column._fields["role"]._description_selection(self.env))[column.role],
                    )
                )
            mapping[column.role] = column.column_index
        return mapping

    def action_read_file(self):
        """Read the file, find its header row and propose the columns (remembered ones first)."""
        self.ensure_one()
        filename = self.filename or self.env._("the file")
        session = self.session_id
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        # The import's ceilings and time limit hold here too: a file too big is refused on Next.
        deadline = lp.Deadline(filename)
        try:
            table = lp.read_table(self._content(), filename, deadline)
            # Its rows could not all be imported in time: said now, before they are parsed.
            lp.Deadline(filename).reserve(table.row_estimate, whole_import=True)
            position = lp.find_header(table, self.header_row or None)
            number, headers = lp.row_at(table, position)
            samples = [
                cells for _number, cells in islice(table.iter_rows(), position + 1, position + 4)
            ]
        except lp.LedgerError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        mapping = lp.guess_mapping(headers, remembered.get("columns"))
        self.column_ids = [fields.Command.clear()] + [
            fields.Command.create(
                {
                    "sequence": index,
                    "column_index": index,
                    "letter": lp.column_letter(index),
                    "header": str(header).strip() if header is not None else "",
                    "sample": " | ".join(
                        str(cells[index])
                        for cells in samples
                        if index < len(cells) and lp.filled(cells[index])
                    )[:120],
                    "role": next((role for role, i in mapping.items() if i == index), False),
                }
            )
            for index, header in enumerate(headers)
            if lp.filled(header)
            or any(index < len(cells) and lp.filled(cells[index]) for cells in samples)
        ]
        self.header_row = number
        self.file_info = self.env._(
            "%(format)s (%(detail)s), column titles on row %(row)s",
            format=table.format.upper(),
            detail=table.detail,
            row=number,
        )
        sign, sign_note = self._guess_sign(
            table, position, mapping, remembered.get("sign"), deadline
        )
        self.write({"step": "mapping", "sign_convention": sign or "mirror", "sign_note": sign_note})
        return self._reopen()

    def _guess_sign(self, table, position, mapping, remembered_sign, deadline):
        """(sign convention, note) from the amounts of the lines the guessed mapping reads."""
        filename = table.filename
        try:
            # The columns are proposed: the rows are freed as they are parsed.
            ledger = lp.parse_ledger(
                table,
                position,
                mapping,
                deadline,
                release=True,
                places=self.session_id.currency_id.decimal_places,
            )
            # Too many lines to compare in time: said now rather than after the mapping.
            lp.Deadline(filename).reserve(len(ledger.lines))
        except lp.TooSlow as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        except lp.LedgerError:
            # The user fixes the mapping on the next screen; errors are reported on import.
            return remembered_sign, False
        guessed = self.env["customer.reconciliation.customer.line"]._guess_sign(
            self.session_id, ledger
        )
        if not remembered_sign:
            return guessed, self.env._("Guessed from the amounts of %s lines.", len(ledger.lines))
        if remembered_sign != guessed:
            return remembered_sign, self.env._(
                "Remembered for this customer, but the amounts suggest the other convention."
            )
        return remembered_sign, False

    def action_back(self):
        self.write({"step": "upload", "column_ids": [fields.Command.clear()], "header_row": 0})
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        session = self.session_id
        # The tolerances and the import are kept together or not at all.
        with self.env.cr.savepoint():
            session.write(
                {
                    "customer_ledger_date_tolerance": self.date_tolerance,
                    "customer_ledger_amount_tolerance": self.amount_tolerance,
                }
            )
            session._import_customer_ledger(
                self.filename or self.env._("the file"),
                self._content(),
                mapping=self._mapping(),
                sign=self.sign_convention,
                header_row=self.header_row,
                remember=self.remember,
            )
        return {"type": "ir.actions.act_window_close"}
