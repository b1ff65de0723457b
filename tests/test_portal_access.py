"""Who sees what on the portal: the access matrix against every statement route, over real HTTP."""

import shutil
import subprocess

from portal_common import PortalCommon, csrf_from

from odoo.tests import HttpCase, JsonRpcException, tagged


@tagged("post_install", "-at_install")
class TestPortalAccess(PortalCommon, HttpCase):
    # ------------------------------------------------------------------ helpers
    def _login(self, user):
        if user:
            self.authenticate(user.login, user.login)
        else:
            self.authenticate(None, None)

    def _csrf(self):
        return csrf_from(self.url_open("/web/login").text)

    def _get(self, url, **params):
        return self.url_open(url, params=params or None, allow_redirects=False)

    def _post(self, url, data):
        return self.url_open(url, data={"csrf_token": self._csrf(), **data}, allow_redirects=False)

    def _secrets_of(self, session):
        """Strings that only this statement's page may show."""
        return [session.name, session.partner_id.name] + [
            ref for ref in session.line_ids.mapped("customer_ref") if ref
        ]

    def assertNoLeak(self, response, *sessions):
        # In test mode Odoo renders PDF reports as HTML: their text can be checked too.
        body = response.content.decode(errors="replace")
        for session in sessions:
            for secret in self._secrets_of(session):
                self.assertNotIn(secret, body, f"{secret!r} leaked in {response.url}")

    def _detail(self, session):
        return f"/my/statements/{session.id}"

    # ------------------------------------------------------------------ list
    def test_list_per_user(self):
        for user, mine, foreign in (
            (self.user_a, self.sa, self.sb),
            (self.user_a_contact, self.sa, self.sb),
            (self.user_b, self.sb, self.sa),
        ):
            with self.subTest(user=user.login):
                self._login(user)
                response = self._get("/my/statements")
                self.assertEqual(response.status_code, 200)
                self.assertIn(mine.name, response.text)
                self.assertNotIn(foreign.name, response.text)
                self.assertNotIn(self.sa_draft.name, response.text, "a draft is never shown")
                self.assertNoLeak(response, foreign)

    def test_list_anonymous_goes_to_login(self):
        self._login(None)
        response = self._get("/my/statements", access_token=self.token_a)
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/login", response.headers["Location"])
        self.assertNoLeak(response, self.sa, self.sb)

    def test_home_counter(self):
        self._login(self.user_a_contact)
        result = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["reconciliation_statement_count"]}
        )
        self.assertEqual(result["reconciliation_statement_count"], 1)

    def test_list_filters_sorting_pagination(self):
        self._login(self.user_a)
        self.assertIn(self.sa.name, self._get("/my/statements", filterby="open").text)
        self.assertNotIn(self.sa.name, self._get("/my/statements", filterby="answered").text)
        for sortby in ("date", "name", "balance", "state", "bogus"):
            self.assertEqual(self._get("/my/statements", sortby=sortby).status_code, 200)
        self.assertEqual(self._get("/my/statements/page/2").status_code, 200)

    # ------------------------------------------------------------------ detail, pdf, xlsx
    def _check_document_routes(self, session, expected, token=None, foreign=()):
        params = {"access_token": token} if token else {}
        detail = self._get(self._detail(session), **params)
        pdf = self._get(self._detail(session), report_type="pdf", download="true", **params)
        xlsx = self._get(self._detail(session) + "/xlsx", **params)
        for name, response in (("detail", detail), ("pdf", pdf), ("xlsx", xlsx)):
            with self.subTest(route=name):
                self.assertEqual(response.status_code, expected, f"{name}: {response.status_code}")
                self.assertNoLeak(response, *foreign)
                if expected != 200:
                    self.assertNoLeak(response, session)
        if expected == 200:
            self.assertIn(session.name, detail.text)
            self.assertIn("statement_answer", detail.text)
            with self.subTest(route="pdf content"):
                self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
                self.assertIn("attachment", pdf.headers["Content-Disposition"])
                self.assertIn(session.name.encode(), pdf.content)
            with self.subTest(route="xlsx content"):
                self.assertIn("spreadsheetml", xlsx.headers["Content-Type"])
                self.assertTrue(xlsx.content.startswith(b"PK"))

    def test_portal_user_of_customer(self):
        self._login(self.user_a)
        self._check_document_routes(self.sa, 200, foreign=[self.sb])
        self._check_document_routes(self.sb, 403)
        # Drafts are outside the portal rules: refused like another customer's statement.
        self._check_document_routes(self.sa_draft, 403)

    def test_portal_user_of_a_contact(self):
        self._login(self.user_a_contact)
        self._check_document_routes(self.sa, 200, foreign=[self.sb])
        self._check_document_routes(self.sb, 403)

    def test_portal_user_of_other_customer(self):
        self._login(self.user_b)
        self._check_document_routes(self.sa, 403)
        self._check_document_routes(self.sa_draft, 403)
        self._check_document_routes(self.sb, 200, foreign=[self.sa])

    def test_anonymous_with_token(self):
        self._login(None)
        self._check_document_routes(self.sa, 200, token=self.token_a, foreign=[self.sb])

    def test_anonymous_with_wrong_token(self):
        self._login(None)
        self._check_document_routes(self.sa, 403, token="0" * 36)
        self._check_document_routes(self.sa, 403)

    def test_anonymous_with_other_customers_token(self):
        self._login(None)
        self._check_document_routes(self.sa, 403, token=self.token_b)

    def test_token_of_a_draft_shows_nothing(self):
        self._login(None)
        self._check_document_routes(self.sa_draft, 404, token=self.token_draft)

    def test_unknown_statement(self):
        self._login(self.user_a)
        self.assertEqual(self._get("/my/statements/999999").status_code, 404)

    def test_old_token_after_rotation(self):
        self._login(None)
        old = self.token_a
        self.sa._workflow_write({"access_token": False})
        self.sa._portal_ensure_token()
        self._check_document_routes(self.sa, 403, token=old)

    # ------------------------------------------------------------------ confirm and dispute
    def _answer(self, session, token=None):
        data = {"access_token": token} if token else {}
        confirm = self._post(
            self._detail(session) + "/confirm", {**data, "confirmed_by": "Mallory"}
        )
        dispute = self._post(
            self._detail(session) + "/dispute", {**data, "reason": "other", "comment": "x"}
        )
        return confirm, dispute

    def _assert_refused(self, session, responses, code=403):
        for response in responses:
            self.assertEqual(response.status_code, code)
            self.assertNoLeak(response, session)
        session.invalidate_recordset()
        self.assertEqual(session.state, "sent")
        self.assertFalse(session.dispute_ids)

    def test_answers_refused_to_others(self):
        self._login(self.user_b)
        self._assert_refused(self.sa, self._answer(self.sa))
        self._login(None)
        self._assert_refused(self.sa, self._answer(self.sa))
        self._assert_refused(self.sa, self._answer(self.sa, token="0" * 36))
        self._assert_refused(self.sa, self._answer(self.sa, token=self.token_b))

    def test_answers_refused_on_draft(self):
        self._login(None)
        confirm, dispute = self._answer(self.sa_draft, token=self.token_draft)
        self.assertEqual(confirm.status_code, 404)
        self.assertEqual(dispute.status_code, 404)
        self.assertEqual(self.sa_draft.state, "draft")

    def test_confirm_allowed_to_customer_and_contact_and_token(self):
        for user, token in ((self.user_a, None), (self.user_a_contact, None), (None, self.token_a)):
            with self.subTest(user=user and user.login):
                self.sa._workflow_write({"state": "sent", "confirmed_date": False})
                self._login(user)
                confirm = self._post(
                    self._detail(self.sa) + "/confirm",
                    {"access_token": token or "", "confirmed_by": "Alice"},
                )
                self.assertEqual(confirm.status_code, 303)
                self.sa.invalidate_recordset()
                self.assertEqual(self.sa.state, "confirmed")

    def test_dispute_allowed_to_contact(self):
        self._login(self.user_a_contact)
        dispute = self._post(self._detail(self.sa) + "/dispute", {"reason": "duplicate"})
        self.assertEqual(dispute.status_code, 303)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")

    def test_dispute_page_access(self):
        self.sa._workflow_write({"state": "sent"})
        dispute = self.sa._portal_dispute([], "other", comment="Whole balance looks wrong")
        url = f"/my/statements/{self.sa.id}/disputes/{dispute.id}"
        self._login(self.user_a_contact)
        self.assertEqual(self._get(url).status_code, 200)
        self._login(self.user_b)
        self.assertEqual(self._get(url).status_code, 403)
        self._login(None)
        self.assertEqual(self._get(url).status_code, 403)
        ok = self._get(url, access_token=self.token_a)
        self.assertEqual(ok.status_code, 200)
        self.assertIn("Whole balance looks wrong", ok.text)
        self.assertEqual(self._get(url, access_token=dispute.access_token).status_code, 200)
        self.assertEqual(self._get(url, access_token=self.token_b).status_code, 403)
        # A dispute reached through another statement's URL is not found.
        self.assertEqual(
            self._get(
                f"/my/statements/{self.sb.id}/disputes/{dispute.id}", access_token=self.token_b
            ).status_code,
            404,
        )

    def _reply(self, dispute, body, **access):
        return self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": dispute._name,
                "thread_id": dispute.id,
                "post_data": {"body": body, "message_type": "comment"},
                **access,
            },
        )

    def test_reply_in_the_dispute_thread(self):
        dispute = self.sa._portal_dispute([], "other", comment="Please check")
        self._login(self.user_a_contact)
        self._reply(dispute, "Here is our ledger extract")
        self._login(None)
        self._reply(dispute, "Sent from the emailed link", token=dispute.access_token)
        bodies = dispute.message_ids.mapped("body")
        self.assertTrue(any("Here is our ledger extract" in b for b in bodies), bodies)
        self.assertTrue(any("Sent from the emailed link" in b for b in bodies), bodies)
        authors = dispute.message_ids.filtered(lambda m: "ledger extract" in m.body).author_id
        self.assertEqual(authors, self.contact_a)
        # Another customer's user cannot post in it.
        self._login(self.user_b)
        with self.assertRaises(JsonRpcException) as caught:
            self._reply(dispute, "Intruder")
        self.assertIn("NotFound", str(caught.exception.args))
        self.assertFalse(any("Intruder" in b for b in dispute.message_ids.mapped("body")))

    def test_real_pdf_carries_the_portal_link_and_qr(self):
        if not shutil.which("pdftotext"):
            self.skipTest("pdftotext (poppler-utils) is needed to read the PDF back")
        if self.env["ir.actions.report"].get_wkhtmltopdf_state() != "ok":
            self.skipTest("wkhtmltopdf is needed to render the PDF")
        Report = type(self.env["ir.actions.report"])
        render = Report._render_qweb_pdf

        def forced(report, report_ref, res_ids=None, data=None):
            report = report.with_context(force_report_rendering=True)
            return render(report, report_ref, res_ids=res_ids, data=data)

        self.patch(Report, "_render_qweb_pdf", forced)
        self._login(None)
        pdf = self._get(
            self._detail(self.sa), access_token=self.token_a, report_type="pdf", download="true"
        )
        self.assertEqual(pdf.status_code, 200)
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        self.assertIn(self.sa.name.replace("/", "-"), pdf.headers["Content-Disposition"])
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        flat = "".join(text.split())
        self.assertIn("Answeronline", flat)
        self.assertIn(f"/my/statements/{self.sa.id}?access_token={self.token_a}", flat)
        self.assertEqual(flat.count("Answeronline"), 2, "on the statement and on the letter")
        self.assertNotIn(self.sb.name, text)
