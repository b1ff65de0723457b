"""From 19.0.1.0.0: the addon no longer inherits its own views.

The statement's form, list and search views, the settings and the report templates are each
written out in one record now; the records that extended them are dropped before the new
arches load (left in place, they would be applied on top of the merged views until the end
of the update).
"""

MERGED_VIEWS = (
    "view_reconciliation_session_form_customer_ledger",
    "view_reconciliation_session_form_reports",
    "view_reconciliation_session_form_portal",
    "view_reconciliation_session_list_portal",
    "view_reconciliation_session_search_portal",
    "res_config_settings_view_form_reconciliation_portal",
    "report_statement_heading_answer_online",
    "report_balance_confirmation_answer_online",
)


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH gone AS (
            DELETE FROM ir_model_data
             WHERE module = 'customer_reconciliation'
               AND model = 'ir.ui.view'
               AND name = ANY(%s)
         RETURNING res_id
        )
        DELETE FROM ir_ui_view WHERE id IN (SELECT res_id FROM gone)
        """,
        [list(MERGED_VIEWS)],
    )
