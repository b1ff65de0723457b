"""The ledger matcher (pure Python, no database): each rule, and synthetic ledgers made from a
statement with injected differences of every kind."""

import random
from datetime import date

import pytest

from odoo.addons.customer_reconciliation.tools.customer_ledger import matching as lm

D = date(2026, 10, 1).toordinal()


def E(day, amount, *refs, kind=None):
    return lm.Entry(D + day, amount, refs, kind)


def by_entry(groups):
    """{('o', i) or ('t', j): group} and the check that each entry is in exactly one group."""
    seen = {}
    for group in groups:
        for i in group.ours:
            assert ("o", i) not in seen
            seen[("o", i)] = group
        for j in group.theirs:
            assert ("t", j) not in seen
            seen[("t", j)] = group
    return seen


# ---------------------------------------------------------------------- references
@pytest.mark.parametrize(
    "text",
    [
        "INV/2026/00412",
        "inv/2026/00412",
        "INV-2026-00412",
        "INV 2026 00412",
        " INV/2026/412 ",
        "ＩＮＶ／２０２６／００４１２",
        "No. INV/2026/00412",
        "NO.INV-2026-00412",
        "发票号：INV/2026/00412",
        "#INV2026/00412",
    ],
)
def test_normalize_ref(text):
    assert lm.normalize_ref(text) == "INV|2026|412"


def test_references_without_a_number_are_ignored():
    assert (
        lm.normalize_ref("付款") == ""
        and lm.normalize_ref("记-9") == ""
        and lm.normalize_ref(None) == ""
    )
    assert lm.reference_keys("收到 INV/2026/00412 货款") == ["INV|2026|412"]


def test_reference_match_ignores_the_sign_of_other_documents():
    # Our payment carries the invoice number as memo: their invoice line goes to our invoice.
    ours = [E(0, 113000, "INV/2026/00412"), E(5, -113000, "PBNK1/2026/00007", "INV/2026/00412")]
    theirs = [E(2, -113000, "付 INV/2026/00412"), E(1, 113000, "inv-2026-412")]
    groups = lm.match(ours, theirs)
    seen = by_entry(groups)
    assert seen[("o", 0)] is seen[("t", 1)] and seen[("o", 0)].status == lm.MATCHED
    assert seen[("o", 1)] is seen[("t", 0)] and seen[("o", 1)].rule == lm.RULE_REFERENCE


def test_amount_difference_on_the_same_document():
    [group] = lm.match([E(0, 123000, "INV/2026/00398")], [E(1, 120000, "INV-2026-00398")])
    assert (group.status, group.amount_differs, group.date_differs, group.difference) == (
        lm.DIFFERENCE,
        True,
        False,
        -3000,
    )


COMPACT_FORMS = [
    "INV202600469",
    "inv202600469",
    "NO.inv202600469",
    "No. INV-2026-00469",
    "ＩＮＶ２０２６００４６９",
]


@pytest.mark.parametrize("text", COMPACT_FORMS)
def test_compact_key(text):
    assert lm.normalize_ref(text, "") == lm.normalize_ref("INV/2026/00469", "") == "INV202600469"


@pytest.mark.parametrize("text", COMPACT_FORMS)
def test_number_written_without_separators_matches_by_reference(text):
    # Their export writes our INV/2026/00469 without separators, with another amount.
    ours = [
        E(0, 50000, "INV/2026/00468"),
        E(0, 113000, "INV/2026/00469"),
        E(1, 7000, "INV/2026/470"),
    ]
    groups = lm.match(ours, [E(2, 110000, text)])
    seen = by_entry(groups)
    group = seen[("t", 0)]
    assert (group.ours, group.status, group.rule, group.amount_differs, group.difference) == (
        (1,),
        lm.DIFFERENCE,
        lm.RULE_REFERENCE,
        True,
        -3000,
    )


def test_compact_reference_keeps_the_zeros_inside_the_number():
    # INV2026469 is not INV/2026/00469 written without separators: no match by reference.
    groups = lm.match([E(0, 113000, "INV/2026/00469")], [E(1, 110000, "INV2026469")])
    assert sorted(g.status for g in groups) == [lm.ONLY_OURS, lm.ONLY_THEIRS]


