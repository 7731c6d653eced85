"""Card checks: Luhn, IIN ranges and lengths per brand, expiry at the end of the month, CVV, amounts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from functions.payments.cards import amount_problem, brand_of, check_card, format_amount, luhn_valid

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def with_check_digit(body: str) -> str:
    for d in "0123456789":
        if luhn_valid(body + d):
            return body + d
    raise AssertionError


@pytest.mark.parametrize(
    ("pan", "brand"),
    [
        ("4111111111111111", "Visa"),
        ("4222222222222", "Visa"),
        ("5555555555554444", "Mastercard"),
        ("2221000000000009", "Mastercard"),
        ("2720999999999996", "Mastercard"),
        ("378282246310005", "American Express"),
        ("341111111111111", "American Express"),
        ("6011111111111117", "Discover"),
        ("6445644564456445", "Discover"),
        ("6221260000000000", "Discover"),
        ("3530111333300000", "JCB"),
        ("36227206271667", "Diners Club"),
        ("30569309025904", "Diners Club"),
        ("6200000000000005", "UnionPay"),
        ("6759649826438453", "Maestro"),
        ("5018000000000009", "Maestro"),
    ],
)
def test_brand_from_iin(pan: str, brand: str) -> None:
    assert brand_of(pan).name == brand


def test_mastercard_2_series_bounds() -> None:
    assert brand_of(with_check_digit("222099999999999")) is None
    assert brand_of(with_check_digit("272100000000000")) is None


@pytest.mark.parametrize(
    ("pan", "reason"),
    [
        ("4111111111111111", None),
        ("4111111111111112", "INVALID_CARD_NUMBER"),  # Luhn
        ("411111111111111", "INVALID_CARD_LENGTH"),  # Visa 15 digits
        ("37828224631000", "INVALID_CARD_LENGTH"),  # Amex 14 digits
        ("9111111111111111", "UNSUPPORTED_CARD_BRAND"),
        ("41111111111", "INVALID_CARD_NUMBER"),  # too short for any card
        ("6200000000000001", None),  # UnionPay: no Luhn requirement
    ],
)
def test_card_number_checks(pan: str, reason: str | None) -> None:
    assert check_card(pan, 12, 2030, None, NOW).reason == reason


def test_expiry_is_valid_through_the_end_of_the_month_utc() -> None:
    assert check_card("4111111111111111", 11, 2026, None, NOW).reason is None
    assert check_card("4111111111111111", 11, 26, None, NOW).reason is None
    assert check_card("4111111111111111", 10, 2026, None, NOW).reason == "CARD_EXPIRED"
    last_second = datetime(2026, 11, 30, 23, 59, 59, tzinfo=UTC)
    assert check_card("4111111111111111", 11, 2026, None, last_second).reason is None
    first_of_next = datetime(2026, 12, 1, 0, 0, tzinfo=UTC)
    assert check_card("4111111111111111", 11, 2026, None, first_of_next).reason == "CARD_EXPIRED"
    assert check_card("4111111111111111", 1, 2060, None, NOW).reason == "INVALID_EXPIRY"


@pytest.mark.parametrize(
    ("pan", "cvv", "reason"),
    [
        ("378282246310005", "1234", None),
        ("378282246310005", "123", "INVALID_CVV"),
        ("4111111111111111", "123", None),
        ("4111111111111111", "1234", "INVALID_CVV"),
        ("5555555555554444", "12", "INVALID_CVV"),
    ],
)
def test_cvv_length_per_brand(pan: str, cvv: str, reason: str | None) -> None:
    assert check_card(pan, 12, 2030, cvv, NOW).reason == reason


def test_amounts_and_currencies() -> None:
    assert amount_problem(Decimal("10.50"), "USD") is None
    assert amount_problem(Decimal("10.001"), "USD") is not None
    assert amount_problem(Decimal("500"), "JPY") is None
    assert amount_problem(Decimal("500.5"), "JPY") is not None
    assert amount_problem(Decimal("1.234"), "KWD") is None
    assert amount_problem(Decimal("1"), "ABC") is not None
    assert format_amount(Decimal("25"), "USD") == "25.00"
    assert format_amount(Decimal("500"), "JPY") == "500"


@given(st.text(alphabet="0123456789", min_size=11, max_size=18))
def test_luhn_accepts_the_check_digit_and_rejects_any_single_digit_change(body: str) -> None:
    pan = with_check_digit(body)
    assert luhn_valid(pan)
    i = len(pan) // 2
    changed = pan[:i] + str((int(pan[i]) + 1) % 10) + pan[i + 1 :]
    assert not luhn_valid(changed)
