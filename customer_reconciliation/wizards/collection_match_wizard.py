"""Match by Hand: the cashier picks, for one collection or several of one customer (a grouped
deposit), the receipt the matcher did not find. The candidates are listed by the collections'
own rule (``models/collection_manual.py``), which checks the pick again when it is made."""

from odoo import api, fields, models

COLLECTION_MODEL = "customer.reconciliation.collection"


class CustomerReconciliationCollectionMatchWizard(models.TransientModel):
    """The selected collections and the receipts that may pay them."""

    _name = "customer.reconciliation.collection.match.wizard"
    _description = "Match Collections by Hand"

    collection_ids = fields.Many2many(
        COLLECTION_MODEL,
        "customer_reconciliation_collection_match_wizard_rel",
        "wizard_id",
        "collection_id",
        string="Collections",
        readonly=True,
    )
    partner_id = fields.Many2one("res.partner", string="Customer", compute="_compute_summary")
    currency_id = fields.Many2one("res.currency", compute="_compute_summary")
    amount_total = fields.Monetary(
        string="Total Collected", compute="_compute_summary", currency_field="currency_id"
    )
    line_ids = fields.One2many(
        "customer.reconciliation.collection.match.line", "wizard_id", string="Receipts"
    )

    @api.model
    def _open_for(self, collections):
        """The wizard of ``collections`` with their candidate receipts, created here (nothing
        of it comes from the client but the line the cashier picks)."""
        collections._check_cashier(self.env._("match"))
        collections.sudo()._check_manual_selection()
        wizard = self.create(
            {
                "collection_ids": [fields.Command.set(collections.ids)],
                "line_ids": [
                    fields.Command.create(self._line_values(collections.sudo(), row))
                    for row in collections.sudo()._manual_candidates()
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Match by Hand"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"dialog_size": "extra-large"},
        }

    @api.model
    def _line_values(self, collections, row):
        kind = row["kind"]
        return {
            "kind": kind,
            "payment_id": row["receipt_id"] if kind == "payment" else False,
            "statement_line_id": row["receipt_id"] if kind == "statement_line" else False,
            "date": row["date"],
            "amount": row["amount"],
            "currency_id": collections.currency_id.id,
            "partner_id": row["partner_id"],
            "label": row["label"],
            "journal_id": row["journal_id"],
        }

    @api.depends("collection_ids")
    def _compute_summary(self):
        for wizard in self:
            collections = wizard.collection_ids
            wizard.partner_id = collections.partner_id[:1]
            wizard.currency_id = collections.currency_id[:1]
            wizard.amount_total = sum(collections.mapped("amount"))
