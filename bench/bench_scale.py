"""Benchmark: the month-end at scale (``make bench ARGS=--scale``).

On a scratch database of 10,000 customers x 100 receivable items (1,000,000 journal items,
built by bench.py's set-based SQL), with the scheduled-action code paths several Odoo
workers run:

1. generation of the period as a background run (batches of 500), by one worker, then by two
   worker processes side by side (time, peak RSS of each worker);
2. the nightly ledger check of the 10,000 statements, sent (one worker, then two);
3. the bulk approval of the 10,000 statements, submitted (one worker, then two);
4. sending ``--send-count`` statements with their PDFs (the statement and the confirmation
   letter) to an SMTP sink on 127.0.0.1 that the benchmark starts and stops, with an Odoo HTTP
   server for the report assets, by one worker then two; the cost per statement is printed,
   and the time for 10,000 extrapolated from it when fewer were sent;
5. OCA's activity statement on the first 500 customers against our engine on the same 500.

Each worker is a fresh Python process; they start together once their registries are loaded.
A benchmark, not a test: it prints MISSED next to a missed target and exits 0.
"""

import argparse
import multiprocessing
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import bench as base  # noqa: E402 - bench.py beside this file

TARGET_GENERATION_SECONDS = 30
TARGET_MEMORY_MIB = 1536
TARGET_LEDGER_SECONDS = 30
TARGET_RATIO = 30
MONTH_END = (date(2026, 10, 1), date(2026, 10, 31))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--config", required=True, help="Odoo configuration file")
    parser.add_argument("--db", default="cr_bench_scale", help="default: %(default)s")
    parser.add_argument("--customers", type=int, default=10000, help="default: %(default)s")
    parser.add_argument("--items", type=int, default=100, help="default: %(default)s")
    parser.add_argument(
        "--send-count",
        type=int,
        default=10000,
        help="statements sent with their PDFs (default: %(default)s; the PDFs take most of "
        "the time: fewer give the cost per statement sooner)",
    )
    parser.add_argument("--oca-customers", type=int, default=500, help="default: %(default)s")
    parser.add_argument("--skip-oca", action="store_true")
    parser.add_argument(
        "--steps",
        default="generation,ledger,approval,sending",
        help="comma-separated, of generation, ledger, approval, sending (default: "
        "%(default)s; the ledger check, the approval and the sending use the statements of an "
        "earlier generation)",
    )
    parser.add_argument(
        "--workers",
        default="1,2",
        help="comma-separated counts of workers each step is timed with (default: %(default)s)",
    )
    parser.add_argument("--http-port", type=int, default=8079, help="for the report assets")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database of an earlier --keep run (a reused database is kept at the end)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database at the end")
    args = parser.parse_args(argv)
    args.config = os.path.abspath(args.config)
    args.date_from, args.date_to = MONTH_END
    if min(args.customers, args.items, args.send_count) < 1:
        parser.error("--customers, --items and --send-count must be at least 1")
    try:
        args.workers = [int(count) for count in args.workers.split(",")]
    except ValueError:
        parser.error(f"--workers: {args.workers!r} is not a comma-separated list of counts")
    if min(args.workers) < 1:
        parser.error("--workers: each count must be at least 1")
    return args


# --------------------------------------------------------------------------- workers
def run_workers(count, function, *args):
    """Start ``count`` processes running ``function(go, *args)``; they load Odoo, then wait
    for ``go`` together. Returns (wall seconds from go to the last end, their results)."""
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(count, mp_context=context) as pool:
        ready, go = manager.Semaphore(0), manager.Event()
        futures = [pool.submit(function, ready, go, *args) for _i in range(count)]
        for _i in range(count):
            ready.acquire()
        started = time.perf_counter()
        go.set()
        results = [future.result() for future in futures]
        return time.perf_counter() - started, results


def _worker_env(args, ready, go):
    base.configure_odoo(args.config)
    from odoo.modules.registry import Registry

    Registry(args.db)  # loaded before the start
    ready.release()
    go.wait()


def generate_worker(ready, go, args):
    """Worker: process queued generation batches until none is left, as a cron worker."""
    _worker_env(args, ready, go)
    started = time.perf_counter()
    with base.odoo_env(args.db) as env:
        env["customer.reconciliation.run"]._cron_process_runs()
    return {"seconds": time.perf_counter() - started, "rss": base.peak_rss_mib()}


