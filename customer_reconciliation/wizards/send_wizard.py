from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.send_batch import SEND_BATCH_SIZE
from ..tools.client_actions import closing_notification

# Statements listed by name per reason, at most.
LISTED = 20
# The reasons a statement is not sent, in the order the wizard lists them (see
# session._sending_blocker); the contact problems are listed one statement per line.
GROUPED_REASONS = ("answered", "not_approved", "cancelled")


class CustomerReconciliationSendWizard(models.TransientModel):
    """Send the approved statements of a selection to the customers' statement contacts; it
    says how many will be sent and, for the others, why not."""

    _name = "customer.reconciliation.send.wizard"
    _inherit = ["customer.reconciliation.validated.input"]
    _description = "Send Reconciliation Statements"

    session_ids = fields.Many2many(
        "customer.reconciliation.session",
        "customer_reconciliation_send_wizard_session_rel",
        "wizard_id",
        "session_id",
        string="Statements",
        required=True,
    )
    template_id = fields.Many2one(
        "mail.template",
        string="Email Template",
        required=True,
        domain="[('model', '=', 'customer.reconciliation.session')]",
        default=lambda self: self.env.ref(
            "customer_reconciliation.mail_template_statement_send", raise_if_not_found=False
        ),
    )
    session_count = fields.Integer(compute="_compute_summary")
    sendable_count = fields.Integer(compute="_compute_summary", string="Ready to Send")
    resend_count = fields.Integer(
        compute="_compute_summary",
        string="Sent Again",
        help="Statements already sent: their contact receives them once more.",
    )
    skipped_count = fields.Integer(compute="_compute_summary", string="Not Sent")
    summary = fields.Char(compute="_compute_summary")
    send_label = fields.Char(compute="_compute_summary")
    warning = fields.Text(compute="_compute_summary", string="Why Not")
    collection_warning = fields.Text(
        compute="_compute_collection_warning",
        string="Collections Not Received",
        help="Statements whose customer handed collections to a salesperson that the cashier "
        "has not received yet: a warning, the statements can still be sent.",
    )
    background = fields.Boolean(
        compute="_compute_summary",
        help="Many statements: they are sent in the background, batch by batch.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        context = self.env.context
        if (
            "session_ids" in fields_list
            and context.get("active_model") == "customer.reconciliation.session"
        ):
            values["session_ids"] = [fields.Command.set(context.get("active_ids") or [])]
        return values

    def _sendable_sessions(self):
        return self.session_ids.filtered(lambda session: not session._sending_blocker())

    @api.depends("session_ids")
    def _compute_summary(self):
        for wizard in self:
            sendable = wizard._sendable_sessions()
            count = len(sendable)
            wizard.session_count = len(wizard.session_ids)
            wizard.sendable_count = count
            wizard.resend_count = len(sendable.filtered(lambda s: s.state == "sent"))
            wizard.skipped_count = wizard.session_count - count
            wizard.background = count > SEND_BATCH_SIZE
            wizard.summary = wizard._summary_text()
            wizard.send_label = (
                self.env._("Send 1 statement")
                if count == 1
                else self.env._("Send %s statements", count)
            )
            wizard.warning = wizard._warning_text(wizard.session_ids - sendable) or False

    @api.depends("session_ids")
    def _compute_collection_warning(self):
        for wizard in self:
            sessions = wizard._sendable_sessions().filtered("collection_pending_count")
            lines = [session._collection_warning() for session in sessions[:LISTED]]
            if len(sessions) > LISTED:
                lines.append(self.env._("... and %s more.", len(sessions) - LISTED))
            wizard.collection_warning = "\n".join(lines) or False

    def _summary_text(self):
        count, again = self.sendable_count, self.resend_count
        if not count:
            return self.env._("None of the selected statements can be sent now.")
        text = (
            self.env._("1 statement will be emailed to its customer's statement contact.")
            if count == 1
            else self.env._(
                "%s statements will be emailed to the customers' statement contacts.", count
            )
        )
        if again:
            text += " " + self.env._("%s of them were already sent and are sent again.", again)
        return text

    def _warning_text(self, skipped):
        """Why each of ``skipped`` is not sent: grouped by reason for the statement's state,
        one line each for a contact problem."""
        blockers = {session: session._sending_blocker() for session in skipped}
        titles = {
            "answered": self.env._("Already answered (confirmed, disputed or closed)"),
            "not_approved": self.env._("Not approved yet"),
            "cancelled": self.env._("Cancelled"),
        }
        lines = []
        for kind in GROUPED_REASONS:
            sessions = skipped.filtered(lambda s, kind=kind: blockers[s][0] == kind)
            if sessions:
                names = ", ".join(sessions[:LISTED].mapped("name"))
                if len(sessions) > LISTED:
                    names += " " + self.env._("and %s more", len(sessions) - LISTED)
                lines.append(
                    self.env._(
                        "%(reason)s (%(count)s): %(names)s",
                        reason=titles[kind],
                        count=len(sessions),
                        names=names,
                    )
                )
        others = skipped.filtered(lambda s: blockers[s][0] not in GROUPED_REASONS)
        lines += [f"{session.name}: {blockers[session][1]}" for session in others[:LISTED]]
        if len(others) > LISTED:
            lines.append(self.env._("... and %s more.", len(others) - LISTED))
        return "\n".join(lines)

    def action_send(self):
        self.ensure_one()
        sessions = self._sendable_sessions()
        if not sessions:
            raise UserError(
                self.env._(
                    "None of the selected statements can be sent now:\n%s",
                    self._warning_text(self.session_ids),
                )
            )
        # One sending per company of the statements.
        batches = self.env["customer.reconciliation.send.batch"]._start(sessions, self.template_id)
        if all(b.state == "done" and b.sent_count == b.total_count for b in batches):
            return closing_notification(
                self.env._("%s statement(s) sent.", sum(batches.mapped("sent_count")))
            )
        if not batches._mails_leave_at_once() and all(
            b.state == "done" and not (b.failed_count or b.cancelled_count) for b in batches
        ):
            # Posted: the emails leave once this request is committed (send_batch.py).
            return closing_notification(
                self.env._(
                    "%s statement(s) are being sent: you are told when their emails have left.",
                    sum(batches.mapped("total_count")),
                ),
                kind="info",
            )
        # Failed, waiting in the mail queue or sent in the background: the sending says which.
        action = {
            "type": "ir.actions.act_window",
            "name": batches[:1].name,
            "res_model": batches._name,
            "view_mode": "form",
            "target": "current",
        }
        if len(batches) == 1:
            action["res_id"] = batches.id
        else:
            action.update(view_mode="list,form", domain=[("id", "in", batches.ids)])
        return action
