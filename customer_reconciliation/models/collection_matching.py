"""Matching collections with the cashier's receipts, set-based; the cashier's validation; the
nightly check (deposited, missing).

A receipt is a posted inbound customer payment, or a posted bank statement line of money in
that is not reconciled with a payment (else the payment is the receipt: one receipt, not two).
Its amount is read in its own currency: the payment's amount in the payment currency; the
statement line's foreign amount when it has a foreign currency, else its amount in the
journal currency. A receipt dated from the collection's date to that date plus the company's
window (``reconciliation_collection_match_days``) and of the same currency and amount is a
candidate, once per collection:

1. exact: one receipt, one collection, same amount. Ranked by: same customer first, then the
   collection's reference found in the receipt's memo / label, then the nearest date. A
   candidate booked to another customer (or to none) is proposed only when no receipt of the
   customer fits, flagged ``other_customer``.
2. grouped deposit (many-to-one): a receipt of the customer whose amount equals the sum of
   ALL the customer's open collections of that currency not matched at step 1 and dated in
   the window before it (at least two). Limit: a deposit of only some of the open collections
   is not found; the cashier sees the collections as still to match.

Every step reads receipts and collections in one query; the assignment (each collection and
each receipt used once, in rank order) is made in Python over the candidate rows, and written
in one UPDATE.
"""

from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, format_date

from ..tools.client_actions import SOFT_RELOAD, notification
from .collection import CASHIER_GROUP, OPEN_STATES

# The receipts of money in (no parameters: the SQL view of unreported receipts reads it too).
RECEIPTS_SQL = """
SELECT 'payment' AS kind, p.id AS receipt_id, p.company_id, p.date, p.amount, p.currency_id,
       rp.commercial_partner_id AS partner_id, COALESCE(p.memo, '') AS label,
       p.journal_id, p.is_matched AS in_bank
  FROM account_payment p
  LEFT JOIN res_partner rp ON rp.id = p.partner_id
 WHERE p.payment_type = 'inbound' AND p.partner_type = 'customer'
   AND p.state IN ('in_process', 'paid')
UNION ALL
SELECT 'statement_line', l.id, l.company_id, m.date,
       CASE WHEN l.foreign_currency_id IS NOT NULL THEN l.amount_currency ELSE l.amount END,
       COALESCE(l.foreign_currency_id, l.currency_id),
       rp.commercial_partner_id, COALESCE(l.payment_ref, ''), l.journal_id, TRUE
  FROM account_bank_statement_line l
  JOIN account_move m ON m.id = l.move_id
  LEFT JOIN res_partner rp ON rp.id = l.partner_id
 WHERE m.state = 'posted' AND l.amount > 0
   AND NOT EXISTS (
       SELECT 1
         FROM account_move_line sl
         JOIN account_partial_reconcile pr
              ON sl.id IN (pr.debit_move_id, pr.credit_move_id)
         JOIN account_move_line ol
              ON ol.id = CASE WHEN pr.debit_move_id = sl.id THEN pr.credit_move_id
                              ELSE pr.debit_move_id END
         JOIN account_move om ON om.id = ol.move_id
        WHERE sl.move_id = l.move_id AND om.origin_payment_id IS NOT NULL)
"""

# Receipts not used by any collection (proposed or validated), within the given companies.
_FREE_RECEIPTS = (
    """
receipts AS ("""
    + RECEIPTS_SQL
    + """), free AS (
    SELECT r.* FROM receipts r
     WHERE r.company_id = ANY(%(companies)s)
       AND NOT EXISTS (
           SELECT 1 FROM customer_reconciliation_collection c
            WHERE (r.kind = 'payment' AND c.payment_id = r.receipt_id)
               OR (r.kind = 'statement_line' AND c.statement_line_id = r.receipt_id))
), open AS (
    SELECT c.id, c.company_id, c.partner_id, c.currency_id, c.amount, c.date,
           COALESCE(c.reference, '') AS reference,
           c.date + co.reconciliation_collection_match_days AS date_last
      FROM customer_reconciliation_collection c
      JOIN res_company co ON co.id = c.company_id
     WHERE c.id = ANY(%(ids)s) AND NOT (c.id = ANY(%(taken)s))
)"""
)

