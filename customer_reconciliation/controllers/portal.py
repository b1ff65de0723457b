"""The customer's side of the statements: list, detail, downloads, confirm and dispute."""

from collections import OrderedDict

from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.urls import url_encode

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import content_disposition, request
from odoo.tools import consteq

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.session_answer import PORTAL_STATES
from ..reports import statement_data, statement_workbook
from ..tools import amounts, limits
from ..tools.file_names import safe_filename
from .download import xlsx_response

SESSION_MODEL = "customer.reconciliation.session"
DISPUTE_MODEL = "customer.reconciliation.dispute"
STATEMENT_REPORT = "customer_reconciliation.action_report_statement_with_letter"
# Open items listed on the page (oldest due date first); all of them are in the XLSX.
PORTAL_MAX_OPEN_ITEMS = 500
# ... of which the first ones are shown, the others behind "Show all".
PORTAL_OPEN_ITEMS_FOLDED = 10
# The browser session's memory of the statement pages' languages (token visitors).
SESSION_LANG_SHOWN = "customer_reconciliation_lang_shown"
SESSION_LANG_CHOICES = "customer_reconciliation_lang_choices"
MAX_LANG_CHOICES = 20


class _LedgerFileError(Exception):
    """The customer's ledger file could not be read (the message names file, row, column)."""


