{
    "name": "Customer Reconciliation: Orders and Deliveries",
    "summary": "Sale orders and deliveries beside the customer's balance (对账单): goods delivered "
    "not invoiced and invoiced not delivered at the end date, PO and delivery numbers in the "
    "comparison with the customer's ledger, orders confirmed with the customer",
    "version": "19.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "customer_reconciliation developers",
    "website": "https://github.com/customer-reconciliation/customer_reconciliation",
    "license": "LGPL-3",
    "depends": ["customer_reconciliation", "sale_stock"],
    "data": [
        "security/ir.model.access.csv",
        "security/customer_reconciliation_sale_rules.xml",
        "views/session_views.xml",
        "views/line_views.xml",
        "views/match_views.xml",
        "views/order_confirmation_views.xml",
    ],
    "demo": [
        "demo/demo_data.xml",
    ],
    "installable": True,
    "auto_install": True,
}
