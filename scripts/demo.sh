#!/usr/bin/env bash
# `make demo`: install customer_reconciliation with demo data in the database cr_demo
# (or update it when already installed) and serve Odoo on http://localhost:8069.
# Extra arguments are passed to the Odoo server.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${CR_DEMO_DB:-cr_demo}"
HTTP_PORT="${CR_HTTP_PORT:-8069}"

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

if db_exists "$DB" && [[ $(module_state "$DB" "$MODULE") != installed ]]; then
    log "database $DB exists but $MODULE is not installed in it (interrupted run?): recreating it"
    drop_db "$DB"
fi

if db_exists "$DB"; then
    log "updating $MODULE in database $DB"
    odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn \
        || die "updating $MODULE in $DB failed (see the output above)"
else
    log "creating database $DB with $MODULE and demo data (first run takes a few minutes)"
    odoo_bin -d "$DB" -i "$MODULE" --with-demo --stop-after-init --log-level=warn \
        || die "installing $MODULE in $DB failed (see the output above)"
    # Odoo's own Chinese terms, once the database exists (loaded while creating it, the
    # language would replace English instead of joining it).
    log "loading Simplified and Traditional Chinese"
    odoo_bin -d "$DB" --load-language=zh_CN,zh_TW --stop-after-init --log-level=warn \
        || die "loading zh_CN and zh_TW in $DB failed (see the output above)"
fi

log "serving database $DB on http://localhost:$HTTP_PORT (login: admin / password: admin), Ctrl-C to stop"
exec "$PY" -m odoo server -c "$ODOO_CONF" -d "$DB" --http-port "$HTTP_PORT" --db-filter "^${DB}\$" "$@"
