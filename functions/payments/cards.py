"""Pure card checks: Luhn, brand from IIN ranges, lengths, expiry, CVV, amount. No I/O.

Card data never leaves this module in a message: results carry reason codes, brand and last four.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from functions.payments.currencies import MINOR_UNITS


@dataclass(frozen=True)
class Brand:
    name: str
    lengths: tuple[int, ...]
    cvv_length: int = 3
    luhn: bool = True


VISA = Brand("Visa", (13, 16, 19))
MASTERCARD = Brand("Mastercard", (16,))
AMEX = Brand("American Express", (15,), cvv_length=4)
DISCOVER = Brand("Discover", (16, 17, 18, 19))
JCB = Brand("JCB", (16, 17, 18, 19))
DINERS = Brand("Diners Club", (14, 15, 16, 17, 18, 19))
# UnionPay issues cards that do not carry a Luhn check digit; the network accepts them.
UNIONPAY = Brand("UnionPay", (16, 17, 18, 19), luhn=False)
MAESTRO = Brand("Maestro", (12, 13, 14, 15, 16, 17, 18, 19))

# (first prefix, last prefix, brand): prefixes of equal length; the longest matching prefix wins,
# so Discover's co-branded 622126-622925 beats UnionPay's 62 and Maestro's 6759 beats nothing else.
IIN_RANGES: tuple[tuple[str, str, Brand], ...] = (
    ("4", "4", VISA),
    ("51", "55", MASTERCARD),
    ("2221", "2720", MASTERCARD),
    ("34", "34", AMEX),
    ("37", "37", AMEX),
    ("6011", "6011", DISCOVER),
    ("644", "649", DISCOVER),
    ("65", "65", DISCOVER),
    ("622126", "622925", DISCOVER),
    ("3528", "3589", JCB),
    ("300", "305", DINERS),
    ("3095", "3095", DINERS),
    ("36", "36", DINERS),
    ("38", "39", DINERS),
    ("62", "62", UNIONPAY),
    ("8100", "8171", UNIONPAY),
    ("5018", "5018", MAESTRO),
    ("5020", "5020", MAESTRO),
    ("5038", "5038", MAESTRO),
    ("5893", "5893", MAESTRO),
    ("6304", "6304", MAESTRO),
    ("6759", "6759", MAESTRO),
    ("6761", "6763", MAESTRO),
    ("56", "58", MAESTRO),
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def brand_of(digits: str) -> Brand | None:
    best: Brand | None = None
    best_len = 0
    for lo, hi, brand in IIN_RANGES:
        n = len(lo)
        if n > best_len and lo <= digits[:n] <= hi:
            best, best_len = brand, n
    return best


def normalise_pan(raw: str) -> str | None:
    """Digits only (spaces and dashes dropped), or None if anything else is in there."""
    digits = raw.replace(" ", "").replace("-", "")
    return digits if digits.isdigit() and digits.isascii() else None


def mask(digits: str) -> str:
    return "*" * (len(digits) - 4) + digits[-4:]


@dataclass(frozen=True)
class CardCheck:
    """Outcome of the checks: ``reason`` is None when the card may go to the processor."""

    reason: str | None
    brand: Brand | None
    last4: str
    masked: str
    expiry_year: int


REASONS = {
    "INVALID_CARD_NUMBER": "The card number is not valid",
    "UNSUPPORTED_CARD_BRAND": "The card brand is not recognised",
    "INVALID_CARD_LENGTH": "The card number has the wrong length for its brand",
    "CARD_EXPIRED": "The card has expired",
    "INVALID_EXPIRY": "The expiry date is not plausible",
    "INVALID_CVV": "The security code has the wrong length for this card",
}


def check_card(digits: str, expiry_month: int, expiry_year: int, cvv: str | None, now: datetime | None = None) -> CardCheck:
    """Run every card check; the first failure gives the reason code."""
    now = now or datetime.now(UTC)
    year = expiry_year + 2000 if expiry_year < 100 else expiry_year
    brand = brand_of(digits)
    last4 = digits[-4:]

    def result(reason: str | None) -> CardCheck:
        return CardCheck(reason, brand, last4, mask(digits), year)

    if not 12 <= len(digits) <= 19:
        return result("INVALID_CARD_NUMBER")
    if brand is None:
        return result("UNSUPPORTED_CARD_BRAND")
    if len(digits) not in brand.lengths:
        return result("INVALID_CARD_LENGTH")
    if brand.luhn and not luhn_valid(digits):
        return result("INVALID_CARD_NUMBER")
    # Valid through the last day of the expiry month, UTC.
    if (year, expiry_month) < (now.year, now.month):
        return result("CARD_EXPIRED")
    if year > now.year + 20:
        return result("INVALID_EXPIRY")
    if cvv is not None and (len(cvv) != brand.cvv_length or not cvv.isdigit()):
        return result("INVALID_CVV")
    return result(None)


def format_amount(amount: Decimal, currency: str) -> str:
    """The amount with exactly the currency's minor units: 25 USD -> "25.00", 500 JPY -> "500"."""
    places = MINOR_UNITS.get(currency, 2)
    return str(amount.quantize(Decimal(1).scaleb(-places)))


def amount_problem(amount: Decimal, currency: str) -> str | None:
    """Why an amount/currency pair is not sane, or None. (Shape checks are in the contract.)"""
    places = MINOR_UNITS.get(currency)
    if places is None:
        return f"currency: {currency} is not an active ISO 4217 code"
    exponent = amount.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        return f"amount: {currency} allows at most {places} decimal places"
    return None
