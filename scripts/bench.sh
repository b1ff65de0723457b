#!/usr/bin/env bash
# `make bench`: ensure PostgreSQL and the Odoo config, then run the five benchmarks
# (`make bench ARGS=--scale`: bench/bench_scale.py, the month-end at scale, instead):
#   bench/bench.py          statement generation vs OCA partner_statement (arguments go here)
#   bench/bench_reports.py  a 2,000-line statement PDF and a 100,000-line XLSX export
#   bench/bench_matching.py the customer-ledger matcher, 50,000 x 50,000 lines, and the
#                           wizard's path on 5,000 and 50,000 rows against the pure path
#   bench/bench_import.py   a 10 MB customer's ledger (CSV, XLSX) imported into a 2,000-line statement
#   bench/bench_insight.py  the receivables insight: backfill of 24 month ends and the nightly
#                           refresh for 10,000 customers x 100 items, queries against 1,000
# CR_ODOO_CONF and CR_REPO_ROOT are exported too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -f $CR_ROOT/bench/bench.py ]] \
    || die "bench/bench.py not found: the benchmark is not part of this checkout yet"
setup_env
export CR_ODOO_CONF="$ODOO_CONF" CR_REPO_ROOT="$CR_ROOT"
cd "$CR_ROOT"
# `make bench ARGS=--scale [...]`: the month-end at scale alone (bench/bench_scale.py).
if [[ ${1:-} == --scale ]]; then
    shift
    exec "$PY" bench/bench_scale.py --config "$ODOO_CONF" "$@"
fi
# OCA's activity statement takes minutes per 500 customers: by default it is timed on the
# first 500 customers, and our engine again on the same 500 for the ratio.
oca_args=(--oca-customers 500)
for arg in "$@"; do
    [[ $arg == --oca-customers* || $arg == --skip-oca ]] && oca_args=()
done
"$PY" bench/bench.py --config "$ODOO_CONF" "${oca_args[@]}" "$@"
"$PY" bench/bench_reports.py --config "$ODOO_CONF" --db cr_bench_reports --out "$LOCAL_DIR/bench-reports"
"$PY" bench/bench_matching.py --config "$ODOO_CONF" --db cr_bench_import --out "$LOCAL_DIR/bench-import"
"$PY" bench/bench_import.py --config "$ODOO_CONF" --db cr_bench_import --out "$LOCAL_DIR/bench-import"
"$PY" bench/bench_insight.py --config "$ODOO_CONF"
