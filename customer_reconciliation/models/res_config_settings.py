from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    reconciliation_extra_account_ids = fields.Many2many(
        related="company_id.reconciliation_extra_account_ids", readonly=False
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
        related="company_id.reconciliation_approver_id", readonly=False
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
        related="company_id.reconciliation_writeoff_tolerance",
        readonly=False,
        currency_field="currency_id",
    )
    reconciliation_writeoff_account_id = fields.Many2one(
        related="company_id.reconciliation_writeoff_account_id", readonly=False
    )
    reconciliation_bad_debt_account_id = fields.Many2one(
        related="company_id.reconciliation_bad_debt_account_id", readonly=False
    )
    reconciliation_bad_debt_limit = fields.Monetary(
        related="company_id.reconciliation_bad_debt_limit",
        readonly=False,
        currency_field="currency_id",
    )
    reconciliation_advance_account_id = fields.Many2one(
        related="company_id.reconciliation_advance_account_id", readonly=False
    )
    reconciliation_settlement_journal_id = fields.Many2one(
        related="company_id.reconciliation_settlement_journal_id", readonly=False
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
