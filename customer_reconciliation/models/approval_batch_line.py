"""One statement of a bulk approval: approved, or why not."""

import logging
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

_logger = logging.getLogger(__name__)


class CustomerReconciliationApprovalBatchLine(models.Model):
    """One statement of a bulk approval: pending, approved, or not approved with the reason."""

    _name = "customer.reconciliation.approval.batch.line"
    _description = "Customer Reconciliation Bulk Approval Line"
    _order = "batch_id, id"

    batch_id = fields.Many2one(
        "customer.reconciliation.approval.batch", required=True, ondelete="cascade", index=True
    )
    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        ondelete="cascade",
        index=True,
    )
    partner_id = fields.Many2one(related="session_id.partner_id", string="Customer")
    session_state = fields.Selection(related="session_id.state", string="Statement Status")
    state = fields.Selection(
        [
            ("pending", "Pending"),
            ("approved", "Approved"),
            ("refused", "Not Approved"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        readonly=True,
    )
    error = fields.Char(string="Reason", readonly=True)

    # The claiming query reads the pending lines in this order.
    _pending_idx = models.Index("(batch_id, id) WHERE state = 'pending'")

    # ------------------------------------------------------------------ guard
    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            for vals in vals_list:
                if "error" in vals or vals.get("state", "pending") != "pending":
                    raise AccessError(self._outcome_guard_message())
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            raise AccessError(self._outcome_guard_message())
        return super().write(vals)

    def _outcome_guard_message(self):
        return self.env._(
            "The lines of a bulk approval change only by approving: their outcome is the "
            "approval's."
        )

    # ------------------------------------------------------------------ approving
    def _approve(self, user):
        """Approve the statements of these lines as ``user``, with the checks of Approve:
        each statement still to approve and not prepared by ``user`` (unless the company
        allows it) is approved; the others are recorded with the reason."""
        sessions = self.session_id.with_user(user)
        if not user.has_group("customer_reconciliation.group_reconciliation_manager"):
            self._refuse(self.env._("%s is no longer a Reconciliation Manager.", user.name))
            return
        labels = dict(sessions._fields["state"]._description_selection(self.with_user(user).env))
        refusals = {}
        for session in sessions:
            if session.state != "to_approve":
                refusals[session] = self.with_user(user).env._(
                    "It is %s: it is no longer to approve.", labels[session.state]
                )
            elif session._prepared_by_approver():
                refusals[session] = session._prepared_by_approver_message()
        approvable = sessions - sessions.browse([s.id for s in refusals])
        if approvable:
            try:
                with self.env.cr.savepoint():
                    approvable.action_approve()
            except (UserError, AccessError) as exc:
                # Something changed between the checks and the approval: one by one.
                _logger.info("Bulk approval: %s; approving one by one", exc)
                approvable = self._approve_one_by_one(approvable, refusals)
        line_of = {line.session_id.id: line.id for line in self}
        self.browse([line_of[s.id] for s in approvable]).sudo().write(
            {"state": "approved", "error": False}
        )
        by_reason = defaultdict(list)  # one write per reason, not per statement
        for session, reason in refusals.items():
            by_reason[reason].append(line_of[session.id])
        for reason, line_ids in by_reason.items():
            self.browse(line_ids)._refuse(reason)

    @api.model
    def _approve_one_by_one(self, sessions, refusals):
        """Approve each of ``sessions`` in its own savepoint; the refused go to ``refusals``.
        Returns those approved."""
        approved = sessions.browse()
        for session in sessions:
            try:
                with self.env.cr.savepoint():
                    session.action_approve()
                approved |= session
            except (UserError, AccessError) as exc:
                refusals[session] = str(exc)
        return approved

    def _refuse(self, reason):
        self.sudo().write({"state": "refused", "error": reason})
        _logger.info("Bulk approval: %s statement(s) not approved: %s", len(self), reason)
