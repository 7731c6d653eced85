"""A local Dynamics 365 (Dataverse Web API v9.2) and Entra ID token endpoint.

OData queries are really parsed (``$filter`` with eq/and/or/parentheses, string literals with
doubled quotes, GUID and number literals; ``$select``, ``$orderby``, ``$top``, ``$count``,
``$expand``), collections page with ``@odata.nextLink`` under ``Prefer: odata.maxpagesize``,
errors are ``{"error": {"code": "0x...", "message": ...}}``, and throttling answers 429 + Retry-After.
"""

from __future__ import annotations

import re
import secrets
import uuid
from typing import Any
from urllib.parse import urlencode

from werkzeug.routing import Rule

from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "dynamics"
TENANT = "11111111-2222-4333-8444-555555555555"
CLIENT_ID = "local-dynamics-app"
CLIENT_SECRET = "local-dynamics-secret"
API = "/api/data/v9.2"


def _g(prefix: str, n: int) -> str:
    return f"{prefix}-0000-4000-8000-{n:012d}"


ACCOUNTS: list[dict[str, Any]] = [
    {
        "accountid": _g("a0000001", 1),
        "name": "Contoso Ltd",
        "accountnumber": "CON-100",
        "telephone1": "+14155550100",
        "telephone2": None,
        "telephone3": None,
        "emailaddress1": "info@contoso.example",
        "address1_city": "San Francisco",
        "modifiedon": "2026-10-01T10:00:00Z",
    },
    {
        "accountid": _g("a0000001", 2),
        "name": "Fabrikam",
        "accountnumber": "FAB-200",
        "telephone1": "2125550199",
        "telephone2": None,
        "telephone3": None,
        "emailaddress1": None,
        "address1_city": "New York",
        "modifiedon": "2026-09-01T10:00:00Z",
    },
    {
        "accountid": _g("a0000001", 3),
        "name": "Twin Holdings",
        "accountnumber": "TWN-1",
        "telephone1": "(312) 555-0142",
        "telephone2": None,
        "telephone3": None,
        "emailaddress1": None,
        "address1_city": "Chicago",
        "modifiedon": "2026-05-01T10:00:00Z",
    },
    {
        "accountid": _g("a0000001", 4),
        "name": "Twin Holdings",
        "accountnumber": "TWN-2",
        "telephone1": None,
        "telephone2": "3125550142",
        "telephone3": None,
        "emailaddress1": None,
        "address1_city": "Chicago",
        "modifiedon": "2026-11-01T10:00:00Z",
    },
    {
        "accountid": _g("a0000001", 5),
        "name": "O'Neil & Co",
        "accountnumber": "ONL-5",
        "telephone1": None,
        "telephone2": None,
        "telephone3": None,
        "emailaddress1": None,
        "address1_city": None,
        "modifiedon": "2026-08-01T10:00:00Z",
    },
]
CONTACTS: list[dict[str, Any]] = [
    {
        "contactid": _g("c0000001", 1),
        "fullname": "Maria Garcia",
        "firstname": "Maria",
        "lastname": "Garcia",
        "emailaddress1": "maria@contoso.example",
        "telephone1": "(415) 555-0100",
        "telephone2": None,
        "mobilephone": None,
        "_parentcustomerid_value": _g("a0000001", 1),
        "modifiedon": "2026-11-01T10:00:00Z",
    },
    {
        "contactid": _g("c0000001", 2),
        "fullname": "Li Wei",
        "firstname": "Li",
        "lastname": "Wei",
        "emailaddress1": "li@fabrikam.example",
        "telephone1": None,
        "telephone2": None,
        "mobilephone": "+12125550199",
        "_parentcustomerid_value": _g("a0000001", 2),
        "modifiedon": "2026-10-01T10:00:00Z",
    },
    {
        "contactid": _g("c0000001", 3),
        "fullname": "Alex Kim",
        "firstname": "Alex",
        "lastname": "Kim",
        "emailaddress1": "alex.kim@example.com",
        "telephone1": None,
        "telephone2": None,
        "mobilephone": None,
        "_parentcustomerid_value": None,
        "modifiedon": "2026-04-01T10:00:00Z",
    },
    {
        "contactid": _g("c0000001", 4),
        "fullname": "Alex Kim",
        "firstname": "Alex",
        "lastname": "Kim",
        "emailaddress1": "alex.kim2@example.com",
        "telephone1": None,
        "telephone2": None,
        "mobilephone": None,
        "_parentcustomerid_value": None,
        "modifiedon": "2026-11-11T10:00:00Z",
    },
]
INCIDENTS: list[dict[str, Any]] = [
    {
        "incidentid": _g("e0000001", 1),
        "ticketnumber": "CAS-01001-A1B2",
        "title": "Router offline",
        "statecode": 0,
        "prioritycode": 1,
        "createdon": "2026-11-19T08:00:00Z",
        "_customerid_value": _g("c0000001", 1),
        "_primarycontactid_value": None,
    },
    {
        "incidentid": _g("e0000001", 2),
        "ticketnumber": "CAS-01000-Z9Y8",
        "title": "Billing address",
        "statecode": 0,
        "prioritycode": 2,
        "createdon": "2026-10-19T08:00:00Z",
        "_customerid_value": _g("a0000001", 1),
        "_primarycontactid_value": _g("c0000001", 1),
    },
    {
        "incidentid": _g("e0000001", 3),
        "ticketnumber": "CAS-00900-OLD1",
        "title": "Resolved one",
        "statecode": 1,
        "prioritycode": 3,
        "createdon": "2026-11-20T08:00:00Z",
        "_customerid_value": _g("c0000001", 1),
        "_primarycontactid_value": None,
    },
    {
        "incidentid": _g("e0000001", 4),
        "ticketnumber": "CAS-00800-LW00",
        "title": "Cancelled",
        "statecode": 2,
        "prioritycode": 2,
        "createdon": "2026-03-01T08:00:00Z",
        "_customerid_value": _g("c0000001", 2),
        "_primarycontactid_value": None,
    },
]
SETS = {"accounts": ("accountid", ACCOUNTS), "contacts": ("contactid", CONTACTS), "incidents": ("incidentid", INCIDENTS)}
NAV = {"parentcustomerid_account": ("_parentcustomerid_value", "accounts")}
_TOK = re.compile(
    r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<guid>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})|(?P<num>-?\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<p>[()]))"
)


