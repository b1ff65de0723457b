"""Bulk approval: a manager's selection approved at once when small, else in the background by
batches (progress, cancel, the approver told at the end), with the checks of Approve, and a
worker killed mid-batch resumed with each statement approved once."""

from datetime import date

from common import ReconciliationCommon
from workers_common import FakeCommits, recorded_notifications

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from odoo.addons.customer_reconciliation.models import approval_batch as approval_module
from odoo.addons.customer_reconciliation.models import session_approval


@tagged("post_install", "-at_install")
class TestBulkApproval(ReconciliationCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        groups = "customer_reconciliation.group_reconciliation_"
        company = {"company_id": cls.company.id, "company_ids": [cls.company.id]}
        cls.accountant = new_test_user(
            cls.env, login="bulk_accountant", groups=groups + "user", **company
        )
        cls.approver = new_test_user(
            cls.env, login="bulk_approver", groups=groups + "manager", **company
        )
        cls.other_manager = new_test_user(
            cls.env, login="bulk_manager2", groups=groups + "manager", **company
        )
        customers = [cls._customer(f"Bulk Buyer {index}") for index in range(5)]
        for index, customer in enumerate(customers):
            cls._invoice(customer, 100.0 * (index + 1), date(2026, 11, 5))
        cls.statements = (
            cls.env["customer.reconciliation.engine"]
            .generate(
                cls.company, date(2026, 11, 1), date(2026, 11, 30), [c.id for c in customers]
            )["created"]
            .sorted("id")
        )
        cls.statements[:4].with_user(cls.accountant).action_submit()
        # The approver prepared the last one: segregation of duties refuses it to him.
        cls.statements[4:].with_user(cls.approver).action_submit()
        cls.Batch = cls.env["customer.reconciliation.approval.batch"]

    def setUp(self):
        super().setUp()
        self.patch(session_approval, "APPROVE_NOW_LIMIT", 2)
        self.patch(approval_module, "APPROVAL_BATCH_SIZE", 2)
        commits = self.commits = FakeCommits.install(self)
        commits()  # the transaction as the worker found it

    def _queue(self):
        action = self.statements.with_user(self.approver).action_approve_selected()
        batch = self.Batch.browse(action["res_id"])
        self.assertEqual((action["res_model"], batch.state), (self.Batch._name, "queued"))
        self.assertEqual(set(self.statements.mapped("state")), {"to_approve"}, "not yet")
        return batch

    def _approved_messages(self, session):
        return session.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state" and value.new_value_char == "Approved"
        )

    def test_a_few_are_approved_at_once(self):
        self.statements[:2].with_user(self.approver).action_approve_selected()
        self.assertEqual(self.statements[:2].mapped("state"), ["approved"] * 2)
        self.assertFalse(self.Batch.search([]), "no background job for a few")

    def test_many_are_approved_in_batches_with_progress_and_the_checks_of_approve(self):
        batch = self._queue()
        self.commits.calls.clear()
        self.Batch._cron_approve_statements()
        self.assertEqual(batch.state, "done")
        self.assertEqual(self.commits.calls, [(0, 5), (2, 3), (2, 1), (1, 0)])
        self.assertEqual(self.statements[:4].mapped("state"), ["approved"] * 4)
        self.assertEqual(set(self.statements[:4].mapped("approved_by_id")), {self.approver})
        prepared = self.statements[4]
        self.assertEqual(prepared.state, "to_approve", "he prepared it: not his to approve")
        line = batch.line_ids.filtered(lambda line: line.session_id == prepared)
        self.assertEqual(line.state, "refused")
        self.assertIn("segregation of duties", line.error)
        self.assertEqual(
            (batch.total_count, batch.approved_count, batch.refused_count, batch.progress),
            (5, 4, 1, 100.0),
        )
        self.assertEqual(batch.action_open_refused()["domain"], [("id", "in", prepared.ids)])

    def test_the_approver_is_told_when_it_ends(self):
        sent = recorded_notifications(self)
        batch = self._queue()
        self.Batch._cron_approve_statements()
        notes = [(user, payload) for user, kind, payload in sent if kind == "simple_notification"]
        self.assertEqual(len(notes), 1, "once, when the last statement was approved")
        [(user, payload)] = notes
        self.assertEqual((user, payload["type"]), (self.approver, "warning"))
        self.assertIn("4 approved, 1 not approved", payload["message"])
        self.assertIn(batch.name, payload["message"])

    def test_killed_worker_resumes_with_each_statement_approved_once(self):
        batch = self._queue()
        Session = self.registry["customer.reconciliation.session"]
        approve = Session.action_approve
        calls = []

        def killed_in_second_batch(sessions):
            calls.append(sessions.ids)
            if len(calls) == 2:
                raise RuntimeError("worker killed")
            return approve(sessions)

        self.patch(Session, "action_approve", killed_in_second_batch)
        # Not assertRaises: Odoo's rolls back to a savepoint of its own, not what a dead
        # worker does (its transaction since the last commit is lost, no more).
        try:
            self.Batch._cron_approve_statements()
        except RuntimeError as error:
            self.assertEqual(str(error), "worker killed")
        else:
            self.fail("the worker was not killed")
        self.commits.crash()
        self.assertEqual(batch.line_ids.mapped("state"), ["approved"] * 2 + ["pending"] * 3)
        self.assertEqual(self.statements[2:4].mapped("state"), ["to_approve"] * 2)

        self.patch(Session, "action_approve", approve)
        self.Batch._cron_approve_statements()
        self.assertEqual(batch.state, "done")
        self.assertEqual(len(batch.line_ids), 5, "exactly the 5 statements, no line added")
        self.assertEqual(self.statements[:4].mapped("state"), ["approved"] * 4)
        for session in self.statements[:4]:
            self.assertEqual(len(self._approved_messages(session)), 1, session.name)

    def test_cancel_leaves_the_rest_to_approve(self):
        batch = self._queue()
        self.commits.time_left = 0  # the worker stops after its first batch
        self.Batch._cron_approve_statements()
        with self.assertRaisesRegex(UserError, "who started it, or a Reconciliation Manager"):
            batch.with_user(self.accountant).action_cancel()
        batch.with_user(self.other_manager).action_cancel()
        self.assertEqual(batch.state, "cancelled")
        self.assertEqual(batch.line_ids.mapped("state"), ["approved"] * 2 + ["cancelled"] * 3)
        self.commits.time_left = 1000.0
        self.Batch._cron_approve_statements()
        self.assertEqual(self.statements[2:].mapped("state"), ["to_approve"] * 3)
        with self.assertRaisesRegex(UserError, "no longer in progress"):
            batch.with_user(self.approver).action_cancel()

    def test_a_statement_changed_meanwhile_is_not_approved(self):
        batch = self._queue()
        self.statements[1].with_user(self.other_manager).action_cancel()
        self.Batch._cron_approve_statements()
        line = batch.line_ids.filtered(lambda line: line.session_id == self.statements[1])
        self.assertEqual((line.state, self.statements[1].state), ("refused", "cancelled"))
        self.assertIn("no longer to approve", line.error)

    def test_an_approver_who_lost_the_right_approves_nothing(self):
        batch = self._queue()
        manager_group = self.env.ref("customer_reconciliation.group_reconciliation_manager")
        self.approver.group_ids -= manager_group
        self.approver.group_ids |= self.env.ref("customer_reconciliation.group_reconciliation_user")
        self.Batch._cron_approve_statements()
        self.assertEqual(set(batch.line_ids.mapped("state")), {"refused"})
        self.assertEqual(set(self.statements.mapped("state")), {"to_approve"})

    def test_forbidden_paths(self):
        with self.assertRaises(AccessError):  # only managers approve, in bulk too
            self.statements.with_user(self.accountant).action_approve_selected()
        with self.assertRaises(AccessError):
            self.Batch.with_user(self.accountant).create({})
        for vals in ({"state": "done"}, {"user_id": self.other_manager.id}):
            with self.assertRaises(AccessError):
                self.Batch.with_user(self.approver).create(vals)
        batch = self._queue()
        with self.assertRaises(AccessError):
            batch.with_user(self.approver).write({"state": "done"})
        keys = {"default_state": "done", "default_user_id": self.other_manager.id}
        forged = self.Batch.with_user(self.approver).with_context(**keys).create({})
        self.assertEqual((forged.state, forged.user_id), ("queued", self.approver), "ignored")
        with self.assertRaises(AccessError):
            batch.line_ids[:1].with_user(self.approver).write({"state": "approved"})
        Line = self.env["customer.reconciliation.approval.batch.line"]
        with self.assertRaises(AccessError):
            Line.with_user(self.approver).create(
                {"batch_id": batch.id, "session_id": self.statements[0].id, "state": "approved"}
            )
        self.assertEqual(set(self.statements.mapped("state")), {"to_approve"})

    def test_auditor_and_salesperson_neither_approve_nor_cancel(self):
        batch = self._queue()
        company = {"company_id": self.company.id, "company_ids": [self.company.id]}
        others = {
            "auditor": new_test_user(
                self.env,
                login="bulk_auditor",
                groups="customer_reconciliation.group_reconciliation_auditor",
                **company,
            ),
            "salesperson": new_test_user(
                self.env, login="bulk_sales", groups="sales_team.group_sale_salesman", **company
            ),
        }
        for role, user in others.items():
            with self.assertRaises(AccessError, msg=role):
                self.statements.with_user(user).action_approve_selected()
            with self.assertRaises(AccessError, msg=role):  # they do not even read it
                batch.with_user(user).action_cancel()
            with self.assertRaises(AccessError, msg=role):
                self.Batch.with_user(user).create({})
        self.assertEqual(batch.state, "queued")
        self.assertEqual(set(self.statements.mapped("state")), {"to_approve"})
