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


def _client(ctx: ActionContext[ZendeskConfig]) -> ZendeskClient:
    return ctx.adapter(ZendeskClient)


def _first(ctx: ActionContext[ZendeskConfig], query: str, sort_by: str) -> tuple[list[dict[str, Any]], int]:
    """The most recent result (a list of at most one) and how many matched."""
    results, count = _client(ctx).search(ctx, query, sort_by)
    return results[:1], count


@action(
    name="Get Most Recent Ticket by Email Address",
    description="The most recently created ticket requested by this email address.",
    input=EmailInput,
    output=TicketOutput,
    backend=ZENDESK_BACKEND,
)
def get_most_recent_ticket_by_email_address(inp: EmailInput, ctx: ActionContext[ZendeskConfig]) -> TicketOutput:
    return TicketOutput.from_records(*_first(ctx, f"type:ticket requester:{search_phrase(inp.email_address)}", "created_at"))


@action(
    name="Get Most Recent Ticket by User ID",
    description="The most recently created ticket requested by this user.",
    input=UserIdInput,
    output=TicketOutput,
    backend=ZENDESK_BACKEND,
)
def get_most_recent_ticket_by_user_id(inp: UserIdInput, ctx: ActionContext[ZendeskConfig]) -> TicketOutput:
    return TicketOutput.from_records(*_first(ctx, f"type:ticket requester:{inp.user_id}", "created_at"))


@action(
    name="Get Organization by Organization ID",
    description="A Zendesk organization by id.",
    input=OrganizationIdInput,
    output=OrganizationOutput,
    backend=ZENDESK_BACKEND,
)
def get_organization_by_organization_id(inp: OrganizationIdInput, ctx: ActionContext[ZendeskConfig]) -> OrganizationOutput:
    body = _client(ctx).get(ctx, f"/api/v2/organizations/{inp.organization_id}.json")
    return OrganizationOutput.from_record((body or {}).get("organization"))


@action(
    name="Get Organization by Organization Name",
    description="A Zendesk organization by exact name.",
    input=OrganizationNameInput,
    output=OrganizationOutput,
    backend=ZENDESK_BACKEND,
)
def get_organization_by_organization_name(inp: OrganizationNameInput, ctx: ActionContext[ZendeskConfig]) -> OrganizationOutput:
    return OrganizationOutput.from_records(*_first(ctx, f"type:organization name:{search_phrase(inp.organization_name)}", "updated_at"))


@action(
    name="Get Ticket by Ticket ID", description="A Zendesk ticket by id.", input=TicketIdInput, output=TicketOutput, backend=ZENDESK_BACKEND
)
def get_ticket_by_ticket_id(inp: TicketIdInput, ctx: ActionContext[ZendeskConfig]) -> TicketOutput:
    body = _client(ctx).get(ctx, f"/api/v2/tickets/{inp.ticket_id}.json")
    return TicketOutput.from_record((body or {}).get("ticket"))


@action(
    name="Get User by Email Address",
    description="A Zendesk user by email address.",
    input=EmailInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_email_address(inp: EmailInput, ctx: ActionContext[ZendeskConfig]) -> UserOutput:
    return UserOutput.from_records(*_first(ctx, f"type:user email:{search_phrase(inp.email_address)}", "updated_at"))


@action(
    name="Get User by Phone Number",
    description="A Zendesk end user by phone number or ANI (digits, any stored format).",
    input=PhoneInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_phone_number(inp: PhoneInput, ctx: ActionContext[ZendeskConfig]) -> UserOutput:
    forms = normalise(inp.phone_number, ctx.config.default_region)
    # Zendesk's caller lookup: digits only, no '+'; a leading '*' matches other stored formats.
    return UserOutput.from_records(*_first(ctx, f"type:user role:end-user phone:*{forms.national_digits}", "updated_at"))


@action(name="Get User by User ID", description="A Zendesk user by id.", input=UserIdInput, output=UserOutput, backend=ZENDESK_BACKEND)
def get_user_by_user_id(inp: UserIdInput, ctx: ActionContext[ZendeskConfig]) -> UserOutput:
    body = _client(ctx).get(ctx, f"/api/v2/users/{inp.user_id}.json")
    return UserOutput.from_record((body or {}).get("user"))


@action(
    name="Get User by User Name",
    description="A Zendesk user by exact name.",
    input=UserNameInput,
    output=UserOutput,
    backend=ZENDESK_BACKEND,
)
def get_user_by_user_name(inp: UserNameInput, ctx: ActionContext[ZendeskConfig]) -> UserOutput:
    return UserOutput.from_records(*_first(ctx, f"type:user name:{search_phrase(inp.user_name)}", "updated_at"))
