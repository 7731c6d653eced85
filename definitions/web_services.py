"""The Genesys web services integration (``custom-rest-actions``): the same actions, calling the API routes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from definitions.contracts import input_schema, output_schema
from definitions.lambda_integration import definition

if TYPE_CHECKING:
    from dataactions.declaration import Action

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
