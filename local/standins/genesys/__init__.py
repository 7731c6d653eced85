"""A local Genesys Cloud: the login token endpoint and the Platform API, one module per API area,
all over one organisation's data (:class:`Org`).

``POST /oauth/token`` (client credentials, Basic auth) -> ``{access_token, token_type, expires_in}``;
API calls need ``Authorization: Bearer``; errors use Genesys' ErrorBody
``{message, code, status, messageParams, contextId, details, errors}``; listings page with
``pageNumber``/``pageSize`` and answer ``{entities, pageSize, pageNumber, total, pageCount, ...}``;
with a rate limit set, a client over it gets 429 with ``Retry-After`` and the ``inin-ratelimit-*``
headers, as Genesys answers.

Areas (each a mixin with its ``RULES`` and handlers): ``lookups`` (what the data actions read),
``presence`` (presence definitions, user presence and routing status, EventBridge envelopes),
``users`` (the listing, and the user directory: create, PATCH with versions, delete, search,
external ids, routing skills and languages), ``directory`` (routing skills and languages,
divisions, queues with members and wrap-up codes, wrap-up codes, secondary presences, presence
sources and settings; audit events on every change).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from typing import Any

from local.standins.genesys.directory import DirectoryApi
from local.standins.genesys.events import EventsApi
from local.standins.genesys.integrations import IntegrationsApi
from local.standins.genesys.lookups import LookupsApi
from local.standins.genesys.org import CLIENT_ID, CLIENT_SECRET, USER_ALICE, USER_BOB, Org, error
from local.standins.genesys.presence import PresenceApi
from local.standins.genesys.uploads import UploadsApi
from local.standins.genesys.users import UsersApi
from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "genesys"
AREAS = (LookupsApi, PresenceApi, UsersApi, DirectoryApi, IntegrationsApi, EventsApi, UploadsApi)
URLS = routes(*(rule for area in AREAS for rule in area.RULES))
PUBLIC = frozenset(name for area in AREAS for name in getattr(area, "PUBLIC", ()))  # signed-URL routes: no bearer

__all__ = ["BACKEND_KIND", "CLIENT_ID", "CLIENT_SECRET", "USER_ALICE", "USER_BOB", "GenesysCloud", "Org", "error", "start"]


class GenesysCloud(*AREAS):  # type: ignore[misc]
    """The stand-in's WSGI-side app: token endpoint, auth, rate limit, then the area's handler."""

    def __init__(self, org: Org | None = None) -> None:
        self.org = org or Org()
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.throttled: set[str] = set()
        self.rate_per_minute: int | None = None  # None: no limit (the default); tests and benchmarks set one
        self.rate_window = 60.0  # seconds the limit counts over (Genesys: a minute; tests and benchmarks scale time down)
        self._calls: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def __call__(self, req: Request) -> Response:
        endpoint, args = match(URLS, req)
        if endpoint == "token":
            return self.token(req)
        if endpoint in PUBLIC:
            return getattr(self, endpoint)(req, **args)
        if req.bearer not in self.tokens:
            return error(401, "bad.credentials", "Invalid login credentials.")
        limited = self._over_limit(req.bearer)
        if limited is not None:
            return limited
        handler = getattr(self, endpoint)
        with self._lock:  # one organisation, changed by concurrent requests
            return handler(req, **args)

    def _over_limit(self, token: str) -> Response | None:
        """Genesys' per-client limit over a sliding minute (only when ``rate_per_minute`` is set)."""
        if self.rate_per_minute is None:
            return None
        now = time.monotonic()
        with self._lock:
            calls = self._calls.setdefault(token, deque())
            while calls and calls[0] <= now - self.rate_window:
                calls.popleft()
            headers = {"inin-ratelimit-allowed": str(self.rate_per_minute), "inin-ratelimit-count": str(len(calls))}
            if len(calls) >= self.rate_per_minute:
                reset = max(1, int(calls[0] + self.rate_window - now + 0.999))
                return error(
                    429,
                    "too.many.requests",
                    f"Rate limit exceeded the maximum. [{self.rate_per_minute}] requests for [{self.rate_window:g}] seconds",
                    {**headers, "Retry-After": str(reset), "inin-ratelimit-reset": str(reset)},
                )
            calls.append(now)
        return None

    def not_found(self, req: Request) -> Response:
        return error(404, "not.found", "The requested resource could not be found.")

    def token(self, req: Request) -> Response:
        self.token_requests += 1
        auth = req.authorization
        client = (auth.username, auth.password) if auth is not None and auth.type == "basic" else None
        if client != (CLIENT_ID, CLIENT_SECRET) or req.form.get("grant_type") != "client_credentials":
            return Response(400, {"error": "invalid_client", "description": "client not found", "error_description": "client not found"})
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 86399})


def start() -> tuple[LocalServer, dict[str, dict[str, Any]]]:
    server = LocalServer("genesys", GenesysCloud()).start()
    return server, {
        "default": {
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "region": "mypurecloud.com",
            "apiUrl": server.url,
            "loginUrl": server.url,
        },
    }
