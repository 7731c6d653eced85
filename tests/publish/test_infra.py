"""``-c genesysPublish=true``: the custom resource in the core stack, synthesised with cdk-nag on
(an unacknowledged finding fails the synth), scanned by checkov, its role limited to its own log
group, queue and secret; and the options that turn it on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from definitions.naming import function_name
from functions import all_actions
from infra.acknowledgements import ACKNOWLEDGED
from infra.options import OptionsError
from tests.infra.conftest import Synth, checkov, options, scan, synth  # noqa: F401 (checkov: the session fixture)

SECRET = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:gda/genesys-publisher-AbC123"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    return synth(
        tmp_path_factory.mktemp("cdk-publish"),
        backends="payments,genesys,conversion",
        genesysPublish="true",
        genesysPublishSecretArn=SECRET,
    )


def _core(s: Synth) -> dict:
    [core] = [t for name, t in s.templates.items() if name.endswith("Core")]
    return core["Resources"]


def test_custom_resource_and_its_function(published: Synth) -> None:
    res = _core(published)
    [custom] = [r for r in res.values() if r["Type"] == "Custom::GenesysDataActions"]
    props = custom["Properties"]
    assert props["IntegrationName"] == "gda data actions (AWS Lambda)" and props["IntegrationType"] == "aws-lambda-data-actions"
    assert props["Actions"] == sum(a.backend.kind in ("payments", "genesys", "conversion") for a in all_actions().values())
    assert "Fn::GetAtt" in props["RoleArn"] and len(props["DefinitionsDigest"]) == 16
    [fn] = [
        r
        for r in res.values()
        if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == function_name("gda", "genesys-publisher")
    ]
    p = fn["Properties"]
    assert p["Handler"] == "functions.publisher.handler.handler" and p["ReservedConcurrentExecutions"] == 1
    assert p["Environment"]["Variables"] == {"GDA_PUBLISH_SECRET_ID": SECRET}
    assert "DeadLetterConfig" in p and p["Runtime"] == "python3.14"
    [invoke_config] = [r for r in res.values() if r["Type"] == "AWS::Lambda::EventInvokeConfig"]
    assert invoke_config["Properties"]["MaximumRetryAttempts"] == 0
    assert custom["Properties"]["ServiceToken"] == {"Fn::GetAtt": [next(k for k, v in res.items() if v is fn), "Arn"]}
    [queue] = [r for r in res.values() if r["Type"] == "AWS::SQS::Queue"]
    assert queue["Properties"]["KmsMasterKeyId"] == "alias/aws/sqs"


def test_publisher_role_reads_only_its_secret(published: Synth) -> None:
    res = _core(published)
    [fn_id] = [
        k for k, r in res.items() if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == "gda-genesys-publisher"
    ]
    role_ref = res[fn_id]["Properties"]["Role"]["Fn::GetAtt"][0]
    statements = [
        s
        for r in res.values()
        if r["Type"] == "AWS::IAM::Policy" and {"Ref": role_ref} in r["Properties"]["Roles"]
        for s in r["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = sorted(a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))
    assert actions == sorted(["logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "sqs:SendMessage"])
    [secret] = [s for s in statements if s["Action"] == "secretsmanager:GetSecretValue"]
    assert secret["Resource"] == SECRET
    assert not [r for r in res.values() if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("ManagedPolicyArns") and {"Ref": role_ref}]


def test_the_asset_carries_the_definitions(published: Synth) -> None:
    res = _core(published)
    [fn] = [
        r for r in res.values() if r["Type"] == "AWS::Lambda::Function" and r["Properties"].get("FunctionName") == "gda-genesys-publisher"
    ]
    key = fn["Properties"]["Code"]["S3Key"]
    asset = f"asset.{key.split('.')[0] if isinstance(key, str) else key['Fn::Sub'].split('.')[0]}"
    bundle = json.loads((published.outdir / asset / "functions" / "publisher" / "bundle.json").read_text())
    assert bundle["integration"]["credentialFields"] == {"ARN": "{roleArn}"}
    urls = {a["config"]["request"]["requestUrlTemplate"] for a in bundle["actions"]}
    assert "arn:{partition}:lambda:{region}:{account}:function:gda-get-user-presence:live" in urls
    assert (published.outdir / asset / "functions" / "publisher" / "handler.py").exists()
    assert not (published.outdir / asset / "functions" / "payments").exists()  # the publisher only


def test_no_publisher_without_the_option(tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments")
    assert "Custom::GenesysDataActions" not in json.dumps(s.templates)


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"genesysPublish": "true"}, "genesysPublish: needs genesysPublishSecretArn"),
        ({"genesysPublishSecretArn": SECRET}, "genesysPublishSecretArn: is used only with -c genesysPublish=true"),
        ({"genesysPublish": "true", "genesysPublishSecretArn": "gda/genesys"}, "genesysPublishSecretArn: must be the complete ARN"),
        ({"genesysPublish": "maybe"}, "genesysPublish: Input should be a valid boolean"),
    ],
)
def test_options(context: dict[str, str], message: str) -> None:
    with pytest.raises(OptionsError) as caught:
        options(genesysOrgId="6f4b5a8e-1d2c-4e3f-9a8b-7c6d5e4f3a2b", **context)
    assert any(line.startswith(message) for line in caught.value.problems), caught.value.problems


def test_the_publisher_counts_against_the_concurrency_quota() -> None:
    base = {"genesysOrgId": "6f4b5a8e-1d2c-4e3f-9a8b-7c6d5e4f3a2b", "backends": "payments", "concurrencyQuota": "110"}
    assert options(**base).genesys_publish is False  # 10 reserved of 10 reservable
    with pytest.raises(OptionsError, match="reserves 11 concurrent executions"):
        options(**base, genesysPublish="true", genesysPublishSecretArn=SECRET)


@pytest.mark.slow
def test_checkov_clean_with_the_publisher(checkov: Path, published: Synth) -> None:  # noqa: F811
    report = scan(checkov, published)
    assert report.findings() == [], report.findings()
    reasons = {a.check: a.reason for a in ACKNOWLEDGED}
    for skipped in report.skipped:
        assert skipped["check_result"]["suppress_comment"] == reasons[skipped["check_id"]]
    publisher = [s for s in report.skipped if "GenesysPublish" in s["resource"]]
    assert "CKV_AWS_116" not in {s["check_id"] for s in publisher}  # it has a dead-letter queue: fixed, not acknowledged
