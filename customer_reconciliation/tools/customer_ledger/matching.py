"""Line-by-line matching of our statement against the customer's ledger. Pure Python.

Both sides are lists of :class:`Entry` with amounts in integer minor units (cents) in OUR sign
convention (positive: the customer owes us more). Every entry ends up in exactly one
:class:`Group`, whose status is one of MATCHED, DIFFERENCE, ONLY_OURS, ONLY_THEIRS. The rules,
in order:

1. reference: the normalised document number (case, spaces, separators, prefixes, full-width
   characters and leading zeros do not count) on the same side of the account, else the same
   number written without separators (``INV202600469``: ``INV/2026/00469``), else its digits;
2. amount and date: the same amount (or within the amount tolerance) and dates within the
   tolerance (matched) or within the wider window (a date difference);
3. sums: one entry of one side equal to the sum of 2..``sum_max_items`` entries of the other
   side, among the ``sum_candidates`` nearest in date within ``sum_window`` days, with a node
   budget for the whole run so the search stays bounded;
4. what is left is only in our books or only in theirs.

Everything is indexed (dicts by key and amount, sorted date arrays with bisection): the cost is
O(n log n) plus the bounded sum search.
"""

import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict

MATCHED = "matched"
DIFFERENCE = "difference"
ONLY_OURS = "only_ours"
ONLY_THEIRS = "only_theirs"

RULE_REFERENCE = "reference"
RULE_AMOUNT_DATE = "amount_date"
RULE_SUM = "sum"
RULE_NONE = "none"

# Words put in front of a number that are not part of it ("No. 123", "发票号: 123").
_NOISE_PREFIX = re.compile(
    r"^(?:NO\.?|NR\.?|NUMBER|REF\.?|INVOICE\s*NO\.?|#|发票号码|发票号|发票|单据编号|单据号|单号|订单号|合同号|编号)"
    r"[\s:：#.]*",
    re.IGNORECASE,
)
_KEY_PARTS = re.compile(r"[A-Z]+|[0-9]+")
_LEADING_ZEROS = re.compile(r"(?<![0-9])0+(?=[0-9])")
_NOT_DIGITS = re.compile(r"[^0-9]+")
_LETTER_PARTS = re.compile(r"[A-Z]+\|?")
_JOINED_DIGITS = re.compile(r"[0-9]\|[0-9]")
# Candidate references inside free text: runs of letters, digits and separators.
_TEXT_TOKENS = re.compile(r"[A-Za-z0-9][A-Za-z0-9/\-_.#]*")
_MAX_KEYS = 6


def normalize_ref(text, separator="|"):
    """The comparable form of a document number, or "" when it carries no usable number.

    ``ＩＮＶ／２０２６／００４１２``, ``inv-2026-412``, ``No. INV 2026/00412`` → ``INV|2026|412``.
    ``separator=""``, the compact key: ``INV/2026/00469``, ``inv202600469`` → ``INV202600469``.
    """
    if not text:
        return ""
    text = str(text)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _NOISE_PREFIX.sub("", text.strip().upper())
    key = _LEADING_ZEROS.sub("", separator.join(_KEY_PARTS.findall(text)))
    if len(_NOT_DIGITS.sub("", key)) < 3:
        return ""
    return key


def reference_keys(*texts):
    """Normalised keys of some texts: each whole text, then the tokens inside it."""
    keys = []
    for text in texts:
        if not text:
            continue
        text = str(text)
        if not text.isascii():
            text = unicodedata.normalize("NFKC", text)
        key = normalize_ref(text)
        if key and key not in keys:
            keys.append(key)
        for token in _TEXT_TOKENS.findall(text):
            if token == text:
                continue
            key = normalize_ref(token)
            if key and key not in keys:
                keys.append(key)
            if len(keys) >= _MAX_KEYS:
                return keys
    return keys


