"""Integrity: every role against every write path of a statement, through the ORM.

Each forbidden path must raise and leave the database exactly as it was: the statement's row,
its lines, open items, disputes, messages, attachments and the numbering sequences.
The portal's routes are tried by role in ``test_integrity_portal.py``.
"""

import base64
from datetime import date, datetime

from integrity_common import FORBIDDEN, IntegrityCommon

from odoo import Command
from odoo.tests import tagged

from odoo.addons.customer_reconciliation.models.session import EDITABLE_FIELDS

OK = "ok"

# Workflow fields: written only by the transitions and the engine, in every state, by anyone.
PROTECTED = (
    "name",
    "state",
    "version",
    "run_id",
    "generated_at",
    "line_ids",
    "open_item_ids",
    "opening_balance",
    "period_debit",
    "period_credit",
    "closing_balance",
    "closing_balance_company",
    "overdue_amount",
    "aging_over_90",
    "line_count",
    "submitted_by_id",
    "submitted_date",
    "approved_by_id",
    "approved_date",
    "rejection_reason",
    "digest",
    "frozen_date",
    "sent_date",
    "reminder_count",
    "confirmed_date",
    "confirmed_by_name",
    "confirmed_by_title",
    "confirmation_channel",
    "confirmation_comment",
    "confirmation_attachment_ids",
    "confirmation_user_id",
    "confirmation_ip",
    "closed_date",
    "previous_version_id",
    "access_token",
    "customer_ledger_opening",
    "customer_ledger_closing_reported",
    "customer_ledger_match_date",
    "customer_ledger_import_note",
    "ledger_check_state",
)
# Fields of the whitelist, tried too: allowed where EDITABLE_FIELDS says so.
WHITELISTED = ("date_to", "currency_id", "tag_ids", "user_id", "customer_ledger_date_tolerance")
# Roles of the ORM matrix; those who may write statements at all (access rights).
INTERNAL_ROLES = ("accountant", "approver", "salesperson", "auditor", "admin", "superuser")
WRITERS = ("accountant", "approver", "admin", "superuser")


def _value_for(field, env, session):
    """A plausible new value of ``field`` (what a hostile client would send)."""
    kind = field.type
    if kind == "many2one":
        comodel = env[field.comodel_name]
        other = comodel.sudo().search([("id", "!=", session[field.name].id)], limit=1)
        return other.id
    if kind in ("one2many", "many2many"):
        return [Command.clear()]
    if kind == "selection":
        keys = [key for key, _label in field._description_selection(env)]
        return next(key for key in keys if key != session[field.name])
    if kind == "date":
        return date(2025, 12, 31)
    if kind == "datetime":
        return datetime(2025, 12, 31, 12, 0)
    if kind in ("integer", "float", "monetary"):
        return 99
    if kind == "boolean":
        return not session[field.name]
    return "forged"


@tagged("post_install", "-at_install")
class TestWorkflowFieldMatrix(IntegrityCommon):
    """ORM ``write`` of each protected and whitelisted field, in each state, by each role."""

    def _expected(self, role, state, name):
        return OK if role in WRITERS and name in EDITABLE_FIELDS[state] else "forbidden"

    def test_field_matrix(self):
        failures = []
        tried = 0
        for state, session in self.by_state.items():
            for name in PROTECTED + WHITELISTED:
                value = _value_for(self.Session._fields[name], self.env, session)
                for role in INTERNAL_ROLES:
                    expected = self._expected(role, state, name)
                    tried += 1
                    before = self._snapshot(session)
                    with self.env.cr.savepoint(flush=False) as savepoint:
                        try:
                            self._as(session, role).write({name: value})
                            self.env.flush_all()
                            outcome = OK
                        except FORBIDDEN as error:
                            outcome = type(error)
                        self.env.invalidate_all()
                        after = self._snapshot(session)
                        savepoint.rollback()
                    self.env.invalidate_all()
                    if expected == OK:
                        if outcome != OK:
                            failures.append(
                                f"{role} {state}.{name}: {outcome.__name__}, expected OK"
                            )
                        continue
                    if outcome == OK:
                        failures.append(f"{role} wrote {state}.{name}")
                    elif not issubclass(outcome, FORBIDDEN):
                        failures.append(f"{role} {state}.{name}: {outcome}")
                    elif after != before:
                        failures.append(f"{role} {state}.{name}: refused but the database changed")
        self.assertGreater(tried, 2000)
        self.assertFalse(failures, "\n".join(failures))

    def test_client_context_keys_unlock_nothing(self):
        session = self.by_state["sent"]
        for context in (
            {"customer_reconciliation_workflow": True},
            {"customer_reconciliation_workflow": "1"},
            {"tracking_disable": True, "install_mode": True, "module": "customer_reconciliation"},
        ):
            with self.subTest(context=context):
                self.assertForbidden(
                    lambda context=context: (
                        session.with_user(self.admin)
                        .with_context(**context)
                        .write({"state": "confirmed", "confirmed_by_name": "Forged"})
                    ),
                    session,
                )

    def test_portal_user_writes_nothing(self):
        session = self.sa
        for name, value in (("state", "confirmed"), ("confirmed_by_name", "Me"), ("tag_ids", [])):
            with self.subTest(field=name):
                self.assertForbidden(
                    lambda name=name, value=value: session.with_user(self.user_a).write(
                        {name: value}
                    ),
                    session,
                )


