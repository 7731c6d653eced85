"""The planner (pure): desired objects against what Genesys holds -> the operations to apply, each
with the reason, and everything left alone with its reason. The deletion rules live here:

* a person deleted or deactivated in CXone makes the user **inactive** (reactivated if it returns);
* a skill (queue) deleted or deactivated in CXone keeps the queue and **removes its members**;
* skills, languages, divisions, wrap-up codes and statuses deleted in CXone are **left to the
  admin** (reported, never deleted);
* an object deleted in Genesys is **re-created** (a user with the same email is restored);
* content Genesys rejected stays skipped until it changes in CXone (a reconcile retries it), so a
  run with nothing changed makes no write.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from functions.exsync.mapping import MappingDocument
from functions.exsync.model import HOME, KINDS, PHASE, SET_FIELDS, Current, Desired, Kind, Obj, Rejected, digest

ACTIONS = ("create", "adopt", "update", "deactivate", "reactivate", "empty", "forget")
SET_REFS = {"skills": "skill", "languages": "language", "members": "user", "wrapups": "wrapup"}


@dataclass
class Op:
    """One object to write: its desired content (``obj``: all fields for a create or adopt, only
    what changes otherwise), the Genesys id when known, and why."""

    kind: Kind
    key: str
    action: str
    reason: str
    obj: Obj
    gc_id: str | None = None
    changed: tuple[str, ...] = ()
    have: dict[str, dict[str, float]] = field(default_factory=dict)  # the sets as the plan saw them in Genesys

    @property
    def phase(self) -> int:
        return PHASE[self.kind]

    def to_doc(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "key": self.key,
            "action": self.action,
            "reason": self.reason,
            "obj": self.obj.to_doc(),
            "gcId": self.gc_id,
            "changed": list(self.changed),
            "have": self.have,
        }

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Op:
        have = {k: dict(v) for k, v in (doc.get("have") or {}).items()}
        return cls(
            doc["kind"],
            doc["key"],
            doc["action"],
            doc["reason"],
            Obj.from_doc(doc["obj"]),
            doc.get("gcId"),
            tuple(doc.get("changed", ())),
            have,
        )


@dataclass(frozen=True)
class Left:
    """An object the plan does not touch, and why (only the ones worth telling: not 'unchanged')."""

    kind: Kind
    key: str
    reason: str
    name: str = ""


@dataclass
class Plan:
    ops: list[Op] = field(default_factory=list)
    left: list[Left] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per kind: how many of each action, left alone, rejected and unchanged."""
        out: dict[str, dict[str, int]] = {k: {} for k in KINDS}
        for op in self.ops:
            out[op.kind][op.action] = out[op.kind].get(op.action, 0) + 1
        for left in self.left:
            out[left.kind]["left"] = out[left.kind].get("left", 0) + 1
        for r in self.rejected:
            out[r.kind]["rejected"] = out[r.kind].get("rejected", 0) + 1
        for kind, n in self.unchanged.items():
            out[kind]["unchanged"] = n
        return {k: v for k, v in out.items() if v}

    @property
    def writes_planned(self) -> bool:
        return bool(self.ops)


def _set_delta(want: Mapping[str, float], have: Mapping[str, float]) -> tuple[int, int, int]:
    added = sum(1 for k in want if k not in have)
    removed = sum(1 for k in have if k not in want)
    changed = sum(1 for k, v in want.items() if k in have and have[k] != v)
    return added, removed, changed


def _describe(changed: Iterable[str], sets: Mapping[str, tuple[int, int, int]]) -> str:
    parts = list(changed)
    for name, (a, r, c) in sets.items():
        bits = [f"+{a}" if a else "", f"-{r}" if r else "", f"~{c}" if c else ""]
        if any(bits):
            parts.append(f"{name} {' '.join(b for b in bits if b)}")
    return ", ".join(parts)


