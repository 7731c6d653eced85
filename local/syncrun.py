"""Sync functions run locally as Lambda runs them, on moto (DynamoDB, SQS, Secrets Manager) and
the vendor stand-ins: tables and queues created from the family's declaration, one environment
per function as the stack sets it, and a pump that plays the SQS event source mapping (batches,
partial-batch failures, per-group ordering, redelivery, the dead-letter queue after max receives).
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from definitions.naming import sync_resource_name
from local.context import LocalContext

if TYPE_CHECKING:
    from local.standins import StandIns
    from syncs.declaration import SyncFamily, SyncFunction
    from syncs.entry import SyncHandler

PREFIX = "local"


@dataclass
class PumpStats:
    invocations: int = 0
    messages: int = 0
    failures: int = 0


class LocalSync:
    """One named configuration of a sync family, provisioned on the stand-ins' moto server."""

    def __init__(
        self,
        standins: StandIns,
        family: SyncFamily[Any],
        config: str,
        secret: dict[str, Any],
        *,
        env: dict[str, str] | None = None,
        handlers: list[SyncHandler] | None = None,
    ) -> None:
        """``handlers``: the family's functions (default: every declared one of the family)."""
        import boto3

        if handlers is None:
            from functions import all_syncs, sync_handler_for

            handlers = [sync_handler_for(i) for i, fn in all_syncs().items() if fn.family.kind == family.kind]
        self._handlers = {h.function.id: h for h in handlers}
        self.standins = standins
        self.family = family
        self.config = config
        self.extra_env = dict(env or {})
        self.region = "us-east-1"
        kw = {"region_name": self.region, "endpoint_url": standins.moto_url, "aws_access_key_id": "local", "aws_secret_access_key": "local"}
        self.dynamodb = boto3.client("dynamodb", **kw)
        self.sqs = boto3.client("sqs", **kw)
        self.secret_id = f"{PREFIX}/{family.kind}/{config}"
        self.queue_urls: dict[str, str] = {}
        self.dlq_urls: dict[str, str] = {}
        self.table_names: dict[str, str] = {}
        self._provision(secret)

    # -- resources, from the declaration -------------------------------------------------------------

    def _provision(self, secret: dict[str, Any]) -> None:
        sm = self.standins.secretsmanager
        try:
            sm.create_secret(Name=self.secret_id, SecretString=json.dumps(secret))
        except sm.exceptions.ResourceExistsException:
            sm.put_secret_value(SecretId=self.secret_id, SecretString=json.dumps(secret))
        existing = set(self.dynamodb.list_tables()["TableNames"])
        for table in self.family.tables:
            name = sync_resource_name(PREFIX, self.family.kind, self.config, table.name)
            self.table_names[table.name] = name
            if name in existing:
                continue
            keys = [("pk", "HASH")] + ([("sk", "RANGE")] if table.sort_key else [])
            self.dynamodb.create_table(
                TableName=name,
                KeySchema=[{"AttributeName": k, "KeyType": t} for k, t in keys],
                AttributeDefinitions=[{"AttributeName": k, "AttributeType": "S"} for k, _ in keys],
                BillingMode="PAY_PER_REQUEST",
            )
            if table.ttl_attribute:
                self.dynamodb.update_time_to_live(
                    TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": table.ttl_attribute}
                )
        for queue in self.family.queues:
            base = sync_resource_name(PREFIX, self.family.kind, self.config, queue.name)
            suffix = ".fifo" if queue.fifo else ""
            attrs = {"FifoQueue": "true", "ContentBasedDeduplication": "false"} if queue.fifo else {}
            dlq = self.sqs.create_queue(QueueName=f"{base}-dlq{suffix}", Attributes=attrs)["QueueUrl"]
            dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            url = self.sqs.create_queue(
                QueueName=f"{base}{suffix}",
                Attributes={
                    **attrs,
                    "VisibilityTimeout": "0",
                    "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(queue.max_receives)}),
                },
            )["QueueUrl"]
            self.queue_urls[queue.name] = url
            self.dlq_urls[queue.name] = dlq

    def environ(self, fn: SyncFunction[Any]) -> dict[str, str]:
        """The function's environment, as the stack sets it (plus moto's endpoint)."""
        ext = self.standins.extension
        env = {
            "AWS_REGION": self.region,
            "AWS_ENDPOINT_URL": self.standins.moto_url,
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_SESSION_TOKEN": "local-session-token",
            "AWS_LAMBDA_FUNCTION_NAME": f"{PREFIX}-{fn.id}",
            "DA_CONFIG_NAME": self.config,
            "DA_SECRET_ID": self.secret_id,
            "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(ext.port if ext else ""),
        }
        for name in fn.tables:
            env[self.family.table(name).env] = self.table_names[name]
        queues = set(fn.sends_to) | ({fn.trigger.queue} if hasattr(fn.trigger, "queue") else set())
        for name in queues:
            q = self.family.queue(name)
            env[q.env] = self.queue_urls[name]
            env[f"{q.env}_DLQ"] = self.dlq_urls[name]
        return {**env, **self.extra_env}

    def handler(self, function_id: str) -> SyncHandler:
        """The function's real handler, configured (fresh container) for this configuration."""
        handler = self._handlers[function_id]
        if getattr(handler, "_local_owner", None) is not self:
            handler.configure(self.environ(handler.function))
            handler._local_owner = self  # type: ignore[attr-defined]
        return handler

    def functions(self) -> list[SyncFunction[Any]]:
        return [h.function for h in self._handlers.values()]

    # -- triggers --------------------------------------------------------------------------------------

    def invoke(self, function_id: str, event: Any) -> Any:
        handler = self.handler(function_id)
        fn = handler.function
        return handler(event, LocalContext(f"{PREFIX}-{fn.id}", fn.timeout_seconds, fn.memory_mb, None))

    def publish(self, source: str, event: dict[str, Any]) -> list[Any]:
        """Deliver an EventBridge event from a vendor's partner bus to every function whose rule matches."""
        from syncs.declaration import OnEvent

        results = []
        for fn in self.functions():
            trig = fn.trigger
            if isinstance(trig, OnEvent) and trig.source == source and event.get("detail-type") in trig.detail_types:
                results.append(self.invoke(fn.id, event))
        return results

    def tick(self, function_id: str) -> Any:
        """One scheduled invocation (the EventBridge Scheduler event shape)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        return self.invoke(
            function_id,
            {
                "version": "0",
                "id": str(uuid.uuid4()),
                "detail-type": "Scheduled Event",
                "source": "aws.scheduler",
                "time": now,
                "detail": {},
            },
        )

    def pump(self, queue: str, *, max_batches: int = 1000) -> PumpStats:
        """Feed the queue to its consumer until it is empty, as the event source mapping would."""
        from syncs.declaration import FromQueue

        consumer = next((fn for fn in self.functions() if isinstance(fn.trigger, FromQueue) and fn.trigger.queue == queue), None)
        if consumer is None:
            raise ValueError(f"no function consumes queue {queue}")
        assert isinstance(consumer.trigger, FromQueue)
        url = self.queue_urls[queue]
        stats = PumpStats()
        for _ in range(max_batches):
            got = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=consumer.trigger.batch_size, AttributeNames=["All"], MessageAttributeNames=["All"]
            )
            messages = got.get("Messages") or []
            if not messages:
                break
            records = [_record(m, url) for m in messages]
            stats.invocations += 1
            stats.messages += len(records)
            try:
                response = self.invoke(consumer.id, {"Records": records})
                failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures", [])}
            except Exception:  # a raised error fails the whole batch (powertools raises when every record failed)
                failed = {m["MessageId"] for m in messages}
            stats.failures += len(failed)
            for m in messages:
                if m["MessageId"] in failed:
                    self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
                else:
                    self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return stats

    def drain(self, *, max_rounds: int = 50) -> PumpStats:
        """Pump every consumed queue until all are empty."""
        from syncs.declaration import FromQueue

        total = PumpStats()
        consumed = [fn.trigger.queue for fn in self.functions() if isinstance(fn.trigger, FromQueue)]
        for _ in range(max_rounds):
            moved = 0
            for queue in consumed:
                s = self.pump(queue)
                total.invocations += s.invocations
                total.messages += s.messages
                total.failures += s.failures
                moved += s.messages
            if not moved:
                break
        return total

    def dead_letters(self, queue: str) -> list[dict[str, Any]]:
        """Bodies waiting in the queue's dead-letter queue (left there)."""
        got = self.sqs.receive_message(QueueUrl=self.dlq_urls[queue], MaxNumberOfMessages=10, VisibilityTimeout=30)
        messages = got.get("Messages") or []
        for m in messages:  # put them back, in order, for the next reader
            self.sqs.change_message_visibility(QueueUrl=self.dlq_urls[queue], ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=0)
        return [json.loads(m["Body"]) for m in messages]

    def redrive(self, queue: str) -> int:
        """Move every dead letter back to its queue (what ``aws sqs start-message-move-task`` does)."""
        moved = 0
        while True:
            got = self.sqs.receive_message(QueueUrl=self.dlq_urls[queue], MaxNumberOfMessages=10, AttributeNames=["All"])
            messages = got.get("Messages") or []
            if not messages:
                return moved
            for m in messages:
                attrs = m.get("Attributes", {})
                extra = {}
                if "MessageGroupId" in attrs:
                    extra = {"MessageGroupId": attrs["MessageGroupId"], "MessageDeduplicationId": f"redrive-{m['MessageId']}"}
                self.sqs.send_message(QueueUrl=self.queue_urls[queue], MessageBody=m["Body"], **extra)
                self.sqs.delete_message(QueueUrl=self.dlq_urls[queue], ReceiptHandle=m["ReceiptHandle"])
                moved += 1


def _record(message: dict[str, Any], queue_url: str) -> dict[str, Any]:
    """A received SQS message as the Lambda event source mapping hands it to the function."""
    name = queue_url.rsplit("/", 1)[-1]
    return {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message.get("Attributes", {}),
        "messageAttributes": message.get("MessageAttributes", {}),
        "md5OfBody": message.get("MD5OfBody", ""),
        "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:us-east-1:123456789012:{name}",
        "awsRegion": "us-east-1",
    }
