"""A local Salesforce: OAuth 2.0 token endpoint and REST ``query``, ``search``, ``composite`` and
``sobjects`` create, with seeded accounts, contacts and cases.

Queries are really parsed: string literals follow SOQL's escape rules and SOSL ``FIND {...}``
its reserved-character escapes, so a query our code built wrongly fails here as MALFORMED_QUERY,
as it would in Salesforce. Errors are Salesforce's array ``[{message, errorCode}]``.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule
from werkzeug.test import EnvironBuilder

from local.standins import omni
from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "salesforce"
CLIENT_ID = "local-sf-consumer-key"
CLIENT_SECRET = "local-sf-consumer-secret"
USERNAME = "integration@example.com"
PASSWORD = "local-sf-password"
SECURITY_TOKEN = "localtoken"
API = "/services/data/v62.0"


def _id(prefix: str, n: int) -> str:
    return f"{prefix}{n:012d}AAA"


ACCOUNTS: list[dict[str, Any]] = [
    {
        "Id": _id("001", 1),
        "Name": "Acme Corporation",
        "AccountNumber": "ACC-1001",
        "Phone": "(415) 555-0100",
        "Type": "Customer",
        "Industry": "Manufacturing",
        "LastModifiedDate": "2026-10-01T10:00:00.000+0000",
    },
    {
        "Id": _id("001", 2),
        "Name": "Globex",
        "AccountNumber": "ACC-2002",
        "Phone": "+1 212 555 0199",
        "Type": "Prospect",
        "Industry": "Energy",
        "LastModifiedDate": "2026-09-01T10:00:00.000+0000",
    },
    {
        "Id": _id("001", 3),
        "Name": "Initech (East)",
        "AccountNumber": "ACC-DUP",
        "Phone": "312-555-0142",
        "Type": "Customer",
        "Industry": "Technology",
        "LastModifiedDate": "2026-11-02T10:00:00.000+0000",
    },
    {
        "Id": _id("001", 4),
        "Name": "Initech (West)",
        "AccountNumber": "ACC-DUP",
        "Phone": "(312) 555-0142",
        "Type": "Customer",
        "Industry": "Technology",
        "LastModifiedDate": "2026-11-10T10:00:00.000+0000",
    },
    {
        "Id": _id("001", 5),
        "Name": "O'Brien & Sons",
        "AccountNumber": "O'B-77\\X",
        "Phone": None,
        "Type": "Partner",
        "Industry": None,
        "LastModifiedDate": "2026-08-01T10:00:00.000+0000",
    },
]
CONTACTS: list[dict[str, Any]] = [
    {
        "Id": _id("003", 1),
        "FirstName": "Jane",
        "LastName": "Doe",
        "Email": "jane.doe@example.com",
        "Phone": "(415) 555-0100",
        "MobilePhone": None,
        "AccountId": _id("001", 1),
        "LastModifiedDate": "2026-11-01T10:00:00.000+0000",
    },
    {
        "Id": _id("003", 2),
        "FirstName": "John",
        "LastName": "Smith",
        "Email": "john.smith@globex.example",
        "Phone": None,
        "MobilePhone": "+1 212-555-0199",
        "AccountId": _id("001", 2),
        "LastModifiedDate": "2026-10-01T10:00:00.000+0000",
    },
    {
        "Id": _id("003", 3),
        "FirstName": "Sam",
        "LastName": "Older",
        "Email": "shared@example.com",
        "Phone": None,
        "MobilePhone": None,
        "AccountId": _id("001", 3),
        "LastModifiedDate": "2026-05-01T10:00:00.000+0000",
    },
    {
        "Id": _id("003", 4),
        "FirstName": "Sam",
        "LastName": "Newer",
        "Email": "shared@example.com",
        "Phone": None,
        "MobilePhone": None,
        "AccountId": _id("001", 4),
        "LastModifiedDate": "2026-11-15T10:00:00.000+0000",
    },
    {
        "Id": _id("003", 5),
        "FirstName": "Pat",
        "LastName": "Lee",
        "Email": "pat.lee@example.com",
        "Phone": "646 555 0123",
        "MobilePhone": None,
        "AccountId": None,
        "LastModifiedDate": "2026-07-01T10:00:00.000+0000",
    },
]
for c in CONTACTS:
    c["Name"] = f"{c['FirstName']} {c['LastName']}"
CASES: list[dict[str, Any]] = [
    {
        "Id": _id("500", 1),
        "CaseNumber": "00001001",
        "Subject": "Order not delivered",
        "Status": "New",
        "Priority": "High",
        "ContactId": _id("003", 1),
        "IsClosed": False,
        "CreatedDate": "2026-11-20T08:30:00.000+0000",
    },
    {
        "Id": _id("500", 2),
        "CaseNumber": "00001000",
        "Subject": "Invoice question",
        "Status": "Working",
        "Priority": "Medium",
        "ContactId": _id("003", 1),
        "IsClosed": False,
        "CreatedDate": "2026-11-01T08:30:00.000+0000",
    },
    {
        "Id": _id("500", 3),
        "CaseNumber": "00000990",
        "Subject": "Old issue",
        "Status": "Closed",
        "Priority": "Low",
        "ContactId": _id("003", 1),
        "IsClosed": True,
        "CreatedDate": "2026-12-01T08:30:00.000+0000",
    },
    {
        "Id": _id("500", 4),
        "CaseNumber": "00000950",
        "Subject": "Closed long ago",
        "Status": "Closed",
        "Priority": "Low",
        "ContactId": _id("003", 2),
        "IsClosed": True,
        "CreatedDate": "2026-01-01T08:30:00.000+0000",
    },
]
TABLES: dict[str, list[dict[str, Any]]] = {"Account": ACCOUNTS, "Contact": CONTACTS, "Case": CASES}
PHONE_FIELDS = {"Account": ["Phone"], "Contact": ["Phone", "MobilePhone"]}


class Malformed(Exception):
    pass


def _errors(status: int, code: str, message: str) -> Response:
    return Response(status, [{"message": message, "errorCode": code}])


_TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*')|(?P<num>\d+)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<punct>[(),=*]))")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def _unescape_soql(body: str) -> str:
    out, i = [], 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1 : i + 2]
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2 : i + 6]):
                out.append(chr(int(body[i + 2 : i + 6], 16)))
                i += 6
                continue
            raise Malformed("invalid escape sequence")
        out.append(ch)
        i += 1
    return "".join(out)


def tokenize_soql(q: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(q):
        if q[pos:].strip() == "":
            break
        m = _TOKEN.match(q, pos)
        if not m:
            raise Malformed(f"unexpected character at {pos}")
        kind = m.lastgroup or ""
        text = m.group(kind)
        tokens.append((kind, _unescape_soql(text[1:-1]) if kind == "str" else text))
        pos = m.end()
    return tokens


def _value(record: dict[str, Any], field: str, tables: dict[str, list[dict[str, Any]]] = TABLES) -> Any:
    if "." in field:
        rel, _, sub = field.partition(".")
        target = _related(record, rel, tables)
        return None if target is None else target.get(sub)
    return record.get(field)


def _related(record: dict[str, Any], rel: str, tables: dict[str, list[dict[str, Any]]] = TABLES) -> dict[str, Any] | None:
    ref = record.get(f"{rel}Id")
    return next((r for r in tables.get(rel, []) if r["Id"] == ref), None)


def _project(obj: str, record: dict[str, Any], fields: list[str], tables: dict[str, list[dict[str, Any]]] = TABLES) -> dict[str, Any]:
    out: dict[str, Any] = {"attributes": {"type": obj, "url": f"{API}/sobjects/{obj}/{record['Id']}"}}
    for f in fields:
        if "." in f:
            rel, _, sub = f.partition(".")
            target = _related(record, rel, tables)
            if target is None:
                out[rel] = None
            else:
                out.setdefault(rel, {"attributes": {"type": rel, "url": f"{API}/sobjects/{rel}/{target['Id']}"}})[sub] = target.get(sub)
        else:
            out[f] = record.get(f)
    return out


def run_soql(q: str, tables: dict[str, list[dict[str, Any]]] = TABLES) -> dict[str, Any]:
    """Run a SOQL query over ``tables`` (the CRM records, plus an instance's Omni-Channel objects)."""
    toks = tokenize_soql(q)
    i = 0

    def expect_word(word: str) -> None:
        nonlocal i
        if i >= len(toks) or toks[i][1].upper() != word:
            raise Malformed(f"expected {word}")
        i += 1

    expect_word("SELECT")
    fields = []
    while True:
        if i >= len(toks) or toks[i][0] != "word":
            raise Malformed("expected field")
        fields.append(toks[i][1])
        i += 1
        if i < len(toks) and toks[i][1] == ",":
            i += 1
            continue
        break
    expect_word("FROM")
    obj = toks[i][1] if i < len(toks) else ""
    if obj not in tables:
        raise Malformed(f"sObject type '{obj}' is not supported")
    i += 1
    conds = []
    if i < len(toks) and toks[i][1].upper() == "WHERE":
        i += 1
        while True:
            if i + 2 >= len(toks):
                raise Malformed("incomplete condition")
            field, op, val = toks[i], toks[i + 1], toks[i + 2]
            if field[0] != "word" or op[1] != "=":
                raise Malformed("unsupported condition")
            if val[0] == "str":
                value: Any = val[1]
            elif val[0] == "word" and val[1].lower() in ("true", "false"):
                value = val[1].lower() == "true"
            else:
                raise Malformed("unsupported literal")
            conds.append((field[1], value))
            i += 3
            if i < len(toks) and toks[i][1].upper() == "AND":
                i += 1
                continue
            break
    order, desc, limit = None, False, None
    if i < len(toks) and toks[i][1].upper() == "ORDER":
        i += 1
        expect_word("BY")
        order = toks[i][1]
        i += 1
        if i < len(toks) and toks[i][1].upper() in ("ASC", "DESC"):
            desc = toks[i][1].upper() == "DESC"
            i += 1
    if i < len(toks) and toks[i][1].upper() == "LIMIT":
        limit = int(toks[i + 1][1])
        i += 2
    if i != len(toks):
        raise Malformed(f"unexpected token {toks[i][1]!r}")
    rows = [r for r in tables[obj] if all(_value(r, f, tables) == v for f, v in conds)]
    if order:
        rows.sort(key=lambda r: str(_value(r, order, tables) or ""), reverse=desc)
    rows = rows[:limit] if limit is not None else rows
    return {"totalSize": len(rows), "done": True, "records": [_project(obj, r, fields, tables) for r in rows]}


_RETURNING = re.compile(r"(\w+)\(([^)]*)\)")


def run_sosl(q: str) -> dict[str, Any]:
    if not q.startswith("FIND {"):
        raise Malformed("expected FIND {")
    i, term = 6, []
    while i < len(q) and q[i] != "}":
        if q[i] == "\\":
            if i + 1 >= len(q):
                raise Malformed("dangling escape")
            term.append(q[i + 1])
            i += 2
            continue
        if q[i] in "{":
            raise Malformed("unescaped reserved character in search term")
        term.append(q[i])
        i += 1
    if i >= len(q):
        raise Malformed("unterminated FIND {")
    rest = q[i + 1 :].strip()
    if not rest.startswith("IN PHONE FIELDS RETURNING "):
        raise Malformed("only IN PHONE FIELDS RETURNING is supported here")
    wanted = [t.strip().strip('"') for t in "".join(term).split(" OR ")]
    digits = {re.sub(r"\D", "", t) for t in wanted if re.sub(r"\D", "", t)}
    out = []
    for obj, spec in _RETURNING.findall(rest[len("IN PHONE FIELDS RETURNING ") :]):
        fields_part = re.split(r"\s+ORDER\s+BY\s+|\s+LIMIT\s+", spec)[0]
        fields = [f.strip() for f in fields_part.split(",") if f.strip()]
        rows = [r for r in TABLES[obj] if any(_phone_match(r.get(f), digits) for f in PHONE_FIELDS[obj])]
        rows.sort(key=lambda r: r.get("LastModifiedDate", ""), reverse=True)
        out += [_project(obj, r, fields) for r in rows]
    return {"searchRecords": out}


def _phone_match(stored: Any, digits: set[str]) -> bool:
    if not stored:
        return False
    s = re.sub(r"\D", "", str(stored))
    return any(s == d or s.endswith(d) or d.endswith(s) for d in digits if len(d) >= 7 and len(s) >= 7)


def _parsed(run: Callable[[str], dict[str, Any]], q: str) -> Response:
    try:
        return Response(200, run(q))
    except Malformed as exc:
        return _errors(400, "MALFORMED_QUERY", str(exc))
    except (IndexError, ValueError):
        return _errors(400, "MALFORMED_QUERY", "unexpected end of query")


URLS = routes(
    Rule(f"{API}/query", endpoint="query", methods=["GET"]),
    Rule(f"{API}/search", endpoint="search", methods=["GET"]),
    Rule(f"{API}/composite", endpoint="composite", methods=["POST"]),
    Rule(f"{API}/sobjects/CaseComment", endpoint="create_comment", methods=["POST"]),
    Rule(f"{API}/sobjects/Presence_Command__e", endpoint="publish_command", methods=["POST"]),
)


class Salesforce:
    def __init__(self) -> None:
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.limit_next = 0  # answer the next N API calls with REQUEST_LIMIT_EXCEEDED
        self.fail_next = 0  # answer the next N API calls with 503
        self.comments: list[dict[str, Any]] = []
        self.consoles = omni.Consoles()  # agents' Omni-Channel consoles (presence sync)

    def expire_sessions(self) -> None:
        self.tokens.clear()

    def __call__(self, req: Request) -> Response:
        if req.path == "/services/oauth2/token":
            return self.token(req)
        if not req.path.startswith(API):
            return self.not_found(req)
        if req.bearer not in self.tokens:
            return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if self.limit_next:
            self.limit_next -= 1
            return _errors(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        if self.fail_next:
            self.fail_next -= 1
            return _errors(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable")
        resp = self.dispatch(req)
        resp.headers["Sforce-Limit-Info"] = "api-usage=42/15000"
        return resp

    def dispatch(self, req: Request) -> Response:
        """An authorised API request (a top-level one or a composite subrequest)."""
        endpoint, _ = match(URLS, req)
        return getattr(self, endpoint)(req)

    def not_found(self, req: Request) -> Response:
        return _errors(404, "NOT_FOUND", "The requested resource does not exist")

    def query(self, req: Request) -> Response:
        tables = {**TABLES, **self.consoles.tables}  # this instance's Omni-Channel objects beside the CRM records
        return _parsed(lambda q: run_soql(q, tables), req.query.get("q", ""))

    def search(self, req: Request) -> Response:
        return _parsed(run_sosl, req.query.get("q", ""))

    def create_comment(self, req: Request) -> Response:
        body = req.json()
        if not any(c["Id"] == body.get("ParentId") for c in CASES):
            return _errors(400, "FIELD_INTEGRITY_EXCEPTION", "Parent ID: id value of incorrect type")
        if len(str(body.get("CommentBody", "")).encode()) > 4000:
            return _errors(400, "STRING_TOO_LONG", "Body: data value too large")
        new_id = _id("00a", len(self.comments) + 1)
        self.comments.append({"Id": new_id, **body})
        return Response(201, {"id": new_id, "success": True, "errors": []})

    def publish_command(self, req: Request) -> Response:
        """A platform event publish: 201 with an id, then the agent's console applies it."""
        try:
            fields = req.json()
        except ValueError:
            return _errors(400, "JSON_PARSER_ERROR", "The request body is not valid JSON")
        if not isinstance(fields, dict):
            return _errors(400, "JSON_PARSER_ERROR", "Expected an object")
        problem = self.consoles.command(fields)
        if problem:
            return _errors(400, problem, "Required fields are missing: [CommandId__c, UserId__c, ExpiresAt__c, Action__c]")
        return Response(201, {"id": "e00" + secrets.token_hex(6).upper(), "success": True, "errors": []})

    def composite(self, req: Request) -> Response:
        results: dict[str, Any] = {}
        out = []
        for sub in req.json().get("compositeRequest", []):
            ref = sub["referenceId"]
            try:
                url = re.sub(r"@\{([^}]+)\}", lambda m: str(_resolve(results, m.group(1))), sub["url"])
            except (KeyError, IndexError, TypeError):
                halted = [{"errorCode": "PROCESSING_HALTED", "message": "Invalid reference specification"}]
                out.append({"body": halted, "httpHeaders": {}, "httpStatusCode": 400, "referenceId": ref})
                continue
            resp = self.dispatch(Request(EnvironBuilder(method=sub["method"], path=url, json=sub.get("body")).get_environ()))
            results[ref] = payload = json.loads(resp.get_data())
            out.append({"body": payload, "httpHeaders": {}, "httpStatusCode": resp.status_code, "referenceId": ref})
        return Response(200, {"compositeResponse": out})

    def token(self, req: Request) -> Response:
        self.token_requests += 1
        form = req.form
        ok_client = form.get("client_id") == CLIENT_ID and form.get("client_secret") == CLIENT_SECRET
        grant = form.get("grant_type")
        if grant == "password":
            ok = ok_client and form.get("username") == USERNAME and form.get("password") == PASSWORD + SECURITY_TOKEN
        else:
            ok = ok_client and grant == "client_credentials"
        if not ok:
            return Response(400, {"error": "invalid_grant", "error_description": "authentication failure"})
        token = "00D" + secrets.token_urlsafe(24)
        self.tokens.add(token)
        # The session's instance is the server's own address, whatever host the login went to
        # (login.salesforce.com answers https://<instance>.my.salesforce.com).
        base = f"http://127.0.0.1:{req.environ['SERVER_PORT']}"
        return Response(
            200,
            {
                "access_token": token,
                "instance_url": base,
                "id": f"{base}/id/00D000000000001/005000000000001",
                "token_type": "Bearer",
                "issued_at": "1795264496000",
                "signature": "local",
            },
        )


def _resolve(results: dict[str, Any], path: str) -> Any:
    ref, _, rest = path.partition(".")
    value: Any = results[ref]
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", rest):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def start() -> tuple[LocalServer, dict[str, dict]]:
    server = LocalServer("salesforce", Salesforce()).start()
    common = {"loginUrl": server.url, "clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET}
    return server, {
        "default": {"auth": "client_credentials", **common},
        "password": {"auth": "password", **common, "username": USERNAME, "password": PASSWORD, "securityToken": SECURITY_TOKEN},
    }
