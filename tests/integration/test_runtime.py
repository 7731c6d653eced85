"""The shared runtime through the handler's own door: both callers, error mapping, correlation ids,
log lines, secrets (extension and boto3), settings and timeouts."""

from __future__ import annotations

import base64
import json
import traceback

import pytest

from dataactions import InvalidInput
from dataactions.entry import detect
from dataactions.errors import ConfigurationError
from local.context import LocalContext
from local.events import apigw_v1_event, http_api_event
from tests.conftest import log_records

ACTION = "validate-card-payment"
GOOD = {"cardNumber": "4111111111111111", "expiryMonth": 12, "expiryYear": 2030, "amount": 10, "currency": "USD"}


def ctx(correlation_id: str | None = None, timeout: float = 14) -> LocalContext:
    return LocalContext("fn", timeout, correlation_id=correlation_id)


def test_detects_each_caller() -> None:
    assert detect(GOOD) == "direct"
    assert detect(apigw_v1_event(ACTION, GOOD)) == "apigw-v1"
    assert detect(http_api_event(ACTION, GOOD)) == "apigw-v2"
    assert detect({"requestContext": "flat string input"}) == "direct"


def test_direct_invoke_returns_the_output_object(configure, logs) -> None:
    out = configure(ACTION, "sandbox")(GOOD, ctx("corr-1"))
    assert out["approved"] is True and out["status"] == "approved"
    [line] = log_records(logs)
    assert line["outcome"] == "success" and line["correlationId"] == "corr-1" and line["invocation"] == "direct"
    assert line["action"] == ACTION and line["config"] == "sandbox" and line["durationMs"] >= 0


def test_direct_invoke_raises_a_concise_error_with_no_stack_beyond_the_adapter(configure, logs) -> None:
    handler = configure(ACTION, "sandbox")
    with pytest.raises(InvalidInput) as info:
        handler({"cardNumber": "4111111111111111"}, ctx())
    err = info.value
    assert str(err).startswith("Invalid input: ")
    assert "expiryMonth" in str(err) and "4111" not in str(err)
    frames = [f.filename for f in traceback.extract_tb(err.__traceback__) if f.filename != __file__]
    assert frames and all(f.endswith("dataactions/entry.py") for f in frames)  # the adapter only, no internals
    assert err.__cause__ is None and err.__suppress_context__
    assert log_records(logs)[0]["outcome"] == "invalid_input"


@pytest.mark.parametrize("make", [apigw_v1_event, http_api_event])
def test_api_gateway_events_get_http_responses(make, configure) -> None:
    handler = configure(ACTION, "sandbox")
    ok = handler(make(ACTION, GOOD, {"ININ-Correlation-Id": "abc"}), ctx())
    assert ok["statusCode"] == 200 and json.loads(ok["body"])["approved"] is True
    assert ok["headers"]["X-Correlation-Id"] == "abc" and ok["headers"]["Content-Type"] == "application/json"
    bad = handler(make(ACTION, {"cardNumber": "4"}), ctx())
    assert bad["statusCode"] == 400
    body = json.loads(bad["body"])
    assert body["code"] == "INVALID_INPUT" and set(body) == {"code", "message"}
    failing = handler(make(ACTION, {**GOOD, "cardNumber": "4000000000000119"}), ctx())
    assert failing["statusCode"] == 502 and json.loads(failing["body"])["code"] == "BACKEND_ERROR"


def test_api_gateway_timeout_is_504(configure) -> None:
    handler = configure(ACTION, "sandbox")
    resp = handler(apigw_v1_event(ACTION, {**GOOD, "cardNumber": "4000000000000309"}), ctx())
    assert resp["statusCode"] == 504 and json.loads(resp["body"])["code"] == "BACKEND_TIMEOUT"


def test_api_gateway_body_handling(configure) -> None:
    handler = configure(ACTION, "sandbox")
    event = apigw_v1_event(ACTION, "")
    event["body"] = base64.b64encode(json.dumps(GOOD).encode()).decode()
    event["isBase64Encoded"] = True
    assert handler(event, ctx())["statusCode"] == 200
    assert handler(apigw_v1_event(ACTION, "[1, 2]"), ctx())["statusCode"] == 400
    event = apigw_v1_event(ACTION, GOOD)
    event["httpMethod"] = "GET"
    assert handler(event, ctx())["statusCode"] == 400
    big = apigw_v1_event(ACTION, {**GOOD, "reference": "x" * 70000})
    assert handler(big, ctx())["statusCode"] == 400


def test_the_correlation_id_falls_back_to_the_request_id(configure, logs) -> None:
    handler = configure(ACTION, "sandbox")
    c = ctx()
    handler(GOOD, c)
    assert log_records(logs)[0]["correlationId"] == c.aws_request_id


def test_a_missing_secret_is_a_configuration_error(configure) -> None:
    handler = configure(ACTION, "sandbox", DA_SECRET_ID="local/payments/nope")
    with pytest.raises(ConfigurationError, match="could not be read"):
        handler(GOOD, ctx())
    handler = configure(ACTION, "sandbox", DA_SECRET_ID="")
    with pytest.raises(ConfigurationError, match="No secret configured"):
        handler(GOOD, ctx())