@tagged("post_install", "-at_install")
class TestCreateAndUnlink(IntegrityCommon):
    def _vals(self, **extra):
        return {
            "partner_id": self.customer_a.id,
            "company_id": self.company.id,
            "date_from": date(2024, 3, 1),
            "date_to": date(2024, 3, 31),
            **extra,
        }

    def test_create_takes_no_workflow_field(self):
        for name, value in (
            ("state", "confirmed"),
            ("version", 7),
            ("digest", "0" * 64),
            ("submitted_by_id", 1),
            ("approved_by_id", 1),
            ("closing_balance", 1.0),
            ("confirmed_by_name", "Forged"),
            ("name", "REC/FORGED/1"),
            ("previous_version_id", 1),
            ("access_token", "known-token"),
        ):
            for role in ("accountant", "approver", "admin", "superuser"):
                with self.subTest(field=name, role=role):
                    self.assertForbidden(
                        lambda name=name, value=value, role=role: self._as(
                            self.Session, role
                        ).create(self._vals(**{name: value})),
                        self.Session,
                    )

    def test_context_defaults_of_workflow_fields_are_ignored(self):
        session = (
            self.Session.with_user(self.accountant)
            .with_context(
                default_state="confirmed",
                default_approved_by_id=self.accountant.id,
                default_version=5,
                default_confirmed_by_name="Forged",
            )
            .create(self._vals())
        )
        self.assertEqual(session.state, "draft")
        self.assertFalse(session.approved_by_id)
        self.assertEqual(session.version, 1)
        self.assertFalse(session.confirmed_by_name)

    def test_copy_is_refused_or_a_draft(self):
        confirmed = self.by_state["confirmed"]
        try:
            copy = confirmed.with_user(self.accountant).copy(
                {"date_from": date(2024, 1, 1), "date_to": date(2024, 1, 31)}
            )
        except FORBIDDEN:
            return
        self.assertEqual(copy.state, "draft")
        self.assertFalse(copy.digest or copy.confirmed_by_name or copy.approved_by_id)

    def test_unlink_only_draft_or_cancelled_for_everyone(self):
        for state in ("to_approve", "approved", "sent", "confirmed", "disputed", "closed"):
            for role in ("accountant", "approver", "admin", "superuser"):
                with self.subTest(state=state, role=role):
                    session = self.by_state[state]
                    self.assertForbidden(
                        lambda session=session, role=role: self._as(session, role).unlink(),
                        session,
                    )

    def test_lines_and_open_items_are_the_engine_s(self):
        session = self.by_state["sent"]
        line = session.line_ids[-1:]
        item = session.open_item_ids[:1]
        for role in ("accountant", "approver", "admin", "superuser"):
            for label, call in (
                ("line write", lambda role=role: self._as(line, role).write({"debit": 1.0})),
                ("line unlink", lambda role=role: self._as(line, role).unlink()),
                (
                    "line create",
                    lambda role=role: self._as(
                        self.env["customer.reconciliation.line"], role
                    ).create(
                        {
                            "session_id": session.id,
                            "kind": "misc",
                            "company_id": self.company.id,
                            "currency_id": session.currency_id.id,
                        }
                    ),
                ),
                ("item write", lambda role=role: self._as(item, role).write({"amount": 1.0})),
                ("item unlink", lambda role=role: self._as(item, role).unlink()),
                (
                    "session line command",
                    lambda role=role: self._as(session, role).write(
                        {"line_ids": [Command.unlink(line.id)]}
                    ),
                ),
            ):
                with self.subTest(path=label, role=role):
                    self.assertForbidden(call, session, line, item)


