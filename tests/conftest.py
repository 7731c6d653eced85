"""Shared fixtures: the local standins (real localhost servers + moto Secrets Manager) and log capture."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator

import pytest

from dataactions import log
from functions import all_actions, handler_for
from local.standins import StandIns


@pytest.fixture(autouse=True)
def _no_outside_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may only talk to localhost."""
    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "localhost", "::1") and not host.startswith("/"):
            raise OSError(f"tests must not connect outside localhost ({host})")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def standins() -> Iterator[StandIns]:
    with StandIns() as running:
        yield running


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Every log line the functions write during the test."""
    buf = io.StringIO()
    log.set_stream(buf)
    yield buf
    log.set_stream(None)


def log_records(buf: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buf.getvalue().splitlines() if line]


@pytest.fixture
def configure(standins: StandIns):
    """configure(action_id, config=None, **env) -> the handler, with a fresh container on the local standins."""

    def _configure(action_id: str, config: str | None = None, **env: str):
        handler = handler_for(action_id)
        handler.configure({**standins.environ(all_actions()[action_id], config), **env})
        return handler

    return _configure
