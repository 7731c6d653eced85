"""How the engine reads and writes each vendor, in the normalised model (functions.presence.model).

* Genesys Cloud: presence definitions read once per container (0 reads on the hot path); writes
  ``PATCH /api/v2/users/{id}/presences/purecloud``; current states from the users listing with
  presence, routing status and team expanded (reconciliation, identities).
* NICE CXone: writes through the agent's session (joined once, kept per container), Available or
  Unavailable + code; a 409 means the agent is on a contact (the change is held); states read
  with ``/agents/states?updatedSince=`` (the poller) and agents with ``/agents`` (identities).
* Salesforce: a command is a ``Presence_Command__e`` platform event the console component applies;
  status ids read once per container; current states with SOQL on ``UserServicePresence``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.presence.model import Change, Origin

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient
    from functions.genesys.client import GenesysClient
    from functions.presence.rules import CcTarget
    from functions.salesforce.client import SalesforceClient

_PRESENCES = {
    p.replace(" ", "").lower(): p
    for p in ("Available", "Away", "Busy", "Offline", "On Queue", "Idle", "Meal", "Training", "Meeting", "Break")
}


def epoch_ms(text: str | None) -> int:
    """ISO 8601 (``Z``, offsets, fractions, Salesforce's ``+0000``) to epoch milliseconds; 0 when absent."""
    if not text:
        return 0
    t = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text.strip()).replace("Z", "+00:00")
    moment = datetime.fromisoformat(t)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def genesys_presence(system: str) -> str:
    """``ON_QUEUE`` / ``OnQueue`` / ``On Queue`` -> ``On Queue`` (events and definitions spell it differently)."""
    key = re.sub(r"[^a-z]", "", system.lower())
    return _PRESENCES.get(key, system)


class Refused(Exception):
    """The platform refused the state now: the agent is on a contact (CXone 409)."""


class Rejected(Exception):
    """The platform will never take this target (an ACW code outside a contact, an unknown code): reported, not retried."""


class NotLoggedIn(Exception):
    """The agent has no session to write through (logged out): nothing to set until they log in."""


# -- Genesys Cloud ------------------------------------------------------------------------------------