def test_ambiguous_compact_reference_matches_neither():
    [alone] = lm.match([E(0, 10000, "AB/12/345")], [E(1, 9000, "AB12345")])
    assert (alone.status, alone.rule) == (lm.DIFFERENCE, lm.RULE_REFERENCE)
    # AB/12/345 and AB1/2345 both read AB12345: which one they mean is a guess.
    ours = [E(0, 10000, "AB/12/345"), E(0, 20000, "AB1/2345")]
    groups = lm.match(ours, [E(1, 9000, "AB12345")])
    assert all(g.rule == lm.RULE_NONE for g in groups) and len(groups) == 3
    # A document of the other side of the account does not make it ambiguous.
    ours = [E(0, 10000, "AB/12/345"), E(0, -20000, "AB1/2345")]
    seen = by_entry(lm.match(ours, [E(1, 9000, "AB12345")]))
    assert seen[("t", 0)] is seen[("o", 0)] and seen[("t", 0)].rule == lm.RULE_REFERENCE


def test_full_reference_goes_first():
    # Both lines of theirs are about our invoice: the one with the same number gets it.
    theirs = [E(1, 90000, "INV202600469"), E(2, 113000, "INV/2026/00469")]
    seen = by_entry(lm.match([E(0, 113000, "INV/2026/00469")], theirs))
    assert seen[("o", 0)] is seen[("t", 1)] and seen[("o", 0)].status == lm.MATCHED
    assert seen[("t", 0)].status == lm.ONLY_THEIRS


def test_date_beyond_tolerance():
    [group] = lm.match([E(0, 5000, "INV/1/0001")], [E(20, 5000, "INV/1/0001")], date_tolerance=7)
    assert (group.status, group.date_differs, group.amount_differs, group.day_diff) == (
        lm.DIFFERENCE,
        True,
        False,
        20,
    )
    [group] = lm.match([E(0, 5000, "INV/1/0001")], [E(7, 5000, "INV/1/0001")], date_tolerance=7)
    assert group.status == lm.MATCHED


def test_amount_and_date_without_reference():
    groups = lm.match([E(0, 5000), E(3, 5000), E(40, 777)], [E(4, 5000), E(1, 5000), E(80, 777)])
    seen = by_entry(groups)
    assert {seen[("o", 0)].status, seen[("o", 1)].status} == {lm.MATCHED}
    # 777 forty days apart: same amount, dates beyond the tolerance but within the window.
    assert seen[("o", 2)] is seen[("t", 2)] and seen[("o", 2)].date_differs


def test_amount_tolerance():
    groups = lm.match([E(0, 10000)], [E(1, 10001)], amount_tolerance=1)
    assert [g.status for g in groups] == [lm.MATCHED]
    groups = lm.match([E(0, 10000)], [E(1, 10001)])
    assert sorted(g.status for g in groups) == [lm.ONLY_OURS, lm.ONLY_THEIRS]


def test_one_payment_of_theirs_for_several_of_ours():
    ours = [
        E(0, -30000, "PBNK1/2026/00001"),
        E(1, -45000, "PBNK1/2026/00002"),
        E(1, -25000, "PBNK1/2026/00003"),
        E(2, -99999, "PBNK1/2026/00004"),
    ]
    theirs = [E(3, -100000, "FK-0088"), E(2, -99999, "PBNK1/2026/00004")]
    seen = by_entry(lm.match(ours, theirs))
    group = seen[("t", 0)]
    assert (group.status, group.rule, sorted(group.ours)) == (lm.MATCHED, lm.RULE_SUM, [0, 1, 2])


def test_one_of_ours_booked_as_several_of_theirs():
    ours = [E(0, 250000, "INV/2026/00001")]
    theirs = [E(2, 100000, "进项 A"), E(2, 100000, "进项 B"), E(3, 50000, "运费")]
    [group] = lm.match(ours, theirs)
    assert (group.status, group.rule, sorted(group.theirs)) == (lm.MATCHED, lm.RULE_SUM, [0, 1, 2])


