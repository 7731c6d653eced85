"""The pure half of the EX sync (no I/O): what Genesys should hold, derived from a CXone snapshot
and the mapping document, and what it holds now (from the id map's content hashes, or from a
read of Genesys itself), both in one shape so the planner can compare them.

An object is ``(kind, key)``: the kind of Genesys object and the CXone id it comes from (teams
for divisions, skills for routing skills, languages and queues, agents for users, dispositions
for wrap-up codes, unavailable codes for secondary statuses). Its *fields* are scalars compared
by hash (the id map keeps hashes, not people's data); its *sets* (a user's skills and languages
with proficiencies, a queue's members and wrap-up codes) are kept as they are, by CXone id,
because applying a change needs the difference. References between objects are CXone keys,
resolved to Genesys ids through the id map when applied.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from functions.exsync.mapping import MappingDocument

Kind = Literal["division", "skill", "language", "wrapup", "status", "user", "queue"]
KINDS: tuple[Kind, ...] = ("division", "skill", "language", "wrapup", "status", "user", "queue")
# Applied in this order: what users reference (divisions, skills, languages) before users, and
# what queues reference (users, wrap-up codes) before queues.
PHASE: dict[str, int] = {"division": 1, "skill": 1, "language": 1, "wrapup": 1, "status": 1, "user": 2, "queue": 3}
HOME = "@home"  # the org's home division (never created or changed by the sync)
SINGLE = "@single"  # the one division of mode 'single'
OBJECTS = "@objects"  # the division of queues and wrap-up codes, when the mapping names one
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
SET_FIELDS = {"user": ("skills", "languages"), "queue": ("members", "wrapups")}


def digest(value: Any) -> str:
    """A short, stable hash of a JSON value (what the id map keeps instead of the value)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


@dataclass
class Obj:
    """What one Genesys object should be. ``active`` False: inactive or deleted in CXone (the
    deletion rules decide what that means for its kind)."""

    kind: Kind
    key: str
    fields: dict[str, Any]
    sets: dict[str, dict[str, float]] = field(default_factory=dict)
    active: bool = True
    name: str = ""  # shown in plans and run records: never a person's name (users show their agent id)

    @property
    def label(self) -> str:
        return f"{self.kind} {self.key}" + (f" '{self.name}'" if self.name else "")

    def hashes(self) -> dict[str, str]:
        return {k: digest(v) for k, v in self.fields.items()}

    def digest(self) -> str:
        return digest([self.fields, self.sets])

    def to_doc(self) -> dict[str, Any]:
        return {"kind": self.kind, "key": self.key, "fields": self.fields, "sets": self.sets, "active": self.active, "name": self.name}

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> Obj:
        return cls(
            doc["kind"],
            doc["key"],
            dict(doc["fields"]),
            {k: dict(v) for k, v in doc.get("sets", {}).items()},
            doc.get("active", True),
            doc.get("name", ""),
        )


@dataclass
class Current:
    """What Genesys holds for one object, as far as we know: from the id map (hashes of what was
    applied, the applied sets) or read from Genesys (then ``hashes`` hash the values read)."""

    kind: Kind
    key: str
    gc_id: str | None
    hashes: dict[str, str] = field(default_factory=dict)
    sets: dict[str, dict[str, float]] = field(default_factory=dict)
    deleted: bool = False  # the object was deleted in Genesys (audit event, or not found by a read)
    failed: dict[str, str] | None = None  # {"digest", "reason", "run"}: Genesys rejected exactly this content
    matched: bool = False  # found in Genesys by its natural key (email, name), not yet in the id map
    attrs: dict[str, str] = field(default_factory=dict)
    run: str = ""  # the run that last wrote the id map entry


@dataclass(frozen=True)
class Rejected:
    """A CXone object the sync cannot carry over as it is (bad data): reported and skipped."""

    kind: Kind
    key: str
    reason: str
    name: str = ""


