"""EX event injection: ``POST /api/v2/events/users/presence``, ``/events/users/routingstatus`` and
``/events/conversations``, answering ``BatchEventResponse {errors: [{eventId, message, retryable}]}``
per event as Genesys does.

Each event is checked against the SDK models' wire keys, required flags and enums
(PureCloudPlatformClientV2 257.1.0; the table below is this stand-in's own encoding of them): V4
UUIDs, ``yyyy-MM-ddTHH:mm:ss[.mmm]Z`` times, referenced users, queues, wrap-up codes and presence
definitions existing when the org knows them. A conversation is then built from the accepted
events and ordering is enforced per conversation: a communication is established (and what invited
it exists) before anything happens on it, nothing but a disposition follows its end, a disposition
needs a user leg, a transfer's progress and end need its start. One request's events are applied
in eventDateTime order (ties: established, transfer start, answered, progress, hold, sent, ended,
transfer end, disposition). A refusal that a later request can cure (a referenced communication not
there yet) is ``retryable``; a malformed or contradictory event is not.

Idempotent on eventId: an event already accepted is accepted again without effect; the same
eventId with another body is refused. Choices where Genesys documents nothing (HTTP 200 with the
errors list, at most 50 events a request, the retryable split) are in docs/ex-sync-decisions.md.

The accepted presence and routing events also change the org's users (with the EventBridge
envelopes); the conversations built are kept on the org (:func:`injected`) for tests and the demo.
``InjectionStore.faults`` makes chosen event ids fail once (message, retryable).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import error
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org

MAX_EVENTS = 50

V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")

ROUTING = ("OffQueue", "Idle", "Interacting", "Communicating", "NotResponding")
ROUTING_UPPER = dict(zip(ROUTING, ("OFF_QUEUE", "IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING"), strict=True))
VOICE_DISCONNECT = ("Error", "Peer", "Self", "System", "Transfer", "TransferACD", "TransferConference", "TransferConsult", "TransferUser")
EMAIL_DISCONNECT = ("Unknown", "Self", "Peer", "System", "Error", "Spam", "Transfer", "TransferACD", "TransferUser")
TRANSFER_TYPES = ("Attended", "Unattended")
FINAL_STATES = ("Completed", "Canceled", "Failed")

# field kinds: v4, uuid (any version), text, bool, time, texts (list of text), uuids (list), info
# (dict of text), audio (AudioState), initial (InitialConfiguration), email (EmailInitialConfiguration),
# source (SourceConfiguration), or a tuple of allowed values; then required?
Spec = dict[str, tuple[Any, bool]]
_BASE: Spec = {"eventId": ("v4", True), "eventDateTime": ("time", True), "conversationId": ("v4", True)}
_COMM: Spec = {**_BASE, "communicationId": ("v4", True)}
_EST: Spec = {"initialConfiguration": ("initial", True), "sourceConfiguration": ("source", True)}
_EMAIL_EST: Spec = {"initialConfiguration": ("email", True), "sourceConfiguration": ("source", True)}
_TRANSFER: Spec = {
    **_BASE,
    "transferType": (TRANSFER_TYPES, True),
    "commandId": ("v4", True),
    "initiatingCommunicationId": ("v4", True),
    "targetCommunicationId": ("v4", True),
    "objectCommunicationId": ("v4", True),
}
_CONSULT: Spec = {
    **_BASE,
    "initiatingCommunicationId": ("v4", True),
    "destinationCommunicationId": ("v4", True),
    "objectCommunicationId": ("v4", True),
}
_PROGRESS: Spec = {**_BASE, "commandId": ("v4", True), "objectCommunicationId": ("v4", True), "destinationCommunicationId": ("v4", True)}
_END: Spec = {**_BASE, "commandId": ("v4", True), "finalState": (FINAL_STATES, True), "objectCommunicationId": ("v4", True)}
_DISPOSITION: Spec = {**_COMM, "code": ("v4", False), "notes": ("text", False), "tags": ("texts", False)}
_PHONES: Spec = {"ani": ("text", False), "dnis": ("text", False)}

CONVERSATION_TYPES: dict[str, Spec] = {
    "externalEstablishedEvents": {**_COMM, **_PHONES, "aniName": ("text", False), "dnisName": ("text", False), **_EST},
    "ivrEstablishedEvents": {**_COMM, "ivrPhoneNumber": ("text", False), "ivrName": ("text", False), **_PHONES, **_EST},
    "phoneEstablishedEvents": {**_COMM, "phoneNumber": ("text", False), **_PHONES, **_EST},
    "routingEstablishedEvents": {
        **_COMM,
        "phoneNumber": ("text", False),
        "queueId": ("v4", True),
        **_PHONES,
        "skillIds": ("uuids", False),
        "languageId": ("v4", False),
        **_EST,
    },
    "userEstablishedEvents": {
        **_COMM,
        "phoneNumber": ("text", False),
        "userId": ("v4", True),
        "stationId": ("v4", False),
        **_PHONES,
        "afterCallWorkRequired": ("bool", False),
        "queueId": ("v4", False),
        **_EST,
    },
    "communicationAnsweredEvents": _COMM,
    "holdUpdatedEvents": {**_COMM, "held": ("bool", True)},
    "audioUpdatedEvents": {**_COMM, "audioState": ("audio", True)},
    "communicationDispositionAppliedEvents": _DISPOSITION,
    "communicationEndedEvents": {**_COMM, "disconnectType": (VOICE_DISCONNECT, True), "destinationConversationId": ("v4", False)},
    "routingTransferEvents": {**_TRANSFER, "destinationQueueId": ("v4", True), "languageId": ("v4", False), "skillIds": ("uuids", False)},
    "userTransferEvents": {**_TRANSFER, "destinationUserId": ("v4", True)},
    "phoneTransferEvents": {**_TRANSFER, "destinationPhoneNumber": ("text", True)},
    "progressTransferEvents": _PROGRESS,
    "endTransferEvents": _END,
    "consultTransferEvents": _CONSULT,
    "progressConsultTransferEvents": _CONSULT,
    "endConsultTransferEvents": _BASE,
    "emailExternalEstablishedEvents": {**_COMM, "displayName": ("text", False), "includeMessage": ("bool", False), **_EMAIL_EST},
    "emailFlowEstablishedEvents": {**_COMM, **_EMAIL_EST},
    "emailRoutingEstablishedEvents": {
        **_COMM,
        "queueId": ("v4", True),
        "skillIds": ("uuids", False),
        "languageId": ("v4", False),
        "label": ("text", False),
        **_EMAIL_EST,
    },
    "emailUserEstablishedEvents": {
        **_COMM,
        "userId": ("v4", True),
        "queueId": ("v4", False),
        "afterCallWorkRequired": ("bool", False),
        **_EMAIL_EST,
    },
    "emailCommunicationAnsweredEvents": _COMM,
    "emailCommunicationSentMessageEvents": _COMM,
    "emailBeginTransmittingEvents": _COMM,
    "emailHoldUpdatedEvents": {**_COMM, "held": ("bool", True)},
    "emailCommunicationDispositionAppliedEvents": _DISPOSITION,
    "emailCommunicationEndedEvents": {**_COMM, "disconnectType": (EMAIL_DISCONNECT, True)},
    "emailRoutingTransferEvents": {
        **_TRANSFER,
        "destinationQueueId": ("v4", True),
        "languageId": ("v4", False),
        "skillIds": ("uuids", False),
    },
    "emailUserTransferEvents": {**_TRANSFER, "destinationUserId": ("v4", True)},
    "emailProgressTransferEvents": _PROGRESS,
    "emailEndTransferEvents": _END,
}
PRESENCE_SPEC: Spec = {
    "eventId": ("v4", True),
    "eventDateTime": ("time", True),
    "userId": ("uuid", True),
    "sourceId": ("v4", True),
    "presenceDefinitionId": ("uuid", False),
    "message": ("text", False),
}
ROUTING_SPEC: Spec = {
    "eventId": ("uuid", True),
    "eventDateTime": ("time", True),
    "agentId": ("uuid", True),
    "status": (ROUTING, True),
    "sourceId": ("uuid", True),
}
_NESTED: dict[str, Spec] = {
    "initial": {
        "audioState": ("audio", False),
        "alerting": ("bool", False),
        "inbound": ("bool", False),
        "invitedBy": ("v4", False),
        "recordingActive": ("bool", False),
        "additionalInfo": ("info", False),
    },
    "email": {
        "to": ("text", True),
        "from": ("text", True),
        "cc": ("texts", False),
        "bcc": ("texts", False),
        "subject": ("text", False),
        "previousEmailId": ("v4", False),
        "held": ("bool", False),
        "alerting": ("bool", False),
        "inbound": ("bool", False),
        "invitedBy": ("v4", False),
        "additionalInfo": ("info", False),
    },
    "source": {"sourceId": ("text", True), "interactionId": ("text", True), "tagId": ("text", False)},
    "audio": {"canHear": ("bool", False), "canSpeak": ("bool", False)},
}


def _rank(kind: str) -> int:
    """The order one request's events are applied in when their times are equal."""
    k = kind.removeprefix("email").lower()
    if k.endswith("establishedevents"):
        return 0
    if k.startswith("progress"):
        return 3
    if k.startswith("end"):
        return 7
    if k.endswith("transferevents"):
        return 1
    for words, rank in ((("answered",), 2), (("hold", "audio"), 4), (("sent", "begin"), 5), (("ended",), 6), (("disposition",), 8)):
        if any(w in k for w in words):
            return rank
    return 5


