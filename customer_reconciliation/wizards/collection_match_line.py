"""One receipt the cashier may pick in Match by Hand (collection_match_wizard.py)."""

from odoo import api, fields, models

from ..tools.client_actions import closing_notification


class CustomerReconciliationCollectionMatchLine(models.TransientModel):
    """A candidate receipt: a customer payment or a bank statement line."""

    _name = "customer.reconciliation.collection.match.line"
    _description = "Receipt Proposed for a Manual Match"
    _order = "id"

    wizard_id = fields.Many2one(
        "customer.reconciliation.collection.match.wizard", required=True, ondelete="cascade"
    )
    kind = fields.Selection(
        [("payment", "Payment"), ("statement_line", "Bank Statement Line")], readonly=True
    )
    payment_id = fields.Many2one("account.payment", readonly=True)
    statement_line_id = fields.Many2one(
        "account.bank.statement.line", string="Bank Statement Line", readonly=True
    )
    receipt_name = fields.Char(string="Receipt", compute="_compute_receipt_name")
    date = fields.Date(readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Booked To", readonly=True)
    label = fields.Char(string="Memo", readonly=True)
    journal_id = fields.Many2one("account.journal", readonly=True)
    amount_fits = fields.Boolean(
        string="Same Total",
        compute="_compute_flags",
        help="The receipt's amount equals the selected collections' total.",
    )
    partner_mismatch = fields.Boolean(
        string="Another Customer",
        compute="_compute_flags",
        help="Booked to another customer than the collections' (or to none).",
    )

    @api.depends("payment_id", "statement_line_id")
    def _compute_receipt_name(self):
        for line in self:
            line.receipt_name = (line.payment_id or line.statement_line_id).display_name

    @api.depends("amount", "partner_id", "wizard_id.amount_total", "wizard_id.partner_id")
    def _compute_flags(self):
        for line in self:
            wizard = line.wizard_id
            currency = wizard.currency_id or line.currency_id
            line.amount_fits = not currency.compare_amounts(line.amount, wizard.amount_total)
            line.partner_mismatch = line.partner_id != wizard.partner_id

    def action_pick(self):
        """Match the wizard's collections with this receipt and validate: the receipt is
        checked again by the collections (a client's values are not trusted)."""
        self.ensure_one()
        collections = self.wizard_id.collection_ids
        collections._match_manually(self.payment_id or self.statement_line_id)
        return closing_notification(
            self.env._(
                "%(count)s collection(s) matched with %(receipt)s.",
                count=len(collections),
                receipt=(self.payment_id or self.statement_line_id).display_name,
            )
        )
