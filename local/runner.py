"""Run an action locally exactly as Lambda would, and record what the caller receives."""

from __future__ import annotations

import json
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from dataactions import errors as errors_module
from dataactions.entry import detect
from functions import handler_for
from local.context import LocalContext


@dataclass
class Invocation:
    action_id: str
    kind: str
    ok: bool  # no function error (direct) / HTTP 2xx (API Gateway)
    payload: Any  # exactly what Genesys or API Gateway receives
    latency_ms: float
    status: int | None = None
    error_type: str | None = None
    function_error: bool = False

    @property
    def outcome(self) -> str:
        """success | not_found | <ErrorType>, comparable across direct and API Gateway calls."""
        if self.error_type:
            return self.error_type
        body = self.output
        return "not_found" if isinstance(body, dict) and body.get("found") is False else "success"

    @property
    def output(self) -> Any:
        if self.kind == "direct":
            return self.payload
        try:
            return json.loads(self.payload["body"])
        except (KeyError, TypeError, ValueError):
            return None


def _error_classes() -> dict[str, type[errors_module.ActionError]]:
    """Every ActionError class by name, including those a layer adds (soapbridge's SoapFault)."""
    found: dict[str, type[errors_module.ActionError]] = {}
    todo = [errors_module.ActionError]
    while todo:
        cls = todo.pop()
        found[cls.__name__] = cls
        todo += cls.__subclasses__()
    return found


def _error_by_code(code: Any) -> str | None:
    return next((name for name, cls in _error_classes().items() if cls.code == code), None)


def _matches(got: Any, want: Any) -> bool:
    """``want`` is a subset of ``got``: dicts by key (recursively), lists item by item, values equal."""
    if isinstance(want, dict):
        return isinstance(got, dict) and all(k in got and _matches(got[k], v) for k, v in want.items())
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(_matches(g, w) for g, w in zip(got, want))
    return got == want and type(got) is type(want) if isinstance(want, bool) or isinstance(got, bool) else got == want


def invoke(action_id: str, event: Any, correlation_id: str | None = "local-demo") -> Invocation:
    """Invoke the action's real handler with a Lambda-like context."""
    handler = handler_for(action_id)
    act = handler.action
    ctx = LocalContext(f"local-{act.id}", act.lambda_timeout_seconds, act.memory_mb, correlation_id)
    kind = detect(event)
    started = time.perf_counter()
    try:
        result = handler(event, ctx)
    except Exception as exc:  # what the Lambda service reports as a function error
        elapsed = (time.perf_counter() - started) * 1000
        payload = {
            "errorMessage": str(exc),
            "errorType": type(exc).__name__,
            "requestId": ctx.aws_request_id,
            "stackTrace": traceback.format_list(traceback.extract_tb(exc.__traceback__)),
        }
        return Invocation(act.id, kind, False, payload, elapsed, error_type=type(exc).__name__, function_error=True)
    elapsed = (time.perf_counter() - started) * 1000
    if kind == "direct":
        return Invocation(act.id, kind, True, result, elapsed)
    status = int(result.get("statusCode", 0))
    inv = Invocation(act.id, kind, 200 <= status < 300, result, elapsed, status=status)
    if not inv.ok:
        body = inv.output or {}
        inv.error_type = _error_by_code(body.get("code")) or f"HTTP{status}"
    return inv


def check(inv: Invocation, expected: dict[str, Any]) -> list[str]:
    """Differences between an invocation and its expectation (empty list: as expected)."""
    problems = []
    want = expected.get("outcome", "success")
    if inv.outcome != want:
        problems.append(f"outcome {inv.outcome} != {want}")
    if inv.kind != "direct" and "outcome" in expected:
        want_status = 200 if want in ("success", "not_found") else _error_classes()[want].status
        if inv.status != want_status:
            problems.append(f"HTTP {inv.status} != {want_status}")
    output = inv.output if inv.ok else None
    for key, value in (expected.get("output") or {}).items():
        got = output.get(key) if isinstance(output, dict) else None
        if not _matches(got, value):
            problems.append(f"{key}={got!r} != {value!r}")
    return problems


@dataclass
class DemoRow:
    action_id: str
    config: str
    event: str
    kind: str
    outcome: str
    latency_ms: float
    problems: list[str] = field(default_factory=list)
