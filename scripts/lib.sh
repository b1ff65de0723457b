# shellcheck shell=bash
# Shared helpers for the project scripts (sourced, not executed).
#
# Local state lives in one git-ignored folder ($CR_LOCAL_DIR, default .local/):
#   .local/odoo.conf      generated Odoo config (regenerated on every run)
#   .local/data/          Odoo data_dir (filestore, sessions)
#   .local/logs/          install logs
#   .local/pg/            private PostgreSQL cluster (owned by `postgres` when run as root)
#
# Environment overrides (all optional):
#   PYTHON            python interpreter that imports Odoo 19.0 (default: python3)
#   CR_ADDONS_PATH    addons path(s) for Odoo, comma separated (default: the repository root)
#   CR_LOCAL_DIR      local state folder (default: <repo>/.local)
#   CR_PG_PORT        port of the private cluster (default: 54329; unix socket only)
#   CR_PG_BINDIR      PostgreSQL server binaries (default: `pg_config --bindir`)
#   CR_HTTP_PORT      port of `make demo` (default: 8069)
#   CR_HTTP_INTERFACE interface Odoo's HTTP server binds (default: 127.0.0.1)
#   CR_SKIP_SYSTEM_PACKAGES=1  never try apt-get
#   PGHOST/PGPORT/PGUSER/PGPASSWORD  use that PostgreSQL server instead of a private cluster

CR_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PY="${PYTHON:-python3}"
MODULE=customer_reconciliation
LOCAL_DIR="${CR_LOCAL_DIR:-$CR_ROOT/.local}"
ODOO_CONF="$LOCAL_DIR/odoo.conf"
ADDONS_PATH="${CR_ADDONS_PATH:-$CR_ROOT}"
PG_PORT="${CR_PG_PORT:-54329}"
PG_OS_USER=postgres
PG_DB_ROLE=odoo

export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore

