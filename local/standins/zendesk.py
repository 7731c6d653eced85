"""A local Zendesk Support: ``/api/v2/search.json`` (unified search with a real query parser),
``/api/v2/{users,tickets,organizations}/{id}.json``, API-token basic auth, rate-limit headers on
every answer and 429 + Retry-After when throttled; errors are ``{"error": ..., "description": ...}``."""

from __future__ import annotations

import base64
import re
from typing import Any

from local.standins.server import LocalServer, Request, Response

BACKEND_KIND = "zendesk"
EMAIL = "agent@example.com"
API_TOKEN = "local-zendesk-token"

ORGS = [
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
USERS = [
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
TICKETS = [
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


class Zendesk:
    def __init__(self) -> None:
        self.throttle_next = 0

    def __call__(self, req: Request) -> Response:
        headers = {"X-Rate-Limit": "700", "X-Rate-Limit-Remaining": "699"}
        expected = "Basic " + base64.b64encode(f"{EMAIL}/token:{API_TOKEN}".encode()).decode()
        if req.headers.get("authorization") != expected:
            return Response(401, {"error": "Couldn't authenticate you"}, headers)
        if self.throttle_next:
            self.throttle_next -= 1
            return Response(
                429,
                {"error": "TooManyRequests", "description": "Rate limit exceeded"},
                {**headers, "Retry-After": "1", "X-Rate-Limit-Remaining": "0"},
            )
        path = req.path
        if path == "/api/v2/search.json":
            try:
                results = search(req.query.get("query", ""))
            except BadQuery as exc:
                return Response(400, {"error": "InvalidQuery", "description": str(exc)}, headers)
            sort_by = req.query.get("sort_by", "updated_at")
            results.sort(key=lambda r: r.get(sort_by) or "", reverse=req.query.get("sort_order", "desc") == "desc")
            per_page = min(int(req.query.get("per_page", "100")), 100)
            page = results[:per_page]
            nxt = f"{req.path}?page=2&per_page={per_page}" if len(results) > per_page else None
            return Response(
                200,
                {"results": page, "facets": None, "next_page": nxt, "previous_page": None, "count": len(results)},
                {**headers, "ratelimit-limit": "700", "ratelimit-remaining": "699", "ratelimit-reset": "60"},
            )
        m = re.fullmatch(r"/api/v2/(users|tickets|organizations)/(\d+)\.json", path)
        if m:
            kind = m.group(1)[:-1]
            record = next((r for r in TYPES[kind] if r["id"] == int(m.group(2))), None)
            if record is None:
                return Response(404, {"error": "RecordNotFound", "description": "Not found"}, headers)
            return Response(200, {kind: record}, headers)
        return Response(404, {"error": "InvalidEndpoint", "description": "Not found"}, headers)


def start() -> tuple[LocalServer, dict[str, dict]]:
    server = LocalServer("zendesk", Zendesk()).start()
    return server, {"default": {"baseUrl": server.url, "userEmail": EMAIL, "apiToken": API_TOKEN}}