def test_same_reference_split_on_their_side():
    [group] = lm.match(
        [E(0, 113000, "INV/2026/00412")],
        [E(1, 100000, "INV/2026/00412"), E(1, 13000, "INV/2026/00412 税额")],
    )
    assert (group.status, group.rule, len(group.theirs)) == (lm.MATCHED, lm.RULE_REFERENCE, 2)


def test_only_ours_only_theirs_and_duplicates():
    ours = [E(0, 113000, "INV/2026/00001"), E(2, 5000, "INV/2026/00002")]
    theirs = [E(1, 113000, "INV/2026/00001"), E(1, 113000, "INV/2026/00001"), E(9, -70000, "FK-1")]
    seen = by_entry(lm.match(ours, theirs))
    assert seen[("o", 1)].status == lm.ONLY_OURS and not seen[("o", 1)].duplicate
    twice = [seen[("t", 0)], seen[("t", 1)]]
    assert sorted(g.status for g in twice) == [lm.MATCHED, lm.ONLY_THEIRS]
    assert [g.duplicate for g in twice if g.status == lm.ONLY_THEIRS] == [True]
    assert seen[("t", 2)].status == lm.ONLY_THEIRS and not seen[("t", 2)].duplicate


def test_guess_sign():
    ours = [113000, -5000, 2000]
    assert lm.guess_sign(ours, [-113000, 5000, 1]) == -1
    assert lm.guess_sign(ours, [113000, -5000]) == 1
    assert lm.guess_sign(ours, []) == -1


def test_sum_search_is_bounded(monkeypatch):
    # Many candidates and no solution: the search stops at its budget instead of exploding.
    searches = []
    subset_sum = lm.Matcher._subset_sum

    def counted(self, values, target):
        searches.append(target)
        return subset_sum(self, values, target)

    monkeypatch.setattr(lm.Matcher, "_subset_sum", counted)
    rnd = random.Random(1)
    ours = [E(rnd.randint(0, 5), rnd.randint(1, 10**6)) for _n in range(3000)]
    theirs = [E(rnd.randint(0, 5), 10**7 + rnd.randint(1, 10**6)) for _n in range(3000)]
    groups = lm.match(ours, theirs, sum_budget=500)
    assert sum(len(g.ours) for g in groups) == 3000 and sum(len(g.theirs) for g in groups) == 3000
    # The budget is what stopped it: without it there would be a search for every line.
    assert len(searches) == 500
    searches.clear()
    lm.match(ours[:1000], theirs[:1000], sum_budget=10**9)
    assert len(searches) > 500


# ---------------------------------------------------------------------- synthetic ledgers
STYLES = [
    lambda ref: ref,
    lambda ref: ref.replace("/", "-").lower(),
    lambda ref: "No. " + ref.replace("/", " "),
    lambda ref: ref.translate(str.maketrans("0123456789/", "０１２３４５６７８９／")),
    lambda ref: f"收到发票{ref}",
]


def make_statement(rnd, count):
    """Our lines in date order: invoices, credit notes and payments (memo = an invoice number)."""
    ours = []
    for n in range(count):
        day = n * 90 // count
        roll = rnd.random()
        if roll < 0.6:
            ours.append(
                E(
                    day,
                    rnd.randint(10_000, 5_000_000),
                    f"INV/2026/{n:05d}",
                    f"PO{rnd.randint(100, 999)}",
                    kind="invoice",
                )
            )
        elif roll < 0.7:
            ours.append(
                E(day, -rnd.randint(1_000, 500_000), f"RINV/2026/{n:05d}", kind="credit_note")
            )
        else:
            ours.append(
                E(
                    day,
                    -rnd.randint(10_000, 5_000_000),
                    f"PBNK1/2026/{n:05d}",
                    f"INV/2026/{max(n - 3, 0):05d}",
                    kind="payment",
                )
            )
    return ours


