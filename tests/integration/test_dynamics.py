"""Dynamics 365 adapter against the local Dataverse: Entra token reuse and refresh, $count in one
request, 429 + Retry-After, and the local server's @odata.nextLink paging."""

from __future__ import annotations

import httpx
import pytest

from dataactions import BackendError
from local.context import LocalContext
from local.standins import dynamics as dyn

MARIA = dyn.CONTACTS[0]["contactid"]


@pytest.fixture
def server(standins):
    srv = standins.servers["dynamics"]
    yield srv
    srv.app.throttle_next = 0


def test_one_request_and_one_token_for_warm_lookups(configure, server) -> None:
    handler = configure("dynamics-get-contact-by-phone-number")
    before = server.app.token_requests
    handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))
    server.reset_counters()
    for _ in range(5):
        assert handler({"phoneNumber": "tel:+14155550100"}, LocalContext("fn", 9))["fullName"] == "Maria Garcia"
    assert server.app.token_requests == before + 1 and len(server.requests) == 5 and server.connections == 0


def test_revoked_token_is_refreshed_once(configure, server) -> None:
    handler = configure("dynamics-get-case-by-case-id")
    case_id = dyn.INCIDENTS[0]["incidentid"]
    handler({"caseId": case_id}, LocalContext("fn", 9))
    server.app.tokens.clear()
    assert handler({"caseId": case_id}, LocalContext("fn", 9))["found"] is True


def test_service_protection_429_is_retried(configure, server) -> None:
    server.app.throttle_next = 1
    out = configure("dynamics-get-most-recent-open-case-by-contact-id")({"contactId": MARIA}, LocalContext("fn", 9))
    assert out["matchCount"] == 2 and out["ticketNumber"] == "CAS-01001-A1B2"


def test_bad_client_secret_is_a_clear_error(configure, standins) -> None:
    import json

    bad = {**standins.configs["dynamics"]["default"], "clientSecret": "wrong-secret"}
    standins.secretsmanager.create_secret(Name="local/dynamics/badsecret", SecretString=json.dumps(bad))
    with pytest.raises(BackendError, match="rejected our credentials") as info:
        configure("dynamics-get-case-by-case-id", "badsecret")({"caseId": dyn.INCIDENTS[0]["incidentid"]}, LocalContext("fn", 9))
    assert "wrong-secret" not in str(info.value)


def test_local_dataverse_pages_with_next_link(server) -> None:
    token = httpx.post(
        f"{server.url}/{dyn.TENANT}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": dyn.CLIENT_ID,
            "client_secret": dyn.CLIENT_SECRET,
            "scope": f"{server.url}/.default",
        },
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Prefer": "odata.maxpagesize=2"}
    url, names = f"{server.url}{dyn.API}/accounts?$select=name&$count=true", []
    while url:
        body = httpx.get(url, headers=headers).json()
        names += [r["name"] for r in body["value"]]
        url = body.get("@odata.nextLink")
    assert len(names) == len(dyn.ACCOUNTS)
    bad = httpx.get(f"{server.url}{dyn.API}/accounts?$filter=name eq 'x", headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"].startswith("0x")
