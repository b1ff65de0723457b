"""The anomaly check: each rule is one set-based query per company (never one per customer),
reading the journal items, the month-end snapshots and the insight records where they already
hold the figure; then the findings are applied in a fixed number of statements: the open alerts
still firing are updated, those no longer firing are resolved automatically, the new ones are
inserted at once (the partial unique index makes a second open alert of the same key
impossible) and get one activity each, created in one batch."""

from collections import Counter

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.receivables import last_closed_month_end, month_ends_back, swing_exceeds
from .alert import OPEN_STATES
from .snapshot import HISTORY_MONTHS

_RECEIVABLE_ITEMS = """
  FROM account_move_line aml
  JOIN res_partner p ON p.id = aml.partner_id
 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
   AND aml.account_id = ANY(%(accounts)s)
"""

# The running balance of each customer, day by day; the stretch it is in today started the day
# after the last day it was zero or more (or with the first item, when it never was).
_CREDIT_BALANCE_SQL = (
    """
WITH daily AS (
    SELECT p.commercial_partner_id AS partner_id, aml.date, SUM(aml.balance) AS amount
    """
    + _RECEIVABLE_ITEMS
    + """
       AND aml.date <= %(today)s
     GROUP BY 1, 2
), running AS (
    SELECT partner_id, date, SUM(amount) OVER (PARTITION BY partner_id ORDER BY date) AS balance
      FROM daily
), marked AS (
    SELECT partner_id, date, balance,
           MAX(date) FILTER (WHERE balance >= 0) OVER (PARTITION BY partner_id) AS last_not_negative,
           ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY date DESC) AS recency
      FROM running
), stretch AS (
    SELECT partner_id, MAX(balance) FILTER (WHERE recency = 1) AS balance,
           MIN(date) FILTER (WHERE last_not_negative IS NULL OR date > last_not_negative) AS since
      FROM marked
     GROUP BY partner_id
)
SELECT partner_id, NULL::int, balance, %(today)s - since, %(threshold)s::float8, NULL
  FROM stretch
 WHERE balance < 0 AND since < %(today)s - %(threshold)s::int
"""
)

_SWING_SQL = """
SELECT partner_id, ARRAY_AGG(date ORDER BY date), ARRAY_AGG(balance ORDER BY date)
  FROM customer_reconciliation_snapshot
 WHERE company_id = %(company)s AND date = ANY(%(month_ends)s)
 GROUP BY partner_id
"""

_UNCONFIRMED_SQL = (
    """
WITH first_item AS (
    SELECT p.commercial_partner_id AS partner_id, MIN(aml.date) AS date
    """
    + _RECEIVABLE_ITEMS
    + """
     GROUP BY 1
), since AS (
    SELECT i.partner_id, i.balance, COALESCE(i.last_confirmed_date, f.date) AS date
      FROM customer_reconciliation_insight i
      LEFT JOIN first_item f ON f.partner_id = i.partner_id
     WHERE i.company_id = %(company)s AND i.balance <> 0
)
SELECT partner_id, NULL::int, balance,
       EXTRACT(YEAR FROM AGE(%(today)s, date)) * 12 + EXTRACT(MONTH FROM AGE(%(today)s, date)),
       %(threshold)s::float8, NULL
  FROM since
 WHERE date < %(since)s
"""
)

_LEDGER_CHANGED_SQL = """
SELECT p.commercial_partner_id, s.id, s.closing_balance_company, 0.0, 0.0, NULL
  FROM customer_reconciliation_session s
  JOIN res_partner p ON p.id = s.partner_id
 WHERE s.company_id = %(company)s AND s.state = 'confirmed' AND s.ledger_check_state = 'differs'
"""

_DSO_WORSENING_SQL = """
SELECT partner_id, NULL::int, balance, dso_3 - dso_3_previous, %(threshold)s::float8, NULL
  FROM customer_reconciliation_insight
 WHERE company_id = %(company)s AND dso_3 - dso_3_previous > %(threshold)s
"""

_OVERDUE_OVER_LIMIT_SQL = """
SELECT partner_id, NULL::int, overdue_amount, 100.0 * overdue_amount / credit_limit,
       credit_limit, NULL
  FROM customer_reconciliation_insight
 WHERE company_id = %(company)s AND credit_limit > 0 AND overdue_amount > credit_limit
"""

