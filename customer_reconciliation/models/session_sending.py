"""The statement, step 3: sending. By email with the PDFs and the portal link, one by one or
in batches (``send.batch``): a statement counts as sent once its email has left; reminders to
customers who do not answer; deemed confirmation where agreed."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, email_normalize

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

    last_sending_state = fields.Selection(
        [
            ("pending", "Pending"),
            ("queued", "Waiting in the Mail Queue"),
            ("sent", "Sent"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        compute="_compute_last_sending",
        help="What became of the statement's last email: sent once it has left the mail server.",
    )
    last_sending_error = fields.Char(
        compute="_compute_last_sending", help="Why the statement's last email was not sent."
    )

    def _compute_last_sending(self):
        # Read as the sending's: whoever reads the statement may read how its email went.
        lines = (
            self.env["customer.reconciliation.send.batch.line"]
            .sudo()
            .search([("session_id", "in", self.filtered("id").ids)], order="id desc")
        )
        for session in self:
            last = lines.filtered(lambda line, session=session: line.session_id == session)[:1]
            session.last_sending_state = last.state
            session.last_sending_error = last.error

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
        """Publish the statement to the customer: by hand when it reached the customer another
        way; a sending calls this once the statement's email has left (``send.batch.line``)."""
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("send"))
        self._check_state(["approved", "sent"], self.env._("send"))
        self.filtered(lambda s: s.state == "approved")._workflow_write(
            {"state": "sent", "sent_date": fields.Datetime.now()}
        )
        return True

    def _get_send_template(self):
        return self.env.ref("customer_reconciliation.mail_template_statement_send")

    def _sending_blocker(self):
        """Why this statement cannot be emailed now, as ``(kind, message)``, or None.

        ``kind`` groups the reasons in the Send wizard: ``not_approved`` (draft, to approve),
        ``answered`` (confirmed, disputed, closed), ``cancelled``, ``no_contact``,
        ``invalid_email``.
        """
        self.ensure_one()
        labels = dict(self._fields["state"]._description_selection(self.env))
        if self.state in ("draft", "to_approve"):
            return "not_approved", self.env._(
                "Statement %(name)s is not approved yet (%(state)s).",
                name=self.name,
                state=labels[self.state],
            )
        if self.state in ("confirmed", "disputed", "closed"):
            return "answered", self.env._(
                "Statement %(name)s is already answered (%(state)s).",
                name=self.name,
                state=labels[self.state],
            )
        if self.state not in ("approved", "sent"):
            return "cancelled", self.env._("Statement %s is cancelled.", self.name)
        contact = self.statement_contact_id
        if not contact:
            return "no_contact", self.env._(
                "%(partner)s has no statement contact.", partner=self.partner_id.display_name
            )
        if not email_normalize(contact.email or ""):
            return "invalid_email", self.env._(
                "%(contact)s has no valid email address (%(email)s).",
                contact=contact.display_name,
                email=contact.email or self.env._("none"),
            )
        return None

    def _check_sendable(self):
        """Why this statement cannot be emailed now, or None."""
        blocker = self._sending_blocker()
        return blocker and blocker[1]

    def _post_statement_mail(self, template):
        """Post the statement's mail in its chatter, queued.

        Returns ``(mail, mails)``: the ``mail.mail`` (sudo) that carries the statement to its
        contact, and all the mails of the message (the followers' copies too); raises if
        none goes to the contact.

        The mail is neither sent nor deleted here: the caller sends it and the sending line
        reads its state (see ``send.batch.line``), so a statement counts as sent only once
        its mail has left.
        """
        self.ensure_one()
        self._portal_ensure_token()
        messages = self.message_post_with_source(
            template,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            force_send=False,
            auto_delete=False,
        )
        contact = self.statement_contact_id
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "in", messages.ids)])
        mail = mails.filtered(lambda m: contact in m.recipient_ids)[:1]
        if not mail:
            raise UserError(
                self.env._(
                    "No email was created for %(contact)s (does the contact receive "
                    "notifications in Odoo instead of by email?).",
                    contact=contact.display_name,
                )
            )
        return mail, mails

    def _send_by_email(self, template=None):
        """Email each statement to its contact now; a statement is sent once its mail left.

        Creates a sending record (``send.batch``) listing each statement's outcome. A
        statement that cannot be sent is skipped and reported, the others go on: returns
        ``{session: reason}`` for those not sent (failed, or still waiting in the mail queue).
        """
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("send"))
        if not self:
            return {}
        batch = self.env["customer.reconciliation.send.batch"]._start(
            self, template or self._get_send_template()
        )
        return batch._not_sent_reasons()

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
        """Remind, deem confirmed or schedule a phone follow-up for unanswered statements.

        The statements due are claimed 50 at a time with row locks that skip what another
        worker holds (two scheduled actions share the run) and committed with the progress;
        the reminders' mails are queued, then sent by Odoo's mail queue once committed, so a
        worker killed mid-batch reminds nobody twice."""
        now = fields.Datetime.to_datetime(now) or fields.Datetime.now()
        sessions = self.search([("state", "=", "sent"), ("sent_date", "!=", False)], order="id")
        due = sessions.filtered(lambda s: s._reminder_action(now)).ids
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=len(due))
        for start in range(0, len(due), REMINDER_BATCH_SIZE):
            claimed = self._claim_for_reminders(due[start : start + REMINDER_BATCH_SIZE])
            for session in claimed:
                session._process_reminder(now)  # what is due is read again, locked
            if Cron._commit_progress(len(claimed)) <= 0:
                break
        return True

    @api.model
    def _claim_for_reminders(self, ids):
        """Lock the statements ``ids`` still sent that no other worker holds; claimed again in
        a new transaction when another worker's commit made this one's snapshot stale."""

        def claim():
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT id FROM customer_reconciliation_session
                     WHERE id = ANY(%s) AND state = 'sent'
                     ORDER BY id
                       FOR NO KEY UPDATE SKIP LOCKED
                    """,
                    ids,
                ),
                log_exceptions=False,
            )
            return self.browse([row[0] for row in self.env.cr.fetchall()])

        return self.env["ir.cron"]._cr_on_fresh_snapshot(claim, default=self.browse())

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
                force_send=False,  # sent by the mail queue once the reminder is committed
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
