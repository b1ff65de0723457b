"""Bad input from forms, URLs and RPC: a clear error naming what is wrong, and no write.

Every case compares the database before and after (statements, lines, open items, disputes,
messages, attachments and the numbering sequences: nothing burns a number). The customer's
ledger files have their own cases in ``test_customer_ledger_bounds.py``.
"""

import math
from urllib.parse import parse_qs, urlparse

from integrity_common import FORBIDDEN, IntegrityCommon
from portal_common import csrf_from

from odoo.tests import HttpCase, tagged

from odoo.addons.customer_reconciliation.tools import limits

LONG_NAME = "N" * (limits.MAX_NAME_LENGTH + 1)
LONG_TEXT = "C" * (limits.MAX_COMMENT_LENGTH + 1)


@tagged("post_install", "-at_install")
class TestBadInputsRpc(IntegrityCommon):
    """The generate wizard, statements, disputes and the answer wizard over the ORM (RPC)."""

    def _refused(self, call, pattern, *records):
        error = self.assertForbidden(call, *records)
        self.assertRegex(str(error), pattern)

    def test_generate_wizard_dates(self):
        Wizard = self.env["customer.reconciliation.generate.wizard"].with_user(self.accountant)
        cases = [
            ({"date_from": "2026-02-30", "date_to": "2026-03-31"}, r"2026-02-30.*not a valid date"),
            ({"date_from": "2026-01-01", "date_to": "2026-13-01"}, r"2026-13-01.*not a valid date"),
            ({"date_from": "abc", "date_to": "2026-01-31"}, r"'abc' is not a valid date"),
            (
                {"date_from": "0001-01-01", "date_to": "2026-01-31"},
                r"year 1: dates must be between",
            ),
            ({"date_from": "2026-01-01", "date_to": "9999-12-31"}, r"year 9999"),
            ({"date_from": "1936-01-01", "date_to": "2026-01-01"}, r"longer than 5 years"),
            ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, r"is after"),
        ]
        for vals, pattern in cases:
            with self.subTest(vals=vals):
                self._refused(
                    lambda vals=vals: Wizard.create(
                        {
                            "company_id": self.company.id,
                            "customer_selection": "selected",
                            "partner_ids": [(6, 0, self.customer_c.ids)],
                            **vals,
                        }
                    ).action_generate(),
                    pattern,
                    self.Session,
                )

    def test_statement_dates_over_rpc(self):
        Session = self.Session.with_user(self.accountant)
        base = {"partner_id": self.customer_c.id, "company_id": self.company.id}
        cases = [
            ({"date_from": "2026-04-01", "date_to": "2026-04-31"}, r"2026-04-31.*not a valid date"),
            ({"date_from": "0001-01-01", "date_to": "0001-01-31"}, r"year 1"),
            ({"date_from": "9999-01-01", "date_to": "9999-12-31"}, r"year 9999"),
            ({"date_from": "1930-01-01", "date_to": "2020-12-31"}, r"longer than 5 years"),
            ({"date_from": "2026-05-01", "date_to": "2026-04-01"}, r"is after"),
        ]
        for vals, pattern in cases:
            with self.subTest(create=vals):
                self._refused(
                    lambda vals=vals: Session.create({**base, **vals}), pattern, self.Session
                )
        draft = self.by_state["draft"]
        for vals, pattern in (
            ({"date_to": "2025-02-29"}, r"2025-02-29.*not a valid date"),
            ({"date_to": "9999-12-31"}, r"year 9999"),
            ({"date_from": "1900-01-01"}, r"longer than 5 years"),
        ):
            with self.subTest(write=vals):
                self._refused(
                    lambda vals=vals: draft.with_user(self.accountant).write(vals), pattern, draft
                )

    def test_dispute_values(self):
        session = self._statement_in("sent", self.customer_c, 6, year=2024)
        Dispute = self.env["customer.reconciliation.dispute"].with_user(self.accountant)
        cases = [
            ({"customer_amount": math.nan}, r"finite"),
            ({"customer_amount": math.inf}, r"finite"),
            ({"customer_amount": -math.inf}, r"finite"),
            ({"customer_amount": 1e16}, r"below"),
            ({"customer_amount": 12.345}, r"more than 2 decimals"),
            ({"comment": LONG_TEXT}, r"at most 10,000"),
            ({"resolution": LONG_TEXT}, r"at most 10,000"),
        ]
        for vals, pattern in cases:
            with self.subTest(vals=vals):
                self._refused(
                    lambda vals=vals: Dispute.create(
                        {"session_id": session.id, "reason": "other", **vals}
                    ),
                    pattern,
                    session,
                )
        dispute = session._record_dispute([{"reason": "other", "customer_amount": 1.0}])
        with self.subTest(write="nan"):
            self._refused(
                lambda: dispute.with_user(self.accountant).write({"customer_amount": math.nan}),
                r"finite",
                dispute,
            )

    def test_answer_wizard_values(self):
        session = self._statement_in("sent", self.customer_c, 5, year=2024)
        Wizard = self.env["customer.reconciliation.answer.wizard"]
        cases = [
            ("accountant", {"confirmed_by": LONG_NAME}, r"at most 256"),
            ("accountant", {"confirmed_title": LONG_NAME}, r"at most 256"),
            ("accountant", {"comment": LONG_TEXT}, r"at most 10,000"),
            ("accountant", {"confirmed_date": "9999-01-01 10:00:00"}, r"year 9999"),
            ("accountant", {"answer": "dispute", "customer_amount": math.nan}, r"finite"),
            ("accountant", {"answer": "dispute", "customer_amount": 1e17}, r"below"),
            ("salesperson", {"comment": LONG_TEXT}, r"at most 10,000"),
            ("salesperson", {"answer": "dispute", "customer_amount": math.inf}, r"finite"),
        ]
        for role, vals, pattern in cases:
            with self.subTest(role=role, vals=vals):
                self._refused(
                    lambda role=role, vals=vals: (
                        Wizard.with_user(self._user(role))
                        .create({"session_id": session.id, "confirmed_by": "Ms. Li", **vals})
                        .action_record()
                    ),
                    pattern,
                    session,
                )

    def test_any_field_over_rpc(self):
        """Every model a user writes checks its dates, numbers and one-line texts."""
        draft = self.by_state["draft"]
        sent = self.by_state["sent"]
        CustomerLine = self.env["customer.reconciliation.customer.line"].with_user(self.accountant)
        line = {"session_id": sent.id, "row_number": 2, "amount": 1.0}
        cases = [
            (
                lambda: draft.with_user(self.accountant).write(
                    {"customer_ledger_date_tolerance": 2**40}
                ),
                r"at most 2,147,483,647",
                draft,
            ),
            (
                lambda: draft.with_user(self.accountant).write(
                    {"customer_ledger_amount_tolerance": math.nan}
                ),
                r"finite",
                draft,
            ),
            (
                lambda: draft.with_user(self.accountant).write(
                    {"customer_ledger_amount_tolerance": 1e300}
                ),
                r"below",
                draft,
            ),
            (
                lambda: CustomerLine.create({**line, "date": "2026-02-30"}),
                r"not a valid date",
                sent,
            ),
            (lambda: CustomerLine.create({**line, "date": "0001-01-01"}), r"year 1", sent),
            (lambda: CustomerLine.create({**line, "amount": math.inf}), r"finite", sent),
            (
                lambda: CustomerLine.create({**line, "reference": "R" * 5000}),
                r"at most 1,000",
                sent,
            ),
            (
                lambda: (
                    self.env["customer.reconciliation.reject.wizard"]
                    .with_user(self.approver)
                    .create(
                        {
                            "session_ids": [(6, 0, self.by_state["to_approve"].ids)],
                            "reason": LONG_TEXT,
                        }
                    )
                    .action_reject()
                ),
                r"at most 10,000",
                self.by_state["to_approve"],
            ),
        ]
        for index, (call, pattern, record) in enumerate(cases):
            with self.subTest(case=index):
                self._refused(call, pattern, record)


