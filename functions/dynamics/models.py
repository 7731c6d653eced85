"""Contracts of the Dynamics 365 actions and the shape of the dynamics secret."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from dataactions import Contract
from functions.lookup import Labelled, LookupOutput

GUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"


class DynamicsConfig(BaseModel):
    """The dynamics secret: the org URL and an Entra ID app registration (client credentials)."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    org_url: str = Field(alias="orgUrl", pattern=r"^https?://", description="https://<org>.crm.dynamics.com")
    tenant_id: str = Field(alias="tenantId", min_length=1)
    client_id: str = Field(alias="clientId", min_length=1, description="Application (client) ID")
    client_secret: SecretStr = Field(alias="clientSecret")
    login_url: str = Field("https://login.microsoftonline.com", alias="loginUrl", pattern=r"^https?://")
    api_version: str = Field("v9.2", alias="apiVersion", pattern=r"^v\d+\.\d+$")
    default_region: str = Field("US", alias="defaultRegion", pattern=r"^[A-Za-z]{2}$")


class AccountIdInput(Contract):
    account_id: str = Field(pattern=GUID, description="Account GUID")


class AccountNameInput(Contract):
    account_name: str = Field(min_length=1, max_length=160, description="Account name (exact, case-insensitive)")


class AccountNumberInput(Contract):
    account_number: str = Field(min_length=1, max_length=20, description="Account number")


class ContactIdInput(Contract):
    contact_id: str = Field(pattern=GUID, description="Contact GUID")


class CaseIdInput(Contract):
    case_id: str = Field(pattern=GUID, description="Case (incident) GUID")


class ContactNameInput(Contract):
    contact_name: str = Field(min_length=1, max_length=160, description="Contact full name (exact, case-insensitive)")


class EmailInput(Contract):
    email_address: str = Field(min_length=3, max_length=100, pattern=r"^[^@\s]+@[^@\s]+$", description="Email address")


class PhoneInput(Contract):
    phone_number: str = Field(min_length=3, max_length=64, description="Phone number or ANI")


class AccountOutput(LookupOutput):
    match_count: int = Field(description="How many accounts matched (the most recently modified is returned)")
    account_id: str = ""
    name: str = ""
    account_number: str = ""
    telephone: str = ""
    email: str = ""
    city: str = ""

    record_keys = {
        "account_id": "accountid",
        "name": "name",
        "account_number": "accountnumber",
        "telephone": "telephone1",
        "email": "emailaddress1",
        "city": "address1_city",
    }


class ContactOutput(LookupOutput):
    match_count: int = Field(description="How many contacts matched (the most recently modified is returned)")
    contact_id: str = ""
    full_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    telephone: str = ""
    mobile_phone: str = ""
    account_id: str = ""

    record_keys = {
        "contact_id": "contactid",
        "full_name": "fullname",
        "first_name": "firstname",
        "last_name": "lastname",
        "email": "emailaddress1",
        "telephone": "telephone1",
        "mobile_phone": "mobilephone",
        "account_id": "_parentcustomerid_value",
    }


STATES = {0: "Active", 1: "Resolved", 2: "Cancelled"}  # incident statecode
PRIORITIES = {1: "High", 2: "Normal", 3: "Low"}  # incident prioritycode


class CaseOutput(LookupOutput):
    match_count: int = Field(description="How many cases matched (the most recently created is returned)")
    case_id: str = ""
    ticket_number: str = ""
    title: str = ""
    state: str = Field("", description="Active, Resolved or Cancelled")
    priority: str = Field("", description="High, Normal or Low")
    created_on: str = ""
    customer_id: str = ""

    record_keys = {
        "case_id": "incidentid",
        "ticket_number": "ticketnumber",
        "title": "title",
        "state": Labelled("statecode", STATES),
        "priority": Labelled("prioritycode", PRIORITIES),
        "created_on": "createdon",
        "customer_id": "_customerid_value",
    }
