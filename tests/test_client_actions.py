"""The notifications the buttons return (pure Python, no database): one shape for all."""

from odoo.addons.customer_reconciliation.tools.client_actions import (
    CLOSE_DIALOG,
    SOFT_RELOAD,
    closing_notification,
    notification,
)


def test_a_plain_notification_carries_only_its_message_and_kind():
    assert notification("Saved.") == {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {"type": "success", "message": "Saved."},
    }


def test_title_stickiness_and_the_next_action_are_passed_on():
    action = notification("3 differences.", "warning", title="Check", sticky=True, then=SOFT_RELOAD)
    assert action["params"] == {
        "type": "warning",
        "message": "3 differences.",
        "title": "Check",
        "sticky": True,
        "next": SOFT_RELOAD,
    }


def test_a_closing_notification_closes_the_dialog_after_it():
    action = closing_notification("Queued.", "info", title="Importing")
    assert action["params"]["next"] == CLOSE_DIALOG == {"type": "ir.actions.act_window_close"}
    assert action["params"]["type"] == "info"
    assert action["params"]["title"] == "Importing"
    assert "sticky" not in action["params"]
