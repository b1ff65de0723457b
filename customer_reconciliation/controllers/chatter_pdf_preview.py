"""The chatter's PDF thumbnails for readers who may not write.

Odoo's chatter draws the first page of a PDF attachment that has no thumbnail yet and saves it
through ``/mail/attachment/update_thumbnail``, which answers 404 to a user without write access
on the attachment: an auditor (read-only) opening a sent statement, whose mail carries the PDF
statement and letter, got an error dialog. For such a reader nothing is saved and nothing is
raised; everyone else goes through Odoo's route unchanged.
"""

from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers.attachment import AttachmentController
from odoo.addons.mail.tools.discuss import add_guest_to_context


class ReconciliationAttachmentController(AttachmentController):
    @http.route(
        "/mail/attachment/update_thumbnail",
        auth="public",
        methods=["POST"],
        type="jsonrpc",
    )
    @add_guest_to_context
    def mail_attachement_update_thumbnail(self, attachment_id, thumbnail=None, access_token=None):
        attachment = request.env["ir.attachment"].browse(int(attachment_id)).exists()
        if (
            attachment
            and not request.env.user._is_public()
            and attachment.has_access("read")
            and not attachment.has_access("write")
            and not attachment._has_attachments_ownership([access_token])
        ):
            return None  # a reader's preview is not stored: nothing to refuse either
        return super().mail_attachement_update_thumbnail(
            attachment_id, thumbnail=thumbnail, access_token=access_token
        )
