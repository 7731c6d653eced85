"""Exported Genesys definitions obey the Genesys contract rules, and the checker catches breaches."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from definitions.contracts import contract_problems
from definitions.lambda_integration import definition
from functions import all_actions
from local.events import event_files
from local.export import export
from local.runner import invoke

ARN = "arn:aws:lambda:us-east-1:123456789012:function:gda-x:live"


@pytest.mark.parametrize("action_id", list(all_actions()))
def test_definition_is_importable(action_id: str) -> None:
    act = all_actions()[action_id]
    defn = definition(act, ARN)
    assert contract_problems(defn) == []
    assert defn["integrationType"] == "aws-lambda-data-actions" and defn["actionType"] == "custom"
    req = defn["config"]["request"]
    assert req == {"requestUrlTemplate": ARN, "requestType": "POST", "headers": {}, "requestTemplate": "${input.rawRequest}"}
    assert defn["config"]["response"]["successTemplate"] == "${rawResult}"
    assert defn["secure"] is act.secure and defn["config"]["timeoutSeconds"] == act.timeout_seconds
    for schema in (defn["contract"]["input"]["inputSchema"], defn["contract"]["output"]["successSchema"]):
        jsonschema.Draft4Validator.check_schema(schema)
        assert "$ref" not in json.dumps(schema) and "$defs" not in json.dumps(schema)


@pytest.mark.parametrize("action_id", list(all_actions()))
def test_real_outputs_and_valid_inputs_match_the_contracts(action_id: str, standins, configure) -> None:
    """What the function returns validates against successSchema; what it accepts against inputSchema."""
    defn = definition(all_actions()[action_id], ARN)
    out_validator = jsonschema.Draft4Validator(defn["contract"]["output"]["successSchema"])
    in_validator = jsonschema.Draft4Validator(defn["contract"]["input"]["inputSchema"])
    configure(action_id)
    checked = 0
    for ev in event_files(action_id):
        if ev.kind != "direct":
            continue
        inv = invoke(action_id, ev.load())
        if inv.ok:
            out_validator.validate(inv.output)
            in_validator.validate(ev.load())
            checked += 1
    assert checked


def test_payment_input_contract_is_flat_and_typed() -> None:
    schema = definition(all_actions()["validate-card-payment"], ARN)["contract"]["input"]["inputSchema"]
    props = schema["properties"]
    assert props["cardNumber"]["type"] == "string" and props["expiryMonth"]["type"] == "integer"
    assert props["amount"] == {
        "type": "number",
        "minimum": 0,
        "exclusiveMinimum": True,
        "maximum": 1000000,
        "description": props["amount"]["description"],
    }
    assert set(schema["required"]) == {"cardNumber", "expiryMonth", "expiryYear", "amount", "currency"}
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["contract"]["input"]["inputSchema"]["properties"].update(nested={"type": "object", "properties": {}}), "primitive"),
        (lambda d: d["contract"]["input"]["inputSchema"]["properties"].update(rawRequest={"type": "string"}), "reserved"),
        (lambda d: d["contract"]["input"]["inputSchema"]["properties"].update({"1bad": {"type": "string"}}), "must match"),
        (
            lambda d: d["contract"]["output"]["successSchema"]["properties"].update(
                grid={"type": "array", "items": {"type": "array", "items": {"type": "string"}}}
            ),
            "arrays of arrays",
        ),
        (lambda d: d["contract"]["output"]["successSchema"]["properties"].update(ref={"$ref": "#/x"}), "$ref"),
        (lambda d: d["contract"]["output"]["successSchema"]["properties"].update(c={"const": 1}), "draft-04"),
        (lambda d: d["config"].update(timeoutSeconds=61), "timeoutSeconds"),
    ],
)
def test_the_checker_catches_each_rule(mutate, expected: str) -> None:
    defn = copy.deepcopy(definition(all_actions()["validate-card-payment"], ARN))
    mutate(defn)
    assert any(expected in p for p in contract_problems(defn))


def test_export_from_account_region_and_from_stack_outputs(tmp_path: Path) -> None:
    written = export(out=tmp_path / "a", outputs=None, account="123456789012", region="eu-west-1", prefix="gda", configs=["payments:emea"])
    names = sorted(p.name for p in written)
    assert "gda-validate-card-payment.json" in names and "gda-emea-validate-card-payment.json" in names
    emea = json.loads((tmp_path / "a" / "gda-emea-validate-card-payment.json").read_text())
    assert emea["name"] == "Validate Card Payment (emea)"
    assert (
        emea["config"]["request"]["requestUrlTemplate"]
        == "arn:aws:lambda:eu-west-1:123456789012:function:gda-emea-validate-card-payment:live"
    )
    outputs = tmp_path / "outputs.json"
    outputs.write_text(
        json.dumps(
            {
                "Gda-Payments": {"BackendConfig": "payments:default", "ValidateCardPaymentDefaultAliasArn": ARN},
                "Gda-Core": {"IntegrationRoleArn": "x"},
            }
        )
    )
    [path] = export(out=tmp_path / "b", outputs=outputs, account=None, region=None, prefix="gda")
    assert json.loads(path.read_text())["config"]["request"]["requestUrlTemplate"] == ARN
