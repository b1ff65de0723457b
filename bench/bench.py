"""Benchmark: customer_reconciliation statement generation vs OCA partner_statement.

Run by ``make bench`` (scripts/bench.sh), which starts the project's PostgreSQL cluster and
passes ``--config .local/odoo.conf``. Steps:

1. build a scratch database with customer_reconciliation and, for the comparison, OCA's
   partner_statement (pip-installed from PyPI when missing);
2. fill it with N customers x M receivable journal items and their reconciliations, using
   set-based SQL (the ORM would take far longer than the figures measured here);
3. measure our engine: one stored statement per customer for the period, then one
   statement alone (the first customer's, best of several runs in a warm registry);
4. measure OCA's activity statement (data only: ``_get_report_values``) for the same
   customers and period;
5. print a summary with the targets (generation <= 15 s, memory < 1 GiB, >= 10x faster).

Each step runs in its own fresh Python process (a "worker"), so every measurement starts
from a cold Odoo environment and its peak RSS is its own. Odoo is imported only by the
workers: a child process inherits its parent's peak RSS (ru_maxrss), so the parent stays
small.

It is a benchmark, not a test: it exits 0 when a target is missed and prints MISSED.
"""

import argparse
import importlib.util
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date

MODULES = ("customer_reconciliation", "partner_statement")

# OCA's partner_statement for Odoo 19 and the OCA addons it depends on. --no-deps: their
# wheels require the distribution `odoo`, which pip cannot see when Odoo is importable
# from a source checkout, and would then download. Their Python dependencies are listed.
OCA_WHEELS = (
    "odoo-addon-partner-statement==19.0.*",
    "odoo-addon-report-xlsx==19.0.*",
    "odoo-addon-report-xlsx-helper==19.0.*",
)
OCA_PYTHON_DEPS = ("xlsxwriter", "xlrd")  # report_xlsx's external dependencies

TARGET_SECONDS = 15
TARGET_MEMORY_MIB = 1024
TARGET_RATIO = 10
# The engine's fixed cost (issue "month-end at scale"): a month-end's small runs.
TARGET_SMALL = (500, 49, 1.0)  # customers, items each, seconds (median of --runs)
TARGET_ONE_MS = 50

MIB = 1024 * 1024


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- arguments
def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument(
        "--db",
        default="cr_bench",
        help="scratch database, dropped and rebuilt (default: %(default)s)",
    )
    parser.add_argument("--customers", type=int, default=2000, help="default: %(default)s")
    parser.add_argument(
        "--items",
        type=int,
        default=50,
        help="receivable journal items per customer (default: %(default)s)",
    )
    parser.add_argument(
        "--date-from",
        type=date.fromisoformat,
        default=date(2026, 1, 1),
        help="period start (default: %(default)s)",
    )
    parser.add_argument(
        "--date-to",
        type=date.fromisoformat,
        default=date(2026, 10, 31),
        help="period end (default: %(default)s)",
    )
    parser.add_argument(
        "--oca-customers",
        type=int,
        metavar="K",
        help="measure OCA (and, for the ratio, our engine again) on the first "
        "K customers only (default: all of them)",
    )
    parser.add_argument(
        "--skip-oca", action="store_true", help="do not install nor measure OCA partner_statement"
    )
    parser.add_argument(
        "--skip-tracemalloc",
        action="store_true",
        help="skip the extra run of our engine under tracemalloc",
    )
    parser.add_argument(
        "--runs",
        type=int,
        default=5,
        help="generate the statements this many times in one worker (the first just after "
        "loading the registry, the others warm) and report the median run (default: "
        "%(default)s)",
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database left by an earlier --keep run as it is, instead of "
        "rebuilding it (--customers and --items are then ignored); a reused database "
        "is kept at the end",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the database at the end (default: drop it, unless --reuse found it)",
    )
    args = parser.parse_args(argv)
    args.config = os.path.abspath(args.config)
    if not os.path.isfile(args.config):
        parser.error(f"no such configuration file: {args.config}")
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if args.customers < 1 or args.items < 1:
        parser.error("--customers and --items must be at least 1")
    if args.date_from > args.date_to:
        parser.error("--date-from is after --date-to")
    if args.oca_customers is not None and args.oca_customers < 1:
        parser.error("--oca-customers must be at least 1")
    return args


