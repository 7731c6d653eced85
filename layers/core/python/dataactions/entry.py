"""The Lambda entry point of a data action (what ``@action`` makes of the declared function),
and the one place where errors become outcomes.

* Direct invoke by the Genesys Lambda integration: the event is the input object and the return
  value is the output object. Any failure is *raised*: that is the only thing that takes the flow's
  failure path. The raised error carries a concise, data-free message and no stack beyond this frame.
* API Gateway proxy (REST v1 and HTTP API v2): JSON body in, JSON out; 400 / 502 / 504 / 500 with
  ``{code, message}`` and an ``X-Correlation-Id`` header.
"""

from __future__ import annotations

import base64
import json
import re
import time
from typing import TYPE_CHECKING, Any

from dataactions import log
from dataactions.container import Container
from dataactions.context import ActionContext
from dataactions.declaration import ConfigT, In, Out, declare
from dataactions.errors import ActionError, InternalError, InvalidInput

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from dataactions.declaration import Action, Backend

MAX_BODY_BYTES = 64 * 1024
_dumps = json.JSONEncoder(separators=(",", ":")).encode  # built once (json.dumps with options builds one per call)
CORRELATION_HEADER = "inin-correlation-id"


def detect(event: Any) -> str:
    """``direct``, ``apigw-v1`` or ``apigw-v2``. Genesys inputs are flat, so a dict requestContext means API Gateway."""
    if isinstance(event, dict):
        rc = event.get("requestContext")
        if isinstance(rc, dict):
            if event.get("version") == "2.0" or isinstance(rc.get("http"), dict):
                return "apigw-v2"
            if "httpMethod" in event or "httpMethod" in rc:
                return "apigw-v1"
    return "direct"


