"""CXone agent states as Genesys Cloud EX presence and routing-status injection events
(``POST /api/v2/events/users/presence`` and ``POST /api/v2/events/users/routingstatus``).

CXone is the source of truth for the agents' status: each normalised CXone change (the fields
``functions.presence.connectors.CxoneSide.change`` produces: agent, state, reason, acw, at,
event_id) becomes one ``UserPresenceEvent`` and one ``UserRoutingStatusEvent`` on the registered
presence source, with event ids derived from the change (a retry or a re-poll of the same change
sends the same ids).

The mapping (CXone state -> Genesys system presence (+ secondary), routing status):

=====================================================  =======================================  ===============
CXone                                                  Genesys presence                         routing status
=====================================================  =======================================  ===============
Available                                              On Queue                                 Idle
Unavailable, no code                                   Away                                     OffQueue
Unavailable + code the id map knows                    that secondary status                    OffQueue
Unavailable + code the id map does not know            Away (the code as message; reported)     OffQueue
Unavailable + "Refused" (missed/refused contact)       On Queue                                 NotResponding
after-call work (``isACW``, any state)                 On Queue                                 Interacting
InboundContact, OutboundContact, OutboundConsult,      On Queue                                 Interacting
Dialer
InboundConsult (another agent consults this one)       On Queue                                 Communicating
DialerPending (waiting for a dialer call)              On Queue                                 Idle
LoggedIn (logged in, no state yet)                     Available                                OffQueue
LoggedOut                                              Offline                                  OffQueue
=====================================================  =======================================  ===============

Genesys routing statuses on this API are spelled OffQueue/Idle/Interacting/Communicating/
NotResponding (not OFF_QUEUE...). Interacting covers ACD interactions including after-call work;
Communicating a non-ACD one (a consult received from a colleague). The presence definition ids come
from lookups passed in (part 1's id map: secondary statuses by CXone code name; system presences
by name).

Batching: :func:`batches` puts at most one event per agent in a request (and at most
``MAX_EVENTS_PER_REQUEST``), so an agent's events reach Genesys in order whatever order Genesys
applies one request's events in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from functions.exsync.interactions import MAX_EVENTS_PER_REQUEST, BatchOutcome, event_time, post_events, v4_id

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.genesys.client import GenesysClient

PRESENCE_PATH = "/api/v2/events/users/presence"
ROUTING_PATH = "/api/v2/events/users/routingstatus"

RoutingStatus = Literal["OffQueue", "Idle", "Interacting", "Communicating", "NotResponding"]
ROUTING_STATUSES: tuple[RoutingStatus, ...] = ("OffQueue", "Idle", "Interacting", "Communicating", "NotResponding")

REFUSED_CODES = frozenset({"refused"})  # CXone's own unavailable code after a refused or missed contact


class AgentStateChange(Protocol):
    """What the CXone poller hands over (``functions.presence.model.Change`` satisfies it)."""

    @property
    def event_id(self) -> str: ...

    @property
    def agent(self) -> str: ...

    @property
    def state(self) -> str: ...

    @property
    def reason(self) -> str: ...

    @property
    def acw(self) -> bool: ...

    @property
    def at(self) -> int: ...


@dataclass(frozen=True)
class Target:
    presence: str  # Genesys system presence, as definitions spell it ("On Queue")
    routing: RoutingStatus
    secondary: bool = False  # look the CXone code up as a secondary status


_ON_CONTACT: dict[str, RoutingStatus] = {
    "InboundContact": "Interacting",
    "OutboundContact": "Interacting",
    "OutboundConsult": "Interacting",
    "Dialer": "Interacting",
    "InboundConsult": "Communicating",
    "DialerPending": "Idle",
}


def target_for(state: str, reason: str = "", acw: bool = False) -> Target | None:
    """The mapping table above; None for a state CXone does not document."""
    if acw:
        return Target("On Queue", "Interacting")
    if state == "Available":
        return Target("On Queue", "Idle")
    if state == "Unavailable":
        if reason.strip().lower() in REFUSED_CODES:
            return Target("On Queue", "NotResponding")
        return Target("Away", "OffQueue", secondary=bool(reason.strip()))
    if state in _ON_CONTACT:
        return Target("On Queue", _ON_CONTACT[state])
    if state == "LoggedIn":
        return Target("Available", "OffQueue")
    if state == "LoggedOut":
        return Target("Offline", "OffQueue")
    return None


@dataclass(frozen=True)
class StateLookups:
    """Part 1's id map and the org's presence definitions: CXone agent id -> Genesys user id; CXone
    unavailable code name -> secondary presence definition id; Genesys system presence name ->
    its definition id. None when unknown."""

    user: Callable[[str], str | None]
    secondary: Callable[[str], str | None]
    system: Callable[[str], str | None]


@dataclass
class Mapped:
    presence: dict[str, Any] | None = None
    routing: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)


def map_change(change: AgentStateChange, lookups: StateLookups, source_id: str) -> Mapped:
    """One CXone change as the two injection events; problems (no user in the id map, an undocumented
    state, a code without a secondary status) are reported, never raised."""
    out = Mapped()
    target = target_for(change.state, change.reason, change.acw)
    if target is None:
        out.problems.append(f"undocumented CXone state {change.state!r}: not synced")
        return out
    user = lookups.user(change.agent)
    if not user:
        out.problems.append(f"CXone agent {change.agent} has no Genesys user in the id map: not synced")
        return out
    when = event_time(datetime.fromtimestamp(change.at / 1000, UTC))
    presence: dict[str, Any] = {
        "eventId": v4_id(source_id, "presence", change.event_id),
        "eventDateTime": when,
        "userId": user,
        "sourceId": source_id,
    }
    definition = lookups.secondary(change.reason.strip()) if target.secondary else None
    if target.secondary and not definition:
        out.problems.append(f"CXone unavailable code {change.reason.strip()!r} has no Genesys secondary status: sent as Away")
        presence["message"] = change.reason.strip()[:100]
    definition = definition or lookups.system(target.presence)
    if definition:
        presence["presenceDefinitionId"] = definition
    else:
        out.problems.append(f"no Genesys presence definition for {target.presence!r}: presence not synced")
    out.presence = presence if definition else None
    out.routing = {
        "eventId": v4_id(source_id, "routing", change.event_id),
        "eventDateTime": when,
        "agentId": user,
        "status": target.routing,
        "sourceId": source_id,
    }
    return out


def batches(events: Iterable[dict[str, Any]], key: str, limit: int = MAX_EVENTS_PER_REQUEST) -> list[list[dict[str, Any]]]:
    """Requests of at most ``limit`` events with at most one event per agent (``key``: userId or
    agentId) each; an agent's events keep their eventDateTime order across requests."""
    ordered = sorted(events, key=lambda e: e["eventDateTime"])  # stable: equal times keep their order
    out: list[list[dict[str, Any]]] = []
    seen: list[set[str]] = []
    level: dict[str, int] = {}  # the request each agent's next event may go in, at the earliest
    for event in ordered:
        who = str(event[key])
        i = level.get(who, 0)
        while i < len(out) and (len(out[i]) >= limit or who in seen[i]):
            i += 1
        if i == len(out):
            out.append([])
            seen.append(set())
        out[i].append(event)
        seen[i].add(who)
        level[who] = i + 1
    return out


def presence_bodies(events: Iterable[dict[str, Any]], limit: int = MAX_EVENTS_PER_REQUEST) -> list[dict[str, list[dict[str, Any]]]]:
    return [{"userPresenceEvents": b} for b in batches(events, "userId", limit)]


def routing_bodies(events: Iterable[dict[str, Any]], limit: int = MAX_EVENTS_PER_REQUEST) -> list[dict[str, list[dict[str, Any]]]]:
    return [{"userRoutingStatusEvents": b} for b in batches(events, "agentId", limit)]


def inject_states(
    ctx: ActionContext[Any], client: GenesysClient, mapped: Sequence[Mapped], limit: int = MAX_EVENTS_PER_REQUEST
) -> BatchOutcome:
    """Send the presence events, then the routing-status events, in order-keeping batches. The
    outcome lists the event ids to retry and the ones to dead-letter."""
    outcome = BatchOutcome()
    for body in presence_bodies((m.presence for m in mapped if m.presence), limit):
        outcome.merge(post_events(ctx, client, PRESENCE_PATH, body))
    for body in routing_bodies((m.routing for m in mapped if m.routing), limit):
        outcome.merge(post_events(ctx, client, ROUTING_PATH, body))
    return outcome
