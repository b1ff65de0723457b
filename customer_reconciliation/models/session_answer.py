"""The statement, step 4: the customer's answer. They confirm the balance or dispute it, on
the portal (logged in or through the emailed link) or through us (paper, email); a manager
closes the statement once its disputes are settled, and a disputed one gets a new version."""

import base64

from odoo import fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from ..tools import limits
from .dispute import UNSETTLED

CONFIRMATION_CHANNELS = [
    ("portal", "Customer portal"),
    ("link", "Statement link"),
    ("internal", "Recorded by us (paper, email)"),
    ("deemed", "Deemed confirmed (no answer)"),
]
# States a customer may see. Drafts, statements waiting for approval and cancelled ones never.
PORTAL_STATES = ("sent", "confirmed", "disputed", "closed")
# Attachments of a portal dispute: a remittance advice or a scan, not an archive of the year.
MAX_DISPUTE_FILES = 5
MAX_DISPUTE_FILE_SIZE = 10 * 1024 * 1024
# A statement confirmed at its first sending: confirmed, without an earlier version, a reminder
# or a dispute. SQL over a statement ``s`` left-joined to its disputes ``d`` (``d.session_id``
# is NULL when it has none); the one definition read by the insight and the KPIs.
CONFIRMED_AT_FIRST_SENDING_SQL = (
    "(s.confirmed_date IS NOT NULL AND s.previous_version_id IS NULL"
    " AND COALESCE(s.reminder_count, 0) = 0 AND d.session_id IS NULL)"
)


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    confirmed_date = fields.Datetime(
        string="Confirmed On", readonly=True, copy=False, tracking=True
    )
    confirmed_by_name = fields.Char(string="Confirmed By", readonly=True, copy=False)
    confirmed_by_title = fields.Char(string="Title", readonly=True, copy=False)
    confirmation_channel = fields.Selection(CONFIRMATION_CHANNELS, readonly=True, copy=False)
    confirmation_comment = fields.Text(readonly=True, copy=False)
    confirmation_attachment_ids = fields.Many2many(
        "ir.attachment",
        "customer_reconciliation_session_confirmation_rel",
        "session_id",
        "attachment_id",
        string="Confirmation Evidence",
        readonly=True,
        copy=False,
    )
    closed_date = fields.Datetime(string="Closed On", readonly=True, copy=False)
    previous_version_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Supersedes",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
    next_version_ids = fields.One2many(
        "customer.reconciliation.session", "previous_version_id", string="Superseded By"
    )
    dispute_ids = fields.One2many(
        "customer.reconciliation.dispute", "session_id", string="Disputes"
    )
    dispute_count = fields.Integer(compute="_compute_dispute_count")
    open_dispute_count = fields.Integer(compute="_compute_dispute_count")
    confirmation_user_id = fields.Many2one(
        "res.users",
        string="Confirmed by Portal User",
        readonly=True,
        copy=False,
        help="The portal user who confirmed; empty when confirmed through the emailed link "
        "without login.",
    )
    confirmation_ip = fields.Char(string="Confirmation IP Address", readonly=True, copy=False)
    confirmation_user_agent = fields.Char(string="Confirmation Browser", readonly=True, copy=False)
    is_deemed_confirmed = fields.Boolean(
        compute="_compute_is_deemed_confirmed",
        help="Confirmed because the customer did not answer in time (contract clause), "
        "not explicitly.",
    )

    def _compute_dispute_count(self):
        groups = self.env["customer.reconciliation.dispute"]._read_group(
            [("session_id", "in", self.ids)], ["session_id", "state"], ["__count"]
        )
        total, open_ = {}, {}
        for session, state, count in groups:
            total[session] = total.get(session, 0) + count
            if state in UNSETTLED:
                open_[session] = open_.get(session, 0) + count
        for session in self:
            session.dispute_count = total.get(session, 0)
            session.open_dispute_count = open_.get(session, 0)

    def _compute_is_deemed_confirmed(self):
        for session in self:
            session.is_deemed_confirmed = session.confirmation_channel == "deemed"

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for session in self:
            session.access_url = f"/my/statements/{session.id}"
        return result

    def _get_portal_answer_url(self):
        """The absolute link to this statement in the portal, with its token (mails and PDF)."""
        self.ensure_one()
        return self.get_base_url() + self.get_portal_url()

    def _get_portal_answer_qr(self):
        """A QR code of that link as a data URI, printed on the PDF statement and letter."""
        png = self.env["ir.actions.report"].barcode(
            "QR", self._get_portal_answer_url(), width=240, height=240, quiet=False
        )
        return "data:image/png;base64," + base64.b64encode(png).decode()

    def _portal_is_visible(self):
        self.ensure_one()
        return self.state in PORTAL_STATES

    def _portal_can_confirm(self):
        self.ensure_one()
        return self.state == "sent"

    def _portal_can_dispute(self):
        self.ensure_one()
        return self.state in ("sent", "disputed")

    def _portal_lines(self):
        """The lines a customer can dispute: every line but the opening balance."""
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.kind != "opening")

    def action_preview_portal(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": self.get_portal_url(),
        }

    # ------------------------------------------------------------------ answers
    def _record_confirmation(
        self,
        confirmed_by,
        title=None,
        channel="internal",
        comment=None,
        attachments=None,
        date=None,
        author=None,
    ):
        """The customer agreed with the balance. Internal records need their evidence.

        ``author``: the partner the chatter message is posted as (the customer online), else
        the current user.
        """
        self._check_state(["sent"], self.env._("confirm"))
        self._check_answer_values(confirmed_by, title, comment, date)
        if channel == "internal":
            if not (confirmed_by or "").strip():
                raise UserError(self.env._("Say who confirmed the balance at the customer."))
            if not attachments:
                raise UserError(
                    self.env._(
                        "Attach the signed confirmation: a confirmation recorded by us needs its evidence."
                    )
                )
        if attachments:
            self._claim_attachments(attachments)
        self._workflow_write(
            {
                "state": "confirmed",
                "confirmed_date": date or fields.Datetime.now(),
                "confirmed_by_name": confirmed_by,
                "confirmed_by_title": title,
                "confirmation_channel": channel,
                "confirmation_comment": comment,
                "confirmation_attachment_ids": [
                    fields.Command.set(attachments.ids if attachments else [])
                ],
            }
        )
        for session in self:
            session.message_post(
                body=self.env._(
                    "Balance confirmed by %(who)s (%(channel)s).",
                    who=confirmed_by or "-",
                    channel=dict(CONFIRMATION_CHANNELS)[channel],
                ),
                attachment_ids=attachments.ids if attachments else [],
                author_id=author.id if author else None,
            )
        return True

    def _check_answer_values(self, name, title, comment, date=None):
        """Bounded texts and a sane date in an answer, with a clear error."""
        labels = self._fields
        try:
            limits.check_text(name, labels["confirmed_by_name"].string, limits.MAX_NAME_LENGTH)
            limits.check_text(title, labels["confirmed_by_title"].string, limits.MAX_NAME_LENGTH)
            limits.check_text(comment, labels["confirmation_comment"].string)
            if date:
                limits.check_date(date, labels["confirmed_date"].string)
        except limits.InputError as error:
            raise ValidationError(self.env._(error.message, **error.params)) from None

    def _claim_attachments(self, attachments):
        """Link the evidence to this statement. Only files the user uploaded for this answer
        (not yet linked to a record, or linked to the wizard) and may write are taken: an
        attachment of another record is never moved away from it."""
        self.ensure_one()
        free_models = {False, "customer.reconciliation.answer.wizard", "mail.compose.message"}
        for attachment in attachments.sudo():
            if (
                attachment.res_model not in free_models
                and (attachment.res_model, attachment.res_id) != (self._name, self.id)
            ) or attachment.create_uid != self.env.user:
                raise AccessError(
                    self.env._(
                        "%(file)s belongs to another document: upload the customer's evidence again.",
                        file=attachment.name,
                    )
                )
        attachments.check_access("write")
        attachments.sudo().write({"res_model": self._name, "res_id": self.id})

    def _record_dispute(self, disputes_vals, source="internal", author=None):
        """The customer disagreed: create the disputes and mark the statement disputed."""
        self.ensure_one()
        self._check_state(["sent", "disputed"], self.env._("dispute"))
        if not disputes_vals:
            raise UserError(self.env._("Say what the customer disputes."))
        disputes = (
            self.env["customer.reconciliation.dispute"]
            .sudo()
            ._workflow_create(
                [{**vals, "session_id": self.id, "source": source} for vals in disputes_vals]
            )
        )
        self._workflow_write({"state": "disputed"})
        self.message_post(
            body=self.env._(
                "The customer disputes the statement: %s", ", ".join(disputes.mapped("name"))
            ),
            author_id=author.id if author else None,
        )
        return disputes

    def _portal_confirm(self, name, title=None, comment=None, user=None, ip=None, user_agent=None):
        """Record a confirmation given online; returns False when it can no longer be confirmed.

        Idempotent by design: a double click or a replayed post finds the statement no longer
        ``sent`` and changes nothing.
        """
        self.ensure_one()
        name = (name or "").strip()
        if not name:
            raise UserError(self.env._("Say who confirms the balance."))
        if not self._portal_can_confirm():
            return False
        logged_in = bool(user and not user._is_public())
        self._record_confirmation(
            name,
            title=(title or "").strip() or None,
            channel="portal" if logged_in else "link",
            comment=(comment or "").strip() or None,
            author=self._portal_author(user),
        )
        self._workflow_write(
            {
                "confirmation_user_id": user.id if logged_in else False,
                "confirmation_ip": (ip or "")[:64] or False,
                "confirmation_user_agent": (user_agent or "")[:512] or False,
            }
        )
        self._notify_responsible(
            self.env._("Statement %(name)s confirmed by the customer", name=self.name),
            self.env._(
                "%(who)s (%(title)s) confirmed the balance of %(partner)s online.",
                who=name,
                title=title or "-",
                partner=self.partner_id.display_name,
            ),
        )
        return True

    def _portal_dispute(
        self, line_ids, reason, customer_amount=None, comment=None, files=(), user=None
    ):
        """Record a dispute raised online and return it.

        ``line_ids``: ids among the statement's lines (others are refused); empty disputes the
        whole balance. ``files``: ``(filename, bytes, mimetype)`` tuples.
        """
        self.ensure_one()
        if not self._portal_can_dispute():
            raise UserError(self.env._("This statement can no longer be disputed."))
        Dispute = self.env["customer.reconciliation.dispute"]
        if reason not in dict(Dispute._fields["reason"].selection):
            raise UserError(self.env._("Pick the reason of the difference."))
        wanted = set(line_ids or ())
        chosen = self._portal_lines().filtered(lambda line: line.id in wanted)
        if len(chosen) != len(wanted):
            raise UserError(self.env._("Some of the chosen lines are not on this statement."))
        if len(files) > MAX_DISPUTE_FILES:
            raise UserError(self.env._("Attach at most %s files.", MAX_DISPUTE_FILES))
        for filename, content, _mimetype in files:
            if len(content) > MAX_DISPUTE_FILE_SIZE:
                raise UserError(self.env._("%s is larger than 10 MB.", filename))
        comment = (comment or "").strip() or False
        Dispute._check_dispute_values(
            {"customer_amount": customer_amount or 0.0, "comment": comment}, self.currency_id
        )
        author = self._portal_author(user)
        duplicate = self.dispute_ids.filtered(
            lambda d: (
                d.state in UNSETTLED
                and d.source == "portal"
                and d.reason == reason
                and d.line_ids == chosen
                and d.comment == comment
                and d.currency_id.compare_amounts(d.customer_amount, customer_amount or 0.0) == 0
            )
        )
        if duplicate and not files:
            # A double click or a replayed post: the same dispute is not raised twice.
            return duplicate[:1]
        dispute = self._record_dispute(
            [
                {
                    "line_ids": [fields.Command.set(chosen.ids)],
                    "reason": reason,
                    "customer_amount": customer_amount or 0.0,
                    "comment": comment,
                }
            ],
            source="portal",
            author=author,
        )
        dispute._portal_ensure_token()
        dispute.message_subscribe(partner_ids=(author | self.user_id.partner_id).ids)
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .create(
                [
                    {
                        "name": filename,
                        "datas": base64.b64encode(content),
                        "mimetype": mimetype or None,
                        "res_model": dispute._name,
                        "res_id": dispute.id,
                    }
                    for filename, content, mimetype in files
                ]
            )
        )
        dispute.message_post(
            body=dispute.comment or self.env._("Dispute raised on the portal."),
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            attachment_ids=attachments.ids,
        )
        self._notify_responsible(
            self.env._("Statement %(name)s disputed by the customer", name=self.name),
            self.env._(
                "%(partner)s disputes statement %(name)s: %(dispute)s (%(reason)s).",
                partner=self.partner_id.display_name,
                name=self.name,
                dispute=dispute.name,
                reason=dict(Dispute._fields["reason"]._description_selection(self.env))[reason],
            ),
        )
        return dispute

    def _portal_author(self, user):
        """Who answers online: the logged-in portal user, else (the emailed link) the contact
        the statement was sent to. Decided here, never by what the client sends."""
        self.ensure_one()
        if user and not user._is_public():
            return user.partner_id
        return self._reconciliation_recipient()

    def _notify_responsible(self, subject, body):
        """Tell the responsible accountant (else the salesperson) in their inbox or by email."""
        self.ensure_one()
        responsible = self.user_id or self.salesperson_id
        if responsible and responsible.partner_id:
            self.message_notify(
                partner_ids=responsible.partner_id.ids,
                subject=subject,
                body=body,
                subtype_xmlid="mail.mt_note",
            )

    # ------------------------------------------------------------------ closing
    def action_close(self):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("close")
        )
        self._check_state(["confirmed", "disputed"], self.env._("close"))
        for session in self:
            if not session.dispute_ids.is_settled():
                raise UserError(
                    self.env._(
                        "Statement %(name)s still has open disputes (%(disputes)s): settle them before closing.",
                        name=session.name,
                        disputes=", ".join(
                            session.dispute_ids.filtered(lambda d: d.state in UNSETTLED).mapped(
                                "name"
                            )
                        ),
                    )
                )
        disputed = self.filtered(lambda s: s.state == "disputed")
        self._workflow_write({"state": "closed", "closed_date": fields.Datetime.now()})
        disputed._create_new_version()
        return True

    def _create_new_version(self):
        """A settled disputed statement is superseded by a new draft version of the same period."""
        new = self.browse()
        for session in self:
            new |= self.with_context(mail_create_nolog=True)._workflow_create(
                {
                    "partner_id": session.partner_id.id,
                    "company_id": session.company_id.id,
                    "currency_id": session.currency_id.id,
                    "date_from": session.date_from,
                    "date_to": session.date_to,
                    "analytic_account_ids": [fields.Command.set(session.analytic_account_ids.ids)],
                    "tag_ids": [fields.Command.set(session.tag_ids.ids)],
                    "user_id": session.user_id.id,
                    "version": session.version + 1,
                    "previous_version_id": session.id,
                }
            )
        self.env["customer.reconciliation.engine"]._fill_sessions(new)
        for old, session in zip(self, new):
            old.message_post(
                body=self.env._(
                    "Superseded by version %(version)s: %(name)s",
                    version=session.version,
                    name=session.name,
                )
            )
            session.message_post(
                body=self.env._("New version of %s after its disputes were settled.", old.name)
            )
        return new

    def action_open_disputes(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Disputes of %s", self.name),
            "res_model": "customer.reconciliation.dispute",
            "view_mode": "list,form",
            "domain": [("session_id", "=", self.id)],
            "context": {"default_session_id": self.id},
        }
