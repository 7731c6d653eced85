"""A local Genesys Cloud: the login token endpoint and the Platform API paths the actions use.

``POST /oauth/token`` (client credentials, Basic auth) -> ``{access_token, token_type, expires_in}``;
API calls need ``Authorization: Bearer``; errors use Genesys' ErrorBody
``{message, code, status, contextId, details, errors}``; a throttled call gets 429 + Retry-After.
"""

from __future__ import annotations

import secrets
import uuid

from werkzeug.routing import Rule

from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "genesys"
CLIENT_ID = "local-genesys-client"
CLIENT_SECRET = "local-genesys-secret"

QUEUE_SUPPORT = "4b1c1f6e-2a7d-4f50-9d0e-1a2b3c4d5e6f"
QUEUE_BUSY = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"  # answers 429 once per token, then succeeds
USER_ALICE = "0f1e2d3c-4b5a-4968-8776-655443322110"
USER_BOB = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

QUEUES = {
    QUEUE_SUPPORT: {"call": 95, "chat": 40, "email": 3600, "callback": 300, "message": 120},
    QUEUE_BUSY: {"call": 600},
}
PRESENCES = {
    USER_ALICE: {"id": "6a3af858-942f-489d-9700-5f9bcdcdae9b", "systemPresence": "Available", "message": "Happy to help"},
    USER_BOB: {"id": "ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5", "systemPresence": "Busy", "message": ""},
}
ROUTING = {USER_ALICE: "IDLE", USER_BOB: "INTERACTING"}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = {
        "message": message,
        "code": code,
        "status": status,
        "messageParams": {},
        "contextId": str(uuid.uuid4()),
        "details": [],
        "errors": [],
    }
    return Response(status, body, headers)


URLS = routes(
    Rule("/oauth/token", endpoint="token", methods=["POST"]),
    Rule("/api/v2/routing/queues/<queue>/mediatypes/<media>/estimatedwaittime", endpoint="wait_time", methods=["GET"]),
    Rule("/api/v2/users/<user>/presences/PURECLOUD", endpoint="presence", methods=["GET"]),
    Rule("/api/v2/users/<user>/routingstatus", endpoint="routing_status", methods=["GET"]),
)


class GenesysCloud:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.throttled: set[str] = set()

    def __call__(self, req: Request) -> Response:
        endpoint, args = match(URLS, req)
        if endpoint == "token":
            return self.token(req)
        if req.bearer not in self.tokens:
            return _error(401, "bad.credentials", "Invalid login credentials.")
        return getattr(self, endpoint)(req, **args)

    def not_found(self, req: Request) -> Response:
        return _error(404, "not.found", "The requested resource could not be found.")

    def wait_time(self, req: Request, queue: str, media: str) -> Response:
        if queue == QUEUE_BUSY and req.bearer not in self.throttled:
            self.throttled.add(req.bearer)
            return _error(
                429, "too.many.requests", "Rate limit exceeded the maximum. [300] requests for [60] seconds", {"Retry-After": "1"}
            )
        if queue not in QUEUES:
            return _error(404, "not.found", "The requested queue could not be found.")
        seconds = QUEUES[queue].get(media)
        results = [] if seconds is None else [{"intent": "NO_INTENT", "formula": "BestMethod", "estimatedWaitTimeSeconds": seconds}]
        return Response(200, {"results": results})

    def presence(self, req: Request, user: str) -> Response:
        if user not in PRESENCES:
            return _error(404, "not.found", "The requested user could not be found.")
        p = PRESENCES[user]
        definition = {"id": p["id"], "systemPresence": p["systemPresence"], "selfUri": f"/api/v2/presencedefinitions/{p['id']}"}
        return Response(
            200,
            {
                "id": "PURECLOUD",
                "name": "PURECLOUD",
                "source": "PURECLOUD",
                "primary": True,
                "presenceDefinition": definition,
                "message": p["message"],
                "modifiedDate": "2026-11-21T09:15:00.000Z",
                "selfUri": req.path,
            },
        )

    def routing_status(self, req: Request, user: str) -> Response:
        if user not in ROUTING:
            return _error(404, "not.found", "The requested user could not be found.")
        return Response(200, {"userId": user, "status": ROUTING[user], "startTime": "2026-11-21T09:00:00.000Z"})

    def token(self, req: Request) -> Response:
        self.token_requests += 1
        auth = req.authorization
        client = (auth.username, auth.password) if auth is not None and auth.type == "basic" else None
        if client != (CLIENT_ID, CLIENT_SECRET) or req.form.get("grant_type") != "client_credentials":
            return Response(400, {"error": "invalid_client", "description": "client not found", "error_description": "client not found"})
        token = secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Response(200, {"access_token": token, "token_type": "bearer", "expires_in": 86399})


def start() -> tuple[LocalServer, dict[str, dict]]:
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
