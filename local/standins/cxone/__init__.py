"""A local NICE CXone: the access-key token endpoint, API host discovery, and the REST API under
``/inContactAPI/services/vNN.0`` (any version), one module per API area over one business unit's
data (:class:`Tenant`). Errors are ``{error, error_description}``; lists page with ``skip``/``top``.

Areas: ``agents`` (agents, teams, unavailable codes, agent states, agent sessions), ``admin``
(skills, agent skill assignments, one agent, dispositions: what the EX sync reads).
"""

from __future__ import annotations

import secrets
from typing import Any

from werkzeug.routing import Rule

from local.standins.cxone.admin import AdminApi
from local.standins.cxone.agents import AgentsApi
from local.standins.cxone.contacts import ContactsApi
from local.standins.cxone.tenant import ACCESS_KEY_ID, ACCESS_KEY_SECRET, CLIENT_ID, CLIENT_SECRET, TENANT_ID, Tenant
from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "cxone"
AREAS = (AgentsApi, AdminApi, ContactsApi)
PUBLIC = frozenset(name for area in AREAS for name in getattr(area, "PUBLIC", ()))  # signed-URL routes: no bearer
URLS = routes(
    Rule("/auth/token", endpoint="token", methods=["POST"]),
    Rule("/.well-known/cxone-configuration", endpoint="configuration", methods=["GET"]),
    *(rule for area in AREAS for rule in area.RULES),
)

__all__ = ["BACKEND_KIND", "CxoneApi", "Tenant", "start"]


class CxoneApi(*AREAS):  # type: ignore[misc]
    def __init__(self, tenant: Tenant | None = None) -> None:
        self.tenant = tenant or Tenant()
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.url = ""

    def __call__(self, req: Request) -> Response:
        endpoint, args = match(URLS, req)
        if endpoint in ("token", "configuration"):
            return getattr(self, endpoint)(req)
        if endpoint == "not_found":
            return Response(404, {"error": "NotFound", "error_description": "Resource not found"})
        if endpoint in PUBLIC:
            return getattr(self, endpoint)(req, **args)
        if req.bearer not in self.tokens:
            return Response(401, {"error": "invalid_token", "error_description": "The access token is invalid or has expired"})
        return getattr(self, endpoint)(req, **args)

    def token(self, req: Request) -> Response:
        """Access-key grant: ``grant_type=password``, the key as username/password, the app by Basic auth."""
        self.token_requests += 1
        auth = req.authorization
        app = (
            (auth.username, auth.password)
            if auth is not None and auth.type == "basic"
            else (req.form.get("client_id"), req.form.get("client_secret"))
        )
        if app != (CLIENT_ID, CLIENT_SECRET):
            return Response(401, {"error": "invalid_client", "error_description": "Client authentication failed"})
        if req.form.get("grant_type") != "password" or (req.form.get("username"), req.form.get("password")) != (
            ACCESS_KEY_ID,
            ACCESS_KEY_SECRET,
        ):
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid access key"})
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Response(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "id_token": "x.y.z"})

    def configuration(self, req: Request) -> Response:
        if req.query.get("tenantId") not in (None, TENANT_ID):
            return Response(404, {"error": "NotFound", "error_description": "Unknown tenant"})
        return Response(
            200,
            {
                "api_endpoint": self.url,
                "area": "na1",
                "cluster": "c99",
                "domain": "niceincontact.com",
                "acdDomain": "local",
                "uhDomain": "local",
                "tenantId": TENANT_ID,
            },
        )


def start() -> tuple[LocalServer, dict[str, dict[str, Any]]]:
    api = CxoneApi()
    server = LocalServer("cxone", api).start()
    api.url = server.url
    return server, {
        "default": {
            "accessKeyId": ACCESS_KEY_ID,
            "accessKeySecret": ACCESS_KEY_SECRET,
            "clientId": CLIENT_ID,
            "clientSecret": CLIENT_SECRET,
            "tenantId": TENANT_ID,
            "authUrl": server.url,
        },
    }