# --------------------------------------------------------------------------- workers
def in_worker(function, *args, **kwargs):
    """Run ``function(*args, **kwargs)`` in a new Python process and return its result."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(function, *args, **kwargs).result()


_configured = False


def configure_odoo(config_path):
    global _configured
    if not _configured:
        from odoo.tools import config

        config.parse_config(["-c", config_path, "--log-level=warn"])
        _configured = True


@contextmanager
def odoo_env(db):
    """A superuser environment on ``db``; the transaction is committed on success."""
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, {})


def cpu_times():
    """(busy, total) time of all the machine's CPUs so far, in clock ticks (Linux)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(value) for value in stat.readline().split()[1:9]]
    except OSError:
        return None
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def machine_busy(since):
    """Share of the machine's CPUs busy since ``since`` (a cpu_times() value), or None."""
    now = cpu_times()
    if not (since and now) or now[1] == since[1]:
        return None
    return (now[0] - since[0]) / (now[1] - since[1])


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def query_count():
    """Queries executed so far by every Odoo cursor of this process."""
    from odoo import sql_db

    return sql_db.sql_counter


# --------------------------------------------------------------------------- OCA addons
def ensure_oca_installed():
    """pip-install OCA's partner_statement (and the OCA addons it needs) when missing."""
    if importlib.util.find_spec("odoo.addons.partner_statement") is not None:
        return
    log("installing OCA partner_statement from PyPI: " + " ".join(OCA_WHEELS))
    pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    try:
        subprocess.run([*pip, "--no-deps", *OCA_WHEELS], check=True)
        subprocess.run([*pip, *OCA_PYTHON_DEPS], check=True)
    except subprocess.CalledProcessError:
        sys.exit(
            "[bench] pip could not install OCA partner_statement (see above); "
            "install it yourself or run with --skip-oca"
        )
    importlib.invalidate_caches()
    if importlib.util.find_spec("odoo.addons.partner_statement") is None:
        sys.exit("[bench] partner_statement was installed but Odoo cannot import it")


# --------------------------------------------------------------------------- database
@contextmanager
def autocommit_cursor(db):
    """A cursor outside of any transaction, for DROP DATABASE and VACUUM (and a read before
    this worker loads a registry that an install would leave stale)."""
    from odoo import sql_db

    with sql_db.db_connect(db).cursor() as cr:
        cr._cnx.autocommit = True
        yield cr


def database_exists(db):
    with autocommit_cursor("postgres") as cr:
        cr.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db])
        return bool(cr.fetchone())


def drop_database(db):
    from odoo import sql_db
    from odoo.tools import SQL, config

    sql_db.close_db(db)
    with autocommit_cursor("postgres") as cr:
        cr.execute(SQL("DROP DATABASE IF EXISTS %s WITH (FORCE)", SQL.identifier(db)))
    shutil.rmtree(config.filestore(db), ignore_errors=True)


def install_modules(config_path, db, modules):
    """Create ``db`` with ``modules`` installed, by Odoo's command line; log in a file."""
    log_dir = os.path.join(os.path.dirname(config_path), "logs")  # .local/logs for make bench
    if not os.path.isdir(log_dir):
        log_dir = tempfile.gettempdir()
    log_path = os.path.join(log_dir, f"bench-install-{db}.log")
    command = [sys.executable, "-m", "odoo", "server", "-c", config_path, "-d", db]
    command += ["-i", ",".join(modules), "--without-demo", "--stop-after-init", "--log-level=warn"]
    with open(log_path, "w", encoding="utf-8") as output:
        done = subprocess.run(command, stdout=output, stderr=subprocess.STDOUT)
    if done.returncode:
        with open(log_path, encoding="utf-8") as output:
            errors = [line.rstrip() for line in output if " ERROR " in line or " CRITICAL " in line]
        sys.exit(
            f"[bench] installing {', '.join(modules)} failed (log: {log_path}):\n"
            + "\n".join(errors[:10])
        )


def ensure_chart_of_accounts(env, company):
    if not company.chart_template:
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)


def build_database(args):
    """Worker: (re)build the database and its ledger; return the figures of its data."""
    configure_odoo(args.config)
    result = {"reused": bool(args.reuse and database_exists(args.db))}
    if not result["reused"]:
        started = time.perf_counter()
        drop_database(args.db)
        modules = MODULES[:1] if args.skip_oca else MODULES
        install_modules(args.config, args.db, modules)
        result["install_seconds"] = time.perf_counter() - started
        with odoo_env(args.db) as env:
            company = env.ref("base.main_company")
            ensure_chart_of_accounts(env, company)
            env.cr.commit()
            started = time.perf_counter()
            generate_ledger(env, company, args)
            env.cr.commit()
            env.invalidate_all()
            # What autovacuum would have done long before a real ledger gets its statements,
            # and would otherwise do while the measurements run.
            with autocommit_cursor(args.db) as cr:
                cr.execute(
                    "VACUUM ANALYZE res_partner, account_move, account_move_line, "
                    "account_partial_reconcile, account_full_reconcile"
                )
            result["generation_seconds"] = time.perf_counter() - started
            check_ledger(env)
    elif not args.skip_oca and not module_installed(args.db, MODULES[1]):
        # A database kept by a run with --skip-oca: OCA is measured in it all the same.
        log(f"installing {MODULES[1]} in {args.db} (built without it)")
        install_modules(args.config, args.db, MODULES[1:])
    with odoo_env(args.db) as env:
        result.update(describe_ledger(env))
    return result


