"""A customer's ledger too long to import in the user's request, imported in the background."""

import logging
import time
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date

from ..tools.customer_ledger import parsing as lp
from .ir_attachment import unindexed

_logger = logging.getLogger(__name__)

CRONS = ("ir_cron_import_customer_ledgers", "ir_cron_import_customer_ledgers_second")


class CustomerReconciliationLedgerImport(models.Model):
    """One file queued for import into one statement, with the choices made in the wizard.

    A file is imported whole in one transaction (its lines, their comparison, the statement's
    figures), or not at all: a worker killed in it leaves it queued for the next, which
    imports it again from the start. Several workers import different files at once."""

    _name = "customer.reconciliation.ledger.import"
    _inherit = ["customer.reconciliation.background.job"]
    _description = "Customer's Ledger Import"
    _order = "id desc"
    _set_at_creation = frozenset(
        {
            "state",
            "user_id",
            "session_id",
            "filename",
            "attachment_id",
            "options",
            "row_estimate",
            "error",
            "line_count",
            "date_done",
            "from_portal",
        }
    )
    # Imported past the user's rights: only the portal's dispute step (as superuser) asks it.
    _set_by_workers = frozenset({"from_portal"})

    session_id = fields.Many2one(
        "customer.reconciliation.session",
        string="Statement",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    partner_id = fields.Many2one(related="session_id.partner_id")
    company_id = fields.Many2one(related="session_id.company_id")
    filename = fields.Char(string="File", required=True, readonly=True)
    attachment_id = fields.Many2one(
        "ir.attachment", string="Ledger File", readonly=True, ondelete="set null"
    )
    # The wizard's choices: mapping, sign, header row, remember, day order, sheet, tolerances.
    options = fields.Json(readonly=True)
    row_estimate = fields.Integer(string="Rows (about)", readonly=True)
    state = fields.Selection(
        [
            ("queued", "Queued"),
            ("done", "Imported"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="queued",
        required=True,
        readonly=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Imported By", readonly=True, default=lambda self: self.env.user
    )
    # Sent by the customer with a dispute in the portal: imported past the portal user's
    # rights (as the portal's own import is); a refusal is told in the statement's chatter.
    from_portal = fields.Boolean(string="Sent by the Customer", readonly=True)
    error = fields.Text(readonly=True)
    line_count = fields.Integer(string="Their Lines", readonly=True)
    date_done = fields.Datetime(string="Ended On", readonly=True)

    @api.depends("filename", "session_id")
    def _compute_display_name(self):
        for job in self:
            job.display_name = self.env._(
                "%(file)s into %(statement)s",
                file=job.filename,
                statement=job.session_id.name or "",
            )

    def _guard_message(self):
        return self.env._(
            "A ledger import is made by the import wizard and moves on by importing only: "
            "its file, choices, state and outcome are not set by hand."
        )

    # ------------------------------------------------------------------ queue
    @api.model
    def _queue(self, session, filename, content, options, row_estimate, portal_user=None):
        """Queue ``content`` for import into ``session`` by the current user, with the
        wizard's ``options``; an import of the statement still queued (and not being
        imported) is replaced: a new import replaces the last one anyway. ``portal_user``:
        the customer's user who sent it with their dispute (the portal calls it as
        superuser)."""
        session.ensure_one()
        session.check_access("write")
        replaced = self._lock_unclaimed([("session_id", "=", session.id)])
        job = self.create(
            {
                "session_id": session.id,
                "filename": filename,
                "options": options,
                "row_estimate": row_estimate,
                **({"from_portal": True, "user_id": portal_user.id} if portal_user else {}),
            }
        )
        replaced._cancel(error=self.env._("Replaced by %(job)s.", job=job.display_name))
        job.sudo().attachment_id = (
            unindexed(self.env["ir.attachment"])
            .sudo()
            .create(
                {
                    "name": filename,
                    "raw": content,
                    "res_model": self._name,
                    "res_id": job.id,
                }
            )
        )
        for xmlid in CRONS:
            self.env.ref(f"customer_reconciliation.{xmlid}")._trigger()
        return job

    # ------------------------------------------------------------------ workers
    @api.model
    def _claim(self):
        """Lock the oldest queued import whose statement no other worker imports into (and
        no user writes just now), or return an empty set."""

        def claim():
            self.env.flush_all()
            self.env.cr.execute(
                SQL(
                    """
                    SELECT job.id
                      FROM %(jobs)s job
                      JOIN customer_reconciliation_session session ON session.id = job.session_id
                     WHERE job.state = 'queued'
                     ORDER BY job.id
                     LIMIT 1
                       FOR NO KEY UPDATE OF job, session SKIP LOCKED
                    """,
                    jobs=SQL.identifier(self._table),
                ),
                log_exceptions=False,
            )
            return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

        return self.env["ir.cron"]._cr_on_fresh_snapshot(claim, default=self.browse())

    @api.model
    def _queued_count(self):
        return self.sudo().search_count([("state", "=", "queued")])

    @api.model
    def _cron_import_ledgers(self):
        """Import the queued files, one a transaction, as the user who queued each; each
        import committed with the cron's progress. An import left queued because its
        statement was locked is tried again in a minute."""
        Cron = self.env["ir.cron"]
        Cron._commit_progress(remaining=self._queued_count())
        while True:
            job = self._claim()
            if not job:
                break
            job._run()
            if Cron._commit_progress(1, remaining=self._queued_count()) <= 0:
                return
        if self._queued_count():
            self.env.ref(f"customer_reconciliation.{CRONS[0]}")._trigger(
                fields.Datetime.now() + timedelta(minutes=1)
            )

    def _run(self):
        """Import this claimed file as its user: imported, or failed with the reason."""
        self.ensure_one()
        session = self.session_id.with_user(self.user_id).with_context(lang=self.user_id.lang)
        if self.from_portal:
            session = session.sudo()  # as the portal's import at once: the customer's own file
        options = dict(self.options or {})
        tolerances = options.pop("tolerances", None) or {}
        mapping = options.pop("mapping", None)
        started = time.monotonic()
        try:
            # The tolerances and the import are kept together or not at all.
            with self.env.cr.savepoint():
                if tolerances:
                    session.write(tolerances)
                lines = session._import_customer_ledger(
                    self.filename,
                    self.attachment_id.raw or b"",
                    mapping={role: int(index) for role, index in mapping.items()}
                    if mapping is not None
                    else None,
                    time_limit=lp.BACKGROUND_TIME_LIMIT,
                    **options,
                )
        except UserError as error:
            _logger.info("Ledger import %s refused: %s", self.id, error)
            self._end("failed", error=str(error))
            return
        _logger.info(
            "Ledger import %s: %s lines into statement %s in %.1f s",
            self.id,
            len(lines),
            self.session_id.id,
            time.monotonic() - started,
        )
        attachment = self.attachment_id
        self._end("done", line_count=len(lines))
        # The statement keeps the file (its own attachment): the job's copy goes.
        attachment.unlink()

    def _end(self, state, notify=True, **values):
        """Record how these imports ended (as the workers, past the guard) and tell each
        starter in the browser; a customer's file refused is told in the statement's chatter
        too (its followers; one imported is, by the import; the customer reads either on the
        statement's page)."""
        self.sudo().write({"state": state, "date_done": fields.Datetime.now(), **values})
        if notify:
            self._notify_finished()
            for job in self.filtered(lambda job: job.from_portal and job.state == "failed"):
                title, message, _problems = job.with_context(
                    lang=job.company_id.partner_id.lang
                )._finished_message()
                job.session_id.sudo().message_post(
                    body=Markup("<p><strong>%s</strong></p><p>%s</p>") % (title, message),
                    subtype_xmlid="mail.mt_note",
                )

    def _finished_message(self):
        self.ensure_one()
        if self.state == "done":
            return (
                self.env._("Customer's ledger imported"),
                self.env._(
                    "%(job)s: %(lines)s of their lines imported and compared.",
                    job=self.display_name,
                    lines=self.line_count,
                ),
                False,
            )
        return (
            self.env._("Customer's ledger not imported"),
            self.env._("%(job)s: %(error)s", job=self.display_name, error=self.error),
            True,
        )

    def _portal_status(self):
        """How this import of the customer's own file went, told to them on the statement's
        page (in the page's language)."""
        self.ensure_one()
        values = {"file": self.filename, "rows": f"{self.row_estimate:,}"}
        if self.state == "queued":
            return self.env._(
                "Your ledger file %(file)s (about %(rows)s rows) is being compared with this "
                "statement. Come back to this page in a few minutes.",
                **values,
            )
        if self.state == "done":
            return self.env._(
                "Your ledger file %(file)s was compared with this statement on %(date)s: "
                "%(lines)s of your lines.",
                date=format_date(self.env, self.date_done),
                lines=f"{self.line_count:,}",
                **values,
            )
        return self.env._(
            "Your ledger file %(file)s could not be imported: %(error)s Your dispute is "
            "recorded; send us a corrected file by replying to our message.",
            error=self.error or self.env._("it was cancelled."),
            **values,
        )

    def action_cancel(self):
        """Stop an import not started yet (one being imported ends first: it is locked)."""
        self._check_cancel()
        free = self._lock_unclaimed([("id", "in", self.ids)])
        if free != self:
            raise UserError(
                self.env._(
                    "%(job)s is being imported just now: it cannot be cancelled any more.",
                    job=(self - free)[0].display_name,
                )
            )
        self._cancel()
        return True

    @api.model
    def _lock_unclaimed(self, domain):
        """The queued imports of ``domain`` that no worker is importing, locked until the
        transaction ends (a worker holds the one it imports: skipped, not waited for)."""
        query = self.sudo()._search([*domain, ("state", "=", "queued")])
        self.env.cr.execute(
            SQL("%s FOR NO KEY UPDATE SKIP LOCKED", query.select(SQL.identifier(self._table, "id")))
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])

    def _cancel(self, error=False):
        """Cancel these queued imports (past the guard) and drop their files."""
        attachments = self.sudo().attachment_id
        self._end("cancelled", notify=False, error=error)
        attachments.unlink()

    def action_open_session(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "customer.reconciliation.session",
            "res_id": self.session_id.id,
            "view_mode": "form",
        }
