from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

from ..models.session_xlsx import XLSX_MIMETYPE

MAX_STATEMENTS = 10000


class ReconciliationDownloadController(http.Controller):
    """Excel downloads of statements for internal users, within their access rights."""

    @http.route(
        "/customer_reconciliation/statement/<int:session_id>/xlsx",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def download_statement_xlsx(self, session_id, **kwargs):
        session = self._get_sessions([session_id])
        content, filename = session._get_xlsx_content()
        return self._file_response(content, filename)

    @http.route(
        "/customer_reconciliation/balances/xlsx",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def download_balances_xlsx(self, ids="", sheets="0", **kwargs):
        try:
            session_ids = list(dict.fromkeys(int(part) for part in ids.split(",") if part.strip()))
        except ValueError:
            raise BadRequest(
                request.env._("ids must be a comma-separated list of statement ids.")
            ) from None
        if not session_ids or len(session_ids) > MAX_STATEMENTS or min(session_ids) <= 0:
            raise BadRequest(request.env._("Give between 1 and %s statement ids.", MAX_STATEMENTS))
        sessions = self._get_sessions(session_ids)
        content, filename = sessions._get_balances_xlsx_content(
            with_statement_sheets=sheets in ("1", "true")
        )
        return self._file_response(content, filename)

    def _get_sessions(self, session_ids):
        sessions = request.env["customer.reconciliation.session"].browse(session_ids)
        if len(sessions.exists()) != len(session_ids):
            raise NotFound()
        try:
            sessions.check_access("read")
        except AccessError:
            raise Forbidden() from None
        return sessions

    def _file_response(self, content, filename):
        return request.make_response(
            content,
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Length", str(len(content))),
                ("Content-Disposition", content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )
