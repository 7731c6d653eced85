"""Contracts of the Genesys Cloud actions and the shape of the genesys secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from dataactions import Contract

UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
MediaType = Literal["call", "chat", "callback", "email", "socialExpression", "videoComm", "message"]


class GenesysConfig(BaseModel):
    """The genesys secret: an OAuth client (client credentials grant) and the org's region."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: SecretStr = Field(alias="clientSecret")
    region: str = Field(
        "mypurecloud.com", pattern=r"^[a-z0-9.-]+$", description="Region domain, e.g. mypurecloud.com, usw2.pure.cloud, mypurecloud.ie"
    )
    api_url: str | None = Field(None, alias="apiUrl", pattern=r"^https?://")
    login_url: str | None = Field(None, alias="loginUrl", pattern=r"^https?://")

    @property
    def api_base(self) -> str:
        return (self.api_url or f"https://api.{self.region}").rstrip("/")

    @property
    def login_base(self) -> str:
        return (self.login_url or f"https://login.{self.region}").rstrip("/")


class GetEstimatedWaitTimeInput(Contract):
    queue_id: str = Field(pattern=UUID, description="Queue ID")
    media_type: MediaType = Field(description="call, chat, callback, email, socialExpression, videoComm or message")


class GetEstimatedWaitTimeOutput(Contract):
    found: bool = Field(description="False when the queue does not exist or has no estimate for this media type")
    estimated_wait_time_seconds: int = Field(description="Estimated wait in seconds (0 when not found)")
    formula: str = Field(description="How Genesys estimated it (for example BestMethod)")


class UserInput(Contract):
    user_id: str = Field(pattern=UUID, description="Genesys Cloud user ID")


class GetUserPresenceOutput(Contract):
    found: bool = Field(description="False when the user does not exist")
    presence: str = Field(description="System presence: Available, Away, Busy, Offline, Idle, OnQueue, Meal, Training, Meeting, Break")
    presence_definition_id: str = Field(description="ID of the presence definition (primary or secondary status)")
    message: str = Field(description="The user's status message")
    modified_date: str = Field(description="When the presence last changed (ISO-8601)")


class GetUserRoutingStatusOutput(Contract):
    found: bool = Field(description="False when the user does not exist")
    status: Literal["OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", "COMMUNICATING"] = Field(description="ACD routing status")
    start_time: str = Field(description="When the status started (ISO-8601)")
