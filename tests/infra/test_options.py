"""Deployment options: one typed model; every wrong value is an error naming the option and what it allows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import botocore.session
import pytest
from aws_cdk import aws_logs as logs

from infra.constructs import RETENTION
from infra.options import DEFAULT_RESERVED, RETENTION_DAYS, DeployOptions, OptionsError
from tests.infra.conftest import ORG_ID, options

ROOT = Path(__file__).resolve().parents[2]
KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def problems(**context: object) -> list[str]:
    with pytest.raises(OptionsError) as caught:
        options(genesysOrgId=ORG_ID, **context)
    return caught.value.problems


def test_defaults() -> None:
    o = options(genesysOrgId=ORG_ID)
    assert (o.prefix, o.genesys_account, o.log_retention_days, o.log_level, o.api_auth) == ("gda", "commercial", 90, "INFO", "apikey")
    assert o.backends[0] == ("billing", "default") and len(o.backends) == 8
    assert (o.api_rate_limit, o.api_burst_limit, o.secrets_extension, o.kms_key) == (50, 100, True, None)
    assert o.reserved("validate-card-payment") == DEFAULT_RESERVED == 10
    assert o.provisioned_concurrency == {} and o.secret_arns == {}


def test_cli_text_and_cdk_json_values_mean_the_same() -> None:
    """`-c` gives text; cdk.json gives JSON values. Both parse to the same options."""
    text = options(
        genesysOrgId=ORG_ID,
        logRetentionDays="30",
        secretsExtension="false",
        provisionedConcurrency='{"validate-card-payment": 2}',
        backends="payments,payments:emea",
        account="123456789012",
    )
    typed = options(
        genesysOrgId=ORG_ID,
        logRetentionDays=30,
        secretsExtension=False,
        provisionedConcurrency={"validate-card-payment": 2},
        backends=["payments", "payments:emea"],
        account=123456789012,
    )
    assert text == typed
    assert text.backends == (("payments", "default"), ("payments", "emea")) and text.log_retention_days == 30


def test_a_wrong_retention_names_the_option_and_the_allowed_days() -> None:
    for value in ("abc", "91", "0", "-1", "1.5"):
        [line] = problems(logRetentionDays=value)
        assert line.startswith("logRetentionDays: ") and "3653" in line and "90" in line, line


def test_retention_days_are_cloudwatch_logs_values() -> None:
    """Oracle: botocore's CloudWatch Logs model lists the values PutRetentionPolicy accepts; CDK names each."""
    model = botocore.session.get_session().get_service_model("logs")
    doc = model.operation_model("PutRetentionPolicy").input_shape.members["retentionInDays"].documentation
    listed = re.search(r"Possible values are: ([\d, and]+)\.", doc)
    assert listed, doc
    assert tuple(int(n) for n in re.findall(r"\d+", listed.group(1))) == RETENTION_DAYS
    assert set(RETENTION) == set(RETENTION_DAYS)
    assert set(RETENTION.values()) == {m.name for m in logs.RetentionDays} - {"INFINITE"}


def test_every_problem_is_reported_at_once_with_what_is_allowed() -> None:
    lines = problems(logRetentionDays="abc", apiAuth="oauth", genesysAccount="gov", logLevel="verbose", prefix="GDA", apiRateLimit="x")
    by_option = {line.split(":")[0]: line for line in lines}
    assert set(by_option) == {"logRetentionDays", "apiAuth", "genesysAccount", "logLevel", "prefix", "apiRateLimit"}
    assert "'apikey' or 'basic'" in by_option["apiAuth"]
    assert "'commercial' or 'fedramp'" in by_option["genesysAccount"]
    assert "DEBUG, INFO, WARNING, ERROR" in by_option["logLevel"]
    assert "lowercase" in by_option["prefix"]
    assert "integer" in by_option["apiRateLimit"]


