#!/usr/bin/env bash
# `make test`: install customer_reconciliation in a fresh database cr_test and the bridge
# customer_reconciliation_sale (with sale_stock) in another, cr_test_sale (no demo data), fail
# on the addons' loading warnings/errors, then run tests/ on the first (without tests/sale/)
# and tests/sale/ on the second.
# Arguments are passed to pytest (e.g. scripts/test.sh -k reconcile -x).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DB="${CR_TEST_DB:-cr_test}"
SALE_MODULE=customer_reconciliation_sale
SALE_DB="${DB}_sale"  # the bridge pulls sale_stock: a database of its own
start=$SECONDS

setup_env

install_fresh() {  # install_fresh DB MODULE: a fresh database, failing on the loading warnings
    local db=$1 module=$2 install_log problems
    drop_db "$db"
    install_log="$LOCAL_DIR/logs/install-$db.log"
    log "installing $module in a fresh database $db (log: $install_log)"
    if ! odoo_bin -d "$db" -i "$module" --stop-after-init --log-level=warn >"$install_log" 2>&1; then
        tail -n 80 "$install_log" >&2
        die "installing $module in $db failed (full log: $install_log)"
    fi
    # Odoo log records start with "YYYY-MM-DD HH:MM:SS,mmm PID LEVEL ..."; continuation lines
    # (tracebacks) belong to the previous record. Fail on any ERROR/CRITICAL record and on
    # WARNING records that mention the addon (customer_reconciliation, or the bridge).
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
        die "installing $module logged the warnings/errors above (full log: $install_log)"
    fi
    log "installed $module in $db after $((SECONDS - start))s"
}

install_fresh "$DB" "$MODULE"
install_fresh "$SALE_DB" "$SALE_MODULE"

# pytest arguments: default to the whole tests/ folder unless paths were given; the tests of
# the bridge (tests/sale/) run on its own database, the others on the main addon's.
has_path=0
for a in "$@"; do
    [[ $a != -* && -e ${a%%::*} ]] && has_path=1
done

if [[ -n ${PG_BIN:-} ]]; then
    # let tools run by tests (e.g. pytest-xdist's createdb/dropdb) reach the private cluster
    export PATH="$PG_BIN:$PATH" PGHOST="$DB_HOST" PGPORT="$DB_PORT" PGUSER="$DB_USER"
fi

cd "$CR_ROOT"
ran=0
strict=$(($# == 0))  # the whole suite: each database's run must run tests
run_pytest() {  # run_pytest DB ARGS...: pytest on DB; counts the runs that ran tests
    local db=$1 rc
    shift
    set +e
    "$PY" -m pytest --odoo-config="$ODOO_CONF" --odoo-database="$db" --odoo-http \
        --odoo-extra="db-filter=^$db\$" -p no:cacheprovider "$@"
    rc=$?
    set -e
    if ((rc == 5)); then
        if ((strict)); then
            die "pytest ran no test on $db (exit code 5: nothing collected, or all deselected): that counts as a failure"
        fi
        log "pytest ran no test on $db (nothing collected, or all deselected by the arguments)"
        return 0
    fi
    if ((rc != 0)); then
        log "tests FAILED on $db (pytest exit code $rc) after $((SECONDS - start))s"
        exit "$rc"
    fi
    ran=$((ran + 1))
}

if ((has_path)); then
    # Paths given: the bridge's on its database, the others on the main one.
    main_args=() sale_args=() options=()
    for a in "$@"; do
        if [[ $a != -* && -e ${a%%::*} ]]; then
            if [[ $a == tests/sale* ]]; then sale_args+=("$a"); else main_args+=("$a"); fi
        else
            options+=("$a")
        fi
    done
    if ((${#main_args[@]})); then run_pytest "$DB" "${main_args[@]}" "${options[@]}"; fi
    if ((${#sale_args[@]})); then run_pytest "$SALE_DB" "${sale_args[@]}" "${options[@]}"; fi
else
    run_pytest "$DB" tests --ignore=tests/sale "$@"
    run_pytest "$SALE_DB" tests/sale "$@"
fi
if ((ran == 0)); then
    die "pytest ran no test (exit code 5: nothing collected, or all deselected): that counts as a failure"
fi
log "all tests passed in $((SECONDS - start))s"
