"""Salesforce Omni-Channel as the presence sync sees it, for the Salesforce stand-in:

* the SOQL-visible objects ``ServicePresenceStatus``, ``UserServicePresence`` (one row per
  status period; the current one ``IsCurrentState = true``) and ``User``;
* ``POST /sobjects/Presence_Command__e`` publishing a command, which the agent's console component
  (simulated here: :class:`Consoles`) applies with the Omni toolkit, if the console is open and the
  command not expired, exactly as the component in ``salesforce/`` does;
* every Omni status change published as ``Presence_Change__e`` and relayed (Event Relay) as the
  EventBridge envelope the engine receives, to ``listeners``.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

STATUSES = ["Available_for_Chat", "Available_for_Cases", "Busy", "Lunch", "Away", "On_a_Call", "Training", "Meeting"]
SERVICE_PRESENCE_STATUS: list[dict[str, Any]] = [
    {"Id": f"0N5{n:012d}AAA", "DeveloperName": name, "MasterLabel": name.replace("_", " ")} for n, name in enumerate(STATUSES, start=1)
]
COMMAND_TOOLKIT = "OmniToolkitStatusChange"


def _now() -> datetime:
    return datetime.now(UTC)


def _sf_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def status_id(name: str) -> str:
    return next(s["Id"] for s in SERVICE_PRESENCE_STATUS if s["DeveloperName"] == name)


class Consoles:
    """Each agent's Omni-Channel state and open console, and the change events they publish."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.listeners: list[Callable[[dict[str, Any]], None]] = []
        self.open: dict[str, bool] = {}  # user id -> console open (closed consoles miss commands)
        self.commands: list[dict[str, Any]] = []
        self.applied: set[str] = set()
        self.presence: list[dict[str, Any]] = []  # UserServicePresence rows
        self.users: list[dict[str, Any]] = []

    @property
    def tables(self) -> dict[str, list[dict[str, Any]]]:
        """The SOQL-visible objects of this org's Omni-Channel."""
        return {"ServicePresenceStatus": SERVICE_PRESENCE_STATUS, "UserServicePresence": self.presence, "User": self.users}

    def add_user(self, user_id: str, email: str, name: str, status: str | None = None) -> None:
        with self.lock:
            self.users[:] = [u for u in self.users if u["Id"] != user_id]
            self.users.append({"Id": user_id, "Email": email, "Name": name, "IsActive": True, "Username": email})
            self.open[user_id] = True
            if status:
                self._set(user_id, status, reason="OmniLoginStatusChange", command="")

    def current(self, user_id: str) -> str:
        row = next((r for r in self.presence if r["UserId"] == user_id and r["IsCurrentState"]), None)
        return next(s["DeveloperName"] for s in SERVICE_PRESENCE_STATUS if s["Id"] == row["ServicePresenceStatusId"]) if row else "Offline"

    def agent_sets(self, user_id: str, status: str) -> None:
        """The agent picks a status in the Omni widget."""
        self._set(user_id, status, reason="OmniManualStatusChange", command="")

    def command(self, fields: dict[str, Any]) -> str | None:
        """A Presence_Command__e published; the user's console applies it. Returns an error code or None."""
        required = ("CommandId__c", "UserId__c", "ExpiresAt__c", "Action__c")
        if any(not fields.get(f) for f in required):
            return "REQUIRED_FIELD_MISSING"
        with self.lock:
            self.commands.append(dict(fields))
            user, cid = str(fields["UserId__c"]), str(fields["CommandId__c"])
            expires = datetime.fromisoformat(str(fields["ExpiresAt__c"]).replace("Z", "+00:00"))
            if not self.open.get(user) or cid in self.applied or expires < _now():
                return None  # nobody applies it: the engine's reconciliation heals what this misses
            self.applied.add(cid)
            if fields["Action__c"] == "Logout":
                self._logout(user, cid)
            else:
                status = next((s["DeveloperName"] for s in SERVICE_PRESENCE_STATUS if s["Id"] == fields.get("StatusId__c")), None)
                if status is None:
                    return None  # the toolkit refuses an unknown status id: logged by the console, nothing published
                self._set(user, status, reason=COMMAND_TOOLKIT, command=cid)
        return None

    def _set(self, user_id: str, status: str, *, reason: str, command: str) -> None:
        with self.lock:
            now = _now()
            for row in self.presence:
                if row["UserId"] == user_id and row["IsCurrentState"]:
                    row.update(IsCurrentState=False, StatusEndDate=_sf_time(now))
            self.presence.append(
                {
                    "Id": f"0Lx{uuid.uuid4().hex[:12]}AAA",
                    "UserId": user_id,
                    "ServicePresenceStatusId": status_id(status),
                    "IsCurrentState": True,
                    "StatusStartDate": _sf_time(now),
                    "StatusEndDate": None,
                }
            )
            self._publish(user_id, status, status_id(status), reason, command, now)

    def _logout(self, user_id: str, command: str) -> None:
        with self.lock:
            now = _now()
            for row in self.presence:
                if row["UserId"] == user_id and row["IsCurrentState"]:
                    row.update(IsCurrentState=False, StatusEndDate=_sf_time(now))
            self._publish(user_id, "Offline", "", "OmniLogout", command, now)

    def _publish(self, user_id: str, status: str, sid: str, reason: str, command: str, at: datetime) -> None:
        """Presence_Change__e as Event Relay hands it to EventBridge."""
        payload = {
            "UserId__c": user_id,
            "StatusApiName__c": status,
            "StatusId__c": sid or None,
            "Reason__c": reason,
            "ChangedAt__c": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "CommandId__c": command or None,
            "ChangeId__c": str(uuid.uuid4()),
            "CreatedDate": at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "CreatedById": user_id,
        }
        envelope = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Presence_Change__e",
            "source": "aws.partner/salesforce.com/00D000000000001/0YL000000000001",
            "account": "123456789012",
            "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": "us-east-1",
            "resources": [],
            "detail": {
                "payload": payload,
                "schemaId": "local-schema",
                "event": {"replayId": len(self.commands) + len(self.presence)},
            },
        }
        for listener in list(self.listeners):
            listener(envelope)