def make_plan(
    desired: Desired,
    current: Mapping[str, Mapping[str, Current]],
    mapping: MappingDocument,
    *,
    retry_failed: bool = False,
    against: str = "map",
) -> Plan:
    """The operations that bring Genesys to ``desired`` from ``current`` (pure). Content Genesys
    rejected before is skipped unless ``retry_failed`` (the reconcile). ``against``: ``map`` (what
    the id map says was applied: a difference is a change in CXone) or ``genesys`` (what a read of
    Genesys found: a difference is drift)."""
    plan = Plan(rejected=list(desired.rejected))
    rejected = {(r.kind, r.key) for r in desired.rejected}
    created: dict[str, set[str]] = {}
    present: dict[str, set[str]] = {}  # what will be in Genesys after this plan, per kind
    for kind in KINDS:
        want = desired.of(kind)
        have = current.get(kind, {})
        for key in sorted(set(want) | set(have), key=lambda k: (len(k), k)):
            if (kind, key) in rejected:
                continue
            d, c = want.get(key), have.get(key)
            original = c
            if c is not None and c.sets:
                c = _without_recreated(c, created)
            planned = len(plan.ops)
            if d is None:
                assert c is not None
                _source_deleted(plan, kind, key, c)
            else:
                _compare(plan, _resolvable(d, present), c, mapping, retry_failed, before=original, against=against)
            if c is not original and c is not None and len(plan.ops) == planned:
                # members re-created in Genesys this run are no longer in this object there: the id map learns it (no write)
                forget = Obj(kind, key, {}, c.sets, name=(d.name if d else ""))
                plan.ops.append(
                    Op(
                        kind,
                        key,
                        "forget",
                        "members re-created in Genesys are no longer in it: id map corrected (no write)",
                        forget,
                        c.gc_id,
                    )
                )
        created[kind] = {op.key for op in plan.ops if op.kind == kind and op.action == "create"}
        present[kind] = {k for k, c in have.items() if c.gc_id and not c.deleted and not c.matched} - created[kind]
        present[kind] |= {op.key for op in plan.ops if op.kind == kind and op.action in ("create", "adopt")}
    return plan


def _resolvable(d: Obj, present: Mapping[str, set[str]]) -> Obj:
    """Set members that will not be in Genesys (their own object is rejected, left alone or failed
    before) are left out: the set holds what can be applied, so an unresolvable member does not
    make every run plan the same change again."""
    if not d.sets:
        return d
    sets = {name: {k: v for k, v in members.items() if k in present.get(SET_REFS[name], set())} for name, members in d.sets.items()}
    if sets == d.sets:
        return d
    return Obj(d.kind, d.key, d.fields, sets, d.active, d.name)


def _without_recreated(c: Current, created: Mapping[str, set[str]]) -> Current:
    """A set member (re-)created in this plan has a new Genesys id: it must be assigned again (a
    user deleted in Genesys left its queues; a re-created skill is on no user)."""
    sets = {name: {k: v for k, v in members.items() if k not in created.get(SET_REFS[name], set())} for name, members in c.sets.items()}
    if sets == c.sets:
        return c
    return Current(c.kind, c.key, c.gc_id, c.hashes, sets, c.deleted, c.failed, c.matched, c.attrs)


def _rejected_before(c: Current | None, d: Obj) -> str | None:
    if c is not None and c.failed and c.failed.get("digest") == d.digest():
        return f"Genesys rejected this content in run {c.failed.get('run', '?')} ({c.failed.get('reason', '')}); change it in CXone or reconcile to retry"
    return None


