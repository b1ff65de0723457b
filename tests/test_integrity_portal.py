"""Integrity on the portal: who may answer for the customer, over real HTTP, role by role.

The customer's answer comes only from the customer: a portal user of that customer (or of one
of its contacts) or the holder of the statement's token without login. Employees see a
read-only preview; their answers go through "Record Customer Answer". A refused answer leaves
the statement, its disputes, its messages and the numbering as they were.
"""

from integrity_common import IntegrityCommon
from portal_common import csrf_from

from odoo.tests import HttpCase, JsonRpcException, tagged

ALLOWED = "allowed"
REFUSED = "refused"

# role -> (login or None for anonymous, sends the statement's token, expected outcome)
# fmt: off
ROUTE_MATRIX = {
    "portal customer":         ("portal_a",         False, ALLOWED),
    "contact of the customer": ("portal_a_contact", False, ALLOWED),
    "token holder":            (None,               True,  ALLOWED),
    "other customer":          ("portal_b",         False, REFUSED),
    "anonymous":               (None,               False, REFUSED),
    "accountant":              ("accountant_r",     False, REFUSED),
    "accountant with token":   ("accountant_r",     True,  REFUSED),
    "approver":                ("approver_r",       False, REFUSED),
    "salesperson":             ("sales_r",          False, REFUSED),
    "auditor":                 ("auditor_r",        False, REFUSED),
    "administrator":           ("admin",            True,  REFUSED),
}
# fmt: on


@tagged("post_install", "-at_install")
class TestPortalAnswerMatrix(IntegrityCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for login in ("accountant_r", "approver_r", "sales_r", "auditor_r"):
            cls.env["res.users"].search([("login", "=", login)]).password = login
        cls.admin.password = "admin"

    def _login(self, login):
        if login:
            self.authenticate(login, "admin" if login == "admin" else login)
        else:
            self.authenticate(None, None)

    def _fresh_sent(self, month):
        """A sent statement of customer A for its own period: one per attempt."""
        session = self._statement_in("sent", self.customer_a, month, year=2024)
        return session, session._portal_ensure_token()

    def _post(self, session, action, token, data, csrf):
        payload = {"csrf_token": csrf, **data}
        if token:
            payload["access_token"] = token
        return self.url_open(
            f"/my/statements/{session.id}/{action}", data=payload, allow_redirects=False
        )

    def test_answer_routes_by_role(self):
        failures = []
        month = 0
        for action, data, done_state in (
            ("confirm", {"confirmed_by": "Alice Alpha"}, "confirmed"),
            ("dispute", {"reason": "duplicate", "customer_amount": "12.50"}, "disputed"),
        ):
            for role, (login, with_token, expected) in ROUTE_MATRIX.items():
                month += 1
                session, token = self._fresh_sent(month % 12 + 1 if month > 12 else month)
                with self.subTest(action=action, role=role):
                    self._login(login)
                    # The login page may build its assets (attachments): before the snapshot.
                    csrf = csrf_from(self.url_open("/web/login").text)
                    before = self._snapshot(session)
                    response = self._post(
                        session, action, token if with_token else None, data, csrf
                    )
                    session.invalidate_recordset()
                    if expected == ALLOWED:
                        if response.status_code != 303 or session.state != done_state:
                            failures.append(
                                f"{action} by {role}: HTTP {response.status_code}, {session.state}"
                            )
                    else:
                        after = self._snapshot(session)
                        if response.status_code not in (403, 404) or after != before:
                            failures.append(
                                f"{action} by {role}: HTTP {response.status_code}, "
                                f"state {session.state}, database changed: {after != before}"
                            )
                # Each attempt gets its own statement: leave this one answered or not.
                session._workflow_write({"state": "cancelled"})
        self.assertFalse(failures, "\n".join(failures))

    def test_preview_is_read_only_and_says_so(self):
        session, token = self._fresh_sent(1)
        for login in ("accountant_r", "approver_r", "auditor_r", "admin"):
            with self.subTest(login=login):
                self._login(login)
                page = self.url_open(f"/my/statements/{session.id}")
                self.assertEqual(page.status_code, 200)
                self.assertIn('id="statement_preview_alert"', page.text)
                self.assertNotIn(f"/my/statements/{session.id}/confirm", page.text)
                self.assertNotIn(f"/my/statements/{session.id}/dispute", page.text)
        self._login("portal_a")
        page = self.url_open(f"/my/statements/{session.id}")
        self.assertNotIn('id="statement_preview_alert"', page.text)
        self.assertIn(f"/my/statements/{session.id}/confirm", page.text)

    def test_chatter_post_with_forged_context_and_author(self):
        session, token = self._fresh_sent(2)
        employee = self.accountant.partner_id
        for login, access in (("portal_a", {}), (None, {"token": token})):
            with self.subTest(login=login):
                self._login(login)
                try:
                    self.make_jsonrpc_request(
                        "/mail/message/post",
                        {
                            "thread_model": session._name,
                            "thread_id": session.id,
                            "post_data": {
                                "body": f"posted by {login}",
                                "message_type": "comment",
                                "author_id": employee.id,
                            },
                            "context": {"reconciliation_portal_author_id": employee.id},
                            **access,
                        },
                    )
                except JsonRpcException:
                    pass  # refusing the forged author outright is fine too
                posted = session.message_ids.filtered(
                    lambda m, login=login: f"posted by {login}" in (m.body or "")
                )
                self.assertNotIn(employee, posted.author_id, "a customer posted as an employee")
