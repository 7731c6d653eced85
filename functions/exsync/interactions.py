"""Completed NICE CXone contacts as Genesys Cloud EX conversation events
(``POST /api/v2/events/conversations``), and the injection helpers the agent-state events share.

A CXone interaction is one or more contacts sharing a ``masterContactId`` (a transfer or a consult
opens a new contact id in the same chain). It becomes one Genesys conversation whose id is derived
from the chain's master contact id, so re-building or re-sending never creates a second one. Each
leg (external customer, routing queue, user agent) is a communication whose id is derived from the
conversation and the CXone contact it belongs to; each event id is derived from its conversation,
type, communication and ordinal. All three are V4-shaped (see :func:`v4_id`).

The events carry the SDK's wire keys and required fields (PureCloudPlatformClientV2 257.1.0 model
docs; facts and decisions in docs/ex-sync-decisions.md). Every *established* event is tagged with
``sourceConfiguration {sourceId, interactionId}``: the registered external source and the CXone
(master) contact id, so EX users can tell external interactions apart.

Ordering: the body has one array per event type, so a request cannot say in which order Genesys
applies its events (undocumented). Each built event therefore gets a **step**: after every event of
its conversation that is earlier in time, and after what it depends on among events of the same
time (an established leg before anything on that leg or invited by it, a transfer's start before
its progress and end, answered before ended, the agent's end before the customer's). By default
:func:`request_bodies` sends step after step, merging the same step of many conversations into one
request (``ordering="whole"`` sends each conversation in one request instead, for when Genesys is
known to apply a request in eventDateTime order); a conversation whose event is refused stops there
(its later steps are not sent) and is retried whole (the ids make a retry idempotent).

Bad CXone data never raises: a contact that does not validate, an agent or skill the id map does
not know, an unsupported transfer kind skip the interaction and say why (:class:`Problem`); an
unknown disposition keeps the interaction with the wrap-up skipped (``code`` omitted) and says so.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient
    from functions.genesys.client import GenesysClient

CONVERSATIONS_PATH = "/api/v2/events/conversations"
# GAP (no documented maximum): at most this many events per injection request, on all three endpoints.
MAX_EVENTS_PER_REQUEST = 50

MEDIA_PHONE = 4  # CXone mediaTypeId (ex-sync.md section 4, L)
MEDIA_EMAIL = 1


# -- ids and times ------------------------------------------------------------------------------------


def v4_id(*parts: object) -> str:
    """A deterministic UUID shaped like a random (version 4) one: SHA-256 of the parts, the version
    nibble set to 4 and the RFC 4122 variant bits to 10. The same parts always give the same id,
    so a retried or re-built event keeps its eventId (and conversation/communication ids)."""
    raw = bytearray(hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def event_time(moment: datetime) -> str:
    """``yyyy-MM-ddTHH:mm:ss.mmmZ`` (UTC, milliseconds), the SDK's eventDateTime form."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


# -- what Genesys answers --------------------------------------------------------------------------------


@dataclass
class BatchOutcome:
    """``BatchEventResponse {errors: [{eventId, message, retryable}]}`` over one or more requests."""

    sent: list[str] = field(default_factory=list)
    retryable: dict[str, str] = field(default_factory=dict)  # eventId -> Genesys' message
    rejected: dict[str, str] = field(default_factory=dict)  # not retryable: dead-letter these
    requests: int = 0

    @property
    def accepted(self) -> list[str]:
        return [e for e in self.sent if e not in self.retryable and e not in self.rejected]

    def merge(self, other: BatchOutcome) -> None:
        self.sent += other.sent
        self.retryable.update(other.retryable)
        self.rejected.update(other.rejected)
        self.requests += other.requests


def read_errors(body: object, sent: Sequence[str]) -> BatchOutcome:
    """Per-event errors of one answer. An error without a known eventId fails the whole request
    (retryable when Genesys says so)."""
    out = BatchOutcome(sent=list(sent), requests=1)
    errors = body.get("errors") if isinstance(body, Mapping) else None
    for err in errors if isinstance(errors, list) else []:
        if not isinstance(err, Mapping):
            continue
        message = str(err.get("message") or "rejected")
        ids = [str(err["eventId"])] if err.get("eventId") in sent else list(sent)
        target = out.retryable if err.get("retryable") is True else out.rejected
        for event_id in ids:
            target[event_id] = message
    return out


