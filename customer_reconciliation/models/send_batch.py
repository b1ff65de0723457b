"""Bulk sending of statements: one batch, its lines, processed in the background when large."""

import logging
import time

from odoo import SUPERUSER_ID, api, fields, models, modules

_logger = logging.getLogger(__name__)

# Up to this many statements are sent at once; more go to the background, committed per batch.
SEND_BATCH_SIZE = 50


class CustomerReconciliationSendBatch(models.Model):
    """A sending of statements by email: progress and, for each statement, sent or why not."""

    _name = "customer.reconciliation.send.batch"
    _inherit = ["customer.reconciliation.validated.input", "customer.reconciliation.bulk.job"]
    _description = "Customer Reconciliation Statement Sending"
    _order = "id desc"
    # What is sent, by whom, with which template and for which company: set at creation.
    _set_at_creation = frozenset({"state", "user_id", "line_ids", "template_id", "company_id"})

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
    line_ids = fields.One2many(
        "customer.reconciliation.send.batch.line", "batch_id", string="Statements", readonly=True
    )
    total_count = fields.Integer(compute="_compute_counts", string="Statement Count")
    sent_count = fields.Integer(compute="_compute_counts", string="Sent")
    queued_count = fields.Integer(
        compute="_compute_counts",
        string="Waiting",
        help="Emails waiting in the outgoing mail queue: their statements count as sent once "
        "the emails have left.",
    )
    failed_count = fields.Integer(compute="_compute_counts", string="Failed")
    cancelled_count = fields.Integer(compute="_compute_counts", string="Cancelled")
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
        counts = self._line_counts()
        for batch in self:
            by_state = counts.get(batch.id, {})
            batch.total_count = sum(by_state.values())
            batch.sent_count = by_state.get("sent", 0)
            batch.queued_count = by_state.get("queued", 0)
            batch.failed_count = by_state.get("failed", 0)
            batch.cancelled_count = by_state.get("cancelled", 0)
            batch.progress = self._progress(by_state)

    def _guard_message(self):
        return self.env._(
            "A statement sending is made by its sender and moves on by sending only: its "
            "state and sender are not set by hand."
        )

    @api.model
    def _start(self, sessions, template):
        """Create the sendings, one per company (each is sent in its company); small ones are
        sent at once, large ones queued for the cron. Returns them."""
        batches = self.create(
            [
                {
                    "template_id": template.id,
                    "company_id": company.id,
                    "line_ids": [
                        fields.Command.create({"session_id": session.id})
                        for session in sessions.filtered(lambda s, c=company: s.company_id == c)
                    ],
                }
                for company in sessions.company_id
            ]
        )
        for batch in batches:
            batch._send_or_queue()
        return batches

    def _send_or_queue(self):
        """Send the pending statements now when they are few, else leave them to the cron."""
        self.ensure_one()
        pending = self.line_ids.filtered(lambda line: line.state == "pending")
        if len(pending) <= SEND_BATCH_SIZE:
            while self._process_batch():
                pass
        else:
            self.sudo().state = "queued"
            for xmlid in ("ir_cron_send_statements", "ir_cron_send_statements_second"):
                self.env.ref(f"customer_reconciliation.{xmlid}")._trigger()

    def _process_batch(self, batch_size=None):
        """Send the next pending statements; True while some remain."""
        self.ensure_one()
        pending = self.line_ids.filtered(lambda line: line.state == "pending")[
            : batch_size or SEND_BATCH_SIZE
        ]
        if not pending:
            self.sudo().state = "done"
            return False
        mails = (
            pending.with_user(self.user_id).with_company(self.company_id)._send(self.template_id)
        )
        self._send_after_commit(mails)
        remaining = bool(self.line_ids.filtered(lambda line: line.state == "pending"))
        if not remaining:
            self.sudo().state = "done"
        return remaining

    @api.model
    def _mails_leave_at_once(self):
        """Whether an interactive sending's mails leave inside the transaction that posts
        them: only in tests, which never commit (as Odoo's ``mail.mail.send_after_commit``)."""
        return bool(modules.module.current_test)

    def _send_after_commit(self, mails):
        """Send ``mails``, posted by this interactive sending, once the user's transaction is
        committed, in a transaction of their own, then tell the starter how it went.

        A request rolled back (and retried by Odoo) has sent nothing; a server stopped between
        the commit and the sending leaves the mails, committed, to Odoo's mail queue: no
        statement is mailed twice. Each mail records its outcome on its line (mail_mail.py)."""
        if not mails:
            return
        if self._mails_leave_at_once():
            mails.send()
            return
        registry, context = self.env.registry, dict(self.env.context)
        job_ids, mail_ids = self.ids, mails.ids

        @self.env.cr.postcommit.add
        def send_committed_mails():
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, context)
                env[self._name].browse(job_ids)._send_committed_mails(mail_ids)

    def _send_committed_mails(self, mail_ids):
        """After the commit: send the mails still outgoing, then tell the starter."""
        mails = self.env["mail.mail"].browse(mail_ids).exists()
        mails.filtered(lambda mail: mail.state == "outgoing").send()
        self._notify_finished()

    def _not_sent_reasons(self):
        """``{session: reason}`` for the statements of the sending not sent (yet)."""
        reasons = {}
        for line in self.line_ids.filtered(lambda line: line.state != "sent"):
            if line.state == "failed":
                reasons[line.session_id] = line.error
            elif line.state == "cancelled":
                reasons[line.session_id] = self.env._("its sending was cancelled.")
            elif line.state == "queued":
                reasons[line.session_id] = self.env._(
                    "its email waits in the outgoing mail queue; the statement counts as sent "
                    "once the email has left."
                )
            else:
                reasons[line.session_id] = self.env._(
                    "waiting to be sent in the background (%s).", line.batch_id.display_name
                )
        return reasons

    def _retry(self, lines):
        """Send ``lines`` (failed lines of this sending) again."""
        self.ensure_one()
        lines.sudo().write({"state": "pending", "error": False})
        self._send_or_queue()

    def action_retry_failed(self):
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.state == "failed").action_retry()

    @api.model
    def _cron_send_statements(self):
        """Send the statements of the queued sendings, a claimed slice at a time.

        Each slice is claimed with row locks that skip what another worker holds (two
        scheduled actions, or several Odoo servers, share the sendings), its PDFs rendered
        together, its mails posted and committed before any of them leaves, then sent with
        Odoo's mail queue (which commits each mail once sent): a worker killed while posting
        rolls the whole slice back, one killed while sending leaves the rest to the mail
        queue, and no statement is mailed twice."""
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=self._pending_line_count())
        while True:
            lines = self._claim_pending_lines(SEND_BATCH_SIZE, retry=True)
            if not lines:
                break
            started = time.monotonic()
            to_send = self.env["mail.mail"].sudo()
            # The sending's own row is not written here: two workers sending its statements
            # would conflict on it. It is marked done by the slice that sends its last one.
            for batch in lines.batch_id:
                to_send |= (
                    lines.filtered(lambda line, batch=batch: line.batch_id == batch)
                    .with_user(batch.user_id)
                    .with_company(batch.company_id)
                    ._send(batch.template_id)
                )
            posted = time.monotonic()
            Cron._commit_progress(0)  # the mails exist before any leaves
            to_send.send(auto_commit=not modules.module.current_test)
            lines.batch_id._end_if_done()
            _logger.info(
                "Sent %s statement(s): %.0f ms each to render and post, %.0f ms each to send",
                len(lines),
                1000 * (posted - started) / len(lines),
                1000 * (time.monotonic() - posted) / len(lines),
            )
            if Cron._commit_progress(len(lines), remaining=self._pending_line_count()) <= 0:
                return
        self.search([("state", "=", "queued")])._end_if_done()

    def _finished_message(self):
        self.ensure_one()
        return (
            self.env._("Statements sent"),
            self.env._(
                "%(sending)s: %(sent)s sent, %(queued)s waiting in the mail queue, "
                "%(failed)s not sent.",
                sending=self.name,
                sent=self.sent_count,
                queued=self.queued_count,
                failed=self.failed_count,
            ),
            bool(self.failed_count),
        )

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