@tagged("post_install", "-at_install")
class TestSegregationOfDuties(IntegrityCommon):
    def test_preparer_cannot_be_rewritten_then_self_approved(self):
        session = self._statement_in("to_approve", self.customer_c, 10)
        self.assertEqual(session.submitted_by_id, self.accountant)
        # The approver tries to become the preparer of someone else's statement ...
        self.assertForbidden(
            lambda: session.with_user(self.approver).write({"submitted_by_id": self.approver2.id}),
            session,
        )
        # ... or to stamp an approval himself.
        self.assertForbidden(
            lambda: session.with_user(self.approver).write(
                {"state": "approved", "approved_by_id": self.approver2.id}
            ),
            session,
        )
        # Preparing and approving one's own statement stays refused.
        own = self._statement_in("draft", self.customer_c, 11)
        own.with_user(self.approver).action_submit()
        self.assertEqual(own.submitted_by_id, self.approver)
        self.assertForbidden(lambda: own.with_user(self.approver).action_approve(), own)
        own.with_user(self.approver2).action_approve()
        self.assertEqual(own.approved_by_id, self.approver2)

    def test_who_and_when_are_the_server_s(self):
        session = self._statement_in("draft", self.customer_c, 12)
        session.with_user(self.accountant).with_context(
            default_submitted_by_id=self.approver.id
        ).action_submit()
        self.assertEqual(session.submitted_by_id, self.accountant)
        self.assertTrue(session.submitted_date)

    def test_transitions_stay_in_the_audit_trail(self):
        session = self._statement_in("to_approve", self.customer_c, 3, year=2024)
        self.env.cr.flush()  # submitted in an earlier request
        session.with_user(self.approver).with_context(
            tracking_disable=True, mail_notrack=True
        ).action_approve()
        self.env.flush_all()
        self.env.cr.flush()  # the end of the request: tracking is written
        self.env.invalidate_all()
        tracked = session.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertIn("Approved", tracked.mapped("new_value_char"))

    def test_auditor_and_salesperson_cannot_regenerate(self):
        draft = self.by_state["draft"]
        for role in ("auditor", "salesperson", "portal"):
            with self.subTest(role=role):
                self.assertForbidden(
                    lambda role=role: self._as(draft, role).action_regenerate(), draft
                )
        self.assertTrue(draft.with_user(self.accountant).action_regenerate())

    def test_the_ledger_import_is_the_accountant_s(self):
        """The customer's-ledger import, its wizard and the wizard's sheets, tried by the roles
        without the right: refused, nothing imported, no import note written."""
        sent = self.by_state["sent"]
        content = b"Date,Reference,Amount\n2025-03-03,X-1,-10.00\n"
        upload = {"session_id": sent.id, "file": base64.b64encode(content), "filename": "x.csv"}
        for role in ("auditor", "salesperson", "portal"):
            user = self._user(role)
            with self.subTest(role=role):
                Wizard = self.env["customer.reconciliation.ledger.import.wizard"].with_user(user)
                self.assertForbidden(lambda Wizard=Wizard: Wizard.create(upload), sent)
                Sheet = self.env["customer.reconciliation.ledger.import.sheet"].with_user(user)
                self.assertForbidden(lambda Sheet=Sheet: Sheet.create({"name": "x"}), sent)
                self.assertForbidden(
                    lambda role=role: self._as(sent, role)._import_customer_ledger(
                        "x.csv", content
                    ),
                    sent,
                )
        self.assertFalse(sent.customer_ledger_import_note)


