"""One CXone business unit's data, shared by every API area of the stand-in: teams, agents,
unavailable codes and each agent's live state (and the sessions joined to set it)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

ACCESS_KEY_ID = "local-cxone-access-key"
ACCESS_KEY_SECRET = "local-cxone-access-secret"
CLIENT_ID = "local-cxone-app"
CLIENT_SECRET = "local-cxone-app-secret"
TENANT_ID = "11ee0000-0000-0000-0000-00000000c1d1"
BUSINESS_UNIT = 4600123

CONTACT_STATES = ("InboundContact", "OutboundContact", "InboundConsult", "OutboundConsult", "Dialer", "DialerPending")
STATE_IDS = {
    "LoggedOut": 0,
    "Available": 1,
    "Unavailable": 2,
    "InboundContact": 3,
    "OutboundContact": 4,
    "InboundConsult": 5,
    "OutboundConsult": 6,
    "Dialer": 7,
    "DialerPending": 8,
    "LoggedIn": 9,
}


def iso(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Tenant:
    """Seeded with ``agents`` agents over a few teams (EX sync benchmarks seed thousands)."""

    def __init__(self, agents: int = 6) -> None:
        self.lock = threading.RLock()
        self.teams: dict[int, dict[str, Any]] = {}
        self.agents: dict[int, dict[str, Any]] = {}
        self.codes: dict[int, dict[str, Any]] = {}
        self.states: dict[int, dict[str, Any]] = {}
        self.sessions: dict[str, int] = {}  # session id -> agent id
        for i, name in enumerate(("Voice East", "Voice West", "Digital", "Billing"), start=1):
            self.teams[100 + i] = {
                "teamId": 100 + i,
                "teamName": name,
                "isActive": True,
                "description": f"{name} team",
                "lastUpdateTime": "2026-10-01T08:00:00.000Z",
            }
        for i, (name, acw) in enumerate(
            (
                ("Lunch", False),
                ("Break", False),
                ("Meeting", False),
                ("Training", False),
                ("Busy", False),
                ("Wrap Up", True),
                ("Personal", False),
            ),
            start=1,
        ):
            self.codes[200 + i] = {
                "unavailableCodeId": 200 + i,
                "unavailableCodeName": name,
                "isActive": True,
                "isAcw": acw,
                "lastUpdateTime": "2026-10-01T08:00:00.000Z",
            }
        for n in range(agents):
            self.add_agent(1001 + n)

    def add_agent(self, agent_id: int, first: str = "", last: str = "", team: int | None = None, email: str = "") -> dict[str, Any]:
        n = agent_id - 1000
        team = team or 101 + (n - 1) % len(self.teams)
        first = first or ["Ana", "Ben", "Chloe", "Dev", "Eve", "Finn", "Gia", "Hal"][(n - 1) % 8]
        last = last or f"Agent{n:04d}"
        agent = {
            "agentId": agent_id,
            "userId": f"{agent_id:08d}-cx00-4000-8000-000000000000",
            "userName": f"{first.lower()}.{last.lower()}",
            "firstName": first,
            "lastName": last,
            "emailAddress": email or f"{first.lower()}.{last.lower()}@example.com",
            "isActive": True,
            "teamId": team,
            "teamName": self.teams[team]["teamName"],
            "lastUpdated": "2026-10-01T08:00:00.000Z",
        }
        self.agents[agent_id] = agent
        self.states[agent_id] = {
            "agentId": agent_id,
            "agentStateId": 0,
            "agentStateName": "LoggedOut",
            "outStateId": 0,
            "outStateDescription": "",
            "isACW": False,
            "teamId": team,
            "startDate": "2026-10-01T08:00:00.000Z",
            "lastUpdateTime": "2026-10-01T08:00:00.000Z",
            "contactId": None,
        }
        return agent

    def code_named(self, name: str) -> dict[str, Any] | None:
        return next((c for c in self.codes.values() if c["unavailableCodeName"].lower() == name.lower() and c["isActive"]), None)

    def set_state(
        self, agent_id: int, state: str, reason: str = "", *, acw: bool = False, contact: int | None = None, at: datetime | None = None
    ) -> dict[str, Any]:
        """What happens in CXone itself (the agent clicks, a call arrives, ACW starts)."""
        with self.lock:
            code = self.code_named(reason) if reason else None
            stamp = iso(at)
            s = self.states[agent_id]
            s.update(
                agentStateId=STATE_IDS[state],
                agentStateName=state,
                outStateId=code["unavailableCodeId"] if code else 0,
                outStateDescription=code["unavailableCodeName"] if code else "",
                isACW=acw,
                startDate=stamp,
                lastUpdateTime=stamp,
                contactId=contact,
            )
            return dict(s)

    def on_contact(self, agent_id: int) -> bool:
        s = self.states[agent_id]
        return s["agentStateName"] in CONTACT_STATES or bool(s["isACW"])
