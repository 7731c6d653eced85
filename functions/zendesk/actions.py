"""Zendesk actions. Searches return the most recent record (tickets: created; users and
organizations: updated) and ``matchCount``; one request per lookup."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions import Backend, action
from functions.phone import normalise
from functions.zendesk.client import ZendeskClient, search_phrase
from functions.zendesk.models import (
    EmailInput,
    OrganizationIdInput,
    OrganizationNameInput,
    OrganizationOutput,
    PhoneInput,
    TicketIdInput,
    TicketOutput,
    UserIdInput,
    UserNameInput,
    UserOutput,
    ZendeskConfig,
)

if TYPE_CHECKING:
    from dataactions import ActionContext

ZENDESK_BACKEND = Backend(
    kind="zendesk",
    title="Zendesk",
    config_model=ZendeskConfig,
    layers=("core", "phone"),
    action_prefix="zendesk",
    secret_example={"baseUrl": "https://<subdomain>.zendesk.com", "userEmail": "<agent email>", "apiToken": "<API token>"},
)


def _client(ctx: ActionContext) -> ZendeskClient:
    return ctx.adapter(ZendeskClient)


def _i(v: Any) -> int:
    return int(v) if isinstance(v, int) else 0


def _s(v: Any) -> str:
    return "" if v is None else str(v)


def ticket(r: dict[str, Any] | None, count: int = 1) -> TicketOutput:
    if not r:
        return TicketOutput(found=False, match_count=0)
    return TicketOutput(
        found=True,
        match_count=count,
        ticket_id=_i(r.get("id")),
        subject=_s(r.get("subject")),
        status=_s(r.get("status")),
        priority=_s(r.get("priority")),
        type=_s(r.get("type")),
        requester_id=_i(r.get("requester_id")),
        assignee_id=_i(r.get("assignee_id")),
        organization_id=_i(r.get("organization_id")),
        created_at=_s(r.get("created_at")),
        updated_at=_s(r.get("updated_at")),
    )


def user(r: dict[str, Any] | None, count: int = 1) -> UserOutput:
    if not r:
        return UserOutput(found=False, match_count=0)
    return UserOutput(
        found=True,
        match_count=count,
        user_id=_i(r.get("id")),
        name=_s(r.get("name")),
        email=_s(r.get("email")),
        phone=_s(r.get("phone")),
        role=_s(r.get("role")),
        organization_id=_i(r.get("organization_id")),
        external_id=_s(r.get("external_id")),
    )


def organization(r: dict[str, Any] | None, count: int = 1) -> OrganizationOutput:
    if not r:
        return OrganizationOutput(found=False, match_count=0)
    domains = r.get("domain_names") if isinstance(r.get("domain_names"), list) else []
    return OrganizationOutput(
        found=True,
        match_count=count,
        organization_id=_i(r.get("id")),
        name=_s(r.get("name")),
        external_id=_s(r.get("external_id")),
        domain_names=[str(d) for d in domains],
        details=_s(r.get("details")),
        notes=_s(r.get("notes")),
    )


def _first(ctx: ActionContext, query: str, sort_by: str) -> tuple[dict[str, Any] | None, int]:
    results, count = _client(ctx).search(ctx, query, sort_by)
    return (results[0] if results else None), (count if results else 0)


@action(
    name="Get Most Recent Ticket by Email Address",
    description="The most recently created ticket requested by this email address.",
    input=EmailInput,
    output=TicketOutput,
    backend=ZENDESK_BACKEND,
)
def get_most_recent_ticket_by_email_address(inp: EmailInput, ctx: ActionContext) -> TicketOutput:
    return ticket(*_first(ctx, f"type:ticket requester:{search_phrase(inp.email_address)}", "created_at"))


@action(
    name="Get Most Recent Ticket by User ID",
    description="The most recently created ticket requested by this user.",
    input=UserIdInput,
    output=TicketOutput,
    backend=ZENDESK_BACKEND,
)
def get_most_recent_ticket_by_user_id(inp: UserIdInput, ctx: ActionContext) -> TicketOutput:
    return ticket(*_first(ctx, f"type:ticket requester:{inp.user_id}", "created_at"))


@action(
    name="Get Organization by Organization ID",
    description="A Zendesk organization by id.",
    input=OrganizationIdInput,
    output=OrganizationOutput,
    backend=ZENDESK_BACKEND,
)
def get_organization_by_organization_id(inp: OrganizationIdInput, ctx: ActionContext) -> OrganizationOutput:
    body = _client(ctx).get(ctx, f"/api/v2/organizations/{inp.organization_id}.json")
    return organization((body or {}).get("organization"))


@action(
    name="Get Organization by Organization Name",
    description="A Zendesk organization by exact name.",
    input=OrganizationNameInput,
    output=OrganizationOutput,
    backend=ZENDESK_BACKEND,
)
def get_organization_by_organization_name(inp: OrganizationNameInput, ctx: ActionContext) -> OrganizationOutput:
    return organization(*_first(ctx, f"type:organization name:{search_phrase(inp.organization_name)}", "updated_at"))


@action(
    name="Get Ticket by Ticket ID", description="A Zendesk ticket by id.", input=TicketIdInput, output=TicketOutput, backend=ZENDESK_BACKEND
)
def get_ticket_by_ticket_id(inp: TicketIdInput, ctx: ActionContext) -> TicketOutput:
    body = _client(ctx).get(ctx, f"/api/v2/tickets/{inp.ticket_id}.json")
    return ticket((body or {}).get("ticket"))


@action(
    name="Get User by Email Address",
    description="A Zendesk user by email address.",
    input=EmailInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_email_address(inp: EmailInput, ctx: ActionContext) -> UserOutput:
    return user(*_first(ctx, f"type:user email:{search_phrase(inp.email_address)}", "updated_at"))


@action(
    name="Get User by Phone Number",
    description="A Zendesk end user by phone number or ANI (digits, any stored format).",
    input=PhoneInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_phone_number(inp: PhoneInput, ctx: ActionContext) -> UserOutput:
    forms = normalise(inp.phone_number, ctx.config.default_region)
    # Zendesk's caller lookup: digits only, no '+'; a leading '*' matches other stored formats.
    return user(*_first(ctx, f"type:user role:end-user phone:*{forms.national_digits}", "updated_at"))


@action(name="Get User by User ID", description="A Zendesk user by id.", input=UserIdInput, output=UserOutput, backend=ZENDESK_BACKEND)
def get_user_by_user_id(inp: UserIdInput, ctx: ActionContext) -> UserOutput:
    body = _client(ctx).get(ctx, f"/api/v2/users/{inp.user_id}.json")
    return user((body or {}).get("user"))


@action(
    name="Get User by User Name",
    description="A Zendesk user by exact name.",
    input=UserNameInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_user_name(inp: UserNameInput, ctx: ActionContext) -> UserOutput:
    return user(*_first(ctx, f"type:user name:{search_phrase(inp.user_name)}", "updated_at"))