@tagged("post_install", "-at_install")
class TestBadInputsPortal(IntegrityCommon, HttpCase):
    """The portal's confirm and dispute forms, posted by the customer's portal user."""

    def _post(self, action, data, files=None):
        csrf = csrf_from(self.url_open(f"/my/statements/{self.sa.id}").text)
        return self.url_open(
            f"/my/statements/{self.sa.id}/{action}",
            data={"csrf_token": csrf, **data},
            files=files,
            allow_redirects=False,
        )

    def _refused(self, action, data, pattern, files=None):
        self.url_open(f"/my/statements/{self.sa.id}")  # assets built before the snapshot
        before = self._snapshot(self.sa)
        response = self._post(action, data, files)
        self.sa.invalidate_recordset()
        self.assertEqual(response.status_code, 303, response.text[:500])
        query = parse_qs(urlparse(response.headers["Location"]).query)
        self.assertIn("error", query, "the customer is told something went wrong")
        shown = " ".join(query.get("error_detail", []) + query["error"])
        self.assertRegex(shown, pattern)
        self.assertEqual(self._snapshot(self.sa), before, "a refused answer changed the database")
        # The page shows the explanation.
        page = self.url_open(response.headers["Location"])
        self.assertIn("alert-danger", page.text)

    def test_dispute_form(self):
        self.authenticate("portal_a", "portal_a")
        base = {"reason": "amount_differs", "comment": "Check"}
        other_line = self.sb.line_ids[-1:].id
        cases = [
            ({"customer_amount": "nan"}, r"finite"),
            ({"customer_amount": "inf"}, r"finite"),
            ({"customer_amount": "-Infinity"}, r"finite"),
            ({"customer_amount": "1e400"}, r"finite"),
            ({"customer_amount": "1e16"}, r"below"),
            ({"customer_amount": "12.345"}, r"more than 2 decimals"),
            ({"customer_amount": "abc"}, r"not a number"),
            ({"customer_amount": "1" * 100}, r"not a number"),
            ({"customer_amount": "10", "comment": LONG_TEXT}, r"at most 10,000"),
            ({"customer_amount": "10", "reason": "hack"}, r"reason|dispute_invalid"),
            ({"customer_amount": "10", "reason": ""}, r"dispute_reason"),
            ({"customer_amount": "10", "line_ids": str(other_line)}, r"not on this statement"),
            ({"customer_amount": "10", "line_ids": "abc"}, r"dispute_invalid"),
        ]
        for vals, pattern in cases:
            with self.subTest(vals={k: v[:30] for k, v in vals.items()}):
                self._refused("dispute", {**base, **vals}, pattern)
        with self.subTest(case="too many files"):
            files = [("attachments", (f"f{i}.txt", b"x", "text/plain")) for i in range(6)]
            self._refused("dispute", {**base, "customer_amount": "10"}, r"at most 5 files", files)
        with self.subTest(case="unreadable ledger file"):
            files = [
                ("ledger_file", ("ledger.xlsx", b"PK\x03\x04 not a workbook", "application/zip"))
            ]
            self._refused("dispute", {**base, "customer_amount": "10"}, r"ledger", files)

    def test_confirm_form(self):
        self.authenticate("portal_a_contact", "portal_a_contact")
        cases = [
            ({"confirmed_by": LONG_NAME}, r"at most 256"),
            ({"confirmed_by": "Alice", "title": LONG_NAME}, r"at most 256"),
            ({"confirmed_by": "Alice", "comment": LONG_TEXT}, r"at most 10,000"),
            ({"confirmed_by": "   "}, r"confirm_name"),
        ]
        for vals, pattern in cases:
            with self.subTest(vals={k: v[:30] for k, v in vals.items()}):
                self._refused("confirm", vals, pattern)


def test_limits_module_alone():
    """The bounds themselves, without a database."""
    for value in (math.nan, math.inf, 1e15, "1", True, None):
        try:
            limits.check_amount(value, "Amount")
        except limits.InputError:
            continue
        raise AssertionError(f"{value!r} accepted")
    assert limits.check_amount(-1234.56, "Amount") == -1234.56
    for bad in ("2026-02-30", "0001-01-01", "9999-12-31", "x"):
        try:
            limits.check_date(bad, "Date")
        except limits.InputError:
            continue
        raise AssertionError(f"{bad!r} accepted")
    assert FORBIDDEN
