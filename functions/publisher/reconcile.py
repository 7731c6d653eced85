"""What Genesys has, what the declarations want, and the writes between them.

The desired state (a :class:`Bundle`: one integration with its credential, and the actions) is
derived from the declarations elsewhere (``definitions/genesys_api.py``); here it is compared with
the organization and the differences are written through the integrations API:

* the integration is found by name among integrations of its type, created when missing, its
  credential created or updated, its configuration put and it is activated;
* each action is found by name among the integration's actions. Genesys does not let a published
  action's contract change (nor its ``secure`` flag), so an action whose contract changed is
  published as a *new* action named ``<name> v2`` (v3, ...) beside the old one, which keeps
  serving the flows that use it until they are moved (``prune`` then deletes it). Everything else
  (configuration, category) changes through a draft of the published action, then publish;
* a draft left by an interrupted run is found and resumed, so a failed run is finished by
  running again; an unchanged organization costs reads only.

Nothing here knows where it runs: ``./dev genesys`` and the custom resource both call
:class:`Publisher`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from functions.publisher.platform import Platform, PlatformError

INTEGRATIONS = "/api/v2/integrations"
ACTIONS = "/api/v2/integrations/actions"
CREDENTIALS = "/api/v2/integrations/credentials"
MANAGED = "Managed by the genesys-data-actions bundle (./dev genesys publish)."
_FINGERPRINT = re.compile(r"credential fingerprint ([0-9a-f]{16})")
WORKERS = 4


# -- the desired state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class IntegrationSpec:
    """One integration: its name and type, and the credential it needs (slot -> type and fields)."""

    name: str
    type: str
    credential_slot: str
    credential_type: str
    credential_fields: dict[str, str] = field(repr=False)  # may hold a secret: never printed
    secret_fields: tuple[str, ...] = ()  # fields whose values are secrets (never printed)

    @property
    def fingerprint(self) -> str:
        """Identifies the credential's content without revealing it (Genesys redacts fields on read)."""
        blob = json.dumps([self.credential_type, self.credential_fields], sort_keys=True).encode()
        return hashlib.sha256(blob).hexdigest()[:16]

    @property
    def notes(self) -> str:
        return f"{MANAGED} credential fingerprint {self.fingerprint}"

    @property
    def credential_name(self) -> str:
        return f"{self.name} credential"


@dataclass(frozen=True)
class ActionSpec:
    """One action as Genesys stores it (PostActionInput without the integration id)."""

    key: str  # the action id, with its configuration: get-user-presence, emea/get-user-presence
    name: str
    category: str
    secure: bool
    config: dict[str, Any]
    contract: dict[str, Any]

    def body(self, integration_id: str, name: str) -> dict[str, Any]:
        return {
            "name": name,
            "category": self.category,
            "integrationId": integration_id,
            "secure": self.secure,
            "config": self.config,
            "contract": self.contract,
        }