_NOT_REJECTED = """
   AND NOT EXISTS (SELECT 1 FROM customer_reconciliation_collection_rejected_payment_rel x
                    WHERE r.kind = 'payment' AND x.collection_id = o.id
                      AND x.payment_id = r.receipt_id)
   AND NOT EXISTS (SELECT 1 FROM customer_reconciliation_collection_rejected_line_rel x
                    WHERE r.kind = 'statement_line' AND x.collection_id = o.id
                      AND x.line_id = r.receipt_id)
"""

_EXACT_SQL = (
    "WITH"
    + _FREE_RECEIPTS
    + """
SELECT o.id, r.kind, r.receipt_id, r.partner_id IS NOT DISTINCT FROM o.partner_id AS same
  FROM open o
  JOIN free r ON r.company_id = o.company_id AND r.currency_id = o.currency_id
             AND r.amount = o.amount AND r.date BETWEEN o.date AND o.date_last
 WHERE TRUE"""
    + _NOT_REJECTED
    + """
   AND (r.partner_id IS NOT DISTINCT FROM o.partner_id OR NOT EXISTS (
       -- another customer's receipt: only if none of that customer's own collections fits it
       SELECT 1 FROM customer_reconciliation_collection c2
         JOIN res_company co2 ON co2.id = c2.company_id
        WHERE c2.partner_id = r.partner_id AND c2.company_id = r.company_id
          AND c2.state IN ('reported', 'missing') AND c2.currency_id = r.currency_id
          AND c2.amount = r.amount
          AND r.date BETWEEN c2.date AND c2.date + co2.reconciliation_collection_match_days))
 ORDER BY (r.partner_id IS NOT DISTINCT FROM o.partner_id) DESC,
          (o.reference <> '' AND STRPOS(LOWER(r.label), LOWER(o.reference)) > 0) DESC,
          r.date - o.date, o.date, o.id, r.kind, r.receipt_id
"""
)

_GROUPED_SQL = (
    "WITH"
    + _FREE_RECEIPTS
    + """
SELECT r.kind, r.receipt_id, ARRAY_AGG(o.id ORDER BY o.id)
  FROM free r
  JOIN open o ON o.company_id = r.company_id AND o.partner_id = r.partner_id
             AND o.currency_id = r.currency_id AND r.date BETWEEN o.date AND o.date_last
 WHERE TRUE"""
    + _NOT_REJECTED
    + """
 GROUP BY r.kind, r.receipt_id, r.amount, r.date
HAVING COUNT(*) >= 2 AND SUM(o.amount) = r.amount
 ORDER BY r.date, r.kind, r.receipt_id
"""
)


