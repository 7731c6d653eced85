"""A small Genesys Cloud Platform API client for the integrations API.

* token: OAuth client credentials (``POST https://login.<env>/oauth/token``, HTTP Basic with the
  client id and secret), renewed once when the API answers 401;
* errors: Genesys' ErrorBody (``{message, code, status, contextId, details, errors}``) becomes a
  :class:`PlatformError` naming the call and Genesys' code and message, never a secret;
* 429: waits ``Retry-After`` (capped) and tries again; a read is also retried on 5xx; a write is
  retried only on 429, which Genesys answers before doing anything;
* paging: ``pageSize``/``pageNumber`` listings walked to ``pageCount``;
* every call is counted (reads, writes, token requests, waits) for the figures.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

USER_AGENT = "genesys-data-actions-bundle/publisher"

# Genesys Cloud regions as AWS region names (what GENESYSCLOUD_REGION and the gc CLI accept) and
# the environment domain each stands for; the CX as Code provider's region map.
REGIONS = {
    "us-east-1": "mypurecloud.com",
    "us-east-2": "use2.us-gov-pure.cloud",
    "us-west-2": "usw2.pure.cloud",
    "ca-central-1": "cac1.pure.cloud",
    "sa-east-1": "sae1.pure.cloud",
    "eu-west-1": "mypurecloud.ie",
    "eu-west-2": "euw2.pure.cloud",
    "eu-central-1": "mypurecloud.de",
    "eu-central-2": "euc2.pure.cloud",
    "me-central-1": "mec1.pure.cloud",
    "mx-central-1": "mxc1.pure.cloud",
    "ap-south-1": "aps1.pure.cloud",
    "ap-northeast-1": "mypurecloud.jp",
    "ap-northeast-2": "apne2.pure.cloud",
    "ap-northeast-3": "apne3.pure.cloud",
    "ap-southeast-1": "apse1.pure.cloud",
    "ap-southeast-2": "mypurecloud.com.au",
}
_DOMAIN = re.compile(r"^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$")
MAX_WAIT_SECONDS = 60.0  # longest Retry-After honoured in one wait
MAX_RETRIES = 6


class PlatformError(Exception):
    """A Platform API call failed: what was called, Genesys' status, code and message."""

    def __init__(self, call: str, status: int, code: str = "", message: str = "", context_id: str = "") -> None:
        self.call, self.status, self.code, self.message, self.context_id = call, status, code, message, context_id
        detail = f"{code}: {message}" if code else message or "no error body"
        ref = f" (contextId {context_id})" if context_id else ""
        super().__init__(f"{call}: Genesys answered HTTP {status} {detail}{ref}")


class AuthError(PlatformError):
    """The OAuth client was refused: wrong id or secret, wrong region, or no client credentials grant."""


def environment_urls(environment: str, api_url: str | None = None, login_url: str | None = None) -> tuple[str, str]:
    """(login URL, API URL) of a Genesys Cloud environment: a domain (``mypurecloud.ie``), an AWS
    region name (``eu-west-1``), or either URL given outright (the local stand-in)."""
    env = environment.strip().lower().removeprefix("https://").rstrip("/")
    env = REGIONS.get(env, env)
    for prefix in ("api.", "login.", "apps."):
        env = env.removeprefix(prefix)
    if not (api_url and login_url) and not _DOMAIN.match(env):
        known = ", ".join(sorted(set(REGIONS.values())))
        raise ValueError(f"unknown Genesys Cloud environment {environment!r}: give a region domain ({known}) or an AWS region name")
    return (login_url or f"https://login.{env}").rstrip("/"), (api_url or f"https://api.{env}").rstrip("/")


@dataclass
class CallCounts:
    """Platform API calls by kind (token requests apart), and the 429 waits."""

    reads: int = 0
    writes: int = 0
    tokens: int = 0
    waits: int = 0
    by_call: dict[str, int] = field(default_factory=dict)

    @property
    def api_calls(self) -> int:
        return self.reads + self.writes

    def summary(self) -> str:
        return f"{self.api_calls} Platform API calls ({self.reads} reads, {self.writes} writes), {self.tokens} token request(s)" + (
            f", {self.waits} wait(s) on 429" if self.waits else ""
        )


