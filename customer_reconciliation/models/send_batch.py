"""Bulk sending of statements: one batch, its lines, processed in the background when large."""

import logging

from odoo import api, fields, models

_logger = logging.getLogger(__name__)

# Up to this many statements are sent at once; more go to the background, committed per batch.
SEND_BATCH_SIZE = 50


class CustomerReconciliationSendBatch(models.Model):
    """A sending of statements by email: progress and, for each statement, sent or why not."""

    _name = "customer.reconciliation.send.batch"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Customer Reconciliation Statement Sending"
    _order = "id desc"

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Sent By", readonly=True, default=lambda self: self.env.user
    )
    template_id = fields.Many2one(
        "mail.template", required=True, readonly=True, ondelete="restrict"
    )
    state = fields.Selection(
        [("queued", "Queued"), ("running", "Sending"), ("done", "Done")],
        default="queued",
        required=True,
        readonly=True,
    )
    line_ids = fields.One2many(
        "customer.reconciliation.send.batch.line", "batch_id", string="Statements", readonly=True
    )
    total_count = fields.Integer(compute="_compute_counts", string="Statement Count")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    failed_count = fields.Integer(compute="_compute_counts", string="Failed")
    progress = fields.Float(compute="_compute_counts")

    @api.depends("create_date")
    def _compute_name(self):
        for batch in self:
            batch.name = self.env._(
                "Sending of %s",
                fields.Datetime.to_string(batch.create_date or fields.Datetime.now()),
            )

    @api.depends("line_ids.state")
    def _compute_counts(self):
        for batch in self:
            states = batch.line_ids.mapped("state")
            batch.total_count = len(states)
            batch.sent_count = states.count("sent")
            batch.failed_count = states.count("failed")
            done = batch.sent_count + batch.failed_count
            batch.progress = 100.0 * done / batch.total_count if batch.total_count else 100.0

    @api.model
    def _start(self, sessions, template):
        """Create the batch; small ones are sent at once, large ones queued for the cron."""
        batch = self.create(
            {
                "template_id": template.id,
                "company_id": sessions.company_id[:1].id or self.env.company.id,
                "line_ids": [
                    fields.Command.create({"session_id": session.id}) for session in sessions
                ],
            }
        )
        if len(sessions) <= SEND_BATCH_SIZE:
            while batch._process_batch():
                pass
        else:
            self.env.ref("customer_reconciliation.ir_cron_send_statements")._trigger()
        return batch

    def _process_batch(self, batch_size=None):
        """Send the next pending statements; True while some remain."""
        self.ensure_one()
        pending = self.line_ids.filtered(lambda line: line.state == "pending")[
            : batch_size or SEND_BATCH_SIZE
        ]
        if not pending:
            self.state = "done"
            return False
        self.state = "running"
        sessions = pending.session_id.with_user(self.user_id).with_company(self.company_id)
        errors = sessions.sudo()._send_by_email(self.template_id)
        for line in pending:
            error = errors.get(line.session_id)
            line.write({"state": "failed", "error": error} if error else {"state": "sent"})
        remaining = bool(self.line_ids.filtered(lambda line: line.state == "pending"))
        if not remaining:
            self.state = "done"
        return remaining

    @api.model
    def _cron_send_statements(self):
        """Send queued batches, committing after each batch of statements."""
        Cron = self.env["ir.cron"]
        batches = self.search([("state", "in", ("queued", "running"))], order="id")
        pending = batches.line_ids.filtered(lambda line: line.state == "pending")
        Cron._commit_progress(remaining=len(pending))
        for batch in batches:
            while True:
                before = len(batch.line_ids.filtered(lambda line: line.state == "pending"))
                more = batch._process_batch()
                after = len(batch.line_ids.filtered(lambda line: line.state == "pending"))
                if Cron._commit_progress(before - after) <= 0:
                    return
                if not more:
                    break

    def action_open_failed(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Statements not sent"),
            "res_model": "customer.reconciliation.session",
            "view_mode": "list,form",
            "domain": [
                (
                    "id",
                    "in",
                    self.line_ids.filtered(lambda line: line.state == "failed").session_id.ids,
                )
            ],
        }
