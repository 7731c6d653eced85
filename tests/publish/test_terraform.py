"""``./dev export --format terraform``: every generated file parsed by a real HCL parser
(python-hcl2), checked against the provider's schema (resource types, required attributes, the
references between them), and every contract and template round-tripped: what Terraform would
send is exactly what the JSON export and ``./dev genesys publish`` send."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import hcl2
import pytest
from hcl2 import SerializationOptions

from definitions.genesys_api import action_spec
from definitions.lambda_integration import definition
from definitions.naming import display_name, route_path
from definitions.terraform import expression, label, string
from definitions.web_services import web_services_definition
from functions import all_actions
from local.genesys_publish import export_terraform
from tests.publish.test_cli import outputs_file

OPTIONS = SerializationOptions(strip_string_quotes=True, explicit_blocks=False, with_comments=False, preserve_heredocs=False)
# genesyscloud_integration_action's schema (provider docs): required attributes and blocks
ACTION_REQUIRED = {"name", "category", "integration_id", "contract_input", "contract_output"}
ACTION_KNOWN = ACTION_REQUIRED | {"secure", "config_timeout_seconds", "config_request", "config_response", "function_config"}
REQUEST_KNOWN = {"request_url_template", "request_type", "request_template", "headers"}
RESPONSE_KNOWN = {"translation_map", "translation_map_defaults", "success_template"}


def parse(path: Path) -> dict[str, Any]:
    return hcl2.loads(path.read_text(), serialization_options=OPTIONS)


def template(value: str) -> str:
    """A parsed HCL string literal's value as Terraform sees it (template escapes resolved); a
    literal must hold no interpolation or directive of its own."""
    assert not re.search(r"(?<![$])[$][{]|(?<![%])[%][{]", value), f"unescaped template sequence in {value[:60]!r}"
    return value.replace("$${", "${").replace("%%{", "%{")


def unescaped(value: Any) -> Any:
    if isinstance(value, str):
        return template(value)
    if isinstance(value, list):
        return [unescaped(v) for v in value]
    if isinstance(value, dict):
        return {template(k): unescaped(v) for k, v in value.items()}
    return value


def jsonencoded(expr: str) -> Any:
    """The value of ``${jsonencode(<object>)}``: the object expression parsed again by the HCL parser."""
    m = re.fullmatch(r"\$\{jsonencode\((.*)\)\}", expr, re.S)
    assert m, expr[:80]
    return unescaped(hcl2.loads(f"value = {m.group(1)}\n", serialization_options=OPTIONS)["value"])


def resources(parsed: list[dict[str, Any]], type_: str) -> dict[str, dict[str, Any]]:
    return {
        name: body
        for doc in parsed
        for block in doc.get("resource", [])
        for t, named in block.items()
        if t == type_
        for name, body in named.items()
    }


def one(block: Any) -> dict[str, Any]:
    return block[0] if isinstance(block, list) else block


@pytest.fixture(scope="module")
def lambda_export(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("tf-lambda")
    export_terraform(out=out, outputs=None, account="123456789012", region="eu-west-1", prefix="gda", configs=["payments:emea"])
    return out, {p.name: parse(p) for p in out.glob("*.tf")}


def test_every_file_parses_and_has_the_provider(lambda_export) -> None:
    out, parsed = lambda_export
    assert {"versions.tf", "variables.tf", "integration.tf"} <= set(parsed)
    [required] = one(parsed["versions.tf"]["terraform"])["required_providers"]
    assert required["genesyscloud"]["source"] == "mypurecloud/genesyscloud" and required["genesyscloud"]["version"].startswith("~> 1.")
    variables = {name for block in parsed["variables.tf"]["variable"] for name in block}
    assert variables == {"integration_role_arn", "function_arns"}
    values = json.loads((out / "terraform.tfvars.json").read_text())
    assert set(values) == variables and values["integration_role_arn"] == "arn:aws:iam::123456789012:role/gda-genesys-integration"


def test_integration_and_credential(lambda_export) -> None:
    _, parsed = lambda_export
    [cred] = resources([parsed["integration.tf"]], "genesyscloud_integration_credential").values()
    assert cred["credential_type_name"] == "amazonWebServicesARN" and cred["fields"] == {"ARN": "${var.integration_role_arn}"}
    [integration] = resources([parsed["integration.tf"]], "genesyscloud_integration").values()
    assert (integration["integration_type"], integration["intended_state"]) == ("aws-lambda-data-actions", "ENABLED")
    config = one(integration["config"])
    assert config["credentials"] == {"AmazonWebServicesARN": "${genesyscloud_integration_credential.data_actions.id}"}
    assert jsonencoded(config["properties"]) == {} and jsonencoded(config["advanced"]) == {}


def test_every_action_round_trips(lambda_export) -> None:
    out, parsed = lambda_export
    actions = resources(list(parsed.values()), "genesyscloud_integration_action")
    acts = all_actions()
    expected = [(a, "default") for a in acts.values()] + [(a, "emea") for a in acts.values() if a.backend.kind == "payments"]
    assert set(actions) == {label(route_path(a.id, c)) for a, c in expected}
    arns = json.loads((out / "terraform.tfvars.json").read_text())["function_arns"]
    for act, config in expected:
        key = route_path(act.id, config)
        body = actions[label(key)]
        assert ACTION_REQUIRED <= set(body) <= ACTION_KNOWN, key
        spec = action_spec(act, config, definition(act, arns[key], display_name(act.name, config)))
        assert (template(body["name"]), template(body["category"]), body["secure"]) == (spec.name, spec.category, spec.secure)
        assert body["integration_id"] == "${genesyscloud_integration.data_actions.id}"
        assert body["config_timeout_seconds"] == spec.config["timeoutSeconds"]
        assert jsonencoded(body["contract_input"]) == spec.contract["input"]["inputSchema"]
        assert jsonencoded(body["contract_output"]) == spec.contract["output"]["successSchema"]
        request, response = one(body["config_request"]), one(body["config_response"])
        assert set(request) <= REQUEST_KNOWN and "request_type" in request and set(response) <= RESPONSE_KNOWN
        assert request["request_url_template"] == f'${{var.function_arns["{key}"]}}'
        assert template(request["request_template"]) == spec.config["request"]["requestTemplate"] == "${input.rawRequest}"
        assert template(response["success_template"]) == spec.config["response"]["successTemplate"]
    assert len(arns) == len(expected)


def test_web_services_export(tmp_path: Path) -> None:
    out = tmp_path / "tf"
    export_terraform(
        out=out,
        outputs=outputs_file(tmp_path),
        account=None,
        region=None,
        prefix="gda",
        integration="webservices",
        credential="basic",
        response="selected",
    )
    parsed = {p.name: parse(p) for p in out.glob("*.tf")}
    variables = {name: body for block in parsed["variables.tf"]["variable"] for name, body in block.items()}
    assert (
        set(variables) == {"api_base_url", "basic_auth_username", "basic_auth_password"}
        and variables["basic_auth_password"]["sensitive"] is True
    )
    values = json.loads((out / "terraform.tfvars.json").read_text())
    assert values == {"api_base_url": "https://example.invalid/prod"}  # never a secret
    [cred] = resources([parsed["integration.tf"]], "genesyscloud_integration_credential").values()
    assert cred["credential_type_name"] == "basicAuth"
    actions = resources(list(parsed.values()), "genesyscloud_integration_action")
    act = all_actions()["number-to-words"]
    body = actions["number_to_words"]
    spec = action_spec(act, "default", web_services_definition(act, "https://x/number-to-words", "basic", act.name, "selected"))
    request = one(body["config_request"])
    assert request["request_url_template"] == "${var.api_base_url}/number-to-words"
    assert template(request["request_template"]) == spec.config["request"]["requestTemplate"]
    assert unescaped(request["headers"]) == spec.config["request"]["headers"]
    response = one(body["config_response"])
    assert unescaped(response["translation_map"]) == spec.config["response"]["translationMap"]
    assert unescaped(response["translation_map_defaults"]) == spec.config["response"]["translationMapDefaults"]
    assert jsonencoded(body["contract_output"]) == spec.contract["output"]["successSchema"]


@pytest.mark.parametrize("value", ["plain", 'a "quoted" \\ back', "${input.x} and %{ if }", "tab\tnew\nline", "ünïcode ✓"])
def test_strings_round_trip_through_the_parser(value: str) -> None:
    parsed = hcl2.loads(f"v = {string(value)}\n", serialization_options=OPTIONS)["v"]
    assert template(parsed) == value


def test_nested_values_round_trip() -> None:
    value = {"$schema": "x", "a-b": [1, 2.5, True, None], "o": {"k": ["s", {"d": "${x}"}]}, "empty": {}}
    assert unescaped(hcl2.loads(f"v = {expression(value)}\n", serialization_options=OPTIONS)["v"]) == value
