"""One Genesys Cloud organisation's data, shared by every API area of the stand-in, and the
shapes Genesys answers with (ErrorBody, paged listings).

The directory part (users' people fields, external ids, routing skills and languages, divisions,
queues with members and wrap-up codes, wrap-up codes, presence sources) is what the EX sync
writes; every change there is also announced as the audit event Genesys publishes on the
EventBridge partner bus (``v2.audits.entitytype.{type}.entityid.{id}``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from local.standins.server import Request, Response

CLIENT_ID = "local-genesys-client"
CLIENT_SECRET = "local-genesys-secret"

QUEUE_SUPPORT = "4b1c1f6e-2a7d-4f50-9d0e-1a2b3c4d5e6f"
QUEUE_BUSY = "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"  # answers 429 once per token, then succeeds
USER_ALICE = "0f1e2d3c-4b5a-4968-8776-655443322110"
USER_BOB = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"

SYSTEM_PRESENCES = ("Available", "Away", "Busy", "Offline", "On Queue", "Idle", "Meal", "Training", "Meeting", "Break")
# System presence definitions have fixed ids in every org; two are the ones Genesys documents, the rest made up here.
SYSTEM_DEFINITION_IDS = {
    "Available": "6a3af858-942f-489d-9700-5f9bcdcdae9b",
    "Busy": "ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5",
    **{p: str(uuid.uuid5(uuid.NAMESPACE_URL, f"genesys-system-presence/{p}")) for p in SYSTEM_PRESENCES if p not in ("Available", "Busy")},
}
# Secondary presences (type User) an admin created under system presences.
SECONDARY = {"Lunch": "Meal", "Coaching": "Meeting", "Back Office": "Busy"}
ROUTING_STATUSES = ("OFF_QUEUE", "IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING")
HOME_DIVISION = "6c3f1ec0-5a0b-4a6e-9d6f-0d1e2f3a4b5c"
# The wording Genesys uses for a stale version (409, or 400 naming the version: both seen in the wild)
VERSION_409 = "The version number of the modified resource must match the version number in the database"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    """Genesys' ErrorBody."""
    body = {
        "message": message,
        "code": code,
        "status": status,
        "messageParams": {},
        "contextId": str(uuid.uuid4()),
        "details": [],
        "errors": [],
    }
    return Response(status, body, headers)


