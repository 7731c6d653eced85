"""The bearer-token source (dataactions.tokens) through a real action against the local Genesys
Cloud: one token per container, one renewal per refusal, Basic client authentication, and a token
request bounded by the time the invocation has left."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from dataactions import BackendError, BackendTimeout
from local.context import LocalContext
from local.standins import genesys as gen

PRESENCE = {"userId": gen.USER_ALICE}
TOKEN = ("POST", "/oauth/token")
PRESENCE_GET = ("GET", f"/api/v2/users/{gen.USER_ALICE}/presences/PURECLOUD")


@pytest.fixture
def server(standins):
    return standins.servers["genesys"]


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A localhost port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def _config(standins, **changes: str) -> str:
    name = f"t{uuid.uuid4().hex[:8]}"
    secret = {**standins.configs["genesys"]["default"], **changes}
    standins.secretsmanager.create_secret(Name=standins.secret_name("genesys", name), SecretString=json.dumps(secret))
    return name


def test_one_token_per_container_and_one_request_per_warm_lookup(configure, server) -> None:
    handler = configure("get-user-presence")
    server.reset_counters()
    handler(PRESENCE, LocalContext("fn", 9))
    assert server.requests == [TOKEN, PRESENCE_GET]  # Basic client authentication accepted
    server.reset_counters()
    for _ in range(5):
        assert handler(PRESENCE, LocalContext("fn", 9))["presence"] == "Available"
    assert server.requests == [PRESENCE_GET] * 5 and server.connections == 0
    assert handler.container._resources["GenesysClient"].tokens.requests == 1


def test_a_refused_token_is_renewed_once_and_the_request_sent_again(configure, server) -> None:
    handler = configure("get-user-presence")
    handler(PRESENCE, LocalContext("fn", 9))
    server.app.tokens.clear()  # revoked
    server.reset_counters()
    assert handler(PRESENCE, LocalContext("fn", 9))["found"] is True
    assert server.requests == [PRESENCE_GET, TOKEN, PRESENCE_GET]


def test_a_second_refusal_is_a_clear_error_not_a_loop(configure, server, monkeypatch) -> None:
    class Revoked(set):
        def __contains__(self, item: object) -> bool:
            return False

    handler = configure("get-user-presence")
    monkeypatch.setattr(server.app, "tokens", Revoked())  # the token endpoint issues tokens the API refuses
    server.reset_counters()
    with pytest.raises(BackendError, match=r"rejected our credentials \(HTTP 401 bad.credentials\)"):
        handler(PRESENCE, LocalContext("fn", 9))
    assert server.requests == [TOKEN, PRESENCE_GET, TOKEN, PRESENCE_GET]


def test_a_bad_client_secret_is_the_token_endpoints_error_without_the_secret(configure, standins) -> None:
    handler = configure("get-user-presence", _config(standins, clientSecret="not-the-secret"))
    with pytest.raises(BackendError, match="HTTP 400") as info:
        handler(PRESENCE, LocalContext("fn", 9))
    assert "not-the-secret" not in str(info.value)


def test_the_token_request_gets_only_the_time_the_invocation_has_left(configure, standins, silent_port) -> None:
    handler = configure("get-user-presence", _config(standins, loginUrl=f"http://127.0.0.1:{silent_port}"))
    started = time.monotonic()
    with pytest.raises(BackendTimeout, match="did not answer in time"):
        handler(PRESENCE, LocalContext("fn", 1.5))  # 1.25 s for backend calls after the reply margin
    assert time.monotonic() - started < 1.5
