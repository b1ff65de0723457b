"""The statement's lines: the opening balance, then one line per journal item of the period."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .account_move_line import JournalItemReference


class StatementPartOf(fields.Many2one):
    """A line's or an open item's statement, with no foreign key in the database.

    A month-end writes hundreds of thousands of lines and open items, and PostgreSQL checked
    each row's statement one by one (about an eighth of a generation). What the key did is kept
    otherwise: only the engine writes these rows (the ORM refuses to create one), for the
    statements it generates; deleting statements deletes their lines and open items first,
    as ON DELETE CASCADE did (session.unlink, engine_workers._delete_parts); and a generation
    rewrites the totals of each statement it fills, so a statement deleted meanwhile makes one
    of the two a serialization failure, retried on a snapshot that sees the other's rows."""

    def update_db_foreign_key(self, model, column):
        return  # on purpose: see the class


LINE_KINDS = [
    ("opening", "Opening Balance"),
    ("invoice", "Invoice"),
    ("credit_note", "Credit Note"),
    ("payment", "Payment"),
    ("refund", "Refund"),
    ("exchange", "Exchange Difference"),
    ("misc", "Write-off / Miscellaneous"),
]


class CustomerReconciliationLine(models.Model):
    """One line of a statement: the opening balance or one journal item of the period.

    Lines are written in bulk by the generation engine (set-based SQL) and never by hand.
    """

    _name = "customer.reconciliation.line"
    _description = "Customer Reconciliation Statement Line"
    # Frozen content written by the engine in bulk: no author nor dates of its own (the
    # statement's generated_at says when), its company and currency are its statement's and
    # its entry and account its journal item's (not columns): foreign keys fewer to check on
    # each of the rows a month-end writes. The journal item's entry and account cannot change
    # while a confirmed statement shows it (the guard of account_move_line.py).
    _log_access = False
    _order = "session_id, sequence, id"

    session_id = StatementPartOf(
        "customer.reconciliation.session", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="session_id.company_id")
    partner_id = fields.Many2one(related="session_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="session_id.currency_id")
    company_currency_id = fields.Many2one(
        related="session_id.company_id.currency_id", string="Company Currency"
    )
    sequence = fields.Integer(readonly=True)
    kind = fields.Selection(LINE_KINDS, required=True, readonly=True)
    date = fields.Date(readonly=True)
    move_line_id = JournalItemReference(
        "account.move.line", string="Journal Item", readonly=True, index="btree_not_null"
    )
    move_id = fields.Many2one(related="move_line_id.move_id", string="Journal Entry")
    account_id = fields.Many2one(related="move_line_id.account_id")
    name = fields.Char(string="Document", readonly=True, help="Our document number.")
    customer_ref = fields.Char(
        string="Customer Reference",
        readonly=True,
        help="The customer's reference: invoice reference, payment memo, bank label.",
    )
    label = fields.Char(readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    debit = fields.Monetary(readonly=True)
    credit = fields.Monetary(readonly=True)
    amount = fields.Monetary(readonly=True, help="Signed amount in the statement currency.")
    amount_company = fields.Monetary(
        string="Amount (Company Currency)", currency_field="company_currency_id", readonly=True
    )
    balance = fields.Monetary(string="Running Balance", readonly=True)
    analytic_names = fields.Char(string="Dimensions", readonly=True)
    is_open = fields.Boolean(
        string="Open at End Date",
        readonly=True,
        help="Not fully reconciled by reconciliations dated on or before the statement end date.",
    )
    open_amount = fields.Monetary(
        readonly=True,
        help="Residual at the end date, in the statement currency.",
    )

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        # The engine inserts lines in bulk with SQL; through the ORM nobody does.
        raise UserError(
            self.env._("Statement lines come from the ledger: regenerate the statement instead.")
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(
            self.env._(
                "Statement lines cannot be edited by hand: change the journal entries and "
                "regenerate the draft statement."
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_only_with_a_draft_statement(self):
        self.session_id._check_parts_deletable()