_OLD_UNAPPLIED_SQL = """
SELECT p.commercial_partner_id, NULL::int, -SUM(aml.amount_residual),
       %(today)s - MIN(aml.date), %(threshold)s::float8, NULL
  FROM account_move_line aml
  JOIN res_partner p ON p.id = aml.partner_id
  JOIN account_account a ON a.id = aml.account_id
 WHERE aml.company_id = %(company)s AND aml.parent_state = 'posted'
   AND aml.account_id = ANY(%(accounts)s) AND a.account_type = 'asset_receivable'
   AND aml.balance < 0 AND aml.amount_residual < 0 AND aml.date < %(since)s
 GROUP BY 1
"""

# The findings of one company, as a table: rule, customer, statement and figures.
_FINDINGS = """
SELECT * FROM unnest(%(rules)s::varchar[], %(partners)s::int[], %(sessions)s::int[],
                     %(amounts)s::numeric[], %(values)s::float8[], %(thresholds)s::float8[],
                     %(bases)s::varchar[])
           AS f(rule, partner_id, session_id, amount, value, threshold, swing_basis)
"""

_UPDATE_SQL = (
    """
WITH f AS ("""
    + _FINDINGS
    + """)
UPDATE customer_reconciliation_alert a
   SET amount = f.amount, value = f.value, threshold = f.threshold,
       swing_basis = f.swing_basis, date_last_seen = %(today)s, salesperson_id = p.user_id,
       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
  FROM f
  JOIN res_partner p ON p.id = f.partner_id
 WHERE a.company_id = %(company)s AND a.state IN ('new', 'seen') AND a.rule = f.rule
   AND a.partner_id = f.partner_id AND COALESCE(a.session_id, 0) = COALESCE(f.session_id, 0)
"""
)

_CLEARED_SQL = (
    """
WITH f AS ("""
    + _FINDINGS
    + """)
SELECT a.id
  FROM customer_reconciliation_alert a
 WHERE a.company_id = %(company)s AND a.state IN ('new', 'seen')
   AND NOT EXISTS (SELECT 1 FROM f WHERE f.rule = a.rule AND f.partner_id = a.partner_id
                      AND COALESCE(f.session_id, 0) = COALESCE(a.session_id, 0))
"""
)

# The responsible: the customer's latest statement's responsible, else the company's approver,
# else the customer's salesperson (active users only).
_INSERT_SQL = (
    """
WITH f AS ("""
    + _FINDINGS
    + """), latest AS (
    SELECT DISTINCT ON (s.partner_id) s.partner_id, s.user_id
      FROM customer_reconciliation_session s
     WHERE s.company_id = %(company)s AND s.state <> 'cancelled'
       AND s.partner_id = ANY(%(partners)s)
     ORDER BY s.partner_id, s.date_to DESC, s.version DESC, s.id DESC
)
INSERT INTO customer_reconciliation_alert (
    rule, company_id, partner_id, session_id, currency_id, amount, value, threshold,
    swing_basis, date_detected, date_last_seen, state, auto_resolved, user_id, salesperson_id,
    create_uid, create_date, write_uid, write_date)
SELECT f.rule, c.id, f.partner_id, f.session_id, c.currency_id, f.amount, f.value, f.threshold,
       f.swing_basis, %(today)s, %(today)s, 'new', FALSE,
       COALESCE(lu.id, au.id, su.id), p.user_id,
       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
  FROM f
  JOIN res_company c ON c.id = %(company)s
  JOIN res_partner p ON p.id = f.partner_id
  LEFT JOIN latest l ON l.partner_id = f.partner_id
  LEFT JOIN res_users lu ON lu.id = l.user_id AND lu.active
  LEFT JOIN res_users au ON au.id = c.reconciliation_approver_id AND au.active
  LEFT JOIN res_users su ON su.id = p.user_id AND su.active
ON CONFLICT (rule, company_id, partner_id, COALESCE(session_id, 0))
   WHERE state IN ('new', 'seen') DO NOTHING
RETURNING id
"""
)


