"""The generation engine: statements for one customer or thousands, set-based.

The number of SQL queries issued does not depend on the number of customers: the customers
to process are selected in one query, statements are created in one batch, and their lines,
open items and totals are computed from the journal items with a fixed set of statements.
"""

from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_date, formatLang

from ..tools import aging

UNNUMBERED = "…"  # the name of a background batch's statements until it commits


def scope_filter(scope):
    """The journal item ``aml`` carries one of the analytic accounts of ``scope`` (an SQL int
    array: a value or a column), or the scope is empty. Shared by the customer selection and
    the statement items."""
    return SQL(
        """(cardinality(%(scope)s::int[]) = 0 OR EXISTS (
            SELECT 1 FROM jsonb_object_keys(aml.analytic_distribution) AS k(key)
             WHERE string_to_array(k.key, ',')::int[] && %(scope)s::int[]))""",
        scope=scope,
    )


def aging_bucket_case():
    """SQL: the key of the aging bucket of a ``cr_items`` row ``i``."""
    whens = [
        SQL("WHEN i.aging_days <= %s THEN %s", bucket.max_days, bucket.key)
        for bucket in aging.BUCKETS
        if bucket.max_days is not None
    ]
    return SQL("CASE %s ELSE %s END", SQL(" ").join(whens), aging.BUCKETS[-1].key)


def aging_totals():
    """SQL: one ``SUM`` of the residuals per aging bucket, named after the statement's field."""
    bucket = aging_bucket_case()
    return SQL(", ").join(
        SQL(
            "COALESCE(SUM(i.residual) FILTER (WHERE %s = %s), 0) AS %s",
            bucket,
            b.key,
            SQL.identifier(b.field),
        )
        for b in aging.BUCKETS
    )


