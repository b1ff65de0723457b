"""Benchmark of the ledger matcher: 50,000 of our lines against 50,000 of the customer's.

Pure Python, no Odoo and no database:

    python3 bench/bench_matching.py [--lines 50000] [--seed 7] [--tracemalloc]

Generates our lines (invoices, credit notes, payments over a year) and the customer's ledger
made from them with a realistic mix of differences, runs the matcher and prints the time, the
peak memory (RSS growth; ``--tracemalloc`` for Python allocations, slower) and the count per
class. The target is at most 5 s. Exit status 1 when the target is missed.
"""

import argparse
import importlib.util
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date
from pathlib import Path

TARGET_SECONDS = 5.0

_PATH = (
    Path(__file__).resolve().parent.parent
    / "customer_reconciliation"
    / "tools"
    / "customer_ledger"
    / "matching.py"
)
# The matcher is pure Python: loaded from its file, without Odoo.
_spec = importlib.util.spec_from_file_location("matching", _PATH)
lm = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lm)


def make_ledgers(count, seed):
    """Our lines and theirs: 90% identical (references in their own style), the rest differ."""
    rnd = random.Random(seed)
    start = date(2026, 1, 1).toordinal()
    ours, theirs = [], []
    for n in range(count):
        day = start + n * 365 // count + rnd.randint(0, 2)  # in date order, as a statement is
        roll = rnd.random()
        if roll < 0.6:
            ours.append(
                lm.Entry(day, rnd.randint(1_000, 5_000_000), (f"INV/2026/{n:06d}", f"PO-{n % 997}"))
            )
        elif roll < 0.7:
            ours.append(lm.Entry(day, -rnd.randint(1_000, 500_000), (f"RINV/2026/{n:06d}", None)))
        else:
            ours.append(
                lm.Entry(day, -rnd.randint(1_000, 5_000_000), (f"PBNK1/2026/{n:06d}", f"memo {n}"))
            )
    styles = [
        lambda ref: ref,
        lambda ref: ref.replace("/", "-").lower(),
        lambda ref: "No. " + ref.replace("/", " "),
        lambda ref: ref.translate(str.maketrans("0123456789/", "０１２３４５６７８９／")),
    ]
    counts = Counter()
    k = 0
    while k < len(ours):
        entry = ours[k]
        ref = entry.refs[0]
        roll = rnd.random()
        if roll < 0.02:
            counts["missing in theirs"] += 1
        elif roll < 0.035:
            theirs.append(
                lm.Entry(
                    entry.date + 1,
                    entry.amount + rnd.choice([-1, 1]) * rnd.randint(100, 9_900),
                    (rnd.choice(styles)(ref), None),
                )
            )
            counts["amount changed"] += 1
        elif roll < 0.05:
            theirs.append(
                lm.Entry(
                    entry.date + rnd.choice([-1, 1]) * rnd.randint(10, 40),
                    entry.amount,
                    (None, f"摘要 {rnd.choice(styles)(ref)} 货款"),
                )
            )
            counts["date shifted"] += 1
        elif (
            roll < 0.06
            and k + 2 < len(ours)
            and all((o.amount >= 0) == (entry.amount >= 0) for o in ours[k : k + 3])
        ):
            group = ours[k : k + 3]
            theirs.append(
                lm.Entry(
                    max(o.date for o in group) + 2, sum(o.amount for o in group), (None, "合并付款")
                )
            )
            counts["three in one"] += 1
            k += 3
            continue
        elif roll < 0.08:
            theirs.append(
                lm.Entry(
                    entry.date + rnd.randint(0, 3),
                    entry.amount,
                    (f"X{rnd.randint(1, 99999)}", None),
                )
            )
            counts["renamed reference"] += 1
        else:
            theirs.append(
                lm.Entry(
                    entry.date + rnd.randint(0, 3), entry.amount, (rnd.choice(styles)(ref), None)
                )
            )
        k += 1
    extra = count - len(theirs)
    for n in range(max(extra, 0)):
        theirs.append(
            lm.Entry(
                start + rnd.randint(0, 364), -rnd.randint(1_000, 900_000), (f"FK{n:07d}", "付款")
            )
        )
    counts["only in theirs"] = max(extra, 0)
    rnd.shuffle(theirs)
    return ours, theirs, counts


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--tracemalloc", action="store_true", help="measure Python allocations (slower)"
    )
    args = parser.parse_args(argv)
    ours, theirs, injected = make_ledgers(args.lines, args.seed)
    print(f"ours: {len(ours):,} lines, theirs: {len(theirs):,} lines")
    print("injected:", ", ".join(f"{name} {n:,}" for name, n in sorted(injected.items())))
    if args.tracemalloc:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    groups = lm.match(ours, theirs)
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    counts = Counter(group.status for group in groups)
    rules = Counter((group.status, group.rule) for group in groups)
    print(f"matching time: {elapsed:.2f} s (target <= {TARGET_SECONDS:.0f} s)")
    print(
        f"peak RSS: {rss_after / 1024:.0f} MB (growth during matching {(rss_after - rss_before) / 1024:.0f} MB)"
    )
    if args.tracemalloc:
        _current, peak = tracemalloc.get_traced_memory()
        print(f"tracemalloc peak: {peak / 1024 / 1024:.0f} MB")
    for status in (lm.MATCHED, lm.DIFFERENCE, lm.ONLY_OURS, lm.ONLY_THEIRS):
        detail = ", ".join(
            f"{rule} {n:,}" for (st, rule), n in sorted(rules.items()) if st == status
        )
        print(f"  {status:<12} {counts[status]:>7,}  ({detail})")
    assert sum(len(g.ours) for g in groups) == len(ours) and sum(
        len(g.theirs) for g in groups
    ) == len(theirs)
    return 0 if elapsed <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
