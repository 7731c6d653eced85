"""EX sync (NICE CXone into Genesys Cloud EX): the declared functions (stacks, local runs, demo and
docs derive from these).

Part 1, configuration:

    schedule (15 min) --> sync ------\\                       /--> apply (a page; the last page of a
    schedule (daily) --> reconcile ---+--> work (SQS FIFO) --+        phase sends the next phase)
    CLI: plan | drift | apply -------/   one group per lane
    Genesys audit events (EventBridge) --> genesys-audit: an owned object deleted in Genesys is
                                           marked; the next run re-creates (or restores) it

Part 2, what CXone did (:mod:`functions.exsync.feeds` has the logic and its picture):

    schedule (1 min) --> states-poll --> presence + routing-status events (batched)
    schedule (hourly) --> states-reconcile
    schedule (5 min) --> contacts-poll --\\
    schedule (hourly) -> contacts-reconcile --+--> interactions (SQS FIFO, a group per chain)
    CLI: backfill --from --to -------------/      --> inject-interaction --> recordings (SQS FIFO)
                                                   --> upload-recording (media layer)

The id map (``map`` table) is the contract part 2 builds on: :mod:`functions.exsync.idmap`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
        Table(
            "feed",
            "part 2: per contact chain its conversation and recording, per agent the last state injected, chains waiting for a transfer's next leg, refused events",
            sort_key=True,
            ttl_attribute="expiresAt",
        ),
        Table("idempotency", "contact chains already injected (powertools idempotency)", ttl_attribute="expiration"),
    ),
    queues=(
        Queue("work", "pages of a run's plan; one FIFO message group per lane"),
        Queue("interactions", "completed CXone contact chains to inject; one FIFO message group per chain"),
        Queue("recordings", "recordings of injected voice conversations; one FIFO message group per conversation"),
    ),
    event_sources=(EventSource("genesys", "Genesys Cloud (Amazon EventBridge integration, audit topic)", "aws.partner/genesys.com"),),
    metrics=(
        LogMetric("ObjectsFailed", "exsync-apply", "objects Genesys rejected or that failed in a page", field="failed", alarm_above=50),
        LogMetric("GenesysCalls", "exsync-apply", "Genesys API calls made applying pages", field="calls"),
        LogMetric(
            "ReconcileDrift", "exsync-reconcile", "objects the daily reconcile found different in Genesys", field="planned", alarm_above=100
        ),
        LogMetric("StatesRejected", "exsync-states-poll", "agent-state changes Genesys refused", field="rejected", alarm_above=0),
        LogMetric(
            "StateLag",
            "exsync-states-poll",
            "CXone change -> injected, ms",
            field="lagMs",
            statistic="p99",
            unit="Milliseconds",
            alarm_above=60000,
        ),
        LogMetric(
            "ConversationsRejected",
            "exsync-inject-interaction",
            "CXone contact chains Genesys refused (not retryable)",
            where=(("outcome", "rejected"),),
            alarm_above=0,
        ),
        LogMetric(
            "RecordingsUnusable",
            "exsync-upload-recording",
            "recordings that could not be converted",
            where=(("outcome", "unusable"),),
            alarm_above=0,
        ),
        LogMetric(
            "StatesDrift",
            "exsync-states-reconcile",
            "agents whose injected state the hourly reconcile corrected",
            field="drift",
            alarm_above=20,
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

if TYPE_CHECKING:
    from functions.cxone.client import CxoneClient
    from functions.genesys.client import GenesysClient

Config = SyncContext[ExSyncConfig]
HEADROOM = 0.98  # of the configured rate the budget spends


def _budget(ctx: Config, vendor: str, client_id: str, rate: int) -> Any:
    """The configuration's shared budget for one vendor credential (every function spends it)."""
    from syncs.budget import Budget

    # refilled at 98% of the rate with a small bank: no 60-second window exceeds the vendor's count
    # (300/min: at most 5 + 294); leases of at most the bank
    burst = ctx.config.rates.burst
    return Budget(
        ctx.aws.dynamodb, ctx.table("state"), f"budget#{vendor}#{client_id}", rate_per_minute=rate * HEADROOM, burst=burst, lease=burst
    )