class CustomerReconciliationEngine(models.AbstractModel):
    """Computes statements from the journal items."""

    _name = "customer.reconciliation.engine"
    _description = "Customer Reconciliation Engine"

    # ------------------------------------------------------------ accounts
    @api.model
    def _reconciliation_account_ids(self, company):
        """Receivable accounts of the company plus the extra accounts of its settings."""
        domain = [
            ("account_type", "=", "asset_receivable"),
            ("company_ids", "in", company.root_id.id),
        ]
        accounts = self.env["account.account"].sudo().with_company(company).search(domain)
        accounts |= company.sudo().reconciliation_extra_account_ids
        return accounts.ids

    # ------------------------------------------------------------ customers
    @api.model
    def _select_customers(
        self,
        company,
        date_from,
        date_to,
        partner_ids=None,
        analytic_ids=(),
        only_with_balance_or_activity=True,
    ):
        """Return {commercial partner id: [currency ids of its items]} in one query.

        With ``only_with_balance_or_activity`` only customers with a non-zero balance at the
        end date or an item in the period are kept.
        """
        self.env.flush_all()
        account_ids = self._reconciliation_account_ids(company)
        partner_filter = SQL("TRUE")
        if partner_ids is not None:
            partner_filter = SQL(  # on aml.partner_id: Odoo's index on it, not a full scan
                "aml.partner_id IN (SELECT id FROM res_partner WHERE commercial_partner_id = ANY(%s))",
                list(partner_ids),
            )
        having = SQL("TRUE")
        if only_with_balance_or_activity:
            having = SQL("SUM(aml.balance) <> 0 OR BOOL_OR(aml.date >= %s)", date_from)
        query = SQL(
            """
            SELECT p.commercial_partner_id, ARRAY_AGG(DISTINCT aml.currency_id)
              FROM account_move_line aml
              JOIN res_partner p ON p.id = aml.partner_id
             WHERE aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND aml.account_id = ANY(%(accounts)s)
               AND aml.date <= %(date_to)s
               AND %(partner_filter)s
               AND %(scope_filter)s
             GROUP BY p.commercial_partner_id
            HAVING %(having)s
            """,
            company=company.id,
            accounts=account_ids,
            date_to=date_to,
            partner_filter=partner_filter,
            scope_filter=scope_filter(list(analytic_ids)),
            having=having,
        )
        self.env.cr.execute(query)
        result = dict(self.env.cr.fetchall())
        if partner_ids is not None and not only_with_balance_or_activity:
            for partner_id in partner_ids:
                result.setdefault(partner_id, [])
        return result

    @api.model
    def _statement_currency(self, company, partner, item_currency_ids):
        """Company currency, unless the customer is set to, or only billed in, another one."""
        if partner.reconciliation_currency_id:
            return partner.reconciliation_currency_id.id
        if len(item_currency_ids) == 1 and item_currency_ids[0] != company.currency_id.id:
            return item_currency_ids[0]
        return company.currency_id.id

    # ------------------------------------------------------------ generation
    @api.model
    def generate(
        self,
        company,
        date_from,
        date_to,
        partner_ids=None,
        analytic_ids=(),
        only_with_balance_or_activity=True,
        run=None,
        values=None,
    ):
        """Create or refresh the statements of a period; returns a dict of results.

        ``partner_ids``: commercial partner ids, or None for every customer of the company.
        Draft statements of the same customer, period, currency and scope are refreshed;
        statements in any later state are left untouched and reported as skipped. One that
        cannot be told in its currency is not written: ``refused`` maps its customer to why.
        """
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        if date_from > date_to:
            raise UserError(
                self.env._(
                    "The period start %(start)s is after its end %(end)s.",
                    start=date_from,
                    end=date_to,
                )
            )
        self._lock_generation(company, date_from, date_to, analytic_ids, shared=bool(run))
        if partner_ids is not None:
            partners = self.env["res.partner"].browse(partner_ids)
            partner_ids = list(set(partners.commercial_partner_id.ids))
        Session = self.env["customer.reconciliation.session"].with_company(company)
        customers = self._select_customers(
            company, date_from, date_to, partner_ids, analytic_ids, only_with_balance_or_activity
        )
        scope_key = Session._make_scope_key(analytic_ids)
        partners = self.env["res.partner"].browse(list(customers))
        partners.fetch(["reconciliation_currency_id", "user_id"])
        wanted = {
            (partner.id, self._statement_currency(company, partner, customers[partner.id]))
            for partner in partners
        }
        existing = Session.search(
            [
                ("company_id", "=", company.id),
                ("date_from", "=", date_from),
                ("date_to", "=", date_to),
                ("scope_key", "=", scope_key),
                ("partner_id", "in", list(customers)),
            ]
        )
        latest = {(s.partner_id.id, s.currency_id.id): s for s in existing.sorted("version")}
        to_refresh = skipped = Session.browse()
        todo, to_create = [], []
        for key in sorted(wanted):
            if latest.get(key, Session).state in (False, "draft", "cancelled"):
                todo.append(key)
            else:
                skipped |= latest[key]
        refused = self._refusals(company, date_from, date_to, analytic_ids, todo)
        for key in todo:
            session = latest.get(key)
            if key[0] in refused:
                continue  # reported; a draft of it stays as it was
            if session and session.state == "draft":
                to_refresh |= session
                continue
            # No statement yet, or the latest was cancelled: a new version takes its place.
            vals = {
                "partner_id": key[0],
                "currency_id": key[1],
                "company_id": company.id,
                "date_from": date_from,
                "date_to": date_to,
                "run_id": run.id if run else False,
                "name": UNNUMBERED if run else "/",  # a batch's: numbered once committed
                "version": session.version + 1 if session else 1,
                # the values of their computes, given: no recomputation, no UPDATE
                "scope_key": scope_key,
                "salesperson_id": self.env["res.partner"].browse(key[0]).user_id.id,
            }
            if analytic_ids:
                vals["analytic_account_ids"] = [fields.Command.set(list(analytic_ids))]
            to_create.append({**vals, **(values or {})})
        if to_create:  # the context's defaults, the same for each statement: read once
            defaults = Session._add_missing_default_values(dict(to_create[0]))
            to_create = [{**defaults, **vals} for vals in to_create]
        created = Session.with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )._workflow_create(to_create)
        self._fill_sessions(created | to_refresh)
        self._compare_again(to_refresh)
        return {"created": created, "refreshed": to_refresh, "skipped": skipped, "refused": refused}

    @api.model
    def _compare_again(self, sessions):
        """Compare again the refreshed drafts whose customer's ledger was imported: their
        comparison named the lines just rewritten (else each to compare again by hand)."""
        compared = sessions.filtered("customer_ledger_match_date")
        if compared:
            compared._match_customer_ledger()

    @api.model
    def _fill_sessions(self, sessions):
        """(Re)write the lines, open items and totals of draft statements from the ledger;
        refuses (naming the items) a statement with items it cannot convert (refused_items)."""
        if not sessions:
            return
        if any(state != "draft" for state in sessions.mapped("state")):
            raise UserError(self.env._("Only draft statements can be (re)generated."))
        self.env.flush_all()
        by_company = defaultdict(dict)  # each id once: the queries join on the list
        for session in sessions:
            by_company[session.company_id][session.id] = True
        cr = self.env.cr
        for company, session_ids in by_company.items():
            params = {
                "ids": list(session_ids),
                "accounts": self._reconciliation_account_ids(company),
                "uid": self.env.uid,
                "lang": self.env.lang or "en_US",
            }
            build_items_table(cr, params, keep_hidden=True)
            refused = refused_items(cr)
            if refused:
                cr.execute(SQL("DROP TABLE cr_items"))
                statements = self.env["customer.reconciliation.session"].browse(refused)
                messages = [self._refusal_message(s, refused[s.id]) for s in statements]
                raise UserError("\n\n".join(messages))
            self._lock_journal_items()
            self._delete_parts(params["ids"])
            cr.execute(SQL(_LINES_SQL, shown=SQL(_SHOWN), **params))
            cr.execute(SQL(_OPEN_ITEMS_SQL, aging_bucket=aging_bucket_case(), **params))
            cr.execute(
                SQL(
                    _TOTALS_SQL,
                    aging_set=SQL(", ").join(
                        SQL("%s = t.%s", SQL.identifier(name), SQL.identifier(name))
                        for name in aging.FIELDS
                    ),
                    aging_totals=aging_totals(),
                    shown=SQL(_SHOWN),
                    **params,
                )
            )
            cr.execute(SQL("DROP TABLE cr_items"))
        sessions.invalidate_recordset()
        self.env["customer.reconciliation.line"].invalidate_model()
        self.env["customer.reconciliation.open.item"].invalidate_model()

    # ------------------------------------------------------------ refusals
    @api.model
    def _refusals(self, company, date_from, date_to, analytic_ids, keys):
        """{customer id: reason} for the statements ``keys`` ((customer id, currency id)) that
        refused_items refuses, found before any statement is created (no number is drawn)."""
        keys = [key for key in keys if key[1] != company.currency_id.id]
        if not keys:
            return {}
        self.env.flush_all()
        partners, currencies = (list(column) for column in zip(*keys, strict=True))
        period = {"company_id": company.id, "date_from": date_from, "date_to": date_to}
        scope = list(analytic_ids)
        pairs = SQL(_PAIRS_SOURCE, partners=partners, currencies=currencies, scope=scope, **period)
        params = {"accounts": self._reconciliation_account_ids(company)}
        build_items_table(self.env.cr, params, statements=pairs, keep_hidden=True)
        refused = refused_items(self.env.cr)
        self.env.cr.execute(SQL("DROP TABLE cr_items"))
        Session, currency_of = self.env["customer.reconciliation.session"], dict(keys)
        return {
            partner: self._refusal_message(
                Session.new({**period, "partner_id": partner, "currency_id": currency_of[partner]}),
                items,
            )
            for partner, items in refused.items()
        }

    @api.model
    def _refusal_message(self, statement, items):
        """Why ``statement`` (a session, maybe not created) is refused, naming ``items``."""
        env, listed = self.env, []
        for item in items[:_REFUSAL_ITEMS_SHOWN]:
            currency = env["res.currency"].browse(item["currency_id"])
            amount, open_amount = (
                f"{currency.name} {formatLang(env, value, digits=currency.decimal_places)}"
                for value in (item["amount"], item["open"])
            )
            state = env._("open %(amount)s", amount=open_amount)
            if item["settled_in_other_currency"]:
                state = env._("reconciled with items in another currency")
            values = {"document": item["move_name"], "day": format_date(env, item["date"])}
            values.update(amount=amount, state=state)
            listed.append(env._("- %(document)s of %(day)s: %(amount)s, %(state)s", **values))
        if len(items) > _REFUSAL_ITEMS_SHOWN:
            listed.append(env._("- and %(count)s more", count=len(items) - _REFUSAL_ITEMS_SHOWN))
        return env._(
            "The %(currency)s statement of %(customer)s for %(start)s – %(end)s cannot be "
            "generated: these journal items of the customer are not in %(currency)s and not "
            "fully reconciled with its %(currency)s items dated on or before %(end)s, so they "
            "have no amount in %(currency)s:\n%(items)s\nReconcile each of them with the "
            "customer's %(currency)s invoices or payments, or generate the statement in "
            "%(company_currency)s, the company currency (the customer's statement currency, "
            "Reconciliation tab).",
            currency=statement.currency_id.name,
            customer=statement.partner_id.display_name,
            start=format_date(env, statement.date_from),
            end=format_date(env, statement.date_to),
            items="\n".join(listed),
            company_currency=statement.company_id.currency_id.name,
        )


