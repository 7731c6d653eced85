"""A Lambda context for local runs: remaining time, request id, ARN, and Genesys' client context."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ClientContext:
    custom: dict[str, Any] = field(default_factory=dict)
    env: dict[str, Any] = field(default_factory=dict)
    client: Any = None


class LocalContext:
    def __init__(self, function_name: str, timeout_seconds: float, memory_mb: int = 256, correlation_id: str | None = None) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:000000000000:function:{function_name}:live"
        self.memory_limit_in_mb = memory_mb
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        # Genesys sends ININ-* ids in the invoke's client context.
        self.client_context = ClientContext(custom={"ININ-Correlation-Id": correlation_id}) if correlation_id else None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
