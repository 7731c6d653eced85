"""Compile time: one WSDL operation becomes an :class:`~soapbridge.plan.OperationPlan`, once per
container (at import, the Lambda init phase). Calls never come here.

1. **Walk** zeep's type model of the operation's messages (body and SOAP headers) into plan trees
   (:class:`Walker`): tags, a codec per simple value (:mod:`soapbridge.xsd`), enumerations,
   occurrence, choices.
2. **Shape** them as the declaration asks: flatten the request into Genesys inputs (``inputs``,
   ``rename_inputs``), pick the SOAP headers to send and where each value comes from
   (``headers``), read ``ArrayOfX`` wrappers as arrays, select and rename outputs (``output_root``,
   ``outputs``, ``rename_outputs``), then index the response for reading.

Conventions (README "SOAP services"): inputs are flat primitives (``parent_child_leaf``; a
repeated element takes one occurrence; every branch of an ``xs:choice`` is an optional field);
outputs keep the nesting (repeated elements are arrays, ``[]`` when absent; an ``ArrayOfX`` wrapper
is its array unless it repeats itself); ``xs:any`` is ignored; recursive types are cut after their
first repetition.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from dataactions.declaration import RESERVED_INPUT_NAMES
from soapbridge.plan import Field, Leaf, Node, OperationPlan, PlanError, SecretHeader
from soapbridge.wsdl import load
from soapbridge.xsd import codec_for

MAX_DEPTH = 12
SOAP_BINDINGS = ("Soap11Binding", "Soap12Binding")
HEADER_FLAT = "header:"  # header values are kept apart from body values (":" is never in an element name)
_NAME_OK = re.compile(r"[^A-Za-z0-9_-]")
_SECRET_KEY = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")


def compile_operation(
    wsdl: str,
    service: str | None,
    port: str | None,
    operation: str,
    *,
    inputs: Sequence[str] | None = None,
    rename_inputs: Mapping[str, str] | None = None,
    outputs: Sequence[str] | None = None,
    rename_outputs: Mapping[str, str] | None = None,
    output_root: str | None = None,
    decimals: str = "number",
    not_found: Sequence[str] = (),
    headers: Mapping[str, str] | None = None,
) -> OperationPlan:
    """Compile one operation of a bundled WSDL (PlanError/WsdlError explain what to fix)."""
    if decimals not in ("number", "string"):
        raise PlanError("decimals must be 'number' or 'string'")
    document, enums = load(wsdl)
    binding, port_name, service_name, address = find_port(document, service, port)
    operations = binding._operations
    if operation not in operations:
        raise PlanError(f"port {port_name} has no operation {operation}; it has {', '.join(sorted(operations))}")
    op = operations[operation]
    walker = Walker(enums, decimal_strings=decimals == "string")
    request = _message_node(walker, op.input, operation, "input")
    response = _message_node(walker, op.output, operation, "output") if op.output is not None else None
    if request is None:
        raise PlanError(f"{operation}: the input message has no body element")
    plan = OperationPlan(
        wsdl=wsdl,
        service=service_name,
        port=port_name,
        operation=operation,
        soap_version="1.2" if type(binding).__name__ == "Soap12Binding" else "1.1",
        style=getattr(op, "style", None) or "document",
        soap_action=op.soapaction or "",
        address=address or "",
        request=request,
        response=response,
        not_found=tuple(not_found),
    )
    blocks = _header_blocks(walker, op.input)
    _shape_inputs(plan, walker, blocks, inputs, rename_inputs or {}, headers or {})
    request.nsmap = _namespaces(request)
    if plan.headers is not None:
        for block in plan.headers.children:
            if isinstance(block, Node):
                block.nsmap = _namespaces(block)
    if response is not None:
        _mark_arrays(response)
        response.unwrap = False  # the body element itself stays an object
        if output_root:
            plan.output_root = _find_path(response, output_root.split("."), "output_root")
        _shape_outputs(plan, outputs, rename_outputs or {})
        _index(response)
    return plan


def find_port(document: Any, service: str | None, port: str | None) -> tuple[Any, str, str, str]:
    """(zeep binding, port, service, address) of the named (or only) SOAP port."""
    services = document.services
    if not services:
        raise PlanError("the WSDL declares no service")
    if service is None:
        if len(services) > 1:
            raise PlanError(f"the WSDL has several services ({', '.join(services)}): name one")
        service = next(iter(services))
    if service not in services:
        raise PlanError(f"no service {service}; the WSDL has {', '.join(services)}")
    ports = services[service].ports
    soap_ports = {n: p for n, p in ports.items() if type(p.binding).__name__ in SOAP_BINDINGS}
    if port is None:
        if len(soap_ports) != 1:
            raise PlanError(f"service {service} has several SOAP ports ({', '.join(soap_ports)}): name one")
        port = next(iter(soap_ports))
    if port not in soap_ports:
        raise PlanError(f"service {service} has no SOAP port {port}; it has {', '.join(soap_ports) or 'none'}")
    p = soap_ports[port]
    return p.binding, port, service, (p.binding_options or {}).get("address", "")


def safe_name(name: str) -> str:
    """A Genesys-safe field name (letters, digits, ``_`` and ``-``, starting with a letter)."""
    cleaned = _NAME_OK.sub("_", name)
    return cleaned if cleaned[:1].isalpha() else "f" + cleaned


# -- 1. walking zeep's type model ----------------------------------------------------------------


class Walker:
    """Turns zeep elements and types into plan trees (the same walk for requests, responses, headers)."""

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
        if not isinstance(xsd_type, ComplexType):
            return self._leaf(xsd_type, tag, element.name, required, element=element, repeated=repeated, choice=choice)
        type_name = getattr(xsd_type, "qname", None)
        marker = type_name.text if type_name is not None else f"anon:{id(xsd_type)}"
        if marker in path or len(path) >= MAX_DEPTH:
            return None  # recursive or very deep types are cut (documented)
        node = Node(tag=tag, key=element.name, required=required, repeated=repeated, choice=choice)
        node.children = self._content(xsd_type, path + (marker,))
        return node

    def _leaf(self, xsd_type: Any, tag: str, key: str, required: bool, *, element: Any = None, **flags: Any) -> Leaf:
        codec = codec_for(xsd_type, decimal_strings=self.decimal_strings)
        enum = self._enum(xsd_type, element) if codec.enumerable else None
        return Leaf(tag=tag, key=key, codec=codec, required=required, enum=enum, **flags)

    def _content(self, xsd_type: Any, path: tuple[str, ...]) -> list[Leaf | Node]:
        from zeep.xsd.types.simple import AnySimpleType

        children: list[Leaf | Node] = []
        top: Any = getattr(xsd_type, "_element", None)
        if getattr(top, "name", "") == "_value_1" and isinstance(getattr(top, "type", None), AnySimpleType):
            top = top.type  # zeep models simpleContent as an element named _value_1
        if isinstance(top, AnySimpleType):  # simpleContent: the element's text plus attributes
            children.append(self._leaf(top, "", "value", True, content=True))
        elif top is not None:
            self._walk(top, children, required=True, repeated=False, choice=None, path=path)
        for name, attr in getattr(xsd_type, "attributes", []):
            if not name or getattr(attr, "type", None) is None or not hasattr(attr, "required"):
                continue
            tag = attr.qname.text if getattr(attr, "qname", None) is not None else name
            children.append(self._leaf(attr.type, tag, name, bool(attr.required), attribute=True))
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
            spec = self.element(
                indicator,
                required=required and indicator.min_occurs > 0 and not indicator.nillable,
                repeated=repeated or _many(indicator.max_occurs),
                choice=choice,
                path=path,
            )
            if spec is not None:
                out.append(spec)
            return
        min_occurs = getattr(indicator, "min_occurs", 1)
        many = repeated or _many(getattr(indicator, "max_occurs", 1))
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


def _many(max_occurs: Any) -> bool:
    return max_occurs == "unbounded" or (isinstance(max_occurs, int) and max_occurs > 1)


def _message_node(walker: Walker, message: Any, operation: str, which: str) -> Node | None:
    """The plan of a message's body element (document: the part's element; rpc: zeep's wrapper)."""
    body = getattr(message, "body", None)
    if body is None:
        return None
    spec = walker.element(body, required=True, repeated=False, choice=None, path=())
    if isinstance(spec, Leaf):
        raise PlanError(f"{operation}: the {which} body is a single simple element; not supported")
    if spec is None:
        raise PlanError(f"{operation}: the {which} body type is recursive at its root")
    return spec


