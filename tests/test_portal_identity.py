"""The emailed link's page as the customer sees it, over real HTTP: the statement company's
identity logged out, a friendly page for a link that opens nothing, the open items, amounts
typed as people type them, and each link in its own customer's language."""

import json
import re
from urllib.parse import parse_qs, urlsplit

from portal_common import PortalCommon, csrf_from

from odoo.tests import HttpCase, tagged

from odoo.addons.customer_reconciliation.controllers import portal as portal_controller

HOST = "127.0.0.1"
# A 1x1 PNG: a logo of the statement's company.
PNG = b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYPj/HwADAgH/eL9GtQAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestPortalIdentity(PortalCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(["customer_reconciliation"], ["zh_CN"])
        # B reads Chinese; A reads English (its statement contact's language).
        cls.customer_b.write({"lang": "zh_CN", "reconciliation_lang": "zh_CN"})
        cls.contact_b.lang = "en_US"
        (cls.sa | cls.sb).invalidate_recordset()

    # ------------------------------------------------------------------ helpers
    def _url(self, session, token=None, suffix=""):
        url = f"/my/statements/{session.id}{suffix}"
        return f"{url}?access_token={token}" if token else url

    def _open(self, session, token=None, prefix=""):
        response = self.url_open(prefix + self._url(session, token))
        self.assertEqual(response.status_code, 200, response.url)
        return response

    def _page_lang(self, response):
        """The language the page was rendered in (the frontend's session info)."""
        match = re.search(r"odoo\.__session_info__ = (\{.*?\});\n", response.text)
        return json.loads(match.group(1))["bundle_params"]["lang"]

    def _dispute(self, session, token, amount):
        page = self._open(session, token)
        response = self.url_open(
            self._url(session, suffix="/dispute"),
            data={
                "csrf_token": csrf_from(page.text),
                "access_token": token,
                "reason": "amount_differs",
                "customer_amount": amount,
                "comment": "Our books say otherwise",
            },
            allow_redirects=False,
        )
        session.invalidate_recordset()
        return response

    def _assert_friendly_refusal(self, response, status, public=True):
        self.assertEqual(response.status_code, status)
        body = response.text
        self.assertIn('id="statement_link_invalid"', body)
        self.assertIn("This link does not open a statement", body)
        self.assertNotIn("403 Forbidden", body)
        self.assertNotIn(self.sa.name, body)
        self.assertNotIn(self.customer_a.name, body)
        self.assertNotIn("PO-A-1", body)
        if status == 403:
            self.assertIn(self.company.name, body, "the issuer: who to ask for a new link")
        if public:
            link = re.search(r'class="btn btn-primary o_statement_sign_in" href="([^"]+)"', body)
            self.assertTrue(link, "a sign-in button")
            url = urlsplit(link.group(1).replace("&amp;", "&"))
            self.assertEqual(url.path, "/web/login")
            redirect = parse_qs(url.query)["redirect"][0]
            self.assertTrue(redirect.startswith("/my/statements/"), redirect)
            self.assertNotIn("access_token", redirect)
        else:
            self.assertNotIn("o_statement_sign_in", body)
            self.assertIn('href="/my/statements"', body)

    # ------------------------------------------------------------------ identity
    def _assert_company_identity(self, body, company):
        main = self.env.ref("base.main_company")
        brand = re.search(r'<a href="/" class="navbar-brand logo">(.*?)</a>', body, re.S).group(1)
        if company.uses_default_logo:
            # No logo of its own: its name, not Odoo's "Your logo" placeholder.
            self.assertNotIn("<img", brand)
            self.assertIn(company.name, brand)
        else:
            self.assertIn(f'src="/logo.png?company={company.id}"', brand)
            self.assertIn(f'alt="Logo of {company.name}"', brand)
        copyright_ = re.search(r"o_footer_copyright_name[^>]*>(.*?)</span>\s*</span>", body, re.S)
        self.assertIn(company.name, copyright_.group(1))
        if company != main:
            self.assertNotIn(main.name, brand)
            self.assertNotIn(main.name, copyright_.group(1))

    def test_logged_out_page_carries_the_statement_company(self):
        self.assertNotEqual(
            self.company, self.env.ref("base.main_company"), "not the public user's company"
        )
        self.authenticate(None, None)
        self.assertTrue(self.company.uses_default_logo)
        self._assert_company_identity(self._open(self.sa, self.token_a).text, self.company)
        self.company.logo = PNG
        self.assertFalse(self.company.uses_default_logo)
        self._assert_company_identity(self._open(self.sa, self.token_a).text, self.company)

    def test_other_portal_pages_keep_odoo_layout(self):
        self.authenticate("portal_a", "portal_a")
        body = self.url_open("/my/home").text
        self.assertIn(
            'src="/logo.png?company=', body, "the company-name brand is the statements' only"
        )

    def test_dispute_page_carries_the_statement_company(self):
        dispute = self.sa._portal_dispute([], "other", comment="Whole balance")
        self.authenticate(None, None)
        response = self.url_open(
            f"/my/statements/{self.sa.id}/disputes/{dispute.id}?access_token={dispute.access_token}"
        )
        self.assertEqual(response.status_code, 200)
        self._assert_company_identity(response.text, self.company)

    # ------------------------------------------------------------------ refusals
    def test_wrong_or_missing_token_gives_a_friendly_page(self):
        self.authenticate(None, None)
        for token in ("0" * 36, self.token_b, None):
            with self.subTest(token=token):
                self._assert_friendly_refusal(self.url_open(self._url(self.sa, token)), 403)
                self._assert_friendly_refusal(
                    self.url_open(self._url(self.sa, token, "/xlsx")), 403
                )
                pdf = self.url_open(
                    self._url(self.sa, token) + ("&" if token else "?") + "report_type=pdf"
                )
                self._assert_friendly_refusal(pdf, 403)

    def test_answers_with_a_wrong_token_give_a_friendly_page(self):
        self.authenticate(None, None)
        csrf = csrf_from(self._open(self.sa, self.token_a).text)
        for route, data in (
            ("/confirm", {"confirmed_by": "Mallory"}),
            ("/dispute", {"reason": "other", "customer_amount": "1"}),
        ):
            with self.subTest(route=route):
                response = self.url_open(
                    self._url(self.sa, suffix=route),
                    data={"csrf_token": csrf, "access_token": "0" * 36, **data},
                    allow_redirects=False,
                )
                self._assert_friendly_refusal(response, 403)
        self.sa.invalidate_recordset()
        self.assertEqual(self.sa.state, "sent")
        self.assertFalse(self.sa.dispute_ids)

    def test_draft_or_unknown_statement_gives_a_friendly_page(self):
        self.authenticate(None, None)
        self._assert_friendly_refusal(
            self.url_open(self._url(self.sa_draft, self.token_draft)), 404
        )
        self._assert_friendly_refusal(self.url_open("/my/statements/999999?access_token=x"), 404)

    def test_dispute_page_with_a_wrong_token_gives_a_friendly_page(self):
        dispute = self.sa._portal_dispute([], "other", comment="Whole balance")
        self.authenticate(None, None)
        for token in ("0" * 36, self.token_b, None):
            with self.subTest(token=token):
                url = f"/my/statements/{self.sa.id}/disputes/{dispute.id}"
                response = self.url_open(f"{url}?access_token={token}" if token else url)
                self._assert_friendly_refusal(response, 403)
                self.assertNotIn(dispute.name, response.text)

    def test_other_customers_user_is_pointed_to_his_statements(self):
        self.authenticate("portal_b", "portal_b")
        self._assert_friendly_refusal(self.url_open(self._url(self.sa)), 403, public=False)

    # ------------------------------------------------------------------ open items
    def test_open_items_are_listed_with_their_age(self):
        self.authenticate(None, None)
        body = self._open(self.sa, self.token_a).text
        self.assertIn('id="statement_open_items"', body)
        items = self.sa.open_item_ids
        self.assertEqual(len(items), 3, "the September invoice and the two of October")
        rows = re.findall(r'<tr class="o_statement_open_item" data-item-name="([^"]*)"', body)
        self.assertEqual(rows, items.mapped("name"), "oldest due date first")
        self.assertIn(self.inv_a1.name, rows)
        self.assertEqual(body.count("o_statement_open_item_age"), 3)
        self.assertAlmostEqual(sum(items.mapped("open_amount")), self.sa.closing_balance)
        total = re.search(r"o_statement_open_items_total.*?</tr>", body, re.S).group(0)
        self.assertIn("1,250.00", total)
        self.assertNotIn("statement_open_items_more", body, "three items: nothing folded")

    def test_many_open_items_are_folded(self):
        self.patch(portal_controller, "PORTAL_OPEN_ITEMS_FOLDED", 1)
        self.patch(portal_controller, "PORTAL_MAX_OPEN_ITEMS", 2)
        self.authenticate(None, None)
        body = self._open(self.sa, self.token_a).text
        folded = body.split('id="statement_open_items_more"')[1].split("</tbody>")[0]
        self.assertEqual(folded.count('class="o_statement_open_item"'), 1)
        self.assertIn("Show all open items", body)
        self.assertIn("the XLSX download has all of them", body)

    def test_no_open_items_no_card(self):
        self.env.cr.execute(
            "DELETE FROM customer_reconciliation_open_item WHERE session_id = %s", [self.sa.id]
        )
        self.sa.invalidate_recordset()
        self.authenticate(None, None)
        self.assertNotIn('id="statement_open_items"', self._open(self.sa, self.token_a).text)

    # ------------------------------------------------------------------ amounts
    def test_amount_typed_with_thousands_separators(self):
        self.authenticate(None, None)
        page = self._open(self.sa, self.token_a).text
        self.assertIn('id="dispute_amount"', page)
        self.assertIn('inputmode="decimal"', page)
        self.assertIn('placeholder="17,800.00"', page)
        response = self._dispute(self.sa, self.token_a, "17,800.00")
        self.assertEqual(response.status_code, 303)
        self.assertIn("message=disputed", response.headers["Location"])
        self.assertEqual(self.sa.dispute_ids.customer_amount, 17800.0)

    def test_amount_typed_with_a_decimal_comma_in_german(self):
        self.customer_b.write({"lang": "de_DE", "reconciliation_lang": "de_DE"})
        self.sb.invalidate_recordset()
        self.authenticate(None, None)
        self.assertIn('placeholder="17.800,00"', self._open(self.sb, self.token_b).text)
        response = self._dispute(self.sb, self.token_b, "17.800,00")
        self.assertIn("message=disputed", response.headers["Location"])
        self.assertEqual(self.sb.dispute_ids.customer_amount, 17800.0)

    def test_unreadable_amount_names_the_field(self):
        self.authenticate(None, None)
        response = self._dispute(self.sa, self.token_a, "17,80.00")
        location = parse_qs(urlsplit(response.headers["Location"]).query)
        self.assertEqual(location["error"], ["dispute_amount"])
        self.assertIn("Your amount", location["error_detail"][0])
        self.assertIn("17,800.00", location["error_detail"][0], "shows how to type it")
        self.assertFalse(self.sa.dispute_ids)
        page = self.url_open(response.headers["Location"]).text
        self.assertIn("Your amount is not valid", page)

    # ------------------------------------------------------------------ language
    def test_each_link_in_its_customers_language(self):
        self.authenticate(None, None)
        first = self._open(self.sa, self.token_a)
        self.assertEqual(self._page_lang(first), "en_US")
        self.assertIn("Issued by", first.text)
        second = self._open(self.sb, self.token_b)
        self.assertEqual(self._page_lang(second), "zh_CN", "not the first link's language")
        self.assertIn("出具方", second.text)
        self.assertIn("未到期", second.text, "the statement's own labels too (its aging)")
        self.assertNotIn("开始日期 ", second.text, "the date label 'From' is not the issuer's")
        self.assertEqual(self.opener.cookies.get("frontend_lang"), "zh_CN")
        self.assertEqual(self._page_lang(self._open(self.sa, self.token_a)), "en_US")

    def test_link_opened_after_another_language_was_used(self):
        self.authenticate(None, None)
        self.opener.cookies.set("frontend_lang", "zh_CN", domain=HOST, path="/")
        self.assertEqual(self._page_lang(self._open(self.sa, self.token_a)), "en_US")
        self.opener.cookies.set("frontend_lang", "en_US", domain=HOST, path="/")
        self.assertEqual(self._page_lang(self._open(self.sb, self.token_b)), "zh_CN")

    def test_language_picked_on_the_page_is_kept(self):
        self.authenticate(None, None)
        self.assertEqual(self._page_lang(self._open(self.sb, self.token_b)), "zh_CN")
        # The footer's language selector links to the page with the language in the path.
        picked = self._open(self.sb, self.token_b, prefix="/en")
        self.assertEqual(self._page_lang(picked), "en_US")
        self.assertEqual(self._page_lang(self._open(self.sb, self.token_b)), "en_US")
        # Another statement still opens in its own customer's language ...
        self.assertEqual(self._page_lang(self._open(self.sa, self.token_a)), "en_US")
        picked = self._open(self.sa, self.token_a, prefix="/zh_CN")
        self.assertEqual(self._page_lang(picked), "zh_CN")
        # ... and each keeps the language picked on it.
        self.assertEqual(self._page_lang(self._open(self.sb, self.token_b)), "en_US")
        self.assertEqual(self._page_lang(self._open(self.sa, self.token_a)), "zh_CN")

    def test_signed_in_users_keep_their_language(self):
        self.authenticate("portal_b", "portal_b")
        self.assertEqual(self.user_b.lang, "en_US")
        self.assertEqual(self._page_lang(self._open(self.sb)), "en_US")
        self.user_b.lang = "de_DE"
        self.authenticate("portal_b", "portal_b")
        self.assertEqual(self._page_lang(self._open(self.sb)), "de_DE")

    def test_amount_with_the_currency_symbol_after_another_link(self):
        self.authenticate(None, None)
        self._open(self.sa, self.token_a)
        symbol = self.sb.currency_id.symbol
        response = self._dispute(self.sb, self.token_b, f"{symbol}1,234.50")
        self.assertIn("message=disputed", response.headers["Location"])
        self.assertEqual(self.sb.dispute_ids.customer_amount, 1234.5)
        self.assertEqual(self.sb.state, "disputed")
