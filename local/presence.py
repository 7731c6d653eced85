"""Presence sync running locally, end to end: the stand-ins (CXone or Genesys Cloud, and
Salesforce with its agents' Omni-Channel consoles), moto (DynamoDB, SQS, Secrets Manager), the
real sync functions, and the two partner event buses in between (what the vendors emit is held,
then delivered to the functions whose EventBridge rules match, like EventBridge does).

Used by ``./dev demo presence``, the end-to-end tests and the benchmarks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from local.standins import StandIns
from local.syncrun import LocalSync, PumpStats


@dataclass
class Settled:
    events: int = 0
    polls: int = 0
    messages: int = 0
    failures: int = 0


class PresenceLab:
    """One presence configuration on the stand-ins. ``platform``: ``cxone`` or ``genesys``."""

    def __init__(self, standins: StandIns, platform: str = "cxone", configuration: str = "default", **secret_extra: Any) -> None:
        from functions.presence.syncs import PRESENCE

        self.standins = standins
        self.platform = platform
        secret = {
            "contactCenter": platform,
            platform: standins.configs[platform]["default"],
            "salesforce": standins.configs["salesforce"]["default"],
            "pollSeconds": 1,
            **secret_extra,
        }
        self.sync = LocalSync(standins, PRESENCE, configuration, secret)
        self.pending: list[tuple[str, dict[str, Any]]] = []  # (event source, envelope) not yet delivered
        self.salesforce: Any = cast(Any, standins.servers["salesforce"].app)
        self.consoles = self.salesforce.consoles
        self.consoles.listeners.append(lambda env: self.pending.append(("salesforce", env)))
        self.cc: Any = cast(Any, standins.servers[platform].app)
        if platform == "genesys":
            self.cc.org.listeners.append(lambda env: self.pending.append(("genesys", env)))

    # -- set up -----------------------------------------------------------------------------------------

    def push_rules(self, doc: dict[str, Any]) -> int:
        from functions.presence import store

        version = store.push_rules(self.sync.dynamodb, self.sync.table_names["rules"], doc, "local")
        store._rules_cache.clear()  # what the next container sees; deployed functions pick it up within a minute
        return version

    def reconcile(self) -> dict[str, Any]:
        return dict(self.sync.invoke("presence-reconcile", {"version": "0", "detail-type": "Scheduled Event", "detail": {}}))

    # -- the world turning ---------------------------------------------------------------------------------

    def settle(self, *, max_rounds: int = 50) -> Settled:
        """Deliver every pending vendor event, poll CXone, and drain the queue, until nothing moves."""
        out = Settled()
        for _ in range(max_rounds):
            moved = 0
            while self.pending:
                source, envelope = self.pending.pop(0)
                self.sync.publish(source, envelope)
                out.events += 1
                moved += 1
            if self.platform == "cxone":
                result = self.sync.invoke("presence-cxone-poll", {"once": True})
                out.polls += 1
                moved += int(result.get("queued", 0))
            stats: PumpStats = self.sync.drain()
            out.messages += stats.messages
            out.failures += stats.failures
            moved += stats.messages
            if not moved:
                return out
        raise RuntimeError("presence did not settle: a loop between the platforms?")

    def audit(self, agent: str) -> list[dict[str, str]]:
        from functions.presence import store

        return store.audit_trail(self.sync.dynamodb, self.sync.table_names["audit"], agent)

    def record(self, agent: str) -> dict[str, Any]:
        import json

        item = self.sync.dynamodb.get_item(TableName=self.sync.table_names["state"], Key={"pk": {"S": f"agent#{agent}"}}).get("Item")
        return json.loads(item["doc"]["S"]) if item else {}
