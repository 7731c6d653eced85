"""Per-operation translation plans, compiled once per container from zeep's type model.

zeep reads the WSDL and its schemas; at run time the bridge does not go through zeep's generic
serialiser. Instead each operation gets a plan (a tree of :class:`Leaf` and :class:`Node` with
precomputed tags, converters and lookups) that writes the request body and reads the response body
with plain lxml calls, which is what a hand-written translation would do.

Conventions (README "SOAP bridge"):

* **Inputs** are flat primitives: nested request elements become ``parent_child_leaf`` names.
  A repeated simple element takes one value (one occurrence is sent); a repeated complex element
  exposes the fields of one occurrence. Every branch of an ``xs:choice`` is an optional field; at
  most one branch may be given (exactly one when the choice is required).
* **Outputs** keep the response's nesting: complex elements are objects, repeated elements are
  arrays (``[]`` when absent), and a wrapper whose only content is one repeated element
  (``ArrayOfX``) becomes that array directly, unless the wrapper is itself repeated (never arrays of
  arrays). Absent optional elements and ``xsi:nil`` are left out. Elements the WSDL does not
  declare are ignored (services add fields over time); a missing required element or a value of the
  wrong type is a mismatch error.
* **Types**: string-like types are strings; booleans; all integer types are integers (with their
  bounds); ``xs:decimal`` is a JSON number by default (``decimals="string"`` keeps every digit);
  ``float``/``double`` are numbers; ``date``/``dateTime``/``time`` are ISO 8601 strings as on the
  wire (inputs are checked); enumerations are validated on input and listed in the input contract.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
MAX_DEPTH = 12
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")

# zeep's builtin simple type class name -> our kind
_KINDS = {
    "Boolean": "boolean",
    "Decimal": "decimal",
    "Float": "float",
    "Double": "float",
    "Date": "date",
    "DateTime": "dateTime",
    "Time": "time",
}
_INTEGER_BOUNDS = {
    "Integer": (None, None),
    "NonPositiveInteger": (None, 0),
    "NegativeInteger": (None, -1),
    "Long": (-(2**63), 2**63 - 1),
    "Int": (-(2**31), 2**31 - 1),
    "Short": (-(2**15), 2**15 - 1),
    "Byte": (-128, 127),
    "NonNegativeInteger": (0, None),
    "UnsignedLong": (0, 2**64 - 1),
    "UnsignedInt": (0, 2**32 - 1),
    "UnsignedShort": (0, 65535),
    "UnsignedByte": (0, 255),
    "PositiveInteger": (1, None),
}


class PlanError(ValueError):
    """The operation cannot be turned into a Genesys contract as declared (raised at declaration)."""


class Mismatch(ValueError):
    """The response does not match what the WSDL says (raised per call)."""


def simple_kind(xsd_type: Any) -> tuple[str, tuple[int | None, int | None] | None]:
    """(kind, integer bounds) of a zeep simple type, from the first XSD builtin in its class tree."""
    for cls in type(xsd_type).__mro__:
        if cls.__module__ == "zeep.xsd.types.builtins" and cls.__name__ not in ("BuiltinType",):
            name = cls.__name__
            if name in _INTEGER_BOUNDS:
                return "integer", _INTEGER_BOUNDS[name]
            return _KINDS.get(name, "string"), None
    return "string", None  # anySimpleType, lists, unions: their lexical form


# -- converters ----------------------------------------------------------------------------------


def _read_bool(text: str) -> bool:
    t = text.strip()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise Mismatch("not a boolean")


def _read_int(text: str) -> int:
    return int(text.strip())


def _read_float(text: str) -> float:
    value = float(text.strip())
    if not math.isfinite(value):
        raise Mismatch("not a finite number")
    return value


def _decimal(text: str) -> Decimal:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise Mismatch("not a decimal") from None
    if not d.is_finite():
        raise Mismatch("not a finite decimal")
    return d


def _read_decimal_number(text: str) -> float | int:
    d = _decimal(text)
    return int(d) if d == d.to_integral_value() and d.as_tuple().exponent >= 0 else float(d)


def _read_decimal_string(text: str) -> str:
    return str(_decimal(text))


def _read_text(text: str) -> str:
    return text


def _read_trimmed(text: str) -> str:
    return text.strip()


READERS = {
    "string": _read_text,
    "boolean": _read_bool,
    "integer": _read_int,
    "float": _read_float,
    "date": _read_trimmed,
    "dateTime": _read_trimmed,
    "time": _read_trimmed,
}

JSON_TYPES = {
    "string": "string",
    "boolean": "boolean",
    "integer": "integer",
    "float": "number",
    "date": "string",
    "dateTime": "string",
    "time": "string",
}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_DATE = re.compile(r"^-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?$")


def to_text(leaf: Leaf, value: Any) -> str:
    """The XML text for ``value``, or raise ValueError with a data-free reason."""
    kind = leaf.kind
    if kind == "string":
        if not isinstance(value, str):
            raise ValueError("must be a string")
        if _NOT_XML.search(value):
            raise ValueError("contains characters XML cannot carry (control characters)")
        if leaf.enum is not None and value not in leaf.enum:
            raise ValueError("must be one of " + ", ".join(leaf.enum[:12]))
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError("must be a boolean")
        return "true" if value else "false"
    if kind == "integer":
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValueError("must be an integer")
        lo, hi = leaf.bounds or (None, None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise ValueError(f"must be between {lo if lo is not None else '-inf'} and {hi if hi is not None else 'inf'}")
        if leaf.enum is not None and str(value) not in leaf.enum:
            raise ValueError("must be one of " + ", ".join(leaf.enum[:12]))
        return str(value)
    if kind == "decimal":
        if leaf.decimal_strings:
            if not isinstance(value, str):
                raise ValueError("must be a decimal number as a string")
            try:
                d = Decimal(value.strip())
            except InvalidOperation:
                raise ValueError("must be a decimal number as a string") from None
        else:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError("must be a number")
            d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        if not d.is_finite():
            raise ValueError("must be a finite number")
        return format(d, "f")
    if kind == "float":
        if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
            raise ValueError("must be a number")
        return repr(float(value))
    if not isinstance(value, str):
        raise ValueError(f"must be an ISO 8601 {kind} string")
    text = value.strip()
    try:
        if kind == "date":
            if not _DATE.match(text):
                raise ValueError
            date.fromisoformat(text[:10].lstrip("-") if not text.startswith("-") else text[:11])
        elif kind == "dateTime":
            datetime.fromisoformat(text)
        else:
            time.fromisoformat(text)
    except ValueError:
        example = {"date": "2026-11-21", "dateTime": "2026-11-21T14:30:00Z", "time": "14:30:00"}[kind]
        raise ValueError(f"must be an ISO 8601 {kind} like {example}") from None
    return text


# -- the plan tree -------------------------------------------------------------------------------


@dataclass(eq=False)
class Leaf:
    """A simple-typed element, attribute or simple content value."""

    tag: str
    key: str
    kind: str
    required: bool
    repeated: bool = False
    attribute: bool = False
    content: bool = False  # the text of a simpleContent type
    enum: tuple[str, ...] | None = None
    bounds: tuple[int | None, int | None] | None = None
    decimal_strings: bool = False
    choice: tuple[int, int] | None = None
    flat: str = ""  # input leaves: the flat a_b_c name

    def __post_init__(self) -> None:
        if self.kind == "decimal":
            self.reader = _read_decimal_string if self.decimal_strings else _read_decimal_number
        else:
            self.reader = READERS[self.kind]

    def schema(self, *, output: bool) -> dict[str, Any]:
        if self.kind == "decimal":
            node: dict[str, Any] = {"type": "string" if self.decimal_strings else "number"}
        else:
            node = {"type": JSON_TYPES[self.kind]}
        if self.kind == "integer" and self.bounds:
            lo, hi = self.bounds
            if lo is not None:
                node["minimum"] = lo
            if hi is not None and hi < 2**53:
                node["maximum"] = hi
        if self.enum and not output:
            node["enum"] = [int(v) for v in self.enum] if self.kind == "integer" else list(self.enum)
        description = {"date": "ISO 8601 date (YYYY-MM-DD)", "dateTime": "ISO 8601 date and time", "time": "ISO 8601 time"}.get(
            self.kind, ""
        )
        if self.kind == "decimal":
            description = (description + " " if description else "") + ("Decimal as a string" if self.decimal_strings else "Decimal")
        if description:
            node["description"] = description.strip()
        if self.repeated and output:
            return {"type": "array", "items": node}
        return node


@dataclass(eq=False)
class Node:
    """A complex-typed element (or the body root)."""

    tag: str
    key: str
    required: bool
    repeated: bool = False
    children: list[Leaf | Node] = field(default_factory=list)
    choice: tuple[int, int] | None = None
    unwrap: bool = False  # an ArrayOfX wrapper read as the array of its one repeated child
    flats: frozenset[str] = frozenset()  # input nodes: the flat names below
    # filled by finish()
    by_tag: dict[str, Leaf | Node] = field(default_factory=dict)
    attrs: list[Leaf] = field(default_factory=list)
    content: Leaf | None = None
    required_keys: tuple[str, ...] = ()
    array_keys: tuple[str, ...] = ()

    def finish(self) -> Node:
        self.by_tag = {c.tag: c for c in self.children if not (isinstance(c, Leaf) and (c.attribute or c.content))}
        self.attrs = [c for c in self.children if isinstance(c, Leaf) and c.attribute]
        self.content = next((c for c in self.children if isinstance(c, Leaf) and c.content), None)
        self.required_keys = tuple(c.key for c in self.children if c.required and not c.repeated and not _is_array(c))
        self.array_keys = tuple(c.key for c in self.children if c.repeated or _is_array(c))
        for c in self.children:
            if isinstance(c, Node):
                c.finish()
        return self

    # -- reading a response ----------------------------------------------------------------

    def read(self, el: Any) -> Any:
        if self.unwrap:
            inner = self.children[0]
            return [_read_one(inner, child) for child in el if child.tag == inner.tag and not _nil(child)]
        out: dict[str, Any] = {}
        by_tag = self.by_tag
        for child in el:
            spec = by_tag.get(child.tag)
            if spec is None or (child.get(XSI_NIL) in ("true", "1")):
                continue
            value = _read_one(spec, child)
            if spec.repeated:
                items = out.get(spec.key)
                if items is None:
                    out[spec.key] = [value]
                else:
                    items.append(value)
            else:
                out[spec.key] = value
        for key in self.array_keys:  # arrays are always present, empty when the elements are absent
            if key not in out:
                out[key] = []
        for attr in self.attrs:
            raw = el.get(attr.tag)
            if raw is not None:
                out[attr.key] = _read_one(attr, raw)
        if self.content is not None:
            out[self.content.key] = _read_one(self.content, el.text or "")
        for key in self.required_keys:
            if key not in out:
                raise Mismatch(f"the required element {key!r} is missing")
        return out

    def schema(self, *, output: bool) -> dict[str, Any]:
        if self.unwrap:
            inner = self.children[0]
            item = inner.schema(output=True)
            node = item if item.get("type") == "array" else {"type": "array", "items": item}
        else:
            node = {"type": "object", "properties": {c.key: c.schema(output=output) for c in self.children}, "additionalProperties": True}
            required = [c.key for c in self.children if c.required or c.repeated or _is_array(c)]
            if required:  # draft-04: a present "required" must not be empty
                node["required"] = required
        if self.repeated and output and not self.unwrap:
            return {"type": "array", "items": node}
        return node


def _is_array(spec: Leaf | Node) -> bool:
    return isinstance(spec, Node) and spec.unwrap


def _nil(el: Any) -> bool:
    return el.get(XSI_NIL) in ("true", "1")


def _read_one(spec: Leaf | Node, el: Any) -> Any:
    try:
        if isinstance(spec, Node):
            return spec.read(el)
        return spec.reader(el if isinstance(el, str) else (el.text or ""))
    except Mismatch as exc:
        if str(exc).startswith("in "):
            raise Mismatch(f"in {spec.key}.{str(exc)[3:]}") from None
        raise Mismatch(f"in {spec.key}: {exc}") from None
    except (ValueError, InvalidOperation):
        raise Mismatch(f"in {spec.key}: not a valid {getattr(spec, 'kind', 'value')}") from None


# -- compiling from zeep -------------------------------------------------------------------------


class Compiler:
    """Walks zeep's type model into a plan tree (shared by input and output)."""

    def __init__(self, enums: dict[str, tuple[str, ...]], *, decimal_strings: bool) -> None:
        self.enums = enums
        self.decimal_strings = decimal_strings
        self.choice_required: dict[int, bool] = {}  # choice group -> at least one branch needed

    def element(
        self, element: Any, *, required: bool, repeated: bool, choice: tuple[int, int] | None, path: tuple[str, ...]
    ) -> Leaf | Node | None:
        from zeep.xsd import ComplexType

        xsd_type = element.type
        tag = element.qname.text if element.qname is not None else element.name
        key = element.name
        if not isinstance(xsd_type, ComplexType):
            kind, bounds = simple_kind(xsd_type)
            return Leaf(
                tag=tag,
                key=key,
                kind=kind,
                required=required,
                repeated=repeated,
                enum=self._enum(xsd_type, element),
                bounds=bounds,
                decimal_strings=self.decimal_strings,
                choice=choice,
            )
        type_name = getattr(xsd_type, "qname", None)
        marker = type_name.text if type_name is not None else f"anon:{id(xsd_type)}"
        if marker in path or len(path) >= MAX_DEPTH:
            return None  # recursive or very deep types are cut (documented)
        node = Node(tag=tag, key=key, required=required, repeated=repeated, choice=choice)
        node.children = self.content(xsd_type, path + (marker,))
        return node

    def content(self, xsd_type: Any, path: tuple[str, ...]) -> list[Leaf | Node]:
        from zeep.xsd.types.simple import AnySimpleType

        children: list[Leaf | Node] = []
        top = getattr(xsd_type, "_element", None)

        if getattr(top, "name", "") == "_value_1" and isinstance(getattr(top, "type", None), AnySimpleType):
            top = top.type  # zeep models simpleContent as an element named _value_1
        if isinstance(top, AnySimpleType):  # simpleContent: the element's text plus attributes
            kind, bounds = simple_kind(top)
            children.append(
                Leaf(
                    tag="",
                    key="value",
                    kind=kind,
                    required=True,
                    content=True,
                    bounds=bounds,
                    enum=self._enum(top, None),
                    decimal_strings=self.decimal_strings,
                )
            )
        elif top is not None:
            self._walk(top, children, required=True, repeated=False, choice=None, path=path)
        for name, attr in getattr(xsd_type, "attributes", []):
            if not name or getattr(attr, "type", None) is None or not hasattr(attr, "required"):
                continue
            kind, bounds = simple_kind(attr.type)
            tag = attr.qname.text if getattr(attr, "qname", None) is not None else name
            children.append(
                Leaf(
                    tag=tag,
                    key=name,
                    kind=kind,
                    required=bool(attr.required),
                    attribute=True,
                    bounds=bounds,
                    enum=self._enum(attr.type, None),
                    decimal_strings=self.decimal_strings,
                )
            )
        return children

    def _walk(
        self,
        indicator: Any,
        out: list[Leaf | Node],
        *,
        required: bool,
        repeated: bool,
        choice: tuple[int, int] | None,
        path: tuple[str, ...],
    ) -> None:
        from zeep.xsd.elements import Any as AnyElement
        from zeep.xsd.elements import Element
        from zeep.xsd.elements.indicators import Choice, Group

        if isinstance(indicator, AnyElement):
            return  # xs:any: not part of the contract (documented)
        if isinstance(indicator, Element):
            max_occurs = indicator.max_occurs
            many = repeated or max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)
            spec = self.element(
                indicator,
                required=required and indicator.min_occurs > 0 and not indicator.nillable,
                repeated=many,
                choice=choice,
                path=path,
            )
            if spec is not None:
                out.append(spec)
            return
        min_occurs = getattr(indicator, "min_occurs", 1)
        max_occurs = getattr(indicator, "max_occurs", 1)
        many = repeated or max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)
        if isinstance(indicator, Group):
            self._walk(indicator.child, out, required=required and min_occurs > 0, repeated=many, choice=choice, path=path)
            return
        if isinstance(indicator, Choice):
            group = len(self.choice_required) + 1
            self.choice_required[group] = required and min_occurs > 0
            for branch, item in enumerate(indicator):
                self._walk(item, out, required=False, repeated=many, choice=(group, branch), path=path)
            return
        for item in indicator:  # Sequence, All
            self._walk(item, out, required=required and min_occurs > 0, repeated=many, choice=choice, path=path)

    def _enum(self, xsd_type: Any, element: Any) -> tuple[str, ...] | None:
        qname = getattr(xsd_type, "qname", None)
        if qname is not None and qname.text in self.enums:
            return self.enums[qname.text]
        if element is not None and element.qname is not None:
            return self.enums.get("element:" + element.qname.text) or self.enums.get("element:" + element.name)
        return None


def mark_arrays(node: Node) -> None:
    """ArrayOfX wrappers (only content: one repeated element, no attributes) read as arrays."""
    for child in node.children:
        if isinstance(child, Node):
            mark_arrays(child)
    if (
        len(node.children) == 1
        and node.children[0].repeated
        and not (isinstance(node.children[0], Leaf) and (node.children[0].attribute or node.children[0].content))
        and not node.repeated
    ):
        node.unwrap = True


def safe_name(name: str) -> str:
    """A Genesys-safe field name (letters, digits, ``_`` and ``-``, starting with a letter)."""
    cleaned = _NAME_OK.sub("_", name)
    return cleaned if cleaned[:1].isalpha() else "f" + cleaned
