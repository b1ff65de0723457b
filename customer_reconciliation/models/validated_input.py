"""Bounded values for every model of the addon that a form or RPC writes."""

from odoo import api, models
from odoo.exceptions import ValidationError

from ..tools import limits

# PostgreSQL's integer column.
MAX_INTEGER = 2**31 - 1
# A one-line text (a name, a reference, a title); longer texts are Text fields.
MAX_CHAR_LENGTH = 1000
# The field types _check_input_value bounds.
CHECKED_TYPES = frozenset({"date", "datetime", "float", "monetary", "integer", "char"})


class CustomerReconciliationValidatedInput(models.AbstractModel):
    """Checks each date, number and one-line text written through ``create`` and ``write``
    before the ORM converts it: ``2026-02-30``, the year 0001 or 9999, ``NaN``, ``1e400`` or an
    integer beyond PostgreSQL's are an error naming the field, never a crash or a stored
    absurdity. The bounds are those of ``tools/limits.py``."""

    _name = "customer.reconciliation.validated.input"
    _description = "Customer Reconciliation: Validated Input"

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_input_values(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_input_values(vals)
        return super().write(vals)

    @api.model
    def _check_input_values(self, vals):
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None or value in (False, None, ""):
                continue
            if field.type not in CHECKED_TYPES:
                continue
            try:
                self._check_input_value(field, value, name)
            except limits.InputError:
                # Checked again with the field's label (translated: slow to get) for the message.
                try:
                    self._check_input_value(field, value, field._description_string(self.env))
                except limits.InputError as error:
                    raise ValidationError(self.env._(error.message, **error.params)) from None

    @api.model
    def _check_input_value(self, field, value, label):
        if field.type in ("date", "datetime"):
            limits.check_date(value, label)
        elif field.type in ("float", "monetary"):
            # Finite and bounded; the decimals are rounded by the ORM (the currency's, the
            # field's), the forms that take an amount check them against the currency.
            limits.check_amount(value, label, digits=None)
        elif field.type == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise limits.InputError(
                    limits._lt("%(field)s must be a whole number."), field=label
                )
            if abs(value) > MAX_INTEGER:
                raise limits.InputError(
                    limits._lt("%(field)s is %(value)s: at most %(limit)s."),
                    field=label,
                    value=f"{value:,}",
                    limit=f"{MAX_INTEGER:,}",
                )
        elif field.type == "char":
            limits.check_text(value, label, MAX_CHAR_LENGTH)
