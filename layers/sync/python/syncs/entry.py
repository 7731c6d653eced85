"""The Lambda entry point of a sync function (what ``@sync_function`` makes of the declared
logic), by trigger:

* queue: powertools' batch processing with partial-batch failures; on a FIFO queue a failed
  message stops the rest of *its* message group only (per-agent ordering holds, other agents go
  on). Each message is validated against the declared model (an invalid one goes straight to the
  dead-letter queue: retrying cannot fix it) and, with an idempotency key, runs through
  powertools' DynamoDB idempotency, so a duplicate of a source event does nothing;
* event: one EventBridge event per invocation (EventBridge retries and then uses the rule's
  dead-letter queue);
* schedule: one tick.

One JSON log line per message or event, with what the logic decided (never credentials or
customer data).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from dataactions import log
from dataactions.container import Container
from dataactions.entry import _safe_id
from syncs.context import SyncContext
from syncs.declaration import ConfigT, Every, FromQueue, OnEvent, SyncFamily, SyncFunction, Trigger, declare

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

IDEMPOTENCY_HOURS = 72  # longer than any source's redelivery window we know of (Genesys retries for days: see README)


def sync_function(
    *,
    family: SyncFamily[ConfigT],
    name: str,
    description: str,
    trigger: Trigger,
    message: type[Any] | None = None,
    idempotency_key: str | None = None,
    reads: tuple[str, ...] = (),
    writes: tuple[str, ...] = (),
    sends_to: tuple[str, ...] = (),
    timeout_seconds: int = 60,
    memory_mb: int = 256,
    concurrency: int | None = None,
    layers: tuple[str, ...] = ("core", "sync"),
    storage_mb: int = 512,
) -> Callable[[Callable[[Any, SyncContext[ConfigT]], Any]], SyncHandler]:
    """Declare a sync function next to its logic; the decorated function becomes its Lambda handler."""

    def wrap(logic: Callable[[Any, SyncContext[ConfigT]], Any]) -> SyncHandler:
        return SyncHandler(
            declare(
                logic,
                family=family,
                name=name,
                description=description,
                trigger=trigger,
                message_model=message,
                idempotency_key=idempotency_key,
                reads=reads,
                writes=writes,
                sends_to=sends_to,
                timeout_seconds=timeout_seconds,
                memory_mb=memory_mb,
                concurrency=concurrency,
                layers=layers,
                storage_mb=storage_mb,
            )
        )

    return wrap


class SyncHandler:
    """The Lambda entry point of one sync function (what the handler string names)."""

    def __init__(self, function: SyncFunction[Any]) -> None:
        self.function = function
        self._container: Container[Any] | None = None
        self._idempotent: Any = None

    def configure(self, environ: Mapping[str, str] | None = None, **kwargs: Any) -> Container[Any]:
        """Start a fresh container state (the first invocation does this from ``os.environ``)."""
        self._container = Container(self.function.family, environ, **kwargs)
        self._idempotent = None
        return self._container

    @property
    def container(self) -> Container[Any]:
        return self._container or self.configure()

    def __call__(self, event: Any, context: Any = None) -> Any:
        container = self.container
        container.invocations += 1
        cid = _safe_id(getattr(context, "aws_request_id", "") or "local")
        ctx: SyncContext[Any] = SyncContext(container, self.function, context, cid)
        trigger = self.function.trigger
        if isinstance(trigger, FromQueue):
            return self._batch(event, context, ctx)
        started = time.perf_counter()
        if isinstance(trigger, OnEvent):
            detail = self._validate(event)
            source_id = str(event.get("id", "")) if isinstance(event, dict) else ""
        else:
            assert isinstance(trigger, Every)
            detail, source_id = event, ""
        try:
            result = self.function.logic(detail, ctx)
        except Exception as exc:
            self._log(container, cid, started, "error", {"error": type(exc).__name__, "event": source_id})
            raise
        self._log(container, cid, started, _outcome(result), {"event": source_id, **_summary(result)})
        return result

    # -- queue batches ---------------------------------------------------------------------------

    def _batch(self, event: Any, context: Any, ctx: SyncContext[Any]) -> Any:
        from aws_lambda_powertools.utilities.batch import (
            BatchProcessor,
            EventType,
            SqsFifoPartialProcessor,
            process_partial_response,
        )

        trigger = self.function.trigger
        assert isinstance(trigger, FromQueue)
        queue = self.function.family.queue(trigger.queue)
        processor = SqsFifoPartialProcessor(skip_group_on_error=True) if queue.fifo else BatchProcessor(EventType.SQS)

        def record_handler(record: SQSRecord) -> Any:
            return self._record(record, context, ctx, queue.env)

        return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)

    def _record(self, record: SQSRecord, context: Any, ctx: SyncContext[Any], queue_env: str) -> Any:
        started = time.perf_counter()
        container = ctx._container
        meta = {"messageId": record.message_id, "group": record.attributes.message_group_id}
        try:
            body = json.loads(record.body)
            message = self._validate(body)
        except ValueError as exc:
            # Retrying cannot fix a message that does not parse: straight to the dead-letter queue.
            ctx.aws.send(
                ctx.aws.queue_url(f"{queue_env}_DLQ"), [(_raw(record.body), record.attributes.message_group_id, record.message_id)]
            )
            self._log(container, ctx.correlation_id, started, "invalid_message", {**meta, "error": _describe(exc)})
            return None
        try:
            if self.function.idempotency_key is None:
                result = self.function.logic(message, ctx)
            else:
                result = self._idempotently(ctx, context)(message=body, ctx_box=_Box(ctx, message))
        except Exception as exc:
            self._log(container, ctx.correlation_id, started, "error", {**meta, "error": type(exc).__name__})
            raise
        self._log(container, ctx.correlation_id, started, _outcome(result), {**meta, **_summary(result)})
        return result

    def _idempotently(self, ctx: SyncContext[Any], context: Any) -> Any:
        """powertools' idempotent_function over the message, keyed on the declared field, built once per container."""
        if self._idempotent is None:
            from aws_lambda_powertools.utilities.idempotency import (
                DynamoDBPersistenceLayer,
                IdempotencyConfig,
                idempotent_function,
            )

            store = DynamoDBPersistenceLayer(table_name=ctx.table("idempotency"), key_attr="pk", boto3_client=ctx.aws.dynamodb)
            config = IdempotencyConfig(
                event_key_jmespath=self.function.idempotency_key or "",
                raise_on_no_idempotency_key=True,
                expires_after_seconds=IDEMPOTENCY_HOURS * 3600,
                response_hook=lambda response, record: {**(response or {}), "outcome": "duplicate"},
            )
            logic = self.function.logic

            @idempotent_function(data_keyword_argument="message", persistence_store=store, config=config)
            def run(*, message: dict[str, Any], ctx_box: _Box) -> Any:
                return logic(ctx_box.message, ctx_box.ctx)

            self._idempotent = (config, run)
        config, run = self._idempotent
        if context is not None and hasattr(context, "get_remaining_time_in_millis"):
            config.register_lambda_context(context)
        return run

    # -- shared --------------------------------------------------------------------------------------

    def _validate(self, body: Any) -> Any:
        model = self.function.message_model
        if model is None:
            return body
        if isinstance(self.function.trigger, OnEvent) and not (isinstance(body, dict) and isinstance(body.get("detail"), dict)):
            raise ValueError("not an EventBridge event with a detail object")
        return model.model_validate(body)

    def _log(self, container: Container[Any], cid: str, started: float, outcome: str, fields: dict[str, Any]) -> None:
        level = "ERROR" if outcome in ("error", "invalid_message") else "INFO"
        if level == "INFO" and container.settings.log_threshold > 20:
            return
        log.emit(
            level,
            {
                "function": self.function.id,
                "config": container.settings.config_name,
                "outcome": outcome,
                "durationMs": round((time.perf_counter() - started) * 1000, 3),
                "correlationId": cid,
                "coldStart": container.invocations == 1,
                **{k: v for k, v in fields.items() if v not in (None, "")},
            },
        )


class _Box:
    """Carries the validated message and the context past powertools, which hashes only ``message``."""

    def __init__(self, ctx: SyncContext[Any], message: Any) -> None:
        self.ctx = ctx
        self.message = message


def _outcome(result: Any) -> str:
    if isinstance(result, dict) and isinstance(result.get("outcome"), str):
        return str(result["outcome"])
    return "done"


def _summary(result: Any) -> dict[str, Any]:
    """What the logic chose to report (a dict of data-free fields), minus the outcome already logged."""
    if isinstance(result, dict):
        return {k: v for k, v in result.items() if k != "outcome" and isinstance(v, str | int | float | bool)}
    return {}


def _describe(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return "; ".join(".".join(map(str, e["loc"])) + ": " + e["msg"] for e in errors(include_input=False)[:4])
    return "not valid JSON" if isinstance(exc, json.JSONDecodeError) else str(exc)


def _raw(body: str) -> dict[str, Any]:
    return {"invalidBody": body[:200_000]}
