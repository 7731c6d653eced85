"""The normalised agent-state model every connector speaks, and the queue message.

One agent is keyed by its contact-center user id (Genesys user id, CXone agent id); the
Salesforce user it is paired with comes from the identity map. A contact-center state is
``state`` (CXone: Available, Unavailable, InboundContact, ...; Genesys: the system presence,
Available, Away, Busy, On Queue, ...) plus ``reason`` (CXone unavailable code; Genesys secondary
presence label) plus, for Genesys, the routing status. A Salesforce state is the Omni-Channel
status DeveloperName.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Side = Literal["cc", "sf"]
Origin = Literal["event", "poll", "reconcile", "held"]

# States a contact-center platform sets itself and nobody may write: a change from Salesforce that
# arrives while the agent is in one of them is held and applied when it ends.
CXONE_SYSTEM_STATES = frozenset({"InboundContact", "OutboundContact", "InboundConsult", "OutboundConsult", "Dialer", "DialerPending"})
GENESYS_BUSY_ROUTING = frozenset({"INTERACTING", "COMMUNICATING"})

CXONE_STATES = ("Available", "Unavailable", "LoggedOut", "LoggedIn", *sorted(CXONE_SYSTEM_STATES))
CXONE_WRITABLE = ("Available", "Unavailable")
GENESYS_PRESENCES = ("Available", "Away", "Busy", "Offline", "On Queue", "Idle", "Meal", "Training", "Meeting", "Break")
GENESYS_ROUTING = ("OFF_QUEUE", "IDLE", "INTERACTING", "COMMUNICATING", "NOT_RESPONDING")


class Change(BaseModel):
    """One observed state change of one agent on one side: the body of a ``changes`` queue message."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(min_length=1, max_length=200, description="Source event id or a key derived from the change itself")
    agent: str = Field(min_length=1, max_length=64, description="Contact-center user id (the FIFO message group)")
    side: Side
    at: int = Field(ge=0, description="When the change happened at the source, epoch milliseconds")
    state: str = Field(max_length=80)
    reason: str = Field("", max_length=255)
    routing: str = Field("", max_length=40, description="Genesys routing status, when this change is one")
    acw: bool = False
    status_id: str = Field("", max_length=64, description="Salesforce status id / Genesys presence definition id")
    command_id: str = Field("", max_length=64, description="The engine's command this Salesforce change came from")
    sf_user: str = Field("", max_length=18)
    origin: Origin = "event"
    received_at: float = Field(0.0, description="When the change entered the engine (epoch seconds), for latency figures")


def is_system(platform: str, state: str, routing: str = "", acw: bool = False) -> bool:
    """True while the platform itself owns the agent's state (on a contact, in after-call work)."""
    if platform == "cxone":
        return acw or state in CXONE_SYSTEM_STATES
    return routing in GENESYS_BUSY_ROUTING
