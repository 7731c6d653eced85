"""Agents, teams and unavailable codes (lists and items), agent states (``updatedSince``), and
agent sessions (join, set state, next event), as the CXone REST API answers them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.cxone.tenant import BUSINESS_UNIT, iso
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.cxone.tenant import Tenant

API = "/inContactAPI/services/<version>"


def listing(req: Request, key: str, items: list[dict[str, Any]]) -> Response:
    """CXone's list envelope, paged with ``skip``/``top`` (``totalRecords`` counts all)."""
    try:
        skip = max(int(req.query.get("skip", "0")), 0)
        top = min(max(int(req.query.get("top", "100")), 1), 10000)
    except ValueError:
        return Response(400, {"error": "InvalidParameter", "error_description": "skip and top must be integers"})
    body: dict[str, Any] = {
        "businessUnitId": BUSINESS_UNIT,
        "lastPollTime": iso(),
        "totalRecords": len(items),
        key: items[skip : skip + top],
    }
    base = req.base_url
    links = {"self": f"{base}?skip={skip}&top={top}"}
    if skip + top < len(items):
        links["next"] = f"{base}?skip={skip + top}&top={top}"
    if skip:
        links["previous"] = f"{base}?skip={max(skip - top, 0)}&top={top}"
    body["_links"] = links
    return Response(200, body)


def _since(req: Request, name: str) -> datetime | None:
    text = req.query.get(name)
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _after(stamp: str, since: datetime | None) -> bool:
    return since is None or datetime.fromisoformat(stamp.replace("Z", "+00:00")) > since


class AgentsApi:
    tenant: Tenant

    RULES = (
        Rule(f"{API}/agents", endpoint="list_agents", methods=["GET"]),
        Rule(f"{API}/agents/states", endpoint="agent_states", methods=["GET"]),
        Rule(f"{API}/teams", endpoint="list_teams", methods=["GET"]),
        Rule(f"{API}/unavailable-codes", endpoint="list_codes", methods=["GET"]),
        Rule(f"{API}/unavailable-codes/<int:code>", endpoint="get_code", methods=["GET"]),
        Rule(f"{API}/teams/<int:team>/unavailable-codes", endpoint="team_codes", methods=["GET"]),
        Rule(f"{API}/agent-sessions/join", endpoint="join_session", methods=["POST"]),
        Rule(f"{API}/agent-sessions/<session>/state", endpoint="session_state", methods=["POST"]),
        Rule(f"{API}/agent-sessions/<session>/get-next-event", endpoint="next_event", methods=["GET"]),
    )

    def list_agents(self, req: Request, version: str) -> Response:
        since = _since(req, "updateSince")
        active = req.query.get("isActive")
        items = [
            a
            for a in self.tenant.agents.values()
            if _after(a["lastUpdated"], since) and (active is None or str(a["isActive"]).lower() == active.lower())
        ]
        return listing(req, "agents", items)

    def agent_states(self, req: Request, version: str) -> Response:
        since = _since(req, "updatedSince")
        with self.tenant.lock:
            items = [dict(s) for s in self.tenant.states.values() if _after(s["lastUpdateTime"], since)]
        return Response(
            200,
            {
                "businessUnitId": BUSINESS_UNIT,
                "lastPollTime": max([s["lastUpdateTime"] for s in items], default=req.query.get("updatedSince") or iso()),
                "agentStates": items,
            },
        )

    def list_teams(self, req: Request, version: str) -> Response:
        return listing(req, "teams", list(self.tenant.teams.values()))

    def list_codes(self, req: Request, version: str) -> Response:
        return listing(req, "unavailableCodes", list(self.tenant.codes.values()))

    def get_code(self, req: Request, version: str, code: int) -> Response:
        c = self.tenant.codes.get(code)
        if c is None:
            return Response(404, {"error": "NotFound", "error_description": "Unavailable code not found"})
        return Response(
            200,
            {
                "unavailableCode": {
                    "id": c["unavailableCodeId"],
                    "name": c["unavailableCodeName"],
                    "isActive": c["isActive"],
                    "isACW": c["isAcw"],
                }
            },
        )

    def team_codes(self, req: Request, version: str, team: int) -> Response:
        if team not in self.tenant.teams:
            return Response(404, {"error": "NotFound", "error_description": "Team not found"})
        return Response(
            200,
            {
                "teamId": team,
                "codes": [
                    {
                        "unavailableCodeId": c["unavailableCodeId"],
                        "unavailableCodeName": c["unavailableCodeName"],
                        "isAcw": c["isAcw"],
                        "isActive": c["isActive"],
                    }
                    for c in self.tenant.codes.values()
                ],
            },
        )

    # -- sessions: how an integration sets an agent's state --------------------------------------------

    def join_session(self, req: Request, version: str) -> Response:
        try:
            agent = int(req.json()["asAgentId"])
        except (ValueError, KeyError, TypeError):
            return Response(400, {"error": "InvalidParameter", "error_description": "asAgentId is required"})
        if agent not in self.tenant.agents:
            return Response(404, {"error": "AgentNotFound", "error_description": "Agent not found"})
        if self.tenant.states[agent]["agentStateName"] == "LoggedOut":
            return Response(409, {"error": "AgentNotLoggedIn", "error_description": "The agent has no active session"})
        session = uuid.uuid4().hex
        self.tenant.sessions[session] = agent
        return Response(202, {"sessionId": session})

    def session_state(self, req: Request, version: str, session: str) -> Response:
        agent = self.tenant.sessions.get(session)
        if agent is None:
            return Response(404, {"error": "SessionNotFound", "error_description": "The session does not exist or has ended"})
        body: dict[str, Any] = {}
        if req.get_data():
            try:
                body = req.json()
            except ValueError:
                return Response(400, {"error": "InvalidParameter", "error_description": "body is not JSON"})
        state = str(body.get("state") or req.query.get("state") or "")  # the SDK sends JSON, Studio query parameters: both
        reason = str(body.get("reason") or req.query.get("reason") or "")
        if state not in ("Available", "Unavailable"):
            return Response(400, {"error": "InvalidState", "error_description": "state must be Available or Unavailable"})
        with self.tenant.lock:
            if self.tenant.states[agent]["agentStateName"] == "LoggedOut":
                self.tenant.sessions.pop(session, None)
                return Response(404, {"error": "SessionNotFound", "error_description": "The session has ended"})
            code = self.tenant.code_named(reason) if reason else None
            if reason and code is None:
                return Response(400, {"error": "InvalidReason", "error_description": "Unknown unavailable code"})
            if self.tenant.on_contact(agent):
                return Response(409, {"error": "AgentOnContact", "error_description": "The agent state cannot change during a contact"})
            if code and code["isAcw"]:
                return Response(409, {"error": "InvalidState", "error_description": "An ACW code can only be set during a contact"})
            self.tenant.set_state(agent, state, reason)
        return Response(202, None)

    def next_event(self, req: Request, version: str, session: str) -> Response:
        agent = self.tenant.sessions.get(session)
        if agent is None:
            return Response(409, {"error": "SessionEnded", "error_description": "The session has ended"})
        s = self.tenant.states[agent]
        event = {
            "Type": "AgentState",
            "CurrentState": s["agentStateName"],
            "CurrentOutReason": s["outStateDescription"],
            "StartTimeUTC": s["startDate"],
            "IsAcw": str(s["isACW"]),
            "AcwTimeout": "0",
            "NextStates": [],
            "NextIsAcw": "False",
        }
        return Response(200, {"sessionId": session, "events": [event]})