log()  { printf '[cr] %s\n' "$*" >&2; }
warn() { printf '[cr] WARNING: %s\n' "$*" >&2; }
die()  { printf '[cr] ERROR: %s\n' "$*" >&2; exit 1; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# ---------------------------------------------------------------- prerequisites

check_odoo() {
    command -v "$PY" >/dev/null 2>&1 \
        || die "$PY not found: install Python 3.10+ with Odoo 19.0 (see README)"
    local ver
    ver="$("$PY" -c 'import odoo.release as r; print("%s.%s" % r.version_info[:2])' 2>/dev/null)" \
        || die "Odoo 19.0 is not importable by $PY: install Odoo 19.0 and make \`$PY -c 'import odoo'\` work (see README)"
    [[ $ver == 19.0 ]] \
        || die "$PY imports Odoo $ver but Odoo 19.0 is required: make \`$PY -c 'import odoo'\` import Odoo 19.0 (see README)"
}

# Print the lines of requirements.txt that are not satisfied in $PY's environment.
missing_python_requirements() {
    "$PY" - "$CR_ROOT/requirements.txt" <<'EOF'
import sys
from importlib import metadata
try:
    from packaging.requirements import Requirement
except ImportError:
    from pip._vendor.packaging.requirements import Requirement
for line in open(sys.argv[1], encoding="utf-8"):
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    req = Requirement(line)
    try:
        version = metadata.version(req.name)
    except metadata.PackageNotFoundError:
        print(line)
        continue
    if req.specifier and not req.specifier.contains(version, prereleases=True):
        print(line)
EOF
}

ensure_python_deps() {
    local missing out
    missing="$(missing_python_requirements)" \
        || die "could not read requirements.txt with $PY"
    [[ -z $missing ]] && return 0
    "$PY" -m pip --version >/dev/null 2>&1 \
        || die "pip is not available for $PY: apt-get install python3-pip (or install these yourself: ${missing//$'\n'/ })"
    log "installing Python packages: ${missing//$'\n'/ }"
    local -a reqs
    mapfile -t reqs <<<"$missing"
    if ! out="$("$PY" -m pip install -q "${reqs[@]}" 2>&1)"; then
        if grep -q externally-managed <<<"$out"; then
            die "pip refuses to install into this system Python (PEP 668): use a virtualenv that can import odoo (PYTHON=/path/to/venv/bin/python), or rerun with PIP_BREAK_SYSTEM_PACKAGES=1"
        fi
        printf '%s\n' "$out" | tail -n 20 >&2
        die "pip install failed for: ${missing//$'\n'/ } (see output above)"
    fi
}

find_chrome() {
    local b
    for b in google-chrome chromium chromium-browser google-chrome-stable; do
        command -v "$b" >/dev/null 2>&1 && return 0
    done
    return 1
}

deb_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Optional system packages (PDF reports, CJK fonts, pdftotext, headless browser for
# HttpCase tours). Missing ones are installed with apt-get when root; any failure
# is reported on one line and ignored.
ensure_system_packages() {
    [[ ${CR_SKIP_SYSTEM_PACKAGES:-} == 1 ]] && return 0
    local -a missing=()
    command -v wkhtmltopdf >/dev/null 2>&1 || missing+=(wkhtmltopdf)
    if command -v dpkg-query >/dev/null 2>&1; then
        deb_installed fonts-noto-cjk || missing+=(fonts-noto-cjk)
    fi
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    find_chrome || missing+=(chromium)
    ((${#missing[@]})) || return 0

    if ! command -v apt-get >/dev/null 2>&1; then
        warn "optional system packages missing (${missing[*]}): install them with your package manager"
        return 0
    fi
    if ! is_root; then
        warn "optional system packages missing: run \`sudo apt-get install -y ${missing[*]}\`"
        return 0
    fi
    mkdir -p "$LOCAL_DIR/logs"
    local aptlog="$LOCAL_DIR/logs/apt.log"
    log "installing system packages: ${missing[*]} (log: $aptlog)"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get update -q >"$aptlog" 2>&1; then
        warn "apt-get update failed (see $aptlog); continuing without: ${missing[*]}"
        return 0
    fi
    if apt-get install -y -q --no-install-recommends "${missing[@]}" >>"$aptlog" 2>&1; then
        return 0
    fi
    local p
    for p in "${missing[@]}"; do
        apt-get install -y -q --no-install-recommends "$p" >>"$aptlog" 2>&1 \
            || warn "apt-get install $p failed (see $aptlog); continuing without it"
    done
}

check_prerequisites() {
    check_odoo
    ensure_python_deps
    ensure_system_packages
}

# ------------------------------------------------------------------- PostgreSQL

uses_external_pg() {
    [[ -n ${PGHOST:-}${PGPORT:-}${PGUSER:-}${PGPASSWORD:-} ]]
}

find_pg_bindir() {
    local d
    if [[ -n ${CR_PG_BINDIR:-} ]]; then
        [[ -x $CR_PG_BINDIR/initdb && -x $CR_PG_BINDIR/pg_ctl ]] || return 1
        echo "$CR_PG_BINDIR"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1 && d="$(pg_config --bindir 2>/dev/null)" \
            && [[ -x $d/initdb && -x $d/pg_ctl ]]; then
        echo "$d"
        return 0
    fi
    for d in $(printf '%s\n' /usr/lib/postgresql/*/bin | sort -rV); do
        if [[ -x $d/initdb && -x $d/pg_ctl ]]; then
            echo "$d"
            return 0
        fi
    done
    if d="$(command -v initdb 2>/dev/null)"; then
        dirname "$d"
        return 0
    fi
    return 1
}

# Run a PostgreSQL server binary as the cluster owner.
as_pg() {
    if is_root; then
        runuser -u "$PG_OS_USER" -- "$@"
    else
        "$@"
    fi
}

short_hash() { printf '%s' "$1" | cksum | cut -d' ' -f1; }

# Where the private cluster lives; sets PG_DIR PG_DATA PG_SOCK PG_LOG.
pg_layout() {
    PG_DIR="$LOCAL_DIR/pg"
    if is_root && ! runuser -u "$PG_OS_USER" -- test -x "$LOCAL_DIR" 2>/dev/null; then
        # the checkout is not traversable by the postgres user (e.g. under /root)
        PG_DIR="/var/tmp/customer_reconciliation-pg-$(short_hash "$LOCAL_DIR")"
        log "the postgres user cannot reach $LOCAL_DIR, using $PG_DIR for the cluster"
    fi
    PG_DATA="$PG_DIR/data"
    PG_SOCK="$PG_DIR/run"
    PG_LOG="$PG_DIR/postgres.log"
    if (( ${#PG_SOCK} + 20 > 107 )); then  # unix socket paths are limited to 107 bytes
        PG_SOCK="/tmp/.cr-pg-$(short_hash "$PG_DIR")"
    fi
}

pg_mkdir() {  # create directories owned by the cluster owner
    mkdir -p "$@"
    if is_root; then
        chown "$PG_OS_USER:" "$@"
    fi
    chmod 755 "$@"
}

pg_ready() { "$PG_BIN/pg_isready" -q -h "$PG_SOCK" -p "$PG_PORT" -d postgres -U postgres; }

pg_init_cluster() {
    if [[ -s $PG_DATA/PG_VERSION ]]; then
        local have want
        have="$(cat "$PG_DATA/PG_VERSION")"
        want="$("$PG_BIN/postgres" --version | awk '{print $3}' | cut -d. -f1)"
        [[ $have == "$want" ]] \
            || die "the private cluster $PG_DATA is PostgreSQL $have but the binaries are $want: run \`make clean\` to recreate it"
        return 0
    fi
    rm -rf "$PG_DATA"
    pg_mkdir "$PG_DIR"
    log "creating private PostgreSQL cluster in $PG_DATA"
    local -a args=(-D "$PG_DATA" -U postgres -E UTF8 --auth=trust --no-sync)
    if ! as_pg "$PG_BIN/initdb" "${args[@]}" --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
        rm -rf "$PG_DATA"
        as_pg "$PG_BIN/initdb" "${args[@]}" --locale=C >"$PG_DIR/initdb.log" 2>&1 \
            || { tail -n 20 "$PG_DIR/initdb.log" >&2; die "initdb failed (see $PG_DIR/initdb.log)"; }
    fi
    # throwaway cluster: trade durability for speed
    as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null <<'EOF'

# --- customer_reconciliation private dev/test cluster ---
listen_addresses = ''
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
max_connections = 100
max_parallel_workers_per_gather = 0
log_min_messages = warning
include_if_exists = 'cr_runtime.conf'
EOF
}

pg_start_cluster() {
    # socket directory and port can change between runs (CR_PG_PORT, moved checkout)
    local sq="'"
    printf "port = %s\nunix_socket_directories = '%s'\n" "$PG_PORT" "${PG_SOCK//$sq/$sq$sq}" \
        | as_pg tee "$PG_DATA/cr_runtime.conf" >/dev/null

    if [[ -f $PG_DATA/postmaster.pid ]]; then
        local pid
        pid="$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
        local cwd=""
        [[ $pid =~ ^[0-9]+$ ]] && cwd="$(readlink "/proc/$pid/cwd" 2>/dev/null || true)"
        if [[ $pid =~ ^[0-9]+$ && $(cat "/proc/$pid/comm" 2>/dev/null) == postgres* ]] \
                && [[ -z $cwd || $cwd == "$(cd "$PG_DATA" && pwd -P)" ]]; then
            # a server of this cluster is running but not answering on our socket (yet?)
            local i
            for ((i = 0; i < 30; i++)); do
                pg_ready && return 0
                sleep 1
            done
            die "a PostgreSQL server (pid $pid) runs on $PG_DATA but does not answer on $PG_SOCK port $PG_PORT: run \`make pg-stop\` and retry"
        fi
        log "removing stale $PG_DATA/postmaster.pid"
        rm -f "$PG_DATA/postmaster.pid"
    fi
    rm -f "$PG_SOCK/.s.PGSQL.$PG_PORT" "$PG_SOCK/.s.PGSQL.$PG_PORT.lock"
    log "starting private PostgreSQL (socket $PG_SOCK, port $PG_PORT)"
    # 8>&-: the server must not inherit (and keep) the lock taken in ensure_pg
    if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 120 start >/dev/null 8>&-; then
        tail -n 20 "$PG_LOG" >&2 || true
        die "PostgreSQL failed to start (log: $PG_LOG)"
    fi
}

# Sets DB_HOST DB_PORT DB_USER DB_PASSWORD (exported as CR_DB_* for db_sql).
ensure_pg() {
    if uses_external_pg; then
        DB_HOST="${PGHOST:-}"
        DB_PORT="${PGPORT:-}"
        DB_USER="${PGUSER:-$(id -un)}"
        DB_PASSWORD="${PGPASSWORD:-}"
        [[ $DB_USER != postgres ]] \
            || die "Odoo refuses to connect as PostgreSQL user 'postgres': set PGUSER to another role with CREATEDB"
        export_db_env
        local err
        err="$(db_sql postgres 'SELECT 1' 2>&1 >/dev/null)" \
            || die "cannot connect to PostgreSQL at PGHOST=${PGHOST:-<default>} PGPORT=${PGPORT:-<default>} as $DB_USER: $(tail -n 1 <<<"$err")"
        return 0
    fi

    PG_BIN="$(find_pg_bindir)" \
        || die "PostgreSQL server binaries not found: apt-get install postgresql-15 or set PGHOST/PGPORT/PGUSER"
    if is_root; then
        id -u "$PG_OS_USER" >/dev/null 2>&1 \
            || die "running as root needs a '$PG_OS_USER' system user to own the private cluster: apt-get install postgresql-15 (creates it) or set PGHOST/PGPORT/PGUSER"
        command -v runuser >/dev/null 2>&1 || die "runuser not found: apt-get install util-linux"
    fi
    mkdir -p "$LOCAL_DIR"
    pg_layout
    pg_mkdir "$PG_DIR" "$PG_SOCK"

    # serialize concurrent starts of the same cluster
    exec 8>"$LOCAL_DIR/.pg.lock"
    if command -v flock >/dev/null 2>&1; then
        flock -w 300 8 || die "timed out waiting for another script to start PostgreSQL ($LOCAL_DIR/.pg.lock)"
    fi
    if ! pg_ready; then
        pg_init_cluster
        pg_start_cluster
    fi
    if [[ -z $(as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -XtAc \
            "SELECT 1 FROM pg_roles WHERE rolname = '$PG_DB_ROLE'") ]]; then
        as_pg "$PG_BIN/psql" -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d postgres -XqtAc \
            "CREATE ROLE $PG_DB_ROLE LOGIN SUPERUSER" >/dev/null \
            || die "could not create the PostgreSQL role $PG_DB_ROLE"
    fi
    exec 8>&-

    DB_HOST="$PG_SOCK"
    DB_PORT="$PG_PORT"
    DB_USER="$PG_DB_ROLE"
    DB_PASSWORD=""
    export_db_env
}

stop_pg() {
    if uses_external_pg; then
        log "PGHOST/PGPORT/PGUSER/PGPASSWORD set: not managing that server"
        return 0
    fi
    PG_BIN="$(find_pg_bindir)" || die "PostgreSQL server binaries not found"
    pg_layout
    if [[ -f $PG_DATA/postmaster.pid ]] && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
        log "private PostgreSQL stopped"
    else
        log "private PostgreSQL is not running"
    fi
}

export_db_env() {
    export CR_DB_HOST="$DB_HOST" CR_DB_PORT="$DB_PORT" CR_DB_USER="$DB_USER" CR_DB_PASSWORD="$DB_PASSWORD"
}

# db_sql DBNAME SQL: run SQL (autocommit), print result rows tab separated.
db_sql() {
    CR_SQL_DB="$1" CR_SQL="$2" "$PY" - <<'EOF'
import os
import sys

import psycopg2

kw = {k: os.environ[e] for k, e in (("host", "CR_DB_HOST"), ("port", "CR_DB_PORT"),
                                    ("user", "CR_DB_USER"), ("password", "CR_DB_PASSWORD"))
      if os.environ.get(e)}
try:
    conn = psycopg2.connect(dbname=os.environ["CR_SQL_DB"], **kw)
except psycopg2.Error as e:
    sys.exit(str(e).strip().splitlines()[0])
conn.autocommit = True
with conn.cursor() as cr:
    cr.execute(os.environ["CR_SQL"])
    if cr.description:
        for row in cr.fetchall():
            print("\t".join(map(str, row)))
conn.close()
EOF
}

db_exists() {
    [[ -n $(db_sql postgres "SELECT 1 FROM pg_database WHERE datname = '$1'") ]]
}

# module_state DB MODULE: prints the module's state ('' if unknown / not an Odoo db)
module_state() {
    db_sql "$1" "SELECT state FROM ir_module_module WHERE name = '$2'" 2>/dev/null || true
}

drop_db() {
    local db="$1"
    if db_exists "$db"; then
        log "dropping database $db"
        db_sql postgres "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null \
            || die "could not drop database $db"
    fi
    rm -rf "$LOCAL_DIR/data/filestore/$db"
}

# ----------------------------------------------------------------- Odoo config

write_odoo_conf() {
    local p
    local -a _paths
    IFS=, read -ra _paths <<<"$ADDONS_PATH"
    for p in "${_paths[@]}"; do
        [[ -d $p ]] || die "addons path $p does not exist (CR_ADDONS_PATH?)"
    done
    mkdir -p "$LOCAL_DIR/data" "$LOCAL_DIR/logs"
    local tmp="$ODOO_CONF.tmp.$$"
    (umask 077 && : >"$tmp")  # may hold PGPASSWORD
    {
        printf '; generated by scripts/lib.sh on every run - do not edit (see the CR_* variables there)\n'
        printf '[options]\n'
        printf 'addons_path = %s\n' "$ADDONS_PATH"
        printf 'data_dir = %s\n' "$LOCAL_DIR/data"
        printf 'http_interface = %s\n' "${CR_HTTP_INTERFACE:-127.0.0.1}"
        [[ -z $DB_HOST ]] || printf 'db_host = %s\n' "$DB_HOST"
        [[ -z $DB_PORT ]] || printf 'db_port = %s\n' "$DB_PORT"
        [[ -z $DB_USER ]] || printf 'db_user = %s\n' "$DB_USER"
        [[ -z $DB_PASSWORD ]] || printf 'db_password = %s\n' "$DB_PASSWORD"
    } >"$tmp"
    mv -f "$tmp" "$ODOO_CONF"
}

# Everything the commands need before talking to Odoo: prerequisites, PG, config.
setup_env() {
    check_prerequisites
    [[ -f $ADDONS_PATH/$MODULE/__manifest__.py || -n ${CR_ADDONS_PATH:-} ]] \
        || die "$ADDONS_PATH/$MODULE/__manifest__.py not found: run from a complete checkout"
    ensure_pg
    write_odoo_conf
}

odoo_bin() {
    "$PY" -m odoo server -c "$ODOO_CONF" "$@"
}
