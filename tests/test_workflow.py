"""Approval workflow, frozen statements, digest, versions and who may do what."""

import base64
from datetime import date

from common import ReconciliationCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

OK = "ok"

# Who may do what. One row per action, one column per role:
#   user      accountant (Reconciliation User)
#   manager   Reconciliation Manager
#   sales     salesperson of the statement's customer (Sales / own documents, no reconciliation group)
#   sales2    salesperson of another customer
#   auditor   read-only auditor
#   other_co  Reconciliation Manager of another company only
ROLES = ("user", "manager", "sales", "sales2", "auditor", "other_co")
# fmt: off
MATRIX = {
    #  action                   user         manager      sales        sales2       auditor      other_co
    "read":                    (OK,          OK,          OK,          AccessError, OK,          AccessError),
    "create":                  (OK,          OK,          AccessError, AccessError, AccessError, AccessError),
    "write":                   (OK,          OK,          AccessError, AccessError, AccessError, AccessError),
    "unlink":                  (OK,          OK,          AccessError, AccessError, AccessError, AccessError),
    "submit":                  (OK,          OK,          AccessError, AccessError, AccessError, AccessError),
    "approve_own":             (AccessError, UserError,   AccessError, AccessError, AccessError, AccessError),
    "approve_other":           (AccessError, OK,          AccessError, AccessError, AccessError, AccessError),
    "reject":                  (AccessError, OK,          AccessError, AccessError, AccessError, AccessError),
    "send":                    (OK,          OK,          AccessError, AccessError, AccessError, AccessError),
    "record_confirmation":     (OK,          OK,          "logged",    AccessError, AccessError, AccessError),
    "cancel":                  (AccessError, OK,          AccessError, AccessError, AccessError, AccessError),
    "close":                   (AccessError, OK,          AccessError, AccessError, AccessError, AccessError),
    "edit_line":               (UserError,   UserError,   UserError,   UserError,   UserError,   UserError),
    "reset_confirmed_invoice": (UserError,   OK,          AccessError, AccessError, AccessError, AccessError),
}
# fmt: on