def check(value: Any, spec: Spec, where: str = "") -> str | None:
    """The first problem with ``value`` against ``spec``, or None."""
    if not isinstance(value, dict):
        return f"{where or 'event'} must be an object"
    for name in value:
        if name not in spec:
            return f"{where}{name} is not a field of this event"
    for name, (kind, required) in spec.items():
        path = f"{where}{name}"
        if name not in value or value[name] is None:
            if required:
                return f"{path} is required"
            continue
        v = value[name]
        problem = _check_value(v, kind, path)
        if problem:
            return problem
    return None


def _check_value(v: Any, kind: Any, path: str) -> str | None:
    if isinstance(kind, tuple):
        return None if v in kind else f"{path} must be one of {', '.join(kind)}"
    if kind == "v4":
        return None if isinstance(v, str) and V4.match(v) else f"{path} must be a V4 UUID"
    if kind == "uuid":
        return None if isinstance(v, str) and UUID.match(v) else f"{path} must be a UUID"
    if kind == "text":
        return None if isinstance(v, str) else f"{path} must be a string"
    if kind == "bool":
        return None if isinstance(v, bool) else f"{path} must be a boolean"
    if kind == "time":
        return None if isinstance(v, str) and TIME.match(v) and _parse(v) else f"{path} must be yyyy-MM-ddTHH:mm:ss[.mmm]Z"
    if kind == "texts":
        return None if isinstance(v, list) and all(isinstance(x, str) for x in v) else f"{path} must be a list of strings"
    if kind == "uuids":
        return None if isinstance(v, list) and all(isinstance(x, str) and V4.match(x) for x in v) else f"{path} must be a list of V4 UUIDs"
    if kind == "info":
        return None if isinstance(v, dict) and all(isinstance(x, str) for x in v.values()) else f"{path} must map strings to strings"
    return check(v, _NESTED[kind], f"{path}.")


