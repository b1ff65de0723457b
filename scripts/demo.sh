#!/usr/bin/env bash
# `make demo`: install customer_reconciliation and its sale bridge customer_reconciliation_sale
# (which pulls Sales and Inventory) with demo data in the database cr_demo (or update them when
# already installed) and serve Odoo on http://localhost:8069.
# Extra arguments are passed to the Odoo server.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${CR_DEMO_DB:-cr_demo}"
HTTP_PORT="${CR_HTTP_PORT:-8069}"
BRIDGE="${MODULE}_sale"

port_free() {
    "$PY" -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("", int(sys.argv[1])))
except OSError:
    sys.exit(1)' "$1"
}

setup_env
port_free "$HTTP_PORT" \
    || die "port $HTTP_PORT is already in use: stop the other server or run with CR_HTTP_PORT=<port>"

if db_exists "$DB" && [[ $(module_state "$DB" "$BRIDGE") != installed ]]; then
    log "database $DB exists but $BRIDGE is not installed in it (interrupted run, or made before the bridge): recreating it"
    drop_db "$DB"
fi

if db_exists "$DB"; then
    log "updating $MODULE and $BRIDGE in database $DB"
    odoo_bin -d "$DB" -u "$MODULE,$BRIDGE" --stop-after-init --log-level=warn \
        || die "updating $MODULE in $DB failed (see the output above)"
else
    log "creating database $DB with $MODULE, $BRIDGE and demo data (first run takes a few minutes)"
    odoo_bin -d "$DB" -i "$MODULE,$BRIDGE" --with-demo --stop-after-init --log-level=warn \
        || die "installing $MODULE in $DB failed (see the output above)"
    # Odoo's own Chinese terms, once the database exists (loaded while creating it, the
    # language would replace English instead of joining it).
    log "loading Simplified and Traditional Chinese"
    odoo_bin -d "$DB" --load-language=zh_CN,zh_TW --stop-after-init --log-level=warn \
        || die "loading zh_CN and zh_TW in $DB failed (see the output above)"
fi

log "serving database $DB on http://localhost:$HTTP_PORT (login: admin / password: admin), Ctrl-C to stop"
exec "$PY" -m odoo server -c "$ODOO_CONF" -d "$DB" --http-port "$HTTP_PORT" --db-filter "^${DB}\$" "$@"
