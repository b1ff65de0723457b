from random import randint

from odoo import fields, models


class CustomerReconciliationTag(models.Model):
    """A label to classify statements (key account, high risk, ...)."""

    _name = "customer.reconciliation.tag"
    _description = "Customer Reconciliation Tag"
    _order = "name"

    name = fields.Char(required=True, translate=True)
    color = fields.Integer(default=lambda self: randint(1, 11))
    active = fields.Boolean(default=True)

    _name_unique = models.Constraint("UNIQUE (name)", "A tag with this name already exists.")