def post_events(ctx: ActionContext[Any], client: GenesysClient, path: str, body: Mapping[str, Sequence[Mapping[str, Any]]]) -> BatchOutcome:
    """One injection request. HTTP failures raise (BackendError/RateLimited/BackendTimeout: the
    whole request is to be retried, which the event ids make harmless); per-event errors come back."""
    sent = [str(e["eventId"]) for events in body.values() for e in events]
    resp = client.request(ctx, "POST", path, read=False, json=body, passthrough=())
    return read_errors(client.json(resp) if resp.content else {}, sent)


# -- the CXone side ------------------------------------------------------------------------------------


class HoldPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: datetime
    seconds: float = Field(ge=0)


class CompletedContact(BaseModel):
    """One ``/contacts/completed`` item (CXone reporting API), plus what its details add: hold
    periods (``/contacts/{id}/state-history``), the email subject, whether it was recorded."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    contact_id: int = Field(alias="contactId")
    master_contact_id: int | None = Field(None, alias="masterContactId")
    start: datetime = Field(alias="contactStartDate")
    agent_id: int | None = Field(None, alias="agentId")
    skill_id: int | None = Field(None, alias="skillId")
    skill_name: str = Field("", alias="skillName")
    media_type_id: int = Field(alias="mediaTypeId")
    is_outbound: bool = Field(False, alias="isOutbound")
    from_address: str = Field("", alias="fromAddress")
    to_address: str = Field("", alias="toAddress")
    pre_queue_seconds: float = Field(0, alias="preQueueSeconds", ge=0)
    in_queue_seconds: float = Field(0, alias="inQueueSeconds", ge=0)
    agent_seconds: float = Field(0, alias="agentSeconds", ge=0)
    hold_seconds: float = Field(0, alias="holdSeconds", ge=0)
    acw_seconds: float = Field(0, alias="acwSeconds", ge=0)
    abandoned: bool = False
    abandon_seconds: float = Field(0, alias="abandonSeconds", ge=0)
    primary_disposition_id: int | None = Field(None, alias="primaryDispositionId")
    disposition_notes: str = Field("", alias="dispositionNotes")
    transfer_indicator: str = Field("None", alias="transferIndicatorName")
    end_reason: str = Field("", alias="endReason")
    # from the contact's details, not the completed list
    holds: tuple[HoldPeriod, ...] = ()
    subject: str = ""
    recorded: bool = False

    @field_validator("start")
    @classmethod
    def _utc(cls, value: datetime) -> datetime:
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value

    @field_validator("primary_disposition_id", "master_contact_id", "agent_id", "skill_id", mode="before")
    @classmethod
    def _zero_is_none(cls, value: object) -> object:
        return None if value in (0, "0", "", None) else value

    @field_validator("transfer_indicator", "disposition_notes", "end_reason", "skill_name", mode="before")
    @classmethod
    def _text(cls, value: object) -> str:
        return "" if value is None else str(value)

    @property
    def master(self) -> int:
        return self.master_contact_id or self.contact_id


def hold_periods(state_history: Iterable[Mapping[str, Any]]) -> tuple[HoldPeriod, ...]:
    """Hold periods from ``/contacts/{id}/state-history`` rows (``contactStateName`` Hold/Holding,
    ``startDate``, ``duration`` as seconds or ``HH:MM:SS[.fff]``)."""
    out = []
    for row in state_history:
        if str(row.get("contactStateName") or "").lower() not in ("hold", "holding"):
            continue
        try:
            start = datetime.fromisoformat(str(row["startDate"]).replace("Z", "+00:00"))
            out.append(HoldPeriod(start=start, seconds=_seconds(row.get("duration"))))
        except (KeyError, ValueError, ValidationError):
            continue
    return tuple(sorted(out, key=lambda h: h.start))


def with_details(
    contact: CompletedContact | Mapping[str, Any],
    *,
    state_history: Iterable[Mapping[str, Any]] = (),
    subject: str = "",
    recorded: bool = False,
) -> CompletedContact:
    """A completed contact with what its details add: hold periods (``/contacts/{id}/state-history``
    rows), the email subject, whether CXone has a recording of it."""
    base = contact.model_dump(by_alias=True) if isinstance(contact, CompletedContact) else dict(contact)
    return CompletedContact.model_validate({**base, "holds": hold_periods(state_history), "subject": subject, "recorded": recorded})


def fetch_details(ctx: ActionContext[Any], cxone: CxoneClient, contact: Mapping[str, Any]) -> CompletedContact:
    """A ``/contacts/completed`` item with its hold periods read from CXone (one request)."""
    body = cxone.get(ctx, f"/contacts/{contact['contactId']}/state-history") or {}
    rows = body.get("contactStateHistory")
    return with_details(contact, state_history=[r for r in rows if isinstance(r, Mapping)] if isinstance(rows, list) else [])


def _seconds(value: object) -> float:
    if isinstance(value, int | float):
        return float(value)
    text = str(value or "0")
    if ":" in text:
        total = 0.0
        for part in text.split(":"):
            total = total * 60 + float(part)
        return total
    return float(text)


@dataclass(frozen=True)
class IdMap:
    """Part 1's id map: CXone agent id -> Genesys user id, skill id -> queue id, disposition id ->
    wrap-up code id; None when the map has no entry."""

    user: Callable[[int], str | None]
    queue: Callable[[int], str | None]
    wrapup: Callable[[int], str | None]


# -- what the builder produces ---------------------------------------------------------------------------

ProblemCode = Literal[
    "invalid-contact",
    "agent-not-mapped",
    "queue-not-mapped",
    "disposition-not-mapped",
    "hold-times-unknown",
    "unsupported-media",
    "unsupported-shape",
    "build-failed",
]


@dataclass(frozen=True)
class Problem:
    """Why an interaction was skipped (``skipped``) or built with less than CXone had."""

    contact_id: int | None
    code: ProblemCode
    detail: str
    skipped: bool


@dataclass(frozen=True)
class Event:
    kind: str  # the request array it goes in, e.g. ``externalEstablishedEvents``
    body: dict[str, Any]
    step: int

    @property
    def event_id(self) -> str:
        return str(self.body["eventId"])


@dataclass
class Built:
    interaction_id: str  # the CXone master contact id
    conversation_id: str
    shape: str
    events: list[Event] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    external_communication_id: str = ""  # the customer's leg: channel 0 of the recording

    @property
    def skipped(self) -> bool:
        return any(p.skipped for p in self.problems)

    @property
    def steps(self) -> int:
        return 1 + max((e.step for e in self.events), default=-1)


class _Skip(Exception):
    def __init__(self, contact_id: int | None, code: ProblemCode, detail: str) -> None:
        super().__init__(detail)
        self.problem = Problem(contact_id, code, detail, True)


# -- the builder ----------------------------------------------------------------------------------------


@dataclass
class _Pending:
    at: datetime
    kind: str
    body: dict[str, Any]
    deps: tuple[str, ...]
    touches: tuple[str, ...]


class _Conversation:
    """Collects one conversation's events in lifecycle order, then numbers their steps."""

    def __init__(self, source_id: str, interaction_id: str, email: bool) -> None:
        self.source_id = source_id
        self.interaction_id = interaction_id
        self.prefix = "email" if email else ""
        self.id = v4_id(source_id, "conversation", interaction_id)
        self.pending: list[_Pending] = []
        self.ordinals: dict[tuple[str, str], int] = {}

    def kind(self, name: str) -> str:
        """``communicationEndedEvents`` -> ``emailCommunicationEndedEvents`` on an email."""
        return self.prefix + name[0].upper() + name[1:] if self.prefix else name

    def comm(self, role: str, contact_id: int) -> str:
        return v4_id(self.id, "communication", role, contact_id)

    def source(self) -> dict[str, str]:
        return {"sourceId": self.source_id, "interactionId": self.interaction_id}

    def add(
        self,
        name: str,
        at: datetime,
        fields: dict[str, Any],
        *,
        comm: str | None = None,
        deps: Iterable[str] = (),
        touches: Iterable[str] = (),
    ) -> None:
        kind = self.kind(name)
        anchor = comm or str(fields.get("commandId") or fields.get("objectCommunicationId") or "")
        n = self.ordinals[(kind, anchor)] = self.ordinals.get((kind, anchor), -1) + 1
        body: dict[str, Any] = {
            "eventId": v4_id(self.id, "event", kind, anchor, n),
            "eventDateTime": event_time(at),
            "conversationId": self.id,
        }
        if comm is not None:
            body["communicationId"] = comm
        body.update(fields)
        own = (comm,) if comm else ()
        self.pending.append(_Pending(at, kind, body, (*own, *deps), (*own, *touches)))

    def events(self) -> list[Event]:
        """The events in time order, each with its step: after everything earlier in time, and after
        what it depends on among events of the same time (added before it: lifecycle order)."""
        last: dict[str, int] = {}
        out = []
        earlier, current, moment = -1, -1, None  # highest step before this time / at this time
        for _, p in sorted(enumerate(self.pending), key=lambda ip: (ip[1].at, ip[0])):
            if p.at != moment:
                earlier, moment = max(earlier, current), p.at
            step = max(1 + max((last.get(d, -1) for d in p.deps), default=-1), earlier + 1)
            current = max(current, step)
            for t in p.touches:
                last[t] = max(last.get(t, -1), step)
            out.append(Event(p.kind, p.body, step))
        return out


