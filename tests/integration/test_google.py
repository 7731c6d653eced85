"""Google Sheets against the local Google: service-account tokens via google-auth (one per
container), quota errors, bad credentials."""

from __future__ import annotations

import json

import pytest

from dataactions import BackendError, RateLimited
from local.context import LocalContext


@pytest.fixture
def server(standins):
    srv = standins.servers["google"]
    yield srv
    srv.app.throttle_next = 0


def test_one_token_and_one_request_per_warm_lookup(configure, server) -> None:
    handler = configure("google-get-customer-by-phone-number")
    before = server.app.token_requests
    handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))
    server.reset_counters()
    for _ in range(3):
        assert handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))["rowNumber"] == 2
    assert server.app.token_requests == before + 1 and len(server.requests) == 3


def test_quota_exceeded_is_a_rate_limit_error(configure, server) -> None:
    handler = configure("google-query-rows")
    handler({"column": "Name", "value": "Jane Doe"}, LocalContext("fn", 9))
    server.app.throttle_next = 1
    with pytest.raises(RateLimited, match="RESOURCE_EXHAUSTED"):
        handler({"column": "Name", "value": "Jane Doe"}, LocalContext("fn", 9))


def test_a_key_google_does_not_know_is_refused_without_leaking_it(configure, standins) -> None:
    from local.standins.google import _keypair

    other_key, _ = _keypair()
    bad = {**standins.configs["google"]["default"], "privateKey": other_key}
    standins.secretsmanager.create_secret(Name="local/google/otherkey", SecretString=json.dumps(bad))
    with pytest.raises(BackendError, match="invalid_grant") as info:
        configure("google-query-rows", "otherkey")({"column": "Name", "value": "x"}, LocalContext("fn", 9))
    assert "PRIVATE KEY" not in str(info.value)
    garbage = {**standins.configs["google"]["default"], "privateKey": "not a key"}
    standins.secretsmanager.create_secret(Name="local/google/garbage", SecretString=json.dumps(garbage))
    with pytest.raises(BackendError, match="not usable"):
        configure("google-query-rows", "garbage")({"column": "Name", "value": "x"}, LocalContext("fn", 9))


def test_update_leaves_other_cells_alone(configure, server) -> None:
    before = list(server.app.rows[2])
    configure("google-update-row")({"rowNumber": 3, "fieldsJson": json.dumps({"Notes": "vip"})}, LocalContext("fn", 9))
    assert server.app.rows[2][:4] == before[:4] and server.app.rows[2][4] == "vip"


def test_writes_read_only_the_header_row(configure, server) -> None:
    handler = configure("google-append-row")
    handler({"fieldsJson": json.dumps({"Name": "Warm Up"})}, LocalContext("fn", 9))
    server.reset_counters()
    handler({"fieldsJson": json.dumps({"Name": "Header Check"})}, LocalContext("fn", 9))
    assert [m for m, _ in server.requests] == ["GET", "POST"]
    assert server.requests[0][1].endswith("%21A1%3AE1") or server.requests[0][1].endswith("!A1:E1")
