"""One WSDL operation as a Genesys action: its contracts, its request writer and its response reader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from dataactions.declaration import RESERVED_INPUT_NAMES
from soapbridge.plan import Compiler, Leaf, Mismatch, Node, PlanError, mark_arrays, safe_name, to_text
from soapbridge.wsdl import WsdlError, load

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


@dataclass(eq=False)
class Field:
    """One flat input field."""

    name: str  # the Genesys name
    original: str  # the derived a_b_c name before any rename
    leaf: Leaf
    anchor: frozenset[str] | None  # flats of the nearest optional ancestor (None: the body root)
    choice: tuple[int, int] | None


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
    request: Node  # the body's child element
    response: Node | None
    fields: dict[str, Field] = field(default_factory=dict)
    choice_groups: dict[int, tuple[bool, dict[int, frozenset[str]], frozenset[str] | None]] = field(default_factory=dict)
    output_root: tuple[str, ...] = ()
    not_found: tuple[str, ...] = ()
    namespaces: dict[str, str] = field(default_factory=dict)

    @property
    def envelope_ns(self) -> str:
        return SOAP12 if self.soap_version == "1.2" else SOAP11

    # -- contracts ---------------------------------------------------------------------------

    def input_schema(self) -> dict[str, Any]:
        props = {}
        required = []
        for name, f in self.fields.items():
            props[name] = f.leaf.schema(output=False)
            if f.leaf.required and f.anchor is None and f.choice is None:
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": True}
        if required:  # draft-04: a present "required" must not be empty
            schema["required"] = required
        return schema

    def output_schema(self) -> dict[str, Any]:
        if self.response is None:
            schema: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": True}
        else:
            schema = self._root_node().schema(output=True)
            if schema.get("type") != "object":
                schema = {"type": "object", "properties": {"items": schema}, "required": ["items"], "additionalProperties": True}
            if not schema.get("required"):
                schema.pop("required", None)
        if self.not_found:
            schema = {
                **schema,
                "properties": {
                    "found": {"type": "boolean", "description": "False when the service answered with a not-found fault"},
                    **schema["properties"],
                },
            }
            schema["required"] = ["found"]  # a not-found answer carries nothing else
        return schema

    def _root_node(self) -> Node:
        node = self.response
        for key in self.output_root:
            node = next(c for c in node.children if c.key == key)  # checked at compile time
        return node

    # -- JSON -> request ---------------------------------------------------------------------

    def validate(self, payload: Mapping[str, Any]) -> dict[str, str]:
        """Flat input -> {original flat name: XML text}; raises ValueError listing (field, reason)."""
        values: dict[str, str] = {}
        problems: list[str] = []
        bad: set[str] = set()
        fields = self.fields
        for name, value in payload.items():
            f = fields.get(name)
            if f is None or value is None:
                continue  # extra inputs (Genesys sends what the flow maps) are ignored
            if value == "" and not (f.leaf.required and f.anchor is None and f.choice is None):
                continue  # a flow passes "" for an empty variable: an optional field left out
            try:
                values[f.original] = to_text(f.leaf, value)
            except ValueError as exc:
                problems.append(f"{name}: {exc}")
                bad.add(name)
        given = values.keys()
        for name, f in fields.items():
            if f.original in given or name in bad or not f.leaf.required or f.choice is not None:
                continue
            if f.anchor is None or not f.anchor.isdisjoint(given):
                problems.append(
                    f"{name}: required" if f.anchor is None else f"{name}: required with the other {name.rsplit('_', 1)[0]}_* fields"
                )
        for group, (required, branches, anchor) in self.choice_groups.items():
            chosen = [b for b, flats in branches.items() if not flats.isdisjoint(given)]
            names = " or ".join(sorted({self._display(next(iter(sorted(flats)))) for flats in branches.values()}))
            if len(chosen) > 1:
                problems.append(f"give only one of {names}")
            elif not chosen and required and (anchor is None or not anchor.isdisjoint(given)):
                problems.append(f"give one of {names}")
            elif chosen:  # required fields inside the chosen branch
                for f in fields.values():
                    if (
                        f.choice == (group, chosen[0])
                        and f.leaf.required
                        and f.original not in given
                        and (f.anchor is None or not f.anchor.isdisjoint(given))
                    ):
                        problems.append(f"{f.name}: required")
        if problems:
            raise ValueError("; ".join(problems[:6]))
        return values

    def _display(self, original: str) -> str:
        for name, f in self.fields.items():
            if f.original == original:
                return name
        return original

    def body(self, values: Mapping[str, str]) -> Any:
        """The request's body element, written with lxml from the plan."""
        root = etree.Element(self.request.tag, nsmap=self.namespaces or None)
        _emit(root, self.request, values, etree.SubElement)
        return root

    # -- response -> JSON --------------------------------------------------------------------

    def read(self, body_child: Any) -> dict[str, Any]:
        if self.response is None:
            return {}
        if body_child.tag != self.response.tag:
            raise Mismatch(f"expected {_local(self.response.tag)} in the body, got {_local(body_child.tag)}")
        data = self.response.read(body_child)
        for key in self.output_root:
            if key not in data:
                raise Mismatch(f"{key} is missing")
            data = data[key]
        if not isinstance(data, dict):
            data = {"items": data}
        if self.not_found:
            data = {"found": True, **data}
        return data