@tagged("post_install", "-at_install")
class WorkflowCommon(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.other_company = cls.setup_other_company(name="Other Branch Ltd")["company"]
        cls.users = {
            "user": new_test_user(
                cls.env,
                login="wf_user",
                groups="customer_reconciliation.group_reconciliation_user",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "manager": new_test_user(
                cls.env,
                login="wf_manager",
                groups="customer_reconciliation.group_reconciliation_manager,account.group_account_user",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "manager2": new_test_user(
                cls.env,
                login="wf_manager2",
                groups="customer_reconciliation.group_reconciliation_manager",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "sales": new_test_user(
                cls.env,
                login="wf_sales",
                groups="sales_team.group_sale_salesman",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "sales2": new_test_user(
                cls.env,
                login="wf_sales2",
                groups="sales_team.group_sale_salesman",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "auditor": new_test_user(
                cls.env,
                login="wf_auditor",
                groups="customer_reconciliation.group_reconciliation_auditor",
                company_id=company.id,
                company_ids=[company.id],
            ),
            "other_co": new_test_user(
                cls.env,
                login="wf_other",
                groups="customer_reconciliation.group_reconciliation_manager",
                company_id=cls.other_company.id,
                company_ids=[cls.other_company.id],
            ),
        }
        cls.customer = cls._customer("Workflow Customer", user_id=cls.users["sales"].id)
        cls.customer2 = cls._customer("Another Customer", user_id=cls.users["sales2"].id)
        cls.invoice = cls._invoice(cls.customer, 1000, date(2026, 10, 5), ref="CUST-PO-1")
        cls._invoice(cls.customer, 250, date(2026, 10, 12))
        cls.evidence = cls.env["ir.attachment"].create(
            {
                "name": "signed.pdf",
                "datas": base64.b64encode(b"%PDF-1.4 signed"),
            }
        )

    def _session(self, state="draft", preparer="user", version_key=None, customer=None):
        """A statement of the customer in ``state``, reached through the real transitions."""
        customer = customer or self.customer
        self.Session.search([("partner_id", "=", customer.id)]).sudo()._workflow_write(
            {"state": "cancelled"}
        )
        session = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), customer.ids
        )["created"]
        if state == "draft":
            return session
        session.with_user(self.users[preparer]).action_submit()
        if state == "to_approve":
            return session
        approver = "manager2" if preparer == "manager" else "manager"
        session.with_user(self.users[approver]).action_approve()
        if state == "approved":
            return session
        session.action_mark_sent()
        if state == "sent":
            return session
        if state == "confirmed":
            # Each confirmation has its own evidence (an attachment never moves between records).
            evidence = self.evidence.copy({"res_model": False, "res_id": 0})
            session._record_confirmation("Ms. Li", channel="internal", attachments=evidence)
        elif state == "disputed":
            session._record_dispute([{"reason": "amount_differs", "customer_amount": 900}])
        return session


@tagged("post_install", "-at_install")
class TestPermissionMatrix(WorkflowCommon):
    def _run(self, action, role):
        user = self.users[role]
        Session = self.Session.with_user(user)
        if action == "read":
            session = self._session("sent")
            session.with_user(user).check_access("read")
            return session.with_user(user).closing_balance
        if action == "create":
            return Session.create(
                {
                    "partner_id": self.customer.id,
                    "company_id": self.company.id,
                    "date_from": date(2026, 9, 1),
                    "date_to": date(2026, 9, 30),
                }
            )
        if action == "write":
            return self._session().with_user(user).write({"user_id": user.id})
        if action == "unlink":
            return self._session().with_user(user).unlink()
        if action == "submit":
            return self._session().with_user(user).action_submit()
        if action == "approve_own":
            session = self._session()
            session.sudo()._workflow_write({"state": "to_approve", "submitted_by_id": user.id})
            return session.with_user(user).action_approve()
        if action == "approve_other":
            return self._session("to_approve", preparer="user").with_user(user).action_approve()
        if action == "reject":
            return self._session("to_approve").with_user(user).action_reject("Wrong period")
        if action == "send":
            return self._session("approved").with_user(user).action_mark_sent()
        if action == "record_confirmation":
            session = self._session("sent")
            evidence = (
                self.env["ir.attachment"]
                .with_user(user)
                .create({"name": "signed.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed")})
            )
            wizard = (
                self.env["customer.reconciliation.answer.wizard"]
                .with_user(user)
                .create(
                    {
                        "session_id": session.id,
                        "answer": "confirm",
                        "confirmed_by": "Mr. Wang",
                        "attachment_ids": [Command.set(evidence.ids)],
                    }
                )
            )
            wizard.action_record()
            return "logged" if session.state == "sent" else OK
        if action == "cancel":
            return self._session("approved").with_user(user).action_cancel()
        if action == "close":
            return self._session("confirmed").with_user(user).action_close()
        if action == "edit_line":
            line = self._session("to_approve").line_ids[-1:]
            return line.with_user(user).write({"debit": 1})
        if action == "reset_confirmed_invoice":
            self._session("confirmed")
            return self.invoice.with_user(user).button_draft()
        raise AssertionError(action)

    def test_permission_matrix(self):
        failures = []
        for action, expected_row in MATRIX.items():
            for role, expected in zip(ROLES, expected_row):
                with (
                    self.subTest(action=action, role=role),
                    self.env.cr.savepoint(flush=False) as savepoint,
                ):
                    try:
                        result = self._run(action, role)
                        outcome = result if isinstance(result, str) and result == "logged" else OK
                    except (AccessError, UserError) as error:
                        outcome = type(error)
                    finally:
                        self.env.invalidate_all()
                    savepoint.rollback()
                    if outcome != expected:
                        name = getattr(outcome, "__name__", outcome)
                        failures.append(
                            f"{action} by {role}: {name}, expected {getattr(expected, '__name__', expected)}"
                        )
        self.assertFalse(failures, "\n".join(failures))


@tagged("post_install", "-at_install")
class TestWorkflow(WorkflowCommon):
    def test_happy_path_with_trace(self):
        session = self._session().with_context(tracking_disable=False, mail_notrack=False)
        self.env.cr.flush()  # generated in an earlier request

        def step(method, user="user", *args):
            getattr(session.with_user(self.users[user]), method)(*args)
            self.env.flush_all()
            self.env.cr.flush()  # one request per step: tracking is written at the end of each

        step("action_submit")
        self.assertEqual(session.state, "to_approve")
        self.assertEqual(session.submitted_by_id, self.users["user"])
        self.assertEqual(len(session.digest), 64)
        approvers = session.activity_ids.user_id
        self.assertIn(self.users["manager"], approvers)
        self.assertNotIn(self.users["user"], approvers)
        step("action_approve", "manager")
        self.assertEqual(session.state, "approved")
        self.assertFalse(session.activity_ids)
        step("action_mark_sent")
        session._record_confirmation(
            "Ms. Li", title="CFO", channel="internal", attachments=self.evidence
        )
        self.env.cr.flush()
        self.assertEqual(session.state, "confirmed")
        self.assertEqual(session.confirmation_attachment_ids, self.evidence)
        self.assertEqual(self.evidence.res_id, session.id)
        step("action_close", "manager")
        self.assertEqual(session.state, "closed")
        tracked = session.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "state"
        )
        self.assertEqual(len(tracked), 5, "every transition is tracked in the chatter")
        self.assertEqual(
            session.message_ids.filtered("tracking_value_ids").author_id,
            (self.users["user"] | self.users["manager"]).partner_id | self.env.user.partner_id,
        )

    def test_self_approval_only_when_allowed(self):
        session = self._session("to_approve", preparer="manager")
        with self.assertRaisesRegex(UserError, "another manager must approve"):
            session.with_user(self.users["manager"]).action_approve()
        self.company.reconciliation_allow_self_approval = True
        session.with_user(self.users["manager"]).action_approve()
        self.assertEqual(session.state, "approved")

    def test_reject_needs_a_reason_and_thaws(self):
        session = self._session("to_approve")
        with self.assertRaisesRegex(UserError, "reason is mandatory"):
            session.with_user(self.users["manager"]).action_reject("  ")
        session.with_user(self.users["manager"]).action_reject("Missing the October credit note")
        self.assertEqual(session.state, "draft")
        self.assertFalse(session.digest)
        self.assertEqual(session.activity_ids.user_id, self.users["user"])
        session.action_regenerate()

    def test_wrong_transitions_say_what_is_needed(self):
        session = self._session("to_approve")
        with self.assertRaisesRegex(UserError, "must be Approved"):
            session.action_mark_sent()
        session.with_user(self.users["manager"]).action_cancel()
        with self.assertRaisesRegex(UserError, "it is Cancelled; it must be To Approve"):
            session.with_user(self.users["manager"]).action_approve()
        sent = self._session("sent")
        with self.assertRaisesRegex(UserError, "signed confirmation"):
            sent._record_confirmation("Ms. Li", channel="internal")
        with self.assertRaisesRegex(UserError, "who confirmed"):
            sent._record_confirmation(" ", channel="internal", attachments=self.evidence)

    def test_close_requires_settled_disputes_then_new_version(self):
        session = self._session("disputed")
        dispute = session.dispute_ids
        self.assertEqual(dispute.state, "new")
        self.assertAlmostEqual(dispute.difference, 900 - 1250)
        with self.assertRaisesRegex(UserError, "open disputes"):
            session.with_user(self.users["manager"]).action_close()
        dispute.action_resolve("Credit note issued for the damaged goods")
        session.with_user(self.users["manager"]).action_close()
        self.assertEqual(session.state, "closed")
        new = session.next_version_ids
        self.assertEqual(new.version, 2)
        self.assertEqual(new.previous_version_id, session)
        self.assertEqual(new.state, "draft")
        self.assertNotEqual(new.name, session.name)
        self.assertAlmostEqual(new.closing_balance, 1250)
        # Generating the same period again refreshes the new draft version, never the old one.
        again = self.Engine.generate(
            self.company, date(2026, 10, 1), date(2026, 10, 31), self.customer.ids
        )
        self.assertEqual(again["refreshed"], new)
        names = self.Session.search([("partner_id", "=", self.customer.id)]).mapped("name")
        self.assertEqual(len(names), len(set(names)))

    def test_salesperson_logs_answer_for_review(self):
        session = self._session("sent")
        wizard = (
            self.env["customer.reconciliation.answer.wizard"]
            .with_user(self.users["sales"])
            .create(
                {
                    "session_id": session.id,
                    "answer": "dispute",
                    "reason": "payment_not_recorded",
                    "customer_amount": 250,
                    "comment": "Paid on 30 Oct by wire",
                }
            )
        )
        self.assertTrue(wizard.for_review)
        wizard.action_record()
        self.assertEqual(session.state, "sent")
        self.assertIn("Paid on 30 Oct by wire", session.message_ids[0].body)
        self.assertEqual(session.activity_ids.user_id, session.user_id)


@tagged("post_install", "-at_install")
class TestFrozen(WorkflowCommon):
    def test_ledger_changes_never_change_a_submitted_statement(self):
        session = self._session("sent")
        frozen = (session.closing_balance, session.digest, session.line_ids.mapped("amount"))
        self.assertEqual(session._ledger_differences()[session.id], [])
        # a new back-dated invoice, an entry reset to draft, a changed amount, a new reconciliation
        backdated = self._invoice(self.customer, 77, date(2026, 10, 20))
        second = session.line_ids.filtered(
            lambda l: l.kind == "invoice" and l.move_id != self.invoice
        ).move_id
        second.button_draft()
        self.invoice.button_draft()
        self.invoice.invoice_line_ids.price_unit = 1100
        self.invoice.action_post()
        payment = self._pay(self.invoice, amount=300, pay_date=date(2026, 10, 25))
        prior = self._invoice(self.customer, 5, date(2026, 9, 30))
        with self.assertRaisesRegex(UserError, "Only draft statements"):
            session.action_regenerate()
        self.assertEqual(
            (session.closing_balance, session.digest, session.line_ids.mapped("amount")), frozen
        )
        self.assertEqual(session._content_digest(), session.digest)

        diffs = session._ledger_differences()[session.id]
        by_change = {}
        for diff in diffs:
            by_change.setdefault(diff["change"], []).append(diff)
        self.assertEqual(
            {d["name"] for d in by_change["added"]}, {backdated.name, payment.move_id.name}
        )
        self.assertEqual([d["name"] for d in by_change["removed"]], [second.name])
        self.assertEqual([d["name"] for d in by_change["changed"]], [self.invoice.name])
        self.assertAlmostEqual(by_change["changed"][0]["ledger_amount"], 1100)
        self.assertAlmostEqual(by_change["opening"][0]["ledger_amount"], 5)
        self.assertEqual(len(diffs), 5)
        self.assertTrue(prior)

        session.action_check_ledger()
        self.assertEqual(session.ledger_check_state, "differs")
        self.assertIn(backdated.name, session.message_ids[0].body)

    def test_a_first_check_that_finds_nothing_posts_nothing(self):
        session = self._session("sent")

        def tracked():
            return session.message_ids.tracking_value_ids.filtered(
                lambda t: t.field_id.name == "ledger_check_state"
            )

        self.env.cr.precommit.run()  # the setup's own tracking, as if committed
        messages = session.message_ids
        session.action_check_ledger()
        self.env.cr.precommit.run()  # the tracking messages
        session.invalidate_recordset(["message_ids"])
        self.assertEqual(session.ledger_check_state, "ok")
        self.assertTrue(session.ledger_check_date)
        self.assertEqual(session.message_ids, messages)
        self._invoice(self.customer, 77, date(2026, 10, 20))
        session.action_check_ledger()
        self.env.cr.precommit.run()
        session.invalidate_recordset(["message_ids"])
        self.assertEqual(session.ledger_check_state, "differs")
        self.assertEqual(tracked().mapped("old_value_char"), ["Matches the ledger"])

    def test_nightly_check_only_looks_at_sent_and_confirmed(self):
        states = ("draft", "to_approve", "approved", "sent", "confirmed", "disputed", "closed")
        sessions = {}
        for state in states:
            customer = self._customer(f"Nightly {state}")
            self._invoice(customer, 100, date(2026, 10, 5))
            sessions[state] = self._session(
                "confirmed" if state == "closed" else state, customer=customer
            )
            if state == "closed":
                sessions[state].action_close()
            # The ledger changes under every one of them after it was made.
            self._invoice(customer, 77, date(2026, 10, 20))
        self.assertEqual(sessions["closed"].state, "closed")
        self.Session._cron_check_ledger()
        checked = {state for state, session in sessions.items() if session.ledger_check_date}
        self.assertEqual(checked, {"sent", "confirmed"})
        self.assertEqual(sessions["sent"].ledger_check_state, "differs")
        self.assertEqual(sessions["confirmed"].ledger_check_state, "differs")
        for state in set(states) - checked:
            self.assertFalse(sessions[state].ledger_check_state, state)

    def test_digest_is_stable_and_sensitive(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        session = self._session("to_approve")
        self.assertEqual(session._content_digest(), session.digest)
        self.assertEqual(session.with_context(lang="zh_CN")._content_digest(), session.digest)
        self.env.invalidate_all()
        self.assertEqual(session._content_digest(), session.digest)
        line = session.line_ids.filtered("move_line_id")[:1]
        self._sql(
            "UPDATE customer_reconciliation_line SET debit = debit + 0.01 WHERE id = %s", line.id
        )
        self.env.invalidate_all()
        self.assertNotEqual(session._content_digest(), session.digest)
        self.assertEqual(session.action_verify_digest()["params"]["type"], "danger")

    def test_frozen_header_cannot_change(self):
        session = self._session("to_approve")
        with self.assertRaisesRegex(UserError, "is frozen"):
            session.write({"date_to": date(2026, 10, 30)})
        session.write({"tag_ids": [Command.create({"name": "Checked"})]})

    def test_confirmed_entries_are_protected(self):
        session = self._session("confirmed")
        with self.assertRaisesRegex(UserError, session.name):
            self.invoice.with_user(self.users["user"]).button_draft()
        self.invoice.with_user(self.users["manager"]).button_draft()
        self.assertEqual(self.invoice.state, "draft")
        self.assertIn(self.invoice.name, session.message_ids[0].body)
