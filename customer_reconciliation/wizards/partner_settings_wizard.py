from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.session import without_client_defaults
from ..models.settlement_posting import USER_GROUP

# The customer's fields this wizard sets, and nothing else of the customer.
SETTINGS = (
    "reconciliation_frequency",
    "reconciliation_contact_id",
    "reconciliation_lang",
    "reconciliation_currency_id",
)


class CustomerReconciliationPartnerSettingsWizard(models.TransientModel):
    """A customer's reconciliation settings, for accountants and managers.

    They may not edit contacts (Odoo's Contact Creation right), yet they decide how often a
    customer gets a statement, who receives it, in which language and currency. The wizard
    writes these four fields of the customer only, as superuser once the group and the
    customer were checked.
    """

    _name = "customer.reconciliation.partner.settings.wizard"
    _description = "Customer's Reconciliation Settings"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        default=lambda self: self._default_partner(),
    )
    reconciliation_frequency = fields.Selection(
        related="partner_id.reconciliation_frequency", readonly=False
    )
    reconciliation_contact_id = fields.Many2one(
        related="partner_id.reconciliation_contact_id",
        readonly=False,
        domain="[('id', 'child_of', partner_id)]",
    )
    reconciliation_lang = fields.Selection(related="partner_id.reconciliation_lang", readonly=False)
    reconciliation_currency_id = fields.Many2one(
        related="partner_id.reconciliation_currency_id", readonly=False
    )

    @api.model
    def _default_partner(self):
        context = self.env.context
        if context.get("active_model") == "res.partner" and context.get("active_id"):
            return self.env["res.partner"].browse(context["active_id"]).commercial_partner_id
        return self.env["res.partner"]

    # ------------------------------------------------------------------ guards
    def _check_editor(self, partners):
        if not self.env.su and not self.env.user.has_group(USER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the group %s may change a customer's reconciliation settings.",
                    self.env.ref(USER_GROUP).full_name,
                )
            )
        partners.check_access("read")
        for partner in partners:
            if partner != partner.commercial_partner_id:
                raise UserError(
                    self.env._(
                        "%(contact)s is a contact of %(customer)s: set the reconciliation of "
                        "%(customer)s itself.",
                        contact=partner.display_name,
                        customer=partner.commercial_partner_id.display_name,
                    )
                )

    def _check_values(self):
        for wizard in self:
            partner = wizard.partner_id
            contact = wizard.reconciliation_contact_id
            if contact and contact.commercial_partner_id != partner:
                raise UserError(
                    self.env._(
                        "%(contact)s is not a contact of %(customer)s: the statements go to one "
                        "of the customer's own contacts.",
                        contact=contact.display_name,
                        customer=partner.display_name,
                    )
                )
            currency = wizard.reconciliation_currency_id
            if currency and not currency.active:
                raise UserError(
                    self.env._(
                        "Currency %s is not active: activate it before using it.", currency.name
                    )
                )

    # ------------------------------------------------------------------ saving
    @api.model_create_multi
    def create(self, vals_list):
        # The customer is always explicit (no default_partner_id from the context decides it),
        # so that the customer checked is the one written.
        vals_list = [
            {
                **{key: value for key, value in vals.items() if key in SETTINGS},
                "partner_id": vals.get("partner_id") or self._default_partner().id,
            }
            for vals in vals_list
        ]
        self._check_editor(
            self.env["res.partner"].browse([vals["partner_id"] for vals in vals_list])
        )
        # The related fields write onto the customer, which accountants may not edit: as
        # superuser, checked above (the group, the customer) and below (the values).
        Wizard = without_client_defaults(self.sudo(), set())
        wizards = super(CustomerReconciliationPartnerSettingsWizard, Wizard).create(vals_list)
        wizards._check_values()
        return wizards.sudo(False)

    def write(self, vals):
        vals = {key: value for key, value in vals.items() if key in SETTINGS}
        self._check_editor(self.partner_id)
        result = super(CustomerReconciliationPartnerSettingsWizard, self.sudo()).write(vals)
        self.sudo()._check_values()
        return result

    def action_save(self):
        """The values were saved with the record: close."""
        return {"type": "ir.actions.act_window_close"}
