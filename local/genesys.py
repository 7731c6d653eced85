"""Genesys data action definitions, derived from the action declarations.

``input_schema`` / ``output_schema`` turn pydantic models into Genesys contracts (JSON Schema
draft-04, no ``$ref``, flat primitive inputs); ``definition`` builds the import file;
``contract_problems`` checks a definition against the Genesys contract rules.
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


def definition(act: Action, function_arn: str, name: str | None = None) -> dict[str, Any]:
    """The AWS Lambda data action in Genesys' import format."""
    return {
        "name": name or act.name,
        "integrationType": "aws-lambda-data-actions",
        "actionType": "custom",
        "config": {
            "request": {
                "requestUrlTemplate": function_arn,
                "requestType": "POST",
                "headers": {},
                "requestTemplate": "${input.rawRequest}",
            },
            "response": {"translationMap": {}, "translationMapDefaults": {}, "successTemplate": "${rawResult}"},
            "timeoutSeconds": act.timeout_seconds,
        },
        "contract": {
            "input": {"inputSchema": input_schema(act)},
            "output": {"successSchema": output_schema(act)},
        },
        "secure": act.secure,
    }


WEB_SERVICES_CREDENTIALS = ("apikey", "basic")
RESPONSE_PATTERNS = ("full", "selected", "subset")
_DEFAULTS = {"string": '""', "integer": "0", "number": "0", "boolean": "false"}


def response_config(act: Action, pattern: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config.response, successSchema) for one of the source documents' response patterns:

    * ``full``: the whole response (``${rawResult}``); writes (POST that creates) use it too;
    * ``selected``: each primitive output through a translation map (JSONPath) with a default for
      when the path does not resolve, assembled by the success template;
    * ``subset``: the nested objects of the output only (for example contact and open case of the
      caller context); outputs without nested objects fall back to ``selected``.
    """
    schema = output_schema(act)
    props = schema["properties"]
    if pattern == "full":
        return {"translationMap": {}, "translationMapDefaults": {}, "successTemplate": "${rawResult}"}, schema
    nested = {n: p for n, p in props.items() if p.get("type") == "object"}
    if pattern == "subset" and nested:
        chosen = nested
        defaults: dict[str, str] = {}
    else:
        chosen = {n: p for n, p in props.items() if p.get("type") in _DEFAULTS}
        defaults = {n: _DEFAULTS[p["type"]] for n, p in chosen.items()}
    config = {
        "translationMap": {n: f"$.{n}" for n in chosen},
        "translationMapDefaults": defaults,
        "successTemplate": "{" + ", ".join(f'"{n}": ${{{n}}}' for n in chosen) + "}",
    }
    return config, {**schema, "properties": chosen, "required": list(chosen)}


def request_template(act: Action) -> str:
    """A Velocity JSON body from the input contract: strings through ``$esc.jsonString``, numbers
    and booleans as they are; optional fields only when the flow set them (``#if``)."""
    schema = input_schema(act)
    required = set(schema.get("required", []))

    def value(name: str, prop: dict[str, Any]) -> str:
        ref = f"$input.{name}"
        return f'"$esc.jsonString({ref})"' if prop.get("type") == "string" else f"${{input.{name}}}"

    props = schema["properties"]
    if not required:  # every input optional (one of a choice): a separator variable keeps the commas right
        body = '#set($sep = "")' + "".join(f'#if($input.{n})$sep"{n}": {value(n, p)}#set($sep = ", ")#end' for n, p in props.items())
        return "{" + body + "}"
    body = ", ".join(f'"{n}": {value(n, p)}' for n, p in props.items() if n in required)
    body += "".join(f'#if($input.{n}), "{n}": {value(n, p)}#end' for n, p in props.items() if n not in required)
    return "{" + body + "}"


def web_services_definition(act: Action, url: str, credential: str, name: str | None = None, response: str = "full") -> dict[str, Any]:
    """The same action for the Genesys web services integration (``custom-rest-actions``),
    calling the API Gateway route. ``apikey``: a User Defined credential field ``apiKey`` sent as
    ``x-api-key``; ``basic``: the Basic Auth credential type (Genesys adds the header)."""
    if credential not in WEB_SERVICES_CREDENTIALS:
        raise ValueError(f"credential must be one of {WEB_SERVICES_CREDENTIALS}")
    headers = {"Content-Type": "application/json", "Accept": "application/json", "Transfer-Encoding": "buffered"}
    if credential == "apikey":
        headers["x-api-key"] = "${credentials.apiKey}"
    defn = definition(act, url, name)
    defn["integrationType"] = "custom-rest-actions"
    defn["config"]["request"] = {
        "requestUrlTemplate": url,
        "requestType": "POST",
        "headers": headers,
        "requestTemplate": request_template(act),
    }
    defn["config"]["response"], defn["contract"]["output"]["successSchema"] = response_config(act, response)
    return defn


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
