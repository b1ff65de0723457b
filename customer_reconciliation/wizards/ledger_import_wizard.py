from itertools import islice

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.customer_line import SIGN_CONVENTIONS
from ..models.ir_attachment import unindexed
from ..tools.client_actions import closing_notification
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
        help="The customer's ledger of us as an Excel (.xlsx, .xls) or CSV file (UTF-8, GBK or Big5).",
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
    sign_conflict = fields.Boolean(readonly=True)
    sheet_id = fields.Many2one(
        "customer.reconciliation.ledger.import.sheet",
        domain="[('wizard_id', '=', id)]",
        help="The sheet of the workbook to import, when several look like a ledger.",
    )
    sheet_ids = fields.One2many(
        "customer.reconciliation.ledger.import.sheet", "wizard_id", string="Sheets"
    )
    sheet_count = fields.Integer(compute="_compute_sheet_count")
    day_order = fields.Selection(
        [
            ("day_first", "Day/month/year: 03/04/2026 is 3 April"),
            ("month_first", "Month/day/year: 03/04/2026 is 4 March"),
        ],
        string="Dates Are Written",
        help="Asked when every date of the file could be read both ways.",
    )
    day_order_open = fields.Boolean(readonly=True)
    mapped_header_row = fields.Integer(readonly=True)
    rows_info = fields.Char(string="Rows", readonly=True)
    parse_error = fields.Text(readonly=True)
    preview = fields.Html(string="First Rows as Read", readonly=True, sanitize=True)
    date_tolerance = fields.Integer(string="Date Tolerance (days)", default=7)
    amount_tolerance = fields.Monetary()
    remember = fields.Boolean(string="Remember for this customer", default=True)
    row_estimate = fields.Integer(string="Rows (about)", readonly=True)
    background = fields.Boolean(
        string="Imported in the Background",
        compute="_compute_background",
        help="A file of many rows is imported by a scheduled action: you are notified when it "
        "is done.",
    )

    @api.model_create_multi
    def create(self, vals_list):
        # The uploaded file is stored without Odoo's full-text index (ir_attachment.unindexed).
        wizards = super(CustomerReconciliationLedgerImportWizard, unindexed(self)).create(vals_list)
        return wizards.with_env(self.env)

    def write(self, vals):
        return super(CustomerReconciliationLedgerImportWizard, unindexed(self)).write(vals)

    @api.depends("row_estimate")
    def _compute_background(self):
        for wizard in self:
            wizard.background = lp.in_background(wizard.row_estimate)

    @api.depends("sheet_ids")
    def _compute_sheet_count(self):
        for wizard in self:
            wizard.sheet_count = len(wizard.sheet_ids)

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
            if self.filename:
                raise UserError(self.env._("%s is empty.", self.filename))
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
        """Read the file, find its header row and propose the columns (remembered ones first,
        or those the user set for the same header row), and show the first rows as read."""
        self.ensure_one()
        filename = self.filename or self.env._("the file")
        session = self.session_id
        remembered = session.partner_id.commercial_partner_id.reconciliation_ledger_mapping or {}
        # The import's ceilings and time limit hold here too: a file too big is refused on Next
        # (with the background's time: a file of many rows is imported there).
        deadline = lp.Deadline(filename, lp.BACKGROUND_TIME_LIMIT)
        keep_columns = self.step == "mapping" and self.header_row == self.mapped_header_row
        try:
            table = lp.read_table(
                self._content(),
                filename,
                deadline,
                sheet=self.sheet_id.name or None,
                is_header=lp.looks_like_header,
            )
            # Its rows could not all be imported in time: said now, before they are parsed.
            lp.Deadline(filename, lp.time_limit(table.row_estimate)).reserve(
                table.row_estimate, whole_import=True
            )
            position = lp.find_header(table, self.header_row or None)
            number, headers = lp.row_at(table, position)
            samples = [
                cells for _number, cells in islice(table.iter_rows(), position + 1, position + 4)
            ]
        except lp.LedgerError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        mapping = (
            self._mapping()
            if keep_columns and self.column_ids
            else lp.guess_mapping(headers, remembered.get("columns"))
        )
        self._set_columns(headers, samples, mapping)
        self._set_sheets(table)
        self.header_row = self.mapped_header_row = number
        self.row_estimate = table.row_estimate
        self.file_info = self.env._(
            "%(format)s (%(detail)s), column titles on row %(row)s",
            format=table.format.upper(),
            detail=table.detail,
            row=number,
        )
        self._read_rows(table, position, mapping, remembered.get("sign"), deadline)
        self.step = "mapping"
        return self._reopen()

    def _set_columns(self, headers, samples, mapping):
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

    def _set_sheets(self, table):
        """The sheets that look like a ledger, for the user to pick one, when there are several."""
        Sheet = self.env["customer.reconciliation.ledger.import.sheet"]
        self.sheet_ids.unlink()
        names = list(getattr(table, "ledger_sheets", None) or [])
        if len(names) < 2:
            self.sheet_id = False
            return
        sheets = Sheet.create(
            [{"wizard_id": self.id, "sequence": n, "name": name} for n, name in enumerate(names)]
        )
        self.sheet_id = sheets.filtered(lambda sheet: sheet.name == table.detail)[:1] or sheets[:1]

    def _read_rows(self, table, position, mapping, remembered_sign, deadline):
        """Parse the file with ``mapping``: the first rows as read, the count of each kind of
        row, the order of day and month, the sign convention and why (or what does not read)."""
        Line = self.env["customer.reconciliation.customer.line"]
        day_first = {"day_first": True, "month_first": False}.get(self.day_order)
        try:
            # The columns are proposed: the rows are freed as they are parsed.
            ledger = lp.parse_ledger(
                table,
                position,
                mapping,
                deadline,
                release=True,
                places=self.session_id.currency_id.decimal_places,
                day_first=day_first if self.day_order_open else None,
            )
            # Too many lines to compare in time: said now rather than after the mapping.
            lp.Deadline(table.filename, lp.time_limit(self.row_estimate)).reserve(len(ledger.lines))
        except lp.TooSlow as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        except lp.LedgerError as error:
            # The user fixes the mapping on this screen; the import refuses what does not read.
            self.write(
                {
                    "parse_error": self.env._(error.message, **error.params),
                    "preview": False,
                    "rows_info": False,
                    "sign_convention": remembered_sign or "mirror",
                    "sign_note": False,
                    "sign_conflict": False,
                }
            )
            return
        sign, sign_note, conflict = self._sign_choice(ledger, remembered_sign)
        self.write(
            {
                "parse_error": False,
                "preview": Line._preview_html(ledger),
                "rows_info": Line._rows_summary(ledger),
                "day_order_open": self.day_order_open or ledger.day_order_open,
                "sign_convention": sign,
                "sign_note": sign_note,
                "sign_conflict": conflict,
            }
        )

    def _sign_choice(self, ledger, remembered_sign):
        """(sign convention, note, conflict): the file's evidence, the remembered convention as
        a default, and a warning when the two disagree."""
        _ = self.env._
        evidence, why = self.env["customer.reconciliation.customer.line"]._sign_evidence(
            self.session_id, ledger
        )
        labels = dict(self._fields["sign_convention"]._description_selection(self.env))
        if evidence and remembered_sign and evidence != remembered_sign:
            return (
                evidence,
                _(
                    "Remembered for this customer: %(remembered)s. This file shows the other "
                    "convention (%(why)s): check it before importing.",
                    remembered=labels[remembered_sign],
                    why=why,
                ),
                True,
            )
        if evidence:
            return evidence, _("Shown by the file: %s.", why), False
        if remembered_sign:
            return (
                remembered_sign,
                _("Remembered for this customer (the file does not tell)."),
                False,
            )
        return (
            "mirror",
            _("The file does not tell: their accounts payable of us is assumed."),
            False,
        )

    def action_back(self):
        self.write(
            {
                "step": "upload",
                "column_ids": [fields.Command.clear()],
                "header_row": 0,
                "mapped_header_row": 0,
                "day_order": False,
                "day_order_open": False,
            }
        )
        return self._reopen()

    def action_import(self):
        self.ensure_one()
        if self.day_order_open and not self.day_order:
            raise UserError(
                self.env._(
                    "Say how the dates of %s are written: every one of them reads both ways.",
                    self.filename or self.env._("the file"),
                )
            )
        session = self.session_id
        tolerances = {
            "customer_ledger_date_tolerance": self.date_tolerance,
            "customer_ledger_amount_tolerance": self.amount_tolerance,
        }
        options = {
            "mapping": self._mapping(),
            "sign": self.sign_convention,
            "header_row": self.header_row,
            "remember": self.remember,
            "day_first": (self.day_order == "day_first") if self.day_order_open else None,
            "sheet": self.sheet_id.name or None,
        }
        filename = self.filename or self.env._("the file")
        if self.background:
            job = self.env["customer.reconciliation.ledger.import"]._queue(
                session,
                filename,
                self._content(),
                dict(options, tolerances=tolerances),
                self.row_estimate,
            )
            return closing_notification(
                self.env._(
                    "%(job)s: about %(rows)s rows. You are notified when it is done.",
                    job=job.display_name,
                    rows=f"{self.row_estimate:,}",
                ),
                "info",
                title=self.env._("Importing in the background"),
            )
        # The tolerances and the import are kept together or not at all.
        with self.env.cr.savepoint():
            session.write(tolerances)
            session._import_customer_ledger(filename, self._content(), **options)
        return {"type": "ir.actions.act_window_close"}
