"""The EX sync secret: one per named configuration, with the credentials of both platforms."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from functions.cxone.models import CxoneConfig
from functions.genesys.models import GenesysConfig


class Rates(BaseModel):
    """Requests a minute each platform allows these credentials, shared by every concurrent
    function of the configuration (Genesys: 300 a minute per OAuth client unless raised; give the
    EX sync its own OAuth client so it does not eat the presence sync's budget)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    genesys: int = Field(300, ge=1, le=1000000)
    cxone: int = Field(600, ge=1, le=1000000)
    burst: int = Field(
        5, ge=1, le=1000, description="Requests the budget may bank: small, so a saturated minute stays within the vendor's limit"
    )


class Feeds(BaseModel):
    """Part 2: agent states, interactions and recordings from CXone (each can be turned off)."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid", frozen=True)

    states: bool = True
    interactions: bool = True
    recordings: bool = True
    source_name: str = Field(
        "NICE CXone", alias="sourceName", min_length=1, max_length=100, description="The presence source registered in Genesys"
    )
    poll_seconds: float = Field(3, alias="pollSeconds", ge=1, le=30, description="Agent-state polls within each minute")
    settle_seconds: int = Field(
        120, alias="settleSeconds", ge=0, le=3600, description="A completed contact waits this long (a transfer's next leg may follow)"
    )
    lookback_minutes: int = Field(15, alias="lookbackMinutes", ge=1, le=1440, description="The first contacts poll reads this far back")
    pending_hours: float = Field(
        4, alias="pendingHours", ge=0, le=48, description="A chain transferred out waits at most this long for its next leg"
    )
    ordering: Literal["steps", "whole"] = Field(
        "steps", description="steps: a conversation's events in dependency steps; whole: one request per conversation"
    )


class ExSyncConfig(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    cxone: CxoneConfig
    genesys: GenesysConfig
    rates: Rates = Rates()
    lanes: int = Field(
        2, ge=1, le=10, description="Pages of a phase applied in parallel (the budget is shared: more lanes do not raise it)"
    )
    page_ops: int = Field(25, alias="pageOps", ge=1, le=200, description="Objects per page (one queue message)")
    feeds: Feeds = Feeds()
