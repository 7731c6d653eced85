"""The Genesys contracts of a compiled plan, as JSON Schema (draft-04 compatible).

Read when definitions are exported and by ``./dev wsdl``; never on a call.
"""

from __future__ import annotations

from typing import Any

from soapbridge.plan import Leaf, Node, OperationPlan


def input_schema(plan: OperationPlan) -> dict[str, Any]:
    """The flat input contract: body fields, then SOAP header fields declared ``input``."""
    props = {name: leaf_schema(f.leaf, output=False) for name, f in plan.fields.items()}
    required = [name for name, f in plan.fields.items() if f.always_required]
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": True}
    if required:  # draft-04: a present "required" must not be empty
        schema["required"] = required
    return schema


def output_schema(plan: OperationPlan) -> dict[str, Any]:
    """The nested output contract (only elements the WSDL requires are ``required``)."""
    root = plan.output_node()
    if root is None:
        schema: dict[str, Any] = {"type": "object", "properties": {}, "additionalProperties": True}
    else:
        schema = node_schema(root, output=True)
        if schema.get("type") != "object":
            schema = {"type": "object", "properties": {"items": schema}, "required": ["items"], "additionalProperties": True}
        if not schema.get("required"):
            schema.pop("required", None)
    if plan.not_found:
        schema = {
            **schema,
            "properties": {
                "found": {"type": "boolean", "description": "False when the service answered with a not-found fault"},
                **schema["properties"],
            },
        }
        schema["required"] = ["found"]  # a not-found answer carries nothing else
    return schema


def leaf_schema(leaf: Leaf, *, output: bool) -> dict[str, Any]:
    node = dict(leaf.codec.schema)
    if leaf.enum and not output:
        node["enum"] = [int(v) for v in leaf.enum] if leaf.kind == "integer" else list(leaf.enum)
    if leaf.repeated and output:
        return {"type": "array", "items": node}
    return node


def node_schema(node: Node, *, output: bool) -> dict[str, Any]:
    if node.unwrap:
        item = _schema(node.children[0], output=True)
        schema = item if item.get("type") == "array" else {"type": "array", "items": item}
    else:
        schema = {"type": "object", "properties": {c.key: _schema(c, output=output) for c in node.children}, "additionalProperties": True}
        required = [c.key for c in node.children if c.required or c.repeated or (isinstance(c, Node) and c.unwrap)]
        if required:  # draft-04: a present "required" must not be empty
            schema["required"] = required
    if node.repeated and output and not node.unwrap:
        return {"type": "array", "items": schema}
    return schema


def _schema(spec: Leaf | Node, *, output: bool) -> dict[str, Any]:
    return leaf_schema(spec, output=output) if isinstance(spec, Leaf) else node_schema(spec, output=output)


def header_schema(plan: OperationPlan) -> dict[str, Any]:
    """Every SOAP header value the binding declares, by the dotted path ``headers=`` names it with."""
    props = {path: leaf_schema(leaf, output=False) for path, leaf in plan.available_headers.items()}
    schema: dict[str, Any] = {"type": "object", "properties": props}
    required = [path for path in plan.available_headers if path in plan.required_headers]
    if required:
        schema["required"] = required
    return schema
