"""The Genesys Cloud directory as the EX sync writes it, over the shared GenesysClient (token,
shared rate budget): how Genesys answers each case, turned into a few outcomes.

* **Rate limit**: every request takes a token of the configuration's shared budget first; a 429
  pauses the budget for everyone for its Retry-After, and the request is made again (a 429 was
  not carried out, so repeating even a write is safe) while the invocation has time.
* **Versions**: a user is PATCHed with the version just read (GET before PATCH); a stale version
  (409, 408, or a 400 whose message says it "does not match the current version") is read again
  and retried, at most ``VERSION_RETRIES`` times (as Genesys' own terraform provider does).
* **Conflicts**: creating an object whose name (user: email) exists answers ``general.conflict``
  -> :class:`Conflict`; the caller finds the existing object and adopts or restores it.
* **Rejections**: any other 4xx on a write -> :class:`Rejected` with Genesys' error code (never
  its message: it may quote the data).
* **Gone**: 404 for an object we hold an id of -> :class:`Gone` (deleted in Genesys: re-create).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dataactions.errors import RateLimited

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.genesys.client import GenesysClient

VERSION_RETRIES = 5
RATE_RETRIES = 6
BULK = 50  # user routing skills/languages per bulk PATCH
MEMBERS = 100  # queue members per add/remove call
PAGE = 100
VERSION_TEXT = "does not match the current version"


class Conflict(Exception):
    """Genesys already has an object with this name (a user: this email), maybe a deleted one."""


class Rejected(Exception):
    """Genesys refused the object's content (invalid email, name too long, ...)."""

    def __init__(self, status: int, code: str) -> None:
        super().__init__(f"Genesys rejected it (HTTP {status}{' ' + code if code else ''})")
        self.status = status
        self.code = code


class Gone(Exception):
    """The object is not in Genesys (any more)."""


class VersionConflict(Exception):
    """The user kept changing under us for VERSION_RETRIES attempts."""


def _error(resp: httpx.Response) -> tuple[str, str]:
    try:
        body = resp.json()
    except ValueError:
        return "", ""
    return (str(body.get("code", "")), str(body.get("message", ""))) if isinstance(body, dict) else ("", "")


def is_version_mismatch(resp: httpx.Response) -> bool:
    if resp.status_code in (408, 409):
        return True
    return resp.status_code == 400 and VERSION_TEXT in _error(resp)[1]


