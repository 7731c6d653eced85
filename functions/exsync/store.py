"""EX sync state in DynamoDB besides the id map: runs (summary, per-object records, the stored
plan in pages: all with a TTL), the one active run, checkpoints, and the versioned mapping document.

``runs`` table:

* ``pk=runs``, ``sk=<run id>``: the summary (mode, status, planned counts, pages per phase, the
  pages done, results per kind, Genesys calls); run ids sort by time;
* ``pk=run#<run id>``, ``sk=<kind>#<CXone id>``: what happened to one object (action, result,
  reason, Genesys id, calls) - queryable per run;
* ``pk=plan#<run id>``, ``sk=p<phase>#<page>``: the plan's operations, a page each.

``state`` table: ``run#active`` (the run being applied, with a heartbeat), ``checkpoint#sync``
(the last finished run), and the shared rate budgets (``budget#...``, :mod:`syncs.budget`).
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from functions.exsync.mapping import MappingDocument, parse
from functions.exsync.plan import Op

if TYPE_CHECKING:
    from collections.abc import Iterable

RUN_DAYS = 90  # run records, object records and stored plans expire after this
STALE_SECONDS = 1800  # an active run without progress for this long no longer blocks a new one
MAPPING_CACHE_SECONDS = 60.0
_mapping_cache: dict[str, tuple[float, MappingDocument]] = {}


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float) -> dict[str, str]:
    return {"N": f"{value:.3f}" if isinstance(value, float) else str(value)}


def _code(exc: Exception) -> str:
    return str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))


def new_run_id(now: float | None = None) -> str:
    stamp = datetime.fromtimestamp(now or time.time(), UTC).strftime("%Y%m%dT%H%M%S%f")[:-3]
    return f"{stamp}Z-{secrets.token_hex(2)}"


def iso(now: float | None = None) -> str:
    return datetime.fromtimestamp(now or time.time(), UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _expires() -> dict[str, str]:
    return {"N": str(int(time.time() + RUN_DAYS * 86400))}


class WriteBatch:
    """Puts to any of the family's tables, written together (BatchWriteItem, 25 a call) on
    ``flush``: a page writes its id map entries and object records every few objects rather than
    one by one (a crash re-applies at most those few, idempotently)."""

    def __init__(self, dynamodb: Any) -> None:
        self.dynamodb = dynamodb
        self.items: list[tuple[str, dict[str, Any]]] = []
        self.calls = 0

    def put(self, table: str, item: dict[str, Any]) -> None:
        self.items.append((table, item))

    def flush(self) -> None:
        while self.items:
            chunk, self.items = self.items[:25], self.items[25:]
            requests: dict[str, list[dict[str, Any]]] = {}
            for table, item in chunk:
                requests.setdefault(table, []).append({"PutRequest": {"Item": item}})
            for _ in range(8):
                self.calls += 1
                unprocessed = self.dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
                if not unprocessed:
                    break
                requests = unprocessed
                time.sleep(0.05)
            else:
                raise RuntimeError("DynamoDB kept refusing part of a batch write; the page is retried")


class Store:
    """The runs and state tables of one configuration (``dynamodb``: a boto3 client)."""

    def __init__(self, dynamodb: Any, runs: str, state: str) -> None:
        self.dynamodb = dynamodb
        self.runs = runs
        self.state = state
        self.batch: WriteBatch | None = None  # when set, object records wait for its flush

    # -- run summaries -------------------------------------------------------------------------------

    def start_run(self, run: str, mode: str, fields: dict[str, Any]) -> None:
        item = {
            "pk": _s("runs"),
            "sk": _s(run),
            "mode": _s(mode),
            "status": _s("planning"),
            "startedAt": _s(iso()),
            "expiresAt": _expires(),
        }
        item.update(_attrs(fields))
        self.dynamodb.put_item(TableName=self.runs, Item=item)

    def update_run(self, run: str, fields: dict[str, Any]) -> None:
        names = {f"#f{i}": k for i, k in enumerate(fields)}
        values = {f":v{i}": v for i, v in enumerate(_attrs(fields).values())}
        self.dynamodb.update_item(
            TableName=self.runs,
            Key={"pk": _s("runs"), "sk": _s(run)},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )

    def run(self, run: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=self.runs, Key={"pk": _s("runs"), "sk": _s(run)}, ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    def latest_runs(self, limit: int = 10) -> list[dict[str, Any]]:
        page = self.dynamodb.query(
            TableName=self.runs,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": _s("runs")},
            ScanIndexForward=False,
            Limit=limit,
        )
        return [_plain(i) for i in page.get("Items", [])]

    # -- per-object records --------------------------------------------------------------------------

    def record(self, run: str, kind: str, key: str, fields: dict[str, Any]) -> None:
        item = {"pk": _s(f"run#{run}"), "sk": _s(f"{kind}#{key}"), "at": _s(iso()), "expiresAt": _expires(), **_attrs(fields)}
        if self.batch is not None:
            self.batch.put(self.runs, item)
        else:
            self.dynamodb.put_item(TableName=self.runs, Item=item)

    def record_many(self, run: str, rows: Iterable[tuple[str, str, dict[str, Any]]]) -> int:
        """Object records in batches of 25 (the planner's rejected and left-alone objects)."""
        batch: list[dict[str, Any]] = []
        written = 0
        stamp = iso()
        for kind, key, fields in rows:
            item = {"pk": _s(f"run#{run}"), "sk": _s(f"{kind}#{key}"), "at": _s(stamp), "expiresAt": _expires(), **_attrs(fields)}
            batch.append({"PutRequest": {"Item": item}})
            if len(batch) == 25:
                written += self._write_batch(batch)
                batch = []
        if batch:
            written += self._write_batch(batch)
        return written

    def _write_batch(self, batch: list[dict[str, Any]]) -> int:
        requests = {self.runs: batch}
        for _ in range(8):
            unprocessed = self.dynamodb.batch_write_item(RequestItems=requests).get("UnprocessedItems") or {}
            if not unprocessed:
                return len(batch)
            requests = unprocessed
            time.sleep(0.05)
        raise RuntimeError("DynamoDB kept refusing part of a batch write; retry the run")

    def records(self, run: str, *, keys: Iterable[tuple[str, str]] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
        """The object records of a run (all of them, or those of ``keys``), by (kind, CXone id)."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        if keys is not None:
            wanted = list(dict.fromkeys(keys))
            for i in range(0, len(wanted), 100):
                chunk = [{"pk": _s(f"run#{run}"), "sk": _s(f"{k}#{key}")} for k, key in wanted[i : i + 100]]
                request: dict[str, Any] = {self.runs: {"Keys": chunk, "ConsistentRead": True}}
                while request:
                    got = self.dynamodb.batch_get_item(RequestItems=request)
                    for item in got.get("Responses", {}).get(self.runs, []):
                        kind, _, key = item["sk"]["S"].partition("#")
                        out[(kind, key)] = _plain(item)
                    request = got.get("UnprocessedKeys") or {}
            return out
        kwargs: dict[str, Any] = {
            "TableName": self.runs,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": _s(f"run#{run}")},
        }
        while True:
            page = self.dynamodb.query(**kwargs)
            for item in page.get("Items", []):
                kind, _, key = item["sk"]["S"].partition("#")
                out[(kind, key)] = _plain(item)
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # -- the stored plan ---------------------------------------------------------------------------------

    def save_pages(self, run: str, pages: dict[int, list[list[Op]]]) -> None:
        for phase, phase_pages in pages.items():
            rows = [
                {
                    "PutRequest": {
                        "Item": {
                            "pk": _s(f"plan#{run}"),
                            "sk": _s(page_key(phase, i)),
                            "ops": _s(json.dumps([op.to_doc() for op in ops], separators=(",", ":"))),
                            "expiresAt": _expires(),
                        }
                    }
                }
                for i, ops in enumerate(phase_pages)
            ]
            for i in range(0, len(rows), 25):
                self._write_batch(rows[i : i + 25])

    def page(self, run: str, phase: int, index: int) -> list[Op]:
        item = self.dynamodb.get_item(
            TableName=self.runs, Key={"pk": _s(f"plan#{run}"), "sk": _s(page_key(phase, index))}, ConsistentRead=True
        ).get("Item")
        if not item:
            raise LookupError(f"run {run} has no stored page {page_key(phase, index)}")
        return [Op.from_doc(d) for d in json.loads(item["ops"]["S"])]

    def all_ops(self, run: str) -> list[Op]:
        kwargs: dict[str, Any] = {
            "TableName": self.runs,
            "KeyConditionExpression": "pk = :p",
            "ExpressionAttributeValues": {":p": _s(f"plan#{run}")},
        }
        ops: list[Op] = []
        while True:
            got = self.dynamodb.query(**kwargs)
            for item in got.get("Items", []):
                ops += [Op.from_doc(d) for d in json.loads(item["ops"]["S"])]
            if "LastEvaluatedKey" not in got:
                return ops
            kwargs["ExclusiveStartKey"] = got["LastEvaluatedKey"]

    def page_done(self, run: str, phase: int, index: int, calls: int) -> dict[str, Any]:
        """Mark a page done (idempotent: a set) and count its calls; the summary after the update."""
        item = self.dynamodb.update_item(
            TableName=self.runs,
            Key={"pk": _s("runs"), "sk": _s(run)},
            UpdateExpression="ADD donePages :p SET heartbeatAt = :now",
            ExpressionAttributeValues={":p": {"SS": [page_key(phase, index)]}, ":now": _s(iso())},
            ReturnValues="ALL_NEW",
        )["Attributes"]
        self.page_calls(run, calls)
        return _plain(item)

    def page_calls(self, run: str, calls: int) -> None:
        if calls:
            self.dynamodb.update_item(
                TableName=self.runs,
                Key={"pk": _s("runs"), "sk": _s(run)},
                UpdateExpression="ADD genesysCalls :c",
                ExpressionAttributeValues={":c": {"N": str(calls)}},
            )

    def advance(self, run: str, to_phase: int) -> bool:
        """Move the run to its next phase once (False when someone already did)."""
        from botocore.exceptions import ClientError

        try:
            self.dynamodb.update_item(
                TableName=self.runs,
                Key={"pk": _s("runs"), "sk": _s(run)},
                UpdateExpression="SET phase = :to",
                ConditionExpression="phase < :to",
                ExpressionAttributeValues={":to": {"N": str(to_phase)}},
            )
        except ClientError as exc:
            if _code(exc) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- the active run (one at a time), checkpoints -----------------------------------------------------

    def claim(self, run: str) -> tuple[str | None, str | None]:
        """Make ``run`` the active run: ``(None, stale run taken over or None)``, or ``(the run
        that holds it, None)`` when another live run does."""
        from botocore.exceptions import ClientError

        now = time.time()
        try:
            old = self.dynamodb.put_item(
                TableName=self.state,
                Item={"pk": _s("run#active"), "run": _s(run), "heartbeat": _n(now)},
                ConditionExpression="attribute_not_exists(pk) OR heartbeat < :stale",
                ExpressionAttributeValues={":stale": _n(now - STALE_SECONDS)},
                ReturnValues="ALL_OLD",
            ).get("Attributes")
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise
            item = self.dynamodb.get_item(TableName=self.state, Key={"pk": _s("run#active")}, ConsistentRead=True).get("Item") or {}
            return str(item.get("run", {}).get("S", "?")), None
        return None, (old["run"]["S"] if old else None)

    def active(self) -> str | None:
        item = self.dynamodb.get_item(TableName=self.state, Key={"pk": _s("run#active")}, ConsistentRead=True).get("Item")
        return item["run"]["S"] if item else None

    def heartbeat(self, run: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.dynamodb.update_item(
                TableName=self.state,
                Key={"pk": _s("run#active")},
                UpdateExpression="SET heartbeat = :now",
                ConditionExpression="#r = :run",
                ExpressionAttributeNames={"#r": "run"},
                ExpressionAttributeValues={":now": _n(time.time()), ":run": _s(run)},
            )
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    def release(self, run: str) -> None:
        from botocore.exceptions import ClientError

        try:
            self.dynamodb.delete_item(
                TableName=self.state,
                Key={"pk": _s("run#active")},
                ConditionExpression="#r = :run",
                ExpressionAttributeNames={"#r": "run"},
                ExpressionAttributeValues={":run": _s(run)},
            )
        except ClientError as exc:
            if _code(exc) != "ConditionalCheckFailedException":
                raise

    def checkpoint(self, name: str) -> dict[str, Any]:
        return checkpoint(self.dynamodb, self.state, name)

    def save_checkpoint(self, name: str, doc: dict[str, Any]) -> None:
        save_checkpoint(self.dynamodb, self.state, name, doc)


def checkpoint(dynamodb: Any, state: str, name: str) -> dict[str, Any]:
    """A named checkpoint in the state table (``checkpoint#<name>``), or {}."""
    item = dynamodb.get_item(TableName=state, Key={"pk": _s(f"checkpoint#{name}")}, ConsistentRead=True).get("Item")
    return json.loads(item["doc"]["S"]) if item else {}


def save_checkpoint(dynamodb: Any, state: str, name: str, doc: dict[str, Any]) -> None:
    dynamodb.put_item(TableName=state, Item={"pk": _s(f"checkpoint#{name}"), "doc": _s(json.dumps(doc, sort_keys=True))})


def page_key(phase: int, index: int) -> str:
    return f"p{phase}#{index:05d}"


def _attrs(fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for k, v in fields.items():
        if v is None:
            continue
        if isinstance(v, bool):
            out[k] = {"BOOL": v}
        elif isinstance(v, int | float):
            out[k] = {"N": str(v)}
        elif isinstance(v, str):
            out[k] = _s(v)
        else:
            out[k] = _s(json.dumps(v, sort_keys=True, separators=(",", ":")))
    return out


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB item as plain values (JSON-looking strings of dicts/lists decoded)."""
    out: dict[str, Any] = {}
    for k, v in item.items():
        if "S" in v:
            text = v["S"]
            if text[:1] in "{[" and k not in ("pk", "sk"):
                try:
                    out[k] = json.loads(text)
                    continue
                except ValueError:
                    pass
            out[k] = text
        elif "N" in v:
            out[k] = float(v["N"]) if "." in v["N"] else int(v["N"])
        elif "BOOL" in v:
            out[k] = v["BOOL"]
        elif "SS" in v:
            out[k] = sorted(v["SS"])
    return out


# -- the mapping document: versioned, validated before it is stored ----------------------------------------


def current_mapping(dynamodb: Any, table: str) -> MappingDocument:
    """The current mapping document (the default when none was pushed), re-read once a minute."""
    hit = _mapping_cache.get(table)
    now = time.monotonic()
    if hit and now - hit[0] < MAPPING_CACHE_SECONDS:
        return hit[1]
    item = dynamodb.get_item(TableName=table, Key={"pk": _s("mapping"), "sk": _s("current")}).get("Item")
    doc = parse(json.loads(item["doc"]["S"])) if item else MappingDocument()
    _mapping_cache[table] = (now, doc)
    return doc


def push_mapping(dynamodb: Any, table: str, doc: dict[str, Any], author: str) -> int:
    """Store a validated document as the next version and make it current; returns the version."""
    from botocore.exceptions import ClientError

    parse(doc)  # refuse before writing anything
    current = dynamodb.get_item(TableName=table, Key={"pk": _s("mapping"), "sk": _s("current")}, ConsistentRead=True).get("Item")
    old = int(current["version"]["N"]) if current else 0
    version = old + 1
    body = json.dumps({**doc, "version": version}, separators=(",", ":"), sort_keys=True)
    stamp = iso()
    dynamodb.put_item(
        TableName=table, Item={"pk": _s("mapping"), "sk": _s(f"v{version:06d}"), "doc": _s(body), "author": _s(author), "at": _s(stamp)}
    )
    try:
        dynamodb.put_item(
            TableName=table,
            Item={"pk": _s("mapping"), "sk": _s("current"), "doc": _s(body), "version": {"N": str(version)}, "at": _s(stamp)},
            ConditionExpression="attribute_not_exists(pk) OR version = :v",
            ExpressionAttributeValues={":v": {"N": str(old)}},
        )
    except ClientError as exc:
        if _code(exc) == "ConditionalCheckFailedException":
            raise RuntimeError("someone else pushed a mapping at the same time; pull and push again") from None
        raise
    _mapping_cache.pop(table, None)
    return version


def pull_mapping(dynamodb: Any, table: str, version: int | None = None) -> dict[str, Any] | None:
    sk = "current" if version is None else f"v{version:06d}"
    item = dynamodb.get_item(TableName=table, Key={"pk": _s("mapping"), "sk": _s(sk)}, ConsistentRead=True).get("Item")
    return json.loads(item["doc"]["S"]) if item else None
