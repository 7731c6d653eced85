"""A vendor's rate limit as one budget shared by every concurrent function of a configuration.

A token bucket in DynamoDB (one item per vendor credential): refilled continuously at the
vendor's documented rate, taken in small leases with a conditional update so concurrent
containers never overspend, and paused for everyone when the vendor answers 429 with
Retry-After. A container spends its lease locally, so a burst of calls costs one DynamoDB
write per ``lease`` calls rather than one per call.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from dataactions.errors import RateLimited


@dataclass
class Budget:
    """``rate_per_minute`` tokens a minute, at most ``burst`` banked; ``lease`` taken per DynamoDB write."""

    dynamodb: Any
    table: str
    key: str
    rate_per_minute: float
    burst: int
    lease: int = 5
    writes: int = 0  # DynamoDB writes made (figures)
    _held: int = 0
    _held_until: float = 0.0

    LEASE_SECONDS = 10.0  # unspent leased tokens are given up after this: they were taken from others

    def take(self, time_left: float) -> None:
        """One call's token; waits (within ``time_left`` seconds) for the budget, else RateLimited."""
        now = time.time()
        if self._held > 0 and now < self._held_until:
            self._held -= 1
            return
        deadline = time.monotonic() + max(0.0, time_left)
        while True:
            wait = self._lease()
            if wait <= 0:
                self._held -= 1
                return
            if time.monotonic() + wait > deadline:
                raise RateLimited(f"the shared rate budget {self.key} has no room in the time left; retry later")
            time.sleep(wait)

    def pause(self, seconds: float) -> None:
        """The vendor said 429 + Retry-After: nobody calls it again before then."""
        from botocore.exceptions import ClientError

        self._held = 0
        if seconds <= 0:
            return
        until = time.time() + seconds
        try:
            self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": {"S": self.key}},
                UpdateExpression="SET pausedUntil = :u",
                ConditionExpression="attribute_not_exists(pausedUntil) OR pausedUntil < :u",
                ExpressionAttributeValues={":u": {"N": f"{until:.3f}"}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise  # else someone already paused it for longer
        finally:
            self.writes += 1

    def _lease(self) -> float:
        """Take up to ``lease`` tokens; 0 when some were taken, else seconds to wait before trying again."""
        from botocore.exceptions import ClientError

        item = self.dynamodb.get_item(TableName=self.table, Key={"pk": {"S": self.key}}, ConsistentRead=True).get("Item")
        now = time.time()
        tokens = float(self.burst)
        stamp = None
        paused = 0.0
        if item:
            stamp = item["updatedAt"]["N"]
            paused = float(item.get("pausedUntil", {}).get("N", 0))
            tokens = min(float(self.burst), float(item["tokens"]["N"]) + (now - float(stamp)) * self.rate_per_minute / 60.0)
        if paused > now:
            return paused - now
        if tokens < 1:
            return (1 - tokens) * 60.0 / self.rate_per_minute
        take = int(min(self.lease, tokens))
        condition = "attribute_not_exists(pk)" if stamp is None else "updatedAt = :old"
        values: dict[str, Any] = {":t": {"N": f"{tokens - take:.6f}"}, ":now": {"N": f"{now:.6f}"}}
        if stamp is not None:
            values[":old"] = {"N": stamp}
        try:
            self.dynamodb.update_item(
                TableName=self.table,
                Key={"pk": {"S": self.key}},
                UpdateExpression="SET tokens = :t, updatedAt = :now",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return 0.005  # another container took tokens meanwhile: read again
            raise
        finally:
            self.writes += 1
        self._held = take
        self._held_until = now + self.LEASE_SECONDS
        return 0.0