def ledger_worker(ready, go, args):
    _worker_env(args, ready, go)
    started = time.perf_counter()
    with base.odoo_env(args.db) as env:
        # As the scheduled action runs it: committed batch by batch.
        cron = env.ref("customer_reconciliation.ir_cron_check_ledger")
        env["customer.reconciliation.session"].with_context(cron_id=cron.id)._cron_check_ledger()
    return {"seconds": time.perf_counter() - started, "rss": base.peak_rss_mib()}


def approve_worker(ready, go, args):
    _worker_env(args, ready, go)
    started = time.perf_counter()
    with base.odoo_env(args.db) as env:
        env["customer.reconciliation.approval.batch"]._cron_approve_statements()
    return {"seconds": time.perf_counter() - started, "rss": base.peak_rss_mib()}


def send_worker(ready, go, args):
    _worker_env(args, ready, go)
    started = time.perf_counter()
    with base.odoo_env(args.db) as env:
        env["customer.reconciliation.send.batch"]._cron_send_statements()
    return {"seconds": time.perf_counter() - started, "rss": base.peak_rss_mib()}


# --------------------------------------------------------------------------- set-ups
def queue_generation(args):
    """Worker: remove the statements, queue a run of the month-end for every customer."""
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        company = env.ref("base.main_company")
        # Every statement: the month-end's are remade, and the nightly ledger check looks at
        # all sent ones (an earlier run's would count).
        base.delete_statements(env)
        env.cr.execute("DELETE FROM customer_reconciliation_run")
        partner_ids = base.first_customers(env, company, None)
        run = env["customer.reconciliation.run"]._start(
            company, args.date_from, args.date_to, partner_ids
        )
        return {"customers": len(partner_ids), "batches": len(run.batch_ids)}


def count_statements(args):
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute(
            """
            SELECT COUNT(*), COUNT(*) FILTER (WHERE name = '…'),
                   (SELECT COUNT(*) FROM customer_reconciliation_line l
                      JOIN customer_reconciliation_session s ON s.id = l.session_id
                     WHERE s.date_from = %(from)s AND s.date_to = %(to)s),
                   COUNT(DISTINCT (partner_id, currency_id)) = COUNT(*),
                   MAX(substring(name from '[0-9]+$')::int)
                     - MIN(substring(name from '[0-9]+$')::int) + 1 = COUNT(*)
              FROM customer_reconciliation_session
             WHERE date_from = %(from)s AND date_to = %(to)s
            """,
            {"from": args.date_from, "to": args.date_to},
        )
        statements, unnumbered, lines, unique, gapless = env.cr.fetchone()
        return {
            "statements": statements,
            "unnumbered": unnumbered,
            "lines": lines,
            "unique": unique,
            "gapless": gapless,
        }


def mark_sent(args, state):
    """Worker: the month-end's statements in ``state`` (by SQL: the benchmark's shortcut)."""
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute(
            "UPDATE customer_reconciliation_session SET state = %s, ledger_check_date = NULL,"
            " ledger_check_state = NULL WHERE date_from = %s AND date_to = %s",
            [state, args.date_from, args.date_to],
        )
        return env.cr.rowcount


def queue_approval(args):
    """Worker: the month-end's statements submitted by a preparer (by SQL: the benchmark's
    shortcut), their bulk approval queued by a manager; returns how many."""
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute("DELETE FROM customer_reconciliation_approval_batch")
        users = {}
        for role in ("user", "manager"):
            login = f"bench_{role}"
            users[role] = env["res.users"].search([("login", "=", login)]) or env[
                "res.users"
            ].create(
                {
                    "name": f"Bench {role}",
                    "login": login,
                    "group_ids": [
                        (4, env.ref(f"customer_reconciliation.group_reconciliation_{role}").id)
                    ],
                }
            )
        env.cr.execute(
            "UPDATE customer_reconciliation_session SET state = 'to_approve',"
            " submitted_by_id = %s, approved_by_id = NULL, approved_date = NULL"
            " WHERE date_from = %s AND date_to = %s",
            [users["user"].id, args.date_from, args.date_to],
        )
        sessions = env["customer.reconciliation.session"].search(
            [("date_from", "=", args.date_from), ("date_to", "=", args.date_to)]
        )
        batch = env["customer.reconciliation.approval.batch"].with_user(users["manager"])
        return len(batch._start(sessions.with_user(users["manager"])).line_ids)


def approval_outcome(args):
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute(
            "SELECT state, COUNT(*) FROM customer_reconciliation_approval_batch_line GROUP BY state"
        )
        return dict(env.cr.fetchall())


