"""XSD builtin types as JSON: one table, one :class:`Codec` per type.

A codec is everything the bridge knows about a type: the JSON Schema fragment the contracts show,
how an input value is checked and written as XML text, and how XML text is read back as JSON.
Compiling picks a codec for every simple element, attribute and simpleContent value (from the first
XSD builtin in zeep's type); each call then writes and reads through it. Types the table does not
list (string-derived types, anyURI, QName, duration, base64Binary, the g* dates, lists, unions)
travel as their lexical form: a string.

Every ``ValueError`` a codec raises has a data-free reason ("must be a number"): it ends up in an
``InvalidInput`` message (inputs), a "does not match the WSDL" error (responses) or a
configuration error (secret-fed SOAP headers), never next to the value.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

# xs:decimal inputs are written in plain notation: refuse exponents that would make a short input
# a huge text ("1e999999999" is 11 characters and a gigabyte of zeros). Every float fits.
MAX_DECIMAL_PLACES = 400


class Codec:
    """One XSD builtin type, both ways. (A plain class: dataclasses cost cold start, ~1 ms each frozen.)"""

    __slots__ = ("name", "schema", "write", "read", "enumerable")

    def __init__(
        self,
        name: str,  # the bridge's kind: string, boolean, integer, decimal, float, date, dateTime, time
        schema: Mapping[str, Any],  # JSON Schema fragment (the contracts add enum and array wrapping)
        write: Callable[[Any], str],  # a JSON input value -> XML text (ValueError: why not, data-free)
        read: Callable[[str], Any],  # XML text -> JSON value (ValueError: why not, data-free)
        enumerable: bool = False,  # xs:enumeration facets are listed and checked (strings, integers)
    ) -> None:
        self.name, self.schema, self.write, self.read, self.enumerable = name, schema, write, read, enumerable

    def __repr__(self) -> str:
        return f"Codec({self.name})"


# -- strings, booleans --------------------------------------------------------------------------

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _write_string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a string")
    if _NOT_XML.search(value):
        raise ValueError("contains characters XML cannot carry (control characters)")
    return value


def _read_string(text: str) -> str:
    return text


def _write_boolean(value: Any) -> str:
    if not isinstance(value, bool):
        raise ValueError("must be a boolean")
    return "true" if value else "false"


def _read_boolean(text: str) -> bool:
    t = text.strip()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise ValueError("not a boolean")


# -- numbers ------------------------------------------------------------------------------------


def _integer(lo: int | None, hi: int | None) -> Codec:
    """An integer type with its value space's bounds (xs:integer has none)."""

    def write(value: Any) -> str:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("must be an integer")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"must be between {lo if lo is not None else '-inf'} and {hi if hi is not None else 'inf'}")
        return str(value)

    schema: dict[str, Any] = {"type": "integer"}
    if lo is not None:
        schema["minimum"] = lo
    if hi is not None and hi < 2**53:  # beyond what a JSON number carries exactly: the service checks
        schema["maximum"] = hi
    return Codec("integer", schema, write, _read_integer, enumerable=True)