_REFUSAL_ITEMS_SHOWN = 20

# The statements build_items_table reads: sessions, or (refusals, before any session exists)
# customer and currency pairs, the customer's id as the statement's.
_SESSIONS_SOURCE = """
    SELECT s.id, s.partner_id, s.company_id, s.date_from, s.date_to, s.currency_id,
           s.currency_id = c.currency_id AS in_company_currency,
           COALESCE((SELECT ARRAY_AGG(r.analytic_account_id)
                       FROM customer_reconciliation_session_analytic_rel r
                      WHERE r.session_id = s.id), '{}'::int[]) AS scope
      FROM unnest(%(ids)s::int[]) AS k(id)
      JOIN customer_reconciliation_session s ON s.id = k.id
      JOIN res_company c ON c.id = s.company_id
    OFFSET 0  -- not flattened into the items' query: the scope is read once per statement
"""
_PAIRS_SOURCE = """
    SELECT k.partner_id AS id, k.partner_id, c.id AS company_id, %(date_from)s::date AS date_from,
           %(date_to)s::date AS date_to, k.currency_id,
           k.currency_id = c.currency_id AS in_company_currency, %(scope)s::int[] AS scope
      FROM unnest(%(partners)s::int[], %(currencies)s::int[]) AS k(partner_id, currency_id)
      JOIN res_company c ON c.id = %(company_id)s
"""

