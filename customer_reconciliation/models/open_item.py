"""The statement's open items at its end date: the basis of its aging."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..tools import aging
from .account_move_line import JournalItemReference
from .line import LINE_KINDS, StatementPartOf


class CustomerReconciliationOpenItem(models.Model):
    """A journal item still open at the statement end date: the basis of the aging."""

    _name = "customer.reconciliation.open.item"
    _description = "Customer Reconciliation Open Item"
    # Frozen content written by the engine in bulk: no author nor dates of its own (the
    # statement's generated_at says when); its company and currency are its statement's and
    # its entry its journal item's (not columns): foreign keys fewer to check on each of the
    # hundreds of thousands of rows a month-end writes.
    _log_access = False
    _order = "session_id, date_maturity, date, id"

    session_id = StatementPartOf(
        "customer.reconciliation.session", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="session_id.company_id")
    partner_id = fields.Many2one(related="session_id.partner_id", string="Customer")
    currency_id = fields.Many2one(related="session_id.currency_id")
    kind = fields.Selection(LINE_KINDS, required=True, readonly=True)
    date = fields.Date(readonly=True)
    move_id = fields.Many2one(related="move_line_id.move_id", string="Journal Entry")
    move_line_id = JournalItemReference(
        "account.move.line", string="Journal Item", readonly=True, index="btree_not_null"
    )
    name = fields.Char(string="Document", readonly=True)
    customer_ref = fields.Char(string="Customer Reference", readonly=True)
    date_maturity = fields.Date(string="Due Date", readonly=True)
    amount = fields.Monetary(string="Original Amount", readonly=True)
    open_amount = fields.Monetary(readonly=True)
    days_overdue = fields.Integer(readonly=True)
    aging_bucket = fields.Selection(aging.SELECTION, readonly=True)

    @api.model_create_multi
    def create(self, vals_list):  # pylint: disable=method-required-super
        # The engine inserts open items in bulk with SQL; through the ORM nobody does.
        raise UserError(
            self.env._("Open items come from the ledger: regenerate the statement instead.")
        )

    def write(self, vals):  # pylint: disable=method-required-super
        raise UserError(self.env._("Open items cannot be edited by hand."))

    @api.ondelete(at_uninstall=False)
    def _unlink_only_with_a_draft_statement(self):
        self.session_id._check_parts_deletable()
