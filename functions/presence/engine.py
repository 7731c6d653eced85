"""The decision for one change of one agent: pure, deterministic, no I/O (unit- and property-tested).

``decide(record, change, rules, now)`` returns what to do and the agent's new record. In order:

1. **Never regress**: a change older than what the record holds for that side (and stream:
   Genesys presence and routing status are separate streams) is *stale* and only recorded.
2. **Observe**: the record takes the change; the state it replaces goes into that side's history
   (what ``PREVIOUS_STATE`` returns to; contact-center system states such as on-contact or ACW
   never enter it, they cannot be set).
3. **Echo**: a change that is the engine's own write coming back (a Salesforce change carrying
   our command id, or the state we just wrote on either side, within its marker's lifetime) is
   dropped; the marker is cleared.
4. **Held**: a Salesforce change that arrives while the agent is on a contact (a state the
   platform owns) is held and applied when the contact ends.
5. **Breaker**: more writes for the agent than the rules allow per window trips a per-agent
   breaker (an alarm fires) instead of ping-ponging; while it is open nothing is written.
6. **Rules**: the agent's rule set (user over team over organisation) maps the change to a target
   on the other side (or ``PREVIOUS_STATE``, or the unmapped policy); a target the other side is
   already in needs no write (a run with nothing to do writes nothing).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from functions.presence.model import Change, is_system
from functions.presence.rules import IGNORE, PREVIOUS_STATE, CcTarget, RulesDocument

ECHO_SECONDS = 120  # how long the engine expects its own write to come back
HISTORY = 5


@dataclass
class AgentRecord:
    """What the engine knows about one agent (one DynamoDB item, versioned)."""

    agent: str
    sf_user: str = ""
    email: str = ""
    team: str = ""
    cc: dict[str, Any] = field(default_factory=dict)  # state, reason, acw, statusId, at; routing, atRouting
    sf: dict[str, Any] = field(default_factory=dict)  # status, statusId, at
    cc_history: list[dict[str, str]] = field(default_factory=list)  # earlier settable states, newest last
    sf_history: list[str] = field(default_factory=list)
    expect_cc: dict[str, Any] | None = None  # state, reason, at (written, epoch ms), until (epoch s)
    expect_sf: dict[str, Any] | None = None  # status, commandId, at, until
    held: dict[str, Any] | None = None  # target {state, reason}, since, rule
    writes: list[float] = field(default_factory=list)  # times of recent writes (breaker window)
    breaker_until: float = 0.0
    version: int = 0

    def to_doc(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> AgentRecord:
        return cls(**{k: v for k, v in doc.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Write:
    """One vendor write: Salesforce status (by DeveloperName) or contact-center state."""

    side: str  # "sf" or "cc"
    sf_status: str = ""
    cc: CcTarget | None = None
    command_id: str = ""

    def describe(self) -> str:
        if self.side == "sf":
            return f"Salesforce -> {self.sf_status}"
        assert self.cc is not None
        return f"contact center -> {self.cc.state}" + (f"/{self.cc.reason}" if self.cc.reason else "")


@dataclass(frozen=True)
class Decision:
    outcome: str  # stale, unchanged, echo, applied, in-step, held, released, breaker-open, breaker-tripped, unmapped, unpaired, no-previous, dry-run
    why: str
    record: AgentRecord
    writes: tuple[Write, ...] = ()
    rule: str = ""

    @property
    def write(self) -> Write | None:
        """The first write (every decision but a release makes at most one)."""
        return self.writes[0] if self.writes else None

    def summary(self) -> dict[str, Any]:
        """Data-free fields for the log line and the audit trail."""
        return {"outcome": self.outcome, "why": self.why, "rule": self.rule, "write": "; ".join(w.describe() for w in self.writes)}


def command_id(event_id: str) -> str:
    """The same change always yields the same command (a retried message re-sends the same one)."""
    return "cmd-" + hashlib.sha256(event_id.encode()).hexdigest()[:24]


def decide(record: AgentRecord, change: Change, rules: RulesDocument, now: float, *, on_contact: bool = False) -> Decision:
    """``on_contact``: the platform refused our write because the agent is on a contact we have not
    heard of yet (its event is late): decide again with this set, and the change is held."""
    rec = replace(
        record,
        cc=dict(record.cc),
        sf=dict(record.sf),
        cc_history=list(record.cc_history),
        sf_history=list(record.sf_history),
        writes=[t for t in record.writes if t > now - rules.breaker.per_seconds],
    )
    platform = rules.platform
    was_system = _on_contact(rec, platform)

    # 1-2. never regress; observe
    if change.side == "sf":
        last = rec.sf.get("at", -1)
        if change.at < last:
            return Decision("stale", "older than the Salesforce status already known", record)
        if change.at == last and rec.sf.get("status") == change.state:
            return Decision("unchanged", "Salesforce status already known", record)
        if rec.sf.get("status") and rec.sf["status"] != change.state:
            rec.sf_history = (rec.sf_history + [rec.sf["status"]])[-HISTORY:]
        rec.sf = {"status": change.state, "statusId": change.status_id, "at": change.at}
        if change.sf_user:
            rec.sf_user = change.sf_user
    elif change.routing:
        last = rec.cc.get("atRouting", -1)
        if change.at < last:
            return Decision("stale", "older than the routing status already known", record)
        if change.at == last and rec.cc.get("routing") == change.routing:
            return Decision("unchanged", "routing status already known", record)
        rec.cc["routing"], rec.cc["atRouting"] = change.routing, change.at
    else:
        last = rec.cc.get("at", -1)
        if change.at < last:
            return Decision("stale", "older than the contact-center state already known", record)
        same = (rec.cc.get("state"), rec.cc.get("reason", ""), rec.cc.get("acw", False)) == (change.state, change.reason, change.acw)
        if change.at == last and same:
            return Decision("unchanged", "contact-center state already known", record)
        old = {"state": rec.cc.get("state", ""), "reason": rec.cc.get("reason", "")}
        if old["state"] and not was_system and (old["state"], old["reason"]) != (change.state, change.reason):
            rec.cc_history = (rec.cc_history + [old])[-HISTORY:]
        rec.cc.update(state=change.state, reason=change.reason, acw=change.acw, statusId=change.status_id, at=change.at)

    # 3. our own write coming back; a different change made after our write means the side has
    # moved on, and the marker is dropped (our echo, if still in flight, is older: stale)
    if change.side == "sf" and rec.expect_sf:
        exp = rec.expect_sf
        ours = change.command_id and change.command_id == exp.get("commandId")
        if ours or (change.state == exp.get("status") and now < exp.get("until", 0)):
            rec.expect_sf = None
            return Decision("echo", "our own Salesforce command coming back", rec)
        if change.at >= exp.get("at", 0) or now >= exp.get("until", 0):
            rec.expect_sf = None
    if change.side == "cc" and not change.routing and rec.expect_cc:
        exp = rec.expect_cc
        if (change.state, change.reason) == (exp.get("state"), exp.get("reason", "")) and now < exp.get("until", 0):
            rec.expect_cc = None
            return Decision("echo", "our own contact-center write coming back", rec)
        if change.at >= exp.get("at", 0) or now >= exp.get("until", 0):
            rec.expect_cc = None

    on_contact = on_contact or _on_contact(rec, platform)
    rule_set = rules.rule_set_for(rec.agent, rec.email, rec.team)

    # 4. a change held during a contact, released by the first contact-center change after it
    if change.side == "cc" and not on_contact and rec.held:
        held = rec.held
        rec.held = None
        released = CcTarget.model_validate(held["target"])
        writes = []
        if (rec.cc.get("state"), rec.cc.get("reason", "")) != (released.state, released.reason):
            writes.append(Write("cc", cc=released, command_id=command_id(change.event_id)))
        # Salesforce may have moved during the contact (a publisher rule for on-contact states): it
        # returns to the status the agent chose, which is what was held.
        if rec.sf_user and held.get("status") and rec.sf.get("status") != held["status"]:
            writes.append(Write("sf", sf_status=held["status"], command_id=command_id(change.event_id + "#sf")))
        if not writes:
            return Decision("in-step", "contact ended: both sides already as held", rec, rule=held["rule"])
        return _gate(
            rec, rules, now, tuple(writes), held["rule"], f"contact ended: applying the change held since it ({held['why']})", "released"
        )

    if change.side == "sf":
        index, sub = rules.subscriber(rule_set, change.state)
        rule = f"{rule_set}.subscriber[{index}]" if index is not None else ""
        target: CcTarget | None = None
        if sub is None:
            unmapped = rules.unmapped.subscribe
            if unmapped == IGNORE:
                return Decision("unmapped", f"no subscriber rule for Salesforce status {change.state}", rec)
            assert isinstance(unmapped, CcTarget)
            target, rule = unmapped, "unmapped.subscribe"
        elif sub == PREVIOUS_STATE:
            target = _previous_cc(rec) or rules.previous_state_fallback.cc
            if target is None:
                return Decision("no-previous", "PREVIOUS_STATE with no earlier contact-center state and no fallback", rec, rule=rule)
        else:
            assert isinstance(sub, CcTarget)
            target = sub
        assert target is not None
        if not on_contact:
            rec.held = None  # a newer Salesforce choice supersedes one held earlier
        if on_contact:
            rec.held = {
                "target": target.model_dump(),
                "status": change.state,
                "since": now,
                "rule": rule,
                "why": f"Salesforce {change.state}",
            }
            return Decision("held", "agent is on a contact: applied when it ends", rec, rule=rule)
        return _write_cc(rec, rules, now, change, target, "applied", f"Salesforce {change.state}", rule)

    # contact-center change (presence or routing): publisher rules
    state, reason, routing = rec.cc.get("state", ""), rec.cc.get("reason", ""), rec.cc.get("routing", "")
    index, pub = rules.publisher(rule_set, state, reason, routing)
    rule = f"{rule_set}.publisher[{index}]" if index is not None else ""
    if pub is None:
        if rules.unmapped.publish == IGNORE:
            return Decision("unmapped", f"no publisher rule for {state}" + (f"/{reason}" if reason else ""), rec)
        pub, rule = rules.unmapped.publish, "unmapped.publish"
    status: str | None = pub
    if pub == PREVIOUS_STATE:
        status = _previous_sf(rec) or rules.previous_state_fallback.sf
        if status is None:
            return Decision("no-previous", "PREVIOUS_STATE with no earlier Salesforce status and no fallback", rec, rule=rule)
    assert status is not None
    if not rec.sf_user:
        return Decision("unpaired", "no Salesforce user is paired with this agent", rec, rule=rule)
    if rec.sf.get("status") == status:
        return Decision("in-step", f"Salesforce already {status}", rec, rule=rule)
    write = Write("sf", sf_status=status, command_id=command_id(change.event_id))
    return _gate(rec, rules, now, (write,), rule, f"contact center {state}" + (f"/{reason}" if reason else ""))


def observe(record: AgentRecord, change: Change, rules: RulesDocument, now: float) -> AgentRecord:
    """The record after taking the change in, with no write presumed: for a decision whose write the
    platform turned down (agent logged out, a target it never takes)."""
    return decide(record, change, rules.model_copy(update={"mode": "dry-run"}), now).record


def _write_cc(
    rec: AgentRecord, rules: RulesDocument, now: float, change: Change, target: CcTarget, outcome: str, why: str, rule: str
) -> Decision:
    if (rec.cc.get("state"), rec.cc.get("reason", "")) == (target.state, target.reason):
        return Decision("in-step", f"contact center already {target.state}", rec, rule=rule)
    return _gate(rec, rules, now, (Write("cc", cc=target, command_id=command_id(change.event_id)),), rule, why, outcome)


def _gate(
    rec: AgentRecord, rules: RulesDocument, now: float, writes: tuple[Write, ...], rule: str, why: str, outcome: str = "applied"
) -> Decision:
    """Breaker and dry-run between a decision and its writes. A live write is presumed to succeed
    (the record is saved only after it does): the written side takes the target now, stamped with
    the write's time, so a change that side made before our write and that arrives late is stale
    (the state written last wins), and a second change mapping to the same target needs no write."""
    if rec.breaker_until > now:
        return Decision("breaker-open", "per-agent breaker open after flapping", rec, rule=rule)
    if len(rec.writes) + len(writes) > rules.breaker.max_changes:
        rec.breaker_until = now + rules.breaker.cooldown_seconds
        return Decision("breaker-tripped", f"more than {rules.breaker.max_changes} writes in {rules.breaker.per_seconds} s", rec, rule=rule)
    if rules.mode == "dry-run":
        return Decision("dry-run", why, rec, writes=writes, rule=rule)
    written_at = int(now * 1000)
    for write in writes:
        rec.writes.append(now)
        if write.side == "sf":
            if rec.sf.get("status") and rec.sf["status"] != write.sf_status:
                rec.sf_history = (rec.sf_history + [rec.sf["status"]])[-HISTORY:]
            rec.sf = {"status": write.sf_status, "statusId": "", "at": max(rec.sf.get("at", -1), written_at)}
            rec.expect_sf = {"status": write.sf_status, "commandId": write.command_id, "at": written_at, "until": now + ECHO_SECONDS}
        else:
            assert write.cc is not None
            old = {"state": rec.cc.get("state", ""), "reason": rec.cc.get("reason", "")}
            settable = old["state"] and not _on_contact(rec, rules.platform)
            if settable and (old["state"], old["reason"]) != (write.cc.state, write.cc.reason):
                rec.cc_history = (rec.cc_history + [old])[-HISTORY:]
            rec.cc.update(state=write.cc.state, reason=write.cc.reason, acw=False, statusId="", at=max(rec.cc.get("at", -1), written_at))
            rec.expect_cc = {"state": write.cc.state, "reason": write.cc.reason, "at": written_at, "until": now + ECHO_SECONDS}
    return Decision(outcome, why, rec, writes=writes, rule=rule)


def _on_contact(rec: AgentRecord, platform: str) -> bool:
    return bool(rec.cc) and is_system(platform, rec.cc.get("state", ""), rec.cc.get("routing", ""), bool(rec.cc.get("acw")))


def _previous_cc(rec: AgentRecord) -> CcTarget | None:
    current = (rec.cc.get("state"), rec.cc.get("reason", ""))
    for item in reversed(rec.cc_history):
        if (item["state"], item.get("reason", "")) != current:
            return CcTarget(state=item["state"], reason=item.get("reason", ""))
    return None


def _previous_sf(rec: AgentRecord) -> str | None:
    current = rec.sf.get("status")
    return next((s for s in reversed(rec.sf_history) if s != current), None)
