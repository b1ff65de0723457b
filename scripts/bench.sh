#!/usr/bin/env bash
# `make bench`: ensure PostgreSQL and the Odoo config, then run bench/bench.py --config <odoo.conf>.
# Arguments are passed to bench/bench.py. CR_ODOO_CONF and CR_REPO_ROOT are exported too.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ -f $CR_ROOT/bench/bench.py ]] \
    || die "bench/bench.py not found: the benchmark is not part of this checkout yet"
setup_env
export CR_ODOO_CONF="$ODOO_CONF" CR_REPO_ROOT="$CR_ROOT"
cd "$CR_ROOT"
exec "$PY" bench/bench.py --config "$ODOO_CONF" "$@"
