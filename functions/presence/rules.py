"""The presence rules document: what the admin writes, validated on upload, versioned in DynamoDB.

* ``ruleSets``: named sets of rules. A *publisher* rule maps a contact-center state to a
  Salesforce status (DeveloperName); a *subscriber* rule maps a Salesforce status to a
  contact-center state. Either target may be ``PREVIOUS_STATE``: the agent returns to the state
  it held on that side before the current one.
* ``assignments``: which rule set applies to an agent: a user entry (agent id or email) wins over
  its team's entry, which wins over the organisation default. Deterministic, documented.
* ``unmapped``: what a state that no rule maps does (``ignore``, or a default target).
* ``previousStateFallback``: what ``PREVIOUS_STATE`` does when the agent has no earlier state.
* ``breaker``: more than ``maxChanges`` writes for one agent within ``perSeconds`` trips a
  per-agent breaker for ``cooldownSeconds`` (an alarm fires) instead of ping-ponging.
* ``mode``: ``dry-run`` evaluates and records every decision without writing.
* ``identities``: explicit contact-center agent (id or email) -> Salesforce user id pairs; other
  agents are paired by email.

Within a section the most specific matching rule wins (state + reason + routing over state
alone); among equally specific rules, the first listed.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from pydantic.alias_generators import to_camel

from functions.presence.model import CXONE_STATES, CXONE_WRITABLE, GENESYS_PRESENCES, GENESYS_ROUTING

PREVIOUS_STATE = "PREVIOUS_STATE"
IGNORE = "ignore"
SF_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,79}$")


class _Doc(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="forbid", frozen=True)


class CcTarget(_Doc):
    """A contact-center state to set: CXone Available / Unavailable + unavailable code; Genesys a
    presence (system presence, or its secondary status label in ``reason``)."""

    state: str = Field(min_length=1, max_length=80)
    reason: str = Field("", max_length=255)


class CcMatch(_Doc):
    """Which contact-center states a publisher rule matches; an absent field matches anything."""

    state: str = Field(min_length=1, max_length=80)
    reason: str | None = Field(None, max_length=255)
    routing: str | None = Field(None, description="Genesys routing status (OFF_QUEUE, IDLE, INTERACTING, ...)")

    @property
    def specificity(self) -> int:
        return 1 + (self.reason is not None) + (self.routing is not None)


class PublisherRule(_Doc):
    when: CcMatch
    set: str = Field(description="Salesforce status DeveloperName, or PREVIOUS_STATE")


class SubscriberRule(_Doc):
    when: str = Field(description="Salesforce status DeveloperName")
    set: CcTarget | Literal["PREVIOUS_STATE"]


class RuleSet(_Doc):
    publisher: tuple[PublisherRule, ...] = ()
    subscriber: tuple[SubscriberRule, ...] = ()


class Assignments(_Doc):
    organization: str
    teams: dict[str, str] = Field(default_factory=dict)
    users: dict[str, str] = Field(default_factory=dict)


class Unmapped(_Doc):
    publish: str = Field(IGNORE, description="ignore, or the Salesforce status to set for an unmapped contact-center state")
    subscribe: CcTarget | Literal["ignore"] = "ignore"


class Fallback(_Doc):
    cc: CcTarget | None = Field(None, description="Contact-center state for PREVIOUS_STATE with no history (none: do nothing)")
    sf: str | None = Field(None, description="Salesforce status for PREVIOUS_STATE with no history (none: do nothing)")


class Breaker(_Doc):
    max_changes: int = Field(6, ge=2, le=100)
    per_seconds: int = Field(60, ge=5, le=3600)
    cooldown_seconds: int = Field(300, ge=10, le=86400)


class RulesDocument(_Doc):
    """The whole document; ``version`` is assigned when it is pushed."""

    version: int = Field(0, ge=0)
    platform: Literal["cxone", "genesys"]
    mode: Literal["live", "dry-run"] = "live"
    rule_sets: dict[str, RuleSet] = Field(min_length=1)
    assignments: Assignments
    unmapped: Unmapped = Unmapped()
    previous_state_fallback: Fallback = Fallback()
    breaker: Breaker = Breaker()
    identities: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> RulesDocument:
        problems: list[str] = []
        states = CXONE_STATES if self.platform == "cxone" else GENESYS_PRESENCES
        writable = CXONE_WRITABLE if self.platform == "cxone" else GENESYS_PRESENCES

        def cc_target(path: str, target: CcTarget) -> None:
            if target.state not in writable:
                problems.append(f"{path}.state: {target.state!r} cannot be set on {self.platform} (settable: {', '.join(writable)})")
            if self.platform == "cxone" and target.state == "Available" and target.reason:
                problems.append(f"{path}.reason: CXone Available takes no unavailable code")

        def sf_status(path: str, name: str) -> None:
            if name != PREVIOUS_STATE and not SF_NAME.match(name):
                problems.append(f"{path}: {name!r} is not a Salesforce status DeveloperName (letters, digits, underscores)")

        for set_name, rs in self.rule_sets.items():
            seen_when: dict[tuple[Any, ...], int] = {}
            for i, rule in enumerate(rs.publisher):
                path = f"ruleSets.{set_name}.publisher[{i}]"
                if rule.when.state not in states:
                    problems.append(f"{path}.when.state: {rule.when.state!r} is not a {self.platform} state ({', '.join(states)})")
                if rule.when.routing is not None:
                    if self.platform != "genesys":
                        problems.append(f"{path}.when.routing: only Genesys has a routing status")
                    elif rule.when.routing not in GENESYS_ROUTING:
                        problems.append(f"{path}.when.routing: {rule.when.routing!r} is not one of {', '.join(GENESYS_ROUTING)}")
                sf_status(f"{path}.set", rule.set)
                key = (rule.when.state, rule.when.reason, rule.when.routing)
                if key in seen_when:
                    problems.append(f"{path}.when: the same state as publisher[{seen_when[key]}]")
                seen_when.setdefault(key, i)
            seen_sf: dict[str, int] = {}
            for i, sub in enumerate(rs.subscriber):
                path = f"ruleSets.{set_name}.subscriber[{i}]"
                sf_status(f"{path}.when", sub.when)
                if sub.when == PREVIOUS_STATE:
                    problems.append(f"{path}.when: PREVIOUS_STATE is a target, not a status")
                if isinstance(sub.set, CcTarget):
                    cc_target(f"{path}.set", sub.set)
                if sub.when in seen_sf:
                    problems.append(f"{path}.when: the same status as subscriber[{seen_sf[sub.when]}]")
                seen_sf.setdefault(sub.when, i)
        for where, name in [("assignments.organization", self.assignments.organization)] + [
            (f"assignments.{kind}.{key}", value) for kind in ("teams", "users") for key, value in getattr(self.assignments, kind).items()
        ]:
            if name not in self.rule_sets:
                problems.append(f"{where}: no rule set named {name!r} (defined: {', '.join(self.rule_sets)})")
        if self.unmapped.publish != IGNORE:
            sf_status("unmapped.publish", self.unmapped.publish)
        if isinstance(self.unmapped.subscribe, CcTarget):
            cc_target("unmapped.subscribe", self.unmapped.subscribe)
        if self.previous_state_fallback.cc is not None:
            cc_target("previousStateFallback.cc", self.previous_state_fallback.cc)
        if self.previous_state_fallback.sf is not None:
            sf_status("previousStateFallback.sf", self.previous_state_fallback.sf)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    # -- evaluation -------------------------------------------------------------------------------

    def rule_set_for(self, agent: str, email: str = "", team: str = "") -> str:
        """The rule set name for an agent: user (id, then email) over team over organisation."""
        users = self.assignments.users
        for key in (agent, email.lower()):
            if key and key in users:
                return users[key]
        if team and team in self.assignments.teams:
            return self.assignments.teams[team]
        return self.assignments.organization

    def publisher(self, rule_set: str, state: str, reason: str, routing: str) -> tuple[int | None, str | None]:
        """(rule index, Salesforce target) for a contact-center state; (None, None) when unmapped."""
        best: tuple[int, int] | None = None
        for i, rule in enumerate(self.rule_sets[rule_set].publisher):
            w = rule.when
            matches = w.state == state and w.reason in (None, reason) and w.routing in (None, routing)
            if matches and (best is None or w.specificity > best[0]):
                best = (w.specificity, i)
        if best is None:
            return None, None
        return best[1], self.rule_sets[rule_set].publisher[best[1]].set

    def subscriber(self, rule_set: str, status: str) -> tuple[int | None, CcTarget | str | None]:
        """(rule index, contact-center target or PREVIOUS_STATE) for a Salesforce status."""
        for i, rule in enumerate(self.rule_sets[rule_set].subscriber):
            if rule.when == status:
                return i, rule.set
        return None, None


def parse(data: Any) -> RulesDocument:
    """Validate a rules document; ValueError with every problem, each naming the rule and field."""
    try:
        return RulesDocument.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """pydantic's errors as ``ruleSets.x.subscriber[2].set: message`` lines (never the values)."""
    lines = []
    for err in exc.errors(include_url=False, include_input=False, include_context=False):
        path = ""
        for part in err["loc"]:
            path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
        msg = err["msg"].removeprefix("Value error, ")
        lines.append(f"{path}: {msg}" if path else msg)
    return "; ".join(dict.fromkeys(lines))


