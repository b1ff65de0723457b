from odoo import models


class CustomerReconciliationDispute(models.Model):
    """Disputes are reachable by the customer: status and a message thread to reply in."""

    _name = "customer.reconciliation.dispute"
    _inherit = ["customer.reconciliation.dispute", "portal.mixin"]
    # Customers answer on the portal with read access only (like invoices and sale orders).
    _mail_post_access = "read"

    def _compute_access_url(self):
        super()._compute_access_url()
        for dispute in self:
            dispute.access_url = f"/my/statements/{dispute.session_id.id}/disputes/{dispute.id}"