def test_the_org_id_is_never_echoed() -> None:
    secretish = "my-org-" + "x" * 29
    with pytest.raises(OptionsError) as caught:
        options(genesysOrgId=secretish)
    assert secretish not in str(caught.value) and "UUID" in str(caught.value)


def test_json_object_options_say_so() -> None:
    for key in ("secretArns", "provisionedConcurrency", "reservedConcurrency"):
        for value in ("{not json", "[1, 2]", "3"):
            [line] = problems(**{key: value})
            assert line.startswith(f"{key}: ") and "JSON object" in line, line


def test_action_ids_are_checked_with_a_suggestion() -> None:
    [line] = problems(provisionedConcurrency='{"validate-card-paymnt": 2}')
    assert line.startswith("provisionedConcurrency: ") and "did you mean validate-card-payment?" in line
    [line] = problems(reservedConcurrency='{"no-such-action": 2}')
    assert line.startswith("reservedConcurrency: ") and "not an action id" in line


def test_a_mistyped_option_is_caught() -> None:
    [line] = problems(logRetentionDay="30")
    assert line == "logRetentionDay: not an option; did you mean logRetentionDays?"
    options(genesysOrgId=ORG_ID, somethingElse="x", **{"@aws-cdk/core:newStyleStackSynthesis": True})  # not ours: ignored


def test_booleans_and_enums_are_strict() -> None:
    assert options(genesysOrgId=ORG_ID, secretsExtension="False").secrets_extension is False
    assert options(genesysOrgId=ORG_ID, logLevel="debug").log_level == "DEBUG"
    [line] = problems(secretsExtension="maybe")
    assert line.startswith("secretsExtension: ") and "true or false" in line


def test_reserved_concurrency_default_override_and_none() -> None:
    o = options(genesysOrgId=ORG_ID, reservedConcurrency='{"default": 20, "validate-card-payment": 50, "number-to-words": null}')
    assert o.reserved("validate-card-payment") == 50 and o.reserved("get-billing-account") == 20 and o.reserved("number-to-words") is None
    assert options(genesysOrgId=ORG_ID, reservedConcurrency={"default": None}).reserved("validate-card-payment") is None
    assert (
        options(genesysOrgId=ORG_ID, reservedConcurrency={"validate-card-payment": 3}).reserved("get-billing-account") == DEFAULT_RESERVED
    )


def test_reserved_concurrency_zero_is_refused() -> None:
    """Lambda's 0 throttles every call: an IVR's data action would fail every time."""
    [line] = problems(reservedConcurrency='{"validate-card-payment": 0}')
    assert line.startswith("reservedConcurrency: ") and "throttle every call" in line and "null" in line
    for bad in ('{"default": -1}', '{"default": "ten"}', '{"default": true}', '{"default": 1.5}'):
        [line] = problems(reservedConcurrency=bad)
        assert "whole number from 1" in line, (bad, line)


def test_provisioned_concurrency_must_fit_in_the_reservation() -> None:
    [line] = problems(provisionedConcurrency='{"validate-card-payment": 11}')
    assert line.startswith("provisionedConcurrency[validate-card-payment]: is 11, above the function's reserved concurrency 10")
    assert "reservedConcurrency" in line
    ok = options(
        genesysOrgId=ORG_ID, provisionedConcurrency='{"validate-card-payment": 11}', reservedConcurrency='{"validate-card-payment": 11}'
    )
    assert ok.provisioned_concurrency == {"validate-card-payment": 11}
    unreserved = options(
        genesysOrgId=ORG_ID, provisionedConcurrency='{"validate-card-payment": 40}', reservedConcurrency='{"default": null}'
    )
    assert unreserved.reserved("validate-card-payment") is None
    [line] = problems(provisionedConcurrency='{"validate-card-payment": -1}')
    assert line.startswith("provisionedConcurrency[validate-card-payment]: ")


