"""The client actions a button returns to the web client (pure Python)."""

CLOSE_DIALOG = {"type": "ir.actions.act_window_close"}
SOFT_RELOAD = {"type": "ir.actions.client", "tag": "soft_reload"}


def notification(message, kind="success", *, title=None, sticky=False, then=None):
    """A notification in the user's browser (``kind``: success, info, warning or danger),
    kept until closed when ``sticky``, followed by the action ``then`` (none: the view stays)."""
    params = {"type": kind, "message": message}
    if title:
        params["title"] = title
    if sticky:
        params["sticky"] = True
    if then:
        params["next"] = then
    return {"type": "ir.actions.client", "tag": "display_notification", "params": params}


def closing_notification(message, kind="success", **options):
    """A notification in the user's browser, then the dialog (a wizard) closes."""
    return notification(message, kind, then=CLOSE_DIALOG, **options)
