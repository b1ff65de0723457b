"""The statement seen by the customer: portal access, online confirmation and dispute."""

import base64

from odoo import fields, models
from odoo.exceptions import UserError

# States a customer may see. Drafts, statements waiting for approval and cancelled ones never.
PORTAL_STATES = ("sent", "confirmed", "disputed", "closed")
# Attachments of a portal dispute: a remittance advice or a scan, not an archive of the year.
MAX_DISPUTE_FILES = 5
MAX_DISPUTE_FILE_SIZE = 10 * 1024 * 1024


class CustomerReconciliationSession(models.Model):
    _name = "customer.reconciliation.session"
    _inherit = ["customer.reconciliation.session", "portal.mixin"]
    # Customers answer on the portal with read access only (like invoices and sale orders).
    _mail_post_access = "read"

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

    def message_post(self, **kwargs):
        # Answers given online are posted as the customer's, not as the superuser the
        # portal controller runs as.
        author_id = self.env.context.get("reconciliation_portal_author_id")
        if author_id and not kwargs.get("author_id"):
            kwargs["author_id"] = author_id
        return super().message_post(**kwargs)

    def _compute_is_deemed_confirmed(self):
        for session in self:
            session.is_deemed_confirmed = session.confirmation_channel == "deemed"

    def _compute_access_url(self):
        super()._compute_access_url()
        for session in self:
            session.access_url = f"/my/statements/{session.id}"

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
        )
        self.write(
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
        duplicate = self.dispute_ids.filtered(
            lambda d: (
                d.state == "open"
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
        )
        author = (
            user.partner_id if user and not user._is_public() else self._reconciliation_recipient()
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
