"""The synthesised templates: what `cdk deploy` creates, checked as CloudFormation, cfn-lint and cdk-nag."""

from __future__ import annotations

import importlib
import json
import subprocess
from pathlib import Path

import pytest

from dataactions.entry import Handler
from definitions.naming import function_name
from functions import all_actions, all_backends
from infra.options import OptionsError
from tests.infra.conftest import ACCOUNT, ORG_ID, REGION, Synth, options, synth

ROOT = Path(__file__).resolve().parents[2]


def test_one_function_per_action_and_configuration(full: Synth) -> None:
    fns = full.resources("AWS::Lambda::Function")
    by_name = {res["Properties"]["FunctionName"]: res["Properties"] for _, res in fns.values()}
    expected = {function_name("gda", a, c) for a in all_actions() for c in ("default", "second")}
    assert set(by_name) == expected
    for name, props in by_name.items():
        module, _, attr = props["Handler"].rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), attr), Handler), f"{name}: handler does not resolve"
        assert props["Runtime"] == "python3.14" and props["Architectures"] == ["arm64"]
        assert len(props["Layers"]) >= 2  # our layer(s) + the Parameters and Secrets extension
        act = next(a for a in all_actions().values() if a.handler == props["Handler"])
        assert props["Timeout"] == act.lambda_timeout_seconds < act.timeout_seconds