class Platform:
    """Client-credentials access to one Genesys Cloud organization's Platform API.

    ``secrets``: values that must never appear in an error this client raises (the client secret
    and any credential value being written); Genesys' messages are scrubbed of them."""

    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        login_url: str,
        api_url: str,
        source: str = "the OAuth client",
        transport: httpx.BaseTransport | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        secrets: Iterable[str] = (),
    ) -> None:
        self.login_url, self.api_url, self.source = login_url.rstrip("/"), api_url.rstrip("/"), source
        self._client_id, self._client_secret = client_id, client_secret
        self._secrets = {s for s in (client_secret, *secrets) if s}
        self._http = httpx.Client(
            transport=transport,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            follow_redirects=False,
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
        )
        self._token: str | None = None
        self._token_lock = threading.Lock()
        self._count_lock = threading.Lock()
        self._sleep = sleep
        self.counts = CallCounts()

    def add_secret(self, value: str) -> None:
        """Scrub ``value`` from every error from now on (a credential field about to be written)."""
        if value:
            self._secrets.add(value)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Platform:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- token -----------------------------------------------------------------------------------

    def _fetch_token(self, stale: str | None) -> str:
        with self._token_lock:
            if self._token is not None and self._token != stale:
                return self._token  # another thread renewed it meanwhile
            self._count("token", "POST /oauth/token")
            try:
                resp = self._http.post(
                    f"{self.login_url}/oauth/token",
                    data={"grant_type": "client_credentials"},
                    auth=(self._client_id, self._client_secret),
                )
            except httpx.HTTPError as exc:
                raise PlatformError("POST /oauth/token", 0, "unreachable", f"{type(exc).__name__} reaching {self.login_url}") from None
            body = _json(resp)
            if resp.status_code != 200 or not isinstance(body, dict) or not body.get("access_token"):
                reason = body.get("error") if isinstance(body, dict) else None
                description = (body.get("error_description") or body.get("description")) if isinstance(body, dict) else None
                said = f" ({self._scrub(str(reason))}: {self._scrub(str(description))})" if reason else ""
                raise AuthError(
                    "POST /oauth/token",
                    resp.status_code,
                    str(reason or ""),
                    f"Genesys Cloud refused {self.source}{said}. Check its client id and secret, that it is a Client "
                    f"Credentials client, and the region ({self.login_url}).",
                )
            self._token = str(body["access_token"])
            return self._token

    # -- requests --------------------------------------------------------------------------------

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, json: Any = None, what: str = "") -> Any:
        """One Platform API call; the parsed JSON body (None for 204). ``what`` names the call in
        errors when the path carries ids."""
        call = f"{method} {what or path}"
        kind = "read" if method == "GET" else "write"
        token = self._token or self._fetch_token(None)
        renewed = False
        for attempt in range(MAX_RETRIES + 1):
            self._count(kind, f"{method} {what or path}")
            try:
                resp = self._http.request(
                    method, f"{self.api_url}{path}", params=params, json=json, headers={"Authorization": f"Bearer {token}"}
                )
            except httpx.HTTPError as exc:
                if kind == "read" and attempt < MAX_RETRIES:
                    self._wait(min(2.0**attempt, 10.0))
                    continue
                raise PlatformError(call, 0, "unreachable", f"{type(exc).__name__} reaching {self.api_url}") from None
            if resp.status_code == 401 and not renewed:
                token, renewed = self._fetch_token(token), True
                continue
            if resp.status_code == 429 and attempt < MAX_RETRIES:
                self._wait(_retry_after(resp, attempt))
                continue
            if resp.status_code >= 500 and kind == "read" and attempt < MAX_RETRIES:
                self._wait(min(2.0**attempt, 10.0))
                continue
            if resp.status_code >= 400:
                raise self._error(call, resp)
            return None if resp.status_code == 204 or not resp.content else _json(resp)
        raise PlatformError(call, 429, "too.many.requests", "still rate limited after retrying")  # pragma: no cover

    def get(self, path: str, params: dict[str, Any] | None = None, what: str = "") -> Any:
        return self.request("GET", path, params=params, what=what)

    def post(self, path: str, body: Any = None, what: str = "", params: dict[str, Any] | None = None) -> Any:
        return self.request("POST", path, json=body, what=what, params=params)

    def put(self, path: str, body: Any, what: str = "") -> Any:
        return self.request("PUT", path, json=body, what=what)

    def patch(self, path: str, body: Any, what: str = "") -> Any:
        return self.request("PATCH", path, json=body, what=what)

    def delete(self, path: str, what: str = "") -> Any:
        return self.request("DELETE", path, what=what)

    def pages(self, path: str, params: dict[str, Any] | None = None, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Every entity of a ``pageNumber``/``pageSize`` listing."""
        number = 1
        while True:
            body = self.get(path, {**(params or {}), "pageSize": page_size, "pageNumber": number})
            yield from body.get("entities") or []
            if number >= int(body.get("pageCount") or 1):
                return
            number += 1

    # -- helpers ---------------------------------------------------------------------------------

    def _count(self, kind: str, call: str) -> None:
        with self._count_lock:
            if kind == "token":
                self.counts.tokens += 1
            elif kind == "read":
                self.counts.reads += 1
            else:
                self.counts.writes += 1
            self.counts.by_call[call] = self.counts.by_call.get(call, 0) + 1

    def _wait(self, seconds: float) -> None:
        with self._count_lock:
            self.counts.waits += 1
        self._sleep(seconds)

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _error(self, call: str, resp: httpx.Response) -> PlatformError:
        body = _json(resp)
        if not isinstance(body, dict):
            return PlatformError(call, resp.status_code, "", "")
        return PlatformError(
            call,
            resp.status_code,
            self._scrub(str(body.get("code") or "")),
            self._scrub(str(body.get("message") or "")),
            str(body.get("contextId") or ""),
        )


def _json(resp: httpx.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


def _retry_after(resp: httpx.Response, attempt: int) -> float:
    value = resp.headers.get("Retry-After") or resp.headers.get("inin-ratelimit-reset") or ""
    try:
        seconds = float(value)
    except ValueError:
        seconds = min(2.0**attempt, 10.0)
    return max(0.0, min(seconds, MAX_WAIT_SECONDS))
