"""Dynamics 365 actions. Collection lookups return the most recently modified record (cases: the
most recently created) and ``matchCount`` from ``$count``: one request per lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataactions import Backend, action
from functions.dynamics.client import DynamicsClient, odata_string
from functions.dynamics.models import (
    AccountIdInput,
    AccountNameInput,
    AccountNumberInput,
    AccountOutput,
    CaseIdInput,
    CaseOutput,
    ContactIdInput,
    ContactNameInput,
    ContactOutput,
    DynamicsConfig,
    EmailInput,
    PhoneInput,
)
from functions.phone import normalise

if TYPE_CHECKING:
    from dataactions import ActionContext

DYNAMICS_BACKEND = Backend(
    kind="dynamics",
    title="Dynamics 365",
    config_model=DynamicsConfig,
    layers=("core", "phone"),
    action_prefix="dynamics",
    secret_example={
        "orgUrl": "https://<org>.crm.dynamics.com",
        "tenantId": "<tenant id>",
        "clientId": "<app id>",
        "clientSecret": "<client secret>",
    },
)

ACCOUNT = ",".join(AccountOutput.record_fields())
CONTACT = ",".join(ContactOutput.record_fields())
CASE = ",".join(CaseOutput.record_fields())


def _client(ctx: ActionContext[DynamicsConfig]) -> DynamicsClient:
    return ctx.adapter(DynamicsClient)


def phone_filter(ctx: ActionContext[DynamicsConfig], raw: str, fields: tuple[str, ...]) -> str:
    """Every stored form of the number (E.164, national, digits) in every phone field."""
    f = normalise(raw, ctx.config.default_region)
    forms = dict.fromkeys([f.e164, f.national, f.national_digits, f.international_digits])
    return " or ".join(f"{field} eq {odata_string(form)}" for field in fields for form in forms)


@action(
    name="Get Account by Account ID",
    description="A Dynamics 365 account by id.",
    input=AccountIdInput,
    output=AccountOutput,
    backend=DYNAMICS_BACKEND,
)
def get_account_by_account_id(inp: AccountIdInput, ctx: ActionContext[DynamicsConfig]) -> AccountOutput:
    return AccountOutput.from_record(_client(ctx).get(ctx, f"accounts({inp.account_id})", {"$select": ACCOUNT}))


@action(
    name="Get Account by Account Name",
    description="A Dynamics 365 account by exact name.",
    input=AccountNameInput,
    output=AccountOutput,
    backend=DYNAMICS_BACKEND,
)
def get_account_by_account_name(inp: AccountNameInput, ctx: ActionContext[DynamicsConfig]) -> AccountOutput:
    return AccountOutput.from_records(
        *_client(ctx).first(ctx, "accounts", ACCOUNT, f"name eq {odata_string(inp.account_name)}", "modifiedon desc")
    )


@action(
    name="Get Account by Account Number",
    description="A Dynamics 365 account by account number.",
    input=AccountNumberInput,
    output=AccountOutput,
    backend=DYNAMICS_BACKEND,
)
def get_account_by_account_number(inp: AccountNumberInput, ctx: ActionContext[DynamicsConfig]) -> AccountOutput:
    return AccountOutput.from_records(
        *_client(ctx).first(ctx, "accounts", ACCOUNT, f"accountnumber eq {odata_string(inp.account_number)}", "modifiedon desc")
    )


@action(
    name="Get Account by Contact ID",
    description="The account a Dynamics 365 contact belongs to (one request, $expand).",
    input=ContactIdInput,
    output=AccountOutput,
    backend=DYNAMICS_BACKEND,
)
def get_account_by_contact_id(inp: ContactIdInput, ctx: ActionContext[DynamicsConfig]) -> AccountOutput:
    body = _client(ctx).get(
        ctx, f"contacts({inp.contact_id})", {"$select": "contactid", "$expand": f"parentcustomerid_account($select={ACCOUNT})"}
    )
    parent = (body or {}).get("parentcustomerid_account")
    return AccountOutput.from_record(parent if isinstance(parent, dict) else None)


@action(
    name="Get Account by Phone Number",
    description="A Dynamics 365 account whose phone fields hold the number or ANI in any stored form.",
    input=PhoneInput,
    output=AccountOutput,
    backend=DYNAMICS_BACKEND,
)
def get_account_by_phone_number(inp: PhoneInput, ctx: ActionContext[DynamicsConfig]) -> AccountOutput:
    flt = phone_filter(ctx, inp.phone_number, ("telephone1", "telephone2", "telephone3"))
    return AccountOutput.from_records(*_client(ctx).first(ctx, "accounts", ACCOUNT, flt, "modifiedon desc"))


@action(
    name="Get Case by Case ID",
    description="A Dynamics 365 case (incident) by id.",
    input=CaseIdInput,
    output=CaseOutput,
    backend=DYNAMICS_BACKEND,
)
def get_case_by_case_id(inp: CaseIdInput, ctx: ActionContext[DynamicsConfig]) -> CaseOutput:
    return CaseOutput.from_record(_client(ctx).get(ctx, f"incidents({inp.case_id})", {"$select": CASE}))


@action(
    name="Get Contact by Contact Name",
    description="A Dynamics 365 contact by exact full name.",
    input=ContactNameInput,
    output=ContactOutput,
    backend=DYNAMICS_BACKEND,
)
def get_contact_by_contact_name(inp: ContactNameInput, ctx: ActionContext[DynamicsConfig]) -> ContactOutput:
    return ContactOutput.from_records(
        *_client(ctx).first(ctx, "contacts", CONTACT, f"fullname eq {odata_string(inp.contact_name)}", "modifiedon desc")
    )


@action(
    name="Get Contact by Email Address",
    description="A Dynamics 365 contact by email address.",
    input=EmailInput,
    output=ContactOutput,
    backend=DYNAMICS_BACKEND,
)
def get_contact_by_email_address(inp: EmailInput, ctx: ActionContext[DynamicsConfig]) -> ContactOutput:
    return ContactOutput.from_records(
        *_client(ctx).first(ctx, "contacts", CONTACT, f"emailaddress1 eq {odata_string(inp.email_address)}", "modifiedon desc")
    )


@action(
    name="Get Contact by Phone Number",
    description="A Dynamics 365 contact whose phone fields hold the number or ANI in any stored form.",
    input=PhoneInput,
    output=ContactOutput,
    backend=DYNAMICS_BACKEND,
)
def get_contact_by_phone_number(inp: PhoneInput, ctx: ActionContext[DynamicsConfig]) -> ContactOutput:
    flt = phone_filter(ctx, inp.phone_number, ("telephone1", "telephone2", "mobilephone"))
    return ContactOutput.from_records(*_client(ctx).first(ctx, "contacts", CONTACT, flt, "modifiedon desc"))


@action(
    name="Get Most Recent Open Case by Contact ID",
    description="The contact's most recently created active case.",
    input=ContactIdInput,
    output=CaseOutput,
    backend=DYNAMICS_BACKEND,
)
def get_most_recent_open_case_by_contact_id(inp: ContactIdInput, ctx: ActionContext[DynamicsConfig]) -> CaseOutput:
    flt = f"(_customerid_value eq {inp.contact_id} or _primarycontactid_value eq {inp.contact_id}) and statecode eq 0"
    return CaseOutput.from_records(*_client(ctx).first(ctx, "incidents", CASE, flt, "createdon desc"))