def _header_blocks(walker: Walker, message: Any) -> list[Leaf | Node]:
    """The SOAP header blocks the binding declares for a message (``soap:header`` / ``soap12:header``)."""
    header = getattr(message, "header", None)
    if header is None:
        return []
    blocks = []
    for _, element in header.type.elements:
        spec = walker.element(element, required=element.min_occurs > 0 and not element.nillable, repeated=False, choice=None, path=())
        if spec is not None:
            blocks.append(spec)
    return blocks


# -- 2. shaping the inputs: body fields, SOAP headers ------------------------------------------


class _Found:
    """A leaf below a root, with what decides when it is written."""

    __slots__ = ("name", "path", "leaf", "anchors", "choice")

    def __init__(self, name: str, path: tuple[str, ...], leaf: Leaf, anchors: tuple[int, ...], choice: tuple[int, int] | None) -> None:
        self.name = name  # the derived flat name: parent_child_leaf
        self.path = path  # the keys down to it
        self.leaf = leaf
        self.anchors = anchors  # ids of its optional ancestors, outermost first (() = always written)
        self.choice = choice


def _collect(
    node: Node, name: str, path: tuple[str, ...], anchors: tuple[int, ...], choice: tuple[int, int] | None, out: list[_Found]
) -> None:
    for child in node.children:
        branch = child.choice or choice
        if isinstance(child, Leaf):
            out.append(_Found(name + child.key, path + (child.key,), child, anchors, branch))
        else:
            _collect(child, f"{name}{child.key}_", path + (child.key,), anchors if child.required else anchors + (id(child),), branch, out)