def module_installed(db, module):
    with autocommit_cursor(db) as cr:
        cr.execute(
            "SELECT 1 FROM ir_module_module WHERE name = %s AND state = 'installed'", [module]
        )
        return bool(cr.fetchone())


# --------------------------------------------------------------------------- ledger
# Each customer's items repeat a block of five, in date order (60% invoices, 40% payments):
#   position 0  invoice  settled in full by the payment at 2   -> full reconciliation
#   position 1  invoice  settled for half by the payment at 4  -> partial, stays half open
#   position 2  payment  of invoice 0
#   position 3  invoice  left open
#   position 4  payment  of half of invoice 1
# A payment exists only after its invoice, so any number of items per customer works.
# Ids are drawn from the tables' sequences up front, so every row can reference the others.
_CUSTOMERS_SQL = """
CREATE TEMP TABLE bench_customer ON COMMIT DROP AS
SELECT i, nextval('res_partner_id_seq')::int AS partner_id,
       'Bench Customer ' || lpad(i::text, 6, '0') AS name
  FROM generate_series(1, %(customers)s) AS i;

INSERT INTO res_partner (
    id, name, complete_name, commercial_company_name, commercial_partner_id, is_company, type,
    lang, active, partner_share, color, message_bounce, customer_rank, supplier_rank,
    autopost_bills, create_uid, create_date, write_uid, write_date)
SELECT partner_id, name, name, name, partner_id, TRUE, 'contact',
       %(lang)s, TRUE, TRUE, 0, 0, 1, 0,
       'ask', %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM bench_customer;
"""

_PLAN_SQL = """
CREATE TEMP TABLE bench_item ON COMMIT DROP AS
WITH grid AS (
    SELECT c.i, c.partner_id, c.name AS customer_name, k, mod(k, 5) AS pos,
           -- spread over the period, a little differently for each customer
           %(date_from)s::date + (k * 7 + mod(c.i, 7)) * %(days)s / (7 * %(items)s) AS date,
           (100 + mod(c.i * 7919 + k * 104729, 490000) / 100.0)::numeric(16, 2) AS invoice_amount
      FROM bench_customer c
     CROSS JOIN generate_series(0, %(items)s - 1) AS k
),
priced AS (
    SELECT g.*, pos IN (2, 4) AS is_payment,
           CASE pos WHEN 2 THEN lag(invoice_amount, 2) OVER w
                    WHEN 4 THEN round(lag(invoice_amount, 3) OVER w / 2, 2)
                    ELSE invoice_amount END AS amount
      FROM grid g
    WINDOW w AS (PARTITION BY i ORDER BY k)
),
numbered AS (
    SELECT p.*,
           nextval('account_move_id_seq')::int AS move_id,
           nextval('account_move_line_id_seq')::int AS line_id,
           nextval('account_move_line_id_seq')::int AS counterpart_line_id,
           CASE WHEN is_payment THEN nextval('account_partial_reconcile_id_seq')::int END
               AS partial_id,
           CASE WHEN pos = 2 THEN nextval('account_full_reconcile_id_seq')::int END AS full_id,
           CASE WHEN is_payment THEN %(bank_code)s ELSE %(sale_code)s END
               || '/' || extract(year FROM date) || '/' AS sequence_prefix,
           row_number() OVER (PARTITION BY is_payment, extract(year FROM date)
                              ORDER BY date, i, k) AS sequence_number
      FROM priced p
)
SELECT n.*,
       -- 5 digits, more beyond 99,999 entries a year (as Odoo's sequences; lpad would cut)
       sequence_prefix
           || lpad(sequence_number::text, GREATEST(5, length(sequence_number::text)), '0')
           AS move_name,
       CASE WHEN is_payment THEN %(bank_journal)s ELSE %(sale_journal)s END AS journal_id,
       CASE WHEN is_payment THEN %(bank_account)s ELSE %(income_account)s END
           AS counterpart_account_id,
       CASE WHEN is_payment THEN date ELSE date + 30 END AS date_maturity,
       CASE WHEN is_payment THEN 'Transfer ' ELSE 'PO ' END
           || lpad(i::text, 6, '0') || '-' || (k + 1) AS ref,
       CASE WHEN is_payment THEN -amount ELSE amount END AS balance,
       -- the amount reconciled on the item, in absolute value
       COALESCE(CASE pos WHEN 0 THEN lead(amount, 2) OVER w
                         WHEN 1 THEN lead(amount, 3) OVER w
                         ELSE CASE WHEN is_payment THEN amount END END, 0) AS settled,
       -- the invoice line a payment settles
       CASE pos WHEN 2 THEN lag(line_id, 2) OVER w
                WHEN 4 THEN lag(line_id, 3) OVER w END AS settled_line_id,
       CASE pos WHEN 2 THEN lag(date, 2) OVER w
                WHEN 4 THEN lag(date, 3) OVER w END AS settled_line_date,
       CASE pos WHEN 0 THEN lead(full_id, 2) OVER w
                WHEN 2 THEN full_id END AS full_reconcile_id,
       CASE pos WHEN 0 THEN (lead(full_id, 2) OVER w)::text
                WHEN 1 THEN 'P' || (lead(partial_id, 3) OVER w)
                WHEN 2 THEN full_id::text
                WHEN 4 THEN 'P' || partial_id END AS matching_number
  FROM numbered n
WINDOW w AS (PARTITION BY i ORDER BY k);
"""

