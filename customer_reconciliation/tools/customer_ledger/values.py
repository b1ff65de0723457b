"""Dates and amounts as customers' accounting software writes them. Pure Python."""

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from .reading import MAX_AMOUNT, MAX_DATE, MIN_DATE

_DATE_YMD = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_DATE_XXY = re.compile(r"(\d{1,2})\s*([-/.])\s*(\d{1,2})\s*[-/.]\s*(\d{4})")
_DATE_COMPACT = re.compile(r"(19|20|21)\d{6}")
_DATE_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_TEXT_DATE_FORMATS = ("%d-%b-%Y", "%d %b %Y", "%b %d, %Y", "%d-%b-%y", "%d %B %Y", "%B %d, %Y")
_EXCEL_EPOCH = date(1899, 12, 30)


class OutOfBounds(ValueError):
    """A readable date or amount beyond what can be imported (``MIN_DATE`` to ``MAX_DATE``,
    less than ``MAX_AMOUNT``): a typing error or a placeholder (0001-01-01, 9999-12-31)."""


def _bounded_date(value, when):
    if not MIN_DATE <= when <= MAX_DATE:
        raise OutOfBounds(value)
    return when


def _bounded_amount(value, amount):
    if abs(amount) >= MAX_AMOUNT:
        raise OutOfBounds(value)
    return amount


def _serial_date(number):
    if 20000 <= number < 80000:  # 1954 to 2119: a serial number, not an amount or a year
        return _EXCEL_EPOCH + timedelta(days=int(number))
    return None


def parse_date(value, day_first=True):
    """A date from a cell; None when empty. Raises ValueError when unreadable, OutOfBounds
    (a ValueError) before ``MIN_DATE`` or after ``MAX_DATE``."""
    when = _read_date(value, day_first)
    return when if when is None else _bounded_date(value, when)


def _read_date(value, day_first):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 19000101 <= value <= 21991231 and float(value).is_integer():
            text = str(int(value))
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        result = _serial_date(value)
        if result:
            return result
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    text = without_time(text)
    if match := _DATE_YMD.fullmatch(text):
        return date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DATE_XXY.fullmatch(text):
        first, second, year = int(match[1]), int(match[3]), int(match[4])
        if match[2] == "." or day_first:
            return date(year, second, first)
        return date(year, first, second)
    if _DATE_COMPACT.fullmatch(text):
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    if _DATE_SERIAL.fullmatch(text) and (result := _serial_date(float(text))):
        return result
    for pattern in _TEXT_DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(value)


def without_time(text):
    """A date text without the time that some exports write after it (03/01/2026 00:00)."""
    return re.split(r"[ T]\d{1,2}:\d{2}", text)[0].strip()


def guess_day_first(values):
    """For d/m/yyyy against m/d/yyyy: what the column's values prove, else month first."""
    for value in values:
        if isinstance(value, str) and (
            match := _DATE_XXY.fullmatch(without_time(unicodedata.normalize("NFKC", value)))
        ):
            if int(match[1]) > 12:
                return True
            if int(match[3]) > 12:
                return False
    return False


_CURRENCY = re.compile(r"RMB|CNY|USD|EUR|HKD|JPY|GBP|元|圆|¥|\$|€|£", re.IGNORECASE)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_DECIMAL_COMMA = re.compile(r"\d+,\d{1,2}")
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+")
# The usual cell, read without the normalisations below: 1234.56, -1,234.56.
_SIMPLE = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


def parse_amount(value):
    """A Decimal from a cell; None when empty. Raises ValueError when unreadable (nan, inf,
    1e400 included), OutOfBounds (a ValueError) from ``MAX_AMOUNT`` on."""
    amount = _read_amount(value)
    return amount if amount is None else _bounded_amount(value, amount)


# How a file writes its amounts, told by the cells that show it: 1.234,56 or 250,5 (decimal
# comma, dots for thousands), 1,234.56 or 12.5 (decimal point). "1.000" shows neither.
_COMMA_DECIMAL = re.compile(r"[-+(]?\d{1,3}(?:\.\d{3})*,\d{1,2}\)?|[-+(]?\d+,\d{1,2}\)?")
_DOT_DECIMAL = re.compile(r"[-+(]?\d{1,3}(?:,\d{3})+\.\d+\)?|[-+(]?\d+\.(?:\d{1,2}|\d{4,})\)?")
# 1.000 or 1.234,56: dots for thousands (in a decimal-point file, 1.000 is then ambiguous).
DOT_THOUSANDS = re.compile(r"([-+]?)(\d{1,3}(?:\.\d{3})+)(,\d+)?")


def decimal_comma(values):
    """True when the amount texts of a file show a decimal comma and none a decimal point,
    False when they show a decimal point, None when none tells."""
    comma = point = False
    for value in values:
        if isinstance(value, str) and (text := value.strip()):
            comma = comma or bool(_COMMA_DECIMAL.fullmatch(text))
            point = point or bool(_DOT_DECIMAL.fullmatch(text))
    if comma != point:
        return comma
    return None


def parse_units(value, places, comma=False):
    """An amount cell in minor units: an integer of 10^-``places`` (rounded half up), None
    when empty; raises as :func:`parse_amount`. The usual cell (1234.56, -1,234.56) is read
    with integer arithmetic. ``comma``: the file writes decimal commas, so that 1.000 is a
    thousand."""
    if value == "" or value is None:
        return None
    if comma and isinstance(value, str) and (match := DOT_THOUSANDS.fullmatch(value.strip())):
        value = match[1] + match[2].replace(".", "") + (match[3] or "").replace(",", ".")
    if isinstance(value, str) and _SIMPLE.fullmatch(value):
        whole, _dot, fraction = value.replace(",", "").partition(".")
        if len(fraction) <= places:
            units = int(whole + fraction.ljust(places, "0"))
            if abs(units) >= MAX_AMOUNT * 10**places:
                raise OutOfBounds(value)
            return units
    amount = parse_amount(value)
    if amount is None:
        return None
    return int(amount.scaleb(places).to_integral_value(ROUND_HALF_UP))


def _read_amount(value):
    if value is None:
        return None
    if isinstance(value, str) and _SIMPLE.fullmatch(value):
        return Decimal(value.replace(",", ""))
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(value)
        return Decimal(repr(value))
    text = unicodedata.normalize("NFKC", str(value)).strip().replace("\u2212", "-")
    text = _CURRENCY.sub("", text)
    text = re.sub(r"[\s\u00a0']", "", text)
    if text in ("", "-", "--", "—", "/"):
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1]
    if text.startswith("-"):
        negative, text = not negative, text[1:]
    elif text.endswith("-"):
        negative, text = not negative, text[:-1]
    text = text.lstrip("+")
    if "," in text and "." in text and text.rfind(",") > text.rfind("."):
        text = text.replace(".", "").replace(",", ".")  # 1.234,56
    elif _THOUSANDS.fullmatch(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    if not _PLAIN.fullmatch(text):
        raise ValueError(value)
    try:
        amount = Decimal(text)
    except InvalidOperation as error:
        raise ValueError(value) from error
    return -amount if negative else amount


def parse_direction(value):
    """+1 for a debit, -1 for a credit, 0 for 平 (nil), None when empty or unknown."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"[\s.:：/]+", "", unicodedata.normalize("NFKC", value).lower())
    if text in ("借", "d", "dr", "debit", "借方"):
        return 1
    if text in ("贷", "c", "cr", "credit", "贷方"):
        return -1
    if text in ("平", "0"):
        return 0
    return None
