{
    "name": "Customer Reconciliation Dashboard",
    "summary": "A spreadsheet dashboard of customer reconciliation (客户对账) in the Dashboards app: "
    "aging and DSO by month end, top overdue customers, reconciliation KPIs",
    "version": "19.0.1.0.0",
    "category": "Productivity/Dashboard",
    "author": "customer_reconciliation developers",
    "website": "https://github.com/customer-reconciliation/customer_reconciliation",
    "license": "LGPL-3",
    "depends": ["customer_reconciliation", "spreadsheet_dashboard"],
    "data": [
        "data/dashboards.xml",
    ],
    "installable": True,
    "auto_install": True,
}
