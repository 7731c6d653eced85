"""Reserved concurrency per function, and the optional customer-managed key, in the synthesised templates."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from definitions.naming import function_name
from functions import all_actions
from tests.infra.conftest import ACCOUNT, REGION, Synth, synth

ROOT = Path(__file__).resolve().parents[2]
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_ARN = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:genesys-abc123"


def functions(s: Synth) -> dict[str, dict]:
    return {res["Properties"]["FunctionName"]: res["Properties"] for _, res in s.resources("AWS::Lambda::Function").values()}


def statements(s: Synth) -> list[tuple[str, dict]]:
    """(role logical id, statement) of every inline policy."""
    return [
        (role["Ref"], stmt)
        for _, res in s.resources("AWS::IAM::Policy").values()
        for role in res["Properties"]["Roles"]
        for stmt in res["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_every_function_reserves_the_default_concurrency(full: Synth) -> None:
    fns = functions(full)
    assert len(fns) == 2 * len(all_actions())
    assert {props.get("ReservedConcurrentExecutions") for props in fns.values()} == {10}


def test_reserved_concurrency_overrides_and_provisioned_within_it(tmp_path: Path) -> None:
    s = synth(
        tmp_path,
        backends="payments,genesys,payments:emea",
        apiAuth="basic",
        reservedConcurrency=json.dumps(
            {"default": 5, "validate-card-payment": 50, "get-user-presence": None, "web-services-authorizer": 30}
        ),
        provisionedConcurrency=json.dumps({"validate-card-payment": 50}),
    )
    fns = functions(s)
    reserved = {name: props.get("ReservedConcurrentExecutions") for name, props in fns.items()}
    assert reserved.pop(function_name("gda", "validate-card-payment")) == 50
    assert reserved.pop(function_name("gda", "validate-card-payment", "emea")) == 50
    assert reserved.pop(function_name("gda", "get-user-presence")) is None  # null: no reservation
    assert reserved.pop("gda-web-services-authorizer") == 30
    assert set(reserved.values()) == {5} and reserved
    aliases = [res["Properties"] for _, res in s.resources("AWS::Lambda::Alias").values()]
    provisioned = [a["ProvisionedConcurrencyConfig"] for a in aliases if "ProvisionedConcurrencyConfig" in a]
    assert provisioned == [{"ProvisionedConcurrentExecutions": 50}] * 2  # both configurations of the action


def test_without_a_customer_key_nothing_names_kms(full: Synth) -> None:
    assert "kms:" not in json.dumps(full.templates) and not full.resources("AWS::KMS::Key")
    for _, res in full.resources("AWS::Logs::LogGroup").values():
        assert "KmsKeyId" not in res["Properties"]


@pytest.fixture(scope="module")
def created_key(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """kmsKey=create; genesys uses an existing secret, so its functions must get no kms:Decrypt."""
    return synth(
        tmp_path_factory.mktemp("cdk-kms"),
        backends="payments,genesys",
        apiAuth="basic",
        kmsKey="create",
        secretArns=json.dumps({"genesys:default": SECRET_ARN}),
    )


def test_created_key_rotates_and_lets_logs_use_it_for_this_bundle_only(created_key: Synth) -> None:
    keys = created_key.templates["Gda-Keys"]["Resources"]
    [key] = [r for r in keys.values() if r["Type"] == "AWS::KMS::Key"]
    assert key["Properties"]["EnableKeyRotation"] is True and key["DeletionPolicy"] == "Retain"
    [alias] = [r for r in keys.values() if r["Type"] == "AWS::KMS::Alias"]
    assert alias["Properties"]["AliasName"] == "alias/gda-genesys-data-actions"
    [logs] = [s for s in key["Properties"]["KeyPolicy"]["Statement"] if s.get("Sid") == "CloudWatchLogsForThisBundle"]
    assert "logs." in json.dumps(logs["Principal"]["Service"])
    arns = [json.dumps(a) for a in logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]]
    assert len(arns) == 2
    assert arns[0].endswith(':log-group:/aws/lambda/gda-*"]]}') and arns[1].endswith(
        ':log-group:/aws/apigateway/gda-genesys-data-actions"]]}'
    )
    for stmt in key["Properties"]["KeyPolicy"]["Statement"]:
        assert stmt["Principal"] != "*" and stmt["Principal"].get("AWS") != "*"


def test_created_key_encrypts_logs_secrets_and_environments(created_key: Synth) -> None:
    [imported] = {json.dumps(props["KmsKeyArn"]) for props in functions(created_key).values()}
    imported = json.loads(imported)
    assert imported["Fn::ImportValue"].startswith("Gda-Keys:")  # the keys stack's export of the key ARN
    log_groups = created_key.resources("AWS::Logs::LogGroup")
    assert len(log_groups) == 1 + 1 + len([a for a in all_actions().values() if a.backend.kind in ("payments", "genesys")])
    for _, res in log_groups.values():
        assert res["Properties"]["KmsKeyId"] == imported
    secrets = created_key.resources("AWS::SecretsManager::Secret")
    assert {res["Properties"]["Name"] for _, res in secrets.values()} == {"gda/payments/default", "gda/webservices/basic"}
    for _, res in secrets.values():
        assert res["Properties"]["KmsKeyId"] == imported
    for props in functions(created_key).values():
        assert props["KmsKeyArn"] == imported


def test_functions_decrypt_only_their_own_secret_through_secrets_manager(created_key: Synth) -> None:
    """kms:Decrypt only where the secret uses the key (payments, the authorizer), never for genesys' existing secret."""
    decrypting = set()
    for role, stmt in statements(created_key):
        actions = stmt["Action"] if isinstance(stmt["Action"], list) else [stmt["Action"]]
        if any(a.startswith("kms:") for a in actions):
            assert actions == ["kms:Decrypt"]
            assert stmt["Resource"]["Fn::ImportValue"].startswith("Gda-Keys:")
            assert list(stmt["Condition"]) == ["StringEquals"]
            assert "secretsmanager." in json.dumps(stmt["Condition"]["StringEquals"]["kms:ViaService"])
            decrypting.add(role)
    payments = [a for a in all_actions().values() if a.backend.kind == "payments"]
    assert len(decrypting) == len(payments) + 1
    assert all(r.startswith(("ValidateCardPayment", "ApiAuthorizerRole")) for r in decrypting), decrypting


def test_an_existing_key_is_used_without_a_keys_stack(tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments", kmsKey=KEY_ARN)
    assert "Gda-Keys" not in s.templates and not s.resources("AWS::KMS::Key")
    for type_, prop in (
        ("AWS::Logs::LogGroup", "KmsKeyId"),
        ("AWS::SecretsManager::Secret", "KmsKeyId"),
        ("AWS::Lambda::Function", "KmsKeyArn"),
    ):
        found = s.resources(type_)
        assert found and all(res["Properties"][prop] == KEY_ARN for _, res in found.values()), type_
    decrypt = [stmt for _, stmt in statements(s) if stmt["Action"] == "kms:Decrypt"]
    assert decrypt and all(stmt["Resource"] == KEY_ARN for stmt in decrypt)


def test_cfn_lint_finds_no_errors_with_a_key(created_key: Synth) -> None:
    templates = sorted(str(p) for p in created_key.outdir.glob("*.template.json"))
    done = subprocess.run([str(ROOT / ".venv/bin/cfn-lint"), "--format", "json", *templates], capture_output=True, text=True)
    errors = [f for f in json.loads(done.stdout or "[]") if f["Level"] == "Error"]
    assert errors == [], errors
