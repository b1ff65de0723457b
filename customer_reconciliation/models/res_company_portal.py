from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    reconciliation_reminder_days = fields.Integer(
        string="Statement Reminder Delay",
        default=7,
        help="Days after sending (or after the last reminder) before an unanswered statement "
        "is reminded.",
    )
    reconciliation_reminder_max = fields.Integer(
        string="Maximum Statement Reminders",
        default=2,
        help="Reminders sent at most; then the responsible gets a phone follow-up activity.",
    )
    reconciliation_deemed_confirmation = fields.Boolean(
        string="Deemed Confirmation",
        help="A statement not answered within the delay below counts as confirmed (a common "
        "contract clause). Recorded as deemed, never as an explicit confirmation.",
    )
    reconciliation_deemed_days = fields.Integer(string="Deemed Confirmed After (Days)", default=30)

    _reconciliation_reminder_days_positive = models.Constraint(
        "CHECK (reconciliation_reminder_days > 0)", "The reminder delay must be at least one day."
    )
    _reconciliation_reminder_max_positive = models.Constraint(
        "CHECK (reconciliation_reminder_max >= 0)", "The number of reminders cannot be negative."
    )
    _reconciliation_deemed_days_positive = models.Constraint(
        "CHECK (reconciliation_deemed_days > 0)",
        "The deemed confirmation delay must be at least one day.",
    )
