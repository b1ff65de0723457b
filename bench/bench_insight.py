"""Benchmark of the receivables insight: the month-end backfill and the nightly refresh.

    python3 bench/bench_insight.py --config CONF [--customers 10000] [--items 100]
                                   [--reuse [--skip-backfill]] [--keep] [--skip-small]

Run by ``make bench`` (scripts/bench.sh) with its defaults. The issue "Receivables insight"
asks: refreshing all figures and running every alert rule for 10,000 customers with
1,000,000 journal items takes at most 60 s and 1 GiB, with a number of queries that does not
depend on the number of customers. Steps:

1. build a scratch database with customer_reconciliation only (bench.py's set-based ledger:
   invoices, full and partial payments, open items) of N customers x M receivable items
   spread over the 26 months ending last month, so that the 24 month ends of the history
   have items before them and the 12-month windows of the figures are full;
2. the install-time backfill of the 24 month ends (``snapshot._backfill()``): timed, for
   information (it runs once, on install or upgrade);
3. the nightly refresh, the scheduled action itself (``insight._cron_refresh()``: the last
   closed month end, every customer's figures and, when they exist, the alert rules): time,
   peak RSS and number of SQL queries, against the targets;
4. the same on a database of 1,000 customers x M items (backfilled first, as after an
   install): its number of queries must be the same.

Each measurement runs in its own fresh Python process (bench.py's ``in_worker``), so it starts
from a cold Odoo environment and its peak RSS is its own. It is a benchmark, not a test: it
exits 0 when a target is missed and prints MISSED.
"""

import argparse
import os
import sys
import time
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench as base  # noqa: E402 - bench.py is a script beside this one, not a package

TARGET_SECONDS = 60
TARGET_MEMORY_MIB = 1024
HISTORY_MONTHS = 26  # of journal items: the 24 month ends of the snapshots and 2 before
SMALL_CUSTOMERS = 1000


# --------------------------------------------------------------------------- arguments
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument(
        "--db",
        default="cr_bench_insight",
        help="scratch database, dropped and rebuilt (default: %(default)s; the small one "
        "is the same name with _small)",
    )
    parser.add_argument("--customers", type=int, default=10000, help="default: %(default)s")
    parser.add_argument(
        "--items",
        type=int,
        default=100,
        help="receivable journal items per customer (default: %(default)s)",
    )
    parser.add_argument(
        "--small-customers",
        type=int,
        default=SMALL_CUSTOMERS,
        help="customers of the database that compares the number of queries (default: %(default)s)",
    )
    parser.add_argument(
        "--skip-small",
        action="store_true",
        help="do not build nor measure the small database (no comparison of the queries)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the databases left by an earlier --keep run as they are, instead of "
        "rebuilding them (--customers and --items are then ignored); a reused database "
        "is kept at the end",
    )
    parser.add_argument(
        "--skip-backfill",
        action="store_true",
        help="with --reuse, do not measure the backfill again when the database has its "
        "snapshots (the refresh is measured on them)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the databases at the end (default: drop them, unless --reuse found them)",
    )
    args = parser.parse_args(argv)
    args.config = os.path.abspath(args.config)
    if not os.path.isfile(args.config):
        parser.error(f"no such configuration file: {args.config}")
    if args.customers < 1 or args.items < 1 or args.small_customers < 1:
        parser.error("--customers, --small-customers and --items must be at least 1")
    return args


def ledger_args(args, db, customers):
    """The arguments bench.py's build_database reads, for ``db``: customer_reconciliation
    only, items from the first day of the 26th month back to the end of last month."""
    last = date.today().replace(day=1) - timedelta(days=1)
    first = last.replace(day=1) - relativedelta(months=HISTORY_MONTHS - 1)
    return argparse.Namespace(
        config=args.config,
        db=db,
        customers=customers,
        items=args.items,
        date_from=first,
        date_to=last,
        reuse=args.reuse,
        skip_oca=True,
    )


