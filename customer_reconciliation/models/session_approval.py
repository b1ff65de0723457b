"""The statement, step 2: approval (复核). Submitting freezes it under a digest; a manager
other than its preparer approves or rejects it; a manager cancels it or resets it to draft."""

import hashlib
import json

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..tools import aging, limits
from ..tools.client_actions import notification
from .approval_batch import APPROVE_NOW_LIMIT
from .engine import UNNUMBERED

# The totals of the digest, in this order (changing it changes every digest).
DIGEST_TOTALS = (
    "opening_balance",
    "period_debit",
    "period_credit",
    "closing_balance",
    "overdue_amount",
    *aging.FIELDS,
)


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    submitted_by_id = fields.Many2one("res.users", string="Prepared By", readonly=True, copy=False)
    submitted_date = fields.Datetime(string="Submitted On", readonly=True, copy=False)
    approved_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    approved_date = fields.Datetime(string="Approved On", readonly=True, copy=False)
    rejection_reason = fields.Text(readonly=True, copy=False, tracking=True)
    digest = fields.Char(
        string="Content Digest",
        readonly=True,
        copy=False,
        help="SHA-256 of the frozen statement (header, lines and open items), computed at submission.",
    )
    frozen_date = fields.Datetime(string="Frozen On", readonly=True, copy=False)
    can_approve = fields.Boolean(compute="_compute_can_approve")

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
            "totals": [amount(self[name]) for name in DIGEST_TOTALS],
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

    def _content_digest(self):
        """The SHA-256 of the statement as it is stored now."""
        self.ensure_one()
        return hashlib.sha256(self._canonical_content().encode("utf-8")).hexdigest()

    def action_verify_digest(self):
        """Recompute the digest from the stored statement and say whether it still matches."""
        self.ensure_one()
        if not self.digest:
            raise UserError(self.env._("Statement %s has not been frozen yet.", self.name))
        ok = self._content_digest() == self.digest
        return notification(
            self.env._("The stored statement matches its digest.")
            if ok
            else self.env._(
                "The stored statement no longer matches its digest: it was altered outside Odoo."
            ),
            "success" if ok else "danger",
            title=self.env._("Content digest"),
            sticky=not ok,
        )

    # ------------------------------------------------------------------ transitions
    def action_submit(self):
        self._check_group("customer_reconciliation.group_reconciliation_user", self.env._("submit"))
        self._check_state(["draft"], self.env._("submit"))
        not_generated = self.filtered(lambda s: not s.generated_at)
        if not_generated:
            raise UserError(
                self.env._("Generate statement %s before submitting it.", not_generated[0].name)
            )
        if unnumbered := self.filtered(lambda s: s.name == UNNUMBERED):
            raise UserError(
                self.env._(
                    "The statement of %s is still being generated in the background: it is "
                    "submitted once it has its number.",
                    unnumbered[0].partner_id.display_name,
                )
            )
        now = fields.Datetime.now()
        for session in self:
            session._workflow_write(
                {
                    "state": "to_approve",
                    "submitted_by_id": self.env.user.id,
                    "submitted_date": now,
                    "frozen_date": now,
                    "rejection_reason": False,
                }
            )
            session._workflow_write({"digest": session._content_digest()})
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
            if session._prepared_by_approver():
                raise UserError(session._prepared_by_approver_message())
        self._workflow_write(
            {
                "state": "approved",
                "approved_by_id": self.env.user.id,
                "approved_date": fields.Datetime.now(),
            }
        )
        self.activity_feedback(["mail.mail_activity_data_todo"], feedback=self.env._("Approved"))
        return True

    def _prepared_by_approver(self):
        """Whether the current user prepared the statement and may not approve it."""
        self.ensure_one()
        return (
            self.submitted_by_id == self.env.user
            and not self.company_id.reconciliation_allow_self_approval
        )

    def _prepared_by_approver_message(self):
        return self.env._(
            "You prepared statement %s: another manager must approve it (segregation of duties).",
            self.name,
        )

    def action_approve_selected(self):
        """Approve the statements selected in the list: at once when they are few, else in
        the background (a bulk approval whose progress the form shows)."""
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("approve")
        )
        if len(self) <= APPROVE_NOW_LIMIT:
            return self.action_approve()
        self._check_state(["to_approve"], self.env._("approve"))
        batch = self.env["customer.reconciliation.approval.batch"]._start(self)
        return {
            "type": "ir.actions.act_window",
            "res_model": batch._name,
            "res_id": batch.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_reject(self, reason):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reject")
        )
        self._check_state(["to_approve", "approved"], self.env._("reject"))
        if not (reason or "").strip():
            raise UserError(
                self.env._("Say why the statement is rejected: the reason is mandatory.")
            )
        try:
            limits.check_text(
                reason, self._fields["rejection_reason"]._description_string(self.env)
            )
        except limits.InputError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        for session in self:
            session._workflow_write(
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

    def action_cancel(self):
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("cancel")
        )
        self._check_state(["draft", "to_approve", "approved"], self.env._("cancel"))
        self._workflow_write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def action_reset_to_draft(self):
        """A cancelled statement back to draft, to be regenerated."""
        self._check_group(
            "customer_reconciliation.group_reconciliation_manager", self.env._("reset")
        )
        self._check_state(["cancelled"], self.env._("reset to draft"))
        self._workflow_write({"state": "draft", "digest": False, "frozen_date": False})
        return True
