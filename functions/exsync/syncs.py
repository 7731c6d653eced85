"""EX sync, part 1 (CXone configuration into Genesys Cloud EX): the declared functions (stacks,
local runs, demo and docs derive from these).

    schedule (15 min) --> sync ------\\                       /--> apply (a page; the last page of a
    schedule (daily) --> reconcile ---+--> work (SQS FIFO) --+        phase sends the next phase)
    CLI: plan | drift | apply -------/   one group per lane
    Genesys audit events (EventBridge) --> genesys-audit: an owned object deleted in Genesys is
                                           marked; the next run re-creates (or restores) it

The id map (``map`` table) is the contract later parts build on: :mod:`functions.exsync.idmap`.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from functions.exsync import runner
from functions.exsync.models import ExSyncConfig
from syncs import EventSource, Every, FromQueue, LogMetric, OnEvent, Queue, SyncContext, SyncFamily, Table, sync_function

EXSYNC = SyncFamily(
    kind="exsync",
    title="EX sync (CXone configuration into Genesys Cloud EX)",
    config_model=ExSyncConfig,
    tables=(
        Table("map", "CXone id -> Genesys id per object kind, content hashes of what was applied, the reverse index", sort_key=True),
        Table("runs", "runs: summaries, per-object results, the stored plan in pages", sort_key=True, ttl_attribute="expiresAt"),
        Table("state", "the active run, checkpoints, the shared rate budgets"),
        Table("mapping", "the mapping document: every pushed version and the current one", sort_key=True),
    ),
    queues=(Queue("work", "pages of a run's plan; one FIFO message group per lane"),),
    event_sources=(EventSource("genesys", "Genesys Cloud (Amazon EventBridge integration, audit topic)", "aws.partner/genesys.com"),),
    metrics=(
        LogMetric("ObjectsFailed", "exsync-apply", "objects Genesys rejected or that failed in a page", field="failed", alarm_above=50),
        LogMetric("GenesysCalls", "exsync-apply", "Genesys API calls made applying pages", field="calls"),
        LogMetric(
            "ReconcileDrift", "exsync-reconcile", "objects the daily reconcile found different in Genesys", field="planned", alarm_above=100
        ),
        LogMetric(
            "RunsBusy",
            "exsync-sync",
            "scheduled runs skipped because a run was still being applied",
            where=(("outcome", "busy"),),
            alarm_above=3,
        ),
    ),
    secret_example={
        "cxone": {
            "accessKeyId": "<access key id>",
            "accessKeySecret": "<access key secret>",
            "clientId": "<app client id>",
            "clientSecret": "<app client secret>",
            "tenantId": "<tenant id>",
        },
        "genesys": {"clientId": "<OAuth client id (client credentials)>", "clientSecret": "<secret>", "region": "mypurecloud.com"},
        "rates": {"genesys": 300, "cxone": 600},
        "lanes": 2,
    },
)

Config = SyncContext[ExSyncConfig]
HEADROOM = 0.98  # of the configured rate the budget spends


def parts(ctx: Config) -> runner.Parts:
    """The run's stores and vendor adapters (adapters once per container, spending the shared budgets)."""
    from functions.exsync.idmap import IdMap
    from functions.exsync.store import Store, current_mapping

    cfg = ctx.config
    dynamodb = ctx.aws.dynamodb

    def budget(vendor: str, client_id: str, rate: int) -> Any:
        from syncs.budget import Budget

        # refilled at 98% of the rate with a small bank: no 60-second window exceeds the vendor's count
        # (300/min: at most 5 + 294); leases of at most the bank
        burst = cfg.rates.burst
        refill = rate * HEADROOM
        return Budget(dynamodb, ctx.table("state"), f"budget#{vendor}#{client_id}", rate_per_minute=refill, burst=burst, lease=burst)

    def directory() -> Any:
        def build(_: Any) -> Any:
            from functions.exsync.genesys import Directory
            from functions.genesys.client import GenesysClient

            client = GenesysClient(cfg.genesys)
            client.throttle = budget("genesys", cfg.genesys.client_id, cfg.rates.genesys)
            return Directory(client)

        build.__name__ = "exsync_directory"
        return ctx.adapter(build)

    def cxone() -> Any:
        def build(_: Any) -> Any:
            from functions.cxone.client import CxoneClient

            client = CxoneClient(cfg.cxone)
            client.throttle = budget("cxone", cfg.cxone.access_key_id, cfg.rates.cxone)
            return client

        build.__name__ = "exsync_cxone"
        return ctx.adapter(build)

    def send(messages: list[tuple[dict[str, Any], str | None, str | None]]) -> int:
        return ctx.send("work", messages)

    return runner.Parts(
        store=Store(dynamodb, ctx.table("runs"), ctx.table("state")),
        idmap=IdMap(dynamodb, ctx.table("map")),
        mapping=current_mapping(dynamodb, ctx.table("mapping")),
        directory=directory,
        cxone=cxone,
        send=send,
        lanes=cfg.lanes,
        page_ops=cfg.page_ops,
    )