@tagged("post_install", "-at_install")
class TestTransitionsByRole(IntegrityCommon):
    """Each transition tried by the roles without the right: refused, nothing changed."""

    TRANSITIONS = (
        ("draft", "action_submit", ()),
        ("draft", "action_regenerate", ()),
        ("to_approve", "action_approve", ()),
        ("to_approve", "action_reject", ("Wrong",)),
        ("approved", "action_mark_sent", ()),
        ("approved", "action_cancel", ()),
        ("confirmed", "action_close", ()),
        ("cancelled", "action_reset_to_draft", ()),
    )
    # Who may do each: the accountant prepares, submits, regenerates and sends; the approver
    # (a manager) everything but approving what he prepared.
    ALLOWED = {
        "accountant": {"action_submit", "action_regenerate", "action_mark_sent"},
        "approver": {name for _state, name, _args in TRANSITIONS},
    }

    def test_transitions_by_role(self):
        failures = []
        for state, method, args in self.TRANSITIONS:
            for role in ("portal", "salesperson", "auditor", "accountant", "approver"):
                if method in self.ALLOWED.get(role, ()):
                    continue
                session = self.by_state[state]
                with self.subTest(transition=method, role=role):
                    try:
                        self.assertForbidden(
                            lambda session=session, role=role, method=method, args=args: getattr(
                                self._as(session, role), method
                            )(*args),
                            session,
                        )
                    except AssertionError as error:
                        failures.append(f"{method} by {role}: {error}")
        self.assertFalse(failures, "\n".join(failures))


@tagged("post_install", "-at_install")
class TestDisputeIntegrity(IntegrityCommon):
    def setUp(self):
        super().setUp()
        self.session = self._statement_in("sent", self.customer_c, 9, year=2024)
        self.portal_dispute = self.session._portal_dispute(
            [], "amount_differs", customer_amount=10.0, comment="Theirs", user=None
        )
        self.internal = self.session._record_dispute(
            [{"reason": "duplicate", "customer_amount": 5.0}]
        )

    def test_state_changes_only_by_resolving(self):
        dispute = self.internal
        for role in ("accountant", "approver", "admin", "superuser"):
            for vals in (
                {"state": "resolved"},
                {"state": "resolved", "resolution": "Done"},
                {"resolved_by_id": self.approver.id},
                {"resolved_date": datetime(2026, 1, 1)},
                {"name": "DSP/FORGED"},
                {"session_id": self.by_state["sent"].id},
                {"source": "portal"},
            ):
                with self.subTest(role=role, vals=vals):
                    self.assertForbidden(
                        lambda role=role, vals=vals: self._as(dispute, role).write(vals),
                        dispute,
                        self.session,
                    )

    def test_resolution_is_mandatory(self):
        for resolution in (None, "", "   "):
            with self.subTest(resolution=resolution):
                self.assertForbidden(
                    lambda resolution=resolution: self.internal.with_user(
                        self.accountant
                    ).action_resolve(resolution),
                    self.internal,
                )
        self.internal.with_user(self.accountant).action_resolve("Credit note issued")
        self.assertEqual(self.internal.state, "resolved")
        self.assertEqual(self.internal.resolved_by_id, self.accountant)

    def test_settling_by_role(self):
        """Resolve, reject and reopen tried by the roles without the right."""
        settled = self.session._record_dispute([{"reason": "other", "customer_amount": 2.0}])
        settled.with_user(self.accountant).action_resolve("Credit note issued")
        cases = [
            (self.internal, "action_resolve", ("Done",), ("portal", "salesperson", "auditor")),
            (self.internal, "action_reject", ("No",), ("portal", "salesperson", "auditor")),
            (settled, "action_reopen", (), ("portal", "salesperson", "auditor", "accountant")),
        ]
        for dispute, method, args, roles in cases:
            for role in roles:
                with self.subTest(transition=method, role=role):
                    self.assertForbidden(
                        lambda dispute=dispute, method=method, args=args, role=role: getattr(
                            self._as(dispute, role), method
                        )(*args),
                        dispute,
                        self.session,
                    )
        settled.with_user(self.approver).action_reopen()
        self.assertEqual(settled.state, "investigating")

    def test_the_customer_s_words_stay(self):
        for vals in (
            {"comment": "Edited by us"},
            {"customer_amount": 0.0},
            {"reason": "other"},
            {"line_ids": [Command.clear()]},
        ):
            with self.subTest(vals=vals):
                self.assertForbidden(
                    lambda vals=vals: self.portal_dispute.with_user(self.accountant).write(vals),
                    self.portal_dispute,
                )
        # Our own record of it can be corrected while it is open.
        self.internal.with_user(self.accountant).write({"customer_amount": 6.0})
        self.assertEqual(self.internal.customer_amount, 6.0)

    def test_create_and_unlink(self):
        Dispute = self.env["customer.reconciliation.dispute"]
        for vals in (
            {"state": "resolved"},
            {"resolved_by_id": 1},
            {"source": "portal"},
            {"name": "DSP/1"},
        ):
            with self.subTest(vals=vals):
                self.assertForbidden(
                    lambda vals=vals: Dispute.with_user(self.accountant).create(
                        {"session_id": self.session.id, "reason": "other", **vals}
                    ),
                    self.session,
                )
        with self.subTest(path="line of another statement"):
            self.assertForbidden(
                lambda: Dispute.with_user(self.accountant).create(
                    {
                        "session_id": self.session.id,
                        "line_ids": [Command.set(self.sa.line_ids[-1:].ids)],
                    }
                ),
                self.session,
            )
        with self.subTest(path="closed statement"):
            self.assertForbidden(
                lambda: Dispute.with_user(self.accountant).create(
                    {"session_id": self.by_state["closed"].id}
                ),
                self.by_state["closed"],
            )
        for role in ("approver", "admin", "superuser"):
            with self.subTest(path="unlink", role=role):
                self.assertForbidden(
                    lambda role=role: self._as(self.portal_dispute, role).unlink(),
                    self.portal_dispute,
                )
        created = (
            Dispute.with_user(self.accountant)
            .with_context(default_state="resolved")
            .create({"session_id": self.session.id, "reason": "other"})
        )
        self.assertEqual((created.state, created.source), ("new", "internal"))