def _compact_keys(entry):
    """The compact keys of an entry: of its keys, of its texts and of the tokens inside them."""
    ckeys = set(map(_compact_of_key, entry.keys))
    for text in filter(None, entry.refs):
        text = unicodedata.normalize("NFKC", str(text))
        ckeys.update(normalize_ref(token, "") for token in (text, *_TEXT_TOKENS.findall(text)))
    return ckeys


def _compact_of_key(key):
    """The compact key of a key (``INV|202600469`` → ``INV202600469``), "" when two of its numbers
    were apart (``INV|2026|469``: ``INV/2026/00469`` or ``INV/2026/469``?) or it is short digits."""
    ckey = "" if _JOINED_DIGITS.search(key) else key.replace("|", "")
    return "" if ckey.isdigit() and len(ckey) < 6 else ckey


def _digit_key(key):
    """The numbers of a key only, kept when long enough to identify a document."""
    dkey = _LETTER_PARTS.sub("", key).strip("|")
    return dkey if len(dkey) - dkey.count("|") >= 6 else ""


class Entry:
    """One line of either side: its date (a date or its ordinal), amount, the texts that may
    hold its document number (``refs``) and kind. ``keys``: the normalised numbers of its texts
    (``reference_keys``) if the caller has them (then ``refs`` is read for compact keys only)."""

    __slots__ = ("amount", "date", "keys", "kind", "refs")

    def __init__(self, date, amount, refs=(), kind=None, keys=None):
        self.date = date if isinstance(date, int) else date.toordinal()
        self.amount = amount
        self.refs = refs
        self.kind = kind
        self.keys = keys


class Group:
    """A result: the entries of both sides that go together (either side may be empty)."""

    __slots__ = (
        "amount_differs",
        "date_differs",
        "day_diff",
        "duplicate",
        "our_amount",
        "ours",
        "rule",
        "status",
        "their_amount",
        "theirs",
    )

    def __init__(
        self,
        status,
        rule,
        ours,
        theirs,
        our_amount,
        their_amount,
        day_diff=0,
        amount_differs=False,
        date_differs=False,
        duplicate=False,
    ):
        self.status = status
        self.rule = rule
        self.ours = ours
        self.theirs = theirs
        self.our_amount = our_amount
        self.their_amount = their_amount
        self.day_diff = day_diff
        self.amount_differs = amount_differs
        self.date_differs = date_differs
        self.duplicate = duplicate

    @property
    def difference(self):
        return self.their_amount - self.our_amount

    def __repr__(self):
        return f"Group({self.status}, {self.rule}, ours={self.ours}, theirs={self.theirs})"


def sign_votes(our_amounts, their_raw_amounts):
    """(same, mirrored): how many of their amounts meet one of ours as they are, and negated."""
    ours = set(our_amounts)
    their = [amount for amount in their_raw_amounts if amount]
    return sum(amount in ours for amount in their), sum(-amount in ours for amount in their)


def guess_sign(our_amounts, their_raw_amounts):
    """-1 when their amounts are mirrored (their credit is our debit), 1 when they are not;
    ties go to the mirror, the usual case of a customer's accounts-payable ledger."""
    same, mirrored = sign_votes(our_amounts, their_raw_amounts)
    return 1 if same > mirrored else -1


def match(ours, theirs, **options):
    """Match two lists of :class:`Entry`; returns the list of :class:`Group`, those of the
    entries no rule matched last. ``options``: those of :class:`Matcher`."""
    matcher = Matcher(ours, theirs, **options)
    groups = matcher.run()
    groups += [matcher.leftover(True, i) for i in matcher.unmatched(True)]
    groups += [matcher.leftover(False, j) for j in matcher.unmatched(False)]
    return groups


# The order of the groups (by first date, then first entry of ours, none first, then of
# theirs) as one integer a group: (day, our index + 1 or 0, their index + 1 or 0) packed.
_INDEX_BITS = 21  # entries per side below 2,097,152; days (ordinals) below 2^21 too