def _read_integer(text: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise ValueError("not a valid integer") from None


def _plain(d: Decimal) -> str:
    """A finite decimal in the plain notation xs:decimal requires (no exponent)."""
    if not d.is_finite():
        raise ValueError("must be a finite number")
    exponent = d.as_tuple().exponent
    if d.adjusted() >= MAX_DECIMAL_PLACES or (isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES):
        raise ValueError(f"must have fewer than {MAX_DECIMAL_PLACES} digits before and after the decimal point")
    return format(d, "f")


def _write_decimal(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError("must be a number")
    if isinstance(value, float):
        if not math.isfinite(value):  # NaN, Infinity: JSON parsers accept them, xs:decimal does not
            raise ValueError("must be a finite number")
        return _plain(Decimal(repr(value)))  # the shortest digits that round-trip: 0.1 is "0.1"
    return _plain(Decimal(value))


def _write_decimal_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("must be a decimal number as a string")
    try:
        d = Decimal(value.strip())
    except InvalidOperation:
        raise ValueError("must be a decimal number as a string") from None
    return _plain(d)  # "NaN", "Infinity", "sNaN" parse as Decimal but are refused here


def _decimal(text: str) -> Decimal:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise ValueError("not a decimal") from None
    if not d.is_finite():
        raise ValueError("not a finite decimal")
    return d


def _read_decimal(text: str) -> float | int:
    d = _decimal(text)
    if d == d.to_integral_value() and d.as_tuple().exponent >= 0:  # type: ignore[operator]  # finite: an int
        return int(d)
    return float(d)


def _read_decimal_text(text: str) -> str:
    return str(_decimal(text))


def _write_float(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError("must be a number")
    try:
        number = float(value)
    except OverflowError:  # an integer beyond the double range
        raise ValueError("must be a finite number") from None
    if not math.isfinite(number):
        raise ValueError("must be a finite number")
    return repr(number)


def _read_float(text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise ValueError("not a valid float") from None
    if not math.isfinite(value):  # xs:float's INF and NaN: JSON cannot carry them
        raise ValueError("not a finite number")
    return value


# -- dates and times: ISO 8601 text, checked on the way out, as on the wire on the way in --------

_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")


def _check_date(text: str) -> None:
    if not _DATE.match(text):
        raise ValueError
    date.fromisoformat(text[:10].lstrip("-") if not text.startswith("-") else text[:11])


def _temporal(kind: str, check: Callable[[str], object], example: str, description: str) -> Codec:
    def write(value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError(f"must be an ISO 8601 {kind} string")
        text = value.strip()
        try:
            check(text)
        except ValueError:
            raise ValueError(f"must be an ISO 8601 {kind} like {example}") from None
        return text

    return Codec(kind, {"type": "string", "description": description}, write, str.strip)


# -- the table ----------------------------------------------------------------------------------

STRING = Codec("string", {"type": "string"}, _write_string, _read_string, enumerable=True)
_DOUBLE = Codec("float", {"type": "number"}, _write_float, _read_float)

CODECS: dict[str, Codec] = {  # keyed by the XSD builtin's local name
    "string": STRING,
    "boolean": Codec("boolean", {"type": "boolean"}, _write_boolean, _read_boolean),
    "decimal": Codec("decimal", {"type": "number", "description": "Decimal"}, _write_decimal, _read_decimal),
    "float": _DOUBLE,
    "double": _DOUBLE,
    "integer": _integer(None, None),
    "nonPositiveInteger": _integer(None, 0),
    "negativeInteger": _integer(None, -1),
    "long": _integer(-(2**63), 2**63 - 1),
    "int": _integer(-(2**31), 2**31 - 1),
    "short": _integer(-(2**15), 2**15 - 1),
    "byte": _integer(-128, 127),
    "nonNegativeInteger": _integer(0, None),
    "unsignedLong": _integer(0, 2**64 - 1),
    "unsignedInt": _integer(0, 2**32 - 1),
    "unsignedShort": _integer(0, 65535),
    "unsignedByte": _integer(0, 255),
    "positiveInteger": _integer(1, None),
    "date": _temporal("date", _check_date, "2026-11-21", "ISO 8601 date (YYYY-MM-DD)"),
    "dateTime": _temporal("dateTime", datetime.fromisoformat, "2026-11-21T14:30:00Z", "ISO 8601 date and time"),
    "time": _temporal("time", time.fromisoformat, "14:30:00", "ISO 8601 time"),
}

# decimals="string" on an action: every xs:decimal travels as a string, every digit kept
DECIMAL_AS_STRING = Codec("decimal", {"type": "string", "description": "Decimal as a string"}, _write_decimal_text, _read_decimal_text)


def codec_for(xsd_type: Any, *, decimal_strings: bool = False) -> Codec:
    """The codec of a zeep simple type: the first XSD builtin in its class tree (user restrictions
    inherit their base's), strings for anything without one (anySimpleType, lists, unions)."""
    for cls in type(xsd_type).__mro__:
        if cls.__module__ == "zeep.xsd.types.builtins" and cls.__name__ != "BuiltinType":
            qname: Any = getattr(cls, "_default_qname", None)
            codec = CODECS.get(qname.localname, STRING) if qname is not None else STRING
            return DECIMAL_AS_STRING if decimal_strings and codec.name == "decimal" else codec
    return STRING