@dataclass
class Snapshot:
    """The CXone side, as the admin API lists it."""

    agents: list[dict[str, Any]] = field(default_factory=list)
    teams: list[dict[str, Any]] = field(default_factory=list)
    skills: list[dict[str, Any]] = field(default_factory=list)
    assignments: list[dict[str, Any]] = field(default_factory=list)
    dispositions: list[dict[str, Any]] = field(default_factory=list)
    disposition_skills: list[dict[str, Any]] = field(default_factory=list)
    codes: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Desired:
    objects: dict[str, dict[str, Obj]]
    rejected: list[Rejected]

    def of(self, kind: str) -> dict[str, Obj]:
        return self.objects.setdefault(kind, {})


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _unique_names(desired: Desired, kind: Kind, objs: Iterable[Obj], what: str) -> None:
    """Keep the first object of each (case-insensitive) name; reject the others and empty names."""
    seen: dict[str, str] = {}
    for obj in sorted(objs, key=lambda o: _sort_key(o.key)):
        name = str(obj.fields.get("name", ""))
        lowered = name.lower()
        if not name:
            desired.rejected.append(Rejected(kind, obj.key, f"the CXone {what} has no name", obj.name))
        elif lowered in seen and obj.active:
            desired.rejected.append(Rejected(kind, obj.key, f"name also used by CXone {what} {seen[lowered]}", obj.name))
        else:
            if obj.active:
                seen[lowered] = obj.key
            desired.of(kind)[obj.key] = obj


def _sort_key(key: str) -> tuple[int, str]:
    return (int(key), "") if key.isdigit() else (1 << 62, key)