def page(req: Request, items: Sequence[dict[str, Any]], path: str, max_size: int = 500) -> Response:
    """A Genesys listing page of ``items`` (``pageNumber``/``pageSize``, default 25)."""
    try:
        size = min(max(int(req.query.get("pageSize", "25")), 1), max_size)
        number = max(int(req.query.get("pageNumber", "1")), 1)
    except ValueError:
        return error(400, "bad.request", "pageSize and pageNumber must be integers")
    total = len(items)
    count = max(1, -(-total // size))
    entities = list(items[(number - 1) * size : number * size])

    def uri(n: int) -> str:
        return f"{path}?pageSize={size}&pageNumber={n}"

    body: dict[str, Any] = {
        "entities": entities,
        "pageSize": size,
        "pageNumber": number,
        "total": total,
        "pageCount": count,
        "firstUri": uri(1),
        "lastUri": uri(count),
        "selfUri": uri(number),
    }
    if number < count:
        body["nextUri"] = uri(number + 1)
    if number > 1:
        body["previousUri"] = uri(number - 1)
    return Response(200, body)


class Org:
    """Users (with presence and routing status), presence definitions, queue wait times; every
    presence or routing change is also published as the EventBridge envelope Genesys would send."""

    def __init__(self) -> None:
        self.definitions: dict[str, dict[str, Any]] = {}
        for name, def_id in SYSTEM_DEFINITION_IDS.items():
            self.definitions[def_id] = {
                "id": def_id,
                "systemPresence": name,
                "type": "System",
                "deactivated": False,
                "languageLabels": {"en_US": name},
            }
        for label, system in SECONDARY.items():
            def_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"genesys-secondary/{label}"))
            self.definitions[def_id] = {
                "id": def_id,
                "systemPresence": system,
                "type": "User",
                "deactivated": False,
                "languageLabels": {"en_US": label},
            }
        self.users: dict[str, dict[str, Any]] = {}
        self.queue_wait_seconds = {
            QUEUE_SUPPORT: {"call": 95, "chat": 40, "email": 3600, "callback": 300, "message": 120},
            QUEUE_BUSY: {"call": 600},
        }
        self.listeners: list[Callable[[dict[str, Any]], None]] = []  # receive each emitted EventBridge envelope
        # -- the directory (EX sync) --
        self.divisions: dict[str, dict[str, Any]] = {
            HOME_DIVISION: {"id": HOME_DIVISION, "name": "Home", "description": "The home division", "homeDivision": True}
        }
        self.skills: dict[str, dict[str, Any]] = {}
        self.languages: dict[str, dict[str, Any]] = {}
        self.wrapup_codes: dict[str, dict[str, Any]] = {}
        self.queues: dict[str, dict[str, Any]] = {}
        self.queue_members: dict[str, dict[str, dict[str, Any]]] = {}  # queue id -> user id -> member
        self.queue_wrapups: dict[str, list[str]] = {}  # queue id -> wrap-up code ids
        self.external_ids: dict[tuple[str, str], str] = {}  # (authority, key) -> user id
        self.sources: dict[str, dict[str, Any]] = {}
        self.presence_settings: dict[str, Any] = {"defaultPrimaryPresenceRegisteredSourceId": None}
        # -- fault injection --
        self.version_races: dict[str, int] = {}  # user id -> PATCHes that meet someone else's change first
        self.version_error = "409"  # how a stale version is answered: "409" or "400" (naming the version)
        self.add_user(USER_ALICE, "Alice Agent", "alice@example.com", presence="Available", message="Happy to help", routing="IDLE")
        self.add_user(USER_BOB, "Bob Agent", "bob@example.com", presence="Busy", routing="INTERACTING")

    def definition_id(self, system: str, label: str = "") -> str:
        for d in self.definitions.values():
            if d["systemPresence"] == system and (d["languageLabels"]["en_US"] == label if label else d["type"] == "System"):
                return str(d["id"])
        raise KeyError(f"{system}/{label}")

    def add_user(
        self,
        user_id: str,
        name: str,
        email: str,
        *,
        presence: str = "Offline",
        message: str = "",
        routing: str = "OFF_QUEUE",
        team: str = "",
        at: str = "2026-11-21T09:00:00.000Z",
    ) -> dict[str, Any]:
        user = {
            "id": user_id,
            "name": name,
            "email": email,
            "state": "active",
            "version": 1,
            "team": team,
            "division": HOME_DIVISION,
            "title": "",
            "department": "",
            "skills": {},  # routing skill id -> proficiency
            "languages": {},  # routing language id -> proficiency
            "acdAutoAnswer": False,
            "presence": {"definitionId": self.definition_id(presence), "message": message, "modifiedDate": at},
            "routing": {"status": routing, "startTime": at},
        }
        self.users[user_id] = user
        return user

    def division_ref(self, division_id: str) -> dict[str, Any]:
        d = self.divisions.get(division_id) or self.divisions[HOME_DIVISION]
        return {"id": d["id"], "name": d["name"], "selfUri": f"/api/v2/authorization/divisions/{d['id']}"}

    def named(self, items: dict[str, dict[str, Any]], name: str) -> dict[str, Any] | None:
        """The object of ``items`` with this name (Genesys names are unique, case-insensitively)."""
        wanted = name.strip().lower()
        return next((i for i in items.values() if str(i.get("name", "")).lower() == wanted), None)

    def emit_audit(self, entity_type: str, entity: dict[str, Any], action: str, changes: dict[str, Any] | None = None) -> None:
        """The audit event Genesys publishes for a change to a directory object."""
        body = {
            "id": str(uuid.uuid4()),
            "userHomeOrgId": "local-org",
            "user": {"id": "00000000-0000-4000-8000-000000000001", "name": "Local Admin"},
            "client": {"id": CLIENT_ID},
            "remoteIp": ["127.0.0.1"],
            "serviceName": "Directory" if entity_type == "User" else "Routing",
            "level": "USER",
            "eventDate": now_iso(),
            "action": action,
            "entity": {"id": entity["id"], "name": entity.get("name", "")},
            "entityType": entity_type,
            "status": "SUCCESS",
            "propertyChanges": [{"property": k, "oldValues": [], "newValues": [str(v)]} for k, v in (changes or {}).items()],
            "context": {},
        }
        self._publish("v2.audits.entitytype.{id}.entityid.{id}", f"v2.audits.entitytype.{entity_type}.entityid.{entity['id']}", body)

    # -- changes, each announced on the EventBridge partner bus ----------------------------------------

    def set_presence(self, user_id: str, definition_id: str, at: str | None = None) -> dict[str, Any]:
        user = self.users[user_id]
        user["presence"] = {**user["presence"], "definitionId": definition_id, "modifiedDate": at or now_iso()}
        d = self.definitions[definition_id]
        self.emit(
            user_id,
            "presence",
            {
                "source": "PURECLOUD",
                "presenceDefinition": {"id": definition_id, "systemPresence": _event_case(d["systemPresence"])},
                "primary": True,
                "message": user["presence"]["message"],
                "modifiedDate": user["presence"]["modifiedDate"],
            },
        )
        return user

    def set_routing(self, user_id: str, status: str, at: str | None = None) -> dict[str, Any]:
        user = self.users[user_id]
        user["routing"] = {"status": status, "startTime": at or now_iso()}
        self.emit(user_id, "routingStatus", {"routingStatus": {"status": status, "startTime": user["routing"]["startTime"]}})
        return user

    def emit(self, user_id: str, topic: str, body: dict[str, Any]) -> None:
        self._publish(f"v2.users.{{id}}.{topic}", f"v2.users.{user_id}.{topic}", body)

    def _publish(self, detail_type: str, topic_name: str, body: dict[str, Any]) -> None:
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": detail_type,
            "source": "aws.partner/genesys.com/cloud/local-org/local",
            "account": "123456789012",
            "time": now_iso(),
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "topicName": topic_name,
                "version": "2",
                "eventBody": body,
                "metadata": {"CorrelationId": str(uuid.uuid4())},
            },
        }
        for listener in list(self.listeners):
            listener(envelope)


def _event_case(system: str) -> str:
    """Events spell system presences ``ON_QUEUE``; definitions ``On Queue``."""
    return system.upper().replace(" ", "_")