def _shape_inputs(
    plan: OperationPlan,
    walker: Walker,
    blocks: list[Leaf | Node],
    inputs: Sequence[str] | None,
    renames: Mapping[str, str],
    declared: Mapping[str, str],
) -> None:
    found: list[_Found] = []
    _collect(plan.request, "", (), (), None, found)
    for f in found:
        f.leaf.flat = f.name
    if inputs is not None:
        unknown = set(inputs) - {f.name for f in found}
        if unknown:
            raise PlanError(f"inputs: {', '.join(sorted(unknown))} not in the {plan.operation} request")
        kept = set(inputs)
        for f in found:
            if f.name not in kept and f.leaf.required and not f.anchors and f.choice is None:
                raise PlanError(f"inputs: {f.name} is required by the WSDL and must be kept")
        found = [f for f in found if f.name in kept]
        _prune(plan.request, {f.leaf.flat for f in found})
    header_inputs, secrets = _shape_headers(plan, blocks, declared)
    found += header_inputs
    unknown = set(renames) - {f.name for f in found}
    if unknown:
        raise PlanError(f"rename_inputs: {', '.join(sorted(unknown))} not among the inputs")
    # flats per node: writing decides by them, and a field's anchor is its optional ancestor's flats
    _collect_flats(plan.request)
    if plan.headers is not None:
        _collect_flats(plan.headers)
    node_flats = {id(n): n.flats for root in (plan.request, plan.headers) if root is not None for n in _nodes(root)}
    for f in found:
        public = safe_name(renames.get(f.name, f.name))
        if public in RESERVED_INPUT_NAMES:
            raise PlanError(f"input {public} is a name Genesys reserves: rename it with rename_inputs")
        if public in plan.fields:
            raise PlanError(f"two inputs are both named {public}: rename one with rename_inputs")
        anchor = node_flats[f.anchors[-1]] if f.anchors else None
        plan.fields[public] = Field(public, f.name, f.leaf, anchor, f.choice)
    plan.secret_headers = tuple(secrets)
    plan.secret_flats = frozenset(s.leaf.flat for s in secrets)
    for group, required in walker.choice_required.items():  # choice groups: branch -> flats under it
        branches: dict[int, set[str]] = {}
        group_anchor: frozenset[str] | None = None
        for fld in plan.fields.values():
            if fld.choice and fld.choice[0] == group:
                branches.setdefault(fld.choice[1], set()).add(fld.leaf.flat)
                group_anchor = fld.anchor
        if branches:
            plan.choice_groups[group] = (required, {b: frozenset(v) for b, v in branches.items()}, group_anchor)