# One model, one file per step of its process (see collection.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationCollection(models.Model):
    _inherit = "customer.reconciliation.collection"

    # ------------------------------------------------------------ matching
    def _check_cashier(self, action):
        if not self.env.su and not self.env.user.has_group(CASHIER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the group %(group)s may %(action)s collections.",
                    group=self.env.ref(CASHIER_GROUP).sudo().full_name,
                    action=action,
                )
            )
        self.check_access("read")

    def action_match(self):
        """Look for the receipts of the selected collections (and of the other open ones of
        the same customers, which a grouped deposit may include)."""
        self._check_cashier(self.env._("match"))
        found = self._match()
        return notification(
            self.env._(
                "%(count)s collection(s) with a receipt proposed: validate or reject them.",
                count=len(found),
            ),
            "success" if found else "warning",
            then=SOFT_RELOAD,
        )

    def _match(self):
        """Propose a receipt for the open collections of the customers of ``self`` without one.
        Returns the collections that got one."""
        if not self:
            return self.browse()
        self.env.flush_all()
        pool = self.sudo().search(
            [
                ("company_id", "in", self.company_id.ids),
                ("partner_id", "in", self.partner_id.ids),
                ("state", "in", OPEN_STATES),
                ("payment_id", "=", False),
                ("statement_line_id", "=", False),
            ]
        )
        if not pool:
            return self.browse()
        params = {"companies": pool.company_id.ids, "ids": pool.ids}
        cr = self.env.cr
        cr.execute(SQL(_EXACT_SQL, taken=[], **params))
        proposals = {}  # collection id: (kind, receipt id, match kind)
        used = set()
        for collection_id, kind, receipt_id, same in cr.fetchall():
            if collection_id in proposals or (kind, receipt_id) in used:
                continue
            proposals[collection_id] = (kind, receipt_id, "exact" if same else "other_customer")
            used.add((kind, receipt_id))
        cr.execute(SQL(_GROUPED_SQL, taken=list(proposals), **params))
        for kind, receipt_id, collection_ids in cr.fetchall():
            if (kind, receipt_id) in used or any(c in proposals for c in collection_ids):
                continue
            used.add((kind, receipt_id))
            proposals.update(dict.fromkeys(collection_ids, (kind, receipt_id, "grouped")))
        # An other-customer proposal only where no receipt of the customer fitted: rank order.
        self._write_proposals(proposals)
        return self.browse(sorted(proposals))

    def _write_proposals(self, proposals):
        """One UPDATE for all proposals {collection id: (kind, receipt id, match kind)}."""
        if not proposals:
            return
        ids = list(proposals)
        kinds, receipts, match_kinds = (list(c) for c in zip(*proposals.values(), strict=True))
        self.env.cr.execute(
            SQL(
                """
                UPDATE customer_reconciliation_collection c
                   SET payment_id = CASE WHEN v.kind = 'payment' THEN v.receipt END,
                       statement_line_id = CASE WHEN v.kind = 'statement_line' THEN v.receipt END,
                       match_kind = v.match_kind,
                       write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(ids)s::int[], %(kinds)s::varchar[], %(receipts)s::int[],
                              %(match_kinds)s::varchar[]) AS v(id, kind, receipt, match_kind)
                 WHERE c.id = v.id
                """,
                uid=self.env.uid,
                ids=ids,
                kinds=kinds,
                receipts=receipts,
                match_kinds=match_kinds,
            )
        )
        collections = self.browse(ids)
        written = ["payment_id", "statement_line_id", "match_kind"]
        collections.invalidate_recordset(written)
        # The stored computes that read the receipt (proposed, booked to, mismatch).
        collections.modified(written)
        collections.flush_recordset()

    def _with_group(self):
        """``self`` and the other collections proposed with, or matched to, the same receipts:
        a grouped deposit is validated or rejected as a whole."""
        collections = self.sudo()
        payments = collections.payment_id
        lines = collections.statement_line_id
        if not payments and not lines:
            return self
        others = collections.search(
            ["|", ("payment_id", "in", payments.ids), ("statement_line_id", "in", lines.ids)]
        )
        return (collections | others).with_env(self.env)

    def action_validate_match(self):
        """The cashier confirms the proposed receipts: the collections are matched (deposited
        at once when the receipt is already in the bank)."""
        self._check_cashier(self.env._("validate matches of"))
        collections = self._with_group()
        not_proposed = collections.filtered(lambda c: not c.match_proposed)
        if not_proposed:
            raise UserError(
                self.env._(
                    "Collection %s has no proposed receipt to validate (run Match first).",
                    not_proposed[0].name,
                )
            )
        # reported by them, or recorded by them for a salesperson
        own = collections.filtered(lambda c: self.env.user in (c.user_id | c.create_uid))
        if own:
            raise UserError(
                self.env._(
                    "You reported collection %s: another cashier validates its receipt "
                    "(segregation of duties).",
                    own[0].name,
                )
            )
        collections._workflow_write(
            {
                "state": "matched",
                "matched_by_id": self.env.uid,
                "matched_date": fields.Datetime.now(),
            }
        )
        collections._close_missing_activities()
        collections._refresh_deposited()
        return True

    def action_reject_match(self):
        """The cashier refuses the proposed receipts: they are never proposed again for these
        collections, which wait for the next Match."""
        self._check_cashier(self.env._("reject matches of"))
        collections = self._with_group().filtered("match_proposed")
        for collection in collections:
            commands = {}
            if collection.payment_id:
                commands["rejected_payment_ids"] = [fields.Command.link(collection.payment_id.id)]
            if collection.statement_line_id:
                commands["rejected_statement_line_ids"] = [
                    fields.Command.link(collection.statement_line_id.id)
                ]
            collection._workflow_write(
                {**commands, "payment_id": False, "statement_line_id": False, "match_kind": False}
            )
        return True

    # ------------------------------------------------------------ nightly check
    def _refresh_deposited(self):
        """Matched collections whose receipt is in the bank - a bank statement line, or a
        payment matched with the bank statement (Odoo's ``is_matched``, also true for a payment
        booked straight to the bank account) - are deposited, on the receipt's date."""
        domain = [("state", "=", "matched")]
        if self:
            domain.append(("id", "in", self.ids))
        matched = self.sudo().search(domain)
        deposited = matched.filtered(lambda c: c.statement_line_id or c.payment_id.is_matched)
        for receipt_date, group in deposited.grouped("receipt_date").items():
            group._workflow_write({"state": "deposited", "deposited_date": receipt_date})
        return deposited

    @api.model
    def _cron_check_collections(self, today=None):
        """Nightly: propose receipts for the open collections, move those in the bank to
        deposited, and flag missing the reported ones without a receipt after the company's
        delay (an activity for their salesperson). The anomaly check (alert_check_collection.py)
        raises the alerts for the cashier and the managers."""
        today = today or fields.Date.context_today(self)
        Collection = self.sudo()
        Collection.search([("state", "in", OPEN_STATES), ("match_proposed", "=", False)])._match()
        Collection._refresh_deposited()
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id FROM customer_reconciliation_collection c
                  JOIN res_company co ON co.id = c.company_id
                 WHERE c.state = 'reported' AND NOT c.match_proposed
                   AND c.date + co.reconciliation_collection_missing_days < %(today)s
                """,
                today=today,
            )
        )
        missing = Collection.browse(row[0] for row in self.env.cr.fetchall())
        missing._workflow_write({"state": "missing", "missing_date": today})
        missing._schedule_missing_activities(today)
        return missing

    def _schedule_missing_activities(self, today):
        """One to-do per missing collection for its salesperson, created in one batch."""
        if not self:
            return
        todo = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        vals_list = []
        by_lang = defaultdict(lambda: self.browse())
        for collection in self:
            by_lang[collection.user_id.lang or self.env.lang] |= collection
        for lang, group in by_lang.items():
            env = group.with_context(lang=lang).env
            for collection in group:
                vals_list.append(
                    {
                        "res_model_id": model_id,
                        "res_id": collection.id,
                        "activity_type_id": todo.id,
                        "user_id": collection.user_id.id,
                        "date_deadline": today,
                        "automated": True,
                        "summary": env._("Collection not received"),
                        "note": Markup("<p>%s</p>")
                        % env._(
                            "%(customer)s: %(amount)s reported on %(date)s (%(method)s) has not "
                            "reached the cashier. Check with the customer or hand it over.",
                            customer=collection.partner_id.display_name,
                            amount=collection.currency_id.format(collection.amount),
                            date=format_date(env, collection.date),
                            method=dict(collection._fields["method"]._description_selection(env))[
                                collection.method
                            ],
                        ),
                    }
                )
        self.env["mail.activity"].sudo().create(vals_list)

    def _close_missing_activities(self):
        """A missing collection found again: its salesperson's to-do is done."""
        todo = self.env.ref("mail.mail_activity_data_todo")
        activities = self.sudo().activity_ids.filtered(
            lambda a: a.activity_type_id == todo and a.automated
        )
        if activities:
            activities.action_feedback(feedback=self.env._("The collection reached the cashier."))
