"""What every CRM lookup answers: ``found``, ``matchCount`` and the first record's fields.

An output model lists its fields and, in ``record_keys``, the vendor record's key each one is
copied from; the field's type says how a value is coerced (``str``: None -> "", anything else its
text; ``int``: integers and digit strings, else 0; ``list[str]``: each item's text, a non-list []).
A :class:`Labelled` key turns a vendor's option code into its label (Dynamics' state codes).

    class AccountOutput(LookupOutput):
        account_id: str = ""
        record_keys = {"account_id": "Id"}

    AccountOutput.from_records(records, count)  # found, matchCount and the first record's fields
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from dataactions import Contract


@dataclass(frozen=True)
class Labelled:
    """A record key holding an option code, and the label of each code (others: the code's text)."""

    key: str
    labels: Mapping[Any, str]


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return 0


def _texts(value: Any) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


_COERCE: dict[Any, Callable[[Any], Any]] = {str: _text, int: _integer, list[str]: _texts}


def _labelled(labels: Mapping[Any, str], coerce: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def label(value: Any) -> Any:
        found = labels.get(value)
        return coerce(value) if found is None else found

    return label


class LookupOutput(Contract):
    """Base of the CRM lookup outputs: not found is a success with ``found: false`` and empty fields."""

    found: bool
    match_count: int

    # output field -> vendor record key (or Labelled); every other field of the model must be listed
    record_keys: ClassVar[Mapping[str, str | Labelled]] = {}
    _copies: ClassVar[tuple[tuple[str, str, Callable[[Any], Any]], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields = [name for name in cls.model_fields if name not in LookupOutput.model_fields]
        if set(cls.record_keys) != set(fields):
            raise TypeError(f"{cls.__name__}.record_keys must map exactly its fields {sorted(fields)}")
        copies = []
        for name in fields:  # in field order
            source, annotation = cls.record_keys[name], cls.model_fields[name].annotation
            coerce = _COERCE.get(annotation)
            if coerce is None:
                raise TypeError(f"{cls.__name__}.{name}: no record coercion for {annotation}")
            if isinstance(source, Labelled):
                coerce, source = _labelled(source.labels, coerce), source.key
            copies.append((name, source, coerce))
        cls._copies = tuple(copies)

    @classmethod
    def record_fields(cls) -> list[str]:
        """The vendor record keys the model reads, in field order (what a query selects)."""
        return [key for _, key, _ in cls._copies]

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, Any]], count: int | None = None) -> Self:
        """The first record's fields, ``matchCount`` = ``count`` (default: how many records there are)."""
        if not records:
            return cls(found=False, match_count=0)
        record = records[0]
        fields = {name: coerce(record.get(key)) for name, key, coerce in cls._copies}
        return cls(found=True, match_count=len(records) if count is None else count, **fields)

    @classmethod
    def from_record(cls, record: Mapping[str, Any] | None) -> Self:
        """One record fetched by id (None or empty: not found)."""
        return cls.from_records([record] if record else [])
