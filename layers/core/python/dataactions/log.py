"""One structured JSON line per invocation, written straight to stdout (CloudWatch).

A hand-written line rather than a logging framework: it is the whole per-invocation log, it
costs a microsecond or two, and it imports nothing at cold start (see README, "Cold start").
"""

from __future__ import annotations

import json
import sys
import time
from json.encoder import encode_basestring_ascii as _string  # what json.dumps writes for a str
from typing import Any, TextIO

_stream: TextIO | None = None
# Built once: json.dumps(..., separators=...) builds a new encoder on every call.
_encode = json.JSONEncoder(separators=(",", ":"), default=str).encode


def set_stream(stream: TextIO | None) -> None:
    """Redirect log lines (tests, benchmarks); ``None`` restores stdout."""
    global _stream
    _stream = stream


def emit(level: str, fields: dict[str, Any]) -> None:
    """Write one JSON line. ``fields`` must already be free of secrets and card data."""
    record = {"level": level, "timestamp": round(time.time(), 3), **fields}
    (_stream or sys.stdout).write(_encode(record) + "\n")


def _value(value: Any) -> str:
    """``value`` as json.dumps writes it; strings, numbers and booleans without the generic encoder."""
    kind = type(value)
    if kind is str:
        return _string(value)
    if kind is int:
        return int.__repr__(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is float and value - value == 0:  # finite: NaN and the infinities are json's own spelling
        return float.__repr__(value)
    return _encode(value)


def invocation(
    level: str,
    action: str,
    config: str,
    kind: str,
    outcome: str,
    duration_ms: float,
    correlation_id: str,
    request_id: Any,
    cold_start: bool,
    extra: dict[str, Any] | None = None,
) -> None:
    """The line of one invocation: exactly what ``emit(level, {"action": action, "config": config,
    "invocation": kind, "outcome": outcome, "durationMs": duration_ms, "correlationId": ...,
    "requestId": ..., "coldStart": ..., **extra})`` writes, in that order, without the generic
    encoder's per-call cost (the fixed fields are formatted directly; strings through json's own
    escaping). ``extra`` must be free of secrets and card data."""
    line = (
        f'{{"level":{_string(level)},"timestamp":{round(time.time(), 3)!r},"action":{_string(action)},'
        f'"config":{_string(config)},"invocation":{_string(kind)},"outcome":{_string(outcome)},'
        f'"durationMs":{_value(duration_ms)},"correlationId":{_string(correlation_id)},"requestId":{_value(request_id)},'
        f'"coldStart":{"true" if cold_start else "false"}'
    )
    if extra:
        for key, value in extra.items():
            line += f",{_string(key)}:{_value(value)}"
    (_stream or sys.stdout).write(line + "}\n")
