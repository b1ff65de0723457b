"""The statement, step 5 (disputes): once every difference is settled, the disputed statement
is closed and its next version, whose balance carries the settlement entries, goes to the customer."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from .settlement import MANAGER_GROUP


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    settlement_ids = fields.One2many(
        "customer.reconciliation.settlement", "session_id", string="Settlements", readonly=True
    )
    settlement_count = fields.Integer(compute="_compute_settlement_count")

    @api.depends("settlement_ids")
    def _compute_settlement_count(self):
        groups = self.env["customer.reconciliation.settlement"]._read_group(
            [("session_id", "in", self.ids)], ["session_id"], ["__count"]
        )
        counts = {session.id: count for session, count in groups}
        for session in self:
            session.settlement_count = counts.get(session.id, 0)

    def _check_settlements_done(self):
        waiting = self.settlement_ids.filtered(lambda s: s.state in ("to_approve", "pending"))
        if waiting:
            labels = dict(waiting._fields["state"]._description_selection(self.env))
            raise UserError(
                self.env._(
                    "Statement %(name)s cannot be closed yet: settlement %(settlement)s is "
                    "%(state)s.",
                    name=waiting[0].session_id.name,
                    settlement=waiting[0].name,
                    state=labels[waiting[0].state],
                )
            )

    def action_close(self):
        # The books are right only once every settlement entry is posted.
        self._check_settlements_done()
        return super().action_close()

    def action_close_and_send_next(self):
        """Close the settled disputed statements, then generate their next versions, submit
        them, approve them when the approval rules let this user, and send the approved ones.

        Returns the new versions; those the rules keep for another manager wait for approval
        with an activity, and are sent once approved.
        """
        self._check_group(MANAGER_GROUP, self.env._("close"))
        self._check_state(["disputed"], self.env._("close and send the next version of"))
        self.action_close()
        new = self.next_version_ids.filtered(lambda s: s.state == "draft")
        new.action_submit()
        approvable = new.filtered(lambda s: s.company_id.reconciliation_allow_self_approval)
        approvable.action_approve()
        errors = approvable._send_by_email()
        for session in new:
            if session.state == "to_approve":
                status = self.env._("submitted: another manager approves it and sends it")
            elif session in errors and session.last_sending_state == "queued":
                # Its email leaves once this is committed (send_batch._send_after_commit).
                status = self.env._(
                    "approved; its email is on its way (the statement counts as sent once the "
                    "email has left)"
                )
            elif session in errors:
                status = self.env._("approved, not sent: %s", errors[session])
            else:
                status = self.env._("approved and sent to the customer")
            session.previous_version_id.message_post(
                body=self.env._(
                    "Disputes settled; version %(version)s (%(name)s) %(status)s.",
                    version=session.version,
                    name=session.name,
                    status=status,
                )
            )
        action = {
            "type": "ir.actions.act_window",
            "name": self.env._("Next Versions"),
            "res_model": self._name,
            "view_mode": "list,form",
            "domain": [("id", "in", new.ids)],
        }
        if len(new) == 1:
            action.update(view_mode="form", res_id=new.id)
        return action

    def _portal_settled_disputes(self):
        """The differences of the previous version and how they were settled, for the customer."""
        self.ensure_one()
        return self.previous_version_id.dispute_ids.filtered(
            lambda d: d.state in ("resolved", "rejected")
        )

    def action_open_settlements(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Settlements of %s", self.name),
            "res_model": "customer.reconciliation.settlement",
            "view_mode": "list,form",
            "domain": [("session_id", "=", self.id)],
            "context": {"create": False},
        }