# One model, one file per step of its process (see alert.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationAlert(models.Model):
    _inherit = "customer.reconciliation.alert"

    @api.model
    def _check_rules(self, companies=None, today=None):
        """Run every rule for ``companies`` (default: the companies with receivable items or
        open alerts) as of ``today``. Returns the new alerts."""
        today = today or fields.Date.context_today(self)
        if companies is None:
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT company_id FROM customer_reconciliation_alert"
                    " WHERE state IN %s",
                    OPEN_STATES,
                )
            )
            companies = self.env["customer.reconciliation.snapshot"]._companies_with_items()
            companies |= self.env["res.company"].browse(r[0] for r in self.env.cr.fetchall())
        self.env.flush_all()
        engine = self.env["customer.reconciliation.engine"]
        created = self.browse()
        for company in companies:
            params = {
                "company": company.id,
                "accounts": engine._reconciliation_account_ids(company),
                "today": today,
            }
            findings = [
                (rule, *row)
                for rule in self._rule_keys()
                for row in getattr(self, f"_find_{rule}")(company, params)
            ]
            created |= self._apply_findings(company, today, findings)
        self.invalidate_model()
        return created

    @api.model
    def _rule_keys(self):
        """The rules, each checked by its ``_find_<rule>`` method."""
        return [key for key, _label in self._fields["rule"].selection]

    # ------------------------------------------------------------ the rules
    # Each returns [(partner id, statement id, amount, value, threshold, swing basis)].

    @api.model
    def _find_credit_balance(self, company, params):
        """Credit balance: the customer's balance today (posted items on the reconciliation
        accounts dated up to today) is negative, and has been without interruption since a day
        more than N days ago (``reconciliation_alert_credit_days``): that day is the one after
        the last day on which the running balance was zero or more, or the first item's day.
        Amount: the balance; value: the days since then."""
        threshold = company.reconciliation_alert_credit_days
        return self._query(_CREDIT_BALANCE_SQL, threshold=threshold, **params)

    @api.model
    def _find_balance_swing(self, company, params):
        """Month-end balance swing: the change of the balance between the last two closed month
        ends (snapshots) against the customer's own earlier monthly changes since his first
        snapshot in the 24 months kept (a month end without a snapshot: balance 0). It fires
        when it is more than k sample standard deviations from their mean (at least 3 earlier
        changes, not all equal; ``reconciliation_alert_swing_deviations``), or, when a % is set
        (``reconciliation_alert_swing_percent``), more than that % of the previous month-end
        balance. Amount: the change; value: the deviations (or the %)."""
        reference = last_closed_month_end(params["today"])
        month_ends = month_ends_back(reference, HISTORY_MONTHS)
        k = company.reconciliation_alert_swing_deviations
        percent = company.reconciliation_alert_swing_percent
        self.env.cr.execute(SQL(_SWING_SQL, company=company.id, month_ends=month_ends))
        rows = []
        for partner, dates, balances in self.env.cr.fetchall():
            by_date = dict(zip(dates, balances))
            since_first = month_ends[month_ends.index(dates[0]) :]
            series = [0.0] + [by_date.get(day, 0.0) for day in since_first]
            if len(series) < 3:
                continue  # first seen at the last month end: no change of his own yet
            changes = [b - a for a, b in zip(series, series[1:])]
            # The first change is the customer's arrival, not a month of his history.
            history, change = changes[1:-1], changes[-1]
            swing = swing_exceeds(history, change, k, percent, series[-2])
            if swing.fired:
                limit = k if swing.basis == "deviation" else percent
                rows.append((partner, None, change, swing.value, limit, swing.basis))
        return rows

    @api.model
    def _find_unconfirmed(self, company, params):
        """Unconfirmed: the customer's balance today (insight) is not zero and the period end of
        his last confirmed statement - or, never confirmed, the date of his first item on the
        reconciliation accounts - is more than N months ago
        (``reconciliation_alert_unconfirmed_months``). Amount: the balance; value: the whole
        months since."""
        months = company.reconciliation_alert_unconfirmed_months
        since = params["today"] - relativedelta(months=months)
        return self._query(_UNCONFIRMED_SQL, threshold=months, since=since, **params)

    @api.model
    def _find_ledger_changed(self, company, params):
        """Ledger changed: a statement in state confirmed whose last ledger check (nightly, or
        the button) found the ledger no longer matching it (``ledger_check_state`` differs).
        One alert per statement. Amount: the confirmed closing balance (company currency)."""
        return self._query(_LEDGER_CHANGED_SQL, **params)

    @api.model
    def _find_dso_worsening(self, company, params):
        """DSO worsening: the 3-month count-back DSO at the last closed month end (insight) is
        more than N days above the same figure 3 months earlier
        (``reconciliation_alert_dso_days``); both must exist. Amount: the balance today; value:
        the DSO change in days."""
        threshold = company.reconciliation_alert_dso_days
        return self._query(_DSO_WORSENING_SQL, threshold=threshold, **params)

    @api.model
    def _find_overdue_over_limit(self, company, params):
        """Overdue above the credit limit: the customer has a credit limit in the company and
        his amount past due today (insight) is above it. Amount: the overdue; value: the overdue
        as % of the limit; threshold: the limit."""
        return self._query(_OVERDUE_OVER_LIMIT_SQL, **params)

    @api.model
    def _find_old_unapplied(self, company, params):
        """Old unapplied: posted credit items (payments, credit notes) on the receivable accounts
        whose residual is still negative (not fully reconciled with invoices) and dated more
        than N days ago (``reconciliation_alert_unapplied_days``). Amount: the total unapplied
        (positive); value: the age in days of the oldest."""
        days = company.reconciliation_alert_unapplied_days
        since = params["today"] - relativedelta(days=days)
        return self._query(_OLD_UNAPPLIED_SQL, threshold=days, since=since, **params)

    def _query(self, query, **params):
        self.env.cr.execute(SQL(query, **params))
        return self.env.cr.fetchall()

    # ------------------------------------------------------------ applying
    @api.model
    def _apply_findings(self, company, today, findings):
        """Update, resolve and insert the alerts of ``company`` from ``findings``
        [(rule, partner, statement, amount, value, threshold, basis)]. Returns the new ones."""
        cr = self.env.cr
        columns = list(zip(*findings)) if findings else [[]] * 7
        names = ("rules", "partners", "sessions", "amounts", "values", "thresholds", "bases")
        params = {
            **dict(zip(names, map(list, columns))),
            "company": company.id,
            "today": today,
            "uid": self.env.uid,
        }
        cr.execute(SQL(_UPDATE_SQL, **params))
        cr.execute(SQL(_CLEARED_SQL, **params))
        self._auto_resolve(self.browse(row[0] for row in cr.fetchall()), today)
        cr.execute(SQL(_INSERT_SQL, **params))
        created = self.browse(row[0] for row in cr.fetchall())
        self._schedule_activities(created)
        return created

    def _auto_resolve(self, alerts, today):
        """The open ``alerts`` whose condition no longer holds: resolved by the check, their
        activities done, set-based (Odoo's ``action_feedback`` and the tracking of the state
        post a message per alert: thousands when a month's alerts clear at once). The alert
        keeps who and when: resolved automatically on that date; each activity is archived
        done with the reason as its feedback, as ``action_feedback`` leaves it."""
        if not alerts:
            return
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                UPDATE customer_reconciliation_alert
                   SET state = 'resolved', resolved_date = NOW() AT TIME ZONE 'UTC',
                       resolved_by_id = NULL, auto_resolved = TRUE,
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE id = ANY(%(ids)s);

                UPDATE mail_activity
                   SET active = FALSE, date_done = %(today)s, feedback = %(feedback)s,
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                 WHERE res_model = %(model)s AND res_id = ANY(%(ids)s) AND active
             RETURNING user_id, date_deadline
                """,
                ids=alerts.ids,
                uid=self.env.uid,
                today=today,
                model=self._name,
                feedback=self.env._("The condition no longer holds: resolved automatically."),
            )
        )
        done = cr.fetchall()
        self.invalidate_model()
        self.env["mail.activity"].invalidate_model()
        self._notify_activity_counters(done, -1)

    def _schedule_activities(self, alerts):
        """One to-do per new alert for its responsible, in the responsible's language, created
        in one batch. What the activities read is fetched in one query (browsing would read
        the alerts a thousand at a time: queries growing with the customers)."""
        alerts.fetch(
            [
                "rule",
                "user_id",
                "date_detected",
                "amount",
                "value",
                "threshold",
                "currency_id",
                "swing_basis",
                "session_id",
            ]
        )
        alerts.session_id.sudo().fetch(["name"])
        alerts = alerts.filtered("user_id")
        if not alerts:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        alerts.user_id.fetch(["lang"])
        alerts.partner_id.fetch()
        rows = []  # (alert id, document name, summary, note, responsible, deadline)
        names = dict(zip(alerts.ids, alerts.mapped("display_name"), strict=True))
        for lang, group in alerts.grouped(lambda a: a.user_id.lang or self.env.lang).items():
            translated = group.with_context(lang=lang)
            labels = dict(self._fields["rule"]._description_selection(translated.env))
            for alert, note in zip(group, translated.mapped("description"), strict=True):
                rows.append(
                    (
                        alert.id,
                        names[alert.id],
                        labels[alert.rule],
                        str(Markup("<p>%s</p>") % note),
                        alert.user_id.id,
                        alert.date_detected,
                    )
                )
        self._insert_activities(todo, rows)

    def _insert_activities(self, activity_type, rows):
        """The to-dos of new alerts and their responsibles as followers, in one INSERT each.

        Odoo's ``mail.activity.create`` would insert them 100 at a time, compute each one's
        document name by reading its alert alone, subscribe the responsibles 100 at a time and
        email each one: thousands of queries and mails on a first night. What it does that
        matters here is done set-based: the activity (what ``create`` stores, the
        responsible's time zone included), the responsible following the alert with the
        model's default subtypes (``message_subscribe``), and the activity counter of each
        responsible's menu refreshed (Odoo's bus message)."""
        ids, names, summaries, notes, users, deadlines = (list(c) for c in zip(*rows, strict=True))
        cr = self.env.cr
        self.env.flush_all()
        cr.execute(
            SQL(
                """
                INSERT INTO mail_activity (
                    res_model_id, res_model, res_id, res_name, activity_type_id, summary, note,
                    user_id, user_tz, date_deadline, automated, active,
                    create_uid, create_date, write_uid, write_date)
                SELECT %(model_id)s, %(model)s, v.res_id, v.res_name, %(type)s, v.summary, v.note,
                       v.user_id, rp.tz, v.deadline, TRUE, TRUE,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(names)s::varchar[], %(summaries)s::varchar[],
                              %(notes)s::text[], %(users)s::int[], %(deadlines)s::date[])
                       AS v(res_id, res_name, summary, note, user_id, deadline)
                  JOIN res_users u ON u.id = v.user_id
                  JOIN res_partner rp ON rp.id = u.partner_id;

                WITH followers AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT %(model)s, v.res_id, u.partner_id
                      FROM unnest(%(ids)s::int[], %(users)s::int[]) AS v(res_id, user_id)
                      JOIN res_users u ON u.id = v.user_id
                    ON CONFLICT DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel (
                    mail_followers_id, mail_message_subtype_id)
                SELECT f.id, t.id FROM followers f CROSS JOIN unnest(%(subtypes)s::int[]) AS t(id)
                """,
                model_id=self.env["ir.model"]._get_id(self._name),
                model=self._name,
                type=activity_type.id,
                uid=self.env.uid,
                ids=ids,
                names=names,
                summaries=summaries,
                notes=notes,
                users=users,
                deadlines=deadlines,
                subtypes=self.env["mail.message.subtype"].default_subtypes(self._name)[0].ids,
            )
        )
        self.env["mail.activity"].invalidate_model()
        self.env["mail.followers"].invalidate_model()
        self.invalidate_model(["activity_ids", "message_follower_ids"])
        self._notify_activity_counters(list(zip(users, deadlines, strict=True)), 1)

    def _notify_activity_counters(self, activities, sign):
        """Refresh the activity menu of each responsible: ``activities`` [(user id, deadline)]
        added (sign 1) or done (-1), counted when due (Odoo's bus message)."""
        today = fields.Date.context_today(self)
        due = Counter(user for user, deadline in activities if user and deadline <= today)
        for user in self.env["res.users"].browse(sorted(due)):
            payload = {"count_diff": sign * due[user.id]}
            payload["activity_created" if sign > 0 else "activity_deleted"] = True
            user._bus_send("mail.activity/updated", payload)