class BadQuery(Exception):
    pass


def tokenize(text: str) -> list[tuple[str, Any]]:
    out, pos = [], 0
    while text[pos:].strip():
        m = _TOK.match(text, pos)
        if not m:
            raise BadQuery(f"Syntax error at position {pos} in '$filter'")
        kind = m.lastgroup or ""
        raw = m.group(kind)
        value: Any = (
            raw[1:-1].replace("''", "'") if kind == "str" else int(raw) if kind == "num" else raw.lower() if kind == "guid" else raw
        )
        out.append((kind, value))
        pos = m.end()
    return out


def parse_filter(text: str):
    """A predicate over a record, from ``$filter`` (eq, and, or, parentheses)."""
    toks = tokenize(text)
    i = 0

    def peek() -> tuple[str, Any] | None:
        return toks[i] if i < len(toks) else None

    def take() -> tuple[str, Any]:
        nonlocal i
        if i >= len(toks):
            raise BadQuery("Unexpected end of '$filter'")
        i += 1
        return toks[i - 1]

    def primary():
        tok = take()
        if tok == ("p", "("):
            inner = disjunction()
            if take() != ("p", ")"):
                raise BadQuery("')' expected in '$filter'")
            return inner
        if tok[0] != "name":
            raise BadQuery("property name expected in '$filter'")
        op = take()
        if op != ("name", "eq"):
            raise BadQuery("only 'eq' is supported here")
        kind, lit = take()
        if kind not in ("str", "guid", "num"):
            raise BadQuery("literal expected in '$filter'")
        field = tok[1]

        def pred(r: dict[str, Any]) -> bool:
            v = r.get(field)
            if isinstance(lit, str) and isinstance(v, str):
                return v.lower() == lit.lower()  # Dataverse string comparisons ignore case
            return v == lit

        return pred

    def conjunction():
        left = primary()
        while peek() == ("name", "and"):
            take()
            right = primary()
            left = (lambda a, b: lambda r: a(r) and b(r))(left, right)
        return left

    def disjunction():
        left = conjunction()
        while peek() == ("name", "or"):
            take()
            right = conjunction()
            left = (lambda a, b: lambda r: a(r) or b(r))(left, right)
        return left

    pred = disjunction()
    if i != len(toks):
        raise BadQuery(f"Unexpected token '{toks[i][1]}' in '$filter'")
    return pred


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(status, {"error": {"code": code, "message": message}}, headers)


def _select(record: dict[str, Any], select: str | None) -> dict[str, Any]:
    if not select:
        return dict(record)
    return {f: record.get(f) for f in select.split(",")}


def _api_url(req: Request) -> str:
    return req.host_url.rstrip("/") + API


