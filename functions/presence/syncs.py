"""Presence sync: the declared functions (stacks, local runs, demo and docs derive from these).

    Genesys EventBridge --> genesys-events --\\
    Salesforce Event Relay --> salesforce-events --> changes (SQS FIFO, one group per agent) --> apply
    schedule --> cxone-poll ---------------------/                                                ^
    schedule --> reconcile (identities, drift) -------------------------------------------------/

``apply`` is the only writer of agent records, so every agent's changes are decided one at a time,
in order, exactly once per source event (powertools idempotency on the change's event id).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from functions.presence import store
from functions.presence.connectors import CxoneSide, GenesysSide, NotLoggedIn, Refused, Rejected, SalesforceSide, epoch_ms, genesys_presence
from functions.presence.engine import AgentRecord, Decision, decide, observe
from functions.presence.model import Change
from functions.presence.models import PresenceConfig
from syncs import EventSource, Every, FromQueue, LogMetric, OnEvent, Queue, SyncContext, SyncFamily, Table, sync_function

PRESENCE = SyncFamily(
    kind="presence",
    title="Presence sync",
    config_model=PresenceConfig,
    tables=(
        Table("rules", "the rules document: every pushed version and the current one", sort_key=True),
        Table("state", "agent records and history, identity pairs, the CXone poll checkpoint, rate budgets"),
        Table("audit", "every decision (event, rule, action, result, latency) by agent and time", sort_key=True, ttl_attribute="expiresAt"),
        Table("idempotency", "source event ids already decided (powertools idempotency)", ttl_attribute="expiration"),
    ),
    queues=(Queue("changes", "observed changes, one FIFO message group per agent"),),
    event_sources=(
        EventSource("genesys", "Genesys Cloud (Amazon EventBridge integration)", "aws.partner/genesys.com"),
        EventSource("salesforce", "Salesforce (Event Relay of Presence_Change__e)", "aws.partner/salesforce.com"),
    ),
    metrics=(
        LogMetric(
            "BreakerTrips",
            "presence-apply",
            "an agent flapped: writes stopped for the cool-down",
            where=(("outcome", "breaker-tripped"),),
            alarm_above=0,
        ),
        LogMetric(
            "SyncLatency",
            "presence-apply",
            "event in -> other side written, ms",
            field="latencyMs",
            statistic="p99",
            unit="Milliseconds",
            alarm_above=10000,
        ),
        LogMetric("DriftContactCenter", "presence-reconcile", "contact-center states events had missed", field="driftCc", alarm_above=20),
        LogMetric("DriftSalesforce", "presence-reconcile", "Omni-Channel states events had missed", field="driftSf", alarm_above=20),
        LogMetric(
            "CommandsRefused", "presence-apply", "writes the platform refused (agent on a contact: held)", where=(("outcome", "held"),)
        ),
    ),
    secret_example={
        "contactCenter": "cxone",
        "cxone": {
            "accessKeyId": "<access key id>",
            "accessKeySecret": "<access key secret>",
            "clientId": "<app client id>",
            "clientSecret": "<app client secret>",
            "tenantId": "<tenant id>",
        },
        "salesforce": {
            "auth": "client_credentials",
            "loginUrl": "https://<my-domain>.my.salesforce.com",
            "clientId": "<consumer key>",
            "clientSecret": "<consumer secret>",
        },
    },
)

Config = SyncContext[PresenceConfig]


# -- vendors, one adapter each per container, spending the configuration's shared budget ------------


def _budget(ctx: Config, vendor: str, client_id: str, rate: int) -> Any:
    from syncs.budget import Budget

    return Budget(ctx.aws.dynamodb, ctx.table("state"), f"budget#{vendor}#{client_id}", rate_per_minute=rate, burst=max(5, rate // 10))


def contact_center(ctx: Config) -> GenesysSide | CxoneSide:
    cfg = ctx.config

    def build(_: Any) -> GenesysSide | CxoneSide:
        if cfg.contact_center == "genesys":
            from functions.genesys.client import GenesysClient

            assert cfg.genesys is not None
            g = GenesysClient(cfg.genesys)
            g.throttle = _budget(ctx, "genesys", cfg.genesys.client_id, cfg.rates.genesys)
            return GenesysSide(g)
        from functions.cxone.client import CxoneClient

        assert cfg.cxone is not None
        c = CxoneClient(cfg.cxone)
        c.throttle = _budget(ctx, "cxone", cfg.cxone.access_key_id, cfg.rates.cxone)
        return CxoneSide(c)

    build.__name__ = "contact_center"
    return ctx.adapter(build)


def salesforce(ctx: Config) -> SalesforceSide:
    def build(cfg: PresenceConfig) -> SalesforceSide:
        from functions.salesforce.client import SalesforceClient

        client = SalesforceClient(cfg.salesforce)
        client.throttle = _budget(ctx, "salesforce", cfg.salesforce.client_id, cfg.rates.salesforce)
        return SalesforceSide(client)

    build.__name__ = "salesforce"
    return ctx.adapter(build)


def _dedup(event_id: str) -> str:
    return hashlib.sha256(event_id.encode()).hexdigest()  # SQS deduplication ids: 128 characters at most


def _queue(ctx: Config, changes: list[Change]) -> int:
    return ctx.send("changes", [(c.model_dump(), c.agent, _dedup(c.event_id)) for c in changes])


# -- ingest: vendor events -> normalised changes, one FIFO group per agent ----------------------------


class GenesysDetail(BaseModel):
    topic_name: str = Field(alias="topicName", pattern=r"^v2\.users\.[0-9a-fA-F-]{36}\.(presence|routingStatus)$")
    event_body: dict[str, Any] = Field(alias="eventBody")


class GenesysEvent(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    time: str
    detail: GenesysDetail


@sync_function(
    family=PRESENCE,
    name="Presence: Genesys Cloud events",
    description="Genesys presence and routing-status events from the EventBridge integration become ordered changes.",
    trigger=OnEvent("genesys", ("v2.users.{id}.presence", "v2.users.{id}.routingStatus")),
    message=GenesysEvent,
    sends_to=("changes",),
    timeout_seconds=30,
)
def genesys_events(event: GenesysEvent, ctx: Config) -> dict[str, Any]:
    _, _, user, topic = event.detail.topic_name.split(".")
    body = event.detail.event_body
    if topic == "presence":
        definition = body.get("presenceDefinition") or {}
        at = epoch_ms(body.get("modifiedDate")) or epoch_ms(event.time)
        change = Change(
            event_id=f"genesys:{user}:presence:{at}:{definition.get('id', '')}",
            agent=user,
            side="cc",
            at=at,
            state=genesys_presence(str(definition.get("systemPresence") or "")),
            status_id=str(definition.get("id") or ""),
            received_at=time.time(),
        )
    else:
        routing = body.get("routingStatus") or {}
        at = epoch_ms(routing.get("startTime")) or epoch_ms(event.time)
        status = str(routing.get("status") or "").upper()
        change = Change(
            event_id=f"genesys:{user}:routing:{at}:{status}",
            agent=user,
            side="cc",
            at=at,
            state="",
            routing=status,
            received_at=time.time(),
        )
    _queue(ctx, [change])
    return {"outcome": "queued", "agent": user}


class SalesforcePayload(BaseModel):
    user_id: str = Field(alias="UserId__c", pattern=r"^[a-zA-Z0-9]{15,18}$")
    status: str = Field(alias="StatusApiName__c", max_length=80)
    status_id: str = Field("", alias="StatusId__c", max_length=18)
    reason: str = Field("", alias="Reason__c", max_length=40)
    command_id: str = Field("", alias="CommandId__c", max_length=64)
    change_id: str = Field(alias="ChangeId__c", min_length=1, max_length=64)
    created: str = Field("", alias="CreatedDate")

    @field_validator("status_id", "reason", "command_id", "created", mode="before")
    @classmethod
    def _null_as_blank(cls, value: Any) -> Any:
        return "" if value is None else value  # platform events send unset fields as null


class SalesforceDetail(BaseModel):
    payload: SalesforcePayload


class SalesforceEvent(BaseModel):
    id: str
    time: str
    detail: SalesforceDetail


@sync_function(
    family=PRESENCE,
    name="Presence: Salesforce Omni-Channel events",
    description="Presence_Change__e events relayed from Salesforce become ordered changes of the paired agent.",
    trigger=OnEvent("salesforce", ("Presence_Change__e",)),
    message=SalesforceEvent,
    reads=("state",),
    sends_to=("changes",),
    timeout_seconds=30,
)
def salesforce_events(event: SalesforceEvent, ctx: Config) -> dict[str, Any]:
    p = event.detail.payload
    agent = store.agent_for_sf_user(ctx, p.user_id)
    if agent is None:
        return {"outcome": "unpaired", "why": "no contact-center agent is paired with this Salesforce user"}
    # The platform's own time for the change (server clock), not the agent PC's.
    at = epoch_ms(p.created) or epoch_ms(event.time)
    change = Change(
        event_id=f"sf:{p.change_id}",
        agent=agent,
        side="sf",
        at=at,
        state=p.status,
        reason=p.reason,
        status_id=p.status_id,
        command_id=p.command_id,
        sf_user=p.user_id,
        received_at=time.time(),
    )
    _queue(ctx, [change])
    return {"outcome": "queued", "agent": agent}


# -- CXone has no agent-state push: a poller, one at a time ----------------------------------------------


@sync_function(
    family=PRESENCE,
    name="Presence: CXone agent-state poller",
    description="Polls CXone agent states (updatedSince) every few seconds for a minute; one poller at a time.",
    trigger=Every(minutes=1),
    reads=("state",),
    writes=("state",),
    sends_to=("changes",),
    timeout_seconds=65,
    concurrency=1,  # one poller at a time: Lambda refuses a second one (no lock item to write)
)
def cxone_poll(tick: Any, ctx: Config) -> dict[str, Any]:
    cfg = ctx.config
    if cfg.contact_center != "cxone":
        return {"outcome": "idle", "why": "the contact center is not CXone"}
    side = contact_center(ctx)
    assert isinstance(side, CxoneSide)
    polls = queued = 0
    since = store.checkpoint(ctx, "cxone-states").get("updatedSince")
    stop = time.monotonic() + POLL_FOR_SECONDS  # ends before the next scheduled run starts
    while True:
        states, next_since = side.client.agent_states(ctx, since)
        polls += 1
        changes = [side.change(s) for s in states if s.get("agentId") is not None]
        if changes:
            queued += _queue(ctx, changes)
            if next_since and next_since != since:  # nothing new: nothing written (the same question next time)
                since = next_since
                store.save_checkpoint(ctx, "cxone-states", {"updatedSince": since})
        if (
            time.monotonic() + cfg.poll_seconds > stop
            or ctx.time_left() < cfg.poll_seconds + 5
            or (isinstance(tick, dict) and tick.get("once"))
        ):
            break
        time.sleep(cfg.poll_seconds)
    return {"outcome": "polled", "polls": polls, "queued": queued}


POLL_FOR_SECONDS = 55


# -- apply: one change of one agent, decided and written ---------------------------------------------


@sync_function(
    family=PRESENCE,
    name="Presence: apply",
    description="Decides each change by the rules (echo, held, breaker, previous state) and writes the other side.",
    trigger=FromQueue("changes"),
    message=Change,
    idempotency_key="event_id",
    reads=("rules", "state"),
    writes=("state", "audit", "idempotency"),
    timeout_seconds=60,
)
def apply(change: Change, ctx: Config) -> dict[str, Any]:
    rules = store.current_rules(ctx)
    if rules is None:
        return {"outcome": "no-rules", "why": "no rules document pushed yet"}
    cc = contact_center(ctx)
    if rules.platform != cc.platform:
        return {"outcome": "misconfigured", "why": f"rules are for {rules.platform}, the secret names {cc.platform}"}
    if isinstance(cc, GenesysSide) and change.side == "cc" and change.status_id and not change.routing:
        state, reason = cc.describe(ctx, change.status_id, change.state)
        change = change.model_copy(update={"state": state, "reason": reason})
    done: set[tuple[str, str]] = set()
    for _ in range(3):  # the record changed under us (a reconcile, a redrive): decide again on the new one
        record = store.load_agent(ctx, change.agent)
        decision = decide(record, change, rules, time.time())
        decision = _write(ctx, record, change, rules, decision, cc, done)
        try:
            if decision.record is not record:
                store.save_agent(ctx, decision.record)
            break
        except store.Conflict:
            continue
    else:
        raise store.Conflict(change.agent)
    latency = int((time.time() - change.received_at) * 1000) if change.received_at else None
    summary = {**decision.summary(), "agent": change.agent, "side": change.side, "origin": change.origin}
    if decision.writes:
        summary["latencyMs"] = latency
    store.audit(
        ctx,
        change.agent,
        change.event_id,
        {**summary, "state": f"{change.state}/{change.reason}" if change.reason else change.state, "routing": change.routing},
    )
    return summary


def _write(
    ctx: Config,
    before: AgentRecord,
    change: Change,
    rules: Any,
    decision: Decision,
    cc: GenesysSide | CxoneSide,
    done: set[tuple[str, str]],
) -> Decision:
    """Carry out the decision's writes; a contact-center refusal (agent on a contact) re-decides with the change held."""
    if decision.outcome == "dry-run":
        return decision
    for write in decision.writes:
        key = (write.side, write.describe())
        if key in done:
            continue  # written in an earlier attempt of this message
        if write.side == "sf":
            expires = int((time.time() + ctx.config.command_ttl_seconds) * 1000)
            salesforce(ctx).command(ctx, decision.record.sf_user, write.sf_status, write.command_id, expires)
        else:
            assert write.cc is not None
            try:
                cc.write(ctx, change.agent, write.cc)
            except Refused:
                return _write(ctx, before, change, rules, decide(before, change, rules, time.time(), on_contact=True), cc, done)
            except NotLoggedIn:
                record = observe(before, change, rules, time.time())
                return Decision("not-logged-in", "the agent has no contact-center session to set", record, rule=decision.rule)
            except Rejected as exc:
                return Decision("rejected", str(exc), observe(before, change, rules, time.time()), rule=decision.rule)
        done.add(key)
    return decision