# The statement's journal items (their residuals below). A partial reconciliation only counts
# when both of its items belong to the same statement, so both are dated on or before the end
# date: partials made later, or against items outside the statement, leave the item open at
# that date, and the residuals add up to the closing balance (the aging always adds up). A
# foreign-currency statement holds its "native" items (in its currency) at their amount in
# currency, and the customer's items in other currencies at their reconciliations (below).
# Receipts and refunds: a payment, a bank statement line or an entry of a bank/cash journal.
_ITEMS_SQL = """
CREATE TEMP TABLE cr_base ON COMMIT DROP AS
WITH sess AS (%(statements)s),
items AS MATERIALIZED (
    SELECT s.id AS session_id, s.in_company_currency,
           s.in_company_currency OR aml.currency_id = s.currency_id AS native,
           aml.id AS aml_id, aml.move_id,
           aml.date, aml.date_maturity, aml.analytic_distribution, aml.name AS label,
           CASE WHEN s.in_company_currency THEN aml.balance
                WHEN aml.currency_id = s.currency_id THEN aml.amount_currency
                ELSE 0 END AS amount,
           aml.balance AS amount_company,
           aml.currency_id AS item_currency_id, aml.amount_currency AS item_amount,
           aml.date < s.date_from AS prior,
           s.date_to - COALESCE(aml.date_maturity, aml.date) AS days_overdue
      FROM sess s
      JOIN res_partner p ON p.commercial_partner_id = s.partner_id
      JOIN account_move_line aml ON aml.partner_id = p.id AND aml.company_id = s.company_id
     WHERE aml.parent_state = 'posted'
       AND aml.account_id = ANY(%(accounts)s)
       AND aml.date <= s.date_to
       AND %(scope_filter)s
)
SELECT i.*, m.name AS move_name,
       COALESCE(NULLIF(m.ref, ''), NULLIF(st.payment_ref, '')) AS customer_ref,
       CASE
           WHEN m.move_type IN ('out_invoice', 'out_receipt') THEN 'invoice'
           WHEN m.move_type = 'out_refund' THEN 'credit_note'
           WHEN m.journal_id = co.currency_exchange_journal_id THEN 'exchange'
           WHEN m.origin_payment_id IS NULL AND m.statement_line_id IS NULL
                AND j.type NOT IN ('bank', 'cash') THEN 'misc'
           WHEN i.amount_company < 0 THEN 'payment'
           ELSE 'refund'
       END AS kind
  FROM items i
  JOIN account_move m ON m.id = i.move_id
  JOIN account_journal j ON j.id = m.journal_id
  JOIN res_company co ON co.id = m.company_id
  LEFT JOIN account_bank_statement_line st ON st.id = m.statement_line_id
"""