def test_reservations_must_leave_lambdas_unreserved_minimum() -> None:
    """40 actions x 10 fit a 1,000 quota; 25 each do not (Lambda keeps 100 unreserved); a raised quota does."""
    [line] = problems(reservedConcurrency='{"default": 25}')
    assert line.startswith("reservedConcurrency: reserves 1000 concurrent executions over 40 functions") and "at most 900" in line
    assert options(genesysOrgId=ORG_ID, reservedConcurrency='{"default": 25}', concurrencyQuota="3000").concurrency_quota == 3000
    [line] = problems(backends="payments", concurrencyQuota="10")  # a new account's quota
    assert line.startswith("reservedConcurrency: reserves 10 ") and "at most 0" in line and '{"default": null}' in line
    assert options(genesysOrgId=ORG_ID, concurrencyQuota="10", reservedConcurrency='{"default": null}').reserved("number-to-words") is None
    [line] = problems(concurrencyQuota="0")
    assert line.startswith("concurrencyQuota: ")


def test_kms_key_option() -> None:
    assert options(genesysOrgId=ORG_ID, kmsKey="create").creates_kms_key
    existing = options(genesysOrgId=ORG_ID, kmsKey=KEY_ARN, region="eu-west-1")
    assert existing.kms_key_arn == KEY_ARN and not existing.creates_kms_key
    for bad in ("yes", "alias/my-key", "arn:aws:kms:eu-west-1:123456789012:alias/my-key"):
        [line] = problems(kmsKey=bad)
        assert line.startswith("kmsKey: ") and "create" in line and "ARN" in line
    [line] = problems(kmsKey=KEY_ARN, region="us-east-1")
    assert line.startswith("kmsKey: ") and "us-east-1" in line


def test_names_and_arns_are_checked() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments-abc123"
    assert options(genesysOrgId=ORG_ID, secretArns=json.dumps({"payments:default": arn})).secret_arns == {"payments:default": arn}
    assert problems(secretArns=json.dumps({"payments:default": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments"}))
    assert problems(secretArns=json.dumps({"nope:default": arn}))
    assert problems(backends="payments:EMEA")[0].startswith("backends: ")
    assert problems(backends="payments,payments")[0].startswith("backends: ")
    assert problems(account="1234")[0].startswith("account: ")
    assert problems(region="Europe")[0].startswith("region: ")
    assert problems(alarmTopicArn="my-topic")[0].startswith("alarmTopicArn: ")


def test_options_that_need_each_other() -> None:
    assert problems(apiDomainName="actions.example.com") == ["apiDomainName: needs apiCertificateArn (an ACM certificate in this region)"]
    assert problems(mtlsTruststoreUri="s3://bucket/truststore.pem")[0].startswith("mtlsTruststoreUri: needs apiDomainName")
    assert problems(apiRateLimit="200")[0].startswith("apiBurstLimit: must be at least apiRateLimit")


def test_every_option_is_in_the_readme_table() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Deploying (from zero)") :]
    table = section[: section.index("\n\n", section.index("| key |"))]
    for alias in DeployOptions.aliases():
        assert f"`{alias}`" in table, f"{alias} is not documented in the README's context-options table"


@pytest.mark.parametrize(
    "context, expected",
    [
        ({"logRetentionDays": "abc"}, "logRetentionDays: "),
        ({"reservedConcurrency": "{oops"}, "reservedConcurrency: must be a JSON object"),
    ],
)
def test_the_app_prints_option_errors_without_a_traceback(tmp_path: Path, context: dict, expected: str) -> None:
    """What `cdk synth -c logRetentionDays=abc` shows: the problems and exit 1, no traceback."""
    env = {
        **os.environ,
        "CDK_CONTEXT_JSON": json.dumps({"genesysOrgId": ORG_ID, **context}),
        "CDK_OUTDIR": str(tmp_path),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    done = subprocess.run([sys.executable, "-m", "infra.app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert expected in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]
