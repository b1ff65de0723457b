"""The cashier's hand and the manager's undo: a receipt the matcher did not find, picked by a
cashier for one collection or several of one customer (a grouped deposit), validated at once;
a validated match undone by a Reconciliation Manager, with a reason.

The receipts are those of the matcher (``RECEIPTS_SQL``): a candidate is of the collections'
company and currency, not validated for another collection, not rejected for any of the
collections. Its date is free (the matcher's window is what the cashier corrects). The
candidates are listed and checked by the same query (``_manual_candidates``): what a client
sends as the receipt is checked again, never trusted.
"""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..tools import limits
from .account_move import MANAGER_GROUP
from .collection import OPEN_STATES
from .collection_matching import RECEIPTS_SQL

# How many candidates the cashier's wizard lists (the closest first).
CANDIDATE_LIMIT = 80

_CANDIDATES_SQL = (
    """
WITH receipts AS ("""
    + RECEIPTS_SQL
    + """)
SELECT r.kind, r.receipt_id, r.date, r.amount, r.partner_id, r.label, r.journal_id
  FROM receipts r
 WHERE r.company_id = %(company)s AND r.currency_id = %(currency)s
   AND (%(kind)s IS NULL OR (r.kind = %(kind)s AND r.receipt_id = %(receipt)s))
   AND NOT EXISTS (
       SELECT 1 FROM customer_reconciliation_collection c
        WHERE c.state IN ('matched', 'deposited')
          AND ((r.kind = 'payment' AND c.payment_id = r.receipt_id)
               OR (r.kind = 'statement_line' AND c.statement_line_id = r.receipt_id)))
   AND NOT EXISTS (SELECT 1 FROM customer_reconciliation_collection_rejected_payment_rel x
                    WHERE r.kind = 'payment' AND x.collection_id = ANY(%(ids)s)
                      AND x.payment_id = r.receipt_id)
   AND NOT EXISTS (SELECT 1 FROM customer_reconciliation_collection_rejected_line_rel x
                    WHERE r.kind = 'statement_line' AND x.collection_id = ANY(%(ids)s)
                      AND x.line_id = r.receipt_id)
 ORDER BY (r.amount = %(total)s) DESC,
          (r.partner_id IS NOT DISTINCT FROM %(partner)s) DESC,
          ABS(r.date - %(date)s), r.kind, r.receipt_id
 LIMIT %(limit)s
"""
)


def _receipt_key(receipt):
    """(kind, id) of a payment or a bank statement line."""
    if receipt._name == "account.payment":
        return "payment", receipt.id
    if receipt._name == "account.bank.statement.line":
        return "statement_line", receipt.id
    raise UserError(
        receipt.env._("A collection is matched with a payment or a bank statement line.")
    )


