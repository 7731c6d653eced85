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


# Each digit of the doubled positions replaced by the digit sum of its double (7 -> 14 -> 5).
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check of a string of ASCII digits."""
    data = digits.encode()
    # From the right: the check digit and every second digit as they are, the others doubled;
    # every byte is a digit's ASCII code, hence the 48 per digit taken off the sum.
    return (sum(data[-1::-2]) + sum(data[-2::-2].translate(_DOUBLED)) - 48 * len(data)) % 10 == 0


def _longest_prefix_table() -> tuple[tuple[int, ...], dict[str, Brand]]:
    """IIN_RANGES as exact prefixes: every prefix of every range, the first range listed winning
    among ranges of one length (as in the scan below); the lengths longest first."""
    table: dict[str, Brand] = {}
    for lo, hi, brand in IIN_RANGES:
        for prefix in range(int(lo), int(hi) + 1):
            table.setdefault(str(prefix).zfill(len(lo)), brand)
    return tuple(sorted({len(lo) for lo, _, _ in IIN_RANGES}, reverse=True)), table


_PREFIX_LENGTHS, _BY_PREFIX = _longest_prefix_table()


def brand_of(digits: str) -> Brand | None:
    """The brand of the longest IIN prefix in IIN_RANGES that the card number starts with."""
    if len(digits) >= _PREFIX_LENGTHS[0]:
        for n in _PREFIX_LENGTHS:
            brand = _BY_PREFIX.get(digits[:n])
            if brand is not None:
                return brand
        return None
    return _scan(digits)


def _scan(digits: str) -> Brand | None:
    """The same answer by comparing with every range (numbers shorter than the longest prefix)."""
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
    reason: str | None = None
    if not 12 <= len(digits) <= 19:
        reason = "INVALID_CARD_NUMBER"
    elif brand is None:
        reason = "UNSUPPORTED_CARD_BRAND"
    elif len(digits) not in brand.lengths:
        reason = "INVALID_CARD_LENGTH"
    elif brand.luhn and not luhn_valid(digits):
        reason = "INVALID_CARD_NUMBER"
    elif (year, expiry_month) < (now.year, now.month):  # valid through the last day of the expiry month, UTC
        reason = "CARD_EXPIRED"
    elif year > now.year + 20:
        reason = "INVALID_EXPIRY"
    elif cvv is not None and (len(cvv) != brand.cvv_length or not cvv.isdigit()):
        reason = "INVALID_CVV"
    return CardCheck(reason, brand, digits[-4:], mask(digits), year)


# Decimal(1).scaleb(-places) for the minor units ISO 4217 uses (0 to 4), built once.
_QUANTA = {places: Decimal(1).scaleb(-places) for places in range(5)}


def format_amount(amount: Decimal, currency: str) -> str:
    """The amount with exactly the currency's minor units: 25 USD -> "25.00", 500 JPY -> "500"."""
    places = MINOR_UNITS.get(currency, 2)
    return str(amount.quantize(_QUANTA.get(places) or Decimal(1).scaleb(-places)))


def amount_problem(amount: Decimal, currency: str) -> str | None:
    """Why an amount/currency pair is not sane, or None. (Shape checks are in the contract.)"""
    places = MINOR_UNITS.get(currency)
    if places is None:
        return f"currency: {currency} is not an active ISO 4217 code"
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        # Too many places as written; trailing zeros do not count (10.500 USD is 10.5 USD).
        # normalize() only ever raises the exponent, so an amount within the places never needs it.
        exponent = amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > places:
            return f"amount: {currency} allows at most {places} decimal places"
    return None