class ReconciliationPortal(CustomerPortal):
    # ------------------------------------------------------------------ home
    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "reconciliation_statement_count" in counters:
            Session = request.env[SESSION_MODEL]
            values["reconciliation_statement_count"] = (
                Session.search_count(self._statement_domain()) if Session.has_access("read") else 0
            )
        return values

    def _statement_domain(self):
        commercial = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", [commercial.id]), ("state", "in", list(PORTAL_STATES))]

    def _statement_searchbar_sortings(self):
        env = request.env
        return {
            "date": {"label": env._("Period"), "order": "date_to desc, version desc, id desc"},
            "name": {"label": env._("Number"), "order": "name desc, id desc"},
            "balance": {"label": env._("Balance"), "order": "closing_balance desc, id desc"},
            "state": {"label": env._("Status"), "order": "state, date_to desc, id desc"},
        }

    def _statement_searchbar_filters(self):
        env = request.env
        return OrderedDict(
            [
                (
                    "open",
                    {"label": env._("Waiting for your answer"), "domain": [("state", "=", "sent")]},
                ),
                (
                    "answered",
                    {
                        "label": env._("Answered"),
                        "domain": [("state", "in", ("confirmed", "disputed", "closed"))],
                    },
                ),
                ("all", {"label": env._("All"), "domain": []}),
            ]
        )

    # ------------------------------------------------------------------ list
    @http.route(
        ["/my/statements", "/my/statements/page/<int:page>"], type="http", auth="user", website=True
    )
    def portal_my_statements(self, page=1, sortby=None, filterby=None, **kw):
        Session = request.env[SESSION_MODEL]
        values = self._prepare_portal_layout_values()
        sortings = self._statement_searchbar_sortings()
        filters = self._statement_searchbar_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = self._statement_domain() + filters[filterby]["domain"]
        can_read = Session.has_access("read")
        total = Session.search_count(domain) if can_read else 0
        pager = portal_pager(
            url="/my/statements",
            url_args={"sortby": sortby, "filterby": filterby},
            total=total,
            page=page,
            step=self._items_per_page,
        )
        statements = (
            Session.search(
                domain,
                order=sortings[sortby]["order"],
                limit=self._items_per_page,
                offset=pager["offset"],
            )
            if can_read
            else Session
        )
        request.session["my_statements_history"] = statements.ids[:100]
        values.update(
            {
                "statements": statements,
                "page_name": "reconciliation_statement",
                "pager": pager,
                "default_url": "/my/statements",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("customer_reconciliation.portal_my_statements", values)

    # ------------------------------------------------------------------ access
    def _statement_check_access(self, statement_id, access_token=None):
        """The statement, sudoed, if the visitor may see it: 404 when unknown or not yet sent,
        403 when it belongs to someone else and no valid token was given."""
        try:
            session_sudo = self._document_check_access(SESSION_MODEL, statement_id, access_token)
        except MissingError as exc:
            raise NotFound() from exc
        except AccessError as exc:
            raise Forbidden() from exc
        if not session_sudo._portal_is_visible():
            raise NotFound()
        self._statement_visitor_lang(session_sudo)
        # read in the page's language (its aging labels, selections, dates)
        return session_sudo.with_context(lang=request.env.lang)

    def _statement_refusal(self, statement_id, error):
        """The page of a link that opens no statement (``error``: the Forbidden or NotFound
        raised): it says so and how to get in, without a word of the statement. The status
        (403, 404) is kept."""
        user = request.env.user
        statement = request.env[SESSION_MODEL].sudo().browse(int(statement_id)).exists()
        values = {
            # The issuer's name and logo when the statement exists (403): who to ask for a link.
            "res_company": (statement.company_id if error.code == 403 else None)
            or request.env.company.sudo(),
            "statement_company_brand": True,
            "page_name": "reconciliation_link_invalid",
            "no_breadcrumbs": True,
            "is_public": user._is_public(),
            "login_url": "/web/login?"
            + url_encode({"redirect": f"/my/statements/{int(statement_id)}"}),
        }
        return request.render(
            "customer_reconciliation.portal_statement_link_invalid", values, status=error.code
        )

    # ------------------------------------------------------------------ language
    def _statement_visitor_lang(self, session_sudo):
        """Who opens the emailed link reads the statement in its customer's language, whatever
        page this browser showed before (Odoo keeps the last language in the frontend_lang
        cookie: a second link would open in the first one's language). A language the visitor
        picks on the page (the footer's selector) is kept for that statement in this browser
        session. Logged-in users (portal users, employees previewing) keep their own language.
        """
        if not request.env.user._is_public():
            return
        installed = dict(request.env["res.lang"].get_installed())
        requested = getattr(request, "lang", None) and request.lang.code
        shown = request.session.get(SESSION_LANG_SHOWN)
        choices = dict(request.session.get(SESSION_LANG_CHOICES) or {})
        key = str(session_sudo.id)
        if shown and requested and requested != shown and requested in installed:
            # The language changed since the last statement page we showed: the visitor's pick.
            choices.pop(key, None)
            choices[key] = requested
            request.session[SESSION_LANG_CHOICES] = dict(list(choices.items())[-MAX_LANG_CHOICES:])
        lang = choices.get(key) or session_sudo.statement_lang
        if lang not in installed:
            return
        if shown != lang:
            request.session[SESSION_LANG_SHOWN] = lang
        request.lang = request.env["res.lang"]._get_data(code=lang)
        request.update_context(lang=lang)
        # This page's language is the one the browser asks for next (Odoo set the requested one).
        headers = request.future_response.headers
        cookies = [
            value
            for value in headers.getlist("Set-Cookie")
            if not value.startswith("frontend_lang=")
        ]
        headers.remove("Set-Cookie")
        for value in cookies:
            headers.add("Set-Cookie", value)
        request.future_response.set_cookie("frontend_lang", lang)

    def _statement_answer_access(self, statement_id, access_token=None):
        """The statement, sudoed, if the visitor may answer for the customer: a portal user of
        that customer, or the holder of its valid token. Never an internal user (whose page is
        a read-only preview: answers received by us go through "Record Customer Answer")."""
        session_sudo = self._statement_check_access(statement_id, access_token)
        user = request.env.user
        if self._is_preview():
            raise Forbidden()
        has_token = bool(
            access_token
            and session_sudo.access_token
            and consteq(session_sudo.access_token, access_token)
        )
        of_customer = (
            not user._is_public()
            and user.partner_id.commercial_partner_id
            == session_sudo.partner_id.commercial_partner_id
        )
        if not (has_token or of_customer):
            raise Forbidden()
        return session_sudo

    def _is_preview(self):
        """An employee looking at the customer's page: read-only."""
        user = request.env.user
        return not user._is_public() and not user.share

    def _statement_url(self, session_sudo, access_token=None, **params):
        if access_token:
            params["access_token"] = access_token
        query = url_encode({k: v for k, v in params.items() if v})
        return f"{session_sudo.access_url}{'?' + query if query else ''}"

    # ------------------------------------------------------------------ detail
    @http.route(["/my/statements/<int:statement_id>"], type="http", auth="public", website=True)
    def portal_my_statement(
        self,
        statement_id,
        access_token=None,
        report_type=None,
        download=False,
        message=None,
        error=None,
        **kw,
    ):
        try:
            session_sudo = self._statement_check_access(statement_id, access_token)
        except (Forbidden, NotFound) as refused:
            return self._statement_refusal(statement_id, refused)
        if report_type in ("pdf", "html"):
            if not request.env.ref(STATEMENT_REPORT, raise_if_not_found=False):
                raise NotFound()
            if report_type == "html":
                return self._show_report(
                    model=session_sudo, report_type="html", report_ref=STATEMENT_REPORT
                )
            return self._statement_pdf_response(session_sudo, download)
        values = self._statement_page_values(
            session_sudo, access_token, message=message, error=error, **kw
        )
        return request.render("customer_reconciliation.portal_statement_page", values)

    def _statement_pdf_response(self, session_sudo, download=False):
        """The statement with its confirmation letter, named as the reports name it."""
        pdf = (
            request.env["ir.actions.report"]
            .sudo()
            .with_company(session_sudo.company_id)
            ._render_qweb_pdf(STATEMENT_REPORT, session_sudo.ids)[0]
        )
        filename = f"{session_sudo._get_report_base_filename('statement_letter')}.pdf"
        disposition = "attachment" if download else "inline"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                (
                    "Content-Disposition",
                    content_disposition(filename, disposition_type=disposition),
                ),
            ],
        )

    def _statement_page_values(self, session_sudo, access_token, message=None, error=None, **kw):
        Dispute = request.env[DISPUTE_MODEL]
        preview = self._is_preview()
        lang = request.env["res.lang"]._get_data(code=request.env.lang or "en_US")
        values = {
            # The statement company's logo, name and address in the layout, logged out too.
            "res_company": session_sudo.company_id,
            "statement_company_brand": True,
            "statement": session_sudo,
            "page_name": "reconciliation_statement",
            "lines": session_sudo.line_ids,
            "disputable_line_ids": set(session_sudo._portal_lines().ids),
            "disputes": session_sudo.dispute_ids.sorted("id"),
            "reasons": Dispute._fields["reason"]._description_selection(request.env),
            "can_confirm": not preview and session_sudo._portal_can_confirm(),
            "can_dispute": not preview and session_sudo._portal_can_dispute(),
            "is_preview": preview,
            "has_pdf": bool(request.env.ref(STATEMENT_REPORT, raise_if_not_found=False)),
            "message": message,
            "error": error,
            "error_detail": (kw.get("error_detail") or "")[:500],
            "ledger_read": kw.get("ledger_read") == "1",
            "ledger_queued": kw.get("ledger_queued") == "1",
            # The last ledger file the customer sent, while or after it is imported.
            "portal_ledger_import": session_sudo.customer_ledger_import_ids.filtered("from_portal")[
                :1
            ],
            "default_confirmer": "" if request.env.user._is_public() else request.env.user.name,
            "dispute_url": lambda dispute: self._dispute_url(dispute, access_token),
            "amount_example": amounts.example_amount(
                session_sudo.currency_id.decimal_places, lang.decimal_point, lang.thousands_sep
            ),
            **self._statement_open_items_values(session_sudo),
            "extra_sections": statement_data.extra_sections(session_sudo),
        }
        return self._get_page_view_values(
            session_sudo, access_token, values, "my_statements_history", False, **kw
        )

    def _statement_open_items_values(self, session_sudo):
        """The items open at the end date that make up the balance, oldest due date first."""
        OpenItem = request.env["customer.reconciliation.open.item"].sudo()
        domain = [("session_id", "=", session_sudo.id)]
        items = OpenItem.search(domain, limit=PORTAL_MAX_OPEN_ITEMS)
        total = OpenItem._read_group(domain, [], ["open_amount:sum", "__count"])[0]
        return {
            "open_items": items[:PORTAL_OPEN_ITEMS_FOLDED],
            "open_items_folded": items[PORTAL_OPEN_ITEMS_FOLDED:],
            "open_items_total": total[0] or 0.0,
            "open_items_count": total[1],
        }

    def _dispute_url(self, dispute_sudo, access_token=None):
        url = dispute_sudo.access_url
        return f"{url}?{url_encode({'access_token': access_token})}" if access_token else url

    @http.route(
        ["/my/statements/<int:statement_id>/xlsx"], type="http", auth="public", website=True
    )
    def portal_my_statement_xlsx(self, statement_id, access_token=None, **kw):
        try:
            session_sudo = self._statement_check_access(statement_id, access_token)
        except (Forbidden, NotFound) as refused:
            return self._statement_refusal(statement_id, refused)
        return xlsx_response(*statement_workbook.statement_xlsx(session_sudo))

    # ------------------------------------------------------------------ answers
    @http.route(
        ["/my/statements/<int:statement_id>/confirm"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_statement_confirm(
        self, statement_id, access_token=None, confirmed_by=None, title=None, comment=None, **kw
    ):
        try:
            session_sudo = self._statement_answer_access(statement_id, access_token)
        except (Forbidden, NotFound) as refused:
            return self._statement_refusal(statement_id, refused)
        if not (confirmed_by or "").strip():
            return request.redirect(
                self._statement_url(session_sudo, access_token, error="confirm_name")
            )
        httprequest = request.httprequest
        try:
            done = session_sudo._portal_confirm(
                confirmed_by,
                title=title,
                comment=comment,
                user=request.env.user,
                ip=httprequest.remote_addr,
                user_agent=httprequest.headers.get("User-Agent"),
            )
        except (UserError, ValidationError) as error:
            return request.redirect(
                self._statement_url(
                    session_sudo, access_token, error="confirm_invalid", error_detail=str(error)
                )
            )
        message = "confirmed" if done else "already_answered"
        return request.redirect(self._statement_url(session_sudo, access_token, message=message))

    @http.route(
        ["/my/statements/<int:statement_id>/dispute"],
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_statement_dispute(
        self, statement_id, access_token=None, reason=None, customer_amount=None, comment=None, **kw
    ):
        try:
            session_sudo = self._statement_answer_access(statement_id, access_token)
        except (Forbidden, NotFound) as refused:
            return self._statement_refusal(statement_id, refused)
        if not session_sudo._portal_can_dispute():
            return request.redirect(
                self._statement_url(session_sudo, access_token, message="already_answered")
            )
        form = request.httprequest.form
        try:
            line_ids = [int(value) for value in form.getlist("line_ids")[:10000] if value]
        except ValueError:
            return request.redirect(
                self._statement_url(session_sudo, access_token, error="dispute_invalid")
            )
        try:
            amount = self._typed_amount(customer_amount, session_sudo.currency_id)
        except limits.InputError as error:
            return request.redirect(
                self._statement_url(
                    session_sudo,
                    access_token,
                    error="dispute_amount",
                    error_detail=request.env._(error.message, **error.params),
                )
            )
        if not reason:
            return request.redirect(
                self._statement_url(session_sudo, access_token, error="dispute_reason")
            )
        files = [
            (safe_filename(upload.filename) or "attachment", upload.read(), upload.mimetype)
            for upload in request.httprequest.files.getlist("attachments")
            if upload and upload.filename
        ]
        ledger = request.httprequest.files.get("ledger_file")
        queued = False
        try:
            # The customer's ledger (imported, or queued when long) and the dispute are
            # recorded together or not at all.
            with request.env.cr.savepoint():
                if ledger and ledger.filename:
                    try:
                        queued = session_sudo._receive_customer_ledger(
                            safe_filename(ledger.filename), ledger.read(), request.env.user
                        )
                    except UserError as error:
                        raise _LedgerFileError(str(error)) from error
                dispute = session_sudo._portal_dispute(
                    line_ids,
                    reason,
                    customer_amount=amount,
                    comment=comment,
                    files=files,
                    user=request.env.user,
                )
        except _LedgerFileError as error:
            return request.redirect(
                self._statement_url(
                    session_sudo, access_token, error="ledger_file", error_detail=str(error)
                )
            )
        except (UserError, ValidationError) as error:
            return request.redirect(
                self._statement_url(
                    session_sudo, access_token, error="dispute_invalid", error_detail=str(error)
                )
            )
        extra = {}
        if queued:
            extra = {"ledger_queued": 1}
        elif ledger and ledger.filename:
            extra = {"ledger_read": 1}
        return request.redirect(
            self._statement_url(
                session_sudo, access_token, message="disputed", dispute=dispute.name, **extra
            )
        )

    def _typed_amount(self, text, currency):
        """The amount the customer typed, read as people type it in the page's language
        (17,800.00; 17.800,00; ¥17,800), bounded as any amount (tools/limits.py)."""
        lang = request.env["res.lang"]._get_data(code=request.env.lang or "en_US")
        return amounts.parse_typed_amount(
            text,
            request.env._("Your amount"),
            digits=currency.decimal_places,
            decimal_point=lang.decimal_point,
            thousands_sep=lang.thousands_sep,
            symbols=(currency.symbol, currency.name),
        )

    # ------------------------------------------------------------------ disputes
    @http.route(
        ["/my/statements/<int:statement_id>/disputes/<int:dispute_id>"],
        type="http",
        auth="public",
        website=True,
    )
    def portal_my_statement_dispute(self, statement_id, dispute_id, access_token=None, **kw):
        try:
            session_sudo, dispute_sudo = self._dispute_check_access(
                statement_id, dispute_id, access_token
            )
        except (Forbidden, NotFound) as refused:
            return self._statement_refusal(statement_id, refused)
        values = {
            "res_company": session_sudo.company_id,
            "statement_company_brand": True,
            "statement": session_sudo,
            "dispute": dispute_sudo,
            "page_name": "reconciliation_dispute",
            "statement_url": self._statement_url(session_sudo, access_token),
        }
        values = self._get_page_view_values(
            dispute_sudo, access_token, values, "my_disputes_history", False, **kw
        )
        # The thread accepts the customer's replies with the dispute's own token.
        values["token"] = dispute_sudo._portal_ensure_token()
        return request.render("customer_reconciliation.portal_dispute_page", values)

    def _dispute_check_access(self, statement_id, dispute_id, access_token=None):
        """(statement, dispute), sudoed, if the visitor may see the dispute; raises as
        :meth:`_statement_check_access`."""
        try:
            # The statement's token (links on the statement page) ...
            session_sudo = self._statement_check_access(statement_id, access_token)
            dispute_sudo = session_sudo.dispute_ids.filtered(lambda d: d.id == dispute_id)
        except Forbidden:
            # ... or the dispute's own (links in the dispute's notification mails).
            try:
                dispute_sudo = self._document_check_access(DISPUTE_MODEL, dispute_id, access_token)
            except (AccessError, MissingError) as exc:
                raise Forbidden() from exc
            session_sudo = dispute_sudo.session_id
            if session_sudo.id != statement_id or not session_sudo._portal_is_visible():
                raise NotFound() from None
            self._statement_visitor_lang(session_sudo)
        if not dispute_sudo:
            raise NotFound()
        lang = request.env.lang
        return session_sudo.with_context(lang=lang), dispute_sudo.with_context(lang=lang)
