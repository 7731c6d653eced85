"""A local Zendesk Support: ``/api/v2/search.json`` (unified search with a real query parser),
``/api/v2/{users,tickets,organizations}/{id}.json``, API-token basic auth, rate-limit headers on
every answer and 429 + Retry-After when throttled; errors are ``{"error": ..., "description": ...}``."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import Rule

from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "zendesk"
EMAIL = "agent@example.com"
API_TOKEN = "local-zendesk-token"

ORGS: list[dict[str, Any]] = [
    {
        "id": 360001,
        "name": "Acme Corporation",
        "external_id": "ACC-1001",
        "domain_names": ["acme.example"],
        "details": "Key account",
        "notes": "",
        "updated_at": "2026-10-01T10:00:00Z",
    },
    {
        "id": 360002,
        "name": 'Quote "Co" \\ Ltd',
        "external_id": None,
        "domain_names": [],
        "details": "",
        "notes": "",
        "updated_at": "2026-09-01T10:00:00Z",
    },
]
USERS: list[dict[str, Any]] = [
    {
        "id": 9001,
        "name": "Jane Doe",
        "email": "jane.doe@example.com",
        "phone": "+1 (415) 555-0100",
        "role": "end-user",
        "organization_id": 360001,
        "external_id": "C-1",
        "updated_at": "2026-11-01T10:00:00Z",
    },
    {
        "id": 9002,
        "name": "John Smith",
        "email": "john.smith@example.com",
        "phone": "212-555-0199",
        "role": "end-user",
        "organization_id": None,
        "external_id": None,
        "updated_at": "2026-10-01T10:00:00Z",
    },
    {
        "id": 9003,
        "name": "Sam Twin",
        "email": "sam.a@example.com",
        "phone": "3125550142",
        "role": "end-user",
        "organization_id": None,
        "external_id": None,
        "updated_at": "2026-05-01T10:00:00Z",
    },
    {
        "id": 9004,
        "name": "Sam Twin",
        "email": "sam.b@example.com",
        "phone": "+13125550142",
        "role": "end-user",
        "organization_id": None,
        "external_id": None,
        "updated_at": "2026-11-15T10:00:00Z",
    },
    {
        "id": 9100,
        "name": "Alex Agent",
        "email": "alex@acme.example",
        "phone": "4155550100",
        "role": "agent",
        "organization_id": 360001,
        "external_id": None,
        "updated_at": "2026-11-20T10:00:00Z",
    },
]
TICKETS: list[dict[str, Any]] = [
    {
        "id": 501,
        "subject": "Order not delivered",
        "status": "open",
        "priority": "high",
        "type": "incident",
        "requester_id": 9001,
        "assignee_id": 9100,
        "organization_id": 360001,
        "created_at": "2026-11-20T08:30:00Z",
        "updated_at": "2026-11-20T09:00:00Z",
    },
    {
        "id": 480,
        "subject": "Invoice question",
        "status": "solved",
        "priority": "normal",
        "type": "question",
        "requester_id": 9001,
        "assignee_id": 9100,
        "organization_id": 360001,
        "created_at": "2026-11-01T08:30:00Z",
        "updated_at": "2026-11-02T09:00:00Z",
    },
    {
        "id": 470,
        "subject": "Password reset",
        "status": "closed",
        "priority": None,
        "type": None,
        "requester_id": 9002,
        "assignee_id": None,
        "organization_id": None,
        "created_at": "2026-06-01T08:30:00Z",
        "updated_at": "2026-06-01T09:00:00Z",
    },
]
TYPES = {"ticket": TICKETS, "user": USERS, "organization": ORGS}
_TERM = re.compile(r'\s*(?P<key>[a-z_]+)(?P<op>:|<|>)(?:"(?P<phrase>(?:[^"\\]|\\.)*)"|(?P<word>[^\s"]+))')


class BadQuery(Exception):
    pass


def parse_query(query: str) -> list[tuple[str, str, str]]:
    """``key:value`` / ``key:"phrase"`` terms; a phrase's ``\\"`` and ``\\\\`` are literal characters."""
    terms, pos = [], 0
    while query[pos:].strip():
        m = _TERM.match(query, pos)
        if not m:
            raise BadQuery(f"cannot parse query at {pos}")
        value = re.sub(r"\\(.)", r"\1", m.group("phrase")) if m.group("phrase") is not None else m.group("word")
        terms.append((m.group("key"), m.group("op"), value))
        pos = m.end()
    return terms