def _address(text: str) -> str:
    text = text.strip()
    return text if not text or text.startswith(("tel:", "sip:")) else f"tel:{text}"


def _after(start: datetime, *seconds: float) -> datetime:
    return start + timedelta(seconds=sum(seconds))


def _hang_up(end_reason: str) -> tuple[str, str]:
    """(customer leg's disconnectType, agent leg's) from CXone's endReason (L: free text such as
    "Contact Hung Up", "Agent Hung Up"; anything else ends both as System)."""
    reason = end_reason.lower()
    if any(w in reason for w in ("contact", "customer", "caller", "patron")):
        return "Self", "Peer"
    if "agent" in reason:
        return "Peer", "Self"
    return "System", "System"


class _Build:
    def __init__(self, legs: Sequence[CompletedContact], ids: IdMap, source_id: str) -> None:
        self.legs = sorted(legs, key=lambda c: (c.start, c.contact_id))
        self.first = self.legs[0]
        self.ids = ids
        self.email = self.first.media_type_id == MEDIA_EMAIL
        self.conv = _Conversation(source_id, str(self.first.master), self.email)
        self.problems: list[Problem] = []
        self.external = self.conv.comm("external", self.first.master)

    # lookups -------------------------------------------------------------------------------------------

    def user(self, leg: CompletedContact) -> str:
        found = self.ids.user(leg.agent_id) if leg.agent_id is not None else None
        if not found:
            raise _Skip(leg.contact_id, "agent-not-mapped", f"CXone agent {leg.agent_id} has no Genesys user in the id map")
        return found

    def queue(self, leg: CompletedContact) -> str:
        found = self.ids.queue(leg.skill_id) if leg.skill_id is not None else None
        if not found:
            raise _Skip(leg.contact_id, "queue-not-mapped", f"CXone skill {leg.skill_id} has no Genesys queue in the id map")
        return found

    def wrapup(self, leg: CompletedContact) -> dict[str, Any]:
        if leg.primary_disposition_id is None:
            return {}
        code = self.ids.wrapup(leg.primary_disposition_id)
        if not code:
            self.problems.append(
                Problem(
                    leg.contact_id,
                    "disposition-not-mapped",
                    f"CXone disposition {leg.primary_disposition_id} has no Genesys wrap-up code: wrap-up sent as skipped",
                    False,
                )
            )
            return {}
        out: dict[str, Any] = {"code": code}
        if leg.disposition_notes:
            out["notes"] = leg.disposition_notes[:1000]
        return out

    # pieces --------------------------------------------------------------------------------------------

    def initial(self, *, inbound: bool, alerting: bool, invited_by: str | None = None, recorded: bool = False) -> dict[str, Any]:
        if self.email:
            cfg: dict[str, Any] = {"to": self.first.to_address, "from": self.first.from_address, "inbound": inbound, "alerting": alerting}
            if self.first.subject:
                cfg["subject"] = self.first.subject
        else:
            cfg = {"inbound": inbound, "alerting": alerting}
            if recorded:
                cfg["recordingActive"] = True
        if invited_by:
            cfg["invitedBy"] = invited_by
        return cfg

    def phones(self) -> dict[str, str]:
        if self.email:
            return {}
        out = {"ani": _address(self.first.from_address), "dnis": _address(self.first.to_address)}
        return {k: v for k, v in out.items() if v}

    def established(self, name: str, at: datetime, comm: str, fields: dict[str, Any], deps: Iterable[str] = ()) -> None:
        body = {**fields, "sourceConfiguration": self.conv.source()}
        invited = body["initialConfiguration"].get("invitedBy")
        self.conv.add(name, at, body, comm=comm, deps=(*((invited,) if invited else ()), *deps))

    def external_leg(self, at: datetime, *, inbound: bool, invited_by: str | None = None) -> None:
        if self.email:
            self.established(
                "externalEstablishedEvents",
                at,
                self.external,
                {
                    "includeMessage": True,
                    "initialConfiguration": self.initial(inbound=inbound, alerting=not inbound, invited_by=invited_by),
                },
            )
        else:
            cfg = self.initial(inbound=inbound, alerting=not inbound, invited_by=invited_by)
            cfg["audioState"] = {"canHear": True, "canSpeak": True}
            self.established("externalEstablishedEvents", at, self.external, {**self.phones(), "initialConfiguration": cfg})

    def routing_leg(self, leg: CompletedContact, at: datetime, invited_by: str, deps: Iterable[str] = ()) -> str:
        comm = self.conv.comm("routing", leg.contact_id)
        fields = {
            "queueId": self.queue(leg),
            **self.phones(),
            "initialConfiguration": self.initial(inbound=True, alerting=False, invited_by=invited_by),
        }
        self.established("routingEstablishedEvents", at, comm, fields, deps)
        return comm

    def user_leg(
        self,
        leg: CompletedContact,
        at: datetime,
        *,
        inbound: bool,
        alerting: bool,
        invited_by: str | None,
        queue: str | None = None,
        deps: Iterable[str] = (),
    ) -> str:
        comm = self.conv.comm("user", leg.contact_id)
        fields: dict[str, Any] = {"userId": self.user(leg)}
        if leg.acw_seconds > 0 or leg.primary_disposition_id is not None:
            fields["afterCallWorkRequired"] = True
        if queue:
            fields["queueId"] = queue
        fields.update(self.phones())
        fields["initialConfiguration"] = self.initial(inbound=inbound, alerting=alerting, invited_by=invited_by, recorded=leg.recorded)
        self.established("userEstablishedEvents", at, comm, fields, deps)
        return comm

    def answered(self, comm: str, at: datetime) -> None:
        self.conv.add("communicationAnsweredEvents", at, {}, comm=comm)

    def ended(self, comm: str, at: datetime, how: str, deps: Iterable[str] = ()) -> None:
        if self.email and how in ("TransferConsult", "TransferConference"):
            how = "Transfer"
        self.conv.add("communicationEndedEvents", at, {"disconnectType": how}, comm=comm, deps=deps)

    def holds(self, leg: CompletedContact, comm: str) -> None:
        name = "holdUpdatedEvents"
        if leg.hold_seconds > 0 and not leg.holds:
            self.problems.append(Problem(leg.contact_id, "hold-times-unknown", "hold seconds without hold periods: hold not sent", False))
        for h in leg.holds:
            self.conv.add(name, h.start, {"held": True}, comm=comm)
            self.conv.add(name, _after(h.start, h.seconds), {"held": False}, comm=comm)

    def disposition(self, leg: CompletedContact, comm: str, ended_at: datetime) -> None:
        if leg.acw_seconds > 0 or leg.primary_disposition_id is not None:
            self.conv.add("communicationDispositionAppliedEvents", _after(ended_at, leg.acw_seconds), self.wrapup(leg), comm=comm)

    # shapes --------------------------------------------------------------------------------------------

    def build(self) -> Built:
        first = self.first
        if first.media_type_id not in (MEDIA_PHONE, MEDIA_EMAIL):
            raise _Skip(first.contact_id, "unsupported-media", f"mediaTypeId {first.media_type_id} is neither phone (4) nor email (1)")
        if first.is_outbound:
            if self.email:
                raise _Skip(first.contact_id, "unsupported-shape", "outbound email is not synced")
            shape = self.outbound()
        elif first.agent_id is None or first.abandoned:
            shape = self.abandoned()
        else:
            shape = self.inbound()
        return Built(str(first.master), self.conv.id, shape, self.conv.events(), self.problems, self.external)

    def abandoned(self) -> str:
        leg = self.first
        self.external_leg(leg.start, inbound=True)
        queued = _after(leg.start, leg.pre_queue_seconds)
        routing = self.routing_leg(leg, queued, self.external)
        gone = _after(queued, leg.in_queue_seconds or leg.abandon_seconds)
        self.ended(self.external, gone, "Self")
        self.ended(routing, gone, "Peer")
        return "abandoned"

    def outbound(self) -> str:
        leg = self.first
        queue = self.ids.queue(leg.skill_id) if leg.skill_id is not None else None
        user = self.user_leg(leg, leg.start, inbound=False, alerting=False, invited_by=None, queue=queue)
        self.external_leg(leg.start, inbound=False, invited_by=user)
        answered = _after(leg.start, leg.pre_queue_seconds)
        self.answered(self.external, answered)
        self.holds(leg, user)
        end = _after(answered, leg.agent_seconds)
        customer, agent = _hang_up(leg.end_reason)
        self.ended(user, end, agent)
        self.ended(self.external, end, customer, deps=(user,))
        self.disposition(leg, user, end)
        return "outbound"

    def inbound(self) -> str:
        """Inbound answered, and every transfer/consult chain that starts with one."""
        a = self.first
        self.external_leg(a.start, inbound=True)
        queued = _after(a.start, a.pre_queue_seconds)
        routing = self.routing_leg(a, queued, self.external)
        answered = _after(queued, a.in_queue_seconds)
        current_leg, current = a, self.user_leg(a, answered, inbound=True, alerting=True, invited_by=routing)
        self.answered(current, answered)
        self.ended(routing, answered, "Transfer", deps=(current,))  # the queue hands the call to the agent
        self.holds(a, current)
        shape = "email" if self.email else "inbound"
        rest = list(self.legs[1:])
        while rest:
            leg = rest.pop(0)
            kind = leg.transfer_indicator.lower()
            if self.email:
                raise _Skip(leg.contact_id, "unsupported-shape", f"email transfer ({leg.transfer_indicator}) is not synced")
            if kind == "consult":
                follow = next((b for b in rest if b.transfer_indicator.lower() == "reagent" and b.agent_id == leg.agent_id), None)
                if follow is not None:
                    rest.remove(follow)
                    current_leg = self.attended(current_leg, current, leg, follow)
                    current = self.conv.comm("user", leg.contact_id)
                    shape = "transfer-attended"
                else:
                    self.consult(current, leg)
                    shape = "consult" if shape == "inbound" else shape
            elif kind in ("reskill", "reagent"):
                current = self.blind(current_leg, current, leg, to_queue=kind == "reskill")
                current_leg = leg
                shape = "transfer-blind-queue" if kind == "reskill" else "transfer-blind-user"
            else:
                raise _Skip(leg.contact_id, "unsupported-shape", f"CXone transfer kind {leg.transfer_indicator!r} is not synced")
        end = _after(current_leg.start, *self._to_end(current_leg))
        if self.email:  # the agent's reply, then both sides close (an email has no hang-up: Self/Peer)
            self.conv.add("communicationSentMessageEvents", end, {}, comm=current)
            customer, agent = "Peer", "Self"
        else:
            customer, agent = _hang_up(current_leg.end_reason)
        self.ended(current, end, agent)
        self.ended(self.external, end, customer, deps=(current,))
        self.disposition(current_leg, current, end)
        return shape

    @staticmethod
    def _to_end(leg: CompletedContact) -> tuple[float, ...]:
        return (leg.pre_queue_seconds, leg.in_queue_seconds, leg.agent_seconds)

    def blind(self, prev_leg: CompletedContact, prev: str, leg: CompletedContact, *, to_queue: bool) -> str:
        """Unattended transfer of the customer from ``prev`` (an agent) to a queue or an agent."""
        at = leg.start
        command = v4_id(self.conv.id, "transfer", leg.contact_id)
        cmd = f"cmd:{command}"
        start: dict[str, Any] = {
            "transferType": "Unattended",
            "commandId": command,
            "initiatingCommunicationId": prev,
            "targetCommunicationId": prev,
            "objectCommunicationId": self.external,
        }
        if to_queue:
            self.conv.add(
                "routingTransferEvents", at, {**start, "destinationQueueId": self.queue(leg)}, deps=(prev, self.external), touches=(cmd,)
            )
            destination = self.routing_leg(leg, at, prev, deps=(cmd,))
        else:
            self.conv.add(
                "userTransferEvents", at, {**start, "destinationUserId": self.user(leg)}, deps=(prev, self.external), touches=(cmd,)
            )
            destination = self.user_leg(leg, at, inbound=True, alerting=True, invited_by=prev, deps=(cmd,))
        progress = {"commandId": command, "objectCommunicationId": self.external, "destinationCommunicationId": destination}
        self.conv.add("progressTransferEvents", at, progress, deps=(cmd, destination), touches=(cmd,))
        self.ended(prev, at, "TransferACD" if to_queue else "TransferUser", deps=(cmd,))
        self.conv.add(
            "endTransferEvents",
            at,
            {"commandId": command, "finalState": "Completed", "objectCommunicationId": self.external},
            deps=(cmd, prev),
            touches=(cmd, self.external),
        )
        self.disposition(prev_leg, prev, at)
        answered = _after(at, leg.pre_queue_seconds, leg.in_queue_seconds)
        if to_queue:
            user = self.user_leg(leg, answered, inbound=True, alerting=True, invited_by=destination)
            self.answered(user, answered)
            self.ended(destination, answered, "Transfer", deps=(user,))
        else:
            user = destination
            self.answered(user, answered)
        self.holds(leg, user)
        return user

    def consult_leg(self, prev: str, leg: CompletedContact) -> tuple[str, datetime]:
        consulted = self.user_leg(leg, leg.start, inbound=False, alerting=True, invited_by=prev)
        answered = _after(leg.start, leg.pre_queue_seconds, leg.in_queue_seconds)
        self.answered(consulted, answered)
        parties = {"initiatingCommunicationId": prev, "destinationCommunicationId": consulted, "objectCommunicationId": self.external}
        self.conv.add("consultTransferEvents", answered, parties, deps=(prev, consulted, self.external), touches=("consult",))
        return consulted, answered

    def consult(self, prev: str, leg: CompletedContact) -> None:
        """The agent consults another agent and keeps the customer: the consulted leg joins and leaves."""
        consulted, answered = self.consult_leg(prev, leg)
        over = _after(answered, leg.agent_seconds)
        self.ended(consulted, over, "Peer", deps=("consult",))
        self.conv.add("endConsultTransferEvents", over, {}, deps=("consult", consulted), touches=("consult",))
        self.disposition(leg, consulted, over)

    def attended(self, prev_leg: CompletedContact, prev: str, leg: CompletedContact, follow: CompletedContact) -> CompletedContact:
        """Consult, then the customer goes to the consulted agent (CXone: a Consult contact followed by a
        ReAgent contact to the same agent); the consulted leg carries on with the follow-up contact."""
        consulted, _ = self.consult_leg(prev, leg)
        at = follow.start
        parties = {"initiatingCommunicationId": prev, "destinationCommunicationId": consulted, "objectCommunicationId": self.external}
        self.conv.add("progressConsultTransferEvents", at, parties, deps=("consult",), touches=("consult",))
        self.ended(prev, at, "TransferConsult", deps=("consult",))
        self.conv.add("endConsultTransferEvents", at, {}, deps=("consult", prev), touches=("consult", self.external))
        self.disposition(prev_leg, prev, at)
        self.holds(follow, consulted)
        return follow


