"""What a sync function *is*: plain data, declared once next to its logic (like ``@action``).

A :class:`SyncFamily` is a sync service (presence sync, EX sync) as a user deploys it: per named
configuration one secret (every vendor credential it needs), its DynamoDB tables, its queues and
its functions. A :class:`SyncFunction` is one Lambda of that family with exactly one trigger:

* :class:`FromQueue`: an SQS queue of the family (FIFO: ordered per message group, e.g. per
  agent), processed in batches with partial-batch failures; a message that keeps failing lands
  in the queue's dead-letter queue;
* :class:`OnEvent`: an EventBridge rule on a vendor's partner event bus (Genesys Cloud,
  Salesforce Event Relay), the bus named per configuration at deploy time;
* :class:`Every`: an EventBridge Scheduler schedule.

The CDK stacks, the local runner, the demo and the README table are derived from these
declarations; nothing lists sync functions a second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from syncs.context import SyncContext

ConfigT = TypeVar("ConfigT")
FUNCTION_ID = re.compile(r"^[a-z][a-z0-9-]{2,40}$")
NAME = re.compile(r"^[a-z][a-z0-9-]{1,20}$")


@dataclass(frozen=True)
class Table:
    """A DynamoDB table of a family: string keys ``pk`` (and ``sk``), optional TTL attribute."""

    name: str
    purpose: str
    sort_key: bool = False
    ttl_attribute: str | None = None

    @property
    def env(self) -> str:
        return f"SYNC_TABLE_{self.name.upper().replace('-', '_')}"


@dataclass(frozen=True)
class Queue:
    """An SQS queue of a family (FIFO by default) with its dead-letter queue."""

    name: str
    purpose: str
    fifo: bool = True
    max_receives: int = 5  # deliveries before a message moves to the dead-letter queue

    @property
    def env(self) -> str:
        return f"SYNC_QUEUE_{self.name.upper().replace('-', '_')}"


@dataclass(frozen=True)
class EventSource:
    """A vendor's EventBridge partner event source; the bus name is a deploy-time option."""

    name: str  # "genesys", "salesforce"
    title: str
    source_prefix: str  # "aws.partner/genesys.com", "aws.partner/salesforce.com"


@dataclass(frozen=True)
class LogMetric:
    """A CloudWatch metric read from a function's log lines (a metric filter: no code, no API call),
    with an alarm when it goes above ``alarm_above``. ``field``: the log field holding the value (a
    count of matching lines when empty); ``where``: field values a line must have."""

    name: str
    function: str  # the sync function id whose log it reads
    purpose: str
    field: str = ""
    where: tuple[tuple[str, str], ...] = ()
    statistic: str = "Sum"
    alarm_above: float | None = None
    unit: str = "Count"


@dataclass(frozen=True)
class FromQueue:
    queue: str
    batch_size: int = 10


@dataclass(frozen=True)
class OnEvent:
    source: str  # an EventSource name of the family
    detail_types: tuple[str, ...]  # EventBridge "detail-type" values the rule matches


@dataclass(frozen=True)
class Every:
    minutes: int  # default period; a deploy-time option may override it per function


Trigger = FromQueue | OnEvent | Every


@dataclass(frozen=True)
class SyncFamily(Generic[ConfigT]):
    """A sync service; one stack, secret, set of tables and queues per named configuration."""

    kind: str
    title: str
    config_model: type[ConfigT]
    tables: tuple[Table, ...] = ()
    queues: tuple[Queue, ...] = ()
    event_sources: tuple[EventSource, ...] = ()
    metrics: tuple[LogMetric, ...] = ()
    secret_example: Mapping[str, Any] = field(default_factory=dict)

    def table(self, name: str) -> Table:
        return _named(self.tables, name, f"{self.kind} table")

    def queue(self, name: str) -> Queue:
        return _named(self.queues, name, f"{self.kind} queue")


@dataclass(frozen=True)
class SyncFunction(Generic[ConfigT]):
    """Everything known about one sync function; built by ``@sync_function``, never listed twice."""

    id: str
    name: str
    description: str
    family: SyncFamily[ConfigT]
    trigger: Trigger
    logic: Callable[[Any, SyncContext[ConfigT]], Any]
    module: str
    attribute: str
    message_model: type[Any] | None  # validates each queue message / event detail (pydantic model)
    idempotency_key: str | None  # message field naming the source event: duplicates do nothing
    reads: tuple[str, ...]
    writes: tuple[str, ...]
    sends_to: tuple[str, ...]
    timeout_seconds: int = 60
    memory_mb: int = 256
    layers: tuple[str, ...] = ("core", "sync")
    concurrency: int | None = None  # at most this many at once (reserved concurrency), e.g. 1 for a poller
    storage_mb: int = 512  # /tmp (Lambda ephemeral storage), e.g. for a recording spooled while it converts

    @property
    def handler(self) -> str:
        return f"{self.module}.{self.attribute}"

    @property
    def tables(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.reads + self.writes))


def declare(
    logic: Callable[[Any, SyncContext[ConfigT]], Any],
    *,
    family: SyncFamily[ConfigT],
    name: str,
    description: str,
    trigger: Trigger,
    message_model: type[Any] | None = None,
    idempotency_key: str | None = None,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    sends_to: tuple[str, ...] = (),
    timeout_seconds: int = 60,
    memory_mb: int = 256,
    layers: tuple[str, ...] = ("core", "sync"),
    concurrency: int | None = None,
    storage_mb: int = 512,
) -> SyncFunction[ConfigT]:
    """The :class:`SyncFunction` for ``logic``, checked against its family."""
    fid = f"{family.kind}-{logic.__name__.replace('_', '-')}"
    if not FUNCTION_ID.match(fid):
        raise ValueError(f"sync function id {fid!r} must be kebab-case")
    for table in reads + writes:
        family.table(table)
    for queue in sends_to:
        family.queue(queue)
    if isinstance(trigger, FromQueue):
        family.queue(trigger.queue)
        if timeout_seconds * 6 > 43200:
            raise ValueError(f"{fid}: a queue consumer's timeout must allow a visibility timeout of 6x it (SQS max 12 h)")
    if isinstance(trigger, OnEvent):
        _named(family.event_sources, trigger.source, f"{family.kind} event source")
    if idempotency_key is not None and "idempotency" not in writes:
        raise ValueError(f"{fid}: idempotency needs the family's 'idempotency' table in writes")
    if concurrency is not None and concurrency < 1:
        raise ValueError(f"{fid}: concurrency must be at least 1")
    if not 512 <= storage_mb <= 10240:
        raise ValueError(f"{fid}: Lambda ephemeral storage must be 512..10240 MB")
    if not 1 <= timeout_seconds <= 900:
        raise ValueError(f"{fid}: Lambda timeout must be 1..900 s")
    return SyncFunction(
        id=fid,
        name=name,
        description=description,
        family=family,
        trigger=trigger,
        logic=logic,
        module=logic.__module__,
        attribute=logic.__name__,
        message_model=message_model,
        idempotency_key=idempotency_key,
        reads=reads,
        writes=writes,
        sends_to=sends_to,
        timeout_seconds=timeout_seconds,
        memory_mb=memory_mb,
        layers=layers,
        concurrency=concurrency,
        storage_mb=storage_mb,
    )


def _named(items: tuple[Any, ...], name: str, what: str) -> Any:
    for item in items:
        if item.name == name:
            return item
    raise ValueError(f"unknown {what} {name!r}; declared: {', '.join(i.name for i in items) or 'none'}")
