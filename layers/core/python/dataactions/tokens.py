"""Bearer tokens for vendors' APIs, as httpx auth: one token per container, renewed once when the
vendor refuses it, fetched within the time the call may take.

Imported when a vendor adapter is built (the first invocation), not at handler import: it needs
httpx, which the runtime loads on first use.
"""

from __future__ import annotations

import base64
import time
from collections.abc import Generator, Mapping

import httpx

from dataactions.errors import BackendTimeout
from dataactions.vendor import Vendor, failure, json_body, malformed

Flow = Generator[httpx.Request, httpx.Response, None]
Fetch = Generator[httpx.Request, httpx.Response, tuple[str, float]]

MIN_SECONDS = 0.05  # as ctx.call_timeout(): less than this left is no time at all


class BearerToken(httpx.Auth):
    """``Authorization: Bearer`` with a token cached for the container's lifetime (or the token's).

    * The first request, or the first after the token's lifetime, fetches a token first.
    * A request the vendor refuses (``vendor.auth_failed``: 401, Salesforce's INVALID_SESSION_ID)
      gets one fresh token and is sent once more; a second refusal is the caller's to report.
    * The request's timeout (``ctx.call_timeout()``, the time the invocation has left) bounds the
      whole flow: the token request gets what is left of it, the request the rest.

    Subclasses say how a token is obtained (:meth:`fetch`).
    """

    requires_response_body = True  # a vendor's auth-failure signal may be in the body (read before the flow sees it)

    def __init__(self, vendor: Vendor, *, early_seconds: float = 60.0) -> None:
        self.vendor = vendor
        self.early_seconds = early_seconds  # renew this long before the token's lifetime ends
        self.requests = 0  # token requests made by this container
        self._token = ""
        self._expires = 0.0

    def auth_flow(self, request: httpx.Request) -> Flow:
        timeout = request.extensions.get("timeout", {}).get("read")
        deadline = time.monotonic() + timeout if timeout is not None else None
        if not self._token or time.monotonic() >= self._expires:
            yield from self._renew(request, deadline)
        response = yield self.authorise(request)
        if self.vendor.auth_failed(response):  # expired or revoked: one fresh token, one retry
            yield from self._renew(request, deadline)
            yield self.authorise(request)

    def _renew(self, request: httpx.Request, deadline: float | None) -> Flow:
        self._token = ""
        self.requests += 1
        token, lifetime = yield from self.fetch(self._left(deadline), request)
        self._token, self._expires = token, time.monotonic() + max(lifetime - self.early_seconds, 1.0)
        if deadline is not None:  # the request itself gets what the token request left
            request.extensions["timeout"] = httpx.Timeout(self._left(deadline)).as_dict()

    def _left(self, deadline: float | None) -> float | None:
        if deadline is None:
            return None
        left = deadline - time.monotonic()
        if left <= MIN_SECONDS:
            raise BackendTimeout("No time left for the backend call")
        return left

    def authorise(self, request: httpx.Request) -> httpx.Request:
        """The request with the current token."""
        request.headers["Authorization"] = f"Bearer {self._token}"
        return request

    def fetch(self, timeout: float | None, request: httpx.Request) -> Fetch:
        """Obtain a token within ``timeout`` seconds: yield the requests it takes (sent on the same
        pooled client; ``request`` is the one waiting for the token) and return (token, lifetime s)."""
        raise NotImplementedError


class OAuthToken(BearerToken):
    """A token from an OAuth 2.0 token endpoint: the grant's form POSTed to ``url`` (client
    credentials, or Salesforce's password flow), the client authenticated in the form or, with
    ``basic``, by HTTP Basic (Genesys Cloud). Non-200 answers are the vendor's data-free errors.

    ``lifetime``: seconds a token lives when the answer has no ``expires_in``. ``origin_field``:
    the answer's field naming the origin the token is valid for (Salesforce's ``instance_url``);
    requests are sent there whatever origin their URL had, and :attr:`origin` holds it.
    """

    def __init__(
        self,
        vendor: Vendor,
        url: str,
        form: Mapping[str, str],
        *,
        basic: tuple[str, str] | None = None,
        lifetime: float = 3600.0,
        early_seconds: float = 60.0,
        origin_field: str | None = None,
    ) -> None:
        super().__init__(vendor, early_seconds=early_seconds)
        self.url = url
        self.form = dict(form)
        self.lifetime = lifetime
        self.origin_field = origin_field
        self.origin: httpx.URL | None = None
        self._headers = {"Accept": "application/json"}
        if basic is not None:
            self._headers["Authorization"] = "Basic " + base64.b64encode(":".join(basic).encode()).decode()

    def fetch(self, timeout: float | None, request: httpx.Request) -> Fetch:
        headers = {**self._headers, "User-Agent": request.headers.get("User-Agent", "")}
        response = yield httpx.Request(
            "POST", self.url, data=self.form, headers=headers, extensions={"timeout": httpx.Timeout(timeout).as_dict()}
        )
        if response.status_code != 200:
            raise failure(self.vendor, response)
        body = json_body(response, self.vendor.name)
        token = body.get("access_token") if isinstance(body, dict) else None
        origin = body.get(self.origin_field) if self.origin_field and isinstance(body, dict) else None
        if not token or (self.origin_field and not origin):
            fields = "/".join(["access_token", *([self.origin_field] if self.origin_field else [])])
            raise malformed(self.vendor.name, f"token response without {fields}")
        if origin:
            self.origin = httpx.URL(str(origin).rstrip("/"))
        return str(token), float(body.get("expires_in") or self.lifetime)

    def authorise(self, request: httpx.Request) -> httpx.Request:
        origin = self.origin
        if origin is not None and (request.url.scheme, request.url.host, request.url.port) != (origin.scheme, origin.host, origin.port):
            request.url = request.url.copy_with(scheme=origin.scheme, host=origin.host, port=origin.port)
            request.headers["Host"] = request.url.netloc.decode("ascii")
        return super().authorise(request)
