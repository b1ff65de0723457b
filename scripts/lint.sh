#!/usr/bin/env bash
# `make lint`: ruff (format check, then lint with complexity <= 16), then OCA's mandatory checks:
# pylint-odoo (.pylintrc-mandatory) and, for the XML, CSV and .po files, the checks of
# oca-odoo-pre-commit-hooks that pylint-odoo used to run. Tools are installed with pip when
# missing, at pinned versions. Arguments go to `ruff check` (e.g. --fix).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$CR_ROOT"
RUFF_VERSION=0.17.6  # pinned: another version may format differently
PYLINT_ODOO_VERSION=10.0.12
OCA_HOOKS_VERSION=0.2.27
# The XML / CSV / .po checks of OCA's mandatory list (pylint-odoo < 9 ran them itself).
XML_CHECKS=file-not-used,manifest-syntax-error,csv-duplicate-record-id,csv-syntax-error,\
xml-deprecated-oe-chatter,xml-deprecated-openerp-node,xml-deprecated-qweb-directive,\
xml-deprecated-qweb-directive-15,xml-deprecated-res-groups-category-id,xml-not-valid-char-link,\
xml-redundant-module-name,xml-create-user-wo-reset-password,xml-view-dangerous-replace-low-priority,\
xml-deprecated-tree-attribute,xml-record-missing-id,xml-duplicate-record-id,xml-duplicate-fields,\
xml-syntax-error,xml-dangerous-qweb-replace-low-priority,xml-duplicate-template-id,\
xml-xpath-translatable-item
PO_CHECKS=po-requires-module,po-python-parse-printf,po-python-parse-format,\
po-duplicate-message-definition,po-duplicate-model-definition,po-syntax-error

pip_pin() {  # pip_pin DIST VERSION: install DIST==VERSION unless it is installed already
    local installed
    installed="$("$PY" -c "from importlib.metadata import version; print(version('$1'))" 2>/dev/null || true)"
    [[ $installed == "$2" ]] && return 0
    log "installing $1 $2 with pip"
    "$PY" -m pip install -q "$1==$2" || die "could not install $1: run \`$PY -m pip install $1==$2\`"
}
pip_pin ruff "$RUFF_VERSION"
pip_pin pylint-odoo "$PYLINT_ODOO_VERSION"
pip_pin oca-odoo-pre-commit-hooks "$OCA_HOOKS_VERSION"

targets=()
addons=(customer_reconciliation customer_reconciliation_spreadsheet customer_reconciliation_sale)
for d in "${addons[@]}" tests bench; do
    [[ -d $d ]] && targets+=("$d")
done
((${#targets[@]})) || die "nothing to lint"
"$PY" -m ruff format --check "${targets[@]}" || die "ruff format would change the files above: run \`$PY -m ruff format ${targets[*]}\`"
"$PY" -m ruff check "$@" "${targets[@]}"
"$PY" -m pylint --rcfile=.pylintrc-mandatory "${addons[@]}" \
    || die "pylint-odoo (OCA's mandatory checks) found the problems above"
"$PY" -m oca_pre_commit_hooks.cli --disable=all --enable="$XML_CHECKS" "${addons[@]}" \
    || die "the XML/CSV checks found the problems above"
"$PY" -m oca_pre_commit_hooks.cli_po --disable=all --enable="$PO_CHECKS" customer_reconciliation/i18n/*.po* customer_reconciliation_spreadsheet/i18n/*.po* customer_reconciliation_sale/i18n/*.po* \
    || die "the .po checks found the problems above"
log "lint passed: ruff, pylint-odoo, XML/CSV and .po checks"
