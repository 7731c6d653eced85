"""The sync runtime through its doors: EventBridge event in, FIFO queue, batch consumer with
partial failures, idempotency and the dead-letter queue, on moto, with a small family declared here."""

from __future__ import annotations

import io
import json
import uuid

import pytest
from pydantic import BaseModel

from dataactions import log
from local.syncrun import LocalSync
from syncs import EventSource, FromQueue, OnEvent, Queue, SyncContext, SyncFamily, Table, sync_function


class Secret(BaseModel):
    token: str


class Change(BaseModel):
    event_id: str
    key: str
    value: str


class Event(BaseModel):
    id: str
    detail: dict


FAMILY = SyncFamily(
    kind="demo",
    title="Runtime test family",
    config_model=Secret,
    tables=(Table("state", "last value per key"), Table("idempotency", "processed event ids", ttl_attribute="expiration")),
    queues=(Queue("changes", "per-key ordered changes", max_receives=2),),
    event_sources=(EventSource("vendor", "A vendor", "aws.partner/vendor.example"),),
)
SEEN: list[tuple[str, str]] = []
DOWN = {"boom"}  # values whose target is down


@sync_function(
    family=FAMILY,
    name="ingest",
    description="vendor event -> ordered change",
    trigger=OnEvent("vendor", ("thing.changed",)),
    message=Event,
    sends_to=("changes",),
)
def ingest(event: Event, ctx: SyncContext[Secret]) -> dict:
    body = {"event_id": event.id, **event.detail}
    ctx.send("changes", [(body, str(event.detail.get("key")), event.id)])
    return {"outcome": "queued"}


@sync_function(
    family=FAMILY,
    name="apply",
    description="apply one change",
    trigger=FromQueue("changes"),
    message=Change,
    idempotency_key="event_id",
    reads=("state",),
    writes=("state", "idempotency"),
)
def apply(change: Change, ctx: SyncContext[Secret]) -> dict:
    assert ctx.config.token == "t0ken"
    if change.value in DOWN:
        raise RuntimeError("target down")
    SEEN.append((change.key, change.value))
    ctx.aws.dynamodb.put_item(TableName=ctx.table("state"), Item={"pk": {"S": change.key}, "value": {"S": change.value}})
    return {"outcome": "applied", "key": change.key}


def event(key: str, value: str, event_id: str | None = None) -> dict:
    return {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "thing.changed",
        "source": "aws.partner/vendor.example/x",
        "time": "2026-12-03T10:00:00Z",
        "detail": {"key": key, "value": value},
    }


@pytest.fixture
def local(standins):
    SEEN.clear()
    buf = io.StringIO()
    log.set_stream(buf)
    sync = LocalSync(standins, FAMILY, f"t{uuid.uuid4().hex[:6]}", {"token": "t0ken"}, handlers=[ingest, apply])
    sync.log = buf
    yield sync
    log.set_stream(None)


def value_of(sync: LocalSync, key: str) -> str | None:
    item = sync.dynamodb.get_item(TableName=sync.table_names["state"], Key={"pk": {"S": key}}).get("Item")
    return item["value"]["S"] if item else None


def lines(sync: LocalSync) -> list[dict]:
    return [json.loads(x) for x in sync.log.getvalue().splitlines()]


def test_events_flow_through_the_fifo_queue_in_order_per_key(local) -> None:
    for v in ("1", "2", "3"):
        local.publish("vendor", event("a", v))
        local.publish("vendor", event("b", v))
    stats = local.drain()
    assert stats.messages == 6 and stats.failures == 0
    assert [v for k, v in SEEN if k == "a"] == ["1", "2", "3"]
    assert [v for k, v in SEEN if k == "b"] == ["1", "2", "3"]
    assert value_of(local, "a") == "3"


def test_a_duplicate_source_event_does_nothing(local) -> None:
    ev = event("a", "1")
    local.publish("vendor", ev)
    local.drain()
    # the same event delivered again after SQS's 5-minute deduplication window: a new message, same event id
    local.sqs.send_message(
        QueueUrl=local.queue_urls["changes"],
        MessageBody=json.dumps({"event_id": ev["id"], "key": "a", "value": "1"}),
        MessageGroupId="a",
        MessageDeduplicationId="later",
    )
    local.drain()
    assert SEEN == [("a", "1")]
    assert [r["outcome"] for r in lines(local) if r["function"] == "demo-apply"] == ["applied", "duplicate"]


def test_an_invalid_message_goes_straight_to_the_dead_letter_queue(local) -> None:
    local.sqs.send_message(
        QueueUrl=local.queue_urls["changes"], MessageBody='{"key": "a"}', MessageGroupId="a", MessageDeduplicationId="x1"
    )
    stats = local.drain()
    assert stats.failures == 0
    assert local.dead_letters("changes") == [{"invalidBody": '{"key": "a"}'}]
    bad = [r for r in lines(local) if r["outcome"] == "invalid_message"]
    assert bad and "event_id" in bad[0]["error"] and bad[0]["level"] == "ERROR"


def test_a_failing_message_holds_its_group_only_then_dead_letters_and_redrives_in_order(local) -> None:
    DOWN.add("boom")
    local.publish("vendor", event("a", "boom"))
    local.publish("vendor", event("a", "after"))
    local.publish("vendor", event("b", "fine"))
    local.drain()
    assert SEEN == [("b", "fine")]  # b went on; a's later change never overtook its failing one
    # after max_receives deliveries the failing message and the ones held behind it (each delivery
    # counted for them too, as SQS does) are in the dead-letter queue, in order: nothing is lost
    assert [d["value"] for d in local.dead_letters("changes")] == ["boom", "after"]
    assert [r["outcome"] for r in lines(local) if r["function"] == "demo-apply"].count("error") == 2
    DOWN.discard("boom")  # the target is back: redrive, and both apply, in order
    assert local.redrive("changes") == 2
    local.drain()
    assert SEEN == [("b", "fine"), ("a", "boom"), ("a", "after")]
    assert local.dead_letters("changes") == [] and value_of(local, "a") == "after"
