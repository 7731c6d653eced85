"""Contracts of the Zendesk actions and the shape of the zendesk secret."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from dataactions import Contract
from functions.lookup import LookupOutput


class ZendeskConfig(BaseModel):
    """The zendesk secret: the agent email and API token, and the account's base URL."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    base_url: str = Field(alias="baseUrl", pattern=r"^https?://", description="https://<subdomain>.zendesk.com")
    user_email: str = Field(alias="userEmail", min_length=3)
    api_token: SecretStr = Field(alias="apiToken")
    default_region: str = Field("US", alias="defaultRegion", pattern=r"^[A-Za-z]{2}$")


ZendeskId = Field(ge=1, le=2**53, description="Zendesk numeric id")


class EmailInput(Contract):
    email_address: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s\"\\]+@[^@\s\"\\]+$", description="Email address")


class UserIdInput(Contract):
    user_id: int = ZendeskId


class TicketIdInput(Contract):
    ticket_id: int = ZendeskId


class OrganizationIdInput(Contract):
    organization_id: int = ZendeskId


class OrganizationNameInput(Contract):
    organization_name: str = Field(min_length=1, max_length=255, description="Organization name (exact)")


class UserNameInput(Contract):
    user_name: str = Field(min_length=1, max_length=255, description="User name (exact)")


class PhoneInput(Contract):
    phone_number: str = Field(min_length=3, max_length=64, description="Phone number or ANI")


class TicketOutput(LookupOutput):
    match_count: int = Field(description="How many tickets matched (the most recently created is returned)")
    ticket_id: int = 0
    subject: str = ""
    status: str = ""
    priority: str = ""
    type: str = ""
    requester_id: int = 0
    assignee_id: int = 0
    organization_id: int = 0
    created_at: str = ""
    updated_at: str = ""

    record_keys = {
        "ticket_id": "id",
        "subject": "subject",
        "status": "status",
        "priority": "priority",
        "type": "type",
        "requester_id": "requester_id",
        "assignee_id": "assignee_id",
        "organization_id": "organization_id",
        "created_at": "created_at",
        "updated_at": "updated_at",
    }


class UserOutput(LookupOutput):
    match_count: int = Field(description="How many users matched (the most recently updated is returned)")
    user_id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""
    organization_id: int = 0
    external_id: str = ""

    record_keys = {
        "user_id": "id",
        "name": "name",
        "email": "email",
        "phone": "phone",
        "role": "role",
        "organization_id": "organization_id",
        "external_id": "external_id",
    }


class OrganizationOutput(LookupOutput):
    match_count: int = Field(description="How many organizations matched (the most recently updated is returned)")
    organization_id: int = 0
    name: str = ""
    external_id: str = ""
    domain_names: list[str] = Field(default_factory=list)
    details: str = ""
    notes: str = ""

    record_keys = {
        "organization_id": "id",
        "name": "name",
        "external_id": "external_id",
        "domain_names": "domain_names",
        "details": "details",
        "notes": "notes",
    }