def _emit(parent: Any, node: Node, values: Mapping[str, str], sub: Any) -> None:
    for child in node.children:
        if isinstance(child, Leaf):
            text = values.get(child.flat)
            if text is None:
                continue
            if child.attribute:
                parent.set(child.tag, text)
            elif child.content:
                parent.text = text
            else:
                sub(parent, child.tag).text = text
        elif child.required or not child.flats.isdisjoint(values.keys()):  # required wrappers even when empty
            _emit(sub(parent, child.tag), child, values, sub)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


# -- compiling --------------------------------------------------------------------------------


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
) -> OperationPlan:
    """Compile one operation of a bundled WSDL (PlanError/WsdlError explain what to fix)."""
    if decimals not in ("number", "string"):
        raise PlanError("decimals must be 'number' or 'string'")
    document, enums = load(wsdl)
    binding, port_name, service_name, address = _find_port(document, service, port)
    operations = binding._operations
    if operation not in operations:
        raise PlanError(f"port {port_name} has no operation {operation}; it has {', '.join(sorted(operations))}")
    op = operations[operation]
    version = "1.2" if type(binding).__name__ == "Soap12Binding" else "1.1"
    compiler = Compiler(enums, decimal_strings=decimals == "string")
    request = _message_node(compiler, op.input, operation, "input")
    if request is None:
        raise PlanError(f"{operation}: the input message has no body element")
    response = _message_node(compiler, op.output, operation, "output") if op.output is not None else None
    plan = OperationPlan(
        wsdl=wsdl,
        service=service_name,
        port=port_name,
        operation=operation,
        soap_version=version,
        style=getattr(op, "style", None) or "document",
        soap_action=op.soapaction or "",
        address=address or "",
        request=request,
        response=response,
        not_found=tuple(not_found),
    )
    _flatten_inputs(plan, compiler, inputs, rename_inputs or {})
    if response is not None:
        mark_arrays(response)
        if response.unwrap:
            response.unwrap = False  # the body element itself stays an object
        if output_root:
            plan.output_root = _find_path(response, output_root.split("."), "output_root")
        _select_outputs(plan, outputs, rename_outputs or {})
        response.finish()
    plan.namespaces = _namespaces(request)
    return plan


def _find_port(document: Any, service: str | None, port: str | None) -> tuple[Any, str, str, str]:
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
    soap_ports = {n: p for n, p in ports.items() if type(p.binding).__name__ in ("Soap11Binding", "Soap12Binding")}
    if port is None:
        if len(soap_ports) != 1:
            raise PlanError(f"service {service} has several SOAP ports ({', '.join(soap_ports)}): name one")
        port = next(iter(soap_ports))
    if port not in soap_ports:
        raise PlanError(f"service {service} has no SOAP port {port}; it has {', '.join(soap_ports) or 'none'}")
    p = soap_ports[port]
    return p.binding, port, service, (p.binding_options or {}).get("address", "")


def _message_node(compiler: Compiler, message: Any, operation: str, which: str) -> Node | None:
    """The plan of a message's body element (document: the part's element; rpc: zeep's wrapper)."""
    body = getattr(message, "body", None)
    if body is None:
        return None
    spec = compiler.element(body, required=True, repeated=False, choice=None, path=())
    if isinstance(spec, Leaf):  # document/literal bare with a simple element: wrap so reading is uniform
        raise PlanError(f"{operation}: the {which} body is a single simple element; not supported")
    if spec is None:
        raise PlanError(f"{operation}: the {which} body type is recursive at its root")
    return spec


