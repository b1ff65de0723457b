"""The bounds of what a user or a customer may enter (forms, URLs, RPC). Pure Python.

One place for each limit: the statement, the dispute, the wizards and the portal check their
input here. Each check raises :class:`InputError` naming the field and the limit; messages are
English templates marked with ``_lt`` (translated by the Odoo side with ``env._``).
"""

import math
from datetime import date, datetime

# Years a statement may cover: wider than any real ledger, narrow enough to catch typos
# (0001, 9999) and dates that Python or PostgreSQL handle badly.
MIN_YEAR = 1900
MAX_YEAR = 2199
# A statement covers at most this many years (a month or a quarter is the usual period).
MAX_PERIOD_YEARS = 5
MAX_PERIOD_DAYS = 366 * MAX_PERIOD_YEARS
# Amounts: exact to the cent in a float (2**53 cents is about 9 * 10**13); beyond is a typo.
MAX_AMOUNT = 10**13
# Texts: a name, a title, a comment, a reason.
MAX_NAME_LENGTH = 256
MAX_COMMENT_LENGTH = 10000


def _lt(message):
    """Mark a message for translation; the caller translates it (no Odoo import here)."""
    return message


class InputError(ValueError):
    """A value outside its bounds: ``message % params`` names the field and the limit."""

    def __init__(self, message, **params):
        self.message = message
        self.params = params
        super().__init__(message % params)


def check_amount(value, label, digits=2):
    """``value`` as a finite float within :data:`MAX_AMOUNT` and ``digits`` decimals (any
    number of decimals when ``digits`` is None)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(_lt("%(field)s must be a number."), field=label)
    number = float(value)
    if not math.isfinite(number):
        raise InputError(_lt("%(field)s must be a finite number."), field=label)
    if abs(number) >= MAX_AMOUNT:
        raise InputError(
            _lt("%(field)s is %(value)s: amounts must stay below %(limit)s."),
            field=label,
            value=f"{number:.6g}",
            limit=f"{MAX_AMOUNT:,}",
        )
    # beyond 10^12 a float's last decimals are noise: only what it can represent is checked
    if digits is not None and abs(round(number, digits) - number) > max(
        10 ** -(digits + 3), abs(number) * 1e-15
    ):
        raise InputError(
            _lt("%(field)s has more than %(digits)s decimals."), field=label, digits=digits
        )
    return number


def check_date(value, label):
    """``value`` (a date, a datetime or an ISO text as RPC sends it) as a date within
    :data:`MIN_YEAR` .. :data:`MAX_YEAR`."""
    if isinstance(value, str):
        try:
            value = (
                datetime.fromisoformat(value.strip()[:19])
                if len(value) > 10
                else date.fromisoformat(value)
            )
        except ValueError:
            raise InputError(
                _lt("%(field)s: %(value)s is not a valid date (YYYY-MM-DD)."),
                field=label,
                value=repr(value[:40]),
            ) from None
    if isinstance(value, datetime):
        value = value.date()
    if not isinstance(value, date):
        raise InputError(_lt("%(field)s is not a date."), field=label)
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise InputError(
            _lt("%(field)s is in the year %(year)s: dates must be between %(min)s and %(max)s."),
            field=label,
            year=value.year,
            min=MIN_YEAR,
            max=MAX_YEAR,
        )
    return value


def check_period(date_from, date_to, label_from, label_to):
    """A period: both dates in range, in order, at most :data:`MAX_PERIOD_YEARS` years long."""
    check_date(date_from, label_from)
    check_date(date_to, label_to)
    if date_from > date_to:
        raise InputError(
            _lt("%(start)s (%(date_from)s) is after %(end)s (%(date_to)s)."),
            start=label_from,
            end=label_to,
            date_from=date_from.isoformat(),
            date_to=date_to.isoformat(),
        )
    if (date_to - date_from).days >= MAX_PERIOD_DAYS:
        raise InputError(
            _lt(
                "The period %(date_from)s - %(date_to)s is longer than %(years)s years: "
                "split it into shorter statements."
            ),
            date_from=date_from.isoformat(),
            date_to=date_to.isoformat(),
            years=MAX_PERIOD_YEARS,
        )


def check_text(value, label, limit=MAX_COMMENT_LENGTH):
    """``value`` (a text or empty) of at most ``limit`` characters."""
    if value in (None, False):
        return value
    if not isinstance(value, str):
        raise InputError(_lt("%(field)s must be a text."), field=label)
    if len(value) > limit:
        raise InputError(
            _lt("%(field)s is %(length)s characters long: at most %(limit)s are accepted."),
            field=label,
            length=f"{len(value):,}",
            limit=f"{limit:,}",
        )
    return value
