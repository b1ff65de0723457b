import { registry } from "@web/core/registry";

// Each role's main job, in 简体中文. The data and the checks afterwards are in
// tests/test_role_tours.py; the customers' names below are the ones it creates.

const tours = registry.category("web_tour.tours");

function openStatementOf(customer) {
    return [
        {
            content: "The statements list, in Chinese",
            trigger: ".o_breadcrumb:contains(对账单)",
        },
        {
            content: `Open the statement of ${customer}`,
            trigger: `.o_data_row:contains(${customer}) .o_data_cell`,
            run: "click",
        },
    ];
}

tours.add("customer_reconciliation_accountant_submits", {
    steps: () => [
        ...openStatementOf("巡检客户甲"),
        {
            content: "A draft: the accountant submits it for approval",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(草稿)",
        },
        {
            content: "Submit for approval",
            trigger: ".o_form_view button[name=action_submit]:contains(提交审批)",
            run: "click",
        },
        {
            content: "It waits for approval",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(待审批)",
        },
        {
            content: "and the accountant cannot approve it",
            trigger: ".o_form_view:not(:has(button[name=action_approve]))",
        },
    ],
});

tours.add("customer_reconciliation_manager_approves", {
    steps: () => [
        ...openStatementOf("巡检客户乙"),
        {
            content: "Approve",
            trigger: ".o_form_view button[name=action_approve]:contains(审批)",
            run: "click",
        },
        {
            content: "Approved",
            trigger: ".o_statusbar_status button.o_arrow_button_current:contains(已审批)",
        },
    ],
});

tours.add("customer_reconciliation_auditor_verifies", {
    steps: () => [
        ...openStatementOf("巡检客户丙"),
        {
            content: "The auditor sees no button he cannot use",
            trigger:
                ".o_form_view:not(:has(button[name=action_open_customer_ledger_import])):not(:has(button[name=action_submit])):not(:has(button[name=action_close]))",
        },
        {
            content: "Open the approval tab",
            trigger: ".o_notebook a[name=trace]",
            run: "click",
        },
        {
            content: "Verify the digest",
            trigger: "button[name=action_verify_digest]:contains(校验)",
            run: "click",
        },
        {
            content: "The stored statement matches its digest",
            trigger: ".o_notification:contains(已存储的对账单与其校验码一致)",
        },
    ],
});

tours.add("customer_reconciliation_portal_customer_disputes_zh", {
    url: "/my/statements",
    steps: () => [
        {
            content: "The customer's statements, in Chinese",
            trigger: ".o_statement_row:contains(等待您的回复) a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Tick the line to dispute",
            trigger: "#statement_lines tr.o_statement_line input.form-check-input:eq(0)",
            run: "check",
        },
        {
            content: "Open the dispute form",
            trigger: ".o_statement_dispute_toggle",
            run: "click",
        },
        {
            content: "Pick the reason",
            trigger: "#dispute_reason",
            run: "select amount_differs",
        },
        {
            content: "Type the amount as people type it",
            trigger: "#dispute_amount",
            run: "edit 1,480.00",
        },
        {
            content: "Explain",
            trigger: "#dispute_comment",
            run: "edit 发票金额应为1,480元",
        },
        {
            content: "Send the dispute",
            trigger: ".o_statement_dispute_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The statement is now disputed",
            trigger: "#statement_disputed_alert",
        },
        {
            content: "and the dispute is listed, in Chinese",
            trigger: ".o_statement_dispute:contains(金额不符)",
        },
    ],
});

tours.add("customer_reconciliation_token_holder_confirms_zh", {
    steps: () => [
        {
            content: "The emailed link opens the statement in the customer's language",
            trigger: "#statement_balance",
        },
        {
            content: "Open the confirmation form",
            trigger: ".o_statement_confirm_toggle:contains(确认)",
            run: "click",
        },
        {
            content: "Who confirms",
            trigger: "#confirmed_by",
            run: "edit 王芳",
        },
        {
            content: "Their title",
            trigger: "#confirmed_title",
            run: "edit 财务经理",
        },
        {
            content: "Agree",
            trigger: "#confirm_agree",
            run: "check",
        },
        {
            content: "Confirm",
            trigger: ".o_statement_confirm_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The confirmation is acknowledged",
            trigger: "#statement_confirmed_alert",
        },
    ],
});

tours.add("customer_reconciliation_salesperson_logs_an_answer", {
    url: "/odoo",
    steps: () => [
        {
            content: "Open the apps menu",
            trigger: ".o_navbar_apps_menu button",
            run: "click",
        },
        {
            content: "The salesperson's way in: the Reconciliation app",
            trigger: ".o_app[data-menu-xmlid='customer_reconciliation.menu_reconciliation_root']",
            run: "click",
        },
        ...openStatementOf("巡检客户丁"),
        {
            content: "Log what the customer answered",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(登记客户答复)",
            run: "click",
        },
        {
            content: "The customer confirmed on the phone",
            trigger: ".modal div[name=comment] textarea",
            run: "edit 客户电话确认余额无误",
        },
        {
            content: "Record it for the accountant to review",
            trigger: ".modal .modal-footer button[name=action_record]",
            run: "click",
        },
        {
            content: "The answer is logged on the statement",
            trigger: ".o-mail-Message:contains(客户电话确认余额无误)",
        },
    ],
});
