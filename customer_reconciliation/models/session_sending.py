"""The statement, step 3: sending. By email with the PDFs and the portal link, one by one or
in batches; reminders to customers who do not answer; deemed confirmation where agreed."""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import email_normalize

_logger = logging.getLogger(__name__)

# Reminders are committed per batch of this many statements.
REMINDER_BATCH_SIZE = 50


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    statement_contact_id = fields.Many2one(
        "res.partner",
        compute="_compute_statement_contact",
        help="Who receives the statement: the customer's statement contact, else the company's "
        "contact rule.",
    )
    statement_lang = fields.Char(
        compute="_compute_statement_contact",
        help="Language of the mails: the customer's statement language, else the contact's "
        "language.",
    )
    sent_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    reminder_count = fields.Integer(string="Reminders Sent", readonly=True, copy=False)
    last_reminder_date = fields.Datetime(string="Last Reminder", readonly=True, copy=False)
    no_answer_activity_date = fields.Datetime(
        string="Follow-up Scheduled On",
        readonly=True,
        copy=False,
        help="When the reminders ran out and a phone follow-up was scheduled (once per statement).",
    )

    @api.depends("partner_id", "company_id")
    @api.depends_context("lang")
    def _compute_statement_contact(self):
        for session in self:
            contact = (
                session.partner_id._reconciliation_statement_contact(session.company_id)
                if session.partner_id
                else session.env["res.partner"]
            )
            session.statement_contact_id = contact
            # The language the reports are printed in, so mail and attachments agree.
            session.statement_lang = session._get_report_lang() if session.partner_id else False

    def _reconciliation_recipient(self):
        self.ensure_one()
        return self.statement_contact_id

    # ------------------------------------------------------------------ sending
    def action_mark_sent(self):
        """Publish the statement to the customer (emailing it calls this)."""
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("send"))
        self._check_state(["approved", "sent"], self.env._("send"))
        self.filtered(lambda s: s.state == "approved")._workflow_write(
            {"state": "sent", "sent_date": fields.Datetime.now()}
        )
        return True

    def _get_send_template(self):
        return self.env.ref("customer_reconciliation.mail_template_statement_send")

    def _check_sendable(self):
        """Why this statement cannot be emailed now, or None."""
        self.ensure_one()
        if self.state not in ("approved", "sent"):
            return self.env._("Statement %(name)s is not approved.", name=self.name)
        contact = self.statement_contact_id
        if not contact:
            return self.env._(
                "%(partner)s has no statement contact.", partner=self.partner_id.display_name
            )
        if not email_normalize(contact.email or ""):
            return self.env._(
                "%(contact)s has no valid email address (%(email)s).",
                contact=contact.display_name,
                email=contact.email or self.env._("none"),
            )
        return None

    def _send_by_email(self, template=None):
        """Email each statement to its contact and mark it sent.

        A statement that cannot be sent is skipped and reported, the others go on:
        returns ``{session: error message}`` for the failures.
        """
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("send"))
        template = template or self._get_send_template()
        errors = {}
        for session in self:
            error = session._check_sendable()
            if not error:
                try:
                    with self.env.cr.savepoint():
                        session._portal_ensure_token()
                        session.message_post_with_source(
                            template,
                            message_type="comment",
                            subtype_xmlid="mail.mt_comment",
                        )
                        session.action_mark_sent()
                except (UserError, ValidationError, AccessError, ValueError) as exc:
                    error = str(exc)
                    _logger.info("Statement %s not sent: %s", session.name, error)
            if error:
                errors[session] = error
                session.message_post(body=self.env._("Not sent: %s", error))
        return errors

    def action_open_send_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Send Statements"),
            "res_model": "customer.reconciliation.send.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    # ------------------------------------------------------------------ reminders
    @api.model
    def _cron_send_reminders(self, now=None):
        """Remind, deem confirmed or schedule a phone follow-up for unanswered statements."""
        now = fields.Datetime.to_datetime(now) or fields.Datetime.now()
        sessions = self.search([("state", "=", "sent"), ("sent_date", "!=", False)], order="id")
        due = sessions.filtered(lambda s: s._reminder_action(now))
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(due))
        for start in range(0, len(due), REMINDER_BATCH_SIZE):
            batch = due[start : start + REMINDER_BATCH_SIZE]
            for session in batch:
                session._process_reminder(now)
            if Cron._commit_progress(len(batch)) <= 0:
                break
        return True

    def _reminder_action(self, now):
        """What the reminder cron does today: deem, remind, follow_up or None."""
        self.ensure_one()
        company = self.company_id
        if self.state != "sent" or not self.sent_date:
            return None
        if (
            company.reconciliation_deemed_confirmation
            and self.sent_date + timedelta(days=company.reconciliation_deemed_days) <= now
        ):
            return "deem"
        last = self.last_reminder_date or self.sent_date
        if last + timedelta(days=company.reconciliation_reminder_days) > now:
            return None
        if self.reminder_count < company.reconciliation_reminder_max:
            return "remind"
        if not self.no_answer_activity_date:
            return "follow_up"
        return None

    def _process_reminder(self, now):
        self.ensure_one()
        action = self._reminder_action(now)
        if action == "deem":
            self._deem_confirmed(now)
        elif action == "remind":
            self._send_reminder(now)
        elif action == "follow_up":
            self._schedule_no_answer_activity(now)
        return action

    def _deem_confirmed(self, now):
        days = self.company_id.reconciliation_deemed_days
        self._record_confirmation(
            None,
            channel="deemed",
            date=now,
            comment=self.env._(
                "No answer within %s days of sending: deemed confirmed as agreed in the contract.",
                days,
            ),
        )

    def _send_reminder(self, now):
        error = self._check_sendable()
        if error:
            # No address to remind: go straight to the phone follow-up.
            self.message_post(body=self.env._("Reminder not sent: %s", error))
            self._workflow_write(
                {
                    "reminder_count": self.company_id.reconciliation_reminder_max,
                    "last_reminder_date": now,
                }
            )
            return
        with self.env.cr.savepoint():
            self.message_post_with_source(
                self.env.ref("customer_reconciliation.mail_template_statement_reminder"),
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self._workflow_write({"reminder_count": self.reminder_count + 1, "last_reminder_date": now})

    def _schedule_no_answer_activity(self, now):
        responsible = self.user_id or self.salesperson_id
        if responsible and not responsible.share:
            self.activity_schedule(
                "mail.mail_activity_data_call",
                user_id=responsible.id,
                summary=self.env._("No answer — follow up by phone"),
                note=self.env._(
                    "%(partner)s has not answered statement %(name)s after %(count)s reminder(s).",
                    partner=self.partner_id.display_name,
                    name=self.name,
                    count=self.reminder_count,
                ),
            )
        self._workflow_write({"no_answer_activity_date": now})
