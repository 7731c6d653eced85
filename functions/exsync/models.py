"""The EX sync secret: one per named configuration, with the credentials of both platforms."""

from __future__ import annotations

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


class ExSyncConfig(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    cxone: CxoneConfig
    genesys: GenesysConfig
    rates: Rates = Rates()
    lanes: int = Field(
        2, ge=1, le=10, description="Pages of a phase applied in parallel (the budget is shared: more lanes do not raise it)"
    )
    page_ops: int = Field(25, alias="pageOps", ge=1, le=200, description="Objects per page (one queue message)")
