#!/usr/bin/env bash
# `make lint`: ruff (installed with pip when missing) over the project's Python code.
# Arguments are passed to `ruff check` (e.g. --fix).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$CR_ROOT"
if ! "$PY" -m ruff --version >/dev/null 2>&1; then
    log "installing ruff with pip"
    "$PY" -m pip install -q ruff || die "could not install ruff: run \`$PY -m pip install ruff\`"
fi
targets=()
for d in customer_reconciliation tests bench; do
    [[ -d $d ]] && targets+=("$d")
done
((${#targets[@]})) || die "nothing to lint"
exec "$PY" -m ruff check "$@" "${targets[@]}"
