"""The custom resource's function, run as CloudFormation runs it: the OAuth client from a secret
(moto's Secrets Manager), the actions from its bundle.json with this deployment's ARNs filled in,
the answer PUT to the pre-signed ResponseURL (a local server here)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from definitions.genesys_api import custom_resource_bundle, pairs_of
from functions import all_actions
from functions.publisher import handler as cr
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET
from local.standins.server import LocalServer, Request, Response
from tests.publish.conftest import ROLE, Org

FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:gda-genesys-publisher"
KINDS = ("payments", "conversion", "genesys")


class Context:
    invoked_function_arn = FUNCTION_ARN

    def __init__(self, remaining_ms: int = 300_000) -> None:
        self.deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return int((self.deadline - time.monotonic()) * 1000)


@pytest.fixture
def cloudformation() -> Iterator[tuple[LocalServer, list[dict[str, Any]]]]:
    answers: list[dict[str, Any]] = []

    def receive(req: Request) -> Response:
        assert req.method == "PUT" and req.headers.get("Content-Type", "") == ""
        answers.append(req.json())
        return Response(200, raw=b"")

    server = LocalServer("cloudformation", receive).start()
    yield server, answers
    server.stop()


@pytest.fixture
def deployed(standins, org: Org, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    acts = [a for a in all_actions().values() if a.backend.kind in KINDS]
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps(custom_resource_bundle(pairs_of(acts), "gda")))
    monkeypatch.setattr(cr, "BUNDLE", bundle)
    name = f"local/genesys-publisher/{tmp_path.name}"
    secret = {
        "clientId": CLIENT_ID,
        "clientSecret": CLIENT_SECRET,
        "region": "eu-west-1",
        "apiUrl": org.server.url,
        "loginUrl": org.server.url,
    }
    standins.secretsmanager.create_secret(Name=name, SecretString=json.dumps(secret))
    for key, value in {
        cr.SECRET_ENV: name,
        "AWS_ENDPOINT_URL_SECRETS_MANAGER": standins.moto_url,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }.items():
        monkeypatch.setenv(key, value)
    yield {"acts": acts, "secret_name": name, "secret": secret}


def event(kind: str, url: str, physical: str | None = None, **props: Any) -> dict[str, Any]:
    body = {
        "RequestType": kind,
        "ResponseURL": f"{url}/response?X-Amz-Signature=local",
        "StackId": "arn:aws:cloudformation:eu-west-1:123456789012:stack/Gda-Core/1",
        "RequestId": f"req-{kind}",
        "LogicalResourceId": "GenesysPublishPublish",
        "ResourceType": "Custom::GenesysDataActions",
        "ResourceProperties": {"ServiceToken": FUNCTION_ARN, "IntegrationName": "gda data actions (AWS Lambda)", "RoleArn": ROLE, **props},
    }
    if physical:
        body["PhysicalResourceId"] = physical
    return body


def test_create_update_delete(deployed, org: Org, cloudformation) -> None:
    server, answers = cloudformation
    n = len(deployed["acts"])
    cr.handler(event("Create", server.url), Context())
    [created] = answers
    assert created["Status"] == "SUCCESS", created["Reason"]
    assert created["PhysicalResourceId"] == "aws-lambda-data-actions/gda data actions (AWS Lambda)"
    assert created["Data"]["Published"] == n and created["Data"]["IntegrationId"] in org.state.integrations
    assert (created["RequestId"], created["LogicalResourceId"]) == ("req-Create", "GenesysPublishPublish")
    urls = {a["config"]["request"]["requestUrlTemplate"] for a in org.state.actions.values()}
    assert "arn:aws:lambda:eu-west-1:123456789012:function:gda-get-user-presence:live" in urls and len(urls) == n
    assert [c["fields"] for c in org.state.credentials.values()] == [{"ARN": ROLE}]

    cr.handler(event("Update", server.url, created["PhysicalResourceId"]), Context())
    assert answers[-1]["Status"] == "SUCCESS" and answers[-1]["Data"]["Published"] == 0 and "0 writes" in answers[-1]["Reason"]

    cr.handler(event("Delete", server.url, created["PhysicalResourceId"]), Context())
    assert answers[-1]["Status"] == "SUCCESS" and answers[-1]["Reason"].startswith("removed from Genesys")
    assert not org.state.actions and not org.state.integrations and not org.state.credentials


def test_bad_credentials_fail_create_and_let_delete_go(deployed, org: Org, standins, cloudformation, capsys) -> None:
    server, answers = cloudformation
    wrong = {**deployed["secret"], "clientSecret": "not-the-secret-7d3e"}
    standins.secretsmanager.put_secret_value(SecretId=deployed["secret_name"], SecretString=json.dumps(wrong))
    cr.handler(event("Create", server.url), Context())
    assert (
        answers[-1]["Status"] == "FAILED"
        and "Genesys Cloud refused the OAuth client in the genesysPublishSecretArn secret" in answers[-1]["Reason"]
    )
    cr.handler(event("Delete", server.url, answers[-1]["PhysicalResourceId"]), Context())
    assert answers[-1]["Status"] == "SUCCESS" and answers[-1]["Reason"].startswith("nothing removed from Genesys")
    logged = capsys.readouterr().out
    assert "not-the-secret-7d3e" not in json.dumps(answers) + logged and CLIENT_SECRET not in logged


def test_a_missing_secret_is_a_clear_failure(deployed, cloudformation, monkeypatch: pytest.MonkeyPatch) -> None:
    server, answers = cloudformation
    monkeypatch.setenv(cr.SECRET_ENV, "local/no-such-secret")
    cr.handler(event("Create", server.url), Context())
    assert answers[-1] == {
        **answers[-1],
        "Status": "FAILED",
        "Reason": "cannot read the Genesys OAuth client secret (ResourceNotFoundException)",
    }


def test_a_run_that_would_outlive_the_function_answers_first(deployed, org: Org, cloudformation) -> None:
    server, answers = cloudformation
    real = org.server.app

    def slow(req: Request) -> Response:
        time.sleep(0.2)
        return real(req)

    org.server.app = slow
    started = time.monotonic()
    cr.handler(event("Create", server.url), Context(remaining_ms=cr.MARGIN_MS + 600))
    [answer] = answers  # the watchdog's, once; the late result is not sent again
    assert answer["Status"] == "FAILED" and "ran out of time" in answer["Reason"] and "resumes" in answer["Reason"]
    assert time.monotonic() - started > 0.6
