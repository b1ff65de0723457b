import { registry } from "@web/core/registry";

// Both tours rely on data created by tests/test_portal_tours.py.

registry.category("web_tour.tours").add("customer_reconciliation_portal_dispute", {
    url: "/my/statements",
    steps: () => [
        {
            content: "Open the statement",
            trigger: ".o_statement_row a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The balance and the lines are shown",
            trigger: "#statement_balance",
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
            content: "Enter our amount",
            trigger: "#dispute_amount",
            run: "edit 480",
        },
        {
            content: "Explain",
            trigger: "#dispute_comment",
            run: "edit We were invoiced 480, not 500",
        },
        {
            content: "Attach the remittance advice",
            trigger: "#dispute_attachments",
            run() {
                const input = document.querySelector("#dispute_attachments");
                const transfer = new DataTransfer();
                transfer.items.add(new File(["Remittance advice: 480.00"], "remittance.txt", { type: "text/plain" }));
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Send the dispute",
            trigger: ".o_statement_dispute_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The dispute is acknowledged",
            trigger: "#statement_disputed_alert",
        },
        {
            content: "and listed with its status",
            trigger: ".o_statement_dispute:contains(Amount differs) .badge:contains(Open)",
        },
    ],
});

registry.category("web_tour.tours").add("customer_reconciliation_portal_confirm", {
    steps: () => [
        {
            content: "Open the confirmation form",
            trigger: ".o_statement_confirm_toggle",
            run: "click",
        },
        {
            content: "Who confirms",
            trigger: "#confirmed_by",
            run: "edit Alice Alpha",
        },
        {
            content: "Their title",
            trigger: "#confirmed_title",
            run: "edit Chief Accountant",
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
        {
            content: "and the statement can no longer be answered",
            trigger: "body:not(:has(#statement_answer))",
        },
    ],
});