def queue_sending(args, count, smtp_port):
    """Worker: ``count`` approved statements with a contact's address queued for sending,
    the outgoing mail server pointed at the sink, the report assets at our HTTP server."""
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute("DELETE FROM customer_reconciliation_send_batch")
        env.cr.execute("DELETE FROM mail_mail")
        env.cr.execute(
            "UPDATE customer_reconciliation_session SET state = 'approved'"
            " WHERE date_from = %s AND date_to = %s",
            [args.date_from, args.date_to],
        )
        env.cr.execute(
            "UPDATE res_partner SET email = 'ap-' || id || '@bench.example'"
            " WHERE email IS NULL OR email = ''"
        )
        env["ir.mail_server"].search([]).unlink()
        env["ir.mail_server"].create(
            {"name": "bench sink", "smtp_host": "127.0.0.1", "smtp_port": smtp_port}
        )
        company = env.ref("base.main_company")
        company.email = company.email or "accounts@bench.example"
        url = f"http://127.0.0.1:{args.http_port}"
        env["ir.config_parameter"].set_param("web.base.url", url)
        env["ir.config_parameter"].set_param("report.url", url)
        env["ir.config_parameter"].set_param("web.base.url.freeze", "True")
        sessions = env["customer.reconciliation.session"].search(
            [("date_from", "=", args.date_from), ("date_to", "=", args.date_to)],
            order="id",
            limit=count,
        )
        template = env.ref("customer_reconciliation.mail_template_statement_send")
        batch = env["customer.reconciliation.send.batch"].create(
            {
                "template_id": template.id,
                "company_id": company.id,
                "line_ids": [(0, 0, {"session_id": s.id}) for s in sessions],
            }
        )
        return len(batch.line_ids)


def sending_outcome(args):
    base.configure_odoo(args.config)
    with base.odoo_env(args.db) as env:
        env.cr.execute(
            "SELECT state, COUNT(*) FROM customer_reconciliation_send_batch_line GROUP BY state"
        )
        return dict(env.cr.fetchall())


