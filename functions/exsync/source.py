"""Reading the CXone side whole (snapshot diff; the README says why not change timestamps)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from functions.exsync.model import Snapshot

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient


def snapshot(ctx: ActionContext[Any], client: CxoneClient) -> Snapshot:
    """Agents, teams, skills, every agent's skills, dispositions (with their skills), unavailable codes."""
    return Snapshot(
        agents=client.agents(ctx),
        teams=client.teams(ctx),
        skills=client.skills(ctx),
        assignments=client.skill_assignments(ctx),
        dispositions=client.dispositions(ctx),
        disposition_skills=client.disposition_skills(ctx),
        codes=client.unavailable_codes(ctx),
    )
