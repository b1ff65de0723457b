#!/usr/bin/env bash
# Manage the private PostgreSQL cluster: scripts/pg.sh start|stop|status|psql [psql args]|conf|clean
# (clean: stop it and delete the local state folder, i.e. all local databases)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cmd="${1:-status}"
shift || true
case "$cmd" in
    start)
        ensure_pg
        write_odoo_conf
        log "PostgreSQL ready: host=${DB_HOST:-<default>} port=${DB_PORT:-<default>} user=$DB_USER; Odoo config: $ODOO_CONF"
        ;;
    stop)
        stop_pg
        ;;
    status)
        if uses_external_pg; then
            log "using the server from PGHOST/PGPORT/PGUSER/PGPASSWORD"
            exit 0
        fi
        PG_BIN="$(find_pg_bindir)" || die "PostgreSQL server binaries not found"
        pg_layout
        if pg_ready; then
            log "private PostgreSQL is running (data $PG_DATA, socket $PG_SOCK, port $PG_PORT)"
        else
            log "private PostgreSQL is not running (data $PG_DATA)"
            exit 3
        fi
        ;;
    psql)
        ensure_pg
        if uses_external_pg; then
            exec psql "$@"
        fi
        exec "$PG_BIN/psql" -h "$DB_HOST" -p "$DB_PORT" -U "$DB_USER" -d postgres "$@"
        ;;
    conf)
        ensure_pg
        write_odoo_conf
        echo "$ODOO_CONF"
        ;;
    clean)
        stop_pg
        if ! uses_external_pg; then
            pg_layout
            [[ $PG_SOCK == "$PG_DIR"/* ]] || rm -rf "$PG_SOCK"
            rm -rf "$PG_DIR"
        fi
        rm -rf "$LOCAL_DIR"
        log "removed $LOCAL_DIR (databases, filestore, config)"
        ;;
    *)
        die "usage: scripts/pg.sh start|stop|status|psql|conf|clean"
        ;;
esac
