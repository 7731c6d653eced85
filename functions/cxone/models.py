"""The CXone credentials a sync configuration holds (inside its secret)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class CxoneConfig(BaseModel):
    """An access key (Admin > Employees > the integration user > Access Keys) and the registered
    app's client id/secret, as CXone's token endpoint takes them (password grant, Basic client auth).

    The API host is discovered from ``authUrl``'s ``/.well-known/cxone-configuration`` for the
    tenant, unless ``apiUrl`` names it (``https://api-<cluster>.niceincontact.com``)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    access_key_id: str = Field(alias="accessKeyId", min_length=1)
    access_key_secret: SecretStr = Field(alias="accessKeySecret")
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: SecretStr = Field(alias="clientSecret")
    tenant_id: str = Field("", alias="tenantId", max_length=64)
    auth_url: str = Field("https://cxone.niceincontact.com", alias="authUrl", pattern=r"^https?://")
    api_url: str | None = Field(None, alias="apiUrl", pattern=r"^https?://")
    api_version: str = Field("v34.0", alias="apiVersion", pattern=r"^v\d+\.0$")
    rate_per_minute: int = Field(600, alias="ratePerMinute", ge=1, le=100000, description="Shared budget for CXone API calls")