# --------------------------------------------------------------------------- workers
def build_database(largs):
    """Worker: bench.py's database and ledger, then whether its month ends are backfilled."""
    data = base.build_database(largs)
    with base.odoo_env(largs.db) as env:
        env.cr.execute("SELECT count(*) FROM customer_reconciliation_snapshot")
        data["snapshots"] = env.cr.fetchone()[0]
    return data


def _measure(largs, run):
    """Run ``run(env)`` timed and committed; its time, queries, peak RSS and CPU share."""
    base.configure_odoo(largs.config)
    with base.odoo_env(largs.db) as env:
        env.cr.commit()
        cpu_before = base.cpu_times()
        rss_before = base.peak_rss_mib()
        queries_before = base.query_count()
        started = time.perf_counter()
        run(env)
        env.flush_all()
        env.cr.commit()
        seconds = time.perf_counter() - started
        result = {
            "seconds": seconds,
            "queries": base.query_count() - queries_before,
            "rss_before": rss_before,
            "rss_peak": base.peak_rss_mib(),
            "busy": base.machine_busy(cpu_before),
        }
        result.update(_counts(env))
    return result


def _counts(env):
    env.cr.execute("""
        SELECT (SELECT count(*) FROM customer_reconciliation_snapshot),
               (SELECT count(DISTINCT date) FROM customer_reconciliation_snapshot),
               (SELECT count(*) FROM customer_reconciliation_insight),
               (SELECT count(*) FROM customer_reconciliation_alert WHERE state <> 'resolved'),
               (SELECT count(*) FROM mail_activity
                 WHERE res_model = 'customer.reconciliation.alert')
    """)
    snapshots, month_ends, insights, alerts, activities = env.cr.fetchone()
    return {
        "snapshots": snapshots,
        "month_ends": month_ends,
        "insights": insights,
        "alerts": alerts,
        "activities": activities,
    }


def _backfill(env):
    env["customer.reconciliation.snapshot"]._backfill()


def _cron_refresh(env):
    env["customer.reconciliation.insight"]._cron_refresh()


def measure_backfill(largs):
    """Worker: the install-time backfill of the 24 month ends, from no snapshot at all."""
    base.configure_odoo(largs.config)
    with base.odoo_env(largs.db) as env:
        env.cr.execute("DELETE FROM customer_reconciliation_snapshot")
    return _measure(largs, _backfill)


def measure_refresh(largs):
    """Worker: the scheduled action of the nightly refresh, on a backfilled database, as on its
    first night: the alerts of an earlier run (--reuse) are deleted, so every alert is new and
    gets its activity (the administrator approves the statements: every alert has a
    responsible)."""
    base.configure_odoo(largs.config)
    with base.odoo_env(largs.db) as env:
        env.ref("base.main_company").reconciliation_approver_id = env.ref("base.user_admin")
        env.cr.execute(
            "DELETE FROM mail_activity WHERE res_model = 'customer.reconciliation.alert';"
            "DELETE FROM customer_reconciliation_alert"
        )
    return _measure(largs, _cron_refresh)


def drop_database_worker(largs):
    base.configure_odoo(largs.config)
    base.drop_database(largs.db)


def database_exists_worker(largs):
    base.configure_odoo(largs.config)
    return base.database_exists(largs.db)


# --------------------------------------------------------------------------- report
def verdict(ok):
    return "MET" if ok else "MISSED"


def describe(data):
    return (
        f"{data['customers']} customers x {data['items'] / max(data['customers'], 1):g} items = "
        f"{data['items']} receivable items ({data['invoices']} invoices), "
        f"{data['partials']} partials ({data['full_partials']} in full reconciliations), "
        f"dated {data['first_date']}..{data['last_date']}"
    )


def run_text(run):
    return (
        f"{run['seconds']:.1f} s, {run['queries']} queries, peak RSS {run['rss_peak']:.0f} MiB "
        f"(+{run['rss_peak'] - run['rss_before']:.0f} MiB)"
    )


