"""The one download path of the workbooks: internal users' downloads, and the response the
portal's download uses too. Access rights are checked before anything is written."""

from werkzeug.exceptions import BadRequest, Forbidden, NotFound

from odoo import http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

from ..reports import balances_workbook, comparison_workbook, statement_workbook

MAX_STATEMENTS = 10000
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(content, filename):
    """An XLSX file as an attachment download, never cached."""
    return request.make_response(
        content,
        headers=[
            ("Content-Type", XLSX_MIMETYPE),
            ("Content-Length", str(len(content))),
            ("Content-Disposition", content_disposition(filename)),
            ("Cache-Control", "no-store"),
        ],
    )


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
        return xlsx_response(*statement_workbook.statement_xlsx(self._get_sessions([session_id])))

    @http.route(
        "/customer_reconciliation/statement/<int:session_id>/comparison/xlsx",
        type="http",
        auth="user",
        methods=["GET"],
        readonly=True,
    )
    def download_comparison_xlsx(self, session_id, **kwargs):
        session = self._get_sessions([session_id])
        if not session.customer_match_ids:
            raise NotFound()
        return xlsx_response(*comparison_workbook.comparison_xlsx(session))

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
        return xlsx_response(
            *balances_workbook.balances_xlsx(
                sessions, with_statement_sheets=sheets in ("1", "true")
            )
        )

    def _get_sessions(self, session_ids):
        sessions = request.env["customer.reconciliation.session"].browse(session_ids)
        if len(sessions.exists()) != len(session_ids):
            raise NotFound()
        try:
            sessions.check_access("read")
        except AccessError:
            raise Forbidden() from None
        return sessions
