"""Amounts as people type them in a form (the portal's dispute): pure Python.

``17,800.00``, ``17.800,00`` (a language with a decimal comma), ``17 800,00``, ``¥17,800``,
``17800 CNY``, ``-1,234.50``, ``(1,234.50)``, ``1'234.50``: read with the separators of the
page's language, the currency's decimals and symbol; bounded by :mod:`.limits`. What cannot be
read without guessing (``1,2,3``, ``17,80.00``, two decimal separators) is refused with an
:class:`~.limits.InputError` naming the field and showing the expected form.
"""

import re
import unicodedata

from .limits import InputError, _lt, check_amount

# Longer than any amount within limits.MAX_AMOUNT, however it is written.
MAX_TYPED_LENGTH = 60
# Spaces of any kind and apostrophes group thousands (1 234, 1'234, 1’234): never decimals.
_GROUPING_NOISE = re.compile(r"[\s'\u2019\u00a0\u202f\u2009_]")
_MINUS_SIGNS = "-\u2212\u2012\u2013\u2014\ufe63\uff0d"
_BODY = re.compile(r"^[0-9.,]+$")


def _not_an_amount(text, label, example):
    return InputError(
        _lt("%(field)s: %(value)s is not a number; type the amount like %(example)s."),
        field=label,
        value=repr(text[:40]),
        example=example,
    )


def example_amount(digits=2, decimal_point=".", thousands_sep=","):
    """How 17,800 looks typed with these separators and decimals (for labels and errors)."""
    sep = thousands_sep if thousands_sep and not thousands_sep.isspace() else " "
    decimals = f"{decimal_point}{'0' * digits}" if digits else ""
    return f"17{sep}800{decimals}"


def _python_float(text):
    """``text`` as Python reads a float (``1e5``, ``nan``, ``inf``), else None."""
    if not text or "," in text or text[0] in "+-" + _MINUS_SIGNS:
        return None  # the sign was read already: a second one is a typo
    try:
        return float(text)
    except ValueError:
        return None


def _strip_currency(text, symbols):
    """``text`` without the currency's symbols or codes before or after the number."""
    for symbol in sorted((s for s in symbols if s), key=len, reverse=True):
        pattern = re.escape(symbol.strip())
        if not pattern:
            continue
        text = re.sub(rf"^\s*{pattern}|{pattern}\s*$", "", text.strip(), flags=re.IGNORECASE)
    return text


def _valid_grouping(integer, sep):
    """``1,234,567`` or ``12,34,567`` (Indian grouping): the last group has three digits."""
    groups = integer.split(sep)
    return (
        1 <= len(groups[0]) <= 3
        and all(2 <= len(group) <= 3 for group in groups[1:-1])
        and len(groups[-1]) == 3
    )


def _split(body, decimal_point, thousands_sep):
    """(integer part, grouping separator or None, decimals) of a body of digits, dots and
    commas, or None when it cannot be read without guessing."""
    seps = [char for char in body if char in ".,"]
    if not seps:
        return body, None, ""
    kinds = set(seps)
    if len(kinds) == 2:
        # Both written: the last one is the decimal separator, the other groups thousands.
        decimal = seps[-1]
        if seps.count(decimal) != 1:
            return None
        integer, _, decimals = body.rpartition(decimal)
        return integer, ("," if decimal == "." else "."), decimals
    (sep,) = kinds
    if len(seps) > 1:
        return body, sep, ""  # 1,234,567 or 1.234.567: grouping only
    integer, _, decimals = body.partition(sep)
    if sep != decimal_point and sep == thousands_sep and len(decimals) == 3:
        # 17,800 in English, 17.800 in German: thousands (the language says so)
        return body, sep, ""
    # 17800.5, 17800,50 in German, or the other convention's decimal (17,80 in English)
    return integer, None, decimals


def parse_typed_amount(
    text, label, digits=2, decimal_point=".", thousands_sep=",", symbols=(), allow_empty=True
):
    """The amount typed in ``text`` as a float (0.0 when empty and ``allow_empty``).

    ``decimal_point`` and ``thousands_sep`` are the language's (``res.lang``); a separator of
    the other convention is understood when it cannot mean anything else. ``symbols``: the
    currency's symbol and code, accepted before or after the number. ``digits``: the
    currency's decimals, at most. Raises :class:`~.limits.InputError` naming ``label``.
    """
    example = example_amount(digits, decimal_point or ".", thousands_sep or ",")
    raw = "" if text is None else str(text)
    if len(raw) > MAX_TYPED_LENGTH:
        raise _not_an_amount(raw, label, example)
    # full-width digits and signs of Chinese and Japanese input methods: １７，８００．００
    cleaned = unicodedata.normalize("NFKC", raw).strip()
    symbols = [unicodedata.normalize("NFKC", symbol) for symbol in symbols if symbol]
    if not cleaned:
        if allow_empty:
            return 0.0
        raise InputError(_lt("%(field)s is empty: type an amount."), field=label)
    # A language's own separators that are neither dot nor comma (an Arabic decimal point, ...)
    if decimal_point and decimal_point not in ".,":
        cleaned = cleaned.replace(decimal_point, ".")
        decimal_point = "."
    if thousands_sep and thousands_sep not in ".,":
        cleaned = cleaned.replace(thousands_sep, "")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    cleaned = _strip_currency(cleaned, symbols)
    cleaned = _GROUPING_NOISE.sub("", cleaned)
    if cleaned[:1] in _MINUS_SIGNS or cleaned[-1:] in _MINUS_SIGNS:
        if negative:  # (-100): two signs
            raise _not_an_amount(raw, label, example)
        negative = True
        cleaned = cleaned[1:] if cleaned[:1] in _MINUS_SIGNS else cleaned[:-1]
    elif cleaned[:1] == "+":
        cleaned = cleaned[1:]
    # the symbol may stand between the sign and the number: -¥1,234.00
    cleaned = _GROUPING_NOISE.sub("", _strip_currency(cleaned, symbols))
    if not cleaned or not _BODY.match(cleaned):
        # 1e5, nan, inf: what Python reads (no comma: nothing to guess), bounded like any amount
        number = _python_float(cleaned)
        if number is None:
            raise _not_an_amount(raw, label, example)
        return check_amount(-number if negative else number, label, digits)
    parts = _split(cleaned, decimal_point or ".", thousands_sep or ",")
    if parts is None:
        raise _not_an_amount(raw, label, example)
    integer, grouping, decimals = parts
    if grouping and not _valid_grouping(integer, grouping):
        raise _not_an_amount(raw, label, example)
    integer = integer.replace(grouping, "") if grouping else integer
    if not (integer or decimals) or not (integer + decimals).isdigit():
        raise _not_an_amount(raw, label, example)
    number = float(f"{integer or '0'}.{decimals or '0'}")
    return check_amount(-number if negative else number, label, digits)
