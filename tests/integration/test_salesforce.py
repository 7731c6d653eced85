"""Salesforce adapter against the local Salesforce: tokens, INVALID_SESSION_ID refresh, limits,
retries (reads only), composite in one round trip, and clear errors."""

from __future__ import annotations

import json

import pytest

from dataactions import BackendError, RateLimited
from local.context import LocalContext
from local.standins import salesforce as sf

JANE = sf.CONTACTS[0]["Id"]


def ctx() -> LocalContext:
    return LocalContext("fn", 9)


@pytest.fixture
def server(standins):
    srv = standins.servers["salesforce"]
    yield srv
    srv.app.limit_next = srv.app.fail_next = 0


def test_one_token_per_container_and_one_request_per_warm_lookup(configure, server) -> None:
    handler = configure("salesforce-get-contact-by-email")
    before = server.app.token_requests
    handler({"email": "jane.doe@example.com"}, ctx())
    server.reset_counters()
    for _ in range(5):
        assert handler({"email": "jane.doe@example.com"}, ctx())["found"] is True
    assert server.app.token_requests == before + 1
    assert len(server.requests) == 5 and server.connections == 0


def test_expired_session_is_refreshed_once(configure, server) -> None:
    handler = configure("salesforce-get-contact-by-email")
    handler({"email": "jane.doe@example.com"}, ctx())
    server.app.expire_sessions()
    before = server.app.token_requests
    assert handler({"email": "jane.doe@example.com"}, ctx())["found"] is True
    assert server.app.token_requests == before + 1


def test_request_limit_exceeded_is_a_rate_limit_error_without_retry(configure, server) -> None:
    handler = configure("salesforce-get-contact-by-email")
    handler({"email": "jane.doe@example.com"}, ctx())
    server.app.limit_next = 3
    server.reset_counters()
    with pytest.raises(RateLimited, match="REQUEST_LIMIT_EXCEEDED"):
        handler({"email": "jane.doe@example.com"}, ctx())
    assert len(server.requests) == 1  # no Retry-After: a rolling daily limit is not worth retrying


def test_reads_retry_5xx_a_bounded_number_of_times(configure, server) -> None:
    handler = configure("salesforce-get-contact-by-email")
    server.app.fail_next = 1
    assert handler({"email": "jane.doe@example.com"}, ctx())["found"] is True
    server.app.fail_next = 10
    with pytest.raises(BackendError, match="503"):
        handler({"email": "jane.doe@example.com"}, ctx())


def test_writes_are_never_retried(configure, server) -> None:
    handler = configure("salesforce-post-case-comment")
    handler({"caseId": sf.CASES[0]["Id"], "callId": "warm", "durationSeconds": 1}, ctx())
    count = len(server.app.comments)
    server.app.fail_next = 1
    with pytest.raises(BackendError, match="503"):
        handler({"caseId": sf.CASES[0]["Id"], "callId": "c-9", "durationSeconds": 65, "notes": "n"}, ctx())
    assert len(server.app.comments) == count


def test_case_comment_body(configure, server) -> None:
    out = configure("salesforce-post-case-comment")(
        {
            "caseId": sf.CASES[0]["Id"],
            "callId": "call-1",
            "durationSeconds": 125,
            "agentName": "Alex",
            "notes": "x" * 3500,
            "isPublished": True,
        },
        ctx(),
    )
    comment = server.app.comments[-1]
    assert out["commentId"] == comment["Id"] and comment["ParentId"] == sf.CASES[0]["Id"] and comment["IsPublished"] is True
    assert comment["CommentBody"].startswith("Call call-1 (2m 05s)\nAgent: Alex\n") and len(comment["CommentBody"].encode()) <= 4000


def test_caller_context_is_one_composite_round_trip(configure, server) -> None:
    handler = configure("salesforce-get-caller-context-by-ani")
    handler({"ani": "tel:+14155550100"}, ctx())
    server.reset_counters()
    out = handler({"ani": "tel:+14155550100"}, ctx())
    assert server.requests == [("POST", "/services/data/v62.0/composite")]
    assert out["contact"]["contactId"] == JANE and out["account"]["name"] == "Acme Corporation"
    assert out["openCase"]["caseNumber"] == "00001001" and out["openCase"]["matchCount"] == 2


def test_password_flow_and_bad_credentials(configure, standins) -> None:
    assert configure("salesforce-get-contact-by-email", "password")({"email": "jane.doe@example.com"}, ctx())["found"] is True
    bad = {**standins.configs["salesforce"]["default"], "clientSecret": "wrong"}
    standins.secretsmanager.create_secret(Name="local/salesforce/badcreds", SecretString=json.dumps(bad))
    with pytest.raises(BackendError, match="HTTP 400") as info:
        configure("salesforce-get-contact-by-email", "badcreds")({"email": "jane.doe@example.com"}, ctx())
    assert "wrong" not in str(info.value)


def test_malformed_vendor_answers_are_clear_errors(configure, server, monkeypatch) -> None:
    from local.standins.server import Response

    handler = configure("salesforce-get-contact-by-email")
    handler({"email": "jane.doe@example.com"}, ctx())
    original = server.app.dispatch
    monkeypatch.setattr(server.app, "dispatch", lambda *a, **k: Response(200, {"unexpected": True}))
    with pytest.raises(BackendError, match="malformed"):
        handler({"email": "jane.doe@example.com"}, ctx())
    monkeypatch.setattr(server.app, "dispatch", lambda *a, **k: Response(200, raw=b"<html>", content_type="text/html"))
    with pytest.raises(BackendError, match="non-JSON"):
        handler({"email": "jane.doe@example.com"}, ctx())
    monkeypatch.setattr(server.app, "dispatch", original)


def test_api_requests_go_to_the_instance_the_token_answer_names(configure, standins, server) -> None:
    """The login URL serves only the token; the session's instance_url is where the API calls go."""
    secret = {**standins.configs["salesforce"]["default"], "loginUrl": server.url.replace("127.0.0.1", "localhost")}
    standins.secretsmanager.create_secret(Name="local/salesforce/loginhost", SecretString=json.dumps(secret))
    handler = configure("salesforce-get-contact-by-email", "loginhost")
    sent: list[str] = []
    handler.container.http.client.event_hooks["request"].append(lambda r: sent.append(f"{r.method} {r.url.host} {r.url.path}"))
    for _ in range(2):
        assert handler({"email": "jane.doe@example.com"}, ctx())["found"] is True
    query = "GET 127.0.0.1 /services/data/v62.0/query"
    assert sent == ["POST localhost /services/oauth2/token", query, query]
