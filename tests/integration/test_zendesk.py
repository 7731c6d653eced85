"""Zendesk adapter against the local Zendesk: auth, one request per lookup, 429 + Retry-After."""

from __future__ import annotations

import json

import pytest

from dataactions import BackendError, RateLimited
from local.context import LocalContext


@pytest.fixture
def server(standins):
    srv = standins.servers["zendesk"]
    yield srv
    srv.app.throttle_next = 0


def test_one_request_per_warm_lookup_on_one_connection(configure, server) -> None:
    handler = configure("zendesk-get-user-by-phone-number")
    handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))
    server.reset_counters()
    for _ in range(5):
        assert handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))["userId"] == 9001
    assert len(server.requests) == 5 and server.connections == 0


def test_rate_limit_is_retried_after_the_advertised_wait(configure, server) -> None:
    handler = configure("zendesk-get-user-by-user-id")
    server.app.throttle_next = 1
    assert handler({"userId": 9001}, LocalContext("fn", 9))["found"] is True


def test_rate_limit_that_outlasts_the_invocation_is_a_clear_error(configure, server) -> None:
    handler = configure("zendesk-get-user-by-user-id")
    server.app.throttle_next = 5
    with pytest.raises(RateLimited, match="429"):
        handler({"userId": 9001}, LocalContext("fn", 9))


def test_bad_token_is_a_backend_error_without_the_token(configure, standins) -> None:
    bad = {**standins.configs["zendesk"]["default"], "apiToken": "nope-nope"}
    standins.secretsmanager.create_secret(Name="local/zendesk/badtoken", SecretString=json.dumps(bad))
    with pytest.raises(BackendError, match="rejected our credentials") as info:
        configure("zendesk-get-user-by-user-id", "badtoken")({"userId": 9001}, LocalContext("fn", 9))
    assert "nope" not in str(info.value)
