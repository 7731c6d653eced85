"""One structured JSON line per invocation, written straight to stdout (CloudWatch).

A hand-written line rather than a logging framework: it is the whole per-invocation log, it
costs a few microseconds, and it imports nothing at cold start (see README, "Cold start").
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any, TextIO

_stream: TextIO | None = None


def set_stream(stream: TextIO | None) -> None:
    """Redirect log lines (tests, benchmarks); ``None`` restores stdout."""
    global _stream
    _stream = stream


def emit(level: str, fields: dict[str, Any]) -> None:
    """Write one JSON line. ``fields`` must already be free of secrets and card data."""
    record = {"level": level, "timestamp": round(time.time(), 3), **fields}
    (_stream or sys.stdout).write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