class GenesysSide:
    platform = "genesys"

    def __init__(self, client: GenesysClient) -> None:
        self.client = client
        self._definitions: dict[str, dict[str, str]] | None = None

    def definitions(self, ctx: ActionContext[Any]) -> dict[str, dict[str, str]]:
        """Presence definitions by id: system presence and, for secondary ones, their label."""
        if self._definitions is None:
            found: dict[str, dict[str, str]] = {}
            for d in self.client.pages(ctx, "/api/v2/presence/definitions", {"deactivated": "false"}):
                labels = d.get("languageLabels") or {}
                label = str(labels.get("en_US") or next(iter(labels.values()), "")) if d.get("type") == "User" else ""
                found[str(d["id"])] = {"state": genesys_presence(str(d.get("systemPresence", ""))), "reason": label}
            self._definitions = found
        return self._definitions

    def describe(self, ctx: ActionContext[Any], definition_id: str, system: str) -> tuple[str, str]:
        d = self.definitions(ctx).get(definition_id)
        return (d["state"], d["reason"]) if d else (genesys_presence(system), "")

    def write(self, ctx: ActionContext[Any], agent: str, target: CcTarget) -> None:
        match = [i for i, d in self.definitions(ctx).items() if d["state"] == target.state and d["reason"] == target.reason]
        if not match:
            raise LookupError(f"no active Genesys presence definition for {target.state}" + (f"/{target.reason}" if target.reason else ""))
        self.client.request(
            ctx,
            "PATCH",
            f"/api/v2/users/{agent}/presences/purecloud",
            read=False,
            json={"presenceDefinition": {"id": match[0]}},
            passthrough=(),
        )

    def snapshot(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        """Every active user: id, email, team, and current presence and routing status."""
        out = []
        for u in self.client.pages(ctx, "/api/v2/users", {"state": "active", "expand": "presence,routingStatus,team"}):
            presence = ((u.get("presence") or {}).get("presenceDefinition")) or {}
            routing = u.get("routingStatus") or {}
            state, reason = self.describe(ctx, str(presence.get("id", "")), str(presence.get("systemPresence", "")))
            out.append(
                {
                    "agent": str(u["id"]),
                    "email": str(u.get("email") or ""),
                    "team": str((u.get("team") or {}).get("id") or ""),
                    "state": state,
                    "reason": reason,
                    "acw": False,
                    "at": epoch_ms((u.get("presence") or {}).get("modifiedDate")),
                    "routing": str(routing.get("status") or ""),
                    "atRouting": epoch_ms(routing.get("startTime")),
                }
            )
        return out


# -- NICE CXone ---------------------------------------------------------------------------------------


class CxoneSide:
    platform = "cxone"

    def __init__(self, client: CxoneClient) -> None:
        self.client = client
        self.sessions: dict[str, str] = {}

    def write(self, ctx: ActionContext[Any], agent: str, target: CcTarget) -> None:
        from functions.cxone.client import AgentNotLoggedIn

        for attempt in (1, 2):
            sid = self.sessions.get(agent)
            if sid is None:
                try:
                    sid = self.sessions[agent] = self.client.join_session(ctx, agent)
                except AgentNotLoggedIn:
                    raise NotLoggedIn(agent) from None
            status, code = self.client.set_state(ctx, sid, target.state, target.reason)
            if status == 404 and attempt == 1:
                self.sessions.pop(agent, None)  # the session ended: join again, once
                continue
            if status == 409 and code in ("InvalidState", "InvalidReason"):
                raise Rejected(f"CXone refused {target.state}/{target.reason} ({code}): an ACW code outside a contact cannot be set")
            if status == 409:
                raise Refused(agent)  # the agent is on a contact: held until it ends
            if status == 404:
                raise NotLoggedIn(agent)
            if status == 400:
                raise Rejected(f"CXone refused {target.state}/{target.reason} ({code or 'HTTP 400'})")
            return

    @staticmethod
    def change(state: dict[str, Any], origin: Origin = "poll") -> Change:
        """One ``agentStates`` item as a normalised change (its id derived from its content)."""
        agent = str(state["agentId"])
        name = str(state.get("agentStateName") or "")
        reason = str(state.get("outStateDescription") or "") if name == "Unavailable" else ""
        acw = str(state.get("isACW", "")).lower() == "true"
        at = epoch_ms(state.get("startDate") or state.get("lastUpdateTime"))
        return Change(
            event_id=f"cxone:{agent}:{at}:{name}:{reason}:{int(acw)}",
            agent=agent,
            side="cc",
            at=at,
            state=name,
            reason=reason,
            acw=acw,
            origin=origin,
        )

    def snapshot(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        states = {str(s["agentId"]): s for s in self.client.agent_states(ctx)[0]}
        out = []
        for a in self.client.pages(ctx, "/agents", "agents", {"isActive": "true"}):
            agent = str(a["agentId"])
            s = states.get(agent)
            ch = self.change(s) if s else None
            out.append(
                {
                    "agent": agent,
                    "email": str(a.get("emailAddress") or ""),
                    "team": str(a.get("teamId") or ""),
                    "state": ch.state if ch else "LoggedOut",
                    "reason": ch.reason if ch else "",
                    "acw": ch.acw if ch else False,
                    "at": ch.at if ch else 0,
                    "routing": "",
                    "atRouting": 0,
                }
            )
        return out


# -- Salesforce ---------------------------------------------------------------------------------------


class SalesforceSide:
    def __init__(self, client: SalesforceClient) -> None:
        self.client = client
        self._statuses: dict[str, str] | None = None

    def statuses(self, ctx: ActionContext[Any]) -> dict[str, str]:
        """Omni-Channel status ids by DeveloperName (read once per container)."""
        if self._statuses is None:
            rows = self.client.query_all(ctx, "SELECT Id, DeveloperName FROM ServicePresenceStatus")
            self._statuses = {str(r["DeveloperName"]): str(r["Id"]) for r in rows}
        return self._statuses

    def command(self, ctx: ActionContext[Any], sf_user: str, status: str, command_id: str, expires_ms: int) -> None:
        """Ask the agent's console to set ``status`` (``Offline`` logs the agent out of Omni-Channel)."""
        fields: dict[str, Any] = {
            "CommandId__c": command_id,
            "UserId__c": sf_user,
            "ExpiresAt__c": iso(expires_ms),
            "StatusApiName__c": status,
        }
        if status == "Offline":
            fields["Action__c"] = "Logout"
        else:
            status_id = self.statuses(ctx).get(status)
            if status_id is None:
                raise LookupError(f"Salesforce has no Omni-Channel status {status}")
            fields |= {"Action__c": "SetStatus", "StatusId__c": status_id}
        self.client.create(ctx, "Presence_Command__e", fields)

    def snapshot(self, ctx: ActionContext[Any]) -> dict[str, dict[str, Any]]:
        """Current Omni-Channel status by user id (agents not logged in to Omni are absent: Offline)."""
        rows = self.client.query_all(
            ctx, "SELECT UserId, ServicePresenceStatus.DeveloperName, StatusStartDate FROM UserServicePresence WHERE IsCurrentState = true"
        )
        return {
            str(r["UserId"]): {
                "status": str((r.get("ServicePresenceStatus") or {}).get("DeveloperName") or ""),
                "at": epoch_ms(r.get("StatusStartDate")),
            }
            for r in rows
        }

    def users_by_email(self, ctx: ActionContext[Any]) -> dict[str, str]:
        rows = self.client.query_all(ctx, "SELECT Id, Email FROM User WHERE IsActive = true")
        return {str(r["Email"]).lower(): str(r["Id"]) for r in rows if r.get("Email")}