def _shape_headers(plan: OperationPlan, blocks: list[Leaf | Node], declared: Mapping[str, str]) -> tuple[list[_Found], list[SecretHeader]]:
    """The header blocks the action sends, pruned to the declared values: (header inputs, secret-fed values).

    ``declared`` maps a dotted path (header element, then child keys) to ``"input"`` or
    ``"secret:<key>"``. A block is sent when one of its values is given; inside it, every value
    the WSDL requires must be declared (nothing half-written reaches the service).
    """
    every: list[_Found] = []
    for block in blocks:
        if isinstance(block, Leaf):
            every.append(_Found(block.key, (block.key,), block, (), None))
        else:  # the block itself is written whenever one of its values is given
            _collect(block, block.key + "_", (block.key,), (), None, every)
    by_path = {".".join(f.path): f for f in every}
    plan.available_headers = {path: f.leaf for path, f in by_path.items()}
    plan.required_headers = frozenset(path for path, f in by_path.items() if f.leaf.required and not f.anchors and f.choice is None)
    if not declared:
        return [], []
    unknown = sorted(set(declared) - set(by_path))
    if unknown:
        offered = ", ".join(by_path) if by_path else "none"
        raise PlanError(f"headers: {', '.join(unknown)} not among the {plan.operation} SOAP headers (it has: {offered})")
    chosen = [f for f in every if ".".join(f.path) in declared]
    under = {a for f in chosen for a in f.anchors}
    branches = {f.choice for f in chosen if f.choice is not None}
    touched = {f.path[0] for f in chosen}
    for f in every:
        if f in chosen or f.path[0] not in touched or not f.leaf.required:
            continue
        if (not f.anchors or f.anchors[-1] in under) and (f.choice is None or f.choice in branches):
            path = ".".join(f.path)
            raise PlanError(f"headers: {path} is required by the WSDL in the {f.path[0]} header: declare it as 'input' or 'secret:<key>'")
    inputs: list[_Found] = []
    secrets: list[SecretHeader] = []
    for f in chosen:
        path = ".".join(f.path)
        source = declared[path]
        f.leaf.flat = HEADER_FLAT + f.name
        if source == "input":
            inputs.append(f)
        elif source.startswith("secret:") and _SECRET_KEY.match(source[7:]):
            secrets.append(SecretHeader(path, source[7:], f.leaf))
        else:
            raise PlanError(f"headers: {path} must come from 'input' or 'secret:<key>' (a name under \"headers\" in the secret)")
    kept = {f.leaf.flat for f in chosen}
    sent: list[Leaf | Node] = []
    for block in blocks:
        if isinstance(block, Leaf):
            if block.flat in kept:
                sent.append(block)
        elif _prune(block, kept):
            block.required = False  # written when one of its values is given
            sent.append(block)
    plan.headers = Node(tag=f"{{{plan.envelope_ns}}}Header", key="Header", required=False, children=sent)
    return inputs, secrets


def _prune(node: Node, kept: set[str]) -> bool:
    keep: list[Leaf | Node] = []
    for child in node.children:
        if isinstance(child, Leaf):
            if child.flat in kept:
                keep.append(child)
        elif _prune(child, kept):
            keep.append(child)
    node.children = keep
    return bool(keep)


def _collect_flats(node: Node) -> frozenset[str]:
    flats: set[str] = set()
    for child in node.children:
        flats |= {child.flat} if isinstance(child, Leaf) else _collect_flats(child)
    node.flats = frozenset(flats)
    return node.flats


