#!/usr/bin/env bash
# `make test`: install customer_reconciliation in a fresh database cr_test (no demo data),
# fail on the addon's loading warnings/errors, then run the pytest suite in tests/.
# Arguments are passed to pytest (e.g. scripts/test.sh -k reconcile -x).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${CR_TEST_DB:-cr_test}"
start=$SECONDS

setup_env
drop_db "$DB"

install_log="$LOCAL_DIR/logs/install-$DB.log"
log "installing $MODULE in a fresh database $DB (log: $install_log)"
if ! odoo_bin -d "$DB" -i "$MODULE" --stop-after-init --log-level=warn >"$install_log" 2>&1; then
    tail -n 80 "$install_log" >&2
    die "installing $MODULE in $DB failed (full log: $install_log)"
fi

# Odoo log records start with "YYYY-MM-DD HH:MM:SS,mmm PID LEVEL ..."; continuation lines
# (tracebacks) belong to the previous record. Fail on any ERROR/CRITICAL record and on
# WARNING records that mention the addon.
problems="$(awk -v mod="$MODULE" '
    function flush() {
        if (rec != "" && (lvl == "ERROR" || lvl == "CRITICAL" || (lvl == "WARNING" && index(rec, mod))))
            printf "%s\n", rec
        rec = ""; lvl = ""
    }
    /^[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9] [0-9:,]+ [0-9]+ [A-Z]+ / { flush(); lvl = $4; rec = $0; next }
    { if (rec != "") rec = rec "\n" $0 }
    END { flush() }
' "$install_log")"
if [[ -n $problems ]]; then
    printf '%s\n' "$problems" >&2
    die "installing $MODULE logged the warnings/errors above (full log: $install_log)"
fi
log "installed in $((SECONDS - start))s"

# pytest arguments: default to the whole tests/ folder unless paths were given
has_path=0
for a in "$@"; do
    [[ $a != -* && -e ${a%%::*} ]] && has_path=1
done
targets=()
((has_path)) || targets=(tests)

if [[ -n ${PG_BIN:-} ]]; then
    # let tools run by tests (e.g. pytest-xdist's createdb/dropdb) reach the private cluster
    export PATH="$PG_BIN:$PATH" PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER"
fi

cd "$CR_ROOT"
set +e
"$PY" -m pytest --odoo-config="$ODOO_CONF" --odoo-database="$DB" --odoo-http \
    --odoo-extra="db-filter=^$DB\$" -p no:cacheprovider "${targets[@]}" "$@"
rc=$?
set -e
if ((rc == 5)); then
    die "pytest ran no test (exit code 5: nothing collected, or all deselected): that counts as a failure"
fi
if ((rc != 0)); then
    log "tests FAILED (pytest exit code $rc) after $((SECONDS - start))s"
    exit "$rc"
fi
log "all tests passed in $((SECONDS - start))s"