def describe(exc: ValueError) -> str:
    """A validation error (pydantic's is a ValueError) as text: field names and rules only, never the values."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return "Invalid input"
    parts = []
    for err in errors(include_url=False, include_context=False, include_input=False)[:6]:
        loc = ".".join(str(p) for p in err["loc"]) or "input"
        parts.append(f"{loc}: {err['msg']}")
    return "Invalid input: " + "; ".join(parts)


_UNSAFE = re.compile(r"[^A-Za-z0-9._:-]")


def _safe_id(value: Any) -> str:
    """Correlation ids come from callers: keep them short and plain before they reach logs and headers."""
    return _UNSAFE.sub("", str(value))[:128] or "-"


def _client_context_correlation(context: Any) -> str | None:
    """ININ-Correlation-Id from the Lambda client context (Genesys sends the ININ-* ids there)."""
    cc = getattr(context, "client_context", None)
    if cc is None:
        return None
    for bag in (getattr(cc, "custom", None), cc if isinstance(cc, dict) else None):
        if isinstance(bag, dict):
            for key, value in bag.items():
                if key.lower() == CORRELATION_HEADER and isinstance(value, str):
                    return value
    return None


def action(
    *,
    name: str,
    description: str,
    input: type[In],
    output: type[Out],
    backend: Backend[ConfigT],
    secure: bool = False,
    timeout_seconds: int = 10,
    memory_mb: int = 256,
    id: str | None = None,
) -> Callable[[Callable[[In, ActionContext[ConfigT]], Out]], Handler]:
    """Declare a data action next to its logic; the decorated function becomes its Lambda handler.

    The handler string is ``<module>.<function name>``; everything else (stacks, routes, Genesys
    definitions, docs, event checks) is derived from the :class:`Action` the handler carries.
    """

    def wrap(logic: Callable[[In, ActionContext[ConfigT]], Out]) -> Handler:
        return Handler(
            declare(
                logic,
                name=name,
                description=description,
                input=input,
                output=output,
                backend=backend,
                secure=secure,
                timeout_seconds=timeout_seconds,
                memory_mb=memory_mb,
                id=id,
            )
        )

    return wrap


class Handler:
    """The Lambda entry point of one action (what the handler string names)."""

    def __init__(self, action: Action[Any, Any, Any]) -> None:
        self.action = action
        self._container: Container[Any] | None = None

    def configure(self, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Container[Any]:
        """Start a fresh container state (first invocation does this from ``os.environ``)."""
        self._container = Container(self.action.backend, environ, **kwargs)
        return self._container

    @property
    def container(self) -> Container[Any]:
        return self._container or self.configure()

    def __call__(self, event: Any, context: Any = None) -> Any:
        started = time.perf_counter()
        container = self.container
        container.invocations += 1
        kind = detect(event)
        if kind == "direct":
            return self._direct(event, context, container, started)
        return self._http(event, context, container, kind, started)

    # -- the two callers -------------------------------------------------------------------------

    def _direct(self, event: Any, context: Any, container: Container[Any], started: float) -> Any:
        cid = _safe_id(_client_context_correlation(context) or getattr(context, "aws_request_id", ""))
        try:
            result = self._run(event, context, container, cid)
        except ActionError as err:
            self._log(container, "direct", cid, started, err.outcome, context, event, err.code)
            raise err.with_traceback(None) from None
        except Exception as exc:
            self._log(container, "direct", cid, started, "internal_error", context, event, type(exc).__name__)
            raise InternalError(f"Internal error in {self.action.id}; see the function log, correlation id {cid}") from None
        self._log(container, "direct", cid, started, _outcome(result), context, event)
        return result

    def _http(self, event: dict[str, Any], context: Any, container: Container[Any], kind: str, started: float) -> dict[str, Any]:
        headers = {str(k).lower(): v for k, v in (event.get("headers") or {}).items()}
        rc = event.get("requestContext") or {}
        cid = _safe_id(headers.get(CORRELATION_HEADER) or rc.get("requestId") or getattr(context, "aws_request_id", ""))
        payload: Any = None
        error_code = None
        try:
            payload = _json_body(event)
            body: Any = self._run(payload, context, container, cid)
            status, outcome = 200, _outcome(body)
        except ActionError as err:
            status, outcome, error_code = err.status, err.outcome, err.code
            body = {"code": err.code, "message": err.message, **err.details}
        except Exception as exc:
            status, outcome, error_code = 500, "internal_error", type(exc).__name__
            body = {"code": InternalError.code, "message": f"Internal error; correlation id {cid}"}
        self._log(container, kind, cid, started, outcome, context, payload, error_code, status)
        return {
            "statusCode": status,
            "headers": {"Content-Type": "application/json", "X-Correlation-Id": cid},
            "body": _dumps(body),
        }

    # -- the shared path ---------------------------------------------------------------------------

    def _run(self, payload: Any, context: Any, container: Container[Any], cid: str) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise InvalidInput("Invalid input: the input must be a JSON object")
        action = self.action
        try:
            inp = action.input_model.model_validate(payload)
        except ActionError:
            raise  # contracts that validate themselves (the SOAP bridge) raise InvalidInput directly
        except ValueError as exc:  # pydantic's ValidationError
            raise InvalidInput(describe(exc)) from None
        out = action.logic(inp, ActionContext(container, context, cid, action.lambda_timeout_seconds))
        if type(out) is not action.output_model:
            raise InternalError(f"{action.id} returned {type(out).__name__}, not {action.output_model.__name__}")
        return out.model_dump(mode="json", by_alias=True)

    def _log(
        self,
        container: Container[Any],
        kind: str,
        cid: str,
        started: float,
        outcome: str,
        context: Any,
        payload: Any,
        error: str | None = None,
        status: int | None = None,
    ) -> None:
        settings = container.settings
        threshold = settings.log_threshold
        level = "ERROR" if outcome in ("internal_error", "configuration_error") else "INFO"
        if level == "INFO" and threshold > 20:
            return
        extra: dict[str, Any] = {}
        if status is not None:
            extra["status"] = status
        if error is not None:
            extra["error"] = error
        # Secure actions log no inputs at all; others only at DEBUG (inputs are customer data).
        if not self.action.secure and threshold <= 10 and isinstance(payload, dict):
            extra["input"] = payload
        log.invocation(
            level,
            self.action.id,
            settings.config_name,
            kind,
            outcome,
            round((time.perf_counter() - started) * 1000, 3),
            cid,
            getattr(context, "aws_request_id", None),
            container.invocations == 1,
            extra,
        )


def _outcome(result: Any) -> str:
    return "not_found" if isinstance(result, dict) and result.get("found") is False else "success"


def _json_body(event: dict[str, Any]) -> Any:
    method = event.get("httpMethod") or ((event.get("requestContext") or {}).get("http") or {}).get("method")
    if method and method.upper() != "POST":
        raise InvalidInput("Use POST with a JSON object body")
    raw = event.get("body")
    if raw is None or raw == "":
        raise InvalidInput("Invalid input: the request body must be a JSON object")
    if event.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(raw)
        except ValueError:
            raise InvalidInput("Invalid input: the body is not valid base64") from None
    if len(raw) > MAX_BODY_BYTES:
        raise InvalidInput(f"Invalid input: the body exceeds {MAX_BODY_BYTES} bytes")
    try:
        return json.loads(raw)
    except ValueError:
        raise InvalidInput("Invalid input: the body is not valid JSON") from None
