"""Calling a vendor's JSON API the same way everywhere: cached OAuth tokens (one request per
container lifetime, refreshed once on 401), bounded retries for reads on 429/5xx within the time
the invocation has left, and data-free errors for everything else."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataactions.errors import BackendError, RateLimited

if TYPE_CHECKING:
    import httpx

    from dataactions.context import ActionContext


class TokenCache:
    """One bearer token per container, reused until shortly before it expires."""

    def __init__(self, fetch: Callable[[ActionContext], tuple[str, float]], early_seconds: float = 60) -> None:
        self._fetch = fetch  # returns (token, lifetime seconds)
        self._early = early_seconds
        self._token: str | None = None
        self._expires = 0.0
        self.requests = 0

    def get(self, ctx: ActionContext) -> str:
        if self._token is None or time.monotonic() >= self._expires:
            self.requests += 1
            token, lifetime = self._fetch(ctx)
            self._token, self._expires = token, time.monotonic() + max(lifetime - self._early, 1)
        return self._token

    def invalidate(self) -> None:
        self._token = None


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
    ctx: ActionContext,
    vendor: Vendor,
    method: str,
    url: str,
    *,
    tokens: TokenCache | None = None,
    read: bool = True,
    max_retries: int = 2,
    ok: tuple[int, ...] = (200, 201, 204),
    passthrough: tuple[int, ...] = (404,),
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """One logical vendor call. Returns responses with a status in ``ok`` or ``passthrough``;
    raises BackendError / RateLimited / BackendTimeout for the rest."""
    refreshed = False
    attempt = 0
    while True:
        hdrs = dict(headers or {})
        if tokens is not None:
            hdrs["Authorization"] = f"Bearer {tokens.get(ctx)}"
        resp = ctx.http.request(method, url, headers=hdrs, timeout=ctx.call_timeout(), vendor=vendor.name, **kwargs)
        if vendor.auth_failed(resp):
            if tokens is not None and not refreshed:
                tokens.invalidate()  # expired or revoked session: one fresh token, one retry
                refreshed = True
                continue
            raise BackendError(f"{vendor.name} rejected our credentials (HTTP {resp.status_code}{_code(vendor, resp)})")
        if vendor.rate_limited(resp):
            wait = retry_after_seconds(resp)
            if read and wait is not None and attempt < max_retries and wait + 0.2 < ctx.call_timeout(1e9):
                attempt += 1
                time.sleep(wait)
                continue
            raise RateLimited(f"{vendor.name} is rate-limiting requests (HTTP {resp.status_code}{_code(vendor, resp)}); retry later")
        if resp.status_code in ok or resp.status_code in passthrough:
            return resp
        if resp.status_code >= 500 and read and attempt < max_retries:
            attempt += 1
            time.sleep(min(0.2 * 2**attempt, max(0.0, ctx.call_timeout(1e9) - 0.5)))
            continue
        raise BackendError(f"{vendor.name} answered HTTP {resp.status_code}{_code(vendor, resp)}")


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
    ctx: ActionContext,
    vendor: Vendor,
    url: str,
    *,
    tokens: TokenCache | None = None,
    headers: dict[str, str] | None = None,
    params: dict[str, Any] | None = None,
) -> dict[str, Any] | None:
    """GET one JSON object (a read: retried on 429/5xx); None when the vendor answers 404."""
    resp = call(ctx, vendor, "GET", url, tokens=tokens, headers=headers, params=params)
    if resp.status_code == 404:
        return None
    body = json_body(resp, vendor.name)
    if not isinstance(body, dict):
        raise malformed(vendor.name, "expected a JSON object")
    return body


def malformed(vendor: str, what: str) -> BackendError:
    return BackendError(f"{vendor} answered with a malformed response ({what})")