def desired_state(snap: Snapshot, mapping: MappingDocument) -> Desired:
    """What Genesys should hold for this CXone snapshot under this mapping (pure)."""
    desired = Desired({k: {} for k in KINDS}, [])
    ex = mapping.exclude
    skills_cfg = mapping.skills
    division_of_objects = OBJECTS if mapping.divisions.objects else HOME

    # divisions
    if mapping.divisions.mode == "teams":
        teams = [t for t in snap.teams if int(t.get("teamId") or 0) not in ex.teams]
        objs = [
            Obj(
                "division",
                str(t["teamId"]),
                {"name": f"{mapping.divisions.prefix}{_text(t.get('teamName'))}".strip(), "description": "CXone team"},
                name=_text(t.get("teamName")),
            )
            for t in teams
        ]
        _unique_names(desired, "division", objs, "team")
    elif mapping.divisions.mode == "single":
        desired.of("division")[SINGLE] = Obj(
            "division", SINGLE, {"name": mapping.divisions.name, "description": "CXone users"}, name=mapping.divisions.name
        )
    if mapping.divisions.objects:
        desired.of("division")[OBJECTS] = Obj(
            "division",
            OBJECTS,
            {"name": mapping.divisions.objects, "description": "CXone queues and wrap-up codes"},
            name=mapping.divisions.objects,
        )

    # skills -> routing skills / languages / queues
    skills = {str(s["skillId"]): s for s in snap.skills if int(s.get("skillId") or 0) not in ex.skills}
    routing: list[Obj] = []
    languages: list[Obj] = []
    queues: list[Obj] = []
    for key, s in skills.items():
        name = _text(s.get("skillName"))
        active = bool(s.get("isActive", True))
        language = skills_cfg.language_name(name)
        if language is not None:
            languages.append(Obj("language", key, {"name": language}, active=active, name=language))
            continue
        if skills_cfg.routing_skills:
            routing.append(Obj("skill", key, {"name": name}, active=active, name=name))
        outbound = bool(s.get("isOutbound"))
        if _text(s.get("mediaTypeName")) in mapping.queues.media_types and (mapping.queues.outbound or not outbound):
            queues.append(
                Obj(
                    "queue",
                    key,
                    {"name": f"{mapping.queues.prefix}{name}".strip(), "division": division_of_objects},
                    active=active,
                    name=name,
                )
            )
    _unique_names(desired, "skill", routing, "skill")
    _unique_names(desired, "language", languages, "language skill")

    # dispositions -> wrap-up codes
    codes = [
        Obj(
            "wrapup",
            str(d["dispositionId"]),
            {"name": f"{mapping.wrapup_codes.prefix}{_text(d.get('dispositionName'))}".strip(), "division": division_of_objects},
            active=bool(d.get("isActive", True)),
            name=_text(d.get("dispositionName")),
        )
        for d in snap.dispositions
    ]
    _unique_names(desired, "wrapup", codes, "disposition")

    # unavailable codes -> secondary statuses under a system presence
    statuses: list[Obj] = []
    for c in snap.codes:
        key = str(c.get("unavailableCodeId") or "")
        name = _text(c.get("unavailableCodeName"))
        if not key:
            continue
        if c.get("isAcw") and mapping.statuses.skip_acw:
            desired.rejected.append(
                Rejected("status", key, "an ACW code: Genesys has no after-contact-work presence (statuses.skipAcw)", name)
            )
            continue
        statuses.append(
            Obj(
                "status",
                key,
                {"name": name, "systemPresence": mapping.statuses.presence_for(name)},
                active=bool(c.get("isActive", True)),
                name=name,
            )
        )
    _unique_names(desired, "status", statuses, "unavailable code")

    # agents -> users (people fields, division, skills, languages)
    held: dict[str, dict[str, float]] = {}
    spoken: dict[str, dict[str, float]] = {}
    members: dict[str, dict[str, float]] = {}
    queue_keys = {q.key for q in queues}
    for a in snap.assignments:
        agent, skill = str(a.get("agentId") or ""), str(a.get("skillId") or "")
        if not a.get("isActive", True) or not agent or not skill:
            continue
        proficiency = skills_cfg.genesys_proficiency(int(a.get("agentProficiencyValue") or 1))
        if skill in desired.of("language") and desired.of("language")[skill].active:
            spoken.setdefault(agent, {})[skill] = proficiency
        if skill in desired.of("skill") and desired.of("skill")[skill].active:
            held.setdefault(agent, {})[skill] = proficiency
        if skill in queue_keys:
            members.setdefault(skill, {})[agent] = 1.0
    users: list[Obj] = []
    for a in snap.agents:
        key = str(a.get("agentId") or "")
        if not key or int(key) in ex.agents or int(a.get("teamId") or 0) in ex.teams:
            continue
        full = " ".join(p for p in (_text(a.get("firstName")), _text(a.get("lastName"))) if p)
        email = _text(a.get("emailAddress")).lower()
        label = f"agent {key}"
        if not full:
            desired.rejected.append(Rejected("user", key, "the CXone agent has no first or last name"))
            continue
        if not EMAIL.match(email):
            desired.rejected.append(Rejected("user", key, "the CXone agent's email address is missing or not valid"))
            continue
        if mapping.divisions.mode == "teams":
            division = str(a.get("teamId") or "")
            if division not in desired.of("division"):
                desired.rejected.append(Rejected("user", key, "the agent's CXone team is not synced (excluded or rejected)"))
                continue
        else:
            division = SINGLE if mapping.divisions.mode == "single" else HOME
        fields: dict[str, Any] = {
            "name": full,
            "email": email,
            "division": division,
            "state": "active" if a.get("isActive", True) else "inactive",
        }
        for target, source in (("title", mapping.users.title), ("department", mapping.users.department)):
            if source is not None:
                fields[target] = _text(a.get(source))
        users.append(
            Obj(
                "user",
                key,
                fields,
                {"skills": held.get(key, {}), "languages": spoken.get(key, {})},
                active=bool(a.get("isActive", True)),
                name=label,
            )
        )
    seen: dict[str, str] = {}
    for u in sorted(users, key=lambda o: _sort_key(o.key)):
        email = u.fields["email"]
        if email in seen:
            desired.rejected.append(Rejected("user", u.key, f"email address also used by CXone agent {seen[email]}"))
            continue
        seen[email] = u.key
        desired.of("user")[u.key] = u

    # queues: members are the synced, active agents holding the skill; wrap-up codes its dispositions
    active_users = {k for k, u in desired.of("user").items() if u.active}
    by_skill: dict[str, dict[str, float]] = {}
    for d in snap.disposition_skills:
        code = str(d.get("dispositionId") or "")
        if code not in desired.of("wrapup") or not desired.of("wrapup")[code].active:
            continue
        for s in d.get("skills") or []:
            by_skill.setdefault(str(s.get("skillId")), {})[code] = 1.0
    for q in queues:
        q.sets = {
            "members": {a: 1.0 for a in members.get(q.key, {}) if a in active_users} if q.active else {},
            "wrapups": by_skill.get(q.key, {}) if q.active else {},
        }
    _unique_names(desired, "queue", queues, "skill (queue)")
    return desired


# -- what Genesys holds, read from Genesys (drift, reconcile, adoption at the initial sync) -------------


def _reverse(index: Mapping[str, Current]) -> dict[str, str]:
    return {c.gc_id: k for k, c in index.items() if c.gc_id}


def _mapped_set(items: Iterable[tuple[str, float]], reverse: Mapping[str, str]) -> dict[str, float]:
    return {reverse[i]: float(p) for i, p in items if i in reverse}


@dataclass
class GenesysView:
    """Genesys objects as listed (``id`` -> the API's JSON) per kind; what a read found."""

    objects: dict[str, dict[str, dict[str, Any]]]
    home_division: str = ""