def make_their_ledger(rnd, ours):
    """Their ledger made from ours with injected differences; returns it and the expectations."""
    theirs, expect = [], {}
    n, count = 0, len(ours)
    plan = ["missing", "amount", "date", "split", "merge", "renamed"] * 4
    positions = sorted(rnd.sample(range(5, count - 5, 6), len(plan)))
    injected = dict(zip(positions, rnd.sample(plan, len(plan)), strict=True))

    def copy(entry, **changes):
        ref = entry.refs[0]
        theirs.append(
            lm.Entry(
                changes.get("date", entry.date + rnd.randint(0, 3)),
                changes.get("amount", entry.amount),
                changes.get("refs", (rnd.choice(STYLES)(ref),)),
            )
        )
        return len(theirs) - 1

    while n < count:
        entry, kind = ours[n], injected.get(n)
        if kind == "missing":
            expect[("o", n)] = (lm.ONLY_OURS, None)
        elif kind == "amount":
            j = copy(entry, amount=entry.amount + rnd.choice([-1, 1]) * rnd.randint(100, 99_999))
            expect[("o", n)] = expect[("t", j)] = (lm.DIFFERENCE, "amount")
        elif kind == "date":
            j = copy(entry, date=entry.date + rnd.choice([-1, 1]) * rnd.randint(15, 45))
            expect[("o", n)] = expect[("t", j)] = (lm.DIFFERENCE, "date")
        elif kind == "split" and all((o.amount > 0) == (entry.amount > 0) for o in ours[n : n + 3]):
            # They booked three of our lines as one (one payment for three invoices...).
            j = copy(
                entry,
                amount=sum(o.amount for o in ours[n : n + 3]),
                refs=("合并",),
                date=max(o.date for o in ours[n : n + 3]) + 1,
            )
            for k in range(n, n + 3):
                expect[("o", k)] = (lm.MATCHED, "sum")
            expect[("t", j)] = (lm.MATCHED, "sum")
            n += 3
            continue
        elif kind == "merge":
            # They booked one of ours as two lines without our number.
            first = entry.amount // 3
            j1 = copy(entry, amount=first, refs=("part one",))
            j2 = copy(entry, amount=entry.amount - first, refs=("part two",))
            expect[("o", n)] = expect[("t", j1)] = expect[("t", j2)] = (lm.MATCHED, "sum")
        elif kind == "renamed":
            j = copy(entry, refs=(f"THEIR-{rnd.randint(10**6, 10**7)}",))
            expect[("o", n)] = expect[("t", j)] = (lm.MATCHED, "amount_date")
        else:
            copy(entry)
        n += 1
    for _k in range(4):
        theirs.append(
            lm.Entry(
                ours[0].date + rnd.randint(0, 90), -rnd.randint(10_000, 900_000), ("银行付款",)
            )
        )
        expect[("t", len(theirs) - 1)] = (lm.ONLY_THEIRS, None)
    order = list(range(len(theirs)))
    rnd.shuffle(order)
    shuffled = [theirs[j] for j in order]
    position = {old: new for new, old in enumerate(order)}
    expect = {
        (side, position[k] if side == "t" else k): value for (side, k), value in expect.items()
    }
    return shuffled, expect


@pytest.mark.parametrize("seed", range(8))
def test_synthetic_ledger_every_injected_difference_is_found(seed):
    rnd = random.Random(seed)
    ours = make_statement(rnd, 400)
    theirs, expect = make_their_ledger(rnd, ours)
    groups = lm.match(ours, theirs)
    seen = by_entry(groups)
    assert len(seen) == len(ours) + len(theirs)
    for key, group in seen.items():
        status, detail = expect.get(key, (lm.MATCHED, None))
        assert group.status == status, (key, group, detail)
        if detail == "amount":
            assert group.amount_differs and not group.date_differs
        elif detail == "date":
            assert group.date_differs and not group.amount_differs
        elif detail == "sum":
            assert group.rule == lm.RULE_SUM, (key, group)
        elif detail == "amount_date":
            assert group.rule == lm.RULE_AMOUNT_DATE
    flagged = [g for g in groups if g.status != lm.MATCHED]
    expected_flags = {key for key, (status, _detail) in expect.items() if status != lm.MATCHED}
    assert {
        key for g in flagged for key in [("o", i) for i in g.ours] + [("t", j) for j in g.theirs]
    } == expected_flags


