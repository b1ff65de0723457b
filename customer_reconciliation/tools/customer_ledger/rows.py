"""The comparison rows as they are stored (``models/match.py`` inserts them with SQL): the
values of the row of one group of the matcher, and what a difference means. Pure Python."""

import re
from collections import namedtuple
from decimal import Decimal

from .matching import DIFFERENCE, MATCHED, ONLY_OURS

# Our lines and theirs as the matcher reads them (amounts in integer cents of the currency).
OurLine = namedtuple("OurLine", "id date document ref kind amount")
TheirLine = namedtuple("TheirLine", "id date reference description row amount")

# What the customer's own description says about an entry of theirs missing in our books.
_RETURN_WORDS = re.compile(r"退货|退回|退款|红字|红冲|return|credit\s*note|refund", re.IGNORECASE)
_DISCOUNT_WORDS = re.compile(
    r"折扣|折让|返利|优惠|扣款|discount|rebate|allowance|deduct", re.IGNORECASE
)
AMOUNTS = ("our_amount", "their_amount", "difference")


def joined(values, separator=", "):
    return separator.join([value for value in values if value])[:250]


def dispute_reason(row):
    """What a difference most likely means (``dispute_reason``); ``row``: a comparison row
    or its values, ``their_amount`` rounded as it is stored."""
    text = f"{row['their_reference'] or ''} {row['their_description'] or ''}"
    if row["status"] == MATCHED:
        return False
    if row["is_duplicate"]:
        return "duplicate"
    if row["status"] == DIFFERENCE:
        if not row["amount_differs"]:
            return "other"
        return "price_discount" if _DISCOUNT_WORDS.search(text) else "amount_differs"
    if row["status"] == ONLY_OURS:
        # Our invoice is not in their books: they say they never got it.
        return "missing_invoice" if row["our_kind"] == "invoice" else "other"
    if row["their_amount"] > 0:
        return "other"
    if _RETURN_WORDS.search(text):
        return "return_not_credited"
    if _DISCOUNT_WORDS.search(text):
        return "price_discount"
    return "payment_not_recorded"


def match_vals(session_id, sequence, group, ours, theirs, factor, their_ids):
    """The values of the comparison row of one group of the matcher (those ``create`` takes;
    ``our_line_ids`` and ``their_line_ids``: lists of ids). ``theirs``: their lines with
    ``date``, ``reference``, ``description`` and ``row``; ``their_ids``: their ids, by position
    (those of lines being imported are drawn before they are inserted)."""
    our_lines = [ours[i] for i in group.ours]
    their_lines = [theirs[j] for j in group.theirs]
    kinds = {line.kind for line in our_lines}
    return {
        "session_id": session_id,
        "sequence": sequence,
        "status": group.status,
        "rule": group.rule,
        "amount_differs": group.amount_differs,
        "date_differs": group.date_differs,
        "is_duplicate": group.duplicate,
        "our_line_ids": [line.id for line in our_lines],
        "their_line_ids": [their_ids[j] for j in group.theirs],
        "our_date": max(line.date for line in our_lines) if our_lines else False,
        "our_document": joined(line.document for line in our_lines),
        "our_kind": kinds.pop() if len(kinds) == 1 else False,
        "our_amount": group.our_amount / factor,
        "our_count": len(our_lines),
        "their_date": max(line.date for line in their_lines) if their_lines else False,
        "their_reference": joined(line.reference for line in their_lines),
        "their_description": joined((line.description for line in their_lines), " / "),
        "their_amount": group.their_amount / factor,
        "their_count": len(their_lines),
        "their_rows": joined(str(line.row) for line in their_lines),
        "difference": (group.their_amount - group.our_amount) / factor,
        "day_difference": group.day_diff,
    }


def stored(vals, company_id, money):
    """The row as ``create`` stores it: the stored related company, the amounts as ``money``
    writes them (the currency's rounding, as text), the stored computed reason."""
    row = {**vals, "company_id": company_id, **{name: money(vals[name]) for name in AMOUNTS}}
    row["dispute_reason"] = dispute_reason({**row, "their_amount": float(row["their_amount"])})
    return row


_BARE = frozenset({int, float, bool, Decimal})  # written as they are, nothing to quote


def _element(value):
    if value is None:
        return "NULL"
    if value.__class__ in _BARE:
        return str(value)
    text = str(value)
    if '"' in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def pg_array(values):
    """``values`` as one PostgreSQL array literal (None: NULL), to be cast by the query: one
    parameter to quote instead of one per value (three times faster than a list). Numbers
    and booleans are written as they are, everything else quoted."""
    return "{" + ",".join(map(_element, values)) + "}"