def normalise(
    kind: Kind, gc: Mapping[str, Any], refs: Mapping[str, Mapping[str, str]], home: str
) -> tuple[dict[str, Any], dict[str, dict[str, float]]]:
    """A Genesys object's fields and sets in the desired objects' terms (CXone keys via ``refs``:
    kind -> Genesys id -> CXone key)."""

    def division(ref: Any) -> str:
        did = str((ref or {}).get("id") or "") if isinstance(ref, dict) else str(ref or "")
        if did and did == home and did not in refs.get("division", {}):
            return HOME
        return refs.get("division", {}).get(did, f"genesys:{did}")

    if kind == "user":
        fields: dict[str, Any] = {
            "name": _text(gc.get("name")),
            "email": _text(gc.get("email")).lower(),
            "division": division(gc.get("division")),
            "state": _text(gc.get("state")) or "active",
            "title": _text(gc.get("title")),
            "department": _text(gc.get("department")),
        }
        sets = {
            "skills": _mapped_set(((s["id"], s.get("proficiency", 0)) for s in gc.get("skills") or []), refs.get("skill", {})),
            "languages": _mapped_set(((s["id"], s.get("proficiency", 0)) for s in gc.get("languages") or []), refs.get("language", {})),
        }
        return fields, sets
    if kind == "queue":
        return {"name": _text(gc.get("name")), "division": division(gc.get("division"))}, {
            "members": _mapped_set(((m, 1.0) for m in gc.get("memberIds") or []), refs.get("user", {})),
            "wrapups": _mapped_set(((w, 1.0) for w in gc.get("wrapupIds") or []), refs.get("wrapup", {})),
        }
    if kind == "wrapup":
        return {"name": _text(gc.get("name")), "division": division(gc.get("division"))}, {}
    if kind == "status":
        return {"name": _text((gc.get("languageLabels") or {}).get("en_US")), "systemPresence": _text(gc.get("systemPresence"))}, {}
    if kind == "division":
        return {"name": _text(gc.get("name")), "description": _text(gc.get("description"))}, {}
    return {"name": _text(gc.get("name"))}, {}


def natural_key(kind: Kind, fields: Mapping[str, Any]) -> str:
    """How an object is recognised in Genesys before the id map knows it: a user by email, a
    secondary status by its label under its system presence, the rest by name."""
    if kind == "user":
        return str(fields.get("email", "")).lower()
    if kind == "status":
        return f"{fields.get('systemPresence', '')}/{str(fields.get('name', '')).lower()}"
    return str(fields.get("name", "")).lower()


def current_from_genesys(
    desired: Desired, known: Mapping[str, Mapping[str, Current]], view: GenesysView, kinds: Iterable[Kind]
) -> dict[str, dict[str, Current]]:
    """What Genesys holds for each object of ``kinds``, read: mapped objects by their Genesys id
    (missing = deleted in Genesys), the others matched by natural key (adoption). Objects only
    the id map knows (source deleted) are kept with what was read of them."""
    refs: dict[str, dict[str, str]] = {k: _reverse(known.get(k, {})) for k in KINDS}
    out: dict[str, dict[str, Current]] = {}
    for kind in KINDS:
        if kind not in kinds:
            continue
        listed = view.objects.get(kind, {})
        mapped = known.get(kind, {})
        taken = {c.gc_id for c in mapped.values() if c.gc_id}
        by_natural: dict[str, str] = {}
        for gc_id, gc in listed.items():
            if gc_id not in taken:
                fields, _ = normalise(kind, gc, refs, view.home_division)
                by_natural.setdefault(natural_key(kind, fields), gc_id)
        current: dict[str, Current] = {}
        for key in set(mapped) | set(desired.of(kind)):
            entry = mapped.get(key)
            if entry is not None and entry.gc_id:
                found = listed.get(entry.gc_id)
                if found is None:
                    current[key] = Current(kind, key, entry.gc_id, deleted=True, failed=entry.failed, attrs=entry.attrs)
                    continue
                fields, sets = normalise(kind, found, refs, view.home_division)
                current[key] = Current(
                    kind, key, entry.gc_id, {k: digest(v) for k, v in fields.items()}, sets, failed=entry.failed, attrs=entry.attrs
                )
                continue
            obj = desired.of(kind).get(key)
            match = by_natural.pop(natural_key(kind, obj.fields), None) if obj is not None else None
            if match is not None:
                fields, sets = normalise(kind, listed[match], refs, view.home_division)
                current[key] = Current(kind, key, match, {k: digest(v) for k, v in fields.items()}, sets, matched=True)
            elif entry is not None:
                current[key] = entry
        out[kind] = current
    return out
