"""What a sync function's logic sees for one invocation: everything an action's logic sees
(``ctx.config``, adapters, HTTP, time left) plus the family's tables and queues."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from dataactions.context import ActionContext
from dataactions.declaration import ConfigT
from syncs.aws import Aws

if TYPE_CHECKING:
    from dataactions.container import Container
    from syncs.declaration import SyncFunction


class SyncContext(ActionContext[ConfigT]):
    """Per-invocation view of a sync function's container."""

    __slots__ = ("function", "_aws")

    def __init__(self, container: Container[ConfigT], function: SyncFunction[ConfigT], lambda_context: Any, correlation_id: str) -> None:
        super().__init__(container, lambda_context, correlation_id, function.timeout_seconds)
        self.function = function
        self._aws: Aws = container.resource("aws", lambda: Aws(container.environ, container.settings.aws_region))

    @property
    def aws(self) -> Aws:
        return self._aws

    def table(self, name: str) -> str:
        """The physical name of one of the family's tables (declared in ``reads``/``writes``)."""
        if name not in self.function.tables:
            raise PermissionError(f"{self.function.id} does not declare table {name!r}")
        return self._aws.table_name(self.function.family.table(name).env)

    def send(self, queue: str, messages: list[tuple[dict[str, Any], str | None, str | None]]) -> int:
        """Send ``(body, group id, deduplication id)`` messages to one of the family's queues."""
        if queue not in self.function.sends_to:
            raise PermissionError(f"{self.function.id} does not declare queue {queue!r} in sends_to")
        return self._aws.send(self._aws.queue_url(self.function.family.queue(queue).env), messages)

    @staticmethod
    def now() -> float:
        """Wall-clock seconds (epoch): event times and TTLs are wall-clock, unlike the deadline."""
        return time.time()
