"""The per-invocation log line is formatted directly (no generic encoder on the warm path): it must be
byte for byte what json.dumps writes for the same fields, for any value a caller can put there."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dataactions import log


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[io.StringIO]:
    monkeypatch.setattr(log.time, "time", lambda: 1796284800.123456)
    buf = io.StringIO()
    log.set_stream(buf)
    yield buf
    log.set_stream(None)


def both(buf: io.StringIO, *args: Any, extra: dict[str, Any] | None = None) -> tuple[str, str]:
    level, action, config, kind, outcome, duration, cid, request_id, cold = args
    log.invocation(level, action, config, kind, outcome, duration, cid, request_id, cold, extra)
    fields = {
        "action": action,
        "config": config,
        "invocation": kind,
        "outcome": outcome,
        "durationMs": duration,
        "correlationId": cid,
        "requestId": request_id,
        "coldStart": cold,
        **(extra or {}),
    }
    log.emit(level, fields)
    fast, generic = buf.getvalue().splitlines()
    buf.seek(0)
    buf.truncate()
    return fast, generic


def test_the_line_is_what_json_dumps_writes(lines: io.StringIO) -> None:
    fast, generic = both(lines, "INFO", "validate-card-payment", "default", "direct", "success", 1.5, "abc", "req-1", True)
    assert fast == generic
    assert fast == json.dumps(
        {
            "level": "INFO",
            "timestamp": 1796284800.123,
            "action": "validate-card-payment",
            "config": "default",
            "invocation": "direct",
            "outcome": "success",
            "durationMs": 1.5,
            "correlationId": "abc",
            "requestId": "req-1",
            "coldStart": True,
        },
        separators=(",", ":"),
    )


@pytest.mark.parametrize(
    "extra",
    [
        None,
        {},
        {"status": 200},
        {"status": 500, "error": "KeyError"},
        {"input": {"a": [1, 2.5, None, True], "b": 'é\n"', "c": Decimal("1.10")}},
        {"weird": float("nan"), "inf": float("inf"), "big": 10**30, "flag": False},
    ],
)
def test_optional_fields_and_odd_values(lines: io.StringIO, extra: dict[str, Any] | None) -> None:
    fast, generic = both(lines, "ERROR", "a", "c", "apigw-v1", "internal_error", 0.001, "x", None, False, extra=extra)
    assert fast == generic


@given(
    text=st.text(),
    request_id=st.one_of(st.none(), st.text(), st.integers(), st.floats()),
    duration=st.floats(allow_nan=False, allow_infinity=False),
)
def test_any_text_is_escaped_as_json_does(text: str, request_id: Any, duration: float) -> None:
    buf = io.StringIO()
    log.set_stream(buf)
    try:
        fast, generic = both(buf, "INFO", text, text, "direct", "success", duration, text, request_id, True)
    finally:
        log.set_stream(None)
    assert isinstance(json.loads(fast), dict)
    # the two lines differ only in the timestamp if the clock ticked between them
    assert fast.split(',"action":', 1)[1] == generic.split(',"action":', 1)[1]