class SmtpSink(socketserver.ThreadingTCPServer):
    """An SMTP server on 127.0.0.1 that accepts every message and counts them."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), SmtpHandler)
        self.messages = 0
        self.lock = threading.Lock()


class SmtpHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 bench sink\r\n")
        while line := self.rfile.readline():
            command = line.strip().upper()
            if command.startswith((b"EHLO", b"HELO")):
                self.wfile.write(b"250-bench sink\r\n250 SIZE 104857600\r\n")
            elif command == b"DATA":
                self.wfile.write(b"354 go on\r\n")
                while (data := self.rfile.readline()) and data != b".\r\n":
                    pass
                with self.server.lock:
                    self.server.messages += 1
                self.wfile.write(b"250 queued\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


def start_http_server(args):
    """An Odoo server for the report assets wkhtmltopdf loads (no cron)."""
    command = [sys.executable, "-m", "odoo", "server", "-c", args.config, "-d", args.db]
    command += [f"--http-port={args.http_port}", f"--gevent-port={args.http_port + 100}"]
    command += ["--max-cron-threads=0", f"--db-filter=^{args.db}$", "--log-level=warn"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _i in range(120):
        try:
            with socket.create_connection(("127.0.0.1", args.http_port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    sys.exit(f"[bench] the Odoo HTTP server did not start on port {args.http_port}")


# --------------------------------------------------------------------------- steps
def bench_generation(args, workers):
    queued = base.in_worker(queue_generation, args)
    base.log(f"generation with {workers} worker(s): {queued['batches']} batches queued")
    seconds, results = run_workers(workers, generate_worker, args)
    return {
        "seconds": seconds,
        "workers": results,
        **queued,
        **base.in_worker(count_statements, args),
    }


def bench_ledger(args, workers):
    base.in_worker(mark_sent, args, "sent")
    seconds, results = run_workers(workers, ledger_worker, args)
    return {"seconds": seconds, "workers": results}


def bench_approval(args, workers):
    queued = base.in_worker(queue_approval, args)
    seconds, results = run_workers(workers, approve_worker, args)
    return {
        "seconds": seconds,
        "workers": results,
        "queued": queued,
        "outcome": base.in_worker(approval_outcome, args),
    }


def bench_sending(args, workers, count, sink):
    queued = base.in_worker(queue_sending, args, count, sink.server_address[1])
    before = sink.messages
    seconds, results = run_workers(workers, send_worker, args)
    return {
        "seconds": seconds,
        "workers": results,
        "queued": queued,
        "mails": sink.messages - before,
        "outcome": base.in_worker(sending_outcome, args),
    }


def main(argv=None):
    args = parse_args(argv)
    if not args.skip_oca:
        base.ensure_oca_installed()
    build = argparse.Namespace(
        config=args.config,
        db=args.db,
        customers=args.customers,
        items=args.items,
        date_from=date(2026, 1, 1),
        date_to=args.date_to,
        skip_oca=args.skip_oca,
        reuse=args.reuse,
    )
    base.log(f"database {args.db}: {args.customers} customers x {args.items} items")
    data = base.in_worker(base.build_database, build)
    results = {"data": data, "generation": {}, "ledger": {}, "approval": {}, "sending": {}}
    steps = set(args.steps.split(","))
    for workers in args.workers if "generation" in steps else ():
        results["generation"][workers] = gen = bench_generation(args, workers)
        base.log(f"generation, {workers} worker(s): {gen['seconds']:.1f} s")
    for workers in args.workers if "ledger" in steps else ():
        results["ledger"][workers] = led = bench_ledger(args, workers)
        base.log(f"ledger check, {workers} worker(s): {led['seconds']:.1f} s")
    for workers in args.workers if "approval" in steps else ():
        results["approval"][workers] = app = bench_approval(args, workers)
        base.log(f"bulk approval, {workers} worker(s): {app['seconds']:.1f} s")
    sink = SmtpSink()
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    server = start_http_server(args) if "sending" in steps else None
    try:
        for workers in args.workers if server else ():
            results["sending"][workers] = sent = bench_sending(args, workers, args.send_count, sink)
            base.log(f"sending, {workers} worker(s): {sent['seconds']:.1f} s")
    finally:
        if server:
            server.terminate()
            server.wait(30)
        sink.shutdown()
    oca = ours = None
    if not args.skip_oca:
        ours = base.in_worker(base.measure_ours, build, limit=args.oca_customers, keep=False)
        oca = base.in_worker(base.measure_oca, build, limit=args.oca_customers)
    print_summary(args, results, ours, oca)
    if not (args.keep or data["reused"]):
        base.in_worker(base.drop_database_worker, build)


def print_summary(args, results, ours, oca):
    data = results["data"]
    print()
    print("customer_reconciliation month-end at scale")
    print(f"data: {data['customers']} customers, {data['items']} receivable journal items")
    for workers, gen in results["generation"].items():
        rss = max(worker["rss"] for worker in gen["workers"])
        print(
            f"generation, {workers} worker(s): {gen['statements']} statements, {gen['lines']} "
            f"lines in {gen['seconds']:.1f} s, peak RSS {rss:.0f} MiB per worker; unique "
            f"{gen['unique']}, gapless {gen['gapless']}, unnumbered {gen['unnumbered']}"
        )
    if one := results["generation"].get(1):
        one_rss = max(worker["rss"] for worker in one["workers"])
        print(
            f"  target one worker <= {TARGET_GENERATION_SECONDS} s: "
            f"{base.verdict(one['seconds'] <= TARGET_GENERATION_SECONDS)}; <= 1.5 GiB: "
            f"{base.verdict(one_rss <= TARGET_MEMORY_MIB)}"
        )
    for workers, led in results["ledger"].items():
        print(f"ledger check of the sent statements, {workers} worker(s): {led['seconds']:.1f} s")
    if one := results["ledger"].get(1):
        print(
            f"  target <= {TARGET_LEDGER_SECONDS} s: "
            f"{base.verdict(one['seconds'] <= TARGET_LEDGER_SECONDS)}"
        )
    for workers, app in results["approval"].items():
        print(
            f"bulk approval, {workers} worker(s): {app['queued']} statements in "
            f"{app['seconds']:.1f} s; lines {app['outcome']}"
        )
    for workers, sent in results["sending"].items():
        each = sent["seconds"] / max(sent["queued"], 1)
        print(
            f"sending with PDFs, {workers} worker(s): {sent['queued']} statements, "
            f"{sent['mails']} mails received by the sink in {sent['seconds']:.1f} s: "
            f"{each * 1000:.0f} ms per statement (10,000: {each * 10000 / 60:.0f} min"
            f"{'' if sent['queued'] >= 10000 else ', extrapolated'}); lines {sent['outcome']}"
        )
    if oca and ours:
        ratio = oca["seconds"] / ours["seconds"]
        print(
            f"OCA activity statement on {oca['customers']} customers: {oca['seconds']:.1f} s; "
            f"ours on the same: {ours['seconds']:.2f} s; {ratio:.1f}x "
            f"(target >= {TARGET_RATIO}x: {base.verdict(ratio >= TARGET_RATIO)})"
        )
    print(f"machine: {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