def from_cxone(rule: dict[str, Any], *, organization: str = "default") -> dict[str, Any]:
    """A rules document (dict, to validate with :func:`parse`) from CXone's own rule format
    ``{"publisherStateMap": [{incontactAgentState, partnerAgentState}], "subscriberStateMap": [...]}``.

    CXone writes its states as "Available", "Unavailable" or "Unavailable - <code>" (also accepted:
    "Unavailable:<code>", "Unavailable|<code>"); its Previous State token is undocumented, so any of
    "Previous State", "PreviousState", "PREVIOUS_STATE" (any case) is read as PREVIOUS_STATE.
    """

    def cc(text: str) -> dict[str, str] | str:
        t = str(text).strip()
        if re.sub(r"[\s_]", "", t).lower() == "previousstate":
            return PREVIOUS_STATE
        m = re.match(r"^(\w+)\s*(?:-|:|\|)\s*(.+)$", t)
        return {"state": m.group(1), "reason": m.group(2).strip()} if m else {"state": t}

    publisher = []
    for row in rule.get("publisherStateMap") or []:
        when = cc(row["incontactAgentState"])
        if when == PREVIOUS_STATE:
            raise ValueError("publisherStateMap: PREVIOUS_STATE cannot be a source state")
        publisher.append({"when": when, "set": row["partnerAgentState"]})
    subscriber = [{"when": row["partnerAgentState"], "set": cc(row["incontactAgentState"])} for row in rule.get("subscriberStateMap") or []]
    return {
        "platform": "cxone",
        "ruleSets": {organization: {"publisher": publisher, "subscriber": subscriber}},
        "assignments": {"organization": organization},
    }