_MOVES_SQL = """
INSERT INTO account_full_reconcile (id, create_uid, create_date, write_uid, write_date)
SELECT full_id, %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM bench_item
 WHERE full_id IS NOT NULL;

INSERT INTO account_move (
    id, name, sequence_prefix, sequence_number, ref, payment_reference, move_type, state,
    auto_post, date, invoice_date, invoice_date_due, journal_id, company_id, currency_id,
    partner_id, commercial_partner_id, invoice_partner_display_name, payment_state,
    amount_untaxed, amount_untaxed_signed, amount_untaxed_in_currency_signed,
    amount_tax, amount_tax_signed,
    amount_total, amount_total_signed, amount_total_in_currency_signed,
    amount_residual, amount_residual_signed, invoice_currency_rate,
    always_tax_exigible, checked, posted_before, made_sequence_gap, is_manually_modified,
    create_uid, create_date, write_uid, write_date)
SELECT move_id, move_name, sequence_prefix, sequence_number, ref,
       CASE WHEN NOT is_payment THEN move_name END,
       CASE WHEN is_payment THEN 'entry' ELSE 'out_invoice' END, 'posted',
       'no', date, CASE WHEN NOT is_payment THEN date END, date_maturity, journal_id,
       %(company)s, %(currency)s,
       partner_id, partner_id, customer_name,
       CASE WHEN is_payment THEN 'not_paid'
            WHEN settled = 0 THEN 'not_paid'
            WHEN settled = amount THEN 'paid'
            ELSE 'partial' END,
       untaxed, untaxed, untaxed,
       0, 0,
       amount, amount, amount,
       residual, residual, CASE WHEN is_payment THEN 0 ELSE 1 END,
       is_payment, TRUE, TRUE, FALSE, FALSE,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM (SELECT b.*,
               CASE WHEN is_payment THEN 0 ELSE amount END AS untaxed,
               CASE WHEN is_payment THEN 0 ELSE amount - settled END AS residual
          FROM bench_item b) AS b;
"""

_LINE_COLUMNS = """
    id, move_id, move_name, ref, name, sequence, display_type, parent_state,
    journal_id, company_id, company_currency_id, currency_id, account_id, partner_id,
    date, invoice_date, date_maturity, debit, credit, balance, amount_currency,
    amount_residual, amount_residual_currency, reconciled, full_reconcile_id, matching_number,
    quantity, price_unit, price_subtotal, price_total, discount, discount_amount_currency,
    discount_balance, tax_base_amount, deductible_amount, is_storno, no_followup,
    create_uid, create_date, write_uid, write_date
"""

