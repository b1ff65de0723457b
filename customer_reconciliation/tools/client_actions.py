"""The client actions a button returns to the web client (pure Python)."""


def closing_notification(message, kind="success"):
    """A notification in the user's browser, then the dialog (a wizard) closes."""
    return {
        "type": "ir.actions.client",
        "tag": "display_notification",
        "params": {
            "type": kind,
            "message": message,
            "next": {"type": "ir.actions.act_window_close"},
        },
    }