def test_genesys_trust_policy_is_exact(full: Synth) -> None:
    [role] = [res for _, res in full.resources("AWS::IAM::Role").values() if res["Properties"].get("RoleName") == "gda-genesys-integration"]
    assert role["Properties"]["AssumeRolePolicyDocument"] == {
        "Statement": [
            {
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": ORG_ID}},
                "Effect": "Allow",
                "Principal": {"AWS": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::765628985471:root"]]}},
            }
        ],
        "Version": "2012-10-17",
    }


def test_fedramp_trusts_the_fedramp_account(tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments", genesysAccount="fedramp")
    text = json.dumps(s.templates)
    assert "325654371633" in text and "765628985471" not in text


def test_integration_role_may_only_invoke_the_bundles_functions(full: Synth) -> None:
    policies = [
        res
        for _, res in full.resources("AWS::IAM::ManagedPolicy").values()
        if any("GenesysIntegration" in r.get("Ref", "") for r in res["Properties"]["Roles"])
    ]
    assert policies
    arns = []
    for policy in policies:
        assert len(json.dumps(policy["Properties"]["PolicyDocument"])) < 6144
        [stmt] = policy["Properties"]["PolicyDocument"]["Statement"]
        assert stmt["Action"] == "lambda:InvokeFunction" and stmt["Effect"] == "Allow"
        arns += [r["Fn::Sub"] for r in stmt["Resource"]]
    names = {function_name("gda", a, c) for a in all_actions() for c in ("default", "second")}
    prefix = "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:"
    assert sorted(arns) == sorted([f"{prefix}{n}" for n in names] + [f"{prefix}{n}:live" for n in names])
    assert not any("*" in a for a in arns)
    assert not [
        res
        for _, res in full.resources("AWS::IAM::Policy").values()
        if any("GenesysIntegration" in r.get("Ref", "") for r in res["Properties"]["Roles"])
    ]


def test_function_roles_reach_only_their_own_log_group_and_secret(full: Synth) -> None:
    for _, res in full.resources("AWS::IAM::Policy").values():
        for stmt in res["Properties"]["PolicyDocument"]["Statement"]:
            actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
            assert set(actions) <= {
                "logs:CreateLogStream",
                "logs:PutLogEvents",
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
                "lambda:InvokeFunction",
            }
            assert stmt["Resource"] != "*"


def test_api_requires_a_key_validates_bodies_and_limits_size(full: Synth) -> None:
    methods = full.resources("AWS::ApiGateway::Method")
    assert len(methods) == 2 * len(all_actions())
    for _, m in methods.values():
        p = m["Properties"]
        assert p["HttpMethod"] == "POST" and p["ApiKeyRequired"] is True and p["Integration"]["Type"] == "AWS_PROXY"
        assert "RequestValidatorId" in p and "application/json" in p["RequestModels"]
    [(_, plan)] = full.resources("AWS::ApiGateway::UsagePlan").values()
    assert plan["Properties"]["Throttle"] == {"BurstLimit": 100, "RateLimit": 50}
    [(_, acl)] = full.resources("AWS::WAFv2::WebACL").values()
    size = acl["Properties"]["Rules"][0]["Statement"]["SizeConstraintStatement"]
    assert size["ComparisonOperator"] == "GT" and size["Size"] == 65536
    [(_, stage)] = full.resources("AWS::ApiGateway::Stage").values()
    assert "AccessLogSetting" in stage["Properties"]


def test_no_secret_values_in_any_template(full: Synth) -> None:
    text = json.dumps(full.templates)
    for _kind, backend in all_backends().items():
        for value in backend.secret_example.values():
            assert f'"{value}"' not in text or value.startswith("<")
    assert "local-transaction-key" not in text
    for _, res in full.resources("AWS::SecretsManager::Secret").values():
        assert "SecretString" not in res["Properties"]


def test_existing_secrets_can_be_used_instead(tmp_path: Path) -> None:
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:payments-abc123"
    s = synth(tmp_path, backends="payments", secretArns=json.dumps({"payments:default": arn}))
    assert not s.resources("AWS::SecretsManager::Secret")
    assert arn in json.dumps(s.templates)


def test_every_stack_is_far_below_the_resource_limit(full: Synth) -> None:
    for name, template in full.templates.items():
        assert len(template["Resources"]) < 400, name


def test_provisioned_concurrency_per_action(tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments", provisionedConcurrency=json.dumps({"validate-card-payment": 2}))
    [(_, alias)] = s.resources("AWS::Lambda::Alias").values()
    assert alias["Properties"]["Name"] == "live"
    assert alias["Properties"]["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}


def test_missing_org_id_fails_with_a_clear_message() -> None:
    with pytest.raises(OptionsError, match="genesysOrgId"):
        options()
    with pytest.raises(OptionsError, match="UUID"):
        options(genesysOrgId="my-org")
    with pytest.raises(OptionsError, match="unknown backend"):
        options(genesysOrgId=ORG_ID, backends="nope")


def test_cfn_lint_finds_no_errors(everything: Synth) -> None:
    templates = sorted(str(p) for p in everything.outdir.glob("*.template.json"))
    done = subprocess.run([str(ROOT / ".venv/bin/cfn-lint"), "--format", "json", *templates], capture_output=True, text=True)
    findings = json.loads(done.stdout or "[]")
    errors = [f for f in findings if f["Level"] == "Error"]
    assert errors == [], errors


def test_cdk_nag_reports_no_unacknowledged_findings(everything: Synth) -> None:
    """The synth fixture already raised on any finding; the report must list no violations."""
    assert everything.report is not None
    violations = [v for plugin in everything.report["pluginReports"] for v in plugin.get("violations", [])]
    assert violations == []


def test_cdk_nag_would_catch_a_finding(tmp_path: Path, monkeypatch) -> None:
    """Remove the secret's acknowledgement: the synth must now fail (the check is live, not decorative)."""
    import infra.constructs as constructs

    real = constructs.acknowledge
    monkeypatch.setattr(
        constructs, "acknowledge", lambda scope, rule, reason: None if rule == "AwsSolutions-SMG4" else real(scope, rule, reason)
    )
    with pytest.raises(Exception, match="(?i)validation|AwsSolutions"):
        synth(tmp_path, backends="payments")


@pytest.mark.slow
def test_the_real_cdk_cli_synthesises(tmp_path: Path) -> None:
    cmd = [
        str(ROOT / "node_modules/.bin/cdk"),
        "synth",
        "-q",
        "--output",
        str(tmp_path),
        "-c",
        f"genesysOrgId={ORG_ID}",
        "-c",
        f"account={ACCOUNT}",
        "-c",
        f"region={REGION}",
    ]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "Gda-Core.template.json").exists()
    missing = subprocess.run(
        [str(ROOT / "node_modules/.bin/cdk"), "synth", "-q", "--output", str(tmp_path / "x")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert missing.returncode != 0 and "genesysOrgId" in missing.stderr


def test_basic_auth_puts_an_authorizer_in_front_of_every_route(tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments,genesys", apiAuth="basic")
    [(_, auth)] = s.resources("AWS::ApiGateway::Authorizer").values()
    assert auth["Properties"]["Type"] == "TOKEN" and auth["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    for _, m in s.resources("AWS::ApiGateway::Method").values():
        assert m["Properties"]["AuthorizationType"] == "CUSTOM" and m["Properties"]["ApiKeyRequired"] is False
    fns = {res["Properties"]["FunctionName"]: res["Properties"] for _, res in s.resources("AWS::Lambda::Function").values()}
    module, _, attr = fns["gda-web-services-authorizer"]["Handler"].rpartition(".")
    assert callable(getattr(importlib.import_module(module), attr))
    secrets = [
        res["Properties"]
        for _, res in s.resources("AWS::SecretsManager::Secret").values()
        if res["Properties"].get("Name") == "gda/webservices/basic"
    ]
    assert secrets and "GenerateSecretString" in secrets[0] and "SecretString" not in secrets[0]


def test_api_auth_option_is_validated() -> None:
    with pytest.raises(OptionsError, match="apiAuth"):
        options(genesysOrgId=ORG_ID, apiAuth="oauth")


def test_only_soap_functions_carry_the_soap_layer(full: Synth) -> None:
    """zeep and lxml (6 MB zipped) reach exactly the functions that speak SOAP."""
    soap_handlers = {a.handler for a in all_actions().values() if "soap" in a.backend.layers}
    assert soap_handlers
    for (stack, _), (_, res) in full.resources("AWS::Lambda::Function").items():
        props = res["Properties"]
        refs = [layer.get("Ref", "") for layer in props["Layers"] if isinstance(layer, dict)]
        layer_ids = {ref for ref in refs if ref}
        carries_soap = any(ref.startswith("SoapLayer") for ref in layer_ids)
        assert carries_soap == (props["Handler"] in soap_handlers), f"{stack}: {props['FunctionName']} layers {sorted(layer_ids)}"
        assert any(ref.startswith("CoreLayer") for ref in layer_ids)