_LINES_SQL = f"""
-- receivable lines: the invoices' payment terms and the payments' counterparts
INSERT INTO account_move_line ({_LINE_COLUMNS})
SELECT line_id, move_id, move_name, ref,
       CASE WHEN is_payment THEN 'Customer payment' ELSE move_name END, 20,
       CASE WHEN is_payment THEN 'product' ELSE 'payment_term' END, 'posted',
       journal_id, %(company)s, %(currency)s, %(currency)s, %(receivable_account)s, partner_id,
       date, CASE WHEN NOT is_payment THEN date END, date_maturity,
       GREATEST(balance, 0), GREATEST(-balance, 0), balance, balance,
       residual, residual, residual = 0, full_reconcile_id, matching_number,
       CASE WHEN is_payment THEN 1 ELSE 0 END, 0,
       CASE WHEN is_payment THEN balance ELSE 0 END, CASE WHEN is_payment THEN balance ELSE 0 END,
       0, 0,
       0, 0, 100, FALSE, is_payment,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM (SELECT b.*, sign(balance) * (amount - settled) AS residual FROM bench_item b) AS b;

-- counterpart lines: income of the invoices, bank of the payments
INSERT INTO account_move_line ({_LINE_COLUMNS})
SELECT counterpart_line_id, move_id, move_name, ref,
       CASE WHEN is_payment THEN 'Customer payment' ELSE 'Goods' END, 10,
       'product', 'posted',
       journal_id, %(company)s, %(currency)s, %(currency)s, counterpart_account_id, partner_id,
       date, CASE WHEN NOT is_payment THEN date END, NULL,
       GREATEST(-balance, 0), GREATEST(balance, 0), -balance, -balance,
       -- a bank account line stays open until matched with a statement line
       CASE WHEN is_payment THEN -balance ELSE 0 END,
       CASE WHEN is_payment THEN -balance ELSE 0 END, FALSE, NULL, NULL,
       1, CASE WHEN is_payment THEN 0 ELSE amount END, abs(balance), abs(balance), 0, 0,
       0, 0, 100, FALSE, is_payment,
       %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM bench_item;

INSERT INTO account_partial_reconcile (
    id, debit_move_id, credit_move_id, full_reconcile_id, amount,
    debit_amount_currency, credit_amount_currency, debit_currency_id, credit_currency_id,
    company_id, max_date, create_uid, create_date, write_uid, write_date)
SELECT partial_id, settled_line_id, line_id, full_id, amount,
       amount, amount, %(currency)s, %(currency)s,
       %(company)s, GREATEST(date, settled_line_date), %(uid)s, %(now)s, %(uid)s, %(now)s
  FROM bench_item
 WHERE is_payment;
"""


def _receivable_account(env, company):
    account_id = env["ir.default"]._get(
        "res.partner", "property_account_receivable_id", company_id=company.id
    )
    if account_id:
        return env["account.account"].browse(account_id)
    return env["account.account"].search(
        [
            ("account_type", "=", "asset_receivable"),
            ("company_ids", "in", company.id),
        ],
        order="code",
        limit=1,
    )


def generate_ledger(env, company, args):
    """Insert the customers, their invoices, payments and reconciliations (set-based)."""
    Journal = env["account.journal"]
    sale = Journal.search([("type", "=", "sale"), ("company_id", "=", company.id)], limit=1)
    bank = Journal.search([("type", "=", "bank"), ("company_id", "=", company.id)], limit=1)
    receivable = _receivable_account(env, company)
    if not (sale.default_account_id and bank.default_account_id and receivable):
        sys.exit(
            "[bench] the chart of accounts lacks a sales journal, bank journal or "
            "receivable account"
        )
    params = {
        "customers": args.customers,
        "items": args.items,
        "date_from": args.date_from,
        "days": (args.date_to - args.date_from).days + 1,
        "company": company.id,
        "currency": company.currency_id.id,
        "sale_journal": sale.id,
        "sale_code": sale.code,
        "income_account": sale.default_account_id.id,
        "bank_journal": bank.id,
        "bank_code": bank.code,
        "bank_account": bank.default_account_id.id,
        "receivable_account": receivable.id,
        "lang": env.lang or "en_US",
        "uid": env.uid,
        "now": env.cr.now(),
    }
    env.flush_all()
    for query in (_CUSTOMERS_SQL, _PLAN_SQL, _MOVES_SQL, _LINES_SQL):
        env.cr.execute(query, params)
    env.invalidate_all()


def check_ledger(env):
    """Cheap consistency checks of the generated ledger, against Odoo's own computation."""
    cr = env.cr
    cr.execute("""
        SELECT count(*) FROM (SELECT move_id FROM account_move_line
                               GROUP BY move_id HAVING SUM(balance) <> 0) AS unbalanced
    """)
    if cr.fetchone()[0]:
        sys.exit("[bench] generated data: some journal entries do not balance")
    # Odoo recomputes the residuals of one customer's receivable items from the partials.
    cr.execute("""
        SELECT aml.id FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
         WHERE a.account_type = 'asset_receivable'
           AND aml.partner_id = (SELECT MIN(partner_id) FROM account_move_line
                                  WHERE partner_id IS NOT NULL)
    """)
    lines = env["account.move.line"].browse([row[0] for row in cr.fetchall()])
    stored = {line.id: (line.amount_residual, line.reconciled) for line in lines}
    lines.invalidate_recordset(["amount_residual", "reconciled"])
    lines._compute_amount_residual()
    computed = {line.id: (line.amount_residual, line.reconciled) for line in lines}
    if stored != computed:
        sys.exit("[bench] generated data: residuals differ from Odoo's computation")
    cr.rollback()  # drop what the recomputation may have marked to write