def _nodes(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        if isinstance(child, Node):
            out += _nodes(child)
    return out


def _namespaces(root: Node) -> dict[str, str]:
    """Prefixes for every namespace an element written under ``root`` uses, declared once on it."""
    seen: dict[str, str] = {}

    def walk(node: Node) -> None:
        for spec in [node, *node.children]:
            if spec.tag.startswith("{"):
                seen.setdefault(spec.tag[1:].split("}", 1)[0], f"ns{len(seen)}")
        for child in node.children:
            if isinstance(child, Node):
                walk(child)

    walk(root)
    return {prefix: ns for ns, prefix in seen.items()}


# -- 2. shaping the outputs ------------------------------------------------------------------------


def _mark_arrays(node: Node) -> None:
    """ArrayOfX wrappers (only content: one repeated element, no attributes) read as arrays."""
    for child in node.children:
        if isinstance(child, Node):
            _mark_arrays(child)
    only = node.children[0] if len(node.children) == 1 else None
    if only is not None and only.repeated and not (isinstance(only, Leaf) and (only.attribute or only.content)) and not node.repeated:
        node.unwrap = True


def _find_path(node: Node, path: Sequence[str], what: str) -> tuple[str, ...]:
    current: Node | Leaf = node
    for part in path:
        if not isinstance(current, Node):
            raise PlanError(f"{what}: {'.'.join(path)} goes through a simple element")
        nxt = next((c for c in current.children if c.key == part), None)
        if nxt is None:
            raise PlanError(f"{what}: no element {part} in {'.'.join(path)}; available: {', '.join(c.key for c in current.children)}")
        current = nxt
    if not isinstance(current, Node) or current.repeated:
        raise PlanError(f"{what}: {'.'.join(path)} must be a single complex element")
    return tuple(path)


def _shape_outputs(plan: OperationPlan, outputs: Sequence[str] | None, renames: Mapping[str, str]) -> None:
    root = plan.output_node()
    assert root is not None
    if outputs is not None:
        keep = [tuple(o.split(".")) for o in outputs]
        for path in keep:
            _find_any(root, path, "outputs")

        def prune(node: Node, prefix: tuple[str, ...]) -> None:
            if node.unwrap:  # paths go through an ArrayOfX wrapper to its items
                if isinstance(node.children[0], Node):
                    prune(node.children[0], prefix)
                return
            kept = []
            for child in node.children:
                here = prefix + (child.key,)
                if any(here == p[: len(here)] for p in keep) or any(p == here[: len(p)] for p in keep):
                    kept.append(child)
                    if isinstance(child, Node) and not any(p == here[: len(p)] for p in keep):
                        prune(child, here)
            node.children = kept

        prune(root, ())
    for dotted, new in renames.items():
        _find_any(root, tuple(dotted.split(".")), "rename_outputs").key = safe_name(new)
    _check_names(root)


def _find_any(node: Node, path: tuple[str, ...], what: str) -> Leaf | Node:
    current: Leaf | Node = node
    for part in path:
        inner = current.children[0] if isinstance(current, Node) and current.unwrap else current
        nxt = next((c for c in inner.children if c.key == part), None) if isinstance(inner, Node) else None
        if nxt is None:
            raise PlanError(f"{what}: {'.'.join(path)} is not in the response")
        current = nxt
    return current


def _check_names(node: Node) -> None:
    seen: set[str] = set()
    for child in node.children:
        child.key = safe_name(child.key)
        if child.key in seen:
            raise PlanError(f"two outputs in {node.key} are both named {child.key}: rename one with rename_outputs")
        seen.add(child.key)
        if isinstance(child, Node):
            _check_names(child)


def _index(node: Node) -> None:
    """The lookups reading a response uses: children by tag, attributes, text, what must be there."""
    node.by_tag = {c.tag: c for c in node.children if not (isinstance(c, Leaf) and (c.attribute or c.content))}
    node.attrs = [c for c in node.children if isinstance(c, Leaf) and c.attribute]
    node.content = next((c for c in node.children if isinstance(c, Leaf) and c.content), None)
    node.required_keys = tuple(c.key for c in node.children if c.required and not c.repeated and not _is_array(c))
    node.array_keys = tuple(c.key for c in node.children if c.repeated or _is_array(c))
    for c in node.children:
        if isinstance(c, Node):
            _index(c)


def _is_array(spec: Leaf | Node) -> bool:
    return isinstance(spec, Node) and spec.unwrap
