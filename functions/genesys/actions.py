"""Genesys Cloud actions: the three Genesys-published lookups, as Lambda actions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataactions import Backend, action
from dataactions.vendor import malformed
from functions.genesys.client import GENESYS, GenesysClient
from functions.genesys.models import (
    GenesysConfig,
    GetEstimatedWaitTimeInput,
    GetEstimatedWaitTimeOutput,
    GetUserPresenceOutput,
    GetUserRoutingStatusOutput,
    UserInput,
)

if TYPE_CHECKING:
    from dataactions import ActionContext

GENESYS_CLOUD = Backend(
    kind="genesys",
    title="Genesys Cloud Platform API",
    config_model=GenesysConfig,
    secret_example={"clientId": "<OAuth client id>", "clientSecret": "<OAuth client secret>", "region": "mypurecloud.com"},
)


def _client(ctx: ActionContext[GenesysConfig]) -> GenesysClient:
    return ctx.adapter(GenesysClient)


@action(
    name="Get Estimated Wait Time",
    description="Estimated wait time of a queue for a media type (Genesys Cloud routing API).",
    input=GetEstimatedWaitTimeInput,
    output=GetEstimatedWaitTimeOutput,
    backend=GENESYS_CLOUD,
    timeout_seconds=10,
)
def get_estimated_wait_time(inp: GetEstimatedWaitTimeInput, ctx: ActionContext[GenesysConfig]) -> GetEstimatedWaitTimeOutput:
    body = _client(ctx).get(ctx, f"/api/v2/routing/queues/{inp.queue_id}/mediatypes/{inp.media_type}/estimatedwaittime")
    results = (body or {}).get("results") or []
    if not results:
        return GetEstimatedWaitTimeOutput(found=False, estimated_wait_time_seconds=0, formula="")
    first = results[0]
    seconds = first.get("estimatedWaitTimeSeconds") if isinstance(first, dict) else None
    if not isinstance(seconds, int | float):
        raise malformed(GENESYS.name, "estimatedWaitTimeSeconds missing")
    return GetEstimatedWaitTimeOutput(found=True, estimated_wait_time_seconds=int(seconds), formula=str(first.get("formula") or ""))


@action(
    name="Get User Presence",
    description="A user's Genesys Cloud presence (system presence, definition, message).",
    input=UserInput,
    output=GetUserPresenceOutput,
    backend=GENESYS_CLOUD,
    timeout_seconds=10,
)
def get_user_presence(inp: UserInput, ctx: ActionContext[GenesysConfig]) -> GetUserPresenceOutput:
    body = _client(ctx).get(ctx, f"/api/v2/users/{inp.user_id}/presences/PURECLOUD")
    if body is None:
        return GetUserPresenceOutput(found=False, presence="", presence_definition_id="", message="", modified_date="")
    definition = body.get("presenceDefinition") or {}
    if not isinstance(definition, dict) or "systemPresence" not in definition:
        raise malformed(GENESYS.name, "presenceDefinition.systemPresence missing")
    return GetUserPresenceOutput(
        found=True,
        presence=str(definition["systemPresence"]),
        presence_definition_id=str(definition.get("id") or ""),
        message=str(body.get("message") or ""),
        modified_date=str(body.get("modifiedDate") or ""),
    )


@action(
    name="Get User Routing Status",
    description="A user's ACD routing status (OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING, COMMUNICATING).",
    input=UserInput,
    output=GetUserRoutingStatusOutput,
    backend=GENESYS_CLOUD,
    timeout_seconds=10,
)
def get_user_routing_status(inp: UserInput, ctx: ActionContext[GenesysConfig]) -> GetUserRoutingStatusOutput:
    body = _client(ctx).get(ctx, f"/api/v2/users/{inp.user_id}/routingstatus")
    if body is None:
        return GetUserRoutingStatusOutput(found=False, status="OFF_QUEUE", start_time="")
    status = body.get("status")
    if status not in ("OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", "COMMUNICATING"):
        raise malformed(GENESYS.name, "unknown routing status")
    return GetUserRoutingStatusOutput(found=True, status=status, start_time=str(body.get("startTime") or ""))