# cr_items: cr_base with the residuals at the end date, from the partial reconciliations
# whose two items are in the same statement (written once). Run once cr_base is indexed and
# analysed: planned from the journal items' estimates, the self-join could explode.
# A partial reduces each item by its side (debit/credit_amount_currency, in the item's
# currency). A non-native item takes the native side of its partials with native items:
# that is its amount in the statement currency, and it is settled. It cannot be converted
# (refused_items) with a residual left in its own currency, or a partial with another non-native
# item not an exchange difference (Odoo's fix). Unapplied credits cannot be late: not due.
_RESIDUALS_SQL = """
CREATE TEMP TABLE cr_items ON COMMIT DROP AS
SELECT i.session_id, i.in_company_currency, i.native, i.aml_id, i.move_id, i.date, i.date_maturity,
       i.analytic_distribution, i.label, i.amount_company, i.item_currency_id,
       i.item_amount, i.prior, i.days_overdue, i.move_name, i.customer_ref, i.kind,
       CASE WHEN i.native OR a.aml_id IS NULL THEN i.amount ELSE -a.delta END AS amount,
       CASE WHEN a.aml_id IS NULL THEN i.amount WHEN i.native THEN i.amount + a.delta ELSE 0 END AS residual,
       CASE WHEN a.aml_id IS NULL THEN CASE WHEN i.amount < 0 THEN 0 ELSE i.days_overdue END
            WHEN i.native AND i.amount + a.delta >= 0 THEN i.days_overdue ELSE 0 END AS aging_days,
       i.item_amount + COALESCE(a.item_delta, 0) AS item_residual,
       COALESCE(a.other, FALSE) AS settled_in_other_currency
  FROM cr_base i
  LEFT JOIN (
    SELECT x.session_id, x.aml_id, SUM(x.delta) AS delta, SUM(x.item_delta) AS item_delta,
           BOOL_OR(NOT (d.native OR c.native OR 'exchange' IN (d.kind, c.kind))) AS other
      FROM account_partial_reconcile pr
      JOIN cr_base d ON d.aml_id = pr.debit_move_id
      JOIN cr_base c ON c.aml_id = pr.credit_move_id AND c.session_id = d.session_id
     CROSS JOIN LATERAL (VALUES
        (d.session_id, d.aml_id, -pr.debit_amount_currency,
         -CASE WHEN d.in_company_currency THEN pr.amount WHEN d.native THEN pr.debit_amount_currency
               WHEN c.native THEN pr.credit_amount_currency ELSE 0 END),
        (c.session_id, c.aml_id, pr.credit_amount_currency,
         CASE WHEN c.in_company_currency THEN pr.amount WHEN c.native THEN pr.credit_amount_currency
              WHEN d.native THEN pr.debit_amount_currency ELSE 0 END)
     ) AS x(session_id, aml_id, item_delta, delta)
     GROUP BY x.session_id, x.aml_id
  ) a ON a.session_id = i.session_id AND a.aml_id = i.aml_id;
DROP TABLE cr_base
"""

