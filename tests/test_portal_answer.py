"""Confirm and dispute through real HTTP posts: CSRF, replay, what gets recorded."""

from portal_common import PortalCommon, csrf_from
from workers_common import FakeCommits

from odoo.tests import HttpCase, tagged

from odoo.addons.customer_reconciliation.tools.customer_ledger import parsing, reading


@tagged("post_install", "-at_install")
class TestPortalAnswer(PortalCommon, HttpCase):
    def _page(self, session=None, token=None):
        session = session or self.sa
        response = self.url_open(
            f"/my/statements/{session.id}", params={"access_token": token} if token else None
        )
        self.assertEqual(response.status_code, 200)
        return response

    def _confirm(self, csrf, token=None, **values):
        data = {"confirmed_by": "Alice Alpha", "title": "Chief Accountant", "comment": "Agreed"}
        data.update(values)
        if csrf:
            data["csrf_token"] = csrf
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/statements/{self.sa.id}/confirm",
            data=data,
            allow_redirects=False,
            headers={"User-Agent": "StatementTest/1.0"},
        )

    def _dispute(self, csrf, token=None, files=None, **values):
        data = {
            "reason": "payment_not_recorded",
            "customer_amount": "1000.00",
            "comment": "We paid INV twice",
            **values,
        }
        if csrf:
            data["csrf_token"] = csrf
        if token:
            data["access_token"] = token
        return self.url_open(
            f"/my/statements/{self.sa.id}/dispute", data=data, files=files, allow_redirects=False
        )

    # ------------------------------------------------------------------ confirm
    def test_confirm_without_csrf_is_refused(self):
        self.authenticate("portal_a", "portal_a")
        response = self._confirm(None)
        self.assertEqual(response.status_code, 400)
        response = self._confirm("not-a-valid-csrf-token")
        self.assertEqual(response.status_code, 400)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "sent")

    def test_confirm_as_portal_user_records_everything(self):
        self.authenticate("portal_a_contact", "portal_a_contact")
        csrf = csrf_from(self._page().text)
        messages_before = self.sa.message_ids
        response = self._confirm(csrf)
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=confirmed", response.headers["Location"])
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "confirmed")
        self.assertEqual(self.sa.confirmation_channel, "portal")
        self.assertEqual(self.sa.confirmation_user_id, self.user_a_contact)
        self.assertEqual(self.sa.confirmed_by_name, "Alice Alpha")
        self.assertEqual(self.sa.confirmed_by_title, "Chief Accountant")
        self.assertEqual(self.sa.confirmation_comment, "Agreed")
        self.assertEqual(self.sa.confirmation_ip, "127.0.0.1")
        self.assertEqual(self.sa.confirmation_user_agent, "StatementTest/1.0")
        self.assertTrue(self.sa.confirmed_date)
        new = self.sa.message_ids - messages_before
        self.assertTrue(any("Alice Alpha" in (m.body or "") for m in new), new.mapped("body"))
        self.assertIn(self.contact_a, new.author_id, "the chatter shows the customer as author")
        notified = (
            self.env["mail.message"]
            .sudo()
            .search(
                [
                    ("model", "=", self.sa._name),
                    ("res_id", "=", self.sa.id),
                    ("message_type", "=", "user_notification"),
                ]
            )
        )
        self.assertIn(
            self.accountant.partner_id,
            notified.partner_ids,
            "the responsible accountant is notified",
        )
        page = self._page().text
        self.assertIn("statement_confirmation_info", page)
        self.assertNotIn(
            'id="statement_confirm_form"', page, "a confirmed statement can no longer be answered"
        )

    def test_confirm_via_link_and_replay(self):
        self.authenticate(None, None)
        csrf = csrf_from(self._page(token=self.token_a).text)
        first = self._confirm(csrf, token=self.token_a)
        self.assertEqual(first.status_code, 303)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.confirmation_channel, "link")
        self.assertFalse(self.sa.confirmation_user_id)
        confirmed_date = self.sa.confirmed_date
        messages = self.sa.message_ids
        # Double click / replay: the same post again, and another name.
        for name in ("Alice Alpha", "Somebody Else"):
            again = self._confirm(csrf, token=self.token_a, confirmed_by=name)
            self.assertEqual(again.status_code, 303)
            self.assertIn("already_answered", again.headers["Location"])
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.confirmed_by_name, "Alice Alpha")
        self.assertEqual(self.sa.confirmed_date, confirmed_date)
        self.assertEqual(self.sa.message_ids, messages)
        # Nor can it be disputed any more.
        dispute = self._dispute(csrf, token=self.token_a)
        self.assertIn("already_answered", dispute.headers["Location"])
        self.assertFalse(self.sa.dispute_ids)

    def test_confirm_needs_a_name(self):
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        response = self._confirm(csrf, confirmed_by="  ")
        self.assertIn("error=confirm_name", response.headers["Location"])
        self.assertEqual(self.sa.state, "sent")

    def test_closed_statement_cannot_be_answered(self):
        self.sa._workflow_write({"state": "closed"})
        self.authenticate("portal_a", "portal_a")
        page = self._page().text
        self.assertNotIn("statement_answer", page)
        csrf = csrf_from(page)
        self.assertIn("already_answered", self._confirm(csrf).headers["Location"])
        self.assertIn("already_answered", self._dispute(csrf).headers["Location"])
        self.assertEqual(self.sa.state, "closed")
        self.assertFalse(self.sa.dispute_ids)

    # ------------------------------------------------------------------ dispute
    def test_dispute_lines_with_attachment(self):
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        line = self.sa.line_ids.filtered(lambda line: line.move_id == self.inv_a2)
        response = self._dispute(
            csrf,
            line_ids=str(line.id),
            files={"attachments": ("remittance.pdf", b"%PDF-1.4 remittance", "application/pdf")},
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=disputed", response.headers["Location"])
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")
        dispute = self.sa.dispute_ids
        self.assertEqual(len(dispute), 1)
        self.assertEqual(dispute.line_ids, line)
        self.assertEqual(dispute.reason, "payment_not_recorded")
        self.assertEqual(dispute.source, "portal")
        self.assertEqual(dispute.customer_amount, 1000.0)
        self.assertEqual(dispute.comment, "We paid INV twice")
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", dispute._name), ("res_id", "=", dispute.id)]
        )
        self.assertEqual(attachment.name, "remittance.pdf")
        self.assertEqual(attachment.raw, b"%PDF-1.4 remittance")
        thread = dispute.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(thread.attachment_ids, attachment)
        self.assertEqual(thread.author_id, self.customer_a)
        self.assertIn(self.accountant.partner_id, dispute.message_partner_ids)
        # The customer sees the dispute with its status, and can raise another one.
        page = self._page().text
        self.assertIn(dispute.name, page)
        self.assertIn("statement_dispute_form", page)
        second = self._dispute(csrf, reason="duplicate")
        self.assertEqual(second.status_code, 303)
        self.assertEqual(len(self.sa.dispute_ids), 2)
        self.assertFalse(
            self.sa.dispute_ids.sorted("id")[-1].line_ids, "no line ticked: the whole balance"
        )

    def test_dispute_without_csrf_is_refused(self):
        self.authenticate(None, None)
        response = self._dispute(None, token=self.token_a)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.sa.dispute_ids)

    def test_dispute_of_another_statements_line_is_refused(self):
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        foreign_line = self.sb.line_ids.filtered(lambda line: line.kind != "opening")[:1]
        response = self._dispute(csrf, line_ids=str(foreign_line.id))
        self.assertIn("error=dispute_invalid", response.headers["Location"])
        self.assertFalse(self.sa.dispute_ids)
        self.assertFalse(self.sb.dispute_ids)
        self.assertEqual(self.sa.state, "sent")

    def test_dispute_bad_amount_or_reason(self):
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        self.assertIn(
            "error=dispute_amount", self._dispute(csrf, customer_amount="abc").headers["Location"]
        )
        self.assertIn("error=dispute_reason", self._dispute(csrf, reason="").headers["Location"])
        self.assertIn(
            "error=dispute_invalid", self._dispute(csrf, reason="bogus").headers["Location"]
        )
        self.assertFalse(self.sa.dispute_ids)

    def test_dispute_replay_via_link(self):
        self.authenticate(None, None)
        csrf = csrf_from(self._page(token=self.token_a).text)
        self._dispute(csrf, token=self.token_a)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")
        # A disputed statement can no longer be confirmed.
        response = self._confirm(csrf, token=self.token_a)
        self.assertIn("already_answered", response.headers["Location"])
        self.assertEqual(self.sa.state, "disputed")
        self.assertFalse(self.sa.confirmed_date)

    # ------------------------------------------------------------------ customer's ledger
    def _their_ledger(self, bad_amount=False):
        """(file content, rows): customer A's ledger of our October statement, in their books'
        signs; ``bad_amount``: its last row's amount unreadable."""
        rows = ["日期,凭证号,摘要,借方,贷方"]
        for line in self.sa.line_ids.filtered("move_line_id"):
            # their books mirror ours: our debit is their credit
            rows.append(f"{line.date:%Y-%m-%d},{line.name},{line.kind},{line.credit},{line.debit}")
        if bad_amount:
            rows.append("2026-10-30,X-1,misc,twelve,")
        return "\n".join(rows).encode("gb18030"), len(rows) - 1

    def test_dispute_with_the_customers_ledger(self):
        """The customer uploads their ledger in the dispute step: it is compared with ours."""
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        content, _count = self._their_ledger()
        rows = content.decode("gb18030").split("\n")
        response = self._dispute(
            csrf, files={"ledger_file": ("应付账款明细.csv", content, "text/csv")}
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=disputed", response.headers["Location"])
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed")
        self.assertEqual(len(self.sa.customer_line_ids), len(rows) - 1)

    def test_bad_ledger_file_records_nothing(self):
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        response = self._dispute(
            csrf,
            files={"ledger_file": ("ledger.csv", b"just some words\nno columns here", "text/csv")},
        )
        self.assertEqual(response.status_code, 303)
        self.assertIn("error=ledger_file", response.headers["Location"])
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "sent")
        self.assertFalse(self.sa.dispute_ids)
        self.assertFalse(self.sa.customer_line_ids)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("ledger.csv", page)

    def _dispute_with_a_long_ledger(self, content):
        # More than 2 rows is more than a request imports here.
        for module in (parsing, reading):
            self.patch(module, "BACKGROUND_ROWS", 2)
        self.authenticate("portal_a", "portal_a")
        csrf = csrf_from(self._page().text)
        response = self._dispute(
            csrf, files={"ledger_file": ("应付账款明细.csv", content, "text/csv")}
        )
        self.assertEqual(response.status_code, 303)
        location = response.headers["Location"]
        self.assertIn("message=disputed", location)
        self.assertIn("ledger_queued=1", location)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "disputed", "the dispute is recorded at once")
        self.assertEqual(len(self.sa.dispute_ids), 1)
        self.assertFalse(self.sa.customer_line_ids, "nothing imported in the request")
        job = self.sa.customer_ledger_import_ids
        self.assertEqual(
            (job.state, job.from_portal, job.user_id, job.filename),
            ("queued", True, self.user_a, "应付账款明细.csv"),
        )
        page = self.url_open(location).text
        self.assertIn("we compare it with this statement in the background", page)
        self.assertIn("is being compared with", page)
        FakeCommits.install(self)
        notes_before = self.sa.message_ids
        self.env["customer.reconciliation.ledger.import"]._cron_import_ledgers()
        self.sa.invalidate_recordset()
        return job, self.sa.message_ids - notes_before

    def test_a_long_ledger_is_compared_in_the_background(self):
        """A ledger of more rows than a request imports: the dispute is recorded at once, the
        file queued, then imported by the workers as the portal imports (past the portal user's
        rights); the statement's page and its chatter tell how it went."""
        content, count = self._their_ledger()
        self.assertGreater(count, 2)
        job, notes = self._dispute_with_a_long_ledger(content)
        self.assertEqual((job.state, job.line_count, job.error), ("done", count, False))
        self.assertEqual(len(self.sa.customer_line_ids), count)
        self.assertTrue(self.sa.customer_match_ids, "compared with our lines")
        self.assertEqual(self.sa.customer_ledger_attachment_id.raw, content)
        self.assertEqual(len(notes), 1, "the import's own message")
        self.assertIn("Customer's ledger 应付账款明细.csv imported", notes.body)
        page = self._page().text
        self.assertIn("was compared", page)
        self.assertIn(f"{count} of your lines", page)

    def test_a_long_ledger_refused_by_the_workers_is_told_on_the_page(self):
        content, _count = self._their_ledger(bad_amount=True)
        job, notes = self._dispute_with_a_long_ledger(content)
        self.assertEqual(job.state, "failed")
        self.assertIn("twelve", job.error, "the error names what is wrong")
        self.assertFalse(self.sa.customer_line_ids, "nothing half-imported")
        self.assertEqual(self.sa.state, "disputed", "the dispute stays recorded")
        self.assertEqual(len(notes), 1)
        self.assertIn("not imported", notes.body)
        self.assertIn("twelve", notes.body)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"), "an internal note")
        page = self._page().text
        self.assertIn("could not be imported", page)
        self.assertIn("twelve", page)