@tagged("post_install", "-at_install")
class TestChatterAuthor(IntegrityCommon):
    def test_context_does_not_choose_the_author(self):
        session = self.by_state["sent"]
        forged = session.with_user(self.accountant).with_context(
            reconciliation_portal_author_id=self.customer_c.id
        )
        message = forged.message_post(body="Who am I?", message_type="comment")
        self.assertEqual(message.author_id, self.accountant.partner_id)


@tagged("post_install", "-at_install")
class TestAnswerWizardAttachments(IntegrityCommon):
    def _wizard(self, session, user, attachments):
        return (
            self.env["customer.reconciliation.answer.wizard"]
            .with_user(user)
            .create(
                {
                    "session_id": session.id,
                    "answer": "confirm",
                    "confirmed_by": "Mr. Wang",
                    "attachment_ids": [Command.set(attachments.ids)],
                }
            )
        )

    def test_foreign_attachments_are_refused_and_stay(self):
        session = self._statement_in("sent", self.customer_c, 8, year=2024)
        # The signed letter of customer B's statement ...
        letter_b = self.env["ir.attachment"].create(
            {
                "name": "signed-B.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 B"),
                "res_model": self.sb._name,
                "res_id": self.sb.id,
            }
        )
        # ... an upload of another user, not linked to anything ...
        others = (
            self.env["ir.attachment"]
            .with_user(self.approver)
            .create({"name": "approver.pdf", "datas": base64.b64encode(b"%PDF-1.4 C")})
        )
        # ... and a file of a journal entry.
        entry_file = self.env["ir.attachment"].create(
            {
                "name": "invoice.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 D"),
                "res_model": "account.move",
                "res_id": self.inv_a1.id,
            }
        )
        for user in (self.accountant, self.salesperson, self.approver):
            for attachment in (letter_b, others, entry_file):
                if attachment == others and user == self.approver:
                    continue
                with self.subTest(user=user.login, attachment=attachment.name):
                    self.assertForbidden(
                        lambda user=user, attachment=attachment: self._wizard(
                            session, user, attachment
                        ).action_record(),
                        session,
                        attachment,
                    )
        self.assertEqual((letter_b.res_model, letter_b.res_id), (self.sb._name, self.sb.id))

    def test_own_upload_becomes_the_evidence(self):
        session = self._statement_in("sent", self.customer_c, 7, year=2024)
        upload = (
            self.env["ir.attachment"]
            .with_user(self.accountant)
            .create(
                {
                    "name": "signed.pdf",
                    "datas": base64.b64encode(b"%PDF-1.4 ok"),
                    "res_model": "customer.reconciliation.answer.wizard",
                    "res_id": 0,
                }
            )
        )
        self._wizard(session, self.accountant, upload).action_record()
        self.assertEqual(session.state, "confirmed")
        self.assertEqual(session.confirmation_attachment_ids, upload)
        self.assertEqual((upload.res_model, upload.res_id), (session._name, session.id))