URLS = routes(
    Rule(f"/{TENANT}/oauth2/v2.0/token", endpoint="token", methods=["POST"]),
    Rule(f"{API}/<any({', '.join(SETS)}):entity_set>", endpoint="collection", methods=["GET"]),
    Rule(f"{API}/<any({', '.join(SETS)}):entity_set>(<uuid:key>)", endpoint="single", methods=["GET"]),
)


class Dynamics:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.throttle_next = 0

    def __call__(self, req: Request) -> Response:
        endpoint, args = match(URLS, req)
        if endpoint == "token":
            return self.token(req)
        if not req.path.startswith(API + "/"):
            return _error(404, "0x80060888", "Resource not found for the segment.")
        if req.bearer not in self.tokens:
            return Response(401, raw=b"", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if self.throttle_next:
            self.throttle_next -= 1
            return _error(
                429, "0x80072322", "Number of requests exceeded the limit of 6000 over time window of 300 seconds.", {"Retry-After": "1"}
            )
        try:
            return getattr(self, endpoint)(req, **args)
        except BadQuery as exc:
            return _error(400, "0x80060888", str(exc))

    def not_found(self, req: Request) -> Response:
        segment = req.path[len(API) + 1 :].split("(")[0]
        return _error(404, "0x80060888", f"Resource not found for the segment '{segment}'.")

    def single(self, req: Request, entity_set: str, key: uuid.UUID) -> Response:
        id_field, rows = SETS[entity_set]
        record = next((r for r in rows if r[id_field] == str(key)), None)
        if record is None:
            return _error(404, "0x80040217", f"{entity_set[:-1]} With Id = {key} Does Not Exist")
        q = req.query
        out = {"@odata.context": f"{_api_url(req)}/$metadata#{entity_set}/$entity", **_select(record, q.get("$select"))}
        expand = q.get("$expand")
        if expand:
            m = re.fullmatch(r"(\w+)(?:\(\$select=([\w,]+)\))?", expand)
            if not m or m.group(1) not in NAV:
                raise BadQuery("Could not find a property named in '$expand'")
            fk, target = NAV[m.group(1)]
            tid, trows = SETS[target]
            related = next((r for r in trows if r[tid] == record.get(fk)), None)
            out[m.group(1)] = None if related is None else _select(related, m.group(2))
        return Response(200, out)

    def collection(self, req: Request, entity_set: str) -> Response:
        q = req.query
        id_field, rows = SETS[entity_set]
        pred = parse_filter(q["$filter"]) if q.get("$filter") else (lambda r: True)
        matched = [r for r in rows if pred(r)]
        if q.get("$orderby"):
            field, _, direction = q["$orderby"].partition(" ")
            matched.sort(key=lambda r: str(r.get(field) or ""), reverse=direction.strip().lower() == "desc")
        total = len(matched)
        if q.get("$top"):
            matched = matched[: int(q["$top"])]
        skip = int(q.get("$skiptoken", "0"))
        prefer = req.headers.get("prefer", "")
        size = int(m.group(1)) if (m := re.search(r"odata\.maxpagesize=(\d+)", prefer)) else 5000
        page = matched[skip : skip + size]
        body: dict[str, Any] = {
            "@odata.context": f"{_api_url(req)}/$metadata#{entity_set}",
            "value": [_select(r, q.get("$select")) for r in page],
        }
        if q.get("$count") == "true":
            body["@odata.count"] = total
        if skip + size < len(matched):
            nxt = {k: v for k, v in q.items() if k != "$skiptoken"} | {"$skiptoken": str(skip + size)}
            body["@odata.nextLink"] = f"{_api_url(req)}/{entity_set}?{urlencode(nxt)}"
        return Response(200, body, {"Preference-Applied": f"odata.maxpagesize={size}"} if "maxpagesize" in prefer else None)

    def token(self, req: Request) -> Response:
        self.token_requests += 1
        form = req.form
        if (
            form.get("client_id") != CLIENT_ID
            or form.get("client_secret") != CLIENT_SECRET
            or form.get("grant_type") != "client_credentials"
        ):
            return Response(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                    "error_codes": [7000215],
                },
            )
        if form.get("scope") != f"{req.host_url}.default":
            return Response(400, {"error": "invalid_scope", "error_description": "AADSTS70011: The provided value for scope is not valid."})
        token = "eyJ0" + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Response(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token})


def start() -> tuple[LocalServer, dict[str, dict]]:
    server = LocalServer("dynamics", Dynamics()).start()
    return server, {
        "default": {"orgUrl": server.url, "loginUrl": server.url, "tenantId": TENANT, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    }
