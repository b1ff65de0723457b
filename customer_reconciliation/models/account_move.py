from odoo import api, fields, models
from odoo.exceptions import UserError


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
        counts = dict(
            self.env["customer.reconciliation.line"]._read_group(
                [("move_id", "in", self.ids)], ["move_id"], ["session_id:count_distinct"]
            )
        )
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

    # ------------------------------------------------------------------ confirmed statements
    def _confirmed_reconciliation_sessions(self):
        """Statements the customer confirmed that contain one of these entries."""
        lines = (
            self.env["customer.reconciliation.line"]
            .sudo()
            .search(
                [
                    ("move_id", "in", self.ids),
                    ("session_id.state", "in", ("confirmed", "closed")),
                ]
            )
        )
        return lines.session_id

    def _check_confirmed_reconciliation(self, action):
        self.check_access("write")
        sessions = self._confirmed_reconciliation_sessions()
        if not sessions:
            return
        if not self.env.user.has_group("customer_reconciliation.group_reconciliation_manager"):
            raise UserError(
                self.env._(
                    "Cannot %(action)s: the entry belongs to the statement(s) %(statements)s, confirmed by the "
                    "customer. Ask a Reconciliation Manager.",
                    action=action,
                    statements=", ".join(sessions.mapped("name")),
                )
            )
        for session in sessions:
            session.message_post(
                body=self.env._(
                    "%(user)s did %(action)s on %(moves)s, which this confirmed statement contains.",
                    user=self.env.user.name,
                    action=action,
                    moves=", ".join((self & session.line_ids.move_id).mapped("display_name")),
                )
            )

    def button_draft(self):
        self._check_confirmed_reconciliation(self.env._("reset to draft"))
        return super().button_draft()

    def button_cancel(self):
        self._check_confirmed_reconciliation(self.env._("cancel"))
        return super().button_cancel()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_confirmed_reconciliation(self):
        self._check_confirmed_reconciliation(self.env._("delete"))
