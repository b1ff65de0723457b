"""The statement as an internal-control process: submit, approve, send, answer, close."""

import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

FROZEN_STATES = ("to_approve", "approved", "sent", "confirmed", "disputed", "closed")

CONFIRMATION_CHANNELS = [
    ("portal", "Customer portal"),
    ("link", "Statement link"),
    ("internal", "Recorded by us (paper, email)"),
    ("deemed", "Deemed confirmed (no answer)"),
]


class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    submitted_by_id = fields.Many2one("res.users", string="Prepared By", readonly=True, copy=False)
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", string="Approved By", readonly=True, copy=False)
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    sent_date = fields.Datetime(string="Sent On", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False, tracking=True)
    digest = fields.Char(
        string="Content Digest",
        readonly=True,
        copy=False,
        help="SHA-256 of the frozen statement (header, lines and open items), computed at submission.",
    )
    frozen_date = fields.Datetime(string="Frozen On", readonly=True, copy=False)
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
    ledger_check_date = fields.Datetime(string="Last Ledger Check", readonly=True, copy=False)
    ledger_check_state = fields.Selection(
        [("ok", "Matches the ledger"), ("differs", "Differs from the ledger")],
        readonly=True,
        copy=False,
        tracking=True,
    )
    can_approve = fields.Boolean(compute="_compute_can_approve")

    def _compute_dispute_count(self):
        groups = self.env["customer.reconciliation.dispute"]._read_group(
            [("session_id", "in", self.ids)], ["session_id", "state"], ["__count"]
        )
        total, open_ = {}, {}
        for session, state, count in groups:
            total[session] = total.get(session, 0) + count
            if state == "open":
                open_[session] = open_.get(session, 0) + count
        for session in self:
            session.dispute_count = total.get(session, 0)
            session.open_dispute_count = open_.get(session, 0)

    @api.depends_context("uid")
    def _compute_can_approve(self):
        is_manager = self.env.user.has_group("customer_reconciliation.group_reconciliation_manager")
        for session in self:
            session.can_approve = (
                is_manager
                and session.state == "to_approve"
                and (
                    session.submitted_by_id != self.env.user
                    or session.company_id.reconciliation_allow_self_approval
                )
            )

    # ------------------------------------------------------------------ guards
    def _check_state(self, allowed, action):
        labels = dict(self._fields["state"]._description_selection(self.env))
        for session in self:
            if session.state not in allowed:
                raise UserError(
                    self.env._(
                        "Cannot %(action)s statement %(name)s: it is %(state)s; it must be %(allowed)s.",
                        action=action,
                        name=session.name,
                        state=labels[session.state],
                        allowed=self.env._(" or ").join(labels[s] for s in allowed),
                    )
                )

    def _check_group(self, group_xmlid, action):
        if not self.env.su and not self.env.user.has_group(group_xmlid):
            group = self.env.ref(group_xmlid)
            raise AccessError(
                self.env._(
                    "Only the group %(group)s may %(action)s reconciliation statements.",
                    group=group.full_name,
                    action=action,
                )
            )

    def write(self, vals):
        frozen_fields = {
            "partner_id",
            "company_id",
            "currency_id",
            "date_from",
            "date_to",
            "analytic_account_ids",
            "opening_balance",
            "closing_balance",
        }
        if frozen_fields & set(vals) and not self.env.context.get("customer_reconciliation_engine"):
            frozen = self.filtered(lambda s: s.state in FROZEN_STATES)
            if frozen:
                raise UserError(
                    self.env._(
                        "Statement %s is frozen: its customer, period, currency and figures no longer change.",
                        frozen[0].name,
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------ digest
    def _canonical_content(self):
        """A language-independent serialisation of the frozen header, lines and open items."""
        self.ensure_one()
        digits = self.currency_id.decimal_places

        def amount(value):
            return f"{value or 0.0:.{digits}f}"

        def day(value):
            return value.isoformat() if value else None

        header = {
            "name": self.name,
            "version": self.version,
            "company": self.company_id.id,
            "partner": self.partner_id.id,
            "partner_name": self.partner_id.name,
            "vat": self.partner_id.vat or None,
            "currency": self.currency_id.name,
            "date_from": day(self.date_from),
            "date_to": day(self.date_to),
            "scope": sorted(self.analytic_account_ids.ids),
            "totals": [
                amount(self[f])
                for f in (
                    "opening_balance",
                    "period_debit",
                    "period_credit",
                    "closing_balance",
                    "overdue_amount",
                    "aging_not_due",
                    "aging_1_30",
                    "aging_31_60",
                    "aging_61_90",
                    "aging_over_90",
                )
            ],
        }
        lines = [
            [
                line.sequence,
                line.kind,
                day(line.date),
                line.move_line_id.id or None,
                line.name or None,
                line.customer_ref or None,
                day(line.date_maturity),
                amount(line.debit),
                amount(line.credit),
                amount(line.balance),
                amount(line.open_amount),
            ]
            for line in self.line_ids.sorted(lambda l: (l.sequence, l.id))
        ]
        open_items = [
            [
                item.move_line_id.id,
                day(item.date_maturity),
                amount(item.amount),
                amount(item.open_amount),
            ]
            for item in self.open_item_ids.sorted(lambda i: i.move_line_id.id)
        ]
        return json.dumps(
            {"header": header, "lines": lines, "open_items": open_items},
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )

    def _compute_digest(self):
        self.ensure_one()
        return hashlib.sha256(self._canonical_content().encode("utf-8")).hexdigest()

    def action_verify_digest(self):
        """Recompute the digest from the stored statement and say whether it still matches."""
        self.ensure_one()
        if not self.digest:
            raise UserError(self.env._("Statement %s has not been frozen yet.", self.name))
        ok = self._compute_digest() == self.digest
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success" if ok else "danger",
                "title": self.env._("Content digest"),
                "message": self.env._("The stored statement matches its digest.")
                if ok
                else self.env._(
                    "The stored statement no longer matches its digest: it was altered outside Odoo."
                ),
                "sticky": not ok,
            },
        }

    # ------------------------------------------------------------------ transitions
    def action_submit(self):
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("submit"))
        self._check_state(["draft"], self.env._("submit"))
        not_generated = self.filtered(lambda s: not s.generated_at)
        if not_generated:
            raise UserError(
                self.env._("Generate statement %s before submitting it.", not_generated[0].name)
            )
        now = fields.Datetime.now()
        for session in self:
            session.write(
                {
                    "state": "to_approve",
                    "submitted_by_id": self.env.user.id,
                    "submitted_date": now,
                    "frozen_date": now,
                    "rejection_reason": False,
                }
            )
            session.digest = session._compute_digest()
            session._schedule_approval_activity()
        return True

    def _approvers(self):
        self.ensure_one()
        if self.company_id.reconciliation_approver_id:
            return self.company_id.reconciliation_approver_id
        managers = (
            self.env.ref("customer_reconciliation.group_reconciliation_manager").sudo().all_user_ids
        )
        managers = managers.filtered(
            lambda u: not u.share and self.company_id in u.company_ids and u.active
        )
        if not self.company_id.reconciliation_allow_self_approval:
            managers -= self.submitted_by_id
        return managers - self.env.ref("base.user_root")

    def _schedule_approval_activity(self):
        for approver in self._approvers():
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=approver.id,
                summary=self.env._("Approve reconciliation statement"),
                note=self.env._(
                    "%(user)s submitted %(name)s for approval.",
                    user=self.env.user.name,
                    name=self.name,
                ),
            )

    def action_approve(self):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("approve")
        )
        self._check_state(["to_approve"], self.env._("approve"))
        for session in self:
            if (
                session.submitted_by_id == self.env.user
                and not session.company_id.reconciliation_allow_self_approval
            ):
                raise UserError(
                    self.env._(
                        "You prepared statement %s: another manager must approve it (segregation of duties).",
                        session.name,
                    )
                )
        self.write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )
        self.activity_feedback(["mail.mail_activity_data_todo"], feedback=self.env._("Approved"))
        return True

    def action_reject(self, reason):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reject")
        )
        self._check_state(["to_approve", "approved"], self.env._("reject"))
        if not (reason or "").strip():
            raise UserError(
                self.env._("Say why the statement is rejected: the reason is mandatory.")
            )
        for session in self:
            session.write(
                {
                    "state": "draft",
                    "rejection_reason": reason,
                    "digest": False,
                    "frozen_date": False,
                    "approved_by_id": False,
                    "approved_date": False,
                }
            )
            session.activity_unlink(["mail.mail_activity_data_todo"])
            session.message_post(body=self.env._("Rejected: %s", reason))
            if session.submitted_by_id:
                session.activity_schedule(
                    "mail.mail_activity_data_todo",
                    user_id=session.submitted_by_id.id,
                    summary=self.env._("Statement rejected"),
                    note=reason,
                )
        return True

    def action_open_reject_wizard(self):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Reject Statement"),
            "res_model": "customer.reconciliation.reject.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"active_model": self._name, "active_ids": self.ids},
        }

    def action_mark_sent(self):
        """Publish the statement to the customer (sending by email and portal build on this)."""
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("send"))
        self._check_state(["approved", "sent"], self.env._("send"))
        self.filtered(lambda s: s.state == "approved").write(
            {"state": "sent", "sent_date": fields.Datetime.now()}
        )
        return True

    def _record_confirmation(
        self,
        confirmed_by,
        title=None,
        channel="internal",
        comment=None,
        attachments=None,
        date=None,
    ):
        """The customer agreed with the balance. Internal records need their evidence."""
        self._check_state(["sent"], self.env._("confirm"))
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
            attachments.sudo().write({"res_model": self._name, "res_id": self[:1].id})
        self.write(
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
            )
        return True

    def _record_dispute(self, disputes_vals, source="internal"):
        """The customer disagreed: create the disputes and mark the statement disputed."""
        self.ensure_one()
        self._check_state(["sent", "disputed"], self.env._("dispute"))
        if not disputes_vals:
            raise UserError(self.env._("Say what the customer disputes."))
        disputes = (
            self.env["customer.reconciliation.dispute"]
            .sudo()
            .create([{**vals, "session_id": self.id, "source": source} for vals in disputes_vals])
        )
        self.state = "disputed"
        self.message_post(
            body=self.env._(
                "The customer disputes the statement: %s", ", ".join(disputes.mapped("name"))
            )
        )
        return disputes

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
                            session.dispute_ids.filtered(lambda d: d.state == "open").mapped("name")
                        ),
                    )
                )
        disputed = self.filtered(lambda s: s.state == "disputed")
        self.write({"state": "closed", "closed_date": fields.Datetime.now()})
        disputed._create_new_version()
        return True

    def _create_new_version(self):
        """A settled disputed statement is superseded by a new draft version of the same period."""
        new = self.browse()
        for session in self:
            new |= self.with_context(mail_create_nolog=True).create(
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
        self.env["customer.reconciliation.engine"]._compute_sessions(new)
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

    def action_cancel(self):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("cancel")
        )
        self._check_state(["draft", "to_approve", "approved"], self.env._("cancel"))
        self.write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_reset_to_draft(self):
        """A cancelled statement back to draft, to be regenerated."""
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reset")
        )
        self._check_state(["cancelled"], self.env._("reset to draft"))
        self.write({"state": "draft", "digest": False, "frozen_date": False})
        return True

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
