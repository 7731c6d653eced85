"""Applying one planned operation to Genesys, idempotently: applying it again (a redelivered page,
a resumed run) finds it done and makes no call, and an object created just before a crash is
found again rather than duplicated (its email or name answers ``general.conflict``, the existing
object is adopted; a deleted user with the email is restored).

The id map is updated after each object with what was actually applied (the sets hold only the
members, skills and wrap-up codes that Genesys accepted, so what is missing is tried again)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataactions.errors import BackendError, BackendTimeout, RateLimited
from functions.exsync.genesys import Conflict, Gone, Rejected, VersionConflict
from functions.exsync.model import HOME, Current, digest

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.exsync.genesys import Directory
    from functions.exsync.idmap import IdMap
    from functions.exsync.mapping import MappingDocument
    from functions.exsync.plan import Op

PEOPLE = ("name", "email", "title", "department")
DONE = {
    "create": "created",
    "adopt": "adopted",
    "update": "updated",
    "deactivate": "deactivated",
    "reactivate": "reactivated",
    "empty": "emptied",
}
PATHS = {
    "skill": "/api/v2/routing/skills",
    "language": "/api/v2/routing/languages",
    "division": "/api/v2/authorization/divisions",
    "wrapup": "/api/v2/routing/wrapupcodes",
    "queue": "/api/v2/routing/queues",
}


@dataclass
class Result:
    result: str  # created, adopted, restored, updated, deactivated, reactivated, emptied, unchanged, failed
    reason: str = ""
    gc_id: str | None = None
    calls: int = 0
    transient: bool = False  # a failure the next run retries as it is (not the content's fault)

    def fields(self) -> dict[str, Any]:
        return {"result": self.result, "why": self.reason, "gcId": self.gc_id, "calls": self.calls, "transient": self.transient or None}


def _have(op: Op, prior: Current | None, name: str) -> dict[str, float]:
    """A set as the plan saw it in Genesys (members re-created since, or a read, may differ from
    the id map); the id map's applied set when the plan did not say (or for a re-created object)."""
    if prior is None:
        return {}
    return op.have[name] if name in op.have else prior.sets.get(name, {})


def _same(field: str, have: Any, want: Any) -> bool:
    """Genesys compares emails case-insensitively; the other fields as they are."""
    a, b = str(have or ""), str(want or "")
    return a.lower() == b.lower() if field == "email" else a == b


class Missing(Exception):
    """An object this one refers to is not in Genesys (yet)."""


