"""Genesys data action contracts, derived from the action declarations.

``input_schema`` / ``output_schema`` turn an action's contract models into Genesys contracts
(JSON Schema draft-04, no ``$ref``, flat primitive inputs); ``contract_problems`` checks a
definition against the Genesys contract rules before anything is written or published.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from dataactions.declaration import RESERVED_INPUT_NAMES

if TYPE_CHECKING:
    from pydantic import BaseModel

    from dataactions.declaration import Action

DRAFT4 = "http://json-schema.org/draft-04/schema#"
NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]*$")
RESERVED = RESERVED_INPUT_NAMES
PRIMITIVES = {"string", "integer", "number", "boolean", "null"}
DRAFT4_KEYWORDS = {
    "$schema",
    "id",
    "title",
    "description",
    "type",
    "properties",
    "required",
    "additionalProperties",
    "items",
    "enum",
    "default",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
}
MAX_DEPTH = 50


def _convert(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """One pydantic (2020-12) schema node as draft-04: refs inlined, Optional collapsed, const as enum."""
    if "$ref" in node:
        target = defs[node["$ref"].split("/")[-1]]
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _convert(merged, defs)
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        base = _convert(options[0], defs) if len(options) == 1 else {"type": "string"}
        extra = {k: v for k, v in node.items() if k not in ("anyOf", "default")}
        node = {**base, **extra}
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "const":
            out["enum"] = [value]
        elif key == "properties":
            out["properties"] = {name: _convert(sub, defs) for name, sub in value.items()}
        elif key == "items":
            out["items"] = _convert(value, defs)
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _convert(value, defs)
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        elif key in DRAFT4_KEYWORDS and key not in ("title", "default"):
            out[key] = value
    if "enum" in out and "type" not in out:
        out["type"] = "string"
    return out


def _schema(model: type[BaseModel], title: str, description: str) -> dict[str, Any]:
    raw = model.model_json_schema(by_alias=True, mode="validation")
    converted = _convert(raw, raw.get("$defs", {}))
    schema = {
        "$schema": DRAFT4,
        "title": title,
        "description": description,
        "type": "object",
        "required": converted.get("required", []),
        "properties": converted.get("properties", {}),
        "additionalProperties": True,
    }
    if not schema["required"]:  # draft-04: "required" must not be an empty list
        del schema["required"]
    return schema


def input_schema(act: Action) -> dict[str, Any]:
    return _schema(act.input_model, f"{act.name} input", act.description)


def output_schema(act: Action) -> dict[str, Any]:
    schema = _schema(act.output_model, f"{act.name} output", act.description)
    if not getattr(act.output_model, "sparse_output", False):
        schema["required"] = list(schema["properties"])  # every output field is always present
    return schema


def _walk(node: Any, path: str, depth: int, problems: list[str]) -> None:
    if depth > MAX_DEPTH:
        problems.append(f"{path}: deeper than {MAX_DEPTH} levels")
        return
    if isinstance(node, dict):
        for key in node:
            if key == "$ref":
                problems.append(f"{path}: $ref is not supported")
            elif key not in DRAFT4_KEYWORDS:
                problems.append(f"{path}: keyword {key!r} is not draft-04")
        if node.get("type") == "array":
            items = node.get("items") or {}
            if items.get("type") == "array":
                problems.append(f"{path}: arrays of arrays are not allowed")
        for name, sub in (node.get("properties") or {}).items():
            _walk(sub, f"{path}.{name}", depth + 1, problems)
        if isinstance(node.get("items"), dict):
            _walk(node["items"], f"{path}[]", depth + 1, problems)
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            if key in node and not isinstance(node[key], bool):
                problems.append(f"{path}: {key} must be a boolean in draft-04")


def contract_problems(defn: dict[str, Any]) -> list[str]:
    """Every way a definition breaks the Genesys contract rules (empty list: importable)."""
    problems: list[str] = []
    inp = defn["contract"]["input"]["inputSchema"]
    out = defn["contract"]["output"]["successSchema"]
    if inp.get("type") != "object":
        problems.append("input: top level must be an object")
    for name, prop in (inp.get("properties") or {}).items():
        if not NAME.match(name):
            problems.append(f"input.{name}: name must match {NAME.pattern}")
        if name in RESERVED:
            problems.append(f"input.{name}: reserved name")
        types = prop.get("type")
        types = types if isinstance(types, list) else [types]
        if not types or not set(types) <= PRIMITIVES:
            problems.append(f"input.{name}: must be a primitive (string, integer, number, boolean)")
    _walk(inp, "input", 1, problems)
    _walk(out, "output", 1, problems)
    for name in out.get("properties") or {}:
        if not NAME.match(name):
            problems.append(f"output.{name}: name must match {NAME.pattern}")
    timeout = defn["config"].get("timeoutSeconds")
    if not isinstance(timeout, int) or not 1 <= timeout <= 60:
        problems.append("config.timeoutSeconds must be 1..60")
    return problems
