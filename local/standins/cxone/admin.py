"""The admin API area the EX sync reads: skills (list, one, its agents), agent skill assignments
(all, or one agent's), one agent, dispositions (list, one, with their skills), as the CXone REST
API answers them (list envelope, ``skip``/``top`` paging, ``updatedSince`` where CXone has it).

Field names follow CXone's published API models (calljacob/nice-cxone-api, generated from CXone's
OpenAPI specs); the list endpoints of dispositions are not documented publicly (ex-sync.md GAP):
they answer the fields of the single-item endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.routing import Rule

from local.standins.cxone.agents import API, _after, _since, listing
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.cxone.tenant import Tenant


def _not_found(what: str) -> Response:
    return Response(404, {"error": "NotFound", "error_description": f"{what} not found"})


class AdminApi:
    tenant: Tenant

    RULES = (
        Rule(f"{API}/skills", endpoint="list_skills", methods=["GET"]),
        Rule(f"{API}/skills/<int:skill>", endpoint="get_skill", methods=["GET"]),
        Rule(f"{API}/skills/<int:skill>/agents", endpoint="skill_agents", methods=["GET"]),
        Rule(f"{API}/agents/skills", endpoint="all_agent_skills", methods=["GET"]),
        Rule(f"{API}/agents/<int:agent>", endpoint="get_agent", methods=["GET"]),
        Rule(f"{API}/agents/<int:agent>/skills", endpoint="agent_skills", methods=["GET"]),
        Rule(f"{API}/dispositions", endpoint="list_dispositions", methods=["GET"]),
        Rule(f"{API}/dispositions/skills", endpoint="disposition_skills", methods=["GET"]),
        Rule(f"{API}/dispositions/<int:disposition>", endpoint="get_disposition", methods=["GET"]),
    )

    def list_skills(self, req: Request, version: str) -> Response:
        active = req.query.get("isActive")
        with self.tenant.lock:
            items = [dict(s) for s in self.tenant.skills.values() if active is None or str(s["isActive"]).lower() == active.lower()]
        return listing(req, "skills", items)

    def get_skill(self, req: Request, version: str, skill: int) -> Response:
        with self.tenant.lock:
            s = self.tenant.skills.get(skill)
            if s is None:
                return _not_found("Skill")
            dispositions = [
                {"dispositionId": d, "dispositionName": self.tenant.dispositions[d]["dispositionName"], "priority": i + 1}
                for i, d in enumerate(self.tenant.skill_dispositions.get(skill, []))
                if d in self.tenant.dispositions
            ]
            return Response(200, {**s, "dispositions": dispositions})

    def skill_agents(self, req: Request, version: str, skill: int) -> Response:
        with self.tenant.lock:
            if skill not in self.tenant.skills:
                return _not_found("Skill")
            since = _since(req, "updatedSince")
            items = [
                self.tenant.assignment_body(a)
                for (agent, sk), a in sorted(self.tenant.assignments.items())
                if sk == skill and _after(a["lastUpdateTime"], since)
            ]
        return listing(req, "agentSkillAssignments", items)

    def all_agent_skills(self, req: Request, version: str) -> Response:
        since = _since(req, "UpdatedSince") or _since(req, "updatedSince")
        with self.tenant.lock:
            items = [
                self.tenant.assignment_body(a) for _, a in sorted(self.tenant.assignments.items()) if _after(a["lastUpdateTime"], since)
            ]
        return listing(req, "agentSkillAssignments", items)

    def get_agent(self, req: Request, version: str, agent: int) -> Response:
        with self.tenant.lock:
            a = self.tenant.agents.get(agent)
            return _not_found("Agent") if a is None else Response(200, {"agents": [dict(a)]})

    def agent_skills(self, req: Request, version: str, agent: int) -> Response:
        with self.tenant.lock:
            if agent not in self.tenant.agents:
                return _not_found("Agent")
            items = [self.tenant.assignment_body(a) for (ag, _), a in sorted(self.tenant.assignments.items()) if ag == agent]
        return listing(req, "agentSkillAssignments", items)

    def list_dispositions(self, req: Request, version: str) -> Response:
        with self.tenant.lock:
            items = [dict(d) for d in self.tenant.dispositions.values()]
        return listing(req, "dispositions", items)

    def get_disposition(self, req: Request, version: str, disposition: int) -> Response:
        with self.tenant.lock:
            d = self.tenant.dispositions.get(disposition)
            return _not_found("Disposition") if d is None else Response(200, dict(d))

    def disposition_skills(self, req: Request, version: str) -> Response:
        with self.tenant.lock:
            items = []
            for d in self.tenant.dispositions.values():
                skills = [
                    {
                        "skillId": s,
                        "mediaTypeId": self.tenant.skills[s]["mediaTypeId"],
                        "mediaTypeName": self.tenant.skills[s]["mediaTypeName"],
                    }
                    for s, ds in sorted(self.tenant.skill_dispositions.items())
                    if d["dispositionId"] in ds and s in self.tenant.skills
                ]
                items.append(
                    {
                        "dispositionId": d["dispositionId"],
                        "dispositionName": d["dispositionName"],
                        "isActive": d["isActive"],
                        "skills": skills,
                    }
                )
        return listing(req, "dispositions", items)