def _matches(kind: str, record: dict[str, Any], key: str, op: str, value: str) -> bool:
    if key == "requester":
        if value.isdigit():
            return record.get("requester_id") == int(value)
        requester = next((u for u in USERS if u["email"].lower() == value.lower()), None)
        return requester is not None and record.get("requester_id") == requester["id"]
    if key == "phone":
        digits = re.sub(r"\D", "", record.get("phone") or "")
        want = value.lstrip("*")
        return bool(digits) and (digits.endswith(want) if value.startswith("*") else digits == want)
    if key == "status" and op == "<":
        order = ["new", "open", "pending", "hold", "solved", "closed"]
        return order.index(record.get("status", "closed")) < order.index(value)
    field = record.get(key)
    return field is not None and str(field).lower() == value.lower()


def search(query: str) -> list[dict[str, Any]]:
    terms = parse_query(query)
    kinds = [v for k, _, v in terms if k == "type"] or list(TYPES)
    out = []
    for kind in kinds:
        for record in TYPES.get(kind, []):
            if all(_matches(kind, record, k, op, v) for k, op, v in terms if k != "type"):
                out.append({**record, "result_type": kind})
    return out


URLS = routes(
    Rule("/api/v2/search.json", endpoint="search", methods=["GET"]),
    Rule("/api/v2/<any(users, tickets, organizations):kind>/<int:record_id>.json", endpoint="record", methods=["GET"]),
)
RATE_LIMIT = {"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"}


class Zendesk:
    def __init__(self) -> None:
        self.throttle_next = 0

    def __call__(self, req: Request) -> Response:
        auth = req.authorization
        if auth is None or auth.type != "basic" or (auth.username, auth.password) != (f"{EMAIL}/token", API_TOKEN):
            return Response(401, {"error": "Couldn't authenticate you"}, RATE_LIMIT)
        if self.throttle_next:
            self.throttle_next -= 1
            return Response(
                429,
                {"error": "TooManyRequests", "description": "Rate limit exceeded"},
                {**RATE_LIMIT, "Retry-After": "1", "X-Rate-Limit-Remaining": "0"},
            )
        endpoint, args = match(URLS, req)
        return getattr(self, endpoint)(req, **args)

    def not_found(self, req: Request) -> Response:
        return Response(404, {"error": "InvalidEndpoint", "description": "Not found"}, RATE_LIMIT)

    def search(self, req: Request) -> Response:
        q = req.query
        try:
            results = search(q.get("query", ""))
        except BadQuery as exc:
            return Response(400, {"error": "InvalidQuery", "description": str(exc)}, RATE_LIMIT)
        sort_by = q.get("sort_by", "updated_at")
        results.sort(key=lambda r: r.get(sort_by) or "", reverse=q.get("sort_order", "desc") == "desc")
        per_page = min(int(q.get("per_page", "100")), 100)
        nxt = f"{req.path}?page=2&per_page={per_page}" if len(results) > per_page else None
        return Response(
            200,
            {"results": results[:per_page], "facets": None, "next_page": nxt, "previous_page": None, "count": len(results)},
            {**RATE_LIMIT, "ratelimit-limit": "700", "ratelimit-remaining": "699", "ratelimit-reset": "60"},
        )

    def record(self, req: Request, kind: str, record_id: int) -> Response:
        singular = kind[:-1]
        record = next((r for r in TYPES[singular] if r["id"] == record_id), None)
        if record is None:
            return Response(404, {"error": "RecordNotFound", "description": "Not found"}, RATE_LIMIT)
        return Response(200, {singular: record}, RATE_LIMIT)


def start() -> tuple[LocalServer, dict[str, dict]]:
    server = LocalServer("zendesk", Zendesk()).start()
    return server, {"default": {"baseUrl": server.url, "userEmail": EMAIL, "apiToken": API_TOKEN}}
