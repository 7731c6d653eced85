"""CX as Code: the bundle as Terraform for the Genesys Cloud provider (``mypurecloud/genesyscloud``).

``./dev export --format terraform`` writes one directory:

* ``versions.tf``: the provider requirement (the provider reads ``GENESYSCLOUD_OAUTHCLIENT_ID``,
  ``GENESYSCLOUD_OAUTHCLIENT_SECRET`` and ``GENESYSCLOUD_REGION``);
* ``variables.tf``: the deployment's values as inputs: the integration role ARN and a map of
  function alias ARNs (AWS Lambda), or the API base URL and the credential (web services; its
  secret variables are ``sensitive``);
* ``integration.tf``: ``genesyscloud_integration_credential`` and ``genesyscloud_integration``;
* ``actions_<backend>.tf``: one ``genesyscloud_integration_action`` per action and configuration,
  with the contracts as ``jsonencode({...})`` of the derived JSON Schema;
* ``terraform.tfvars.json``: the values known from the stack outputs (never a secret).

Genesys' templates use ``${...}`` themselves, so every string literal escapes Terraform's template
sequences (``$${``, ``%%{``). The same derivation as the JSON export and ``./dev genesys publish``
(``definitions.genesys_api``), written out by a small HCL emitter aligned the way ``terraform fmt``
aligns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from definitions.genesys_api import (
    INTEGRATION_TYPES,
    LAMBDA_CREDENTIAL,
    WEB_SERVICES_CREDENTIAL_TYPES,
    WEB_SERVICES_SLOT,
    action_spec,
    integration_name,
)
from definitions.lambda_integration import definition
from definitions.naming import display_name, route_path
from definitions.web_services import web_services_definition

if TYPE_CHECKING:
    from dataactions.declaration import Action

PROVIDER_SOURCE = "mypurecloud/genesyscloud"
PROVIDER_VERSION = "~> 1.84"
INTEGRATION_LABEL = "data_actions"
CREDENTIAL_LABEL = "data_actions"
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@dataclass(frozen=True)
class Raw:
    """An HCL expression written as it is (a reference, a function call)."""

    text: str


def string(value: str) -> str:
    """An HCL quoted string whose value is exactly ``value`` (Terraform's template sequences escaped)."""
    out = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return '"' + out.replace("${", "$${").replace("%{", "%%{") + '"'


def _key(name: str) -> str:
    return name if _IDENT.match(name) else string(name)


def expression(value: Any, indent: int = 0) -> str:
    """A Python value (JSON-like) as an HCL expression; objects and lists of objects span lines."""
    pad = "  " * indent
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return string(value)
    if isinstance(value, list):
        items = [expression(v, indent + 1) for v in value]
        if all("\n" not in i for i in items) and sum(len(i) + 2 for i in items) < 100:
            return "[" + ", ".join(items) + "]"
        return "[\n" + "".join(f"{pad}  {i},\n" for i in items) + f"{pad}]"
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{\n" + "".join(_aligned([(_key(k), expression(v, indent + 1)) for k, v in value.items()], indent + 1)) + f"{pad}}}"
    raise TypeError(f"no HCL form for {type(value).__name__}")


def _aligned(pairs: list[tuple[str, str]], indent: int) -> list[str]:
    """``name = value`` lines, the '=' of consecutive one-line attributes aligned (terraform fmt)."""
    pad = "  " * indent
    lines: list[str] = []
    group: list[tuple[str, str]] = []

    def flush() -> None:
        width = max((len(n) for n, _ in group), default=0)
        lines.extend(f"{pad}{n.ljust(width)} = {v}\n" for n, v in group)
        group.clear()

    for name, value in pairs:
        if "\n" in value:
            flush()
            lines.append(f"{pad}{name} = {value}\n")
        else:
            group.append((name, value))
    flush()
    return lines


@dataclass
class Block:
    """``type "label" ... { attributes; nested blocks }``."""

    type: str
    labels: tuple[str, ...]
    attributes: list[tuple[str, Any]]
    blocks: list[Block]

    def render(self, indent: int = 0) -> str:
        pad = "  " * indent
        head = " ".join([self.type, *(string(label) for label in self.labels)])
        body = _aligned([(name, expression(value, indent + 1)) for name, value in self.attributes], indent + 1)
        nested = [b.render(indent + 1) for b in self.blocks]
        inner = "".join(body) + ("\n" if body and nested else "") + "\n".join(nested)
        return f"{pad}{head} {{\n{inner}{pad}}}\n"


def render(blocks: list[Block]) -> str:
    return "\n".join(b.render() for b in blocks)


def label(key: str) -> str:
    """A Terraform resource name for an action key (``emea/get-user-presence`` -> ``emea_get_user_presence``)."""
    return re.sub(r"[^a-z0-9_]", "_", key.lower())


def _jsonencode(value: Any) -> Raw:
    return Raw(f"jsonencode({expression(value, 1)})")


