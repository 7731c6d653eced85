"""The presence sync secret: one per named configuration, every credential the engine needs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from functions.cxone.models import CxoneConfig
from functions.genesys.models import GenesysConfig
from functions.salesforce.models import SalesforceConfig


class Rates(BaseModel):
    """Requests a minute each vendor allows this configuration's credentials, shared by every
    concurrent function (Genesys: 300 a minute per OAuth client unless raised)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    genesys: int = Field(300, ge=1, le=100000)
    salesforce: int = Field(1000, ge=1, le=100000)
    cxone: int = Field(600, ge=1, le=100000)


class PresenceConfig(BaseModel):
    """``contactCenter`` names the platform (``cxone`` or ``genesys``) whose credentials must be present."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    contact_center: Literal["cxone", "genesys"] = Field(alias="contactCenter")
    cxone: CxoneConfig | None = None
    genesys: GenesysConfig | None = None
    salesforce: SalesforceConfig
    command_ttl_seconds: int = Field(
        90, alias="commandTtlSeconds", ge=30, le=600, description="How long a console may still apply a command"
    )
    poll_seconds: float = Field(3.0, alias="pollSeconds", ge=1, le=30, description="CXone agent-state polling interval")
    rates: Rates = Rates()

    @model_validator(mode="after")
    def _platform_credentials(self) -> PresenceConfig:
        if getattr(self, self.contact_center) is None:
            raise ValueError(f"{self.contact_center} credentials are required when contactCenter is {self.contact_center}")
        return self