def describe_ledger(env):
    cr = env.cr
    cr.execute("""
        SELECT count(DISTINCT aml.partner_id), count(*),
               count(*) FILTER (WHERE m.move_type = 'out_invoice'),
               MIN(aml.date), MAX(aml.date)
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
          JOIN account_move m ON m.id = aml.move_id
         WHERE a.account_type = 'asset_receivable' AND aml.parent_state = 'posted'
    """)
    customers, items, invoices, first, last = cr.fetchone()
    cr.execute("SELECT count(*), count(full_reconcile_id) FROM account_partial_reconcile")
    partials, full = cr.fetchone()
    return {
        "customers": customers,
        "items": items,
        "invoices": invoices,
        "first_date": first,
        "last_date": last,
        "partials": partials,
        "full_partials": full,
    }


# --------------------------------------------------------------------------- measurements
def first_customers(env, company, limit):
    """The commercial partners with receivable items, by id; all of them if limit is None."""
    env.cr.execute(
        """
        SELECT DISTINCT p.commercial_partner_id
          FROM account_move_line aml
          JOIN account_account a ON a.id = aml.account_id
          JOIN res_partner p ON p.id = aml.partner_id
         WHERE aml.company_id = %s AND aml.parent_state = 'posted'
           AND a.account_type = 'asset_receivable'
         ORDER BY 1
         LIMIT %s
    """,
        [company.id, limit],
    )
    return [row[0] for row in env.cr.fetchall()]


def delete_statements(env, where="TRUE", params=()):
    """Delete statements with SQL (faster than the ORM for a benchmark's clean-up), and their
    lines and open items as their unlink does (no foreign key cascades them)."""
    env.cr.execute(
        f"DELETE FROM customer_reconciliation_session WHERE {where} RETURNING id",  # noqa: S608
        list(params),
    )
    env["customer.reconciliation.engine"]._delete_parts([row[0] for row in env.cr.fetchall()])


