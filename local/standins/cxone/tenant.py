"""One CXone business unit's data, shared by every API area of the stand-in: teams, agents,
unavailable codes and each agent's live state (and the sessions joined to set it); for the admin
area (EX sync) skills, agent skill assignments with proficiencies, dispositions and which skills
they belong to. ``Tenant.large()`` seeds a business unit of realistic size."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime
from typing import Any

ACCESS_KEY_ID = "local-cxone-access-key"
ACCESS_KEY_SECRET = "local-cxone-access-secret"
CLIENT_ID = "local-cxone-app"
CLIENT_SECRET = "local-cxone-app-secret"
TENANT_ID = "11ee0000-0000-0000-0000-00000000c1d1"
BUSINESS_UNIT = 4600123
SEEDED = "2026-10-01T08:00:00.000Z"

# CXone media types (mediaTypeId -> mediaTypeName)
MEDIA_TYPES = {1: "Email", 3: "Chat", 4: "Phone Call", 5: "Voice Mail", 6: "Work Item", 8: "SMS", 10: "Digital"}
PROFICIENCY_NAMES = {1: "1 - Highest", 20: "20 - Lowest"}

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

    def __init__(self, agents: int = 6, teams: tuple[str, ...] = ("Voice East", "Voice West", "Digital", "Billing")) -> None:
        self.lock = threading.RLock()
        self.teams: dict[int, dict[str, Any]] = {}
        self.agents: dict[int, dict[str, Any]] = {}
        self.codes: dict[int, dict[str, Any]] = {}
        self.states: dict[int, dict[str, Any]] = {}
        self.sessions: dict[str, int] = {}  # session id -> agent id
        self.skills: dict[int, dict[str, Any]] = {}
        self.assignments: dict[tuple[int, int], dict[str, Any]] = {}  # (agent id, skill id) -> assignment
        self.dispositions: dict[int, dict[str, Any]] = {}
        self.skill_dispositions: dict[int, list[int]] = {}  # skill id -> disposition ids
        for i, name in enumerate(teams, start=1):
            self.add_team(100 + i, name)
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
        if 0 < agents <= 50:  # the small default business unit: a few skills and dispositions too
            for skill_id, name, media, outbound in (
                (3001, "Billing Voice", 4, False),
                (3002, "Support Email", 1, False),
                (3003, "Sales Outbound", 4, True),
                (3004, "Lang - Spanish", 4, False),
            ):
                self.add_skill(skill_id, name, media, outbound=outbound)
            for disposition_id, name in ((5001, "Resolved"), (5002, "Callback Requested"), (5003, "Escalated")):
                self.add_disposition(disposition_id, name)
            self.skill_dispositions[3001] = [5001, 5002, 5003]
            self.skill_dispositions[3002] = [5001, 5003]
            for agent_id in self.agents:
                n = agent_id - 1000
                self.assign(agent_id, 3001 if n % 2 else 3002, 1 + (n * 3) % 20)
                if n % 3 == 0:
                    self.assign(agent_id, 3004, 4)

    @classmethod
    def large(
        cls,
        agents: int = 5000,
        skills: int = 300,
        queue_skills: int = 200,
        languages: int = 20,
        teams: int = 40,
        dispositions: int = 60,
        codes: int = 12,
        seed: int = 7,
    ) -> Tenant:
        """A business unit of realistic size, the same every time for the same arguments: ``skills``
        skills of which ``queue_skills`` are inbound ACD skills (queues), ``languages`` are language
        skills ("Lang - ...") and the rest outbound; each agent holds 2-6 queue skills and maybe a
        language, with proficiencies 1-20; each inbound skill has a few dispositions."""
        rnd = random.Random(seed)
        tenant = cls(agents=0, teams=tuple(f"Team {i:02d}" for i in range(1, teams + 1)))
        extra = ["Away", "Coaching", "Project", "Lunch 2", "Admin", "System Down", "Tech Issue", "Outage"]
        for i in range(max(0, codes - len(tenant.codes))):
            tenant.codes[300 + i] = {
                "unavailableCodeId": 300 + i,
                "unavailableCodeName": extra[i % len(extra)] + ("" if i < len(extra) else f" {i}"),
                "isActive": True,
                "isAcw": False,
                "lastUpdateTime": SEEDED,
            }
        media = [4, 4, 4, 1, 3, 6, 8, 10]
        for i in range(queue_skills):
            tenant.add_skill(4001 + i, f"Queue {i + 1:03d} {MEDIA_TYPES[media[i % len(media)]]}", media[i % len(media)])
        names = ["Spanish", "French", "German", "Portuguese", "Italian", "Dutch", "Polish", "Japanese", "Korean", "Mandarin"]
        for i in range(languages):
            tenant.add_skill(6001 + i, f"Lang - {names[i % len(names)]}" + ("" if i < len(names) else f" {i // len(names) + 1}"), 4)
        for i in range(max(0, skills - queue_skills - languages)):
            tenant.add_skill(7001 + i, f"Outbound {i + 1:03d}", 4, outbound=True)
        for i in range(dispositions):
            tenant.add_disposition(8001 + i, f"Disposition {i + 1:03d}")
        disposition_ids = list(tenant.dispositions)
        for skill_id in [s for s in tenant.skills if s < 6000]:
            tenant.skill_dispositions[skill_id] = sorted(rnd.sample(disposition_ids, min(len(disposition_ids), rnd.randint(2, 6))))
        queue_ids = [s for s in tenant.skills if s < 6000]
        language_ids = [s for s in tenant.skills if 6000 < s < 7000]
        outbound_ids = [s for s in tenant.skills if s > 7000]
        for n in range(agents):
            agent_id = 1001 + n
            tenant.add_agent(agent_id, team=101 + n % teams)
            for skill_id in rnd.sample(queue_ids, min(len(queue_ids), rnd.randint(2, 6))):
                tenant.assign(agent_id, skill_id, rnd.randint(1, 20))
            if language_ids and rnd.random() < 0.3:
                tenant.assign(agent_id, rnd.choice(language_ids), rnd.randint(1, 10))
            if outbound_ids and rnd.random() < 0.2:
                tenant.assign(agent_id, rnd.choice(outbound_ids), rnd.randint(1, 20))
        return tenant

    # -- the admin's changes (what an administrator does in CXone) ------------------------------------

    def add_team(self, team_id: int, name: str) -> dict[str, Any]:
        team = {"teamId": team_id, "teamName": name, "isActive": True, "description": f"{name} team", "lastUpdateTime": SEEDED}
        self.teams[team_id] = team
        return team

    def add_skill(self, skill_id: int, name: str, media_type: int = 4, *, outbound: bool = False) -> dict[str, Any]:
        skill = {
            "skillId": skill_id,
            "skillName": name,
            "mediaTypeId": media_type,
            "mediaTypeName": MEDIA_TYPES.get(media_type, "Phone Call"),
            "isActive": True,
            "isOutbound": outbound,
            "outboundStrategy": "Personal Connection" if outbound else "",
            "campaignId": 0,
            "campaignName": "",
            "notes": "",
            "requireDisposition": not outbound,
            "lastUpdateTime": SEEDED,
        }
        self.skills[skill_id] = skill
        return skill

    def add_disposition(self, disposition_id: int, name: str) -> dict[str, Any]:
        d = {
            "dispositionId": disposition_id,
            "dispositionName": name,
            "classificationId": 1,
            "classificationName": "Success",
            "isActive": True,
            "notes": "",
            "lastUpdated": SEEDED,
        }
        self.dispositions[disposition_id] = d
        return d

    def assign(self, agent_id: int, skill_id: int, proficiency: int = 1, *, active: bool = True) -> dict[str, Any]:
        """Give an agent a skill (CXone proficiency: 1 highest .. 20 lowest)."""
        with self.lock:
            a = {
                "agentId": agent_id,
                "skillId": skill_id,
                "agentProficiencyValue": proficiency,
                "isActive": active,
                "lastUpdateTime": iso(),
            }
            self.assignments[(agent_id, skill_id)] = a
            return a

    def unassign(self, agent_id: int, skill_id: int) -> None:
        with self.lock:
            self.assignments.pop((agent_id, skill_id), None)

    def update_agent(self, agent_id: int, **fields: Any) -> dict[str, Any]:
        """Change an agent's fields (``isActive=False`` is how CXone 'deletes' a person)."""
        with self.lock:
            agent = self.agents[agent_id]
            agent.update(fields)
            if "teamId" in fields:
                agent["teamName"] = self.teams[fields["teamId"]]["teamName"]
            agent["lastUpdated"] = iso()
            return agent

    def update_skill(self, skill_id: int, **fields: Any) -> dict[str, Any]:
        with self.lock:
            skill = self.skills[skill_id]
            skill.update(fields, lastUpdateTime=iso())
            return skill

    def delete_skill(self, skill_id: int) -> None:
        """Gone from the lists (with its assignments), as when CXone support removes a skill."""
        with self.lock:
            self.skills.pop(skill_id, None)
            self.skill_dispositions.pop(skill_id, None)
            for key in [k for k in self.assignments if k[1] == skill_id]:
                del self.assignments[key]

    def assignment_body(self, a: dict[str, Any]) -> dict[str, Any]:
        """An assignment as ``/skills/{id}/agents`` and ``/agents/skills`` list it."""
        agent, skill = self.agents.get(a["agentId"], {}), self.skills.get(a["skillId"], {})
        value = a["agentProficiencyValue"]
        return {
            **a,
            "agentProficiencyName": PROFICIENCY_NAMES.get(value, str(value)),
            "firstName": agent.get("firstName", ""),
            "lastName": agent.get("lastName", ""),
            "teamId": agent.get("teamId"),
            "isAgentActive": agent.get("isActive", False),
            "skillName": skill.get("skillName", ""),
            "isSkillActive": skill.get("isActive", False),
            "mediaTypeId": skill.get("mediaTypeId"),
            "mediaTypeName": skill.get("mediaTypeName", ""),
            "isOutbound": skill.get("isOutbound", False),
        }

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
            "profileName": "Agent",
            "location": "",
            "custom1": "",
            "isSupervisor": False,
            "lastUpdated": SEEDED,
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

    # -- completed contacts, their details and recordings (EX sync part 2) ----------------------------------
    # Seeded on first use: two voice calls (one transferred to another skill), an email, a call abandoned in
    # queue, an outbound call and a call with a consult. A transfer or consult opens a new contact id with
    # the first contact's id as masterContactId (CXone reporting API). Recordings are described here and
    # generated as WAV files by contacts.py.

    CONTACTS_DAY = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
    BIG_RECORDING_CONTACT = 909999  # a recording of ``big_recording_bytes``, generated while it streams

    def completed_contacts(self) -> dict[int, dict[str, Any]]:
        """contact id -> its ``/contacts/completed`` item."""
        found = self.__dict__.get("_completed")
        if found is None:
            found = self.__dict__["_completed"] = {}
            self.__dict__["_contact_holds"] = {}
            self.__dict__["_recordings"] = {}
            self.seed_contacts()
        return found

    def contact_holds(self, contact_id: int) -> list[tuple[float, float]]:
        """(seconds after the agent answered, hold seconds) of each hold."""
        self.completed_contacts()
        return list(self.__dict__["_contact_holds"].get(contact_id, []))

    def recordings(self) -> dict[int, dict[str, Any]]:
        """master contact id -> recording: rate, channels, seconds, customerChannel (and bytes for the big one)."""
        self.completed_contacts()
        return self.__dict__["_recordings"]

    @property
    def big_recording_bytes(self) -> int:
        return int(self.__dict__.get("_big_recording_bytes", 200 * 1024 * 1024))

    @big_recording_bytes.setter
    def big_recording_bytes(self, value: int) -> None:
        self.__dict__["_big_recording_bytes"] = value

    def add_contact(
        self, contact_id: int, start_minute: float, *, holds: tuple[tuple[float, float], ...] = (), **fields: Any
    ) -> dict[str, Any]:
        """One completed contact ``start_minute`` minutes after CONTACTS_DAY; ``fields`` in the API's names."""
        from datetime import timedelta

        start = self.CONTACTS_DAY + timedelta(minutes=start_minute)
        c: dict[str, Any] = {
            "contactId": contact_id,
            "masterContactId": contact_id,
            "contactStartDate": iso(start),
            "agentId": 0,
            "skillId": 0,
            "skillName": "",
            "mediaTypeId": 4,
            "mediaTypeName": "Phone Call",
            "isOutbound": False,
            "fromAddress": "",
            "toAddress": "",
            "preQueueSeconds": 0,
            "inQueueSeconds": 0,
            "agentSeconds": 0,
            "holdCount": len(holds),
            "holdSeconds": sum(h[1] for h in holds),
            "acwSeconds": 0,
            "abandoned": False,
            "abandonSeconds": 0,
            "primaryDispositionId": 0,
            "dispositionNotes": "",
            "transferIndicatorId": 0,
            "transferIndicatorName": "None",
            "endReason": "Contact Hung Up",
            "teamId": 0,
        }
        c.update(fields)
        total = sum(float(c[k]) for k in ("preQueueSeconds", "inQueueSeconds", "agentSeconds"))
        c["totalDurationSeconds"] = total
        if c["agentId"]:
            c["teamId"] = self.agents[int(c["agentId"])]["teamId"]
        if "lastUpdateTime" not in fields:
            c["lastUpdateTime"] = iso(start + timedelta(seconds=total + float(c["acwSeconds"]) + 60))
        self.__dict__["_completed"][contact_id] = c
        self.__dict__["_contact_holds"][contact_id] = list(holds)
        return c

    def contact_catalogue(self) -> Tenant:
        """Make the admin catalogue the one the seeded completed contacts use (skills 3001-3004 as
        queues, dispositions 4001-4003), for a part-1 sync before part 2 injects those contacts. The
        default catalogue stays as the configuration tests know it."""
        for skill_id, name, media, outbound in (
            (3001, "Support Voice", 4, False),
            (3002, "Billing Voice", 4, False),
            (3003, "Support Email", 1, False),
            (3004, "Outbound Sales", 4, True),
        ):
            self.add_skill(skill_id, name, media, outbound=outbound)
        for disposition_id, name in ((4001, "Resolved"), (4002, "Transferred"), (4003, "Sale")):
            self.add_disposition(disposition_id, name)
        return self

    def seed_contacts(self) -> None:
        support, billing, mail, sales = (3001, "Support Voice"), (3002, "Billing Voice"), (3003, "Support Email"), (3004, "Outbound Sales")
        caller, line = "+15551230000", "+15557654321"
        self.add_contact(
            900001, 0, agentId=1001, skillId=support[0], skillName=support[1], fromAddress=caller, toAddress=line,
            preQueueSeconds=4, inQueueSeconds=12, agentSeconds=30, acwSeconds=20, primaryDispositionId=4001,
            dispositionNotes="billing question answered", holds=((10, 6),),
        )  # fmt: skip
        self.add_contact(
            900011, 10, agentId=1002, skillId=support[0], skillName=support[1], fromAddress="+15551239999", toAddress=line,
            preQueueSeconds=3, inQueueSeconds=8, agentSeconds=20, acwSeconds=10, primaryDispositionId=4002, endReason="Transferred",
        )  # fmt: skip
        self.add_contact(
            900012, 10 + 31 / 60, masterContactId=900011, agentId=1003, skillId=billing[0], skillName=billing[1],
            fromAddress="+15551239999", toAddress=line, inQueueSeconds=15, agentSeconds=25, acwSeconds=15,
            primaryDispositionId=4001, transferIndicatorId=2, transferIndicatorName="ReSkill", endReason="Agent Hung Up",
        )  # fmt: skip
        self.add_contact(
            900021, 20, agentId=1004, skillId=mail[0], skillName=mail[1], mediaTypeId=1, mediaTypeName="Email",
            fromAddress="jane.doe@example.net", toAddress="support@example.com", inQueueSeconds=300, agentSeconds=240,
            acwSeconds=30, primaryDispositionId=4001, endReason="Agent Disconnected",
        )  # fmt: skip
        self.add_contact(
            900031, 30, skillId=support[0], skillName=support[1], fromAddress="+15551110000", toAddress=line,
            preQueueSeconds=5, inQueueSeconds=45, abandoned=True, abandonSeconds=45,
        )  # fmt: skip
        self.add_contact(
            900041, 40, agentId=1005, skillId=sales[0], skillName=sales[1], isOutbound=True, fromAddress=line,
            toAddress="+15552220000", preQueueSeconds=6, agentSeconds=40, acwSeconds=12, primaryDispositionId=4003,
            endReason="Agent Hung Up",
        )  # fmt: skip
        self.add_contact(
            900051, 50, agentId=1001, skillId=support[0], skillName=support[1], fromAddress="+15553330000", toAddress=line,
            preQueueSeconds=2, inQueueSeconds=5, agentSeconds=90, acwSeconds=10, primaryDispositionId=4001,
        )  # fmt: skip
        self.add_contact(
            900052, 50 + 27 / 60, masterContactId=900051, agentId=1006, skillId=support[0], skillName=support[1],
            fromAddress="+15553330000", toAddress=line, agentSeconds=30, transferIndicatorId=4,
            transferIndicatorName="Consult", endReason="Agent Hung Up",
        )  # fmt: skip
        # recordings of the voice calls: 8 kHz stereo customer left; 16 kHz (resampled on upload);
        # mono (cannot be split per speaker); customer on the right (channels swapped on upload)
        rec = self.__dict__["_recordings"]
        rec[900001] = {"rate": 8000, "channels": 2, "seconds": 4.0, "customerChannel": 0}
        rec[900011] = {"rate": 16000, "channels": 2, "seconds": 4.0, "customerChannel": 0}
        rec[900041] = {"rate": 8000, "channels": 1, "seconds": 3.0, "customerChannel": 0}
        rec[900051] = {"rate": 8000, "channels": 2, "seconds": 3.0, "customerChannel": 1}
        rec[self.BIG_RECORDING_CONTACT] = {"rate": 8000, "channels": 2, "seconds": 0.0, "customerChannel": 0, "big": True}