def order_key(day, our_index, their_index):
    """The sort key of a group whose first date is ``day`` (an ordinal) and first entries of
    ours and theirs are at these indexes (None: no entry on that side). Unique to a group:
    every entry is in one group."""
    our = 0 if our_index is None else our_index + 1
    their = 0 if their_index is None else their_index + 1
    return (day << _INDEX_BITS | our) << _INDEX_BITS | their


def key_indexes(key):
    """(our index, their index) of an ``order_key`` (None: no entry on that side)."""
    mask = (1 << _INDEX_BITS) - 1
    our, their = (key >> _INDEX_BITS) & mask, key & mask
    return (our - 1 if our else None), (their - 1 if their else None)


class Matcher:
    """The matching of two lists of :class:`Entry`: ``run()`` gives the groups the rules
    found; what is left on each side (``unmatched``) makes one group an entry (``leftover``),
    built when asked for: a ledger of 200,000 lines, most of them in no other group, needs
    not hold 200,000 groups at once."""

    def __init__(
        self,
        ours,
        theirs,
        date_tolerance=7,
        date_window=62,
        amount_tolerance=0,
        sum_window=45,
        sum_max_items=5,
        sum_candidates=20,
        sum_budget=20_000,
    ):
        self.ours = ours
        self.theirs = theirs
        self.date_tolerance = date_tolerance
        self.date_window = max(date_window, date_tolerance)
        self.amount_tolerance = amount_tolerance
        self.sum_window = sum_window
        self.sum_max_items = sum_max_items
        self.sum_candidates = sum_candidates
        self.budget = sum_budget
        self.our_used = bytearray(len(ours))
        self.their_used = bytearray(len(theirs))
        self.groups = []
        self._duplicates = {}

    def run(self):
        for side in (self.ours, self.theirs):
            for entry in side:
                if entry.keys is None:
                    entry.keys = tuple(reference_keys(*entry.refs))
        self._by_reference()
        self._by_amount_and_date()
        if self.amount_tolerance:
            self._by_amount_tolerance()
        if self.sum_max_items >= 2:
            self._by_sums(self.theirs, self.their_used, self.ours, self.our_used, their_is_one=True)
            self._by_sums(
                self.ours, self.our_used, self.theirs, self.their_used, their_is_one=False
            )
        return self.groups

    # ------------------------------------------------------------------ results
    def _add(self, our_idx, their_idx, rule):
        for i in our_idx:
            self.our_used[i] = 1
        for j in their_idx:
            self.their_used[j] = 1
        day_diff = 0
        if len(our_idx) == 1 and len(their_idx) == 1:
            ours, theirs = self.ours[our_idx[0]], self.theirs[their_idx[0]]
            our_amount, their_amount = ours.amount, theirs.amount
            day_diff = theirs.date - ours.date
        else:
            our_amount = sum(self.ours[i].amount for i in our_idx)
            their_amount = sum(self.theirs[j].amount for j in their_idx)
        amount_differs = abs(their_amount - our_amount) > self.amount_tolerance
        date_differs = abs(day_diff) > self.date_tolerance
        status = DIFFERENCE if amount_differs or date_differs else MATCHED
        self.groups.append(
            Group(
                status,
                rule,
                tuple(our_idx),
                tuple(their_idx),
                our_amount,
                their_amount,
                day_diff,
                amount_differs,
                date_differs,
            )
        )

    # ------------------------------------------------------------------ rule 1
    def _by_reference(self):
        full = defaultdict(list)
        digits = {}
        zeroless = {}  # full keys of ours by compact key without zeros, made when first needed
        for i, entry in enumerate(self.ours):
            sign = entry.amount >= 0
            for key in entry.keys:
                full[(key, sign)].append(i)
                dkey = _digit_key(key)
                if dkey:
                    # A number shared by two documents identifies neither.
                    digits[(dkey, sign)] = i if digits.get((dkey, sign), i) == i else -1
        assigned, by_number = defaultdict(list), defaultdict(list)  # by number: after full keys
        for j, entry in enumerate(self.theirs):
            sign = entry.amount >= 0
            target = next(((key, sign) for key in entry.keys if (key, sign) in full), None)
            if target is None:
                i = self._one_of_ours(entry.keys, sign, full, zeroless, digits)
                target = ("#", i) if i >= 0 else None
            if target is not None:
                (by_number if target[0] == "#" else assigned)[target].append(j)
        for target, their_idx in [*assigned.items(), *by_number.items()]:
            candidates = [target[1]] if target[0] == "#" else full[target]
            our_idx = [i for i in candidates if not self.our_used[i]]
            if our_idx:
                self._settle_reference_group(our_idx, their_idx)

    def _one_of_ours(self, keys, sign, full, zeroless, digits):
        """The one of ours, of that sign, with the compact key (made here: theirs are not kept)
        or else the digits of one of ``keys``, or -1. A bucket of ``zeroless`` becomes
        {(compact key, sign): our index, -1 when two of ours have it} when first read."""
        for pair in full if not zeroless else ():
            bare = pair[0].replace("|", "").replace("0", "")
            other = zeroless.setdefault(bare, pair)
            if other is not pair:
                zeroless[bare] = [other, pair] if type(other) is tuple else [*other, pair]
        for key in keys:
            ckey = _compact_of_key(key)
            bare = ckey.replace("0", "")
            bucket = zeroless.get(bare) if ckey else None
            if bucket is not None and type(bucket) is not dict:
                pairs = [bucket] if type(bucket) is tuple else bucket
                bucket = zeroless[bare] = {}
                for i in dict.fromkeys(i for pair in pairs for i in full[pair]):
                    for other in _compact_keys(self.ours[i]):
                        pair = (other, self.ours[i].amount >= 0)
                        if other.replace("0", "") == bare:
                            bucket[pair] = i if bucket.get(pair, i) == i else -1
            if bucket and bucket.get((ckey, sign), -1) >= 0:
                return bucket[(ckey, sign)]
        for dkey in map(_digit_key, keys):
            if dkey and digits.get((dkey, sign), -1) >= 0:
                return digits[(dkey, sign)]
        return -1

    def _settle_reference_group(self, our_idx, their_idx):
        if len(our_idx) == 1 and len(their_idx) == 1:
            self._add(our_idx, their_idx, RULE_REFERENCE)
            return
        ours, theirs = self.ours, self.theirs
        # Same reference several times: equal amounts pair first, nearest date first.
        for j in sorted(their_idx, key=lambda j: theirs[j].date):
            same = [
                i for i in our_idx if not self.our_used[i] and ours[i].amount == theirs[j].amount
            ]
            if same:
                best = min(same, key=lambda i: abs(ours[i].date - theirs[j].date))
                self._add([best], [j], RULE_REFERENCE)
        our_left = [i for i in our_idx if not self.our_used[i]]
        their_left = [j for j in their_idx if not self.their_used[j]]
        if not our_left or not their_left:
            return
        our_sum = sum(ours[i].amount for i in our_left)
        their_sum = sum(theirs[j].amount for j in their_left)
        if abs(our_sum - their_sum) <= self.amount_tolerance or (
            len(our_left) == 1 and len(their_left) == 1
        ):
            self._add(our_left, their_left, RULE_REFERENCE)
        # Otherwise which goes with which is a guess: leave them to the next rules.

    # ------------------------------------------------------------------ rule 2
    def _by_amount_and_date(self):
        our_buckets = defaultdict(list)
        for i, entry in enumerate(self.ours):
            if not self.our_used[i]:
                our_buckets[entry.amount].append(i)
        their_buckets = defaultdict(list)  # only the amounts of ours: a few lists, not one a line
        for j, entry in enumerate(self.theirs):
            if not self.their_used[j] and entry.amount in our_buckets:
                their_buckets[entry.amount].append(j)
        ours, theirs = self.ours, self.theirs
        for amount, their_idx in their_buckets.items():
            our_idx = our_buckets.get(amount)
            if not our_idx:
                continue
            our_idx.sort(key=lambda i: ours[i].date)
            their_idx.sort(key=lambda j: theirs[j].date)
            # Same day first, then within the tolerance, then within the window (a date difference).
            for window in (0, self.date_tolerance, self.date_window):
                for i, j in self._sweep(our_idx, their_idx, window):
                    self._add([i], [j], RULE_AMOUNT_DATE)
                our_idx = [i for i in our_idx if not self.our_used[i]]
                their_idx = [j for j in their_idx if not self.their_used[j]]
                if not our_idx or not their_idx:
                    break

    def _sweep(self, our_idx, their_idx, window):
        """Maximum pairing of two date-sorted lists with |date difference| <= window."""
        ours, theirs = self.ours, self.theirs
        pairs = []
        a = b = 0
        while a < len(our_idx) and b < len(their_idx):
            our_date = ours[our_idx[a]].date
            their_date = theirs[their_idx[b]].date
            if abs(our_date - their_date) <= window:
                pairs.append((our_idx[a], their_idx[b]))
                a += 1
                b += 1
            elif our_date < their_date:
                a += 1
            else:
                b += 1
        return pairs

    def _by_amount_tolerance(self):
        """Amounts within the tolerance (rounding), dates within the date tolerance."""
        ours, theirs = self.ours, self.theirs
        our_idx = sorted(
            (i for i in range(len(ours)) if not self.our_used[i]), key=lambda i: ours[i].amount
        )
        amounts = [ours[i].amount for i in our_idx]
        for j in sorted(
            (j for j in range(len(theirs)) if not self.their_used[j]),
            key=lambda j: theirs[j].amount,
        ):
            entry = theirs[j]
            pos = bisect_left(amounts, entry.amount - self.amount_tolerance)
            best = None
            for k in range(pos, min(pos + 32, len(amounts))):
                if amounts[k] > entry.amount + self.amount_tolerance:
                    break
                i = our_idx[k]
                days = abs(ours[i].date - entry.date)
                if (
                    not self.our_used[i]
                    and days <= self.date_tolerance
                    and (best is None or days < best[0])
                ):
                    best = (days, i)
            if best:
                self._add([best[1]], [j], RULE_AMOUNT_DATE)

    # ------------------------------------------------------------------ rule 3
    def _by_sums(self, ones, ones_used, manys, manys_used, their_is_one):
        """One entry of ``ones`` equal to the sum of several entries of ``manys``, same sign."""
        by_sign = {True: [], False: []}
        for i, entry in enumerate(manys):
            if not manys_used[i]:
                by_sign[entry.amount >= 0].append(i)
        arrays = {}
        for sign, idx in by_sign.items():
            idx.sort(key=lambda i: manys[i].date)
            arrays[sign] = (idx, [manys[i].date for i in idx])
        limit = self.sum_candidates
        for j in sorted(
            (j for j in range(len(ones)) if not ones_used[j]), key=lambda j: ones[j].date
        ):
            if self.budget <= 0:
                return
            entry = ones[j]
            target = abs(entry.amount)
            idx, dates = arrays[entry.amount >= 0]
            if len(idx) < 2:
                continue
            # The nearest unused candidates in date, smaller than the target, within the window.
            pos = bisect_left(dates, entry.date)
            left, right = pos - 1, pos
            picked = []
            steps = 0
            while len(picked) < limit and steps < 4 * limit and (left >= 0 or right < len(idx)):
                steps += 1
                take_left = right >= len(idx) or (
                    left >= 0 and entry.date - dates[left] <= dates[right] - entry.date
                )
                k = left if take_left else right
                if abs(dates[k] - entry.date) > self.sum_window:
                    if take_left:
                        left = -1
                    else:
                        right = len(idx)
                    continue
                if take_left:
                    left -= 1
                else:
                    right += 1
                i = idx[k]
                if not manys_used[i] and 0 < abs(manys[i].amount) < target:
                    picked.append(i)
            if len(picked) < 2:
                continue
            picked.sort(key=lambda i: -abs(manys[i].amount))
            found = self._subset_sum([abs(manys[i].amount) for i in picked], target)
            if found:
                members = sorted((picked[k] for k in found), key=lambda i: manys[i].date)
                if their_is_one:
                    self._add(members, [j], RULE_SUM)
                else:
                    self._add([j], members, RULE_SUM)

    def _subset_sum(self, values, target):
        """Positions of 2..max items of ``values`` summing exactly to ``target``.

        Meet in the middle: the sums of every subset of one to three candidates are indexed,
        then a subset of n items is looked up as two disjoint halves. With 12 candidates that
        is a few hundred dictionary operations, whatever the amounts.
        """
        self.budget -= 1
        halves = {1: defaultdict(list), 2: defaultdict(list), 3: defaultdict(list)}
        n = len(values)
        for a in range(n):
            halves[1][values[a]].append((a,))
            for b in range(a + 1, n):
                ab = values[a] + values[b]
                if ab > target:
                    continue
                halves[2][ab].append((a, b))
                for c in range(b + 1, n):
                    abc = ab + values[c]
                    if abc <= target:
                        halves[3][abc].append((a, b, c))
        for size in range(2, min(self.sum_max_items, 6) + 1):
            if size <= 3 and target in halves[size]:
                return halves[size][target][0]
            for small in range(1, size // 2 + 1):
                large = size - small
                if large > 3:
                    continue
                for total, subsets in halves[small].items():
                    for other in halves[large].get(target - total, ()):
                        for subset in subsets:
                            if not set(subset) & set(other):
                                return subset + other
        return None

    # ------------------------------------------------------------------ rule 4
    def in_order(self, groups, size):
        """``groups`` (those of ``run``) and the leftovers of both sides, by first date, then
        first entry of ours (none first), then of theirs: lists of at most ``size`` groups, the
        leftovers built as their list comes. The order is one integer a group (``order_key``)."""
        ours, theirs = self.ours, self.theirs
        by_key = {}
        for group in groups:
            day = min([ours[i].date for i in group.ours] + [theirs[j].date for j in group.theirs])
            first_ours = group.ours[0] if group.ours else None
            by_key[order_key(day, first_ours, group.theirs[0] if group.theirs else None)] = group
        keys = array("q", by_key)
        keys.extend(order_key(ours[i].date, i, None) for i in self.unmatched(True))
        keys.extend(order_key(theirs[j].date, None, j) for j in self.unmatched(False))
        keys = array("q", sorted(keys))
        for start in range(0, len(keys), size):
            batch = []
            for key in keys[start : start + size]:
                group = by_key.get(key)
                if group is None:
                    our, their = key_indexes(key)
                    group = (
                        self.leftover(True, our) if their is None else self.leftover(False, their)
                    )
                batch.append(group)
            yield batch

    def unmatched(self, ours):
        """Indexes of the entries of ours (``ours`` True) or theirs in no group of ``run``."""
        used = self.our_used if ours else self.their_used
        return [k for k, flag in enumerate(used) if not flag]

    def leftover(self, ours, k):
        """The group of entry ``k`` of ours (``ours`` True) or theirs, in no other group."""
        entry = (self.ours if ours else self.theirs)[k]
        duplicate = bool(entry.keys) and self._seen(ours).get((entry.keys[0], entry.amount), 0) > 1
        if ours:
            return Group(ONLY_OURS, RULE_NONE, (k,), (), entry.amount, 0, duplicate=duplicate)
        return Group(ONLY_THEIRS, RULE_NONE, (), (k,), 0, entry.amount, duplicate=duplicate)

    def _seen(self, ours):
        """A document number twice with the same amount on one side is a duplicate: how often
        each (number, amount) is on a side, for the numbers seen more than once."""
        if ours not in self._duplicates:
            side = self.ours if ours else self.theirs
            numbers = Counter(entry.keys[0] for entry in side if entry.keys)
            self._duplicates[ours] = Counter(
                (entry.keys[0], entry.amount)
                for entry in side
                if entry.keys and numbers[entry.keys[0]] > 1
            )
        return self._duplicates[ours]
