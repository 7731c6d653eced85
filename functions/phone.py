"""Caller numbers (ANIs) to the forms CRMs store, with the phonenumbers library (phone layer).

``tel:+14155550100``, ``sip:+14155550100@host``, ``+1 (415) 555-0100`` and ``4155550100`` (with a
default region) all become the same :class:`PhoneForms`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dataactions import InvalidInput

_URI = re.compile(r"^(?:tel|sip|sips):", re.IGNORECASE)


@dataclass(frozen=True)
class PhoneForms:
    e164: str  # +14155550100
    national: str  # (415) 555-0100
    national_digits: str  # 4155550100
    international_digits: str  # 14155550100


def normalise(raw: str, default_region: str = "US") -> PhoneForms:
    """Every form of one phone number; InvalidInput (without the number) if it is not one."""
    import phonenumbers  # on first use: the family's non-phone actions never load its metadata

    text = _URI.sub("", raw.strip())
    text = text.split(";", 1)[0].split("@", 1)[0]
    try:
        number = phonenumbers.parse(text, default_region.upper())
    except phonenumbers.NumberParseException:
        raise InvalidInput("Invalid input: phone number could not be parsed") from None
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput("Invalid input: phone number has an impossible length for its country")
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return PhoneForms(
        e164=e164,
        national=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL),
        national_digits=phonenumbers.national_significant_number(number),
        international_digits=e164.lstrip("+"),
    )