def _flatten_inputs(plan: OperationPlan, compiler: Compiler, inputs: Sequence[str] | None, renames: Mapping[str, str]) -> None:
    # (flat name, leaf, id of the nearest optional ancestor node or None, choice branch)
    found: list[tuple[str, Leaf, int | None, tuple[int, int] | None]] = []

    def walk(node: Node, prefix: str, anchor_id: int | None, choice: tuple[int, int] | None) -> None:
        for child in node.children:
            name = prefix + (child.key if not (isinstance(child, Leaf) and child.content) else "value")
            branch = child.choice or choice
            if isinstance(child, Leaf):
                found.append((name, child, anchor_id, branch))
                child.flat = name
            else:
                walk(child, name + "_", anchor_id if child.required else id(child), branch)

    walk(plan.request, "", None, None)
    if inputs is not None:
        unknown = set(inputs) - {n for n, *_ in found}
        if unknown:
            raise PlanError(f"inputs: {', '.join(sorted(unknown))} not in the {plan.operation} request")
        kept = set(inputs)
        for name, leaf, anchor_id, choice in found:
            if name not in kept and leaf.required and anchor_id is None and choice is None:
                raise PlanError(f"inputs: {name} is required by the WSDL and must be kept")
        found = [f for f in found if f[0] in kept]
        _prune(plan.request, kept)
    unknown = set(renames) - {n for n, *_ in found}
    if unknown:
        raise PlanError(f"rename_inputs: {', '.join(sorted(unknown))} not among the inputs")
    # flats per node: emission decides by them, and a field's anchor is its optional ancestor's flats
    _collect_flats(plan.request)
    node_flats = {id(n): n.flats for n in _nodes(plan.request)}
    for name, leaf, anchor_id, choice in found:
        public = safe_name(renames.get(name, name))
        if public in RESERVED_INPUT_NAMES:
            raise PlanError(f"input {public} is a name Genesys reserves: rename it with rename_inputs")
        if public in plan.fields:
            raise PlanError(f"two inputs are both named {public}: rename one with rename_inputs")
        plan.fields[public] = Field(public, name, leaf, node_flats.get(anchor_id) if anchor_id else None, choice)
    # choice groups: branch -> flats under it
    for group, required in compiler.choice_required.items():
        branches: dict[int, set[str]] = {}
        anchor: frozenset[str] | None = None
        for f in plan.fields.values():
            if f.choice and f.choice[0] == group:
                branches.setdefault(f.choice[1], set()).add(f.original)
                anchor = f.anchor
        if branches:
            plan.choice_groups[group] = (required, {b: frozenset(v) for b, v in branches.items()}, anchor)


def _prune(node: Node, kept: set[str]) -> bool:
    keep = []
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


def _select_outputs(plan: OperationPlan, outputs: Sequence[str] | None, renames: Mapping[str, str]) -> None:
    root = plan._root_node()
    if outputs is not None:
        keep = [tuple(o.split(".")) for o in outputs]
        for path in keep:
            _find_any(root, path, "outputs")

        def prune(node: Node, prefix: tuple[str, ...]) -> None:
            if node.unwrap:  # paths go through an ArrayOfX wrapper to its items
                prune(node.children[0], prefix) if isinstance(node.children[0], Node) else None
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
        spec = _find_any(root, tuple(dotted.split(".")), "rename_outputs")
        spec.key = safe_name(new)
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


def _namespaces(root: Node) -> dict[str, str]:
    """Prefixes for every namespace the request uses, declared once on the body element."""
    seen: dict[str, str] = {}

    def walk(node: Node) -> None:
        for spec in [node, *node.children]:
            tag = spec.tag
            if tag.startswith("{"):
                ns = tag[1:].split("}", 1)[0]
                seen.setdefault(ns, f"ns{len(seen)}")
        for child in node.children:
            if isinstance(child, Node):
                walk(child)

    walk(root)
    return {prefix: ns for ns, prefix in seen.items()}


__all__ = ["OperationPlan", "compile_operation", "Mismatch", "PlanError", "WsdlError", "SOAP11", "SOAP12"]