# A statement does not show an exchange difference of no amount in its currency (in a foreign
# currency: its company amount counts in the totals). The ledger check compares lines: it
# drops such items, unless the statement shows them (generated before they were hidden).
_SHOWN = "(i.kind <> 'exchange' OR i.amount <> 0 OR i.residual <> 0)"
_DROP_HIDDEN_SQL = """
DELETE FROM cr_items i
 WHERE NOT %(shown)s AND NOT EXISTS (SELECT 1 FROM customer_reconciliation_line l
                                      WHERE l.session_id = i.session_id AND l.move_line_id = i.aml_id)
"""

_REFUSED_SQL = """
SELECT i.session_id, i.move_name, i.date, i.item_currency_id AS currency_id,
       i.item_amount AS amount, i.item_residual AS open, i.settled_in_other_currency
  FROM cr_items i
  JOIN res_currency cur ON cur.id = i.item_currency_id
 WHERE NOT i.native AND (ROUND(i.item_residual, cur.decimal_places) <> 0 OR i.settled_in_other_currency)
 ORDER BY i.session_id, i.date, i.move_name, i.aml_id
"""


_SMALL_ITEMS = 500
# A sample of 3,000 rows (a tenth of the default) tells the planner sizes and spreads enough for
# these joins, in a fraction of the time; the transaction's later ANALYZEs are left as they were.
_ANALYZE_SQL = """SET LOCAL default_statistics_target = 10; ANALYZE %(table)s;
RESET default_statistics_target"""


def build_items_table(cr, params, statements=None, keep_hidden=False):
    """Fill the temporary table cr_items (statement items with their residual at the end)
    for ``statements`` (SQL; by default the sessions ``params["ids"]``). ``keep_hidden``:
    keep the items a statement does not show, for its totals (the ledger check drops them)."""
    statements = statements or SQL(_SESSIONS_SOURCE, ids=list(dict.fromkeys(params["ids"])))
    cr.execute(SQL("SET LOCAL jit = off"))  # compiling costs more than these queries gain
    scope = scope_filter(SQL("s.scope"))
    cr.execute(SQL(_ITEMS_SQL, statements=statements, scope_filter=scope, **params))
    big = cr.rowcount > _SMALL_ITEMS  # any plan is fast on a few hundred rows
    if big:
        cr.execute(SQL("CREATE INDEX ON cr_base (aml_id, session_id)"))
        # The columns the joins and groupings read: a fraction of a full ANALYZE.
        cr.execute(SQL(_ANALYZE_SQL, table=SQL("cr_base (session_id, aml_id, native, kind)")))
    cr.execute(SQL(_RESIDUALS_SQL))
    if big:
        # The lines' and open items' inserts read it: planned from its real size.
        cr.execute(SQL(_ANALYZE_SQL, table=SQL("cr_items (session_id, aml_id, prior, residual)")))
    if not keep_hidden:
        cr.execute(SQL(_DROP_HIDDEN_SQL, shown=SQL(_SHOWN)))


def refused_items(cr):
    """{statement id: [item dicts]}: the non-native items of cr_items that cannot be converted."""
    cr.execute(SQL(_REFUSED_SQL))
    result = defaultdict(list)
    for row in cr.dictfetchall():
        result[row.pop("session_id")].append(row)
    return result


