"""The AWS services a sync function uses (DynamoDB, SQS), one boto3 client each per container.

boto3 comes from the Lambda runtime (never a layer). Table names and queue URLs come from the
function's environment (``SYNC_TABLE_<NAME>``, ``SYNC_QUEUE_<NAME>``, ``..._DLQ``), set by the stack
from the family's declaration; locally the same variables point at moto (``AWS_ENDPOINT_URL``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from dataactions.errors import ConfigurationError


class Aws:
    def __init__(self, environ: Mapping[str, str], region: str | None) -> None:
        self._env = environ
        self._region = region
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            import boto3  # the runtime's; imported on first use

            env = self._env  # explicit endpoint and keys only where the environment sets them (local runs)
            self._clients[service] = boto3.client(
                service,
                region_name=self._region,
                endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
                aws_access_key_id=env.get("AWS_ACCESS_KEY_ID") or None,
                aws_secret_access_key=env.get("AWS_SECRET_ACCESS_KEY") or None,
                aws_session_token=env.get("AWS_SESSION_TOKEN") or None,
            )
        return self._clients[service]

    @property
    def dynamodb(self) -> Any:
        return self.client("dynamodb")

    @property
    def sqs(self) -> Any:
        return self.client("sqs")

    def table_name(self, env: str) -> str:
        return self._need(env)

    def queue_url(self, env: str) -> str:
        return self._need(env)

    def _need(self, env: str) -> str:
        value = self._env.get(env)
        if not value:
            raise ConfigurationError(f"Missing function environment {env}")
        return value

    def send(self, queue_url: str, messages: Iterable[tuple[dict[str, Any], str | None, str | None]]) -> int:
        """Send (body, group id, deduplication id) messages in batches of 10; returns how many were sent.

        A partial failure raises, so the caller's own trigger retries (the deduplication id makes
        the re-send harmless within SQS's 5-minute window; consumers are idempotent beyond it)."""
        batch: list[dict[str, Any]] = []
        sent = 0
        for index, (body, group, dedup) in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(index), "MessageBody": json.dumps(body, separators=(",", ":"))}
            if group is not None:
                entry["MessageGroupId"] = group
            if dedup is not None:
                entry["MessageDeduplicationId"] = dedup[:128]
            batch.append(entry)
            if len(batch) == 10:
                sent += self._flush(queue_url, batch)
                batch = []
        if batch:
            sent += self._flush(queue_url, batch)
        return sent

    def _flush(self, queue_url: str, batch: list[dict[str, Any]]) -> int:
        resp = self.sqs.send_message_batch(QueueUrl=queue_url, Entries=batch)
        failed = resp.get("Failed") or []
        if failed:
            codes = sorted({str(f.get("Code")) for f in failed})
            raise RuntimeError(f"SQS refused {len(failed)} of {len(batch)} messages ({', '.join(codes)})")
        return len(batch)
