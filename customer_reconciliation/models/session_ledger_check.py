"""The statement, step 7: the ledger check. A frozen statement against our general ledger as it
is now (a button, and every night for sent and confirmed statements): journal items added,
removed or changed since, reported in the statement's messages."""

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL, format_amount

from ..tools.client_actions import notification
from .engine import build_items_table

# Frozen lines against the items the statement would hold today: added, removed, changed
# (amount or date), open amount changed (a reconciliation dated inside the period), and the
# opening balance (items dated before the period). One query for any number of statements.
_DIFF_SQL = """
SELECT l.session_id, l.move_line_id,
       CASE WHEN i.aml_id IS NULL THEN 'removed'
            WHEN i.amount <> l.amount OR i.date <> l.date THEN 'changed'
            ELSE 'open_amount' END AS change,
       l.name, l.date, l.amount AS frozen_amount, i.amount AS ledger_amount,
       l.open_amount AS frozen_open_amount, i.residual AS ledger_open_amount
  FROM customer_reconciliation_line l
  LEFT JOIN cr_items i ON i.session_id = l.session_id AND i.aml_id = l.move_line_id AND NOT i.prior
 WHERE l.session_id = ANY(%(ids)s) AND l.kind <> 'opening'
   AND (i.aml_id IS NULL OR i.amount <> l.amount OR i.date <> l.date OR i.residual <> l.open_amount)
UNION ALL
SELECT i.session_id, i.aml_id, 'added', i.move_name, i.date, NULL, i.amount, NULL, i.residual
  FROM cr_items i
  LEFT JOIN customer_reconciliation_line l ON l.session_id = i.session_id AND l.move_line_id = i.aml_id
 WHERE NOT i.prior AND l.id IS NULL
UNION ALL
SELECT s.id, NULL, 'opening', NULL, s.date_from, s.opening_balance, COALESCE(SUM(i.amount), 0), NULL, NULL
  FROM customer_reconciliation_session s
  LEFT JOIN cr_items i ON i.session_id = s.id AND i.prior
 WHERE s.id = ANY(%(ids)s)
 GROUP BY s.id
HAVING s.opening_balance <> COALESCE(SUM(i.amount), 0)
 ORDER BY 1, 5, 4
"""