def measure_ours(args, limit=None, trace=False, keep=True, runs=1):
    """Worker: generate the statements of the period, timed, then commit (``keep``) or roll back.

    Statements of the same period left by an earlier run are deleted first, so that each run
    creates them all. ``limit``: only the first ``limit`` customers. ``trace``: measure the
    Python allocations with tracemalloc (slower: not a timing run). ``runs``: generate them that
    many times in this worker (committed runs only), each in its own transaction: the first in
    a registry just loaded, the others warm, as a scheduled action's worker generates its
    batches one after the other; the figures are the median run's, with every run's time.
    """
    configure_odoo(args.config)
    with odoo_env(args.db) as env:
        measured = [
            _generate_once(env, args, limit, trace, keep) for _run in range(runs if keep else 1)
        ]
    times = sorted(run["seconds"] for run in measured)
    median = next(run for run in measured if run["seconds"] == times[len(times) // 2])
    return {
        **median,
        "run_seconds": [run["seconds"] for run in measured],
        # the worker's memory over all its runs
        "rss_before": measured[0]["rss_before"],
        "rss_peak": measured[-1]["rss_peak"],
    }


def _generate_once(env, args, limit, trace, keep):
    cr = env.cr
    company = env.ref("base.main_company")
    partner_ids = first_customers(env, company, limit) if limit else None
    delete_statements(
        env,
        "company_id = %s AND date_from = %s AND date_to = %s",
        [company.id, args.date_from, args.date_to],
    )
    if keep:
        cr.commit()
    env.invalidate_all()
    engine = env["customer.reconciliation.engine"]

    cpu_before = cpu_times()
    rss_before = peak_rss_mib()
    queries_before = query_count()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    result = engine.generate(company, args.date_from, args.date_to, partner_ids=partner_ids)
    env.flush_all()
    if keep:
        cr.commit()
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] / MIB if trace else None
    if trace:
        tracemalloc.stop()
    busy = machine_busy(cpu_before)
    queries = query_count() - queries_before
    rss_after = peak_rss_mib()

    sessions = result["created"] | result["refreshed"]
    cr.execute(
        """
        SELECT (SELECT count(*) FROM customer_reconciliation_line
                 WHERE session_id = ANY(%(ids)s)),
               (SELECT count(*) FROM customer_reconciliation_open_item
                 WHERE session_id = ANY(%(ids)s))
    """,
        {"ids": sessions.ids},
    )
    lines, open_items = cr.fetchone()
    if not keep:
        cr.rollback()
    return {
        "customers": len(partner_ids) if partner_ids is not None else len(sessions),
        "statements": len(sessions),
        "lines": lines,
        "open_items": open_items,
        "seconds": seconds,
        "queries": queries,
        "rss_before": rss_before,
        "rss_peak": rss_after,
        "traced_peak": traced_peak,
        "busy": busy,
    }


ONE_STATEMENT_RUNS = 7


def measure_one(args, runs=ONE_STATEMENT_RUNS):
    """Worker: one statement (the first customer's), generated ``runs`` times in a warm
    registry, each run in its own transaction (its statement deleted first, then generated
    and committed, as a user's Generate); returns the best run's time and queries."""
    configure_odoo(args.config)
    with odoo_env(args.db) as env:
        cr = env.cr
        company = env.ref("base.main_company")
        partner_ids = first_customers(env, company, 1)
        engine = env["customer.reconciliation.engine"]
        best = None
        for _run in range(runs):
            delete_statements(
                env,
                "company_id = %s AND partner_id = ANY(%s) AND date_from = %s AND date_to = %s",
                [company.id, partner_ids, args.date_from, args.date_to],
            )
            cr.commit()
            env.invalidate_all()
            queries_before = query_count()
            started = time.perf_counter()
            result = engine.generate(company, args.date_from, args.date_to, partner_ids=partner_ids)
            env.flush_all()
            cr.commit()
            seconds = time.perf_counter() - started
            queries = query_count() - queries_before
            if len(result["created"]) != 1:
                sys.exit("[bench] one statement: the first customer's was not created")
            if best is None or seconds < best["seconds"]:
                best = {"seconds": seconds, "queries": queries}
    return {**best, "runs": runs}


def measure_oca(args, limit=None):
    """Worker: OCA's activity statement data (nothing stored) for the same customers, timed."""
    configure_odoo(args.config)
    with odoo_env(args.db) as env:
        company = env.ref("base.main_company")
        partner_ids = first_customers(env, company, limit)
        # The data its wizard passes to the report, with the wizard's defaults. The report
        # removes the customers it filters out from data["partner_ids"]: give it a copy.
        wizard = env["activity.statement.wizard"].with_context(active_ids=list(partner_ids))
        wizard = wizard.create(
            {
                "company_id": company.id,
                "date_start": args.date_from,
                "date_end": args.date_to,
                "account_type": "asset_receivable",
            }
        )
        data = wizard._prepare_statement()
        report = env["report.partner_statement.activity_statement"]

        cpu_before = cpu_times()
        rss_before = peak_rss_mib()
        queries_before = query_count()
        started = time.perf_counter()
        values = report._get_report_values(list(partner_ids), data)
        seconds = time.perf_counter() - started
        busy = machine_busy(cpu_before)
        queries = query_count() - queries_before
        rss_after = peak_rss_mib()

        lines = sum(
            len(currency["lines"])
            for partner in values["data"].values()
            for currency in partner["currencies"].values()
        )
        env.cr.rollback()
    return {
        "customers": len(partner_ids),
        "statements": len(values["data"]),
        "lines": lines,
        "seconds": seconds,
        "queries": queries,
        "rss_before": rss_before,
        "rss_peak": rss_after,
        "busy": busy,
    }


def drop_database_worker(args):
    configure_odoo(args.config)
    drop_database(args.db)


# --------------------------------------------------------------------------- report
def verdict(ok):
    return "OK" if ok else "MISSED"


def print_summary(args, data, ours, traced, ours_same, oca, one=None):
    period = f"{args.date_from}..{args.date_to}"
    payments = data["items"] - data["invoices"]
    print()
    print("customer_reconciliation benchmark")
    print(
        f"data: {data['customers']} customers x {data['items'] / data['customers']:g} items = "
        f"{data['items']} receivable items ({data['invoices']} invoices, {payments} payments), "
        f"{data['partials']} partials ({data['full_partials']} in full reconciliations), "
        f"dated {data['first_date']}..{data['last_date']}, period {period}"
    )
    if "generation_seconds" in data:
        print(
            f"      generated in {data['generation_seconds']:.1f} s by SQL "
            f"(database and modules installed in {data['install_seconds']:.1f} s; not measured)"
        )
    memory_delta = ours["rss_peak"] - ours["rss_before"]
    traced_text = f", tracemalloc peak {traced['traced_peak']:.0f} MiB" if traced else ""
    print(
        f"ours: {ours['statements']} statements, {ours['lines']} lines "
        f"(+ {ours['open_items']} open items) stored in {ours['seconds']:.2f} s, "
        f"{ours['queries']} queries, peak RSS {ours['rss_peak']:.0f} MiB "
        f"(+{memory_delta:.0f} MiB during generation){traced_text}"
    )
    runs = ours["run_seconds"]
    if len(runs) > 1:
        print(
            f"      median of {len(runs)} runs in one worker, each committed: "
            + ", ".join(f"{seconds:.2f}" for seconds in runs)
            + " s (the first just after loading the registry)"
        )
    if one:
        print(
            f"one statement: {one['seconds'] * 1000:.0f} ms, {one['queries']} queries "
            f"(the first customer's, best of {one['runs']} runs in a warm registry, committed)"
        )
    if oca:
        if ours_same is not ours:
            print(
                f"ours on the first {ours_same['customers']} customers: "
                f"{ours_same['statements']} statements, {ours_same['lines']} lines "
                f"in {ours_same['seconds']:.1f} s, {ours_same['queries']} queries"
            )
        print(
            f"OCA partner_statement activity (data only): {oca['customers']} customers "
            f"({oca['statements']} statements kept by its filters, {oca['lines']} lines) in "
            f"{oca['seconds']:.1f} s, {oca['queries']} queries, peak RSS "
            f"{oca['rss_peak']:.0f} MiB"
        )
        ratio = oca["seconds"] / ours_same["seconds"]
        print(f"ratio: OCA / ours = {ratio:.1f}x (same {oca['customers']} customers, same period)")
    targets = [
        f"<= {TARGET_SECONDS} s: {verdict(ours['seconds'] <= TARGET_SECONDS)}",
        f"< 1 GiB: {verdict(ours['rss_peak'] < TARGET_MEMORY_MIB)}",
    ]
    if oca:
        targets.append(f">= {TARGET_RATIO}x: {verdict(ratio >= TARGET_RATIO)}")
    else:
        targets.append(f">= {TARGET_RATIO}x: not measured (--skip-oca)")
    customers, items, seconds = TARGET_SMALL
    if (data["customers"], data["items"]) == (customers, customers * items):
        targets.append(
            f"{customers} x {items} <= {seconds:g} s: {verdict(ours['seconds'] <= seconds)}"
        )
    if one:
        ok = one["seconds"] * 1000 <= TARGET_ONE_MS
        targets.append(f"one statement <= {TARGET_ONE_MS} ms: {verdict(ok)}")
    print("targets: " + "; ".join(targets))
    busy = [
        f"{name} {run['busy']:.0%}"
        for name, run in (("ours", ours), ("OCA", oca))
        if run and run["busy"] is not None
    ]
    if busy:
        print(
            f"machine: {os.cpu_count()} CPUs, busy while measuring: {', '.join(busy)} "
            f"(this benchmark alone keeps about one CPU busy at most, "
            f"{1 / os.cpu_count():.0%}: more means other work shared the CPUs)"
        )


def main(argv=None):
    args = parse_args(argv)
    if not args.skip_oca:
        ensure_oca_installed()

    log(
        f"building database {args.db}: {args.customers} customers x {args.items} items"
        if not args.reuse
        else f"using database {args.db}"
    )
    data = in_worker(build_database, args)
    if not data["reused"]:
        log(
            f"modules installed in {data['install_seconds']:.1f} s, "
            f"data generated in {data['generation_seconds']:.1f} s"
        )

    log("measuring our engine")
    ours = in_worker(measure_ours, args, runs=args.runs)
    log(f"ours: {ours['seconds']:.2f} s (median of {len(ours['run_seconds'])})")
    log("measuring one statement")
    one = in_worker(measure_one, args)
    log(f"one statement: {one['seconds'] * 1000:.0f} ms")
    traced = None
    if not args.skip_tracemalloc:
        log("measuring our engine's Python allocations (tracemalloc, rolled back)")
        traced = in_worker(measure_ours, args, trace=True, keep=False)

    ours_same = oca = None
    if not args.skip_oca:
        limit = args.oca_customers
        if limit and limit < data["customers"]:
            log(f"measuring our engine on the first {limit} customers (rolled back)")
            ours_same = in_worker(measure_ours, args, limit=limit, keep=False)
        else:
            limit, ours_same = None, ours
        log(f"measuring OCA partner_statement on {limit or data['customers']} customers")
        oca = in_worker(measure_oca, args, limit=limit)
        log(f"OCA: {oca['seconds']:.1f} s")

    print_summary(args, data, ours, traced, ours_same, oca, one)
    if not (args.keep or data["reused"]):
        in_worker(drop_database_worker, args)
        log(f"database {args.db} dropped (--keep keeps it)")


if __name__ == "__main__":
    main()