class Directory:
    """Reads and writes of one container; ``calls`` counts requests by kind (figures, run records)."""

    def __init__(self, client: GenesysClient) -> None:
        self.client = client
        self.calls: Counter[str] = Counter()

    # -- the wire ------------------------------------------------------------------------------------

    def call(self, ctx: ActionContext[Any], method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request; 400/404/409 come back to the caller, 429 is waited out and repeated."""
        for attempt in range(RATE_RETRIES + 1):
            self.calls["read" if method == "GET" or path.endswith("/search") else "write"] += 1
            try:
                return self.client.request(
                    ctx, method, path, read=method == "GET", ok=(200, 201, 202, 204), passthrough=(400, 404, 408, 409), **kwargs
                )
            except RateLimited:
                if attempt == RATE_RETRIES or ctx.time_left() < 2:
                    raise
                if self.client.throttle is None:
                    time.sleep(1.0)  # no shared budget to wait on: a short pause
        raise AssertionError("unreachable")

    def json(self, resp: httpx.Response) -> Any:
        return resp.json() if resp.content else None

    def write(self, ctx: ActionContext[Any], method: str, path: str, body: Any = None, params: dict[str, Any] | None = None) -> Any:
        """A write: its JSON answer, or Conflict / Rejected / Gone."""
        resp = self.call(ctx, method, path, json=body, params=params)
        self._raise(resp)
        return self.json(resp)

    def _raise(self, resp: httpx.Response) -> None:
        status = resp.status_code
        if status < 300:
            return
        code, _ = _error(resp)
        if status == 404:
            raise Gone()
        if code == "general.conflict" and status in (400, 409):
            raise Conflict()
        raise Rejected(status, code)

    def get(self, ctx: ActionContext[Any], path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        resp = self.call(ctx, "GET", path, params=params)
        if resp.status_code == 404:
            return None
        self._raise(resp)
        body = self.json(resp)
        return body if isinstance(body, dict) else None

    def pages(self, ctx: ActionContext[Any], path: str, params: dict[str, Any] | None = None, size: int = PAGE) -> Iterator[dict[str, Any]]:
        number = 1
        while True:
            body = self.get(ctx, path, {**(params or {}), "pageSize": size, "pageNumber": number}) or {}
            entities = body.get("entities") or []
            yield from (e for e in entities if isinstance(e, dict))
            if not entities or number >= int(body.get("pageCount") or 1):
                return
            number += 1

    # -- users ---------------------------------------------------------------------------------------

    def create_user(self, ctx: ActionContext[Any], body: dict[str, Any]) -> dict[str, Any]:
        return dict(self.write(ctx, "POST", "/api/v2/users", body))

    def find_user(self, ctx: ActionContext[Any], email: str, *, deleted: bool) -> dict[str, Any] | None:
        """The user with this email (EXACT search), among deleted users when ``deleted``."""
        query: list[dict[str, Any]] = [{"fields": ["email"], "value": email, "type": "EXACT"}]
        if deleted:
            query.append({"fields": ["state"], "values": ["deleted"], "type": "EXACT"})
        found = self.write(ctx, "POST", "/api/v2/users/search", {"query": query, "pageSize": 1}) or {}
        results = found.get("results") or []
        return dict(results[0]) if results else None

    def patch_user(
        self,
        ctx: ActionContext[Any],
        user_id: str,
        changes: dict[str, Any],
        *,
        deleted: bool = False,
        current: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """PATCH with the version just read (``current``, else a GET); a stale version is read
        again and retried, at most VERSION_RETRIES times."""
        params = {"state": "deleted"} if deleted else None
        for _ in range(VERSION_RETRIES):
            if current is None:
                current = self.get(ctx, f"/api/v2/users/{user_id}", params)
                if current is None:
                    raise Gone()
            resp = self.call(ctx, "PATCH", f"/api/v2/users/{user_id}", json={**changes, "version": current["version"]})
            if is_version_mismatch(resp):
                self.calls["version-retry"] += 1
                current = None
                continue
            self._raise(resp)
            return dict(self.json(resp) or {})
        raise VersionConflict()

    def restore_user(self, ctx: ActionContext[Any], user_id: str) -> dict[str, Any]:
        """A deleted user back to active (PATCH state with the deleted user's version)."""
        return self.patch_user(ctx, user_id, {"state": "active"}, deleted=True)

    def set_external_id(self, ctx: ActionContext[Any], user_id: str, authority: str, key: str) -> None:
        try:
            self.write(ctx, "POST", f"/api/v2/users/{user_id}/externalid", {"authorityName": authority, "externalKey": key})
        except Conflict:
            raise Rejected(409, "external id in use by another user") from None

    def user_by_external_id(self, ctx: ActionContext[Any], authority: str, key: str) -> dict[str, Any] | None:
        return self.get(ctx, f"/api/v2/users/externalid/{authority}/{key}")

    def assign(self, ctx: ActionContext[Any], user_id: str, kind: str, add: dict[str, float], remove: list[str]) -> None:
        """Routing skills or languages of a user: removals one by one, the rest in bulk of 50."""
        segment = "routingskills" if kind == "skills" else "routinglanguages"
        for gc_id in remove:
            try:
                self.write(ctx, "DELETE", f"/api/v2/users/{user_id}/{segment}/{gc_id}")
            except Gone:
                pass
        items = [{"id": gc_id, "proficiency": p} for gc_id, p in sorted(add.items())]
        for i in range(0, len(items), BULK):
            self.write(ctx, "PATCH", f"/api/v2/users/{user_id}/{segment}/bulk", items[i : i + BULK])

    def move(self, ctx: ActionContext[Any], division_id: str, object_type: str, ids: list[str]) -> None:
        self.write(ctx, "POST", f"/api/v2/authorization/divisions/{division_id}/objects/{object_type}", ids)

    # -- named objects (skills, languages, divisions, wrap-up codes, queues) -------------------------------

    def find_named(self, ctx: ActionContext[Any], path: str, name: str) -> dict[str, Any] | None:
        wanted = name.strip().lower()
        for item in self.pages(ctx, path, {"name": name}):
            if str(item.get("name", "")).strip().lower() == wanted:
                return item
        return None

    def home_division(self, ctx: ActionContext[Any]) -> str:
        body = self.get(ctx, "/api/v2/authorization/divisions/home") or {}
        return str(body["id"])

    def queue_members(self, ctx: ActionContext[Any], queue_id: str, add: list[str], remove: list[str]) -> None:
        for ids, params in ((remove, {"delete": "true"}), (add, None)):
            for i in range(0, len(ids), MEMBERS):
                self.write(ctx, "POST", f"/api/v2/routing/queues/{queue_id}/members", [{"id": u} for u in ids[i : i + MEMBERS]], params)

    def queue_wrapups(self, ctx: ActionContext[Any], queue_id: str, add: list[str], remove: list[str]) -> None:
        for code in remove:
            try:
                self.write(ctx, "DELETE", f"/api/v2/routing/queues/{queue_id}/wrapupcodes/{code}")
            except Gone:
                pass
        for i in range(0, len(add), MEMBERS):
            self.write(ctx, "POST", f"/api/v2/routing/queues/{queue_id}/wrapupcodes", [{"id": c} for c in add[i : i + MEMBERS]])

    # -- reading Genesys as a whole (drift, reconcile, adoption at the first sync) -----------------------

    LISTINGS = {
        "division": "/api/v2/authorization/divisions",
        "skill": "/api/v2/routing/skills",
        "language": "/api/v2/routing/languages",
        "wrapup": "/api/v2/routing/wrapupcodes",
        "status": "/api/v2/presence/definitions",
        "queue": "/api/v2/routing/queues",
    }

    def listing(self, ctx: ActionContext[Any], kind: str) -> dict[str, dict[str, Any]]:
        """Every Genesys object of a kind by id (users with their skills and languages; secondary
        statuses only)."""
        if kind == "user":
            items = self.pages(ctx, "/api/v2/users", {"state": "any", "expand": "skills,languages"})
        else:
            items = self.pages(ctx, self.LISTINGS[kind])
        out = {str(i["id"]): i for i in items if "id" in i}
        if kind == "status":
            out = {k: v for k, v in out.items() if v.get("type") == "User"}
        return out

    def queue_details(self, ctx: ActionContext[Any], queue: dict[str, Any]) -> dict[str, Any]:
        """A listed queue with its member and wrap-up code ids (``memberIds``, ``wrapupIds``)."""
        qid = queue["id"]
        members = [str(m["id"]) for m in self.pages(ctx, f"/api/v2/routing/queues/{qid}/members", size=MEMBERS)]
        codes = [str(c["id"]) for c in self.pages(ctx, f"/api/v2/routing/queues/{qid}/wrapupcodes")]
        return {**queue, "memberIds": members, "wrapupIds": codes}
