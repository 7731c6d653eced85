"""dataactions.vendor and dataactions.http through real actions against the local stand-ins: a
retry is decided by the time left, so near the deadline a 429 ends as RateLimited and a 5xx as
BackendError (the vendor's answer, not a timeout); transport failures are data-free errors."""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator

import pytest

from dataactions import BackendError, BackendTimeout, RateLimited
from local.context import LocalContext


class DeadlineAfterAnswer(LocalContext):
    """A Lambda context with plenty of time until ``server`` has answered once, then 280 ms: past
    the 250 ms reply margin, 30 ms for backend calls, too little for any retry."""

    def __init__(self, server) -> None:
        super().__init__("fn", 9)
        self.server = server
        self.answered_before = len(server.requests)

    def get_remaining_time_in_millis(self) -> int:
        return 9000 if len(self.server.requests) == self.answered_before else 280


@pytest.fixture
def zendesk(standins):
    srv = standins.servers["zendesk"]
    yield srv
    srv.app.throttle_next = 0


@pytest.fixture
def salesforce(standins):
    srv = standins.servers["salesforce"]
    yield srv
    srv.app.fail_next = 0


def test_a_429_near_the_deadline_is_rate_limited_not_a_timeout(configure, zendesk) -> None:
    handler = configure("zendesk-get-user-by-user-id")
    handler({"userId": 9001}, LocalContext("fn", 9))
    zendesk.app.throttle_next = 1  # one 429 with Retry-After: 1, then answers
    zendesk.reset_counters()
    with pytest.raises(RateLimited, match="429"):
        handler({"userId": 9001}, DeadlineAfterAnswer(zendesk))
    assert len(zendesk.requests) == 1
    assert handler({"userId": 9001}, LocalContext("fn", 9))["found"] is True  # with time, it would have been retried


def test_a_5xx_near_the_deadline_is_a_backend_error_not_a_timeout(configure, salesforce) -> None:
    handler = configure("salesforce-get-contact-by-email")
    handler({"email": "jane.doe@example.com"}, LocalContext("fn", 9))
    salesforce.app.fail_next = 1
    salesforce.reset_counters()
    with pytest.raises(BackendError, match="HTTP 503 SERVER_UNAVAILABLE"):
        handler({"email": "jane.doe@example.com"}, DeadlineAfterAnswer(salesforce))
    assert len(salesforce.requests) == 1


def test_a_5xx_with_time_left_is_retried_after_a_back_off(configure, salesforce) -> None:
    handler = configure("salesforce-get-contact-by-email")
    handler({"email": "jane.doe@example.com"}, LocalContext("fn", 9))
    salesforce.app.fail_next = 1
    salesforce.reset_counters()
    started = time.monotonic()
    assert handler({"email": "jane.doe@example.com"}, LocalContext("fn", 9))["found"] is True
    assert len(salesforce.requests) == 2 and time.monotonic() - started >= 0.4


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A localhost port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _zendesk_at(standins, base_url: str) -> str:
    name = f"t{uuid.uuid4().hex[:8]}"
    secret = {**standins.configs["zendesk"]["default"], "baseUrl": base_url}
    standins.secretsmanager.create_secret(Name=standins.secret_name("zendesk", name), SecretString=json.dumps(secret))
    return name


def test_an_unreachable_vendor_is_a_backend_error(configure, standins) -> None:
    handler = configure("zendesk-get-user-by-user-id", _zendesk_at(standins, f"http://127.0.0.1:{_closed_port()}"))
    with pytest.raises(BackendError, match=r"Zendesk is unreachable \(ConnectError\)"):
        handler({"userId": 9001}, LocalContext("fn", 9))


def test_a_vendor_that_never_answers_is_a_timeout_within_the_time_left(configure, standins, silent_port) -> None:
    handler = configure("zendesk-get-user-by-user-id", _zendesk_at(standins, f"http://127.0.0.1:{silent_port}"))
    started = time.monotonic()
    with pytest.raises(BackendTimeout, match="Zendesk did not answer in time"):
        handler({"userId": 9001}, LocalContext("fn", 1.5))
    assert time.monotonic() - started < 1.5