# -- reconcile: identities, missed events, drift -------------------------------------------------------


@sync_function(
    family=PRESENCE,
    name="Presence: reconcile",
    description="Pairs agents with Salesforce users by email, reads both sides and queues what events missed; reports drift.",
    trigger=Every(minutes=15),
    reads=("rules", "state"),
    writes=("state",),
    sends_to=("changes",),
    timeout_seconds=300,
    memory_mb=512,
    concurrency=1,
)
def reconcile(tick: Any, ctx: Config) -> dict[str, Any]:
    rules = store.current_rules(ctx)
    if rules is None:
        return {"outcome": "no-rules"}
    cc, sf = contact_center(ctx), salesforce(ctx)
    agents = cc.snapshot(ctx)
    by_email = sf.users_by_email(ctx)
    explicit = {k.lower(): v for k, v in rules.identities.items()}
    omni = sf.snapshot(ctx)
    now = time.time()
    paired = repaired = 0
    unpaired: list[str] = []
    queued: list[Change] = []
    drift = {"cc": 0, "sf": 0}
    for a in agents:
        sf_user = explicit.get(a["agent"].lower()) or explicit.get(a["email"].lower()) or by_email.get(a["email"].lower())
        if not sf_user:
            unpaired.append(a["agent"])
            continue
        paired += 1
        repaired += store.pair(ctx, a["agent"], sf_user, a["email"], a["team"])
        record = store.load_agent(ctx, a["agent"])
        stamp = f"{int(now)}"
        if (a["state"], a["reason"], a["acw"]) != (record.cc.get("state"), record.cc.get("reason", ""), record.cc.get("acw", False)) and a[
            "at"
        ]:
            drift["cc"] += 1
            queued.append(
                Change(
                    event_id=f"reconcile:{a['agent']}:cc:{a['at']}:{a['state']}:{a['reason']}",
                    agent=a["agent"],
                    side="cc",
                    at=max(a["at"], record.cc.get("at", 0)),
                    state=a["state"],
                    reason=a["reason"],
                    acw=a["acw"],
                    origin="reconcile",
                    received_at=now,
                )
            )
        if a["routing"] and a["routing"] != record.cc.get("routing"):
            drift["cc"] += 1
            queued.append(
                Change(
                    event_id=f"reconcile:{a['agent']}:routing:{a['atRouting']}:{a['routing']}",
                    agent=a["agent"],
                    side="cc",
                    at=max(a["atRouting"], record.cc.get("atRouting", 0)),
                    state="",
                    routing=a["routing"],
                    origin="reconcile",
                    received_at=now,
                )
            )
        o = omni.get(sf_user, {"status": "Offline", "at": 0})
        if o["status"] != record.sf.get("status"):
            drift["sf"] += 1
            queued.append(
                Change(
                    event_id=f"reconcile:{a['agent']}:sf:{o['at']}:{o['status']}:{stamp}",
                    agent=a["agent"],
                    side="sf",
                    at=max(o["at"], record.sf.get("at", 0)),
                    state=o["status"],
                    sf_user=sf_user,
                    origin="reconcile",
                    received_at=now,
                )
            )
    if queued:
        _queue(ctx, queued)
    return {
        "outcome": "reconciled",
        "paired": paired,
        "unpaired": unpaired,
        "newPairs": repaired,
        "driftCc": drift["cc"],
        "driftSf": drift["sf"],
        "queued": len(queued),
    }