def _compare(
    plan: Plan,
    d: Obj,
    c: Current | None,
    mapping: MappingDocument,
    retry_failed: bool,
    *,
    before: Current | None = None,
    against: str = "map",
) -> None:
    """``before``: ``c`` as known before members re-created in this plan were taken out of its sets."""
    kind, key = d.kind, d.key
    known = c is not None and c.gc_id is not None and not c.matched
    if not d.active and not known and not (kind == "user" and mapping.users.create_inactive):
        plan.left.append(Left(kind, key, "inactive in CXone and never synced", d.name))
        return
    if not d.active and known and c is not None and c.deleted:
        plan.left.append(Left(kind, key, "inactive in CXone and deleted in Genesys", d.name))
        return
    if not d.active and known and kind not in ("user", "queue"):
        plan.left.append(Left(kind, key, "inactive in CXone: left to the admin", d.name))
        return
    again = None if retry_failed else _rejected_before(c, d)
    if again is not None:
        plan.left.append(Left(kind, key, again, d.name))
        return
    if c is None or c.gc_id is None:
        plan.ops.append(Op(kind, key, "create", "new in CXone", d))
        return
    if c.deleted:
        why = "deleted in Genesys: restored (same email)" if kind == "user" else "deleted in Genesys: re-created"
        plan.ops.append(Op(kind, key, "create", why, d, c.gc_id))
        return
    changed = tuple(f for f, v in d.fields.items() if c.hashes.get(f) != digest(v))
    deltas = {s: _set_delta(d.sets.get(s, {}), c.sets.get(s, {})) for s in SET_FIELDS.get(kind, ())}
    if kind == "language" and "name" in changed:  # Genesys has no language update
        changed = tuple(f for f in changed if f != "name")
        plan.left.append(Left(kind, key, "renamed in CXone: Genesys languages cannot be renamed (left to the admin)", d.name))
    what = _describe(changed, deltas)
    if c.matched:
        natural = "email" if kind == "user" else "label" if kind == "status" else "name"
        why = f"exists in Genesys with the same {natural}" + (f"; differs: {what}" if what else "")
        plan.ops.append(Op(kind, key, "adopt", why, d, c.gc_id, changed, dict(c.sets)))
        return
    if not what:
        plan.unchanged[kind] += 1
        return
    action = "update"
    if "state" in changed:
        action = "deactivate" if d.fields.get("state") == "inactive" else "reactivate"
    if kind == "queue" and not d.active:
        action = "empty"
        what = f"skill inactive in CXone: queue kept, {deltas['members'][1]} members removed"
    elif action == "deactivate":
        what = "agent inactive in CXone" + (f"; {what}" if what != "state" else "")
    elif action == "reactivate":
        what = "agent active again in CXone" + (f"; {what}" if what != "state" else "")
    elif before is not None and before is not c and not changed and all(d.sets.get(n, {}) == before.sets.get(n, {}) for n in d.sets):
        what = f"assigned again (re-created in Genesys): {what}"
    else:
        what = f"{'changed in CXone' if against == 'map' else 'differs in Genesys'}: {what}"
    plan.ops.append(Op(kind, key, action, what, d, c.gc_id, changed, dict(c.sets)))


def _source_deleted(plan: Plan, kind: Kind, key: str, c: Current) -> None:
    """The object is in the id map (or Genesys) but no longer in CXone."""
    if c.gc_id is None or c.matched or (kind == "division" and key == HOME):
        return
    if kind == "user":
        if c.deleted or c.hashes.get("state") == digest("inactive"):
            return
        obj = Obj("user", key, {"state": "inactive"}, active=False, name=f"agent {key}")
        plan.ops.append(Op(kind, key, "deactivate", "agent deleted in CXone: user made inactive", obj, c.gc_id, ("state",), dict(c.sets)))
    elif kind == "queue":
        members = c.sets.get("members") or {}
        if c.deleted or not members:
            return
        obj = Obj("queue", key, {}, {"members": {}, "wrapups": dict(c.sets.get("wrapups") or {})}, active=False)
        plan.ops.append(
            Op(kind, key, "empty", f"skill deleted in CXone: queue kept, {len(members)} members removed", obj, c.gc_id, (), dict(c.sets))
        )
    elif not c.deleted:
        plan.left.append(Left(kind, key, "deleted in CXone: left to the admin"))


def pages(plan: Plan, lanes: int, page_ops: int = 25) -> dict[int, list[list[Op]]]:
    """The plan's operations per phase, cut into pages of at most ``page_ops`` dealt round-robin
    to ``lanes`` lanes (page ``i`` of a phase goes to lane ``i % lanes``)."""
    out: dict[int, list[list[Op]]] = {}
    for phase in sorted({op.phase for op in plan.ops}):
        ops = [op for op in plan.ops if op.phase == phase]
        out[phase] = [ops[i : i + page_ops] for i in range(0, len(ops), page_ops)]
    return out
