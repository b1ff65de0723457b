"""Shared world of the integrity tests: every role, and one statement per state.

``assertForbidden`` runs a call that must be refused and checks that the database is as it
was: the records' rows, the counts of statements, lines, open items, disputes, messages and
attachments, and the numbering sequences.
"""

import base64
from datetime import date

from portal_common import PortalCommon

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user

FORBIDDEN = (AccessError, UserError, ValidationError)
STATES = ("draft", "to_approve", "approved", "sent", "confirmed", "disputed", "closed", "cancelled")


class IntegrityCommon(PortalCommon):
    """The portal world, plus the internal roles and one statement of customer C per state."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = {"company_id": cls.company.id, "company_ids": [Command.set(cls.company.ids)]}
        cls.approver = new_test_user(
            cls.env,
            login="approver_r",
            groups="customer_reconciliation.group_reconciliation_manager,account.group_account_user",
            name="Wang Approver",
            **users,
        )
        cls.approver2 = new_test_user(
            cls.env,
            login="approver2_r",
            groups="customer_reconciliation.group_reconciliation_manager",
            name="Zhao Approver",
            **users,
        )
        cls.salesperson = new_test_user(
            cls.env, login="sales_r", groups="sales_team.group_sale_salesman", **users
        )
        cls.auditor = new_test_user(
            cls.env,
            login="auditor_r",
            groups="customer_reconciliation.group_reconciliation_auditor",
            **users,
        )
        cls.admin = cls.env.ref("base.user_admin")
        cls.admin.write(
            {
                "group_ids": [
                    Command.link(
                        cls.env.ref("customer_reconciliation.group_reconciliation_manager").id
                    )
                ],
                "company_ids": [Command.link(cls.company.id)],
            }
        )
        cls.customer_c = cls._customer("Gamma Retail", user_id=cls.salesperson.id)
        cls.by_state = {}
        for month, state in enumerate(STATES, start=1):
            cls.by_state[state] = cls._statement_in(state, cls.customer_c, month)
        cls.evidence = cls.env["ir.attachment"].create(
            {"name": "signed.pdf", "datas": base64.b64encode(b"%PDF-1.4 signed")}
        )

    @classmethod
    def _statement_in(cls, state, customer, month, year=2025):
        """A statement of ``customer`` for that month, brought to ``state`` by its transitions."""
        start = date(year, month, 1)
        end = date(year, month, 28)
        cls._invoice(customer, 100.0 * month, date(year, month, 5))
        session = cls.Engine.generate(cls.company, start, end, customer.ids)["created"]
        session.user_id = cls.accountant
        if state == "draft":
            return session
        if state == "cancelled":
            session.with_user(cls.approver).action_cancel()
            return session
        session.with_user(cls.accountant).action_submit()
        if state == "to_approve":
            return session
        session.with_user(cls.approver).action_approve()
        if state == "approved":
            return session
        session.with_user(cls.accountant).action_mark_sent()
        if state == "sent":
            return session
        if state in ("confirmed", "closed"):
            evidence = cls.env["ir.attachment"].create(
                {"name": "letter.pdf", "datas": base64.b64encode(b"%PDF-1.4 letter")}
            )
            session._record_confirmation("Ms. Li", channel="internal", attachments=evidence)
        else:
            session._record_dispute([{"reason": "amount_differs", "customer_amount": 1.0}])
        if state == "closed":
            session.with_user(cls.approver).action_close()
        return session

    def _user(self, role):
        return {
            "accountant": self.accountant,
            "approver": self.approver,
            "salesperson": self.salesperson,
            "auditor": self.auditor,
            "admin": self.admin,
            "portal": self.user_a,
        }.get(role)

    def _as(self, records, role):
        return records.sudo() if role == "superuser" else records.with_user(self._user(role))

    # ------------------------------------------------------------------ the database as it is
    def _snapshot(self, *records):
        """Every stored column of these records and of what hangs on statements, plus the
        numbering sequences: what a forbidden path must leave as it was."""
        # Flush and run the precommit hooks: pending tracking messages land now, not later.
        self.env.cr.flush()
        rows = {}
        for record in records:
            self.env.cr.execute(
                f'SELECT * FROM "{record._table}" WHERE id = ANY(%s) ORDER BY id',  # noqa: S608
                [record.ids],
            )
            columns = [c.name for c in self.env.cr.description]
            rows[record._name] = [
                {k: v for k, v in zip(columns, row) if k not in ("write_date", "write_uid")}
                for row in self.env.cr.fetchall()
            ]
        self.env.cr.execute(
            """SELECT (SELECT count(*) FROM customer_reconciliation_session),
                      (SELECT count(*) FROM customer_reconciliation_line),
                      (SELECT count(*) FROM customer_reconciliation_open_item),
                      (SELECT array_agg(name || '@' || session_id ORDER BY id) FROM customer_reconciliation_dispute),
                      (SELECT count(*) FROM mail_message),
                      (SELECT count(*) FROM ir_attachment),
                      (SELECT array_agg(number_next ORDER BY id) FROM ir_sequence
                        WHERE code LIKE 'customer.reconciliation.%%')"""
        )
        rows["counts"] = self.env.cr.fetchone()
        return rows

    def assertForbidden(self, call, *records, message=None):
        """``call`` raises an access or user error and the database is as it was."""
        before = self._snapshot(*records)
        with self.env.cr.savepoint(flush=False) as savepoint:
            try:
                call()
            except FORBIDDEN as error:
                outcome = error
            else:
                outcome = None
            self.env.invalidate_all()
            after = self._snapshot(*records)
            savepoint.rollback()
        self.env.invalidate_all()
        if outcome is None:
            self.fail(message or "the forbidden call succeeded")
        self.assertEqual(after, before, "a refused call changed the database")
        return outcome