def genesys_client(ctx: Config) -> GenesysClient:
    """The container's Genesys client, spending the shared budget."""

    def exsync_genesys(cfg: ExSyncConfig) -> GenesysClient:
        from functions.genesys.client import GenesysClient

        client = GenesysClient(cfg.genesys)
        client.throttle = _budget(ctx, "genesys", cfg.genesys.client_id, cfg.rates.genesys)
        return client

    return ctx.adapter(exsync_genesys)


def cxone_client(ctx: Config) -> CxoneClient:
    """The container's CXone client, spending the shared budget."""

    def exsync_cxone(cfg: ExSyncConfig) -> CxoneClient:
        from functions.cxone.client import CxoneClient

        client = CxoneClient(cfg.cxone)
        client.throttle = _budget(ctx, "cxone", cfg.cxone.access_key_id, cfg.rates.cxone)
        return client

    return ctx.adapter(exsync_cxone)


def parts(ctx: Config) -> runner.Parts:
    """The run's stores and vendor adapters (adapters once per container, spending the shared budgets)."""
    from functions.exsync.idmap import IdMap
    from functions.exsync.store import Store, current_mapping

    cfg = ctx.config
    dynamodb = ctx.aws.dynamodb

    def directory() -> Any:
        def exsync_directory(_: Any) -> Any:
            from functions.exsync.genesys import Directory

            return Directory(genesys_client(ctx))

        return ctx.adapter(exsync_directory)

    def cxone() -> Any:
        return cxone_client(ctx)

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


# -- part 2: what CXone did ------------------------------------------------------------------------------


def feed(ctx: Config) -> Any:
    from functions.exsync.feeds import Feed

    return Feed(ctx.aws.dynamodb, ctx.table("state"), ctx.table("feed"))


def source_id(ctx: Config, f: Any) -> str:
    """The registered presence source (looked up or registered once per container and name)."""
    from functions.exsync.feeds import presence_source

    def exsync_source(cfg: ExSyncConfig) -> str:
        return presence_source(ctx, f, genesys_client(ctx), cfg.feeds.source_name)

    return ctx.adapter(exsync_source)


def _states_injector(ctx: Config, f: Any) -> tuple[Any, Any]:
    """inject(changes) -> counts, and has_user(agent) (from part 1's id map)."""
    from functions.exsync.feeds import inject_changes, state_lookups
    from functions.exsync.idmap import IdMap

    g = genesys_client(ctx)
    source = source_id(ctx, f)

    def exsync_presences(_: ExSyncConfig) -> dict[str, str]:  # system presences do not change: read once per container
        from functions.presence.connectors import GenesysSide

        return {d["state"]: i for i, d in GenesysSide(g).definitions(ctx).items() if not d["reason"]}

    lookups = state_lookups(ctx.adapter(exsync_presences), IdMap(ctx.aws.dynamodb, ctx.table("map")))
    return (lambda changes: inject_changes(ctx, f, g, lookups, source, changes)), (lambda agent: bool(lookups.user(agent)))


@sync_function(
    family=EXSYNC,
    name="EX sync: CXone agent states",
    description="Polls CXone agent states every few seconds for a minute and injects them as Genesys presence and routing-status events (batched); one poller at a time.",
    trigger=Every(minutes=1),
    reads=("map", "state", "feed"),
    writes=("state", "feed"),
    timeout_seconds=65,
    concurrency=1,  # one poller at a time: the checkpoint and per-agent order need no lock
)
def states_poll(tick: Any, ctx: Config) -> dict[str, Any]:
    from functions.exsync.feeds import poll_states

    cfg = ctx.config.feeds
    if not cfg.states:
        return {"outcome": "off", "why": "feeds.states is false"}
    f = feed(ctx)
    once = isinstance(tick, dict) and bool(tick.get("once"))
    seconds = POLL_FOR_SECONDS
    if isinstance(tick, dict) and isinstance(tick.get("forSeconds"), int | float):  # a shorter run (local harness, benchmark)
        seconds = max(0.0, min(float(tick["forSeconds"]), POLL_FOR_SECONDS))
    inject, _ = _states_injector(ctx, f)
    return poll_states(ctx, f, cxone_client(ctx), inject, poll_seconds=cfg.poll_seconds, for_seconds=seconds, once=once)


