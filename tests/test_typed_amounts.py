"""Amounts as customers type them in the portal's dispute form (pure Python, no database)."""

import pytest

from odoo.addons.customer_reconciliation.tools import limits
from odoo.addons.customer_reconciliation.tools.amounts import example_amount, parse_typed_amount

EN = {"decimal_point": ".", "thousands_sep": ","}
DE = {"decimal_point": ",", "thousands_sep": "."}
FR = {"decimal_point": ",", "thousands_sep": "\u202f"}
CNY = {"symbols": ("¥", "CNY")}
EUR = {"symbols": ("€", "EUR")}


@pytest.mark.parametrize(
    ("text", "options", "expected"),
    [
        ("17800", EN, 17800.0),
        ("17,800.00", EN, 17800.0),
        ("17,800", EN, 17800.0),
        ("1,234,567.89", EN, 1234567.89),
        ("12,34,567.89", EN, 1234567.89),  # Indian grouping
        ("17800.5", EN, 17800.5),
        (".5", EN, 0.5),
        ("  17 800.00 ", EN, 17800.0),
        ("1'234.50", EN, 1234.5),
        ("17.800,00", DE, 17800.0),
        ("17.800", DE, 17800.0),
        ("17800,5", DE, 17800.5),
        ("1.234.567", DE, 1234567.0),
        # the other convention, where it cannot mean anything else
        ("17,800.00", DE, 17800.0),
        ("17.800,00", EN, 17800.0),
        ("17,80", EN, 17.8),
        ("17.80", DE, 17.8),
        ("17\u202f800,00", FR, 17800.0),
        ("17 800,00", FR, 17800.0),
        ("17.8", FR, 17.8),
        # currency symbol or code, before or after, with the sign around it
        ("¥17,800.00", {**EN, **CNY}, 17800.0),
        ("17,800.00 CNY", {**EN, **CNY}, 17800.0),
        ("cny 17,800", {**EN, **CNY}, 17800.0),
        ("-¥1,234.50", {**EN, **CNY}, -1234.5),
        ("¥-1,234.50", {**EN, **CNY}, -1234.5),
        ("17.800,00 €", {**DE, **EUR}, 17800.0),
        # signs
        ("-1,234.50", EN, -1234.5),
        ("1,234.50-", EN, -1234.5),
        ("(1,234.50)", EN, -1234.5),
        ("\u22121,234.50", EN, -1234.5),
        ("+1,234.50", EN, 1234.5),
        # full-width input of Chinese and Japanese input methods
        ("１７，８００．００", {**EN, **CNY}, 17800.0),
        ("￥１７８００", {**EN, **CNY}, 17800.0),
        # empty: no amount given
        ("", EN, 0.0),
        (None, EN, 0.0),
        ("   ", EN, 0.0),
    ],
)
def test_typed_amounts_are_read(text, options, expected):
    assert parse_typed_amount(text, "Your amount", **options) == expected


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "17,80.00",  # a group of two digits before the decimals
        "1,2,3",
        "1.234.5,6",
        "1,234.5.6",
        "--5",
        "(-5)",
        "5-5",
        ".",
        ",",
        "-",
        "$17",  # another currency's symbol
        "17,800.00 USD",
        "0x10",
        "1" * 61,
    ],
)
def test_unreadable_amounts_name_the_field(text):
    with pytest.raises(limits.InputError) as caught:
        parse_typed_amount(text, "Your amount", **EN, **CNY)
    message = str(caught.value)
    assert message.startswith("Your amount")
    assert "17,800.00" in message, "the error shows how to type it"


@pytest.mark.parametrize(
    ("text", "message"),
    [("nan", "finite"), ("inf", "finite"), ("-Infinity", "finite"), ("1e400", "finite")],
)
def test_python_floats_are_bounded(text, message):
    with pytest.raises(limits.InputError, match=message):
        parse_typed_amount(text, "Your amount", **EN)


def test_scientific_notation_is_read():
    assert parse_typed_amount("1.78e4", "Your amount", **EN) == 17800.0
    assert parse_typed_amount("-1e3", "Your amount", **EN) == -1000.0
    with pytest.raises(limits.InputError, match="must stay below"):
        parse_typed_amount("1e16", "Your amount", **EN)


def test_decimals_and_bounds_of_the_currency():
    assert parse_typed_amount("17,800.25", "Amount", digits=2) == 17800.25
    with pytest.raises(limits.InputError, match="more than 2 decimals"):
        parse_typed_amount("17,800.255", "Amount", digits=2)
    with pytest.raises(limits.InputError, match="more than 0 decimals"):
        parse_typed_amount("17800.5", "Amount", digits=0)
    assert parse_typed_amount("17,800", "Amount", digits=0) == 17800.0
    with pytest.raises(limits.InputError, match="must stay below"):
        parse_typed_amount("99,999,999,999,999.00", "Amount")
    assert parse_typed_amount("9,999,999,999,999.99", "Amount") == 9999999999999.99


def test_empty_can_be_refused():
    with pytest.raises(limits.InputError, match="Amount is empty"):
        parse_typed_amount(" ", "Amount", allow_empty=False)


def test_examples_follow_the_language():
    assert example_amount(2, ".", ",") == "17,800.00"
    assert example_amount(2, ",", ".") == "17.800,00"
    assert example_amount(0, ".", ",") == "17,800"
    assert example_amount(3, ",", "\u202f") == "17 800,000"
    with pytest.raises(limits.InputError, match=r"type the amount like 17\.800,00"):
        parse_typed_amount("zwei", "Betrag", **DE)
