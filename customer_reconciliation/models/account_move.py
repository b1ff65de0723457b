from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    reconciliation_line_ids = fields.One2many(
        "customer.reconciliation.line",
        "move_id",
        string="Reconciliation Statement Lines",
        groups="customer_reconciliation.group_reconciliation_user",
    )
    reconciliation_session_count = fields.Integer(
        compute="_compute_reconciliation_session_count",
        string="Reconciliation Statements",
        groups="customer_reconciliation.group_reconciliation_user",
    )

    @api.depends("reconciliation_line_ids")
    def _compute_reconciliation_session_count(self):
        counts = dict(self.env["customer.reconciliation.line"]._read_group(
            [("move_id", "in", self.ids)], ["move_id"], ["session_id:count_distinct"]
        ))
        for move in self:
            move.reconciliation_session_count = counts.get(move, 0)

    def action_view_reconciliation_sessions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_reconciliation.action_reconciliation_session"
        )
        action["domain"] = [("line_ids.move_id", "=", self.id)]
        action["context"] = {"create": False}
        return action
