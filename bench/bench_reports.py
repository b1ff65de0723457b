#!/usr/bin/env python3
"""Benchmark of the statement reports: a 2,000-line PDF and a 100,000-line XLSX export.

    python3 bench/bench_reports.py --config CONF [--db NAME] [--customers 50] [--lines 2000] [--update]

Builds (or reuses) a scratch database with customer_reconciliation installed, inserts the
journal items with SQL (``--customers`` customers with ``--lines`` items each in 2025, half
invoices, half payments reconciled with them, plus an unpaid invoice before the period),
generates the statements with the engine, then measures, each in a fresh child process so
that its peak memory is its own:

- the PDF statement of one customer (``--lines`` lines): wall time, pages, peak RSS of the
  Python process and of wkhtmltopdf;
- the XLSX of that statement;
- the receivable-balances workbook with one sheet per statement (customers x lines lines).

wkhtmltopdf loads the report CSS over HTTP: an Odoo server is started for the run on a free
port (``report.url`` points to it) and stopped at the end. Files are written to ``--out``.
"""

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import time
from datetime import date

HERE = os.path.abspath(__file__)
ADDONS = os.path.dirname(os.path.dirname(HERE))
MODULE = "customer_reconciliation"
DATE_FROM, DATE_TO = date(2025, 1, 1), date(2025, 12, 31)
XLSX_TARGET_S = 10.0
PDF_TARGET_S = 120.0  # well below the usual 300 s worker time limit


# --------------------------------------------------------------------------- helpers
def rss_mb(kb):
    return kb / 1024.0


def odoo_cmd(args, config, db, *extra):
    return [
        sys.executable,
        "-m",
        "odoo",
        "server",
        "-c",
        config,
        "-d",
        db,
        "--addons-path",
        ADDONS,
        *extra,
    ]


def database_exists(db):
    from odoo.service import db as db_service  # noqa: PLC0415

    return db in db_service.list_dbs(force=True)


def open_env(config, db):
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_config.parse_config(
        ["-c", config, "-d", db, "--addons-path", ADDONS, "--log-level", "warn"]
    )
    from odoo.modules.registry import Registry  # noqa: PLC0415

    return Registry(db)


