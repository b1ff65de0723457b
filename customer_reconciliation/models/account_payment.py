from odoo import models
from odoo.exceptions import UserError


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def action_post(self):
        """A payment drafted to settle a dispute is validated by a cashier, not by the
        accountant who drafted it; validated, it pays the disputed invoices."""
        settlements = (
            self.env["customer.reconciliation.settlement"]
            .sudo()
            .search([("payment_id", "in", self.ids)])
        )
        if not self.env.su:
            drafted = settlements.filtered(lambda s: s.create_uid == self.env.user)
            if drafted:
                raise UserError(
                    self.env._(
                        "You drafted payment %(payment)s to settle %(disputes)s: a cashier "
                        "validates it once the money is on the bank account (segregation of "
                        "duties).",
                        payment=drafted[0].payment_id.display_name,
                        disputes=", ".join(drafted[0].dispute_ids.mapped("name")),
                    )
                )
        result = super().action_post()
        if settlements:
            settlements._payment_posted()
            settlements._documents_posted()
        return result
