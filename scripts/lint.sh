#!/usr/bin/env bash
# `make lint`: ruff (installed with pip when missing) over the project's Python code.
# Checks the formatting (ruff format --check), then lints; arguments go to `ruff check` (e.g. --fix).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$CR_ROOT"
RUFF_VERSION=0.17.6  # pinned: another version may format differently
if [[ "$("$PY" -m ruff --version 2>/dev/null)" != "ruff $RUFF_VERSION" ]]; then
    log "installing ruff $RUFF_VERSION with pip"
    "$PY" -m pip install -q "ruff==$RUFF_VERSION" || die "could not install ruff: run \`$PY -m pip install ruff==$RUFF_VERSION\`"
fi
targets=()
for d in customer_reconciliation tests bench; do
    [[ -d $d ]] && targets+=("$d")
done
((${#targets[@]})) || die "nothing to lint"
"$PY" -m ruff format --check "${targets[@]}" || die "ruff format would change the files above: run \`$PY -m ruff format ${targets[*]}\`"
exec "$PY" -m ruff check "$@" "${targets[@]}"