_LINES_SQL = """
WITH opening AS (
    SELECT s.id AS session_id, s.date_from,
           COALESCE(p.amount, 0) AS amount, COALESCE(p.amount_company, 0) AS amount_company
      FROM unnest(%(ids)s::int[]) AS k(id)
      JOIN customer_reconciliation_session s ON s.id = k.id
      LEFT JOIN (SELECT i.session_id, SUM(i.amount) AS amount, SUM(i.amount_company) AS amount_company
                   FROM cr_items i
                  WHERE i.prior
                  GROUP BY i.session_id) p ON p.session_id = s.id
)
INSERT INTO customer_reconciliation_line (
    session_id, sequence, kind, date, move_line_id,
    name, customer_ref, label, date_maturity, debit, credit, amount,
    amount_company, balance, analytic_names, is_open, open_amount)
SELECT o.session_id, 0, 'opening', o.date_from, NULL,
       NULL, NULL, NULL, NULL, 0, 0, o.amount,
       o.amount_company, o.amount, NULL, FALSE, 0
  FROM opening o
UNION ALL
SELECT i.session_id,
       ROW_NUMBER() OVER w, i.kind, i.date, i.aml_id,
       i.move_name, i.customer_ref, i.label, i.date_maturity,
       GREATEST(i.amount, 0), GREATEST(-i.amount, 0), i.amount,
       i.amount_company, o.amount + SUM(i.amount) OVER w,
       CASE WHEN i.analytic_distribution IS NOT NULL THEN (  -- read for the items that have one
           SELECT STRING_AGG(DISTINCT COALESCE(an.name->>%(lang)s, an.name->>'en_US'), ', ')
             FROM jsonb_object_keys(i.analytic_distribution) AS k(key)
            CROSS JOIN LATERAL unnest(string_to_array(k.key, ',')::int[]) AS a(id)
             JOIN account_analytic_account an ON an.id = a.id) END,
       i.residual <> 0, i.residual
  FROM cr_items i
  JOIN opening o ON o.session_id = i.session_id
 WHERE NOT i.prior AND %(shown)s
WINDOW w AS (PARTITION BY i.session_id ORDER BY i.date, i.move_name, i.aml_id
             ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
"""

_OPEN_ITEMS_SQL = """
INSERT INTO customer_reconciliation_open_item (
    session_id, kind, date, move_line_id, name, customer_ref, date_maturity, amount,
    open_amount, days_overdue, aging_bucket)
SELECT i.session_id, i.kind, i.date, i.aml_id, i.move_name, i.customer_ref,
       COALESCE(i.date_maturity, i.date), i.amount, i.residual, GREATEST(i.aging_days, 0),
       %(aging_bucket)s
  FROM cr_items i
 WHERE i.residual <> 0
"""

_TOTALS_SQL = """
UPDATE customer_reconciliation_session s
   SET opening_balance = t.opening,
       period_debit = t.debit,
       period_credit = t.credit,
       closing_balance = t.closing,
       closing_balance_company = t.closing_company,
       overdue_amount = t.overdue,
       %(aging_set)s,
       line_count = t.line_count,
       open_item_count = t.open_count,
       generated_at = NOW() AT TIME ZONE 'UTC',
       write_uid = %(uid)s,
       write_date = NOW() AT TIME ZONE 'UTC'
  FROM (
    SELECT k.id,
           COALESCE(SUM(i.amount) FILTER (WHERE i.prior), 0) AS opening,
           COALESCE(SUM(GREATEST(i.amount, 0)) FILTER (WHERE NOT i.prior), 0) AS debit,
           COALESCE(SUM(GREATEST(-i.amount, 0)) FILTER (WHERE NOT i.prior), 0) AS credit,
           COALESCE(SUM(i.amount), 0) AS closing,
           COALESCE(SUM(i.amount_company), 0) AS closing_company,
           COALESCE(SUM(i.residual) FILTER (WHERE i.aging_days > 0), 0) AS overdue,
           %(aging_totals)s,
           COUNT(i.aml_id) FILTER (WHERE NOT i.prior AND %(shown)s) AS line_count,
           COUNT(i.aml_id) FILTER (WHERE i.residual <> 0) AS open_count
      FROM unnest(%(ids)s::int[]) AS k(id)
      LEFT JOIN cr_items i ON i.session_id = k.id
     GROUP BY k.id
  ) t
 WHERE s.id = t.id
"""