POLL_FOR_SECONDS = 55.0  # each scheduled poller ends before the next one starts (a minute)


@sync_function(
    family=EXSYNC,
    name="EX sync: agent states reconcile",
    description="Hourly: every agent's current CXone state against the last one injected; what differs is injected.",
    trigger=Every(minutes=60),
    reads=("map", "state", "feed"),
    writes=("state", "feed"),
    timeout_seconds=300,
    concurrency=1,
)
def states_reconcile(tick: Any, ctx: Config) -> dict[str, Any]:
    from functions.exsync.feeds import reconcile_states

    if not ctx.config.feeds.states:
        return {"outcome": "off", "why": "feeds.states is false"}
    f = feed(ctx)
    inject, has_user = _states_injector(ctx, f)
    return reconcile_states(ctx, f, cxone_client(ctx), inject, has_user)


class WindowRequest(BaseModel):
    """A backfill (the CLI) or reconcile window of contact start times."""

    model_config = ConfigDict(extra="forbid")

    mode: str = Field(pattern=r"^(poll|backfill)$")
    start: str = Field(alias="from", pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$")
    end: str = Field(alias="to", pattern=r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$")
    again: bool = False  # a window done before is read again (chains already injected whole are still not sent)


def _sender(ctx: Config, f: Any, *, window: bool) -> Any:
    from functions.exsync.feeds import ChainSender

    def send(messages: list[tuple[dict[str, Any], str | None, str | None]]) -> int:
        return ctx.send("interactions", messages)

    return ChainSender(f, send, ctx.config.feeds.pending_hours, hold_incomplete=not window, skip_injected=window)


@sync_function(
    family=EXSYNC,
    name="EX sync: CXone completed contacts",
    description="Every 5 minutes: contacts CXone completed since the last poll, as contact chains to inject; the CLI's backfill runs a date range through it, resumably.",
    trigger=Every(minutes=5),
    reads=("state", "feed"),
    writes=("state", "feed"),
    sends_to=("interactions",),
    timeout_seconds=300,
    concurrency=1,
)
def contacts_poll(tick: Any, ctx: Config) -> dict[str, Any]:
    from functions.exsync.feeds import parse_time, poll_contacts, sync_window

    cfg = ctx.config.feeds
    if not cfg.interactions:
        return {"outcome": "off", "why": "feeds.interactions is false"}
    f = feed(ctx)
    if isinstance(tick, dict) and tick.get("mode") == "backfill":
        from pydantic import ValidationError

        try:
            req = WindowRequest.model_validate(tick)
            start, end = parse_time(req.start), parse_time(req.end)
        except (ValidationError, ValueError) as exc:
            fields = sorted({str(e["loc"][0]) for e in exc.errors()}) if isinstance(exc, ValidationError) else ["from/to"]
            return {"outcome": "invalid", "why": f"backfill request: check {', '.join(fields)} (dates YYYY-MM-DD[THH:MM[:SS]Z], UTC)"}
        if end <= start:
            return {"outcome": "invalid", "why": "backfill request: 'to' must be after 'from'"}
        name = f"backfill#{start.isoformat()}#{end.isoformat()}"
        return sync_window(ctx, f, cxone_client(ctx), _sender(ctx, f, window=True), start, end, name, again=req.again)
    return poll_contacts(
        ctx, f, cxone_client(ctx), _sender(ctx, f, window=False), settle_seconds=cfg.settle_seconds, lookback_minutes=cfg.lookback_minutes
    )


@sync_function(
    family=EXSYNC,
    name="EX sync: contacts reconcile",
    description="Hourly: yesterday's contacts (UTC, from 22:00 the day before) until done; chains never injected (a missed poll, a dead letter) are queued again. Once done, a run reads one checkpoint.",
    trigger=Every(minutes=60),
    reads=("state", "feed"),
    writes=("state", "feed"),
    sends_to=("interactions",),
    timeout_seconds=900,
    concurrency=1,
)
def contacts_reconcile(tick: Any, ctx: Config) -> dict[str, Any]:
    from datetime import UTC, datetime, timedelta

    from functions.exsync.feeds import sync_window

    if not ctx.config.feeds.interactions:
        return {"outcome": "off", "why": "feeds.interactions is false"}
    f = feed(ctx)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=1, hours=2)  # chains that began before midnight
    name = f"reconcile#{(today - timedelta(days=1)).date().isoformat()}"
    return sync_window(ctx, f, cxone_client(ctx), _sender(ctx, f, window=True), start, today, name)


class ChainMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str = Field(pattern=r"^[0-9a-f]{40}$")
    master: int = Field(ge=1)
    contacts: list[dict[str, Any]] = Field(min_length=1, max_length=50)

    @field_validator("contacts")
    @classmethod
    def _contact_ids(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for c in value:
            if not isinstance(c.get("contactId"), int) or c["contactId"] < 1:
                raise ValueError("every contact needs a positive integer contactId")
        return value


@sync_function(
    family=EXSYNC,
    name="EX sync: inject an interaction",
    description="One CXone contact chain as one Genesys conversation (established, routing, user, hold, transfer, disposition, ended events); voice goes on to the recordings queue.",
    trigger=FromQueue("interactions", batch_size=5),
    message=ChainMessage,
    idempotency_key="key",
    reads=("map", "state", "feed"),
    writes=("state", "feed", "idempotency"),
    sends_to=("recordings",),
    timeout_seconds=120,
)
def inject_interaction(message: ChainMessage, ctx: Config) -> dict[str, Any]:
    from functions.exsync.feeds import conversation_ids, inject_chain
    from functions.exsync.idmap import IdMap

    f = feed(ctx)
    ids = conversation_ids(IdMap(ctx.aws.dynamodb, ctx.table("map")))
    summary, recording = inject_chain(
        ctx,
        f,
        cxone_client(ctx),
        genesys_client(ctx),
        ids,
        source_id(ctx, f),
        message.master,
        message.contacts,
        ordering=ctx.config.feeds.ordering,
    )
    if recording is not None and ctx.config.feeds.recordings:
        ctx.send("recordings", [(recording, recording["conversationId"], recording["conversationId"])])
        summary["recording"] = "queued"
    return summary


class RecordingMessage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    master: int = Field(ge=1)
    conversation_id: str = Field(alias="conversationId", pattern=r"^[0-9a-f-]{36}$")
    communication_id: str = Field(alias="communicationId", pattern=r"^[0-9a-f-]{36}$")
    ended_at: str = Field(alias="endedAt", pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$")


@sync_function(
    family=EXSYNC,
    name="EX sync: upload a recording",
    description="Downloads a CXone call recording, converts it to what Genesys analyses (8 kHz, dual channel, customer on channel 0) while streaming, and uploads it for its conversation.",
    trigger=FromQueue("recordings", batch_size=1),
    message=RecordingMessage,
    reads=("state", "feed"),
    writes=("state", "feed"),
    timeout_seconds=600,
    memory_mb=512,
    layers=("core", "sync", "media"),
    storage_mb=2048,  # the converted recording is spooled to /tmp while its MD5 is computed (about 1 MB a minute of call)
)
def upload_recording(message: RecordingMessage, ctx: Config) -> dict[str, Any]:
    from functions.exsync.feeds import upload
    from functions.exsync.media import Target

    return upload(
        ctx,
        feed(ctx),
        cxone_client(ctx),
        genesys_client(ctx),
        message.master,
        message.conversation_id,
        message.communication_id,
        message.ended_at,
        Target(),
    )
