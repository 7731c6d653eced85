"""Genesys' test endpoint through to the local functions: the stand-in's AWS Lambda integration
invokes the real handler with the input object as its event, and a raised error comes back the way
Genesys reports a function error (``ACTION.REMOTE_ENDPOINT``); the web services integration calls
the local API with its credential."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from jsonschema import Draft4Validator  # type: ignore[import-untyped]

from definitions.genesys_api import web_services_bundle
from functions import all_actions, handler_for
from functions.publisher.reconcile import ACTIONS, Publisher
from local.api import make_server
from local.events import event_files, expectations
from local.genesys_publish import attach_local, print_test
from local.runner import _matches
from tests.conftest import log_records

ACTIONS_UNDER_TEST = ["get-user-presence", "validate-card-payment", "number-to-words", "salesforce-post-case-comment"]


def _cases(action_id: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(case, event, expectation) of the direct events that satisfy the input contract (Genesys
    refuses the others before calling anything)."""
    from definitions.contracts import input_schema

    schema = input_schema(all_actions()[action_id])
    out = []
    for ev in event_files(action_id):
        body = ev.load()
        if ev.kind == "direct" and not list(Draft4Validator(schema).iter_errors(body)):
            out.append((ev.case, body, expectations(action_id).get(ev.case, {})))
    return out


def published_action(pub: Publisher, key: str, seen: Any) -> dict[str, Any]:
    found = pub.current(key, seen)
    assert found is not None and found[0] == "action"
    return found[1]


def fresh_org(standins, acts):
    """The session's stand-ins, with a fresh organization's integrations (other tests share them)."""
    standins.servers["genesys"].app.__dict__.pop("_integrations_state", None)
    return attach_local(standins, acts)


@pytest.fixture
def local(standins):
    acts = [all_actions()[a] for a in ACTIONS_UNDER_TEST]
    org = fresh_org(standins, acts)
    with org.client.platform() as api:
        pub = Publisher(api, org.bundle())
        _, out = pub.publish()
        assert out.ok
        yield org, api, pub, pub.observe()


@pytest.mark.parametrize("action_id", ACTIONS_UNDER_TEST)
def test_test_endpoint_runs_the_function_like_genesys(local, action_id: str, logs) -> None:
    org, api, pub, seen = local
    action = published_action(pub, action_id, seen)
    cases = _cases(action_id)
    assert any(e.get("outcome", "success") not in ("success", "not_found") for _, _, e in cases) or action_id == "get-user-presence"
    for case, body, expected in cases:
        before = len(log_records(logs))
        result = api.post(f"{ACTIONS}/{action['id']}/test", body)
        steps = [(op["name"], op["success"]) for op in result["operations"]]
        assert steps[:4] == [
            ("Check the integration", True),
            ("Validate input against the input contract", True),
            ("Resolve request templates", True),
            ("Invoke the AWS Lambda function", result["success"]),
        ], case
        [record] = log_records(logs)[before:]  # the real handler ran once, called as Genesys calls Lambda
        assert record["action"] == action_id and record["invocation"] == "direct"
        outcome = expected.get("outcome", "success")
        if outcome in ("success", "not_found"):
            assert result["success"] is True, (case, result.get("error"))
            assert [s for _, s in steps] == [True] * 6
            assert all(_matches(result["finalResult"].get(k), v) for k, v in (expected.get("output") or {}).items()), case
        else:
            err = result["error"]
            assert result["success"] is False and record["outcome"] != "success"
            assert (err["status"], err["code"], err["details"]) == (500, "internal.server.error", [{"errorCode": "ACTION.REMOTE_ENDPOINT"}])
            assert err["message"].startswith("REST call for action execute failed. Message: Invoked function failed")
            assert f"errorType:{outcome}, errorMessage:" in err["message"]
        if all_actions()[action_id].secure:  # a secure action's request is never shown, its inputs appear nowhere
            assert result["operations"][2]["result"]["body"] == "(secure action: not shown)"
            assert body["cardNumber"] not in json.dumps(result)


def test_execute_answers_the_flow_s_failure_as_genesys_does(local) -> None:
    org, api, pub, seen = local
    action = published_action(pub, "number-to-words", seen)
    ok = api.post(f"{ACTIONS}/{action['id']}/execute", {"number": 42})
    assert ok["words"].strip().lower().startswith("forty")
    from functions.publisher.platform import PlatformError

    with pytest.raises(PlatformError) as failed:
        api.post(f"{ACTIONS}/{action['id']}/execute", {"number": 1000000000000000000})
    assert failed.value.status == 500 and failed.value.code == "internal.server.error" and "errorType:SoapFault" in failed.value.message


def test_print_test_shows_each_step_and_the_failure_path(local, capsys) -> None:
    org, api, pub, seen = local
    found = pub.current("number-to-words", seen)
    assert found is not None
    import io

    out = io.StringIO()
    assert print_test(api, found, {"number": 1000000000000000000}, False, out) == 1
    text = out.getvalue()
    assert " 4 FAILED Invoke the AWS Lambda function" in text
    assert "failure path: HTTP 500 internal.server.error [ACTION.REMOTE_ENDPOINT]" in text and "errorType:SoapFault" in text
    out = io.StringIO()
    assert print_test(api, found, {"number": 7}, True, out) == 0
    assert "success path; the flow gets:" in out.getvalue()


def test_web_services_integration_calls_the_api_with_its_credential(standins, configure) -> None:
    acts = [all_actions()[a] for a in ("number-to-words", "get-user-presence")]
    for act in acts:
        configure(act.id)
    server = make_server(0, "ws-secret-key-0123456789", acts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    org = fresh_org(standins, acts)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        bundle = web_services_bundle([(a, "default") for a in acts], url, "apikey", {"apiKey": "ws-secret-key-0123456789"}, "gda")
        with org.client.platform() as api:
            pub = Publisher(api, bundle)
            plan, out = pub.publish()
            assert out.ok and out.published == 2
            [integration] = org.app.integrations.integrations.values()
            assert integration["integrationType"]["id"] == "custom-rest-actions"
            [cred] = org.app.integrations.credentials.values()
            assert cred["type"] == "userDefined"
            shown = api.get(f"/api/v2/integrations/credentials/{next(iter(org.app.integrations.credentials))}")
            assert shown["credentialFields"] == {"apiKey": "********"}  # read back redacted
            action = published_action(pub, "number-to-words", pub.observe())
            result = api.post(f"{ACTIONS}/{action['id']}/test", {"number": 3})
            assert result["success"] and result["finalResult"]["words"].strip().lower() == "three"
            text = json.dumps([out.lines, plan.integration.lines(bundle.integration, None), [a.describe() for a in plan.actions], result])
            assert "ws-secret-key-0123456789" not in text
            # a wrong key in the credential: the API refuses, the flow takes the failure path
            wrong = web_services_bundle([(a, "default") for a in acts], url, "apikey", {"apiKey": "not-the-key"}, "gda")
            _, out = Publisher(api, wrong).publish()
            assert out.ok and any("credential" in line and "updated" in line for line in out.lines)
            failed = api.post(f"{ACTIONS}/{action['id']}/test", {"number": 3})
            assert not failed["success"] and failed["error"]["status"] == 403
    finally:
        server.shutdown()
        server.server_close()
        for act in acts:
            handler_for(act.id).configure(standins.environ(act))
