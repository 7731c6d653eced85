"""Salesforce actions: account/contact/case lookups, the seed-002 caller flow (account and
contact by ANI, open case by contact, post a case comment after the call), and Get Caller Context
by ANI in one composite round trip.

Several matches: lookups return the most recently modified record (cases: most recently created)
and ``matchCount`` (up to 200)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from dataactions import Backend, action
from dataactions.vendor import malformed
from functions.phone import normalise
from functions.salesforce.client import SALESFORCE, SalesforceClient
from functions.salesforce.models import (
    AccountNumberInput,
    AccountOutput,
    CallerContextInput,
    CallerContextOutput,
    CaseOutput,
    ContactIdInput,
    ContactOutput,
    EmailInput,
    PhoneInput,
    PostCaseCommentInput,
    PostCaseCommentOutput,
    SalesforceConfig,
)
from functions.salesforce.queries import phone_search, soql_literal

if TYPE_CHECKING:
    from dataactions import ActionContext

SALESFORCE_BACKEND = Backend(
    kind="salesforce",
    title="Salesforce",
    config_model=SalesforceConfig,
    layers=("core", "phone"),
    action_prefix="salesforce",
    secret_example={
        "auth": "client_credentials",
        "loginUrl": "https://<my-domain>.my.salesforce.com",
        "clientId": "<consumer key>",
        "clientSecret": "<consumer secret>",
    },
)

LIMIT = 200
ACCOUNT_FIELDS = ", ".join(AccountOutput.record_fields())
CONTACT_FIELDS = ", ".join(ContactOutput.record_fields())
CASE_FIELDS = ", ".join(CaseOutput.record_fields())


def _client(ctx: ActionContext[SalesforceConfig]) -> SalesforceClient:
    return ctx.adapter(SalesforceClient)


def _query(ctx: ActionContext[SalesforceConfig], soql: str) -> tuple[list[dict[str, Any]], int]:
    body = _client(ctx).query(ctx, soql)
    return body["records"], int(body.get("totalSize") or len(body["records"]))


def _phone_terms(ctx: ActionContext[SalesforceConfig], raw: str) -> list[str]:
    forms = normalise(raw, ctx.config.default_region)
    return [forms.national_digits, forms.e164]


def _of_type(records: list[dict[str, Any]], sobject: str) -> list[dict[str, Any]]:
    return [r for r in records if isinstance(r, dict) and (r.get("attributes") or {}).get("type") == sobject]


@action(
    name="Get Account by Account Number",
    description="Salesforce account with this account number.",
    input=AccountNumberInput,
    output=AccountOutput,
    backend=SALESFORCE_BACKEND,
)
def get_account_by_account_number(inp: AccountNumberInput, ctx: ActionContext[SalesforceConfig]) -> AccountOutput:
    records, count = _query(
        ctx,
        f"SELECT {ACCOUNT_FIELDS} FROM Account WHERE AccountNumber = {soql_literal(inp.account_number)} "
        f"ORDER BY LastModifiedDate DESC LIMIT {LIMIT}",
    )
    return AccountOutput.from_records(records, count)


@action(
    name="Get Account by Contact ID",
    description="The Salesforce account a contact belongs to.",
    input=ContactIdInput,
    output=AccountOutput,
    backend=SALESFORCE_BACKEND,
)
def get_account_by_contact_id(inp: ContactIdInput, ctx: ActionContext[SalesforceConfig]) -> AccountOutput:
    fields = ", ".join(f"Account.{f}" for f in AccountOutput.record_fields())
    records, _ = _query(ctx, f"SELECT {fields} FROM Contact WHERE Id = {soql_literal(inp.contact_id)} LIMIT 1")
    account = records[0].get("Account") if records else None
    return AccountOutput.from_record(account if isinstance(account, dict) else None)


@action(
    name="Get Account by Phone Number",
    description="Salesforce account whose phone fields match the number or ANI (SOSL phone search).",
    input=PhoneInput,
    output=AccountOutput,
    backend=SALESFORCE_BACKEND,
)
def get_account_by_phone_number(inp: PhoneInput, ctx: ActionContext[SalesforceConfig]) -> AccountOutput:
    sosl = phone_search(_phone_terms(ctx, inp.phone_number), f"Account({ACCOUNT_FIELDS} ORDER BY LastModifiedDate DESC LIMIT {LIMIT})")
    return AccountOutput.from_records(_of_type(_client(ctx).search(ctx, sosl), "Account"))


@action(
    name="Get Contact by Email",
    description="Salesforce contact with this email address.",
    input=EmailInput,
    output=ContactOutput,
    backend=SALESFORCE_BACKEND,
)
def get_contact_by_email(inp: EmailInput, ctx: ActionContext[SalesforceConfig]) -> ContactOutput:
    records, count = _query(
        ctx, f"SELECT {CONTACT_FIELDS} FROM Contact WHERE Email = {soql_literal(inp.email)} ORDER BY LastModifiedDate DESC LIMIT {LIMIT}"
    )
    return ContactOutput.from_records(records, count)


@action(
    name="Get Contact by Phone Number",
    description="Salesforce contact whose phone fields match the number or ANI (SOSL phone search).",
    input=PhoneInput,
    output=ContactOutput,
    backend=SALESFORCE_BACKEND,
)
def get_contact_by_phone_number(inp: PhoneInput, ctx: ActionContext[SalesforceConfig]) -> ContactOutput:
    sosl = phone_search(_phone_terms(ctx, inp.phone_number), f"Contact({CONTACT_FIELDS} ORDER BY LastModifiedDate DESC LIMIT {LIMIT})")
    return ContactOutput.from_records(_of_type(_client(ctx).search(ctx, sosl), "Contact"))


@action(
    name="Get Most Recent Open Case by Contact ID",
    description="The contact's most recently created case that is not closed.",
    input=ContactIdInput,
    output=CaseOutput,
    backend=SALESFORCE_BACKEND,
)
def get_most_recent_open_case_by_contact_id(inp: ContactIdInput, ctx: ActionContext[SalesforceConfig]) -> CaseOutput:
    records, count = _query(
        ctx,
        f"SELECT {CASE_FIELDS} FROM Case WHERE ContactId = {soql_literal(inp.contact_id)} AND IsClosed = false "
        f"ORDER BY CreatedDate DESC LIMIT {LIMIT}",
    )
    return CaseOutput.from_records(records, count)


@action(
    name="Get Caller Context by ANI",
    description="Contact, account and most recent open case for a caller's ANI in one Salesforce composite round trip.",
    input=CallerContextInput,
    output=CallerContextOutput,
    backend=SALESFORCE_BACKEND,
    timeout_seconds=10,
)
def get_caller_context_by_ani(inp: CallerContextInput, ctx: ActionContext[SalesforceConfig]) -> CallerContextOutput:
    client = _client(ctx)
    version = client.config.api_version
    sosl = phone_search(
        _phone_terms(ctx, inp.ani),
        f"Contact({CONTACT_FIELDS} ORDER BY LastModifiedDate DESC LIMIT {LIMIT}), "
        f"Account({ACCOUNT_FIELDS} ORDER BY LastModifiedDate DESC LIMIT {LIMIT})",
    )
    case_soql = (
        f"SELECT {CASE_FIELDS} FROM Case WHERE ContactId = '@{{Search.searchRecords[0].Id}}' AND IsClosed = false "
        f"ORDER BY CreatedDate DESC LIMIT {LIMIT}"
    )
    results = client.composite(
        ctx,
        [
            {"method": "GET", "referenceId": "Search", "url": f"/services/data/{version}/search?q={quote_plus(sosl)}"},
            {"method": "GET", "referenceId": "OpenCase", "url": f"/services/data/{version}/query?q={quote_plus(case_soql, safe='@{}[]')}"},
        ],
    )
    search = results.get("Search") or {}
    if search.get("httpStatusCode") != 200 or not isinstance(search.get("body"), dict):
        raise malformed(SALESFORCE.name, f"composite search answered {search.get('httpStatusCode')}")
    records = search["body"].get("searchRecords") or []
    contacts, accounts = _of_type(records, "Contact"), _of_type(records, "Account")
    contact = ContactOutput.from_records(contacts)
    case = results.get("OpenCase") or {}
    case_out = CaseOutput.from_records([])
    # The case query references the first search record: valid only when that record is a contact.
    if contact.found and records and (records[0].get("attributes") or {}).get("type") == "Contact" and case.get("httpStatusCode") == 200:
        body = case.get("body") or {}
        case_out = CaseOutput.from_records(body.get("records") or [], int(body.get("totalSize") or 0))
    account = AccountOutput.from_records(accounts)
    return CallerContextOutput(found=contact.found or account.found, contact=contact, account=account, open_case=case_out)


@action(
    name="Post Case Comment",
    description="After the call: adds call id, duration, agent and notes to the case as a CaseComment.",
    input=PostCaseCommentInput,
    output=PostCaseCommentOutput,
    backend=SALESFORCE_BACKEND,
)
def post_case_comment(inp: PostCaseCommentInput, ctx: ActionContext[SalesforceConfig]) -> PostCaseCommentOutput:
    minutes, seconds = divmod(inp.duration_seconds, 60)
    lines = [f"Call {inp.call_id} ({minutes}m {seconds:02d}s)"]
    if inp.agent_name:
        lines.append(f"Agent: {inp.agent_name}")
    if inp.notes:
        lines.append(inp.notes)
    body = "\n".join(lines).encode()[:4000].decode("utf-8", "ignore")  # CommentBody holds 4,000 bytes
    comment_id = _client(ctx).create(ctx, "CaseComment", {"ParentId": inp.case_id, "CommentBody": body, "IsPublished": inp.is_published})
    return PostCaseCommentOutput(created=True, comment_id=comment_id)
