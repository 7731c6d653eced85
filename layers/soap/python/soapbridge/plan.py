"""The compiled plan of one operation: plain data, built once per container by
:mod:`soapbridge.compile` and read by every call (:mod:`soapbridge.request` writes the envelope
from it, :mod:`soapbridge.response` reads the answer with it).

A plan is a tree of :class:`Node` (complex elements) and :class:`Leaf` (simple elements,
attributes, simpleContent values) with the tags, codecs and lookups precomputed, plus the flat
input fields Genesys sees. Nothing here imports zeep.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from soapbridge.xsd import Codec

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


class PlanError(ValueError):
    """The operation cannot be turned into a Genesys action as declared (raised at declaration)."""


@dataclass(eq=False)
class Leaf:
    """A simple-typed element, attribute or simpleContent value."""

    tag: str  # Clark notation ({ns}local), or the bare name of an unqualified element/attribute
    key: str  # its JSON name
    codec: Codec
    required: bool
    repeated: bool = False
    attribute: bool = False
    content: bool = False  # the text of a simpleContent type
    enum: tuple[str, ...] | None = None
    choice: tuple[int, int] | None = None  # (choice group, branch) when inside an xs:choice
    flat: str = ""  # input leaves: the key of its value in a call's values
    read: Callable[[str], Any] = field(init=False, repr=False)  # the codec's reader, one lookup away per value

    def __post_init__(self) -> None:
        self.read = self.codec.read

    @property
    def kind(self) -> str:
        return self.codec.name


@dataclass(eq=False)
class Node:
    """A complex-typed element: the body's element, a header block, or anything below them."""

    tag: str
    key: str
    required: bool
    repeated: bool = False
    children: list[Leaf | Node] = field(default_factory=list)
    choice: tuple[int, int] | None = None
    unwrap: bool = False  # an ArrayOfX wrapper read as the array of its one repeated child
    flats: frozenset[str] = frozenset()  # input nodes: the flats below (written when one is given)
    nsmap: dict[str, str] | None = None  # roots written by a call: every namespace below, declared once
    # response nodes: lookups for reading, filled at the end of compiling
    by_tag: dict[str, Leaf | Node] = field(default_factory=dict)
    attrs: list[Leaf] = field(default_factory=list)
    content: Leaf | None = None
    required_keys: tuple[str, ...] = ()
    array_keys: tuple[str, ...] = ()


@dataclass(eq=False)
class Field:
    """One flat input field of the Genesys contract (body or SOAP header)."""

    name: str  # the Genesys name
    original: str  # the derived a_b_c name before any rename
    leaf: Leaf
    anchor: frozenset[str] | None  # flats of the nearest optional ancestor (None: always written)
    choice: tuple[int, int] | None

    @property
    def always_required(self) -> bool:
        return self.leaf.required and self.anchor is None and self.choice is None


class SecretHeader:
    """A SOAP header value taken from the configuration's secret (``headers.<key>``), not an input."""

    __slots__ = ("path", "key", "leaf")

    def __init__(self, path: str, key: str, leaf: Leaf) -> None:
        self.path = path  # as declared: "TenantHeader.tenantId"
        self.key = key  # the name under "headers" in the secret
        self.leaf = leaf


@dataclass(eq=False)
class OperationPlan:
    wsdl: str
    service: str
    port: str
    operation: str
    soap_version: str  # "1.1" | "1.2"
    style: str  # "document" | "rpc"
    soap_action: str
    address: str
    request: Node  # the body's element
    response: Node | None
    fields: dict[str, Field] = field(default_factory=dict)
    # choice group -> (at least one branch needed, branch -> its flats, flats of the group's optional ancestor)
    choice_groups: dict[int, tuple[bool, dict[int, frozenset[str]], frozenset[str] | None]] = field(default_factory=dict)
    output_root: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    # SOAP headers the action sends: a root whose children are the header blocks (None: none)
    headers: Node | None = None
    secret_headers: tuple[SecretHeader, ...] = ()
    # every header value the binding declares, by dotted path (what ``headers=`` may name), and
    # those a header block cannot be sent without
    available_headers: dict[str, Leaf] = field(default_factory=dict)
    required_headers: frozenset[str] = frozenset()
    secret_flats: frozenset[str] = frozenset()  # flats the secret always gives (its header values)

    @property
    def envelope_ns(self) -> str:
        return SOAP12 if self.soap_version == "1.2" else SOAP11

    def output_node(self) -> Node | None:
        """The response node the output contract describes (``output_root`` applied)."""
        node = self.response
        for key in self.output_root:
            assert node is not None
            node = next(c for c in node.children if c.key == key and isinstance(c, Node))  # checked when compiling
        return node

    def display(self, flat: str) -> str:
        """The Genesys name of the input whose value is ``flat``."""
        for name, f in self.fields.items():
            if f.leaf.flat == flat:
                return name
        return flat


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


__all__ = ["Field", "Leaf", "Node", "OperationPlan", "PlanError", "SecretHeader", "SOAP11", "SOAP12", "local_name"]