def print_summary(data, backfill, refresh, small_data, small_backfill, small_refresh):
    print()
    print("customer_reconciliation receivables insight benchmark")
    print(f"data: {describe(data)}")
    if "generation_seconds" in data:
        print(
            f"      generated in {data['generation_seconds']:.1f} s by SQL "
            f"(database and module installed in {data['install_seconds']:.1f} s; not measured)"
        )
    if backfill:
        print(
            f"backfill (install, for information): {backfill['month_ends']} month ends, "
            f"{backfill['snapshots']} snapshots in {run_text(backfill)}"
        )
    print(
        f"nightly refresh (_cron_refresh): {refresh['insights']} customers' figures, "
        f"{refresh['alerts']} open alerts ({refresh['activities']} activities) in "
        f"{run_text(refresh)}"
    )
    if small_refresh:
        print(f"small data: {describe(small_data)}")
        if small_backfill:
            print(f"      backfilled in {run_text(small_backfill)}")
        print(
            f"nightly refresh, small data: {small_refresh['insights']} customers' figures, "
            f"{small_refresh['alerts']} open alerts in {run_text(small_refresh)}"
        )
    targets = [
        f"<= {TARGET_SECONDS} s: {verdict(refresh['seconds'] <= TARGET_SECONDS)}",
        f"<= 1 GiB: {verdict(refresh['rss_peak'] <= TARGET_MEMORY_MIB)}",
    ]
    if small_refresh:
        equal = refresh["queries"] == small_refresh["queries"]
        targets.append(
            f"queries independent of the customers ({refresh['queries']} for "
            f"{refresh['insights']}, {small_refresh['queries']} for "
            f"{small_refresh['insights']}): {verdict(equal)}"
        )
    else:
        targets.append("queries independent of the customers: not measured (--skip-small)")
    print("targets: " + "; ".join(targets))
    busy = [
        f"{name} {run['busy']:.0%}"
        for name, run in (("backfill", backfill), ("refresh", refresh))
        if run and run["busy"] is not None
    ]
    if busy:
        print(
            f"machine: {os.cpu_count()} CPUs, busy while measuring: {', '.join(busy)} "
            f"(PostgreSQL and Odoo take turns: about {1 / os.cpu_count():.0%} when alone; "
            f"more means other work shared the CPUs)"
        )


# --------------------------------------------------------------------------- main
def prepare(largs, label, skip_backfill=False):
    """Build (or reuse) a database; backfill it when needed. (data, backfill measure)."""
    base.log(
        f"building database {largs.db}: {largs.customers} customers x {largs.items} items, "
        f"{largs.date_from}..{largs.date_to}"
        if not (largs.reuse and base.in_worker(database_exists_worker, largs))
        else f"using database {largs.db}"
    )
    data = base.in_worker(build_database, largs)
    if "generation_seconds" in data:
        base.log(
            f"module installed in {data['install_seconds']:.1f} s, "
            f"data generated in {data['generation_seconds']:.1f} s"
        )
    backfill = None
    if not data["snapshots"] or (label == "large" and not skip_backfill):
        base.log(f"measuring the backfill of the month ends ({largs.db})")
        backfill = base.in_worker(measure_backfill, largs)
        base.log(f"backfill: {backfill['seconds']:.1f} s")
    return data, backfill


def main(argv=None):
    args = parse_args(argv)
    large = ledger_args(args, args.db, args.customers)
    data, backfill = prepare(large, "large", args.skip_backfill)
    base.log(f"measuring the nightly refresh ({large.db})")
    refresh = base.in_worker(measure_refresh, large)
    base.log(f"refresh: {refresh['seconds']:.1f} s, {refresh['queries']} queries")

    small = small_data = small_backfill = small_refresh = None
    if not args.skip_small:
        small = ledger_args(args, f"{args.db}_small", args.small_customers)
        small_data, small_backfill = prepare(small, "small")
        base.log(f"measuring the nightly refresh ({small.db})")
        small_refresh = base.in_worker(measure_refresh, small)
        base.log(f"refresh: {small_refresh['seconds']:.1f} s, {small_refresh['queries']} queries")

    print_summary(data, backfill, refresh, small_data, small_backfill, small_refresh)
    for largs, built in ((large, data), (small, small_data)):
        if largs and not (args.keep or built["reused"]):
            base.in_worker(drop_database_worker, largs)
            base.log(f"database {largs.db} dropped (--keep keeps it)")


if __name__ == "__main__":
    main()