# One model, one file per step of its process (see collection.py): split on purpose.
# pylint: disable=consider-merging-classes-inherited
class CustomerReconciliationCollection(models.Model):
    _inherit = "customer.reconciliation.collection"

    # ------------------------------------------------------------ manual match
    def _check_manual_selection(self):
        """One customer, one company, one currency, all waiting for their receipt."""
        if not self:
            raise UserError(self.env._("Select the collections the receipt pays."))
        for name in ("partner_id", "company_id", "currency_id"):
            if len(self[name]) < 2:
                continue
            values = ", ".join(self[name].mapped("display_name"))
            if name == "partner_id":
                message = self.env._(
                    "The selected collections are of more than one customer (%s): a receipt pays "
                    "the collections of one customer.",
                    values,
                )
            elif name == "company_id":
                message = self.env._(
                    "The selected collections are of more than one company (%s): a receipt pays "
                    "the collections of one company.",
                    values,
                )
            else:
                message = self.env._(
                    "The selected collections are of more than one currency (%s): a receipt pays "
                    "collections in its own currency.",
                    values,
                )
            raise UserError(message)
        closed = self.filtered(lambda c: c.state not in OPEN_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "Collection %(name)s is already %(state)s: its receipt was validated.",
                    name=closed[0].name,
                    state=dict(closed._fields["state"]._description_selection(self.env))[
                        closed[0].state
                    ],
                )
            )

    def _manual_candidates(self, receipt=None, limit=CANDIDATE_LIMIT):
        """The receipts the cashier may pick for ``self`` (rows of ``_CANDIDATES_SQL``), the
        closest first: the collections' total, their customer, their date. With ``receipt``:
        that receipt's row, or none if it may not be picked."""
        self.env.flush_all()
        kind, receipt_id = _receipt_key(receipt) if receipt else (None, None)
        self.env.cr.execute(
            SQL(
                _CANDIDATES_SQL,
                company=self.company_id.id,
                currency=self.currency_id.id,
                kind=kind,
                receipt=receipt_id,
                ids=self.ids,
                total=sum(self.mapped("amount")),
                partner=self.partner_id.id,
                date=min(self.mapped("date")),
                limit=limit,
            )
        )
        return self.env.cr.dictfetchall()

    def action_match_by_hand(self):
        """Open the list of receipts the cashier may pick for the selected collections."""
        return self.env["customer.reconciliation.collection.match.wizard"]._open_for(self)

    def _match_manually(self, receipt):
        """A cashier matches ``self`` (one or several collections of one customer) with
        ``receipt`` (a payment or a bank statement line) and validates it, as Validate Match
        does. Proposals of these collections, or of others for that receipt, are withdrawn (not
        rejected: the matcher may propose them again elsewhere)."""
        self._check_cashier(self.env._("match"))
        collections = self.sudo()
        collections._check_manual_selection()
        # reported by them, or recorded by them for a salesperson
        own = collections.filtered(lambda c: self.env.user in (c.user_id | c.create_uid))
        if own:
            raise UserError(
                self.env._(
                    "You reported collection %s: another cashier matches it (segregation of "
                    "duties).",
                    own[0].name,
                )
            )
        rows = collections._manual_candidates(receipt=receipt.sudo())
        if not rows:
            raise UserError(
                self.env._(
                    "%(receipt)s cannot be matched with %(collections)s: it is not a posted "
                    "customer receipt of %(company)s in %(currency)s, or it is already "
                    "validated for another collection, or it was rejected for one of these.",
                    receipt=receipt.sudo().display_name,
                    collections=", ".join(collections.mapped("name")),
                    company=collections.company_id.name,
                    currency=collections.currency_id.name,
                )
            )
        currency = collections.currency_id
        total = sum(collections.mapped("amount"))
        if currency.compare_amounts(total, rows[0]["amount"]):
            raise UserError(
                self.env._(
                    "The selected collections add up to %(total)s but %(receipt)s is of "
                    "%(amount)s: select the collections the receipt pays, exactly.",
                    total=currency.format(total),
                    receipt=receipt.sudo().display_name,
                    amount=currency.format(rows[0]["amount"]),
                )
            )
        kind, receipt_id = _receipt_key(receipt)
        payments = collections.payment_id.ids + ([receipt_id] if kind == "payment" else [])
        lines = collections.statement_line_id.ids + ([receipt_id] if kind != "payment" else [])
        withdrawn = collections | collections.search(
            [
                ("state", "in", OPEN_STATES),
                "|",
                ("payment_id", "in", payments),
                ("statement_line_id", "in", lines),
            ]
        )
        withdrawn = withdrawn.filtered(lambda c: c.payment_id or c.statement_line_id)
        if withdrawn:
            withdrawn._workflow_write(
                {"payment_id": False, "statement_line_id": False, "match_kind": False}
            )
        collections._write_proposals(dict.fromkeys(collections.ids, (kind, receipt_id, "manual")))
        self.action_validate_match()
        body = Markup("<p>%s</p>") % self.env._(
            "Matched by hand with %(receipt)s (%(amount)s).",
            receipt=receipt.sudo().display_name,
            amount=currency.format(rows[0]["amount"]),
        )
        for collection in self:
            collection.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True

    # ------------------------------------------------------------ unmatch
    def action_unmatch(self, reason):
        """A Reconciliation Manager undoes a validated match (a grouped deposit as a whole):
        the collections are reported again and the receipt is rejected for them, never proposed
        again. Not once deposited (the receipt is in the bank), not by whoever validated it."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the group %s may undo the validated match of a collection.",
                    self.env.ref(MANAGER_GROUP).sudo().full_name,
                )
            )
        self.check_access("read")
        reason = (reason or "").strip() if isinstance(reason, str) else reason
        if not reason:
            raise UserError(self.env._("Say why the match is undone: the reason is required."))
        try:
            limits.check_text(reason, self.env._("Reason"))
        except limits.InputError as error:
            raise UserError(self.env._(error.message, **error.params)) from None
        collections = self._with_group()
        if not collections:
            raise UserError(self.env._("Select the collections whose match is undone."))
        for collection in collections:
            if collection.state != "matched":
                raise UserError(
                    self.env._(
                        "Collection %(name)s is %(state)s: only a matched collection not yet "
                        "deposited can be unmatched (a deposited receipt is in the bank "
                        "statement).",
                        name=collection.name,
                        state=dict(collection._fields["state"]._description_selection(self.env))[
                            collection.state
                        ],
                    )
                )
            if collection.matched_by_id == self.env.user:
                raise UserError(
                    self.env._(
                        "You validated the match of collection %s: another manager undoes it "
                        "(segregation of duties).",
                        collection.name,
                    )
                )
        body = Markup("<p>%s</p><p>%s</p>") % (
            self.env._(
                "Match undone by %s; the receipt will not be proposed again.", self.env.user.name
            ),
            reason,
        )
        for receipt, group in (
            collections.sudo().grouped(lambda c: c.payment_id or c.statement_line_id).items()
        ):
            vals = {
                "state": "reported",
                "payment_id": False,
                "statement_line_id": False,
                "match_kind": False,
                "matched_by_id": False,
                "matched_date": False,
                "missing_date": False,
            }
            if receipt._name == "account.payment":
                vals["rejected_payment_ids"] = [fields.Command.link(receipt.id)]
            else:
                vals["rejected_statement_line_ids"] = [fields.Command.link(receipt.id)]
            group._workflow_write(vals)
            for collection in group.with_env(self.env):
                collection.message_post(body=body, subtype_xmlid="mail.mt_note")
        return True
