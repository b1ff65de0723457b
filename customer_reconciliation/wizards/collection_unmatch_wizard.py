"""Unmatch: a Reconciliation Manager undoes a validated match, with the reason posted on the
collections (the rule is the collections', ``models/collection_manual.py``)."""

from odoo import fields, models


class CustomerReconciliationCollectionUnmatchWizard(models.TransientModel):
    """The collections whose match is undone and why."""

    _name = "customer.reconciliation.collection.unmatch.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Undo the Match of Collections"

    collection_ids = fields.Many2many(
        "customer.reconciliation.collection",
        "customer_reconciliation_collection_unmatch_wizard_rel",
        "wizard_id",
        "collection_id",
        string="Collections",
        readonly=True,
        default=lambda self: self._default_collections(),
    )
    reason = fields.Text(required=True)

    def _default_collections(self):
        context = self.env.context
        if context.get("active_model") != "customer.reconciliation.collection":
            return []
        return [fields.Command.set(context.get("active_ids") or [])]

    def action_unmatch(self):
        self.ensure_one()
        self.collection_ids.action_unmatch(self.reason)
        return {"type": "ir.actions.act_window_close"}