@dataclass(frozen=True)
class Bundle:
    integration: IntegrationSpec
    actions: tuple[ActionSpec, ...]

    def to_json(self) -> dict[str, Any]:
        i = self.integration
        return {
            "integration": {
                "name": i.name,
                "type": i.type,
                "credentialSlot": i.credential_slot,
                "credentialType": i.credential_type,
                "credentialFields": i.credential_fields,
                "secretFields": list(i.secret_fields),
            },
            "actions": [
                {"key": a.key, "name": a.name, "category": a.category, "secure": a.secure, "config": a.config, "contract": a.contract}
                for a in self.actions
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Bundle:
        i = data["integration"]
        return cls(
            IntegrationSpec(
                i["name"],
                i["type"],
                i["credentialSlot"],
                i["credentialType"],
                dict(i["credentialFields"]),
                tuple(i.get("secretFields", ())),
            ),
            tuple(ActionSpec(a["key"], a["name"], a["category"], bool(a["secure"]), a["config"], a["contract"]) for a in data["actions"]),
        )


# -- what Genesys has ----------------------------------------------------------------------------


@dataclass
class Observed:
    integration: dict[str, Any] | None = None
    config: dict[str, Any] | None = None  # config/current
    published: dict[str, dict[str, Any]] = field(default_factory=dict)  # our integration's actions (listing)
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)  # our integration's drafts (listing)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)  # published action with contract and config
    draft_details: dict[str, dict[str, Any]] = field(default_factory=dict)


def version_of(name: str, base: str) -> int | None:
    """1 for ``base``, n for ``base vn`` (n >= 2), None for any other name."""
    if name == base:
        return 1
    m = re.fullmatch(re.escape(base) + r" v(\d+)", name)
    return int(m.group(1)) if m and int(m.group(1)) >= 2 else None


def versioned(base: str, n: int) -> str:
    return base if n == 1 else f"{base} v{n}"


# -- the plan ------------------------------------------------------------------------------------


@dataclass
class ActionPlan:
    spec: ActionSpec
    state: str  # missing | draft | published | outdated | contract differs
    do: str  # none | create | resume | update | new-version
    name: str  # the name in Genesys (base, or base vN)
    target: dict[str, Any] | None = None  # the published action or draft this touches
    draft: dict[str, Any] | None = None  # an existing draft to reuse (with contract and config)
    superseded: list[dict[str, Any]] = field(default_factory=list)  # published, other contract
    differs: list[str] = field(default_factory=list)  # what differs from the declaration

    def describe(self) -> str:
        what = {
            "none": "unchanged",
            "create": f"create draft {self.name!r} and publish it",
            "resume": f"finish draft {self.name!r} (id {_id(self.draft)}) left by an earlier run"
            + (f" (update: {', '.join(self.differs)})" if self.differs else "")
            + " and publish it",
            "update": f"update {self.name!r} (id {_id(self.target)}) through a draft ({', '.join(self.differs)}) and publish it",
            "new-version": f"contract changed ({', '.join(self.differs)}): published contracts cannot change, so create "
            f"{self.name!r} as a new action and publish it; "
            + ", ".join(f"{a['name']!r} (id {a['id']})" for a in self.superseded)
            + " stays published for the flows that use it",
        }[self.do]
        return f"{self.spec.key}: {self.state}: {what}"


@dataclass
class IntegrationPlan:
    exists: bool
    credential: str  # none | create | update
    config: bool
    enable: bool

    def lines(self, spec: IntegrationSpec, integration: dict[str, Any] | None) -> list[str]:
        out = []
        if not self.exists:
            out.append(f"integration {spec.name!r} ({spec.type}): create it")
        if self.credential != "none":
            out.append(f"credential {spec.credential_name!r} ({spec.credential_type}): {self.credential} it")
        if self.config:
            out.append(f"integration {spec.name!r}: put its configuration (credential {spec.credential_slot}, notes)")
        if self.enable:
            out.append(f"integration {spec.name!r}: activate it")
        if not out and integration is not None:
            out.append(f"integration {spec.name!r} (id {integration['id']}): unchanged, active")
        return out


@dataclass
class Plan:
    integration: IntegrationPlan
    actions: list[ActionPlan]
    prune: list[dict[str, Any]]  # superseded actions to delete (publish --prune)

    @property
    def changes(self) -> int:
        i = self.integration
        return (not i.exists) + (i.credential != "none") + i.config + i.enable + sum(a.do != "none" for a in self.actions) + len(self.prune)


@dataclass
class Outcome:
    """What a run did, line by line, and what failed (a failed action does not stop the others)."""

    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    published: int = 0
    unchanged: int = 0
    integration_id: str | None = None

    @property
    def ok(self) -> bool:
        return not self.failures


# -- the publisher -------------------------------------------------------------------------------


class Publisher:
    def __init__(self, api: Platform, bundle: Bundle, *, workers: int = WORKERS) -> None:
        self.api, self.bundle, self.workers = api, bundle, workers
        for name in bundle.integration.secret_fields:
            api.add_secret(bundle.integration.credential_fields.get(name, ""))

    # -- reading -----------------------------------------------------------------------------------

    def observe(self) -> Observed:
        """Everything the plan needs, with reads only."""
        spec = self.bundle.integration
        seen = Observed()
        seen.integration = next(
            (i for i in self.api.pages(INTEGRATIONS, {"integrationType": spec.type}) if i.get("name") == spec.name), None
        )
        if seen.integration is None:
            return seen
        iid = seen.integration["id"]
        seen.config = self.api.get(f"{INTEGRATIONS}/{iid}/config/current", what="/api/v2/integrations/{id}/config/current")
        seen.published = {a["id"]: a for a in self.api.pages(ACTIONS) if a.get("integrationId") == iid}
        seen.drafts = {a["id"]: a for a in self.api.pages(f"{ACTIONS}/drafts") if a.get("integrationId") == iid}
        wanted = [a for a in seen.published.values() if any(version_of(a.get("name", ""), s.name) for s in self.bundle.actions)]
        wanted_drafts = [
            d
            for d in seen.drafts.values()
            if d["id"] in {a["id"] for a in wanted} or any(version_of(d.get("name", ""), s.name) for s in self.bundle.actions)
        ]
        params = {"expand": "contract", "includeConfig": "true"}
        seen.details = dict(
            self._each(wanted, lambda a: (a["id"], self.api.get(f"{ACTIONS}/{a['id']}", params, what="/api/v2/integrations/actions/{id}")))
        )
        seen.draft_details = dict(
            self._each(
                wanted_drafts,
                lambda d: (d["id"], self.api.get(f"{ACTIONS}/{d['id']}/draft", params, what="/api/v2/integrations/actions/{id}/draft")),
            )
        )
        return seen

    # -- planning ----------------------------------------------------------------------------------

    def plan(self, seen: Observed, prune: bool = False) -> Plan:
        spec = self.bundle.integration
        if seen.integration is None:
            iplan = IntegrationPlan(False, "create", True, True)
        else:
            config = seen.config or {}
            slot = (config.get("credentials") or {}).get(spec.credential_slot)
            noted = _FINGERPRINT.search(config.get("notes") or "")
            credential = "create" if not slot else "none" if noted and noted.group(1) == spec.fingerprint else "update"
            put = credential != "none" or config.get("notes") != spec.notes or config.get("name") != spec.name
            iplan = IntegrationPlan(True, credential, put, seen.integration.get("intendedState") != "ENABLED")
        actions = [self._plan_action(s, seen) for s in self.bundle.actions]
        return Plan(iplan, actions, [old for a in actions for old in a.superseded] if prune else [])

    def _plan_action(self, spec: ActionSpec, seen: Observed) -> ActionPlan:
        members = [seen.details[i] for i in seen.details if version_of(seen.details[i].get("name", ""), spec.name)]
        drafts = [seen.draft_details[i] for i in seen.draft_details]
        family_drafts = [d for d in drafts if d["id"] in {m["id"] for m in members} or version_of(d.get("name", ""), spec.name)]
        matching = [m for m in members if _contract_of(m) == spec.contract and bool(m.get("secure")) == spec.secure]
        if matching:
            current = max(matching, key=lambda m: version_of(m["name"], spec.name) or 0)
            others = [m for m in members if m["id"] != current["id"]]
            differs = _differences(current, spec, current["name"])
            draft = next((d for d in family_drafts if d["id"] == current["id"]), None)
            if not differs:
                return ActionPlan(spec, "published", "none", current["name"], current, None, others)
            return ActionPlan(spec, "outdated", "update", current["name"], current, draft, others, differs)
        standalone = [d for d in family_drafts if d["id"] not in {m["id"] for m in members}]
        numbers = [version_of(x.get("name", ""), spec.name) or 1 for x in members + family_drafts]
        if standalone:
            draft = max(standalone, key=lambda d: version_of(d["name"], spec.name) or 0)
            state = "contract differs" if members else "draft"
            return ActionPlan(spec, state, "resume", draft["name"], draft, draft, members, _differences(draft, spec, draft["name"], True))
        if members:
            name = versioned(spec.name, max(numbers) + 1)
            newest = max(members, key=lambda m: version_of(m["name"], spec.name) or 0)
            changes = _contract_changes(_contract_of(newest), spec.contract)
            if bool(newest.get("secure")) != spec.secure:
                changes.append(f"secure {bool(newest.get('secure'))} -> {spec.secure}")
            return ActionPlan(spec, "contract differs", "new-version", name, None, None, members, changes)
        return ActionPlan(spec, "missing", "create", spec.name)

    # -- writing -----------------------------------------------------------------------------------

    def publish(self, prune: bool = False, seen: Observed | None = None) -> tuple[Plan, Outcome]:
        """Observe, plan, and apply; a second run finds nothing to do."""
        seen = seen or self.observe()
        plan = self.plan(seen, prune)
        out = Outcome()
        try:
            iid = self._apply_integration(plan.integration, seen, out)
        except PlatformError as exc:
            out.failures.append(f"integration {self.bundle.integration.name!r}: {exc}")
            return plan, out
        out.integration_id = iid
        results = self._each(plan.actions, lambda a: self._apply_action(a, iid))
        for lines, failure, published in results:
            out.lines += lines
            out.published += published
            if failure:
                out.failures.append(failure)
        out.unchanged = sum(a.do == "none" for a in plan.actions)
        # superseded versions go only once the action that replaces them is published
        failed = {a.spec.key for a, (_, failure, _) in zip(plan.actions, results) if failure}
        safe = [old for a in plan.actions if a.spec.key not in failed for old in a.superseded] if plan.prune else []
        for old in safe:
            try:
                self.api.delete(f"{ACTIONS}/{old['id']}", what="/api/v2/integrations/actions/{id}")
                out.lines.append(f"{old['name']}: deleted (superseded, id {old['id']})")
            except PlatformError as exc:
                out.failures.append(f"{old['name']}: {exc}")
        return plan, out

    def _apply_integration(self, iplan: IntegrationPlan, seen: Observed, out: Outcome) -> str:
        spec = self.bundle.integration
        integration = seen.integration
        config = seen.config or {}
        if integration is None:
            integration = self.api.post(INTEGRATIONS, {"name": spec.name, "integrationType": {"id": spec.type}})
            out.lines.append(f"integration {spec.name!r}: created ({spec.type}, id {integration['id']})")
            config = self.api.get(f"{INTEGRATIONS}/{integration['id']}/config/current", what="/api/v2/integrations/{id}/config/current")
        iid = str(integration["id"])
        slot = (config.get("credentials") or {}).get(spec.credential_slot) or {}
        credential = {"name": spec.credential_name, "type": {"name": spec.credential_type}, "credentialFields": spec.credential_fields}
        if iplan.credential == "create" or not slot.get("id"):
            slot = self.api.post(CREDENTIALS, credential)
            out.lines.append(f"credential {spec.credential_name!r}: created ({spec.credential_type}, id {slot['id']})")
        elif iplan.credential == "update":
            self.api.put(f"{CREDENTIALS}/{slot['id']}", credential, what="/api/v2/integrations/credentials/{id}")
            out.lines.append(f"credential {spec.credential_name!r}: updated (its fields changed; id {slot['id']})")
        if iplan.config or not seen.integration:
            body = {
                "name": spec.name,
                "version": config.get("version", 1),
                "properties": config.get("properties") or {},
                "advanced": config.get("advanced") or {},
                "notes": spec.notes,
                "credentials": {spec.credential_slot: {"id": slot["id"]}},
            }
            self.api.put(f"{INTEGRATIONS}/{iid}/config/current", body, what="/api/v2/integrations/{id}/config/current")
            out.lines.append(f"integration {spec.name!r}: configuration put (credential {spec.credential_slot})")
        if iplan.enable or integration.get("intendedState") != "ENABLED":
            self.api.patch(f"{INTEGRATIONS}/{iid}", {"intendedState": "ENABLED"}, what="/api/v2/integrations/{id}")
            out.lines.append(f"integration {spec.name!r}: activated")
        return iid

    def _apply_action(self, a: ActionPlan, iid: str) -> tuple[list[str], str | None, int]:
        """(lines, failure, published count) for one action; a failure leaves what was done for the next run."""
        if a.do == "none":
            return [], None, 0
        done: list[str] = []
        try:
            if a.do in ("create", "new-version"):
                draft = self.api.post(f"{ACTIONS}/drafts", a.spec.body(iid, a.name))
                done.append(f"draft created (id {draft['id']})")
            elif a.do == "resume":
                draft = a.draft or {}
                if a.differs:
                    draft = self._patch_draft(draft, a, contract=True)
                    done.append(f"draft {draft['id']} updated ({', '.join(a.differs)})")
            else:  # update: through a draft of the published action (its contract stays)
                draft = a.draft or self.api.post(f"{ACTIONS}/{_id(a.target)}/draft", what="/api/v2/integrations/actions/{id}/draft")
                if a.draft is None:
                    done.append(f"draft created from the published action (id {draft['id']})")
                if _differences(draft, a.spec, a.name):
                    draft = self._patch_draft(draft, a, contract=False)
                    done.append(f"draft updated ({', '.join(a.differs)})")
            action = self.api.post(
                f"{ACTIONS}/{draft['id']}/draft/publish",
                {"version": draft["version"]},
                what="/api/v2/integrations/actions/{id}/draft/publish",
            )
        except PlatformError as exc:
            so_far = f" after: {'; '.join(done)}" if done else ""
            return [], f"{a.spec.key} ({a.name!r}): {exc}{so_far}; run publish again to resume", 0
        line = f"{a.spec.key}: {'; '.join(done)}; published {a.name!r} (id {action['id']}, version {action.get('version')})"
        if a.do == "new-version" or (a.do == "resume" and a.superseded):
            old = ", ".join(f"{s['name']!r} (id {s['id']}, version {s.get('version')})" for s in a.superseded)
            line += (
                f". The contract changed, and Genesys does not let a published contract change: {old} stays published and keeps "
                f"serving the flows that use it; point those flows at {a.name!r}, then run publish --prune to delete the old one"
            )
        return [line], None, 1

    def _patch_draft(self, draft: dict[str, Any], a: ActionPlan, contract: bool) -> dict[str, Any]:
        body: dict[str, Any] = {"name": a.name, "category": a.spec.category, "config": a.spec.config, "version": draft["version"]}
        if contract:
            body["contract"] = a.spec.contract
            body["secure"] = a.spec.secure
        patched: dict[str, Any] = self.api.patch(f"{ACTIONS}/{draft['id']}/draft", body, what="/api/v2/integrations/actions/{id}/draft")
        return patched

    # -- removing (custom resource delete, ./dev genesys remove) -----------------------------------

    def remove_plan(self, seen: Observed) -> list[str]:
        lines = []
        for a in seen.details.values():
            lines.append(f"delete action {a['name']!r} (id {a['id']})")
        for d in seen.draft_details.values():
            if d["id"] not in seen.published:
                lines.append(f"delete draft {d['name']!r} (id {d['id']})")
        if seen.integration is not None:
            if self._others(seen):
                lines.append(f"keep integration {seen.integration['name']!r}: it has actions this bundle does not declare")
            else:
                lines.append(f"delete integration {seen.integration['name']!r} (id {seen.integration['id']}) and its credential")
        return lines

    def remove(self, seen: Observed | None = None) -> Outcome:
        seen = seen or self.observe()
        out = Outcome()
        targets = [("action", a, f"{ACTIONS}/{a['id']}") for a in seen.details.values()]
        targets += [("draft", d, f"{ACTIONS}/{d['id']}/draft") for d in seen.draft_details.values() if d["id"] not in seen.published]
        for kind, item, path in targets:
            try:
                self.api.delete(path, what=f"/api/v2/integrations/actions/{{id}}{'/draft' if kind == 'draft' else ''}")
                out.lines.append(f"{kind} {item['name']!r} (id {item['id']}): deleted")
            except PlatformError as exc:
                if exc.status != 404:
                    out.failures.append(f"{kind} {item['name']!r}: {exc}")
        if seen.integration is None or out.failures:
            return out
        if self._others(seen):
            out.lines.append(f"integration {seen.integration['name']!r}: kept (it has actions this bundle does not declare)")
            return out
        iid = seen.integration["id"]
        slot = ((seen.config or {}).get("credentials") or {}).get(self.bundle.integration.credential_slot) or {}
        try:
            self.api.delete(f"{INTEGRATIONS}/{iid}", what="/api/v2/integrations/{id}")
            out.lines.append(f"integration {seen.integration['name']!r} (id {iid}): deleted")
            if slot.get("id"):
                self.api.delete(f"{CREDENTIALS}/{slot['id']}", what="/api/v2/integrations/credentials/{id}")
                out.lines.append(f"credential (id {slot['id']}): deleted")
        except PlatformError as exc:
            if exc.status != 404:
                out.failures.append(f"integration {seen.integration['name']!r}: {exc}")
        return out

    def _others(self, seen: Observed) -> bool:
        ours = set(seen.details) | set(seen.draft_details)
        return bool((set(seen.published) | set(seen.drafts)) - ours)

    # -- status and test ---------------------------------------------------------------------------

    def status(self, seen: Observed) -> list[ActionPlan]:
        return [self._plan_action(s, seen) for s in self.bundle.actions]

    def current(self, key: str, seen: Observed) -> tuple[str, dict[str, Any]] | None:
        """("action" | "draft", the entity) a test of ``key`` runs against: the published action with
        the declared contract, else a draft of it; None when neither exists."""
        spec = next(s for s in self.bundle.actions if s.key == key)
        a = self._plan_action(spec, seen)
        if a.state in ("published", "outdated") and a.target is not None:
            return "action", a.target
        if a.do == "resume" and a.draft is not None:
            return "draft", a.draft
        return None

    def _each(self, items: Iterable[Any], fn: Callable[[Any], Any]) -> list[Any]:
        items = list(items)
        if len(items) <= 1 or self.workers <= 1:
            return [fn(i) for i in items]
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            return list(pool.map(fn, items))


# -- comparisons ---------------------------------------------------------------------------------


def _id(entity: dict[str, Any] | None) -> str:
    return str((entity or {}).get("id", "?"))


def _contract_of(action: dict[str, Any]) -> dict[str, Any]:
    c = action.get("contract") or {}
    return {
        "input": {"inputSchema": (c.get("input") or {}).get("inputSchema")},
        "output": {"successSchema": (c.get("output") or {}).get("successSchema")},
    }


def _config_of(action: dict[str, Any], like: dict[str, Any]) -> dict[str, Any]:
    """The remote config restricted to the keys the declaration sets (Genesys adds read-only ones)."""
    have = action.get("config") or {}
    out: dict[str, Any] = {}
    for key, value in like.items():
        if isinstance(value, dict) and isinstance(have.get(key), dict):
            out[key] = {k: have[key].get(k) for k in value}
        else:
            out[key] = have.get(key)
    return out


def _differences(action: dict[str, Any], spec: ActionSpec, name: str, with_contract: bool = False) -> list[str]:
    out = []
    if action.get("name") != name:
        out.append("name")
    if action.get("category") != spec.category:
        out.append("category")
    have = _config_of(action, spec.config)
    for key, value in spec.config.items():
        if isinstance(value, dict):
            out += [f"config.{key}.{k}" for k, v in value.items() if (have.get(key) or {}).get(k) != v]
        elif have.get(key) != value:
            out.append(f"config.{key}")
    if with_contract and _contract_of(action) != spec.contract:
        out += _contract_changes(_contract_of(action), spec.contract) or ["contract"]
    if with_contract and bool(action.get("secure")) != spec.secure:
        out.append("secure")
    return out


def _contract_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Which properties of the input and output contracts differ: 'input: +foo -bar ~baz'."""
    out = []
    for side, schema in (("input", "inputSchema"), ("output", "successSchema")):
        a = ((old.get(side) or {}).get(schema)) or {}
        b = ((new.get(side) or {}).get(schema)) or {}
        pa, pb = a.get("properties") or {}, b.get("properties") or {}
        marks = [f"+{k}" for k in pb if k not in pa] + [f"-{k}" for k in pa if k not in pb]
        marks += [f"~{k}" for k in pb if k in pa and pa[k] != pb[k]]
        if not marks and a != b:
            marks.append("~schema")
        if marks:
            out.append(f"{side} {' '.join(marks)}")
    return out
