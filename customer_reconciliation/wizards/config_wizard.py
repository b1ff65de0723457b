from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.account_move import MANAGER_GROUP
from ..models.session import without_client_defaults
from ..tools.client_actions import closing_notification


class CustomerReconciliationConfigWizard(models.TransientModel):
    """The company's reconciliation settings, for a Reconciliation Manager.

    Odoo's Settings are for administrators; a manager "configures reconciliation" here. The
    fields are those of the company (related, so one definition); the manager may change them
    and nothing else of the company: the values are written as superuser once the group and the
    company were checked, and the accounts, journal and approver must belong to the company.
    """

    _name = "customer.reconciliation.config.wizard"
    _description = "Reconciliation Settings"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    reconciliation_extra_account_ids = fields.Many2many(
        related="company_id.reconciliation_extra_account_ids", readonly=False, check_company=True
    )
    reconciliation_default_frequency = fields.Selection(
        related="company_id.reconciliation_default_frequency", readonly=False
    )
    reconciliation_generation_day = fields.Integer(
        related="company_id.reconciliation_generation_day", readonly=False
    )
    reconciliation_contact_rule = fields.Selection(
        related="company_id.reconciliation_contact_rule", readonly=False
    )
    reconciliation_allow_self_approval = fields.Boolean(
        related="company_id.reconciliation_allow_self_approval", readonly=False
    )
    reconciliation_approver_id = fields.Many2one(
        related="company_id.reconciliation_approver_id",
        readonly=False,
        check_company=True,
        domain="[('share', '=', False)]",
    )
    reconciliation_reminder_days = fields.Integer(
        related="company_id.reconciliation_reminder_days", readonly=False
    )
    reconciliation_reminder_max = fields.Integer(
        related="company_id.reconciliation_reminder_max", readonly=False
    )
    reconciliation_deemed_confirmation = fields.Boolean(
        related="company_id.reconciliation_deemed_confirmation", readonly=False
    )
    reconciliation_deemed_days = fields.Integer(
        related="company_id.reconciliation_deemed_days", readonly=False
    )
    reconciliation_dispute_days = fields.Integer(
        related="company_id.reconciliation_dispute_days", readonly=False
    )
    reconciliation_writeoff_tolerance = fields.Monetary(
        related="company_id.reconciliation_writeoff_tolerance", readonly=False
    )
    reconciliation_writeoff_account_id = fields.Many2one(
        related="company_id.reconciliation_writeoff_account_id", readonly=False, check_company=True
    )
    reconciliation_bad_debt_account_id = fields.Many2one(
        related="company_id.reconciliation_bad_debt_account_id", readonly=False, check_company=True
    )
    reconciliation_bad_debt_limit = fields.Monetary(
        related="company_id.reconciliation_bad_debt_limit", readonly=False
    )
    reconciliation_advance_account_id = fields.Many2one(
        related="company_id.reconciliation_advance_account_id", readonly=False, check_company=True
    )
    reconciliation_settlement_journal_id = fields.Many2one(
        related="company_id.reconciliation_settlement_journal_id",
        readonly=False,
        check_company=True,
        domain="[('type', '=', 'general')]",
    )
    reconciliation_alert_credit_days = fields.Integer(
        related="company_id.reconciliation_alert_credit_days", readonly=False
    )
    reconciliation_alert_swing_deviations = fields.Float(
        related="company_id.reconciliation_alert_swing_deviations", readonly=False
    )
    reconciliation_alert_swing_percent = fields.Float(
        related="company_id.reconciliation_alert_swing_percent", readonly=False
    )
    reconciliation_alert_unconfirmed_months = fields.Integer(
        related="company_id.reconciliation_alert_unconfirmed_months", readonly=False
    )
    reconciliation_alert_dso_days = fields.Float(
        related="company_id.reconciliation_alert_dso_days", readonly=False
    )
    reconciliation_alert_unapplied_days = fields.Integer(
        related="company_id.reconciliation_alert_unapplied_days", readonly=False
    )
    reconciliation_collection_match_days = fields.Integer(
        related="company_id.reconciliation_collection_match_days", readonly=False
    )
    reconciliation_collection_missing_days = fields.Integer(
        related="company_id.reconciliation_collection_missing_days", readonly=False
    )
    reconciliation_collection_unreported_days = fields.Integer(
        related="company_id.reconciliation_collection_unreported_days", readonly=False
    )

    # ------------------------------------------------------------------ guards
    def _check_configurer(self, vals_list):
        """A Reconciliation Manager, on one of the companies they work in."""
        if not self.env.su and not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(
                self.env._(
                    "Only the group %s may change the reconciliation settings.",
                    self.env.ref(MANAGER_GROUP).full_name,
                )
            )
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id") or self.env.company.id)
            if company not in self.env.companies:
                raise AccessError(
                    self.env._(
                        "You cannot change the reconciliation settings of %s: it is not one of "
                        "your current companies.",
                        company.sudo().name,
                    )
                )

    def _check_values(self):
        for wizard in self:
            approver = wizard.reconciliation_approver_id
            if approver and approver.share:
                raise UserError(
                    self.env._(
                        "%s is not an internal user: only an internal user approves statements.",
                        approver.name,
                    )
                )
            journal = wizard.reconciliation_settlement_journal_id
            if journal and journal.type != "general":
                raise UserError(
                    self.env._(
                        "The settlement journal must be a miscellaneous journal; %s is not.",
                        journal.display_name,
                    )
                )

    # ------------------------------------------------------------------ saving
    @api.model_create_multi
    def create(self, vals_list):
        # The company is always explicit (no default_company_id from the context decides it),
        # so that the company checked is the one written.
        vals_list = [
            {**vals, "company_id": vals.get("company_id") or self.env.company.id}
            for vals in vals_list
        ]
        self._check_configurer(vals_list)
        # The related fields write onto the company, which a manager may not write: as
        # superuser, checked above (the group, the company) and below (the values).
        Wizard = without_client_defaults(self.sudo(), set())
        wizards = super(CustomerReconciliationConfigWizard, Wizard).create(vals_list)
        wizards._check_values()
        return wizards.sudo(False)

    def write(self, vals):
        self._check_configurer(
            [{"company_id": vals.get("company_id", wizard.company_id.id)} for wizard in self]
        )
        result = super(CustomerReconciliationConfigWizard, self.sudo()).write(vals)
        self.sudo()._check_values()
        return result

    def action_save(self):
        """The values were saved with the record: say so and close."""
        self.ensure_one()
        return closing_notification(
            self.env._("Reconciliation settings of %s saved.", self.company_id.name)
        )
