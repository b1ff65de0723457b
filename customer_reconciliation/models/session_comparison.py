"""The statement, step 6: the comparison with the customer's own ledger (对账 line by line).

The customer's file is read into their lines (``customer_line.py``), compared with ours into
comparison rows (``match.py``, where the comparison and the bridge are computed); the statement
keeps what was imported, the tolerances and the figures of the bridge.
"""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools.customer_ledger import parsing as lp
from ..tools.customer_ledger import rows as lr
from .customer_line import SIGN_CONVENTIONS


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    customer_line_ids = fields.One2many(
        "customer.reconciliation.customer.line", "session_id", string="Customer's Ledger"
    )
    customer_match_ids = fields.One2many(
        "customer.reconciliation.match", "session_id", string="Comparison"
    )
    customer_ledger_import_ids = fields.One2many(
        "customer.reconciliation.ledger.import", "session_id", string="Ledger Imports"
    )
    customer_ledger_import_queued = fields.Boolean(
        string="Ledger Import Queued", compute="_compute_customer_ledger_import"
    )
    customer_ledger_import_queued_file = fields.Char(
        string="Ledger File Queued", compute="_compute_customer_ledger_import"
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
    customer_ledger_import_note = fields.Text(
        string="How the File Was Read",
        readonly=True,
        copy=False,
        help="What the last import of the customer's ledger read and assumed: its lines, the rows "
        "that are not lines by kind, the sign convention and the order of day and month.",
    )
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
        figures = self.env["customer.reconciliation.match"]._bridge_figures(self)
        for session in self:
            session.update(figures[session.id])
            # Regenerated after the last comparison: our side changed since. The engine stamps
            # the transaction's start to the microsecond, the comparison its own second.
            session.customer_ledger_outdated = bool(
                session.customer_ledger_match_date
                and session.generated_at
                and session.generated_at.replace(microsecond=0) > session.customer_ledger_match_date
            )

    def _compute_customer_ledger_import(self):
        queued = {
            session.id: filenames
            # Whoever sees the statement sees that its ledger is being imported.
            for session, filenames in self.env["customer.reconciliation.ledger.import"]
            .sudo()
            ._read_group(
                [("session_id", "in", self.ids), ("state", "=", "queued")],
                ["session_id"],
                ["filename:array_agg"],
            )
        }
        for session in self:
            filenames = queued.get(session.id)
            session.customer_ledger_import_queued = bool(filenames)
            session.customer_ledger_import_queued_file = ", ".join(filenames or [])

    # ------------------------------------------------------------------ import and comparison
    def _import_customer_ledger(self, filename, content, **options):
        """Import the customer's ledger file into this statement and compare it with our lines.

        The entry point of the import wizard and of the portal's dispute step; ``options``
        (mapping, sign, header row, remember, day order, sheet) are those of
        ``customer.reconciliation.customer.line._import_file``.
        """
        self.ensure_one()
        return self.env["customer.reconciliation.customer.line"]._import_file(
            self, filename, content, **options
        )

    def _receive_customer_ledger(self, filename, content, user):
        """The customer's ledger file sent with their dispute by ``user`` (the portal calls it
        as superuser): imported at once, or, with more rows than a request imports
        (``in_background``), queued for the import workers, who read it as the portal does.
        A file that cannot be opened, or has too many rows even for them, is refused now
        (UserError). Returns the queued import, or an empty recordset when imported."""
        self.ensure_one()
        Imports = self.env["customer.reconciliation.ledger.import"]
        deadline = lp.Deadline(filename, lp.BACKGROUND_TIME_LIMIT)
        table = self.env["customer.reconciliation.customer.line"]._open_file(
            self, filename, content, deadline=deadline
        )[0]
        rows = table.row_estimate
        del table
        if lp.in_background(rows):
            return Imports._queue(self, filename, content, {}, rows, portal_user=user)
        self._import_customer_ledger(filename, content)
        return Imports

    def _match_customer_ledger(self, deadline=None, ledger=None, their_ids=None):
        """Compare our lines with theirs again and store the comparison, replacing the last one.

        ``deadline``: the import's time budget, checked between batches of comparison rows.
        ``ledger``, ``their_ids``: the parsed ledger being imported and the ids drawn for its
        lines (see ``customer.reconciliation.match._compare``); the result gives each line its
        comparison row.
        """
        result = self.env["customer.reconciliation.match"]._compare(
            self, deadline, ledger, their_ids
        )
        return result if ledger is not None else True

    def _comparison_our_lines(self, factor):
        """Our lines as the comparison reads them (``OurLine``, amounts in minor units: times
        ``factor``). A bridge adds references its customers book under (``ref``: any text whose
        numbers the matcher takes as the line's references)."""
        self.ensure_one()
        # Plain values read once: the matcher never goes back to the ORM per line.
        return [
            lr.OurLine(
                line.id,
                line.date,
                line.name or "",
                line.customer_ref,
                line.kind,
                round(line.amount * factor),
            )
            for line in self.line_ids
            if line.kind != "opening"
        ]

    def action_match_customer_ledger(self):
        """Compare again, after corrections on either side."""
        for session in self:
            if not session.customer_line_ids:
                raise UserError(
                    self.env._("Import the customer's ledger of %s first.", session.name)
                )
        self._match_customer_ledger()
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

    def action_open_customer_ledger_imports(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Ledger Imports of %s", self.name),
            "res_model": "customer.reconciliation.ledger.import",
            "view_mode": "list,form",
            "domain": [("session_id", "=", self.id)],
        }

    def action_export_customer_comparison(self):
        """Download the comparison as XLSX."""
        self.ensure_one()
        if not self.customer_match_ids:
            raise UserError(self.env._("Import the customer's ledger of %s first.", self.name))
        return {
            "type": "ir.actions.act_url",
            "url": f"/customer_reconciliation/statement/{self.id}/comparison/xlsx",
            "target": "download",
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