def _action_block(act: Action, config: str, defn: dict[str, Any], url: Raw) -> Block:
    spec = action_spec(act, config, defn)
    request = dict(spec.config["request"])
    response = spec.config["response"]
    return Block(
        "resource",
        ("genesyscloud_integration_action", label(spec.key)),
        [
            ("name", spec.name),
            ("category", spec.category),
            ("integration_id", Raw(f"genesyscloud_integration.{INTEGRATION_LABEL}.id")),
            ("secure", spec.secure),
            ("config_timeout_seconds", spec.config["timeoutSeconds"]),
            ("contract_input", _jsonencode(spec.contract["input"]["inputSchema"])),
            ("contract_output", _jsonencode(spec.contract["output"]["successSchema"])),
        ],
        [
            Block(
                "config_request",
                (),
                [
                    ("request_url_template", url),
                    ("request_type", request["requestType"]),
                    ("request_template", request["requestTemplate"]),
                    ("headers", request.get("headers") or {}),
                ],
                [],
            ),
            Block(
                "config_response",
                (),
                [
                    ("translation_map", response.get("translationMap") or {}),
                    ("translation_map_defaults", response.get("translationMapDefaults") or {}),
                    ("success_template", response.get("successTemplate") or ""),
                ],
                [],
            ),
        ],
    )


def _variable(name: str, type_: str, description: str, sensitive: bool = False) -> Block:
    attrs: list[tuple[str, Any]] = [("type", Raw(type_)), ("description", description)]
    if sensitive:
        attrs.append(("sensitive", True))
    return Block("variable", (name,), attrs, [])


def files(
    pairs: list[tuple[Action, str]],
    *,
    prefix: str,
    integration: str = "lambda",
    credential: str = "apikey",
    response: str = "full",
    name: str | None = None,
) -> dict[str, str]:
    """File name -> content of the Terraform configuration for these (action, configuration) pairs."""
    versions = Block(
        "terraform",
        (),
        [],
        [Block("required_providers", (), [("genesyscloud", {"source": PROVIDER_SOURCE, "version": PROVIDER_VERSION})], [])],
    )
    provider = Block("provider", ("genesyscloud",), [], [])
    out = {
        "versions.tf": "# The provider reads GENESYSCLOUD_OAUTHCLIENT_ID, GENESYSCLOUD_OAUTHCLIENT_SECRET and GENESYSCLOUD_REGION.\n"
        + render([versions, provider])
    }
    title = name or integration_name(prefix, integration)
    notes = f"Written by ./dev export --format terraform ({prefix})"
    if integration == "lambda":
        variables = [
            _variable("integration_role_arn", "string", "The IntegrationRoleArn output: the role Genesys assumes to invoke the functions"),
            _variable(
                "function_arns", "map(string)", "Each function's live alias ARN by action (configuration/action for named configurations)"
            ),
        ]
        slot, ctype = LAMBDA_CREDENTIAL
        fields: dict[str, Any] = {"ARN": Raw("var.integration_role_arn")}
    else:
        variables = [_variable("api_base_url", "string", "The ApiUrl output: the web services API's base URL, without a trailing slash")]
        slot, ctype = WEB_SERVICES_SLOT, WEB_SERVICES_CREDENTIAL_TYPES[credential]
        if credential == "apikey":
            variables.append(
                _variable("api_key", "string", "The API key's value (ApiKeyId output: aws apigateway get-api-key --include-value)", True)
            )
            fields = {"apiKey": Raw("var.api_key")}
        else:
            variables += [
                _variable("basic_auth_username", "string", "Username of the secret <prefix>/webservices/basic"),
                _variable("basic_auth_password", "string", "Password of the secret <prefix>/webservices/basic", True),
            ]
            fields = {"userName": Raw("var.basic_auth_username"), "password": Raw("var.basic_auth_password")}
    out["variables.tf"] = render(variables)
    credential_block = Block(
        "resource",
        ("genesyscloud_integration_credential", CREDENTIAL_LABEL),
        [("name", f"{title} credential"), ("credential_type_name", ctype), ("fields", fields)],
        [],
    )
    integration_block = Block(
        "resource",
        ("genesyscloud_integration", INTEGRATION_LABEL),
        [("intended_state", "ENABLED"), ("integration_type", INTEGRATION_TYPES[integration])],
        [
            Block(
                "config",
                (),
                [
                    ("name", title),
                    ("notes", notes),
                    ("properties", _jsonencode({})),
                    ("advanced", _jsonencode({})),
                    ("credentials", {slot: Raw(f"genesyscloud_integration_credential.{CREDENTIAL_LABEL}.id")}),
                ],
                [],
            )
        ],
    )
    out["integration.tf"] = render([credential_block, integration_block])
    by_family: dict[str, list[Block]] = {}
    for act, config in pairs:
        key = route_path(act.id, config)
        shown = display_name(act.name, config)
        if integration == "lambda":
            url = Raw(f"var.function_arns[{string(key)}]")
            defn = definition(act, "arn:aws:lambda:region:account:function:placeholder", shown)
        else:
            url = Raw('"${var.api_base_url}/' + key + '"')
            defn = web_services_definition(act, f"https://api.invalid/{key}", credential, shown, response)
        by_family.setdefault(act.backend.kind, []).append(_action_block(act, config, defn, url))
    for family, blocks in by_family.items():
        out[f"actions_{family}.tf"] = render(blocks)
    return out


def tfvars(values: dict[str, Any]) -> str:
    """``terraform.tfvars.json``: the non-secret inputs known from the deployment."""
    return json.dumps(values, indent=2, sort_keys=True) + "\n"