def _parse(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _newest(history: list[dict[str, Any]], event: dict[str, Any]) -> bool:
    """Whether ``event`` is at least as recent as every event accepted before it (an older one is
    accepted but changes nothing: the state injected last in time wins)."""
    at = _parse(event["eventDateTime"]) or datetime.min.replace(tzinfo=UTC)
    return all(at >= (_parse(h["eventDateTime"]) or at) for h in history)


class Refused(Exception):
    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


# -- the injected conversations ---------------------------------------------------------------------------


@dataclass
class Communication:
    id: str
    role: str  # external, ivr, phone, routing, user, flow
    established: datetime
    user: str = ""
    queue: str = ""
    invited_by: str = ""
    inbound: bool = True
    answered: datetime | None = None
    ended: datetime | None = None
    disconnect: str = ""
    held: bool = False
    holds: int = 0
    sent: int = 0
    wrapup: str | None = None
    disposed: bool = False


@dataclass
class Conversation:
    id: str
    media: str  # voice or email
    source_id: str
    interaction_id: str
    communications: dict[str, Communication] = field(default_factory=dict)
    transfers: dict[str, dict[str, Any]] = field(default_factory=dict)
    consult: dict[str, Any] | None = None
    consults: int = 0
    log: list[tuple[str, str, str]] = field(default_factory=list)  # (eventDateTime, kind, communication or command)

    def describe(self) -> str:
        """A few lines a person can read: the conversation, then each participant."""
        lines = [f"conversation {self.id} ({self.media}, source {self.source_id}, interaction {self.interaction_id})"]
        for c in sorted(self.communications.values(), key=lambda c: c.established):
            who = c.user or c.queue or ""
            span = f"{_hms(c.established)}-{_hms(c.ended) if c.ended else 'open'}"
            extra = []
            if c.answered:
                extra.append(f"answered {_hms(c.answered)}")
            if c.holds:
                extra.append(f"holds {c.holds}")
            if c.disposed:
                extra.append(f"wrap-up {c.wrapup or 'skipped'}")
            lines.append(f"  {c.role:<8} {who:<36} {span} {c.disconnect:<15} {', '.join(extra)}".rstrip())
        for command, t in self.transfers.items():
            lines.append(f"  transfer {t['type']} {command[:8]} -> {t.get('destination', '?')[:8]} {t['state']}")
        return "\n".join(lines)


def _hms(moment: datetime) -> str:
    return moment.strftime("%H:%M:%S")


@dataclass
class InjectionStore:
    conversations: dict[str, Conversation] = field(default_factory=dict)
    accepted: dict[str, str] = field(default_factory=dict)  # eventId -> canonical body
    presence: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # user id -> accepted presence events
    routing: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: dict[str, tuple[str, bool]] = field(default_factory=dict)  # eventId -> (message, retryable), used once
    requests: list[tuple[str, int]] = field(default_factory=list)  # (endpoint, events in the request)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def by_interaction(self, interaction_id: str) -> Conversation | None:
        return next((c for c in self.conversations.values() if c.interaction_id == interaction_id), None)


def injected(org: Org) -> InjectionStore:
    """The org's injected conversations and user events (kept on the org, created on first use)."""
    store = vars(org).get("ex_injection")
    if not isinstance(store, InjectionStore):
        store = InjectionStore()
        vars(org)["ex_injection"] = store
    return store


class EventsApi:
    org: Org

    RULES = (
        Rule("/api/v2/events/users/presence", endpoint="inject_presence", methods=["POST"]),
        Rule("/api/v2/events/users/routingstatus", endpoint="inject_routing", methods=["POST"]),
        Rule("/api/v2/events/conversations", endpoint="inject_conversations", methods=["POST"]),
    )

    # -- common ------------------------------------------------------------------------------------------

    def _events(self, req: Request, allowed: dict[str, Spec]) -> list[tuple[str, Any]] | Response:
        try:
            body = req.json()
        except ValueError:
            return error(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")
        if not isinstance(body, dict):
            return error(400, "bad.request", "The request body must be an object.")
        out: list[tuple[str, Any]] = []
        for key, items in body.items():
            if key not in allowed:
                return error(400, "bad.request", f"Unrecognized field {key}.")
            if items is None:
                continue
            if not isinstance(items, list):
                return error(400, "bad.request", f"{key} must be an array.")
            out += [(key, item) for item in items]
        if len(out) > MAX_EVENTS:
            return error(400, "bad.request", f"A batch may contain at most {MAX_EVENTS} events.")
        return out

    def _events_answer(self, store: InjectionStore, endpoint: str, count: int, errors: list[dict[str, Any]]) -> Response:
        store.requests.append((endpoint, count))
        return Response(200, {"errors": errors})

    def _run_event(self, store: InjectionStore, kind: str, event: Any, spec: Spec, apply: Any) -> dict[str, Any] | None:
        """Validate, de-duplicate, apply one event; its error entry or None."""
        event_id = str(event.get("eventId")) if isinstance(event, dict) and event.get("eventId") is not None else ""
        try:
            problem = check(event, spec)
            if problem:
                raise Refused(problem)
            canonical = json.dumps({"kind": kind, **event}, sort_keys=True)
            seen = store.accepted.get(event_id)
            if seen is not None:
                if seen != canonical:
                    raise Refused("eventId was already used by a different event")
                return None
            fault = store.faults.pop(event_id, None)
            if fault is not None:
                raise Refused(fault[0], fault[1])
            apply(kind, event)
            store.accepted[event_id] = canonical
            return None
        except Refused as refused:
            return {"eventId": event_id, "message": str(refused), "retryable": refused.retryable}

    # -- users --------------------------------------------------------------------------------------------

    def _user(self, user_id: str) -> None:
        if user_id not in self.org.users:
            raise Refused("The user could not be found.")

    def _source(self, source_id: str) -> None:
        source = self.org.sources.get(source_id)
        if source is None or source.get("deactivated"):
            raise Refused("The presence source could not be found or is deactivated.")

    def inject_presence(self, req: Request) -> Response:
        events = self._events(req, {"userPresenceEvents": PRESENCE_SPEC})
        if isinstance(events, Response):
            return events
        store = injected(self.org)

        def apply(kind: str, e: dict[str, Any]) -> None:
            self._source(e["sourceId"])
            self._user(e["userId"])
            definition = e.get("presenceDefinitionId")
            if definition is not None:
                d = self.org.definitions.get(definition)
                if d is None or d["deactivated"]:
                    raise Refused("The presence definition does not exist or is deactivated.")
            history = store.presence.setdefault(e["userId"], [])
            newer = _newest(history, e)
            history.append(e)
            if definition is not None and newer:
                if isinstance(e.get("message"), str):
                    self.org.users[e["userId"]]["presence"]["message"] = e["message"]
                self.org.set_presence(e["userId"], definition, e["eventDateTime"])

        with store.lock:
            errors = [err for kind, e in events if (err := self._run_event(store, kind, e, PRESENCE_SPEC, apply))]
        return self._events_answer(store, "presence", len(events), errors)

    def inject_routing(self, req: Request) -> Response:
        events = self._events(req, {"userRoutingStatusEvents": ROUTING_SPEC})
        if isinstance(events, Response):
            return events
        store = injected(self.org)

        def apply(kind: str, e: dict[str, Any]) -> None:
            self._source(e["sourceId"])
            self._user(e["agentId"])
            history = store.routing.setdefault(e["agentId"], [])
            newer = _newest(history, e)
            history.append(e)
            if newer:
                self.org.set_routing(e["agentId"], ROUTING_UPPER[e["status"]], e["eventDateTime"])

        with store.lock:
            errors = [err for kind, e in events if (err := self._run_event(store, kind, e, ROUTING_SPEC, apply))]
        return self._events_answer(store, "routingstatus", len(events), errors)

    # -- conversations --------------------------------------------------------------------------------------

    def inject_conversations(self, req: Request) -> Response:
        events = self._events(req, CONVERSATION_TYPES)
        if isinstance(events, Response):
            return events
        store = injected(self.org)

        def when(item: tuple[int, tuple[str, Any]]) -> tuple[str, int, int]:
            i, (kind, e) = item
            stamp = e.get("eventDateTime") if isinstance(e, dict) else None
            moment = _parse(stamp) if isinstance(stamp, str) and TIME.match(stamp) else None
            return (moment.isoformat() if moment else "", _rank(kind), i)

        ordered = [pair for _, pair in sorted(enumerate(events), key=when)]
        with store.lock:
            errors = [
                err
                for kind, e in ordered
                if (err := self._run_event(store, kind, e, CONVERSATION_TYPES[kind], lambda k, ev: self._apply(store, k, ev)))
            ]
        return self._events_answer(store, "conversations", len(events), errors)

    def _known(self, what: str, value: str) -> None:
        """Referenced ids must exist when the org keeps that kind of object."""
        if what == "user":
            self._user(value)
            return
        known = getattr(self.org, {"queue": "queues", "wrapup": "wrapup_codes"}[what], None)
        if what == "queue" and not isinstance(known, dict):
            known = getattr(self.org, "queue_wait_seconds", None)
        if isinstance(known, dict) and value not in known:
            raise Refused(f"The {'queue' if what == 'queue' else 'wrap-up code'} could not be found.")

    def _apply(self, store: InjectionStore, kind: str, e: dict[str, Any]) -> None:
        media = "email" if kind.startswith("email") else "voice"
        name = kind.removeprefix("email")
        name = name[0].lower() + name[1:]
        at = _parse(e["eventDateTime"])
        assert at is not None
        conv = store.conversations.get(e["conversationId"])
        if name.endswith("EstablishedEvents"):
            source = e["sourceConfiguration"]
            if conv is None:
                conv = Conversation(e["conversationId"], media, source["sourceId"], source["interactionId"])
            elif conv.source_id != source["sourceId"] or conv.interaction_id != source["interactionId"]:
                raise Refused("sourceConfiguration differs from the conversation's")
            self._established(conv, name.removesuffix("EstablishedEvents"), at, e)
            store.conversations[conv.id] = conv
            conv.log.append((e["eventDateTime"], kind, e["communicationId"]))
            return
        if conv is None:
            raise Refused("The conversation has not been established yet.", retryable=True)
        if conv.media != media:
            raise Refused(f"a {media} event on a {conv.media} conversation")
        if "communicationId" in e:
            comm = conv.communications.get(e["communicationId"])
            if comm is None:
                raise Refused("The communication has not been established yet.", retryable=True)
            if at < comm.established:
                raise Refused("eventDateTime is before the communication was established")
            self._on_communication(conv, comm, name, at, e)
            conv.log.append((e["eventDateTime"], kind, comm.id))
        else:
            self._transfer(conv, name, e)
            conv.log.append((e["eventDateTime"], kind, str(e.get("commandId") or "consult")))

    def _established(self, conv: Conversation, role: str, at: datetime, e: dict[str, Any]) -> None:
        if e["communicationId"] in conv.communications:
            raise Refused("The communication is already established.")
        initial = e["initialConfiguration"]
        invited = initial.get("invitedBy")
        if invited and invited not in conv.communications:
            raise Refused("invitedBy refers to a communication not established yet.", retryable=True)
        comm = Communication(e["communicationId"], role, at, invited_by=invited or "", inbound=initial.get("inbound", True) is not False)
        if "userId" in e:
            self._known("user", e["userId"])
            comm.user = e["userId"]
        if "queueId" in e:
            self._known("queue", e["queueId"])
            comm.queue = e["queueId"]
        if initial.get("alerting") is False:
            comm.answered = at  # started connected
        conv.communications[comm.id] = comm

    def _on_communication(self, conv: Conversation, comm: Communication, name: str, at: datetime, e: dict[str, Any]) -> None:
        if name == "communicationDispositionAppliedEvents":
            if comm.role != "user":
                raise Refused("A disposition applies to a user's communication only.")
            if comm.disposed:
                raise Refused("The communication already has a disposition.")
            if "code" in e:
                self._known("wrapup", e["code"])
            comm.disposed, comm.wrapup = True, e.get("code")
            return
        if comm.ended is not None:
            raise Refused("The communication has already ended.")
        if name == "communicationAnsweredEvents":
            if comm.answered is not None and comm.answered != comm.established:
                raise Refused("The communication was already answered.")
            comm.answered = at
        elif name in ("holdUpdatedEvents", "audioUpdatedEvents", "communicationSentMessageEvents", "beginTransmittingEvents"):
            if comm.answered is None:
                raise Refused("The communication has not been answered yet.", retryable=True)
            if name == "holdUpdatedEvents":
                if e["held"] and not comm.held:
                    comm.holds += 1
                comm.held = e["held"]
            if name == "communicationSentMessageEvents":
                comm.sent += 1
        elif name == "communicationEndedEvents":
            comm.ended, comm.disconnect, comm.held = at, e["disconnectType"], False
        else:
            raise Refused(f"{name} is not applied by this stand-in")

    def _transfer(self, conv: Conversation, name: str, e: dict[str, Any]) -> None:
        def need(*ids: str) -> None:
            for cid in ids:
                if cid not in conv.communications:
                    raise Refused("A communication of the transfer has not been established yet.", retryable=True)

        if name in ("routingTransferEvents", "userTransferEvents", "phoneTransferEvents"):
            need(e["initiatingCommunicationId"], e["targetCommunicationId"], e["objectCommunicationId"])
            if e["commandId"] in conv.transfers:
                raise Refused("A transfer with this commandId already exists.")
            if "destinationQueueId" in e:
                self._known("queue", e["destinationQueueId"])
            if "destinationUserId" in e:
                self._known("user", e["destinationUserId"])
            kind = {"routingTransferEvents": "queue", "userTransferEvents": "user", "phoneTransferEvents": "phone"}[name]
            conv.transfers[e["commandId"]] = {
                "type": f"{e['transferType']} to {kind}",
                "object": e["objectCommunicationId"],
                "state": "started",
            }
        elif name == "progressTransferEvents":
            t = conv.transfers.get(e["commandId"])
            if t is None:
                raise Refused("No transfer with this commandId has started yet.", retryable=True)
            need(e["destinationCommunicationId"])
            if t["object"] != e["objectCommunicationId"]:
                raise Refused("objectCommunicationId differs from the transfer's")
            t.update(state="progressing", destination=e["destinationCommunicationId"])
        elif name == "endTransferEvents":
            t = conv.transfers.get(e["commandId"])
            if t is None:
                raise Refused("No transfer with this commandId has started yet.", retryable=True)
            if t["state"] in FINAL_STATES:
                raise Refused("The transfer has already ended.")
            t["state"] = e["finalState"]
        elif name == "consultTransferEvents":
            need(e["initiatingCommunicationId"], e["destinationCommunicationId"], e["objectCommunicationId"])
            if conv.consult is not None:
                raise Refused("A consult is already in progress.")
            conv.consult = {"destination": e["destinationCommunicationId"], "object": e["objectCommunicationId"], "state": "started"}
            conv.consults += 1
        elif name == "progressConsultTransferEvents":
            if conv.consult is None:
                raise Refused("No consult has started yet.", retryable=True)
            if conv.consult["destination"] != e["destinationCommunicationId"]:
                raise Refused("destinationCommunicationId differs from the consult's")
            conv.consult["state"] = "transferring"
        elif name == "endConsultTransferEvents":
            if conv.consult is None:
                raise Refused("No consult has started yet.", retryable=True)
            key = f"consult-{conv.consults}"
            conv.transfers[key] = {
                "type": "Consult",
                "object": conv.consult["object"],
                "destination": conv.consult["destination"],
                "state": "Completed" if conv.consult["state"] == "transferring" else "Canceled",
            }
            conv.consult = None
        else:
            raise Refused(f"{name} is not applied by this stand-in")