def build_interaction(legs: Sequence[CompletedContact], ids: IdMap, source_id: str) -> Built:
    """One CXone contact chain (same master contact) as one Genesys conversation; never raises."""
    master = legs[0].master if legs else 0
    b = _Build(legs, ids, source_id)
    try:
        return b.build()
    except _Skip as skip:
        return Built(str(master), b.conv.id, "skipped", [], [*b.problems, skip.problem], b.external)
    except Exception as exc:  # a builder bug must not stop the other contacts: reported, data-free
        problem = Problem(master, "build-failed", f"building failed ({type(exc).__name__})", True)
        return Built(str(master), b.conv.id, "skipped", [], [*b.problems, problem], b.external)


def build_all(contacts: Iterable[CompletedContact | Mapping[str, Any]], ids: IdMap, source_id: str) -> list[Built]:
    """Completed contacts (items of ``/contacts/completed``, or validated models) grouped into chains
    by master contact id, each built; a contact that does not validate is reported and skipped."""
    chains: dict[int, list[CompletedContact]] = {}
    invalid: list[Built] = []
    for raw in contacts:
        try:
            c = raw if isinstance(raw, CompletedContact) else CompletedContact.model_validate(raw)
        except ValidationError as exc:
            cid = raw.get("contactId") if isinstance(raw, Mapping) else None
            fields = sorted({".".join(str(p) for p in e["loc"]) for e in exc.errors()})
            problem = Problem(_int_or_none(cid), "invalid-contact", f"invalid CXone contact: {', '.join(fields)}", True)
            invalid.append(Built(str(cid), "", "skipped", [], [problem]))
            continue
        chains.setdefault(c.master, []).append(c)
    return [build_interaction(legs, ids, source_id) for _, legs in sorted(chains.items())] + invalid


