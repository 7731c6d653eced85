"""Calling a vendor's JSON API the same way everywhere: bounded retries for reads on 429/5xx within
the time the invocation has left, and data-free errors for everything else. Bearer tokens ride on
the request as httpx auth (:mod:`dataactions.tokens`, imported with httpx when an adapter is built)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from dataactions.errors import BackendError, RateLimited

if TYPE_CHECKING:
    import httpx

    from dataactions.context import ActionContext

# A retry is made only when, after its pause, at least this long is left for the new attempt;
# otherwise the answer in hand decides the outcome (RateLimited, BackendError), not the clock.
RETRY_ROOM_SECONDS = 0.5


class Throttle(Protocol):
    """A rate budget shared with other functions (the sync services'): a token before every
    request, and everybody paused when the vendor says 429 + Retry-After."""

    def take(self, time_left: float) -> None: ...

    def pause(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Vendor:
    """How one vendor says 'unauthorised' and 'slow down' beyond plain 401/429."""

    name: str
    auth_failed: Callable[[httpx.Response], bool] = lambda r: r.status_code == 401
    rate_limited: Callable[[httpx.Response], bool] = lambda r: r.status_code == 429
    error_code: Callable[[httpx.Response], str] = lambda r: ""


def retry_after_seconds(resp: httpx.Response) -> float | None:
    """Seconds the vendor asks us to wait, or None when it does not say (then retrying is futile:
    Salesforce's REQUEST_LIMIT_EXCEEDED, for one, is a rolling 24-hour org limit)."""
    value = resp.headers.get("Retry-After") or resp.headers.get("ratelimit-reset")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def call(
    ctx: ActionContext[Any],
    vendor: Vendor,
    method: str,
    url: str,
    *,
    auth: httpx.Auth | None = None,
    read: bool = True,
    max_retries: int = 2,
    ok: tuple[int, ...] = (200, 201, 204),
    passthrough: tuple[int, ...] = (404,),
    throttle: Throttle | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One logical vendor call. Returns responses with a status in ``ok`` or ``passthrough``;
    raises BackendError / RateLimited / BackendTimeout for the rest. ``auth`` (a bearer token)
    renews a refused token once by itself; reads are retried on 429 with Retry-After and on 5xx
    while the invocation has time for another attempt, writes never. ``throttle``: a shared rate
    budget taken before each request and paused by the vendor's Retry-After."""
    attempt = 0
    while True:
        if throttle is not None:
            throttle.take(ctx.time_left())
        resp = ctx.http.request(method, url, auth=auth, timeout=ctx.call_timeout(), vendor=vendor.name, **kwargs)
        status = resp.status_code
        if status in ok or status in passthrough:
            return resp
        if throttle is not None and vendor.rate_limited(resp):
            throttle.pause(retry_after_seconds(resp) or 1.0)
        if read and attempt < max_retries:
            pause = _retry_pause(vendor, resp, attempt, ctx.time_left())
            if pause is not None:
                attempt += 1
                time.sleep(pause)
                continue
        raise failure(vendor, resp)


def _retry_pause(vendor: Vendor, resp: httpx.Response, attempt: int, left: float) -> float | None:
    """How long to wait before retrying a read, or None when a retry does not fit in ``left`` seconds."""
    if vendor.rate_limited(resp):
        wait = retry_after_seconds(resp)  # the vendor's own wait: never shortened
        return wait if wait is not None and wait + RETRY_ROOM_SECONDS <= left else None
    if resp.status_code >= 500:
        pause = min(0.2 * 2 ** (attempt + 1), left - RETRY_ROOM_SECONDS)  # a shorter back-off rather than none
        return pause if pause >= 0 else None
    return None


def failure(vendor: Vendor, resp: httpx.Response) -> BackendError:
    """The data-free error for an answer we cannot use (credentials refused, rate limit, any other status)."""
    if vendor.auth_failed(resp):
        return BackendError(f"{vendor.name} rejected our credentials (HTTP {resp.status_code}{_code(vendor, resp)})")
    if vendor.rate_limited(resp):
        return RateLimited(f"{vendor.name} is rate-limiting requests (HTTP {resp.status_code}{_code(vendor, resp)}); retry later")
    return BackendError(f"{vendor.name} answered HTTP {resp.status_code}{_code(vendor, resp)}")


def _code(vendor: Vendor, resp: httpx.Response) -> str:
    try:
        code = vendor.error_code(resp)
    except Exception:
        code = ""
    return f" {code}" if code else ""


def json_body(resp: httpx.Response, vendor: str) -> Any:
    """The response's JSON, or a clear BackendError."""
    try:
        return resp.json()
    except ValueError:
        raise BackendError(f"{vendor} answered with a malformed (non-JSON) response") from None


def get_object(
    ctx: ActionContext[Any],
    vendor: Vendor,
    url: str,
    *,
    auth: httpx.Auth | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """GET one JSON object (a read: retried on 429/5xx); None when the vendor answers 404."""
    resp = call(ctx, vendor, "GET", url, auth=auth, headers=headers, params=params)
    if resp.status_code == 404:
        return None
    body = json_body(resp, vendor.name)
    if not isinstance(body, dict):
        raise malformed(vendor.name, "expected a JSON object")
    return body


def malformed(vendor: str, what: str) -> BackendError:
    return BackendError(f"{vendor} answered with a malformed response ({what})")