COMPACT_STYLES = [
    lambda ref: ref.replace("/", ""),
    lambda ref: ref.replace("/", "").lower(),
    lambda ref: "NO." + ref.replace("/", "").lower(),
    lambda ref: ref.replace("/", "").translate(
        str.maketrans("INV0123456789", "ＩＮＶ０１２３４５６７８９")
    ),
    lambda ref: f"发票号:{ref.replace('/', '')}",
]


def test_synthetic_ledger_compact_references_find_every_amount_difference():
    # A customer's ledger with our numbers written without separators and 49 amounts changed.
    rnd = random.Random(49)
    ours = [
        E(n // 2, rnd.randint(10_000, 5_000_000), f"INV/2026/{n:05d}", kind="invoice")
        for n in range(400, 520)
    ]
    changed = set(rnd.sample(range(len(ours)), 49))
    theirs, pairs = [], {}
    for i in rnd.sample(range(len(ours)), len(ours)):
        delta = rnd.choice([-1, 1]) * rnd.randint(100, 99_999) if i in changed else 0
        ref = rnd.choice(COMPACT_STYLES)(ours[i].refs[0])
        theirs.append(lm.Entry(ours[i].date + rnd.randint(0, 3), ours[i].amount + delta, (ref,)))
        pairs[i] = len(theirs) - 1
    groups = lm.match(ours, theirs)
    assert len(groups) == len(ours)
    differences = [g for g in groups if g.status == lm.DIFFERENCE]
    assert sorted(g.ours[0] for g in differences) == sorted(changed)
    for group in groups:
        assert group.rule == lm.RULE_REFERENCE and group.theirs == (pairs[group.ours[0]],)
        assert group.amount_differs == (group.ours[0] in changed) and not group.date_differs


# ---------------------------------------------------------------------- order and leftovers
def test_order_keys_sort_as_the_groups_read():
    rnd = random.Random(5)
    triples = {
        (
            D + rnd.randint(-400, 400),
            rnd.choice([None, rnd.randint(0, 3000)]),
            rnd.randint(0, 200_000),
        )
        for _n in range(5000)
    } | {(D, 7, None), (D, None, 0), (D, 0, 0)}
    for day, our, their in triples:
        assert lm.key_indexes(lm.order_key(day, our, their)) == (our, their)

    def as_read(triple):  # by day, then our first line (none first), then theirs
        day, our, their = triple
        return (day, [] if our is None else [our], [] if their is None else [their])

    assert sorted(triples, key=lambda t: lm.order_key(*t)) == sorted(triples, key=as_read)


def test_leftovers_are_built_when_asked_for():
    ours = [E(0, 100, "INV/101"), E(1, 200, "INV/202"), E(2, 300, "INV/303"), E(3, 300, "INV/303")]
    theirs = [E(0, 100, "inv-101"), E(9, 999, "CG-777"), E(9, 999, "CG-777"), E(40, 5)]
    matcher = lm.Matcher(ours, theirs)
    found = matcher.run()
    assert [(g.ours, g.theirs) for g in found] == [((0,), (0,))]
    assert matcher.unmatched(True) == [1, 2, 3] and matcher.unmatched(False) == [1, 2, 3]
    lazy = [matcher.leftover(False, j) for j in matcher.unmatched(False)]
    assert [(g.status, g.theirs, g.their_amount, g.duplicate) for g in lazy] == [
        (lm.ONLY_THEIRS, (1,), 999, True),
        (lm.ONLY_THEIRS, (2,), 999, True),
        (lm.ONLY_THEIRS, (3,), 5, False),
    ]
    assert matcher.leftover(True, 2).duplicate and not matcher.leftover(True, 1).duplicate
    # match() is the same: the rules' groups, then the leftovers of ours, then of theirs.
    whole = lm.match(
        [E(0, 100, "INV/101"), E(1, 200, "INV/202"), E(2, 300, "INV/303"), E(3, 300, "INV/303")],
        [E(0, 100, "inv-101"), E(9, 999, "CG-777"), E(9, 999, "CG-777"), E(40, 5)],
    )
    assert [(g.status, g.ours, g.theirs, g.duplicate) for g in whole] == [
        (g.status, g.ours, g.theirs, g.duplicate)
        for g in found + [matcher.leftover(True, i) for i in (1, 2, 3)] + lazy
    ]