class Applier:
    """Applies operations of one run; refs of other kinds are loaded once per applier (a page)."""

    def __init__(self, ctx: ActionContext[Any], directory: Directory, idmap: IdMap, mapping: MappingDocument, run: str) -> None:
        self.ctx = ctx
        self.g = directory
        self.map = idmap
        self.mapping = mapping
        self.run = run
        self._refs: dict[str, dict[str, str]] = {}

    # -- references ------------------------------------------------------------------------------------

    def refs(self, kind: str) -> dict[str, str]:
        """CXone key -> Genesys id of every mapped object of a kind (not deleted)."""
        if kind not in self._refs:
            self._refs[kind] = {k: e.gc_id for k, e in self.map.all(kind).items() if e.gc_id and not e.deleted}
        return self._refs[kind]

    def division(self, key: str) -> str:
        if key == HOME:
            gc = self.refs("division").get(HOME)
            if gc is None:
                gc = self.g.home_division(self.ctx)
                self.map.put(Current("division", HOME, gc, attrs={"name": "home"}), self.run)
                self._refs["division"][HOME] = gc
            return gc
        gc = self.refs("division").get(key)
        if gc is None:
            raise Missing(f"its division ({key}) is not in Genesys")
        return gc

    # -- one operation ---------------------------------------------------------------------------------

    def apply(self, op: Op) -> Result:
        before = sum(self.g.calls.values())
        try:
            result = self._apply(op)
        except Conflict:  # a rename (or a new email) Genesys already has on another object
            reason = str(Rejected(409, "general.conflict: the name or email is in use in Genesys"))
            self._remember_failure(op, reason)
            result = Result("failed", reason)
        except Rejected as exc:
            self._remember_failure(op, str(exc))
            result = Result("failed", str(exc))
        except Missing as exc:
            result = Result("failed", str(exc), transient=True)
        except VersionConflict:
            result = Result("failed", "the user kept changing in Genesys (version conflicts); retried next run", transient=True)
        except (RateLimited, BackendTimeout):
            raise  # no time or budget left: the page continues later from this operation
        except BackendError as exc:
            result = Result("failed", str(exc), transient=True)
        result.calls = sum(self.g.calls.values()) - before
        return result

    def _remember_failure(self, op: Op, reason: str) -> None:
        entry = self.map.get(op.kind, op.key) or Current(op.kind, op.key, None)
        entry.failed = {"digest": op.obj.digest(), "reason": reason, "run": self.run}
        self.map.put(entry, self.run, previous_gc_id=entry.gc_id)

    def _apply(self, op: Op) -> Result:
        entry = self.map.get(op.kind, op.key)  # prefetched for the page
        # a create naming the Genesys id the map holds (and not yet applied by this run): the plan
        # found it deleted in Genesys
        gone = (
            entry is not None
            and entry.gc_id is not None
            and (entry.deleted or (op.action == "create" and op.gc_id == entry.gc_id and entry.run != self.run))
        )
        live = entry is not None and entry.gc_id is not None and not gone
        if live and entry is not None and self._already(op, entry):
            return Result("unchanged", "already applied", entry.gc_id)
        if entry is not None and entry.failed and entry.failed.get("run") == self.run and entry.failed.get("digest") == op.obj.digest():
            return Result("failed", entry.failed.get("reason", ""), entry.gc_id)  # Genesys refused it earlier in this run
        if op.action == "forget":
            if not live or entry is None:
                return Result("unchanged", "not in Genesys")
            self.map.put(
                Current(op.kind, op.key, entry.gc_id, entry.hashes, {**entry.sets, **op.obj.sets}, attrs=entry.attrs),
                self.run,
                previous_gc_id=entry.gc_id,
            )
            return Result("corrected", op.reason, entry.gc_id)
        for _ in range(2):
            gc_id, how = self._ensure(op, entry if live else None, entry.gc_id if gone and entry is not None else None)
            prior = entry if live and entry is not None and entry.gc_id == gc_id else None
            try:
                sets, attrs = self._converge(op, gc_id, prior, how)
            except Gone:  # deleted in Genesys since the plan: re-create it once
                gone, live = True, False
                continue
            hashes = {**prior.hashes, **op.obj.hashes()} if prior else op.obj.hashes()
            self.map.put(
                Current(op.kind, op.key, gc_id, hashes, sets, attrs=attrs), self.run, previous_gc_id=entry.gc_id if entry else None
            )
            self._refs.get(op.kind, {}).update({op.key: gc_id})
            return Result(how or DONE[op.action], op.reason, gc_id)
        raise Rejected(404, "deleted in Genesys while being synced")

    def _already(self, op: Op, entry: Current) -> bool:
        """This run already applied exactly this content (a page redelivered after a crash; the id
        map of an earlier run may be stale: a read of Genesys planned this operation)."""
        if entry.run != self.run:
            return False
        if any(entry.hashes.get(f) != digest(v) for f, v in op.obj.fields.items()):
            return False
        return all(entry.sets.get(s, {}) == v for s, v in op.obj.sets.items())

    # -- making sure the object exists -------------------------------------------------------------------

    def _ensure(self, op: Op, entry: Current | None, gone_id: str | None) -> tuple[str, str | None]:
        """The Genesys id, and how it came to be (None: it was there, mapped). ``gone_id``: the id
        the object had before Genesys deleted it (a user is restored from it)."""
        if entry is not None and entry.gc_id:
            return entry.gc_id, None
        if op.action == "adopt" and op.gc_id:
            return op.gc_id, "adopted"
        if op.kind == "user":
            return self._ensure_user(op, gone_id)
        if op.kind == "status":
            return self._ensure_status(op)
        if op.kind == "division" and op.key == HOME:
            return self.division(HOME), "adopted"
        body = self._named_body(op, create=True)
        try:
            created = self.g.write(self.ctx, "POST", PATHS[op.kind], body)
            return str(created["id"]), "created"
        except Conflict:
            found = self.g.find_named(self.ctx, PATHS[op.kind], str(op.obj.fields["name"]))
            if found is None:
                raise Rejected(409, "general.conflict") from None
            return self._adopt(op, str(found["id"])), "adopted"

    def _adopt(self, op: Op, gc_id: str) -> str:
        """Take over an existing Genesys object unless another CXone object owns it."""
        owner = self.map.key_of(op.kind, gc_id)
        if owner is not None and owner != op.key:
            other = self.map.get(op.kind, owner, fresh=True)
            if other is not None and other.gc_id == gc_id and not other.deleted:
                natural = "email" if op.kind == "user" else "name"
                raise Rejected(409, f"{natural} in use in Genesys by the {op.kind} of CXone {owner}")
        return gc_id

    def _ensure_user(self, op: Op, gone_id: str | None) -> tuple[str, str]:
        f = op.obj.fields
        if gone_id:
            try:  # deleted in Genesys: bring the same user back
                self.g.restore_user(self.ctx, gone_id)
                return gone_id, "restored"
            except Gone:
                pass
        body = {"name": f["name"], "email": f["email"], "divisionId": self.division(f["division"])}
        body.update({k: f[k] for k in ("title", "department") if f.get(k)})
        if f.get("state") == "inactive":
            body["state"] = "inactive"
        try:
            return str(self.g.create_user(self.ctx, body)["id"]), "created"
        except Conflict:
            pass
        existing = self.g.find_user(self.ctx, f["email"], deleted=False)
        if existing is not None:
            return self._adopt(op, str(existing["id"])), "adopted"
        deleted = self.g.find_user(self.ctx, f["email"], deleted=True)
        if deleted is None:
            raise Rejected(409, "general.conflict")
        gc_id = self._adopt(op, str(deleted["id"]))
        self.g.restore_user(self.ctx, gc_id)
        return gc_id, "restored"

    def _ensure_status(self, op: Op) -> tuple[str, str]:
        body = self._status_body(op)
        try:
            return str(self.g.write(self.ctx, "POST", "/api/v2/presence/definitions", body)["id"]), "created"
        except Conflict:
            label = str(op.obj.fields["name"]).lower()
            for gc_id, d in self.g.listing(self.ctx, "status").items():
                if (
                    d.get("systemPresence") == op.obj.fields["systemPresence"]
                    and str((d.get("languageLabels") or {}).get("en_US", "")).lower() == label
                ):
                    return self._adopt(op, gc_id), "adopted"
            raise Rejected(409, "general.conflict") from None

    def _status_body(self, op: Op) -> dict[str, Any]:
        return {"languageLabels": {"en_US": op.obj.fields["name"]}, "systemPresence": op.obj.fields["systemPresence"], "deactivated": False}

    def _named_body(self, op: Op, *, create: bool) -> dict[str, Any]:
        f = op.obj.fields
        if op.kind in ("skill", "language"):
            return {"name": f["name"]}
        if op.kind == "division":
            return {"name": f["name"], "description": f.get("description", "")}
        return {"name": f["name"], "division": {"id": self.division(f["division"])}}

    # -- converging an existing object to the desired content ------------------------------------------

    def _converge(self, op: Op, gc_id: str, prior: Current | None, how: str | None) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
        """Write what differs; returns the applied sets and the entry's attrs."""
        fresh = how == "created"
        adopted = how in ("adopted", "restored")
        # what differs: the plan knows for an adoption it planned (it read the object); an object
        # adopted or restored on a conflict is compared field by field (read first)
        changed = set(op.changed) if op.action == "adopt" or not adopted else set(op.obj.fields)
        if op.kind == "user":
            return self._converge_user(op, gc_id, prior, fresh, adopted, changed), {}
        if op.kind == "queue":
            return self._converge_queue(op, gc_id, prior, fresh, adopted, changed), {"name": op.obj.name}
        attrs = {"name": op.obj.name}
        if op.kind == "status":
            attrs["systemPresence"] = str(op.obj.fields.get("systemPresence", ""))
        if fresh or not changed or op.kind == "language":
            return {}, attrs
        if op.kind == "status":
            current = self.g.get(self.ctx, f"/api/v2/presence/definitions/{gc_id}")
            if current is None:
                raise Gone()
            if (
                current.get("systemPresence") != op.obj.fields["systemPresence"]
                or (current.get("languageLabels") or {}).get("en_US") != op.obj.fields["name"]
            ):
                self.g.write(self.ctx, "PUT", f"/api/v2/presence/definitions/{gc_id}", self._status_body(op))
        elif op.kind == "skill":
            self.g.write(self.ctx, "PATCH", f"{PATHS['skill']}/{gc_id}", {"name": op.obj.fields["name"]})
        elif op.kind == "division" and op.key != HOME:
            self.g.write(self.ctx, "PUT", f"{PATHS['division']}/{gc_id}", self._named_body(op, create=False))
        elif op.kind == "wrapup":
            self.g.write(self.ctx, "PUT", f"{PATHS['wrapup']}/{gc_id}", self._named_body(op, create=False))
        return {}, attrs

    def _converge_user(
        self, op: Op, gc_id: str, prior: Current | None, fresh: bool, adopted: bool, changed: set[str]
    ) -> dict[str, dict[str, float]]:
        f = op.obj.fields
        if not fresh:
            people = {k: f[k] for k in PEOPLE if k in f and k in changed}
            division = "division" in f and "division" in changed
            state = "state" in f and "state" in changed
            if people or division or state:
                current = self.g.get(self.ctx, f"/api/v2/users/{gc_id}")
                if current is None:
                    raise Gone()
                differs = {k: v for k, v in people.items() if not _same(k, current.get(k), v)}
                if differs:
                    current = self.g.patch_user(self.ctx, gc_id, differs, current=current)
                if division:
                    target = self.division(f["division"])
                    if (current.get("division") or {}).get("id") != target:
                        self.g.move(self.ctx, target, "USER", [gc_id])
                if state and current.get("state") != f["state"]:
                    self.g.patch_user(self.ctx, gc_id, {"state": f["state"]}, current=current)  # the state goes alone
        if fresh or adopted:
            self.g.set_external_id(self.ctx, gc_id, self.mapping.users.authority_name, op.key)
        sets: dict[str, dict[str, float]] = {}
        for name, ref_kind in (("skills", "skill"), ("languages", "language")):
            if name not in op.obj.sets:  # a user gone from CXone is only made inactive: its sets stay as they were
                if prior is not None and name in prior.sets:
                    sets[name] = prior.sets[name]
                continue
            sets[name] = self._assign(gc_id, name, ref_kind, op.obj.sets[name], _have(op, prior, name))
        return sets

    def _assign(self, gc_id: str, name: str, ref_kind: str, want: dict[str, float], have: dict[str, float]) -> dict[str, float]:
        refs = self.refs(ref_kind)
        wanted = {k: v for k, v in want.items() if k in refs}
        add = {refs[k]: v for k, v in wanted.items() if have.get(k) != v}
        remove = [refs[k] for k in have if k not in want and k in refs]
        if add or remove:
            self.g.assign(self.ctx, gc_id, name, add, remove)
        return wanted

    def _converge_queue(
        self, op: Op, gc_id: str, prior: Current | None, fresh: bool, adopted: bool, changed: set[str]
    ) -> dict[str, dict[str, float]]:
        f = op.obj.fields
        if not fresh and f and ({"name", "division"} & changed):
            current = self.g.get(self.ctx, f"{PATHS['queue']}/{gc_id}")
            if current is None:
                raise Gone()
            target = self.division(f["division"])
            if current.get("name") != f["name"] or (current.get("division") or {}).get("id") != target:
                body = {k: v for k, v in current.items() if k not in ("id", "selfUri", "memberCount", "dateModified", "dateCreated")}
                self.g.write(self.ctx, "PUT", f"{PATHS['queue']}/{gc_id}", {**body, "name": f["name"], "division": {"id": target}})
        sets: dict[str, dict[str, float]] = {}
        users = self.refs("user")
        want = {k: v for k, v in op.obj.sets.get("members", {}).items() if k in users}
        have = _have(op, prior, "members")
        add = [users[k] for k in want if k not in have]
        remove = [users[k] for k in have if k not in want and k in users]
        if add or remove:
            self.g.queue_members(self.ctx, gc_id, add, remove)
        sets["members"] = want
        codes = self.refs("wrapup")
        want_codes = {k: v for k, v in op.obj.sets.get("wrapups", {}).items() if k in codes}
        have_codes = _have(op, prior, "wrapups")
        add_codes = [codes[k] for k in want_codes if k not in have_codes]
        remove_codes = [codes[k] for k in have_codes if k not in want_codes and k in codes]
        if add_codes or remove_codes:
            self.g.queue_wrapups(self.ctx, gc_id, add_codes, remove_codes)
        sets["wrapups"] = want_codes
        return sets