def _mode(event: Any, default: str) -> tuple[str, str | None]:
    """A scheduled tick runs ``default``; a direct invocation (the CLI) may ask for another mode."""
    if isinstance(event, dict) and isinstance(event.get("mode"), str):
        mode = event["mode"]
        if mode not in ("sync", "plan", "apply", "drift", "reconcile"):
            raise ValueError("mode must be sync, plan, apply, drift or reconcile")
        run = event.get("run")
        return mode, str(run) if run else None
    return default, None


@sync_function(
    family=EXSYNC,
    name="EX sync: plan and start a run",
    description="Every 15 minutes: reads CXone, plans the difference against the id map and queues its pages (the CLI also plans, applies a stored plan, or reports drift).",
    trigger=Every(minutes=15),
    reads=("map", "runs", "state", "mapping"),
    writes=("runs", "state"),
    sends_to=("work",),
    timeout_seconds=900,
    memory_mb=1024,
)
def sync(event: Any, ctx: Config) -> dict[str, Any]:
    mode, run = _mode(event, "sync")
    return runner.plan_run(ctx, parts(ctx), mode, run)


@sync_function(
    family=EXSYNC,
    name="EX sync: reconcile",
    description="Daily: plans against Genesys as it is (objects deleted or changed there, rejected content retried) and queues the fixes.",
    trigger=Every(minutes=1440),
    reads=("map", "runs", "state", "mapping"),
    writes=("runs", "state"),
    sends_to=("work",),
    timeout_seconds=900,
    memory_mb=1024,
)
def reconcile(event: Any, ctx: Config) -> dict[str, Any]:
    mode, run = _mode(event, "reconcile")
    return runner.plan_run(ctx, parts(ctx), mode, run)


class PageMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    run: str = Field(pattern=r"^[0-9]{8}T[0-9]{9}Z-[0-9a-f]{4}$")
    phase: int = Field(ge=1, le=9)
    page: int = Field(ge=0)
    start: int = Field(0, ge=0)


@sync_function(
    family=EXSYNC,
    name="EX sync: apply a page",
    description="Applies one page of a run's plan to Genesys (idempotent per object); the last page of a phase queues the next phase.",
    trigger=FromQueue("work", batch_size=1),
    message=PageMessage,
    reads=("map", "runs", "state", "mapping"),
    writes=("map", "runs", "state"),
    sends_to=("work",),
    timeout_seconds=600,
    memory_mb=512,
)
def apply(message: PageMessage, ctx: Config) -> dict[str, Any]:
    return runner.apply_page(ctx, parts(ctx), message.run, message.phase, message.page, message.start)


class AuditBody(BaseModel):
    model_config = ConfigDict(extra="allow")

    action: str = Field(max_length=40)
    entity_type: str = Field(alias="entityType", max_length=80)
    entity: dict[str, Any]


class AuditDetail(BaseModel):
    topic_name: str = Field(alias="topicName", pattern=r"^v2\.audits\.entitytype\.[A-Za-z]+\.entityid\.[0-9a-fA-F-]{36}$")
    event_body: AuditBody = Field(alias="eventBody")


class AuditEvent(BaseModel):
    id: str
    detail: AuditDetail


@sync_function(
    family=EXSYNC,
    name="EX sync: Genesys audit events",
    description="An object the sync owns deleted in Genesys is marked so the next run re-creates it (a user is restored).",
    trigger=OnEvent("genesys", ("v2.audits.entitytype.{id}.entityid.{id}",)),
    message=AuditEvent,
    reads=("map",),
    writes=("map",),
    timeout_seconds=30,
)
def genesys_audit(event: AuditEvent, ctx: Config) -> dict[str, Any]:
    from functions.exsync.idmap import IdMap

    body = event.detail.event_body.model_dump(by_alias=True)
    return runner.on_audit(IdMap(ctx.aws.dynamodb, ctx.table("map")), event.id, body)