# One model, one file per step of its process (see session.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationSession(models.Model):
    _inherit = "customer.reconciliation.session"

    ledger_check_date = fields.Datetime(string="Last Ledger Check", readonly=True, copy=False)
    ledger_check_state = fields.Selection(
        [("ok", "Matches the ledger"), ("differs", "Differs from the ledger")],
        readonly=True,
        copy=False,
        tracking=True,
    )

    def _ledger_change_labels(self):
        return {
            "added": self.env._("New journal item"),
            "removed": self.env._("Journal item no longer in the ledger"),
            "changed": self.env._("Amount or date changed"),
            "open_amount": self.env._("Open amount changed"),
            "opening": self.env._("Opening balance changed"),
        }

    def _ledger_differences(self):
        """{session id: [difference dicts]} between the stored statements and the ledger now."""
        result = {session.id: [] for session in self}
        if not self:
            return result
        self.env.flush_all()
        engine = self.env["customer.reconciliation.engine"]
        cr = self.env.cr
        for company in self.company_id:
            sessions = self.filtered(lambda s, c=company: s.company_id == c)
            params = {"ids": sessions.ids, "accounts": engine._reconciliation_account_ids(company)}
            build_items_table(cr, params)
            cr.execute(SQL(_DIFF_SQL, **params))
            for row in cr.dictfetchall():
                result[row.pop("session_id")].append(row)
            cr.execute(SQL("DROP TABLE cr_items"))
        return result

    def _post_ledger_check(self, differences):
        now = fields.Datetime.now()
        labels = self._ledger_change_labels()
        differing = self.filtered(lambda session: differences[session.id])
        # One write per outcome, not one per statement: the nightly check runs in batches of 500.
        matching = self - differing
        # A first check that finds nothing is not news: no "None -> Matches" line in the chatter.
        first = matching.filtered(lambda session: not session.ledger_check_state)
        values = {"ledger_check_date": now, "ledger_check_state": "ok"}
        if first:
            self.env.cr.execute(
                SQL(
                    "UPDATE customer_reconciliation_session SET ledger_check_date = %s,"
                    " ledger_check_state = 'ok', write_uid = %s, write_date = %s"
                    " WHERE id = ANY(%s)",
                    now,
                    self.env.uid,
                    now,
                    first.ids,
                )
            )
            first.invalidate_recordset(["ledger_check_date", "ledger_check_state"])
        (matching - first)._workflow_write(values)
        differing._workflow_write({"ledger_check_date": now, "ledger_check_state": "differs"})
        for session in differing:
            diffs = differences[session.id]
            rows = Markup("").join(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td><td class='text-end'>%s</td>"
                    "<td class='text-end'>%s</td></tr>"
                )
                % (
                    labels[d["change"]],
                    d["name"] or "",
                    d["date"] or "",
                    format_amount(self.env, d["frozen_amount"], session.currency_id)
                    if d["frozen_amount"] is not None
                    else "",
                    format_amount(self.env, d["ledger_amount"], session.currency_id)
                    if d["ledger_amount"] is not None
                    else "",
                )
                for d in diffs
            )
            body = Markup(
                "<p><b>%s</b></p><table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
                "<th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>%s</tbody></table>"
            ) % (
                self.env._(
                    "Warning: the ledger no longer matches this frozen statement (%s differences).",
                    len(diffs),
                ),
                self.env._("Change"),
                self.env._("Document"),
                self.env._("Date"),
                self.env._("In the statement"),
                self.env._("In the ledger"),
                rows,
            )
            session.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")

    def action_check_ledger(self):
        """Compare the frozen statements with the ledger and report differences in the chatter."""
        self.check_access("read")
        differences = self._ledger_differences()
        self._post_ledger_check(differences)
        count = sum(len(d) for d in differences.values())
        return notification(
            self.env._("%s differences found; see the statement's messages.", count)
            if count
            else self.env._("The statement matches the ledger."),
            "warning" if count else "success",
            title=self.env._("Check against ledger"),
            sticky=bool(count),
        )

    @api.model
    def _cron_check_ledger(self, batch_size=500):
        """Nightly: sent and confirmed statements compared with the ledger, the least recently
        checked first, 500 at a time. Each batch is claimed with row locks that skip what
        another worker holds (two scheduled actions share the night) and committed with its
        progress; a statement is checked once per run, and a killed worker's batch is checked
        by the next claim."""
        started = fields.Datetime.now()
        in_cron = bool(self.env.context.get("cron_id"))
        Cron = self.env["ir.cron"]
        if in_cron:
            Cron._commit_progress(remaining=self._ledger_checks_due(started))
        while batch := self._claim_ledger_checks(started, batch_size, retry=in_cron):
            batch._post_ledger_check(batch._ledger_differences())
            if in_cron and (
                Cron._commit_progress(len(batch), remaining=self._ledger_checks_due(started)) <= 0
            ):
                break
        return True

    @api.model
    def _ledger_check_due(self, started):
        """SQL: a sent or confirmed statement not checked since ``started``."""
        return SQL(
            "state IN ('sent', 'confirmed') AND (ledger_check_date IS NULL"
            " OR ledger_check_date < %s)",
            started,
        )

    @api.model
    def _ledger_checks_due(self, started):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT COUNT(*) FROM customer_reconciliation_session WHERE %s",
                self._ledger_check_due(started),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _claim_ledger_checks(self, started, limit, retry=False):
        """Lock up to ``limit`` statements due that no other worker holds, least recently
        checked first (until the end of the transaction). ``retry``: in a scheduled action,
        claim again in a new transaction when another worker's commit made this one's
        snapshot stale (a serialization failure, which can only happen at the claim)."""
        if not retry:
            return self._claim_ledger_checks_once(started, limit)
        return self.env["ir.cron"]._cr_on_fresh_snapshot(
            lambda: self._claim_ledger_checks_once(started, limit), default=self.browse()
        )

    @api.model
    def _claim_ledger_checks_once(self, started, limit):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT id FROM customer_reconciliation_session WHERE %s
                 ORDER BY ledger_check_date NULLS FIRST, id
                 LIMIT %s
                   FOR NO KEY UPDATE SKIP LOCKED
                """,
                self._ledger_check_due(started),
                limit,
            ),
            log_exceptions=False,
        )
        return self.sudo().browse([row[0] for row in self.env.cr.fetchall()])
