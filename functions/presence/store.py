"""Presence state in DynamoDB: agent records (versioned, conditional writes), the identity map,
the current rules document (cached per container, so a pushed version applies within a minute),
the audit trail (TTL), and the CXone poll checkpoint."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.presence.engine import AgentRecord
from functions.presence.rules import RulesDocument, parse

if TYPE_CHECKING:
    from syncs import SyncContext

RULES_TTL_SECONDS = 60.0
AUDIT_DAYS = 30
_rules_cache: dict[str, tuple[float, RulesDocument]] = {}


class Conflict(Exception):
    """The record changed since it was read (only the reconciler and a redrive can race the consumer)."""


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def load_agent(ctx: SyncContext[Any], agent: str) -> AgentRecord:
    item = ctx.aws.dynamodb.get_item(TableName=ctx.table("state"), Key={"pk": _s(f"agent#{agent}")}, ConsistentRead=True).get("Item")
    if not item:
        return AgentRecord(agent=agent)
    record = AgentRecord.from_doc(json.loads(item["doc"]["S"]))
    record.version = int(item["version"]["N"])
    return record


def save_agent(ctx: SyncContext[Any], record: AgentRecord) -> None:
    """Write the record if nobody else did since it was read (optimistic lock on ``version``)."""
    from botocore.exceptions import ClientError

    old = record.version
    record.version = old + 1
    try:
        ctx.aws.dynamodb.put_item(
            TableName=ctx.table("state"),
            Item={
                "pk": _s(f"agent#{record.agent}"),
                "doc": _s(json.dumps(record.to_doc(), separators=(",", ":"))),
                "version": {"N": str(record.version)},
            },
            ConditionExpression="attribute_not_exists(pk) OR version = :v",
            ExpressionAttributeValues={":v": {"N": str(old)}},
        )
    except ClientError as exc:
        record.version = old
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise Conflict(record.agent) from None
        raise


def agent_for_sf_user(ctx: SyncContext[Any], sf_user: str) -> str | None:
    item = ctx.aws.dynamodb.get_item(TableName=ctx.table("state"), Key={"pk": _s(f"sfuser#{sf_user}")}).get("Item")
    return item["agent"]["S"] if item else None


def pair(ctx: SyncContext[Any], agent: str, sf_user: str, email: str, team: str) -> bool:
    """Record an identity pair; True when something changed (a run with nothing new writes nothing)."""
    record = load_agent(ctx, agent)
    if (record.sf_user, record.email, record.team) == (sf_user, email.lower(), team):
        return False
    record.sf_user, record.email, record.team = sf_user, email.lower(), team
    save_agent(ctx, record)
    ctx.aws.dynamodb.put_item(TableName=ctx.table("state"), Item={"pk": _s(f"sfuser#{sf_user}"), "agent": _s(agent)})
    return True


def current_rules(ctx: SyncContext[Any]) -> RulesDocument | None:
    """The current rules document, re-read at most once a minute per container."""
    table = ctx.table("rules")
    hit = _rules_cache.get(table)
    now = time.monotonic()
    if hit and now - hit[0] < RULES_TTL_SECONDS:
        return hit[1]
    item = ctx.aws.dynamodb.get_item(TableName=table, Key={"pk": _s("rules"), "sk": _s("current")}).get("Item")
    if not item:
        return None
    rules = parse(json.loads(item["doc"]["S"]))
    _rules_cache[table] = (now, rules)
    return rules


def push_rules(dynamodb: Any, table: str, doc: dict[str, Any], author: str) -> int:
    """Store a validated document as the next version and make it current; returns the version."""
    from botocore.exceptions import ClientError

    parse(doc)  # refuse before writing anything
    current = dynamodb.get_item(TableName=table, Key={"pk": _s("rules"), "sk": _s("current")}, ConsistentRead=True).get("Item")
    old = int(current["version"]["N"]) if current else 0
    version = old + 1
    body = json.dumps({**doc, "version": version}, separators=(",", ":"), sort_keys=True)
    stamp = datetime.now(UTC).isoformat(timespec="seconds")
    dynamodb.put_item(
        TableName=table, Item={"pk": _s("rules"), "sk": _s(f"v{version:06d}"), "doc": _s(body), "author": _s(author), "at": _s(stamp)}
    )
    try:
        dynamodb.put_item(
            TableName=table,
            Item={"pk": _s("rules"), "sk": _s("current"), "doc": _s(body), "version": {"N": str(version)}, "at": _s(stamp)},
            ConditionExpression="attribute_not_exists(pk) OR version = :v",
            ExpressionAttributeValues={":v": {"N": str(old)}},
        )
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
            raise RuntimeError("someone else pushed rules at the same time; pull and push again") from None
        raise
    return version


def pull_rules(dynamodb: Any, table: str, version: int | None = None) -> dict[str, Any] | None:
    sk = "current" if version is None else f"v{version:06d}"
    item = dynamodb.get_item(TableName=table, Key={"pk": _s("rules"), "sk": _s(sk)}, ConsistentRead=True).get("Item")
    return json.loads(item["doc"]["S"]) if item else None


def audit(ctx: SyncContext[Any], agent: str, event_id: str, fields: dict[str, Any]) -> None:
    """One decision in the audit trail: queryable by agent and time, kept AUDIT_DAYS days."""
    now = time.time()
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds")
    item = {k: _s(str(v)) for k, v in fields.items() if v not in (None, "")}
    ctx.aws.dynamodb.put_item(
        TableName=ctx.table("audit"),
        Item={**item, "pk": _s(f"agent#{agent}"), "sk": _s(f"{stamp}#{event_id}"), "expiresAt": {"N": str(int(now + AUDIT_DAYS * 86400))}},
    )


def audit_trail(dynamodb: Any, table: str, agent: str, since: str = "", until: str = "~") -> list[dict[str, str]]:
    """An agent's decisions between two ISO times (oldest first)."""
    out: list[dict[str, str]] = []
    kwargs: dict[str, Any] = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p AND sk BETWEEN :a AND :b",
        "ExpressionAttributeValues": {":p": _s(f"agent#{agent}"), ":a": _s(since or "0"), ":b": _s(until)},
    }
    while True:
        page = dynamodb.query(**kwargs)
        out += [{k: v.get("S", v.get("N", "")) for k, v in item.items()} for item in page.get("Items", [])]
        if "LastEvaluatedKey" not in page:
            return out
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def checkpoint(ctx: SyncContext[Any], name: str) -> dict[str, Any]:
    item = ctx.aws.dynamodb.get_item(TableName=ctx.table("state"), Key={"pk": _s(f"checkpoint#{name}")}, ConsistentRead=True).get("Item")
    return json.loads(item["doc"]["S"]) if item else {}


def save_checkpoint(ctx: SyncContext[Any], name: str, doc: dict[str, Any]) -> None:
    ctx.aws.dynamodb.put_item(TableName=ctx.table("state"), Item={"pk": _s(f"checkpoint#{name}"), "doc": _s(json.dumps(doc))})
