#!/usr/bin/env bash
# `make upgrade-check [REV=...]`: install customer_reconciliation as it was at git revision REV
# (default: fbc0ad9, the last commit of the first layout) with its demo data in a scratch
# database, import a customer's ledger into a sent statement, then update the database with
# this checkout (`-u customer_reconciliation`) and compare: every statement, line, open item,
# dispute, customer line, comparison row and attachment is still there, and every digest still
# verifies. Exits non-zero on any difference.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

REV="${1:-fbc0ad9}"
DB="${CR_UPGRADE_DB:-cr_upgrade}"
OLD="$LOCAL_DIR/upgrade-src"

setup_env
git -C "$CR_ROOT" rev-parse --verify -q "$REV^{commit}" >/dev/null \
    || die "revision $REV is not in this clone's history"
rm -rf "$OLD" && mkdir -p "$OLD"
git -C "$CR_ROOT" archive "$REV" customer_reconciliation | tar -x -C "$OLD"
drop_db "$DB"

log "installing $MODULE as of $REV with demo data in $DB"
odoo_bin --addons-path="$OLD" -d "$DB" -i "$MODULE" --with-demo --stop-after-init \
    --log-level=warn >"$LOCAL_DIR/logs/upgrade-install.log" 2>&1 \
    || die "installing $REV failed (log: $LOCAL_DIR/logs/upgrade-install.log)"

state() {  # state ADDONS_PATH STEP: print the database's statements as JSON
    "$PY" - "$ODOO_CONF" "$DB" "$1" "$2" <<'PY'
import json, sys
import odoo
from odoo import SUPERUSER_ID, api
from odoo.tools import config

conf, db, addons, step = sys.argv[1:]
config.parse_config(["-c", conf, "--addons-path", addons])
with odoo.modules.registry.Registry(db).cursor() as cr:
    env = api.Environment(cr, SUPERUSER_ID, {})
    Session = env["customer.reconciliation.session"]
    if step == "before":
        # A customer's ledger on the sent statement, so that the upgrade carries one too.
        sent = Session.search([("state", "=", "sent")], limit=1)
        rows = ["日期,凭证号,摘要,借方,贷方"] + [
            f"{l.date},{l.name},{l.name},{max(-l.amount, 0)},{max(l.amount, 0)}"
            for l in sent.line_ids if l.kind != "opening"
        ] + ["2026-11-30,X-1,付款,500,0"]
        sent._import_customer_ledger("ledger.csv", "\n".join(rows).encode())
    digest = "_content_digest" if hasattr(Session, "_content_digest") else "_compute_digest"
    frozen = Session.search([("digest", "!=", False)])
    models = ("session", "line", "open.item", "dispute", "customer.line", "match")
    if step == "after":
        # The merged views replaced the old extensions: no view of the addon extends another.
        ours = env["ir.model.data"].search(
            [("module", "=", "customer_reconciliation"), ("model", "=", "ir.ui.view")]
        )
        views = env["ir.ui.view"].browse(ours.mapped("res_id"))
        extending = views.filtered(lambda view: view.inherit_id in views)
        print(f"self-inherited views after the update: {len(extending)}", file=sys.stderr)
        if extending:
            sys.exit(1)
    print(json.dumps({
        "records": {m: env[f"customer.reconciliation.{m}"].search_count([]) for m in models},
        "attachments": env["ir.attachment"].search_count(
            [("res_model", "like", "customer.reconciliation.%")]
        ),
        "states": {s.name: s.state for s in Session.search([])},
        # Disputes keep their state; "open" became "new" in 19.0.1.4.0 (the same state).
        "dispute_states": {
            d.name: {"new": "open"}.get(d.state, d.state)
            for d in env["customer.reconciliation.dispute"].search([])
        },
        "digests": {s.name: [s.digest, getattr(s, digest)() == s.digest] for s in frozen},
        # The next statement and dispute numbers continue, whatever the sequence's kind (the
        # sequences of later models, such as settlements, are new: not compared).
        "next_numbers": {
            seq.code: seq.number_next_actual
            for seq in env["ir.sequence"].search(
                [("code", "in", ("customer.reconciliation.session", "customer.reconciliation.dispute"))]
            )
        },
    }, sort_keys=True, ensure_ascii=False))
PY
}

before="$(state "$OLD" before 2>/dev/null | tail -n 1)"
log "updating $DB with this checkout"
odoo_bin -d "$DB" -u "$MODULE" --stop-after-init --log-level=warn \
    >"$LOCAL_DIR/logs/upgrade-update.log" 2>&1 \
    || die "updating failed (log: $LOCAL_DIR/logs/upgrade-update.log)"
after="$(state "$CR_ROOT" after 2>"$LOCAL_DIR/logs/upgrade-state.log" | tail -n 1)" \
    || die "a view of the addon still extends another after the update (log: $LOCAL_DIR/logs/upgrade-state.log)"
grep -h "self-inherited views" "$LOCAL_DIR/logs/upgrade-state.log" >&2
printf 'before: %s\nafter:  %s\n' "$before" "$after"
[[ $before == "$after" ]] || die "the update changed the statements above"
[[ $after != *false* ]] || die "a digest no longer verifies"
log "upgrade from $REV kept every record and every digest verifies"