# --------------------------------------------------------------------------- data
def build_data(env, customers, lines):
    from odoo.tools import SQL  # noqa: PLC0415

    marker = f"{customers}x{lines}"
    icp = env["ir.config_parameter"].sudo()
    if icp.get_param("customer_reconciliation.bench_data") == marker:
        return False
    company = env.ref("base.main_company")
    Account = env["account.account"].with_company(company)
    if not Account.search([("account_type", "=", "asset_receivable")], limit=1):
        env["account.chart.template"].try_loading(
            "generic_coa", company=company, install_demo=False
        )
    receivable = Account.search([("account_type", "=", "asset_receivable")], limit=1)
    income = Account.search([("account_type", "=", "income")], limit=1)
    cash = Account.search([("account_type", "=", "asset_current")], limit=1) or income
    sale = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    bank = env["account.journal"].search(
        [("type", "=", "bank"), ("company_id", "=", company.id)], limit=1
    )
    currency = company.currency_id
    partners = env["res.partner"].create(
        [
            {"name": f"Bench Customer {index:03d}", "is_company": True, "ref": f"B{index:03d}"}
            for index in range(1, customers + 1)
        ]
    )
    env.flush_all()
    n_inv = lines // 2
    n_pay = lines - n_inv
    uid = env.uid
    cr = env.cr
    params = {
        "partners": partners.ids,
        "idx": list(range(1, customers + 1)),
        "company": company.id,
        "currency": currency.id,
        "sale": sale.id,
        "bank": bank.id,
        "receivable": receivable.id,
        "income": income.id,
        "cash": cash.id,
        "n_inv": n_inv,
        "n_pay": n_pay,
        "uid": uid,
        "start": DATE_FROM,
        "days": (DATE_TO - DATE_FROM).days,
    }
    # Invoices (and one unpaid invoice before the period per customer: the opening balance).
    cr.execute(
        SQL(
            """
        INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                  date, invoice_date, invoice_date_due, partner_id, commercial_partner_id,
                                  ref, amount_total, amount_total_signed, amount_residual,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'BINV/' || lpad(c.idx::text, 3, '0') || '/' || lpad(k::text, 5, '0'),
               %(sale)s, %(company)s, %(currency)s, 'posted', 'out_invoice', 'no',
               d, d, d + 30, c.partner_id, c.partner_id, 'PO-' || c.idx || '-' || k,
               a, a, a, %(uid)s, %(uid)s, now(), now()
          FROM unnest(%(partners)s::int[], %(idx)s::int[]) AS c(partner_id, idx)
         CROSS JOIN generate_series(0, %(n_inv)s) AS k
         CROSS JOIN LATERAL (SELECT CASE WHEN k = 0 THEN DATE '2024-12-15'
                                         ELSE (%(start)s::date + ((k - 1) * %(days)s / %(n_inv)s)) END AS d,
                                    round((100 + ((k * 7919 + c.idx * 104729) %% 4990000) / 100.0)::numeric, 2)
                                        AS a) v
    """,
            **params,
        )
    )
    # Payments, each paying the invoice of the same number (the last 20 pay half of it).
    cr.execute(
        SQL(
            """
        INSERT INTO account_move (name, journal_id, company_id, currency_id, state, move_type, auto_post,
                                  date, partner_id, commercial_partner_id, ref,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'BPAY/' || lpad(c.idx::text, 3, '0') || '/' || lpad(k::text, 5, '0'),
               %(bank)s, %(company)s, %(currency)s, 'posted', 'entry', 'no',
               LEAST(inv.date + 20, DATE '2025-12-31'), c.partner_id, c.partner_id, 'Transfer ' || inv.name,
               %(uid)s, %(uid)s, now(), now()
          FROM unnest(%(partners)s::int[], %(idx)s::int[]) AS c(partner_id, idx)
         CROSS JOIN generate_series(1, %(n_pay)s) AS k
          JOIN account_move inv ON inv.name = 'BINV/' || lpad(c.idx::text, 3, '0') || '/' || lpad(k::text, 5, '0')
    """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO account_payment (journal_id, company_id, state, payment_type, partner_type, date,
                                     partner_id, amount, currency_id, memo, move_id,
                                     create_uid, write_uid, create_date, write_date)
        SELECT m.journal_id, m.company_id, 'paid', 'inbound', 'customer', m.date, m.partner_id,
               0, m.currency_id, m.name, m.id, %(uid)s, %(uid)s, now(), now()
          FROM account_move m WHERE m.name LIKE 'BPAY/%%' AND m.origin_payment_id IS NULL
    """,
            **params,
        )
    )
    cr.execute(
        SQL("""
        UPDATE account_move m SET origin_payment_id = p.id
          FROM account_payment p WHERE p.move_id = m.id AND m.name LIKE 'BPAY/%%'
    """)
    )
    # Journal items: receivable + counterpart for the invoices, the same reversed for payments.
    cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, partner_id, account_id, display_type, parent_state,
                                       date, date_maturity, name, debit, credit, balance, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled,
                                       create_uid, write_uid, create_date, write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, m.currency_id, m.currency_id, m.partner_id,
               acc, dt, 'posted', m.date, CASE WHEN dt = 'payment_term' THEN m.invoice_date_due END,
               CASE WHEN dt = 'payment_term' THEN m.name ELSE 'Goods' END,
               GREATEST(amt, 0), GREATEST(-amt, 0), amt, amt,
               CASE WHEN dt = 'payment_term' THEN amt ELSE 0 END,
               CASE WHEN dt = 'payment_term' THEN amt ELSE 0 END, FALSE,
               %(uid)s, %(uid)s, now(), now()
          FROM account_move m
         CROSS JOIN LATERAL (VALUES (%(receivable)s, 'payment_term', m.amount_total),
                                    (%(income)s, 'product', -m.amount_total)) AS l(acc, dt, amt)
         WHERE m.name LIKE 'BINV/%%'
    """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO account_move_line (move_id, move_name, journal_id, company_id, company_currency_id,
                                       currency_id, partner_id, account_id, display_type, parent_state,
                                       date, date_maturity, name, debit, credit, balance, amount_currency,
                                       amount_residual, amount_residual_currency, reconciled, payment_id,
                                       create_uid, write_uid, create_date, write_date)
        SELECT m.id, m.name, m.journal_id, m.company_id, m.currency_id, m.currency_id, m.partner_id,
               acc, dt, 'posted', m.date, m.date, m.ref,
               GREATEST(amt, 0), GREATEST(-amt, 0), amt, amt, 0, 0, dt = 'payment_term',
               m.origin_payment_id, %(uid)s, %(uid)s, now(), now()
          FROM account_move m
          JOIN account_move inv ON inv.name = 'BINV/' || substr(m.name, 6)
          CROSS JOIN LATERAL (SELECT CASE WHEN substr(m.name, 10)::int > %(n_pay)s - 20
                                          THEN round(inv.amount_total / 2, 2) ELSE inv.amount_total END AS paid) p
         CROSS JOIN LATERAL (VALUES (%(receivable)s, 'payment_term', -p.paid),
                                    (%(cash)s, 'product', p.paid)) AS l(acc, dt, amt)
         WHERE m.name LIKE 'BPAY/%%'
    """,
            **params,
        )
    )
    cr.execute(
        SQL(
            """
        INSERT INTO account_partial_reconcile (debit_move_id, credit_move_id, amount, debit_amount_currency,
                                               credit_amount_currency, debit_currency_id, credit_currency_id,
                                               company_id, max_date, create_uid, write_uid, create_date,
                                               write_date)
        SELECT d.id, c.id, -c.balance, -c.balance, -c.balance, d.currency_id, c.currency_id, d.company_id,
               c.date, %(uid)s, %(uid)s, now(), now()
          FROM account_move_line c
          JOIN account_move_line d ON d.move_name = 'BINV/' || substr(c.move_name, 6)
                                  AND d.display_type = 'payment_term'
         WHERE c.move_name LIKE 'BPAY/%%' AND c.display_type = 'payment_term'
    """,
            **params,
        )
    )
    cr.execute(
        SQL("""
        UPDATE account_move_line d SET amount_residual = d.balance - s.paid,
                                       amount_residual_currency = d.balance - s.paid,
                                       reconciled = d.balance = s.paid
          FROM (SELECT debit_move_id, SUM(amount) AS paid FROM account_partial_reconcile GROUP BY 1) s
         WHERE s.debit_move_id = d.id AND d.move_name LIKE 'BINV/%%'
    """)
    )
    # Fresh tables without statistics make the planner choose nested loops (as autovacuum
    # would have analysed them by now in real life).
    cr.execute(
        SQL(
            "ANALYZE account_move, account_move_line, account_partial_reconcile, account_payment, res_partner"
        )
    )
    env.invalidate_all()
    Engine = env["customer.reconciliation.engine"]
    result = Engine.generate(company, DATE_FROM, DATE_TO, partners.ids)
    icp.set_param("customer_reconciliation.bench_data", marker)
    env.cr.commit()
    return result["created"]


def bench_sessions(env, customers):
    return env["customer.reconciliation.session"].search(
        [
            ("partner_id.name", "=like", "Bench Customer %"),
            ("date_from", "=", DATE_FROM),
            ("date_to", "=", DATE_TO),
        ],
        order="partner_id",
    )


# --------------------------------------------------------------------------- measurements
def measure(args):
    """Child process: one measurement, printed as JSON on the last line of stdout."""
    registry = open_env(args.config, args.db)
    import io  # noqa: PLC0415

    from odoo import SUPERUSER_ID, api  # noqa: PLC0415
    from odoo.tools.pdf import PdfFileReader  # noqa: PLC0415

    from odoo.addons.customer_reconciliation.reports import (  # noqa: PLC0415
        balances_workbook,
        statement_workbook,
    )

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"lang": "en_US"})
        admin = env.ref("base.user_admin")
        env = env(
            user=admin.id, context={"lang": "en_US", "allowed_company_ids": admin.company_ids.ids}
        )
        sessions = bench_sessions(env, args.customers)
        base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result = {"what": args.measure}
        start = time.perf_counter()
        if args.measure in ("pdf", "pdf_letter"):
            session = sessions[:1]
            report = (
                "customer_reconciliation.action_report_reconciliation_statement"
                if args.measure == "pdf"
                else "customer_reconciliation.action_report_statement_with_letter"
            )
            pdf, _kind = env["ir.actions.report"]._render_qweb_pdf(report, session.ids)
            result["seconds"] = time.perf_counter() - start
            result["pages"] = PdfFileReader(io.BytesIO(pdf)).getNumPages()
            result["lines"] = session.line_count
            result["bytes"] = len(pdf)
            suffix = "_letter" if args.measure == "pdf_letter" else ""
            path = os.path.join(args.out, f"statement_{session.line_count}_lines{suffix}.pdf")
            with open(path, "wb") as handle:
                handle.write(pdf)
        elif args.measure == "xlsx_one":
            session = sessions[:1]
            content, filename = statement_workbook.statement_xlsx(session)
            result["seconds"] = time.perf_counter() - start
            result["lines"] = session.line_count
            result["bytes"] = len(content)
            path = os.path.join(args.out, "statement.xlsx")
            with open(path, "wb") as handle:
                handle.write(content)
        elif args.measure == "xlsx_all":
            content, filename = balances_workbook.balances_xlsx(
                sessions, with_statement_sheets=True
            )
            result["seconds"] = time.perf_counter() - start
            result["lines"] = sum(sessions.mapped("line_count"))
            result["statements"] = len(sessions)
            result["bytes"] = len(content)
            path = os.path.join(args.out, "balances_with_statements.xlsx")
            with open(path, "wb") as handle:
                handle.write(content)
        result["path"] = path
        result["rss_before_mb"] = rss_mb(base_rss)
        result["peak_rss_mb"] = rss_mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
        result["child_peak_rss_mb"] = rss_mb(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        cr.rollback()
    print(json.dumps(result))


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(port, timeout=90):
    import urllib.request  # noqa: PLC0415

    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=5)
            return True
        except Exception:  # noqa: BLE001
            time.sleep(1)
    return False


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", default="reports_bench")
    parser.add_argument("--customers", type=int, default=50)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--out", default="/tmp/reports-bench")
    parser.add_argument(
        "--update", action="store_true", help="update the addon in a reused database first"
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        return measure(args)

    os.makedirs(args.out, exist_ok=True)
    from odoo.tools import config as odoo_config  # noqa: PLC0415

    odoo_config.parse_config(["-c", args.config, "--addons-path", ADDONS, "--log-level", "warn"])
    if not database_exists(args.db):
        print(f"Creating {args.db} and installing {MODULE} ...", flush=True)
        subprocess.run(
            odoo_cmd(
                args, args.config, args.db, "-i", MODULE, "--stop-after-init", "--log-level=warn"
            ),
            check=True,
        )
    elif args.update:
        print(f"Updating {MODULE} in {args.db} ...", flush=True)
        subprocess.run(
            odoo_cmd(
                args, args.config, args.db, "-u", MODULE, "--stop-after-init", "--log-level=warn"
            ),
            check=True,
        )
    registry = open_env(args.config, args.db)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    port = free_port()
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        start = time.perf_counter()
        created = build_data(env, args.customers, args.lines)
        if created is not False:
            print(
                f"Built {args.customers} customers x {args.lines} journal items and their statements "
                f"in {time.perf_counter() - start:.1f} s",
                flush=True,
            )
        sessions = bench_sessions(env, args.customers)
        total_lines = sum(sessions.mapped("line_count"))
        print(f"{len(sessions)} statements, {total_lines} lines in total", flush=True)
        env["ir.config_parameter"].sudo().set_param("report.url", f"http://127.0.0.1:{port}")
        cr.commit()

    server = subprocess.Popen(
        odoo_cmd(
            args,
            args.config,
            args.db,
            "--http-port",
            str(port),
            "--http-interface",
            "127.0.0.1",
            "--db-filter",
            f"^{args.db}$",
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--log-level",
            "warn",
        ),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results = []
    try:
        if not wait_http(port):
            print("The Odoo server for the report assets did not start: PDFs would have no CSS.")
        for what in ("pdf", "pdf_letter", "xlsx_one", "xlsx_all"):
            proc = subprocess.run(
                [
                    sys.executable,
                    HERE,
                    "--config",
                    args.config,
                    "--db",
                    args.db,
                    "--customers",
                    str(args.customers),
                    "--lines",
                    str(args.lines),
                    "--out",
                    args.out,
                    "--measure",
                    what,
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if proc.returncode:
                print(proc.stdout[-2000:], proc.stderr[-4000:])
                raise SystemExit(f"measurement {what} failed")
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    finally:
        server.terminate()
        server.wait(timeout=30)
        with registry.cursor() as cr:
            api.Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].sudo().set_param(
                "report.url", False
            )

    by = {r["what"]: r for r in results}
    print()
    print("=" * 78)
    print(f"customer_reconciliation report benchmark — database {args.db}, {os.cpu_count()} CPU")
    print("=" * 78)
    pdf, pdfl, one, all_ = by["pdf"], by["pdf_letter"], by["xlsx_one"], by["xlsx_all"]
    print(
        f"PDF statement, {pdf['lines']} lines: {pdf['seconds']:.1f} s, {pdf['pages']} pages, "
        f"{pdf['bytes'] / 1024:.0f} KiB"
    )
    print(
        f"    peak RSS python {pdf['peak_rss_mb']:.0f} MB (before: {pdf['rss_before_mb']:.0f} MB), "
        f"wkhtmltopdf {pdf['child_peak_rss_mb']:.0f} MB"
        f"   target < {PDF_TARGET_S:.0f} s: {'OK' if pdf['seconds'] < PDF_TARGET_S else 'MISSED'}"
    )
    print(
        f"PDF statement + confirmation letter: {pdfl['seconds']:.1f} s, {pdfl['pages']} pages, "
        f"python {pdfl['peak_rss_mb']:.0f} MB, wkhtmltopdf {pdfl['child_peak_rss_mb']:.0f} MB"
    )
    print(
        f"XLSX one statement, {one['lines']} lines: {one['seconds']:.2f} s, {one['bytes'] / 1024:.0f} KiB, "
        f"peak RSS {one['peak_rss_mb']:.0f} MB (before: {one['rss_before_mb']:.0f} MB)"
    )
    print(
        f"XLSX balances + {all_['statements']} statement sheets, {all_['lines']} lines: "
        f"{all_['seconds']:.2f} s, {all_['bytes'] / 1024 / 1024:.1f} MiB, "
        f"peak RSS {all_['peak_rss_mb']:.0f} MB (before: {all_['rss_before_mb']:.0f} MB)"
        f"   target <= {XLSX_TARGET_S:.0f} s: {'OK' if all_['seconds'] <= XLSX_TARGET_S else 'MISSED'}"
    )
    print(f"Files in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
