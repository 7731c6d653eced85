"""Runtime of the event-driven sync functions (presence sync, EX sync).

Ships in the ``sync`` layer (``/opt/python/syncs``) with aws-lambda-powertools, beside the core
layer whose runtime (``dataactions``: settings, secrets, HTTP, errors, the log line) it reuses.

* ``declaration``: what a sync family and a sync function *are* (tables, queues, triggers);
* ``entry``: ``@sync_function`` and the Lambda entry point per trigger (queue batches with
  partial failures and idempotency, EventBridge events, schedules);
* ``context``: what the logic sees (``ctx.config``, HTTP, time left, tables, queues);
* ``aws``: the boto3 clients and the family's physical names from the environment;
* ``budget``: a vendor's rate limit as one budget shared by every concurrent function.
"""

from __future__ import annotations

from syncs.context import SyncContext
from syncs.declaration import EventSource, Every, FromQueue, LogMetric, OnEvent, Queue, SyncFamily, SyncFunction, Table
from syncs.entry import SyncHandler, sync_function

__all__ = [
    "EventSource",
    "Every",
    "FromQueue",
    "LogMetric",
    "OnEvent",
    "Queue",
    "SyncContext",
    "SyncFamily",
    "SyncFunction",
    "SyncHandler",
    "Table",
    "sync_function",
]