def test_secret_is_read_once_through_the_extension_and_cached(configure) -> None:
    handler = configure(ACTION, "sandbox")
    for _ in range(5):
        handler(GOOD, ctx())
    store = handler.container.secrets
    assert store.fetches == 1 and store.source == "extension"


def test_secret_ttl_expiry_refetches_and_rotation_rebuilds_the_adapter(configure, standins) -> None:
    handler = configure(ACTION, "sandbox", DA_SECRET_TTL_SECONDS="0")
    handler(GOOD, ctx())
    first = handler.container._resources["processor_for"]
    handler(GOOD, ctx())
    assert handler.container.secrets.fetches == 2
    assert handler.container._resources["processor_for"] is not first  # new secret object: adapters rebuilt


def test_boto3_is_used_when_there_is_no_extension(monkeypatch, standins) -> None:
    """Without the extension the SDK reads the secret (moto's Secrets Manager over HTTP)."""
    from functions import handler_for

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", standins.moto_url)
    env = {"DA_SECRET_ID": "local/payments/sandbox", "AWS_REGION": "us-east-1"}
    handler = handler_for(ACTION)
    handler.configure(env)
    assert handler(GOOD, ctx())["approved"] is True
    assert handler.container.secrets.source == "boto3"
    # extension configured but not answering: falls back to the SDK
    handler.configure({**env, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "1"})
    assert handler(GOOD, ctx())["approved"] is True
    assert handler.container.secrets.source == "boto3"


def test_boto3_errors_give_the_error_code_only(standins) -> None:
    """(moto's server, not mock_aws: mock_aws would reset the local standins' shared moto state.)"""
    from dataactions.secrets import SecretStore
    from dataactions.settings import Settings

    client = standins.secretsmanager
    store = SecretStore(Settings.from_environ({}), boto3_client=client)
    with pytest.raises(ConfigurationError, match=r"\(ResourceNotFoundException\)$"):
        store.get("gda/payments/missing")
    client.create_secret(Name="gda/payments/list", SecretString="[1, 2]")
    with pytest.raises(ConfigurationError, match="must be a JSON object"):
        store.get("gda/payments/list")


def test_invalid_secret_names_fields_not_values(configure, standins) -> None:
    standins.secretsmanager.create_secret(
        Name="local/payments/broken", SecretString=json.dumps({"processor": "authorizenet", "apiLoginId": "s3cr3t-login"})
    )
    handler = configure(ACTION, "sandbox", DA_SECRET_ID="local/payments/broken")
    with pytest.raises(ConfigurationError) as info:
        handler(GOOD, ctx())
    assert "s3cr3t" not in str(info.value) and "payments secret is invalid" in str(info.value)


def test_no_time_left_is_a_timeout_before_calling_the_backend(configure) -> None:
    handler = configure(ACTION, "authorizenet")
    from dataactions.errors import BackendTimeout

    with pytest.raises(BackendTimeout):
        handler(GOOD, ctx(timeout=0.1))


def test_unexpected_errors_become_internal_errors_without_details(configure, monkeypatch, logs) -> None:
    from dataactions.errors import InternalError
    from functions.payments import processors

    def boom(self, req, ctx):
        raise RuntimeError("secret detail 4111111111111111")

    monkeypatch.setattr(processors.SandboxProcessor, "authorize", boom)
    handler = configure(ACTION, "sandbox")
    with pytest.raises(InternalError) as info:
        handler(GOOD, ctx("cid-9"))
    assert "secret detail" not in str(info.value) and "cid-9" in str(info.value)
    resp = handler(apigw_v1_event(ACTION, GOOD), ctx())
    assert resp["statusCode"] == 500 and "secret" not in resp["body"]
    assert all(r["error"] == "RuntimeError" for r in log_records(logs))
    assert "secret detail" not in logs.getvalue()


def test_settings_are_not_read_at_import_time() -> None:
    import subprocess
    import sys

    code = (
        "import os; os.environ.pop('DA_SECRET_ID', None); import functions.payments.actions as a; print(a.validate_card_payment._container)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "None"


def test_the_extension_path_never_imports_boto3(standins) -> None:
    """A warm invocation that reads its secret through the extension has no boto3 in the process."""
    import subprocess
    import sys

    from functions import all_actions

    env = standins.environ(all_actions()[ACTION], "sandbox")
    code = (
        "import json, sys\n"
        "from functions import handler_for\n"
        f"h = handler_for({ACTION!r}); h.configure({env!r})\n"
        "from local.context import LocalContext\n"
        f"out = h({GOOD!r}, LocalContext('fn', 14))\n"
        "print(json.dumps({'approved': out['approved'], 'boto3': 'boto3' in sys.modules, 'source': h.container.secrets.source}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"approved": True, "boto3": False, "source": "extension"}


def test_caller_supplied_correlation_ids_are_sanitised(configure) -> None:
    handler = configure(ACTION, "sandbox")
    resp = handler(apigw_v1_event(ACTION, GOOD, {"ININ-Correlation-Id": "abc\r\nSet-Cookie: x=1" + "9" * 300}), ctx())
    cid = resp["headers"]["X-Correlation-Id"]
    assert cid.startswith("abcSet-Cookie:x1") and len(cid) == 128 and "\n" not in cid
