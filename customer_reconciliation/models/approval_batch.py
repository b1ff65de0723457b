"""Bulk approval of statements: a manager's selection, approved in the background when large."""

import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Up to this many statements are approved at once; more go to the background, committed per
# batch of APPROVAL_BATCH_SIZE.
APPROVE_NOW_LIMIT = 200
APPROVAL_BATCH_SIZE = 500


class CustomerReconciliationApprovalBatch(models.Model):
    """A manager's approval of many statements: progress and, for each, approved or why not."""

    _name = "customer.reconciliation.approval.batch"
    _inherit = ["customer.reconciliation.bulk.job"]
    _description = "Customer Reconciliation Bulk Approval"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    user_id = fields.Many2one(
        "res.users", string="Approver", readonly=True, default=lambda self: self.env.user
    )
    line_ids = fields.One2many(
        "customer.reconciliation.approval.batch.line",
        "batch_id",
        string="Statements",
        readonly=True,
    )
    total_count = fields.Integer(compute="_compute_counts", string="Statement Count")
    approved_count = fields.Integer(compute="_compute_counts", string="Approved")
    refused_count = fields.Integer(compute="_compute_counts", string="Not Approved")
    cancelled_count = fields.Integer(compute="_compute_counts", string="Cancelled")
    progress = fields.Float(compute="_compute_counts")

    @api.depends("create_date")
    def _compute_name(self):
        for batch in self:
            batch.name = self.env._(
                "Approval of %s",
                fields.Datetime.to_string(batch.create_date or fields.Datetime.now()),
            )

    @api.depends("line_ids.state")
    def _compute_counts(self):
        counts = self._line_counts()
        for batch in self:
            by_state = counts.get(batch.id, {})
            batch.total_count = sum(by_state.values())
            batch.approved_count = by_state.get("approved", 0)
            batch.refused_count = by_state.get("refused", 0)
            batch.cancelled_count = by_state.get("cancelled", 0)
            batch.progress = self._progress(by_state)

    def _guard_message(self):
        return self.env._(
            "A bulk approval is made by its approver and moves on by approving only: its "
            "state and approver are not set by hand."
        )

    @api.model
    def _start(self, sessions):
        """Queue the approval of ``sessions`` by the current user for the scheduled actions."""
        batch = self.create(
            {"line_ids": [fields.Command.create({"session_id": s.id}) for s in sessions]}
        )
        for xmlid in ("ir_cron_approve_statements", "ir_cron_approve_statements_second"):
            self.env.ref(f"customer_reconciliation.{xmlid}")._trigger()
        return batch

    @api.model
    def _cron_approve_statements(self):
        """Approve the statements of the queued bulk approvals, a claimed batch at a time, as
        each approval's approver: a batch is one transaction (a worker killed in it leaves
        its statements to be approved by the next), several workers share the approvals."""
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=self._pending_line_count())
        while True:
            lines = self._claim_pending_lines(APPROVAL_BATCH_SIZE, retry=True)
            if not lines:
                break
            for batch in lines.batch_id:
                lines.filtered(lambda line, batch=batch: line.batch_id == batch)._approve(
                    batch.user_id
                )
            lines.batch_id._end_if_done()
            if Cron._commit_progress(len(lines), remaining=self._pending_line_count()) <= 0:
                return
        self.search([("state", "=", "queued")])._end_if_done()

    def _finished_message(self):
        self.ensure_one()
        return (
            self.env._("Statements approved"),
            self.env._(
                "%(approval)s: %(approved)s approved, %(refused)s not approved.",
                approval=self.name,
                approved=self.approved_count,
                refused=self.refused_count,
            ),
            bool(self.refused_count),
        )

    def action_open_refused(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Statements not approved"),
            "res_model": "customer.reconciliation.session",
            "view_mode": "list,form",
            "domain": [
                (
                    "id",
                    "in",
                    self.line_ids.filtered(lambda line: line.state == "refused").session_id.ids,
                )
            ],
        }