def _int_or_none(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


# -- requests --------------------------------------------------------------------------------------------


Ordering = Literal["steps", "whole"]


def request_bodies(builts: Iterable[Built], limit: int = MAX_EVENTS_PER_REQUEST, ordering: Ordering = "steps") -> list[list[Event]]:
    """Each inner list is one request's events (at most ``limit``). ``steps`` (the default: Genesys
    does not document how it orders one request's events): step by step over many conversations,
    every event of step n sent before any of step n+1. ``whole``: each conversation's events
    together in time order (for when Genesys is known to apply a request in eventDateTime order)."""
    live = [b for b in builts if not b.skipped]
    out: list[list[Event]] = []
    if ordering == "whole":
        for b in live:
            out += [b.events[i : i + limit] for i in range(0, len(b.events), limit)]
        return out
    events = [e for b in live for e in b.events]
    for step in sorted({e.step for e in events}):
        batch = [e for e in events if e.step == step]
        out += [batch[i : i + limit] for i in range(0, len(batch), limit)]
    return out


def body_of(events: Iterable[Event]) -> dict[str, list[dict[str, Any]]]:
    """The request body: one array per event type, each in eventDateTime order."""
    body: dict[str, list[dict[str, Any]]] = {}
    for e in events:
        body.setdefault(e.kind, []).append(e.body)
    for items in body.values():
        items.sort(key=lambda b: b["eventDateTime"])
    return body


@dataclass
class Injected:
    """What happened to each conversation: all accepted, to retry (a retryable refusal or a later
    step not sent because of one), or dead (a refusal Genesys says not to retry)."""

    outcome: BatchOutcome = field(default_factory=BatchOutcome)
    done: list[str] = field(default_factory=list)
    retry: dict[str, str] = field(default_factory=dict)  # conversation id -> first message
    dead: dict[str, str] = field(default_factory=dict)


def inject_conversations(
    ctx: ActionContext[Any],
    client: GenesysClient,
    builts: Sequence[Built],
    limit: int = MAX_EVENTS_PER_REQUEST,
    ordering: Ordering = "steps",
) -> Injected:
    """Send the built conversations step by step; a conversation with a refused event sends nothing
    more (its later events would be refused for ordering) and is reported for retry or dead-letter."""
    result = Injected()
    live = [b for b in builts if not b.skipped and b.events]
    failed: set[str] = set()
    by_id = {e.event_id: b.conversation_id for b in live for e in b.events}
    for events in request_bodies(live, limit, ordering):
        batch = [e for e in events if by_id[e.event_id] not in failed]
        if not batch:
            continue
        outcome = post_events(ctx, client, CONVERSATIONS_PATH, body_of(batch))
        result.outcome.merge(outcome)
        for event_id, message in outcome.rejected.items():
            conv = by_id[event_id]
            failed.add(conv)
            result.dead.setdefault(conv, message)
        for event_id, message in outcome.retryable.items():
            conv = by_id[event_id]
            failed.add(conv)
            if conv not in result.dead:
                result.retry.setdefault(conv, message)
    result.done = [b.conversation_id for b in live if b.conversation_id not in failed]
    return result


_UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")


def is_v4(text: object) -> bool:
    return isinstance(text, str) and bool(_UUID4.match(text))
