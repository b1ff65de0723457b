{
    "name": "Customer Account Reconciliation",
    "summary": "Customer reconciliation statements (对账单): generate, approve, send, "
    "confirm and match customer balances period after period",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "customer_reconciliation developers",
    "website": "https://github.com/customer-reconciliation/customer_reconciliation",
    "license": "LGPL-3",
    "depends": ["account", "portal", "mail"],
    "external_dependencies": {"python": ["xlsxwriter"]},
    "data": [
        "security/security.xml",
        "security/ir.model.access.csv",
        "data/ir_sequence_data.xml",
        "data/ir_cron_data.xml",
        "views/session_views.xml",
        "views/line_views.xml",
        "views/tag_views.xml",
        "views/run_views.xml",
        "wizards/generate_wizard_views.xml",
        "views/res_partner_views.xml",
        "views/account_move_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [

    ],
    "installable": True,
    "application": False,
}
