"""Contracts of the Salesforce actions and the shape of the salesforce secret."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from dataactions import Contract
from functions.lookup import LookupOutput
from functions.salesforce.queries import RECORD_ID


class SalesforceConfig(BaseModel):
    """The salesforce secret. ``auth``: ``client_credentials`` (Salesforce's replacement for the
    retiring password flow) or ``password`` (username + password + security token)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    auth: Literal["client_credentials", "password"] = "client_credentials"
    login_url: str = Field("https://login.salesforce.com", alias="loginUrl", pattern=r"^https?://")
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: SecretStr = Field(alias="clientSecret")
    username: str | None = None
    password: SecretStr | None = None
    security_token: SecretStr | None = Field(None, alias="securityToken")
    api_version: str = Field("v62.0", alias="apiVersion", pattern=r"^v\d+\.\d$")
    default_region: str = Field(
        "US", alias="defaultRegion", pattern=r"^[A-Za-z]{2}$", description="Region for numbers without a country code"
    )

    @model_validator(mode="after")
    def _password_flow(self) -> SalesforceConfig:
        if self.auth == "password" and not (self.username and self.password):
            raise ValueError("username and password are required for the password flow")
        return self


RecordId = Field(pattern=RECORD_ID, description="Salesforce record id (15 or 18 characters)")


class AccountNumberInput(Contract):
    account_number: str = Field(min_length=1, max_length=40, description="Account number")


class ContactIdInput(Contract):
    contact_id: str = RecordId


class PhoneInput(Contract):
    phone_number: str = Field(
        min_length=3, max_length=64, description="Phone number or ANI (tel:+14155550100, +1 415 555 0100, 4155550100)"
    )


class EmailInput(Contract):
    email: str = Field(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$", description="Email address")


class AccountOutput(LookupOutput):
    found: bool = Field(description="True when at least one account matched")
    match_count: int = Field(description="How many records matched (the most recently modified is returned)")
    account_id: str = ""
    name: str = ""
    account_number: str = ""
    phone: str = ""
    type: str = ""
    industry: str = ""

    record_keys = {
        "account_id": "Id",
        "name": "Name",
        "account_number": "AccountNumber",
        "phone": "Phone",
        "type": "Type",
        "industry": "Industry",
    }


class ContactOutput(LookupOutput):
    found: bool = Field(description="True when at least one contact matched")
    match_count: int = Field(description="How many records matched (the most recently modified is returned)")
    contact_id: str = ""
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    mobile_phone: str = ""
    account_id: str = ""

    record_keys = {
        "contact_id": "Id",
        "first_name": "FirstName",
        "last_name": "LastName",
        "name": "Name",
        "email": "Email",
        "phone": "Phone",
        "mobile_phone": "MobilePhone",
        "account_id": "AccountId",
    }


class CaseOutput(LookupOutput):
    found: bool = Field(description="True when the contact has an open case")
    match_count: int = Field(description="How many open cases the contact has (the most recently created is returned)")
    case_id: str = ""
    case_number: str = ""
    subject: str = ""
    status: str = ""
    priority: str = ""
    created_date: str = ""

    record_keys = {
        "case_id": "Id",
        "case_number": "CaseNumber",
        "subject": "Subject",
        "status": "Status",
        "priority": "Priority",
        "created_date": "CreatedDate",
    }


class CallerContextInput(Contract):
    ani: str = Field(min_length=3, max_length=64, description="The caller's ANI (tel:+14155550100 or any phone format)")


class CallerContextOutput(Contract):
    found: bool = Field(description="True when a contact or an account matched the ANI")
    contact: ContactOutput
    account: AccountOutput
    open_case: CaseOutput


class PostCaseCommentInput(Contract):
    case_id: str = RecordId
    call_id: str = Field(min_length=1, max_length=80, description="Conversation or call id")
    duration_seconds: int = Field(ge=0, le=86400, description="Call duration in seconds")
    agent_name: str = Field("", max_length=120, description="Agent who handled the call")
    notes: str = Field("", max_length=3500, description="Wrap-up notes")
    is_published: bool = Field(False, description="Visible to the customer in portals")


class PostCaseCommentOutput(Contract):
    created: bool
    comment_id: str
