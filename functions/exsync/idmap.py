"""The id map: CXone id -> Genesys id per object kind, in DynamoDB, with what was last applied.

This is the contract the rest of the EX sync builds on (part 2 resolves agents to users, skills
to queues, dispositions to wrap-up codes and unavailable codes to secondary statuses through it):

* ``pk`` = kind (``user``, ``queue``, ``wrapup``, ``status``, ``skill``, ``language``,
  ``division``; other parts may add their own kinds, e.g. ``source``), ``sk`` = the CXone id as a
  string (``@home``, ``@single``, ``@objects`` for the divisions the mapping names);
  ``gcId`` = the Genesys id; ``hashes`` = content hashes of the applied fields (JSON); ``sets`` =
  the applied sets by CXone id (JSON: a user's skills and languages, a queue's members and wrap-up
  codes); ``attrs`` = small non-personal facts (a status's ``systemPresence``, an object's ``name``
  unless it is a person); ``deleted`` = deleted in Genesys (re-created by the next run);
  ``failed`` = content Genesys rejected (JSON ``{digest, reason, run}``); ``run``, ``at``.
* ``pk`` = ``gc#<kind>``, ``sk`` = Genesys id -> ``key``: the reverse index (audit events name
  Genesys ids).

Users also carry their CXone agent id as a Genesys external id (authority ``cxone``), so the user
part of the map can be rebuilt from Genesys itself (``GET /api/v2/users/externalid/cxone/{id}``).

Reads are ``GetItem``/``Query`` only (no Scan: the functions' roles do not grant it).
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from functions.exsync.model import Current

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from functions.exsync.store import WriteBatch

CACHE_SECONDS = 60.0


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _entry(item: dict[str, Any]) -> Current:
    def js(name: str, default: Any) -> Any:
        return json.loads(item[name]["S"]) if name in item else default

    return Current(
        kind=item["pk"]["S"],
        key=item["sk"]["S"],
        gc_id=item.get("gcId", {}).get("S"),
        hashes=js("hashes", {}),
        sets=js("sets", {}),
        deleted=bool(item.get("deleted", {}).get("BOOL", False)),
        failed=js("failed", None),
        attrs=js("attrs", {}),
        run=item.get("run", {}).get("S", ""),
    )


class IdMap:
    """One configuration's id map (``dynamodb``: a boto3 client; ``table``: the map table's name)."""

    def __init__(self, dynamodb: Any, table: str) -> None:
        self.dynamodb = dynamodb
        self.table = table
        self.writes = 0
        self.batch: WriteBatch | None = None  # when set, puts wait for its flush
        self._cache: dict[tuple[str, str], tuple[float, Current | None]] = {}

    # -- reading -----------------------------------------------------------------------------------

    def get(self, kind: str, key: str, *, fresh: bool = False) -> Current | None:
        """The entry of one object (cached for a minute per container unless ``fresh``)."""
        hit = self._cache.get((kind, key))
        if hit is not None and not fresh and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        item = self.dynamodb.get_item(TableName=self.table, Key={"pk": _s(kind), "sk": _s(key)}, ConsistentRead=True).get("Item")
        entry = _entry(item) if item else None
        self._cache[(kind, key)] = (time.monotonic(), entry)
        return entry

    def prefetch(self, keys: Iterable[tuple[str, str]]) -> None:
        """Read the entries of ``keys`` at once (BatchGetItem) into the cache."""
        wanted = list(dict.fromkeys(keys))
        now = time.monotonic()
        for i in range(0, len(wanted), 100):
            chunk = wanted[i : i + 100]
            for k in chunk:
                self._cache[k] = (now, None)
            request: dict[str, Any] = {self.table: {"Keys": [{"pk": _s(k), "sk": _s(key)} for k, key in chunk], "ConsistentRead": True}}
            while request:
                got = self.dynamodb.batch_get_item(RequestItems=request)
                for item in got.get("Responses", {}).get(self.table, []):
                    entry = _entry(item)
                    self._cache[(entry.kind, entry.key)] = (now, entry)
                request = got.get("UnprocessedKeys") or {}

    def genesys_id(self, kind: str, key: str) -> str | None:
        """The Genesys id of a CXone object, or None when it is not (or no longer) in Genesys."""
        entry = self.get(kind, key)
        return entry.gc_id if entry is not None and not entry.deleted else None

    def key_of(self, kind: str, gc_id: str) -> str | None:
        """The CXone id behind a Genesys id (the reverse index)."""
        item = self.dynamodb.get_item(TableName=self.table, Key={"pk": _s(f"gc#{kind}"), "sk": _s(gc_id)}).get("Item")
        return item["key"]["S"] if item else None

    def all(self, kind: str) -> dict[str, Current]:
        """Every entry of one kind (a Query of its partition)."""
        out: dict[str, Current] = {}
        kwargs: dict[str, Any] = {
            "TableName": self.table,
            "KeyConditionExpression": "pk = :k",
            "ExpressionAttributeValues": {":k": _s(kind)},
        }
        while True:
            page = self.dynamodb.query(**kwargs)
            for item in page.get("Items", []):
                entry = _entry(item)
                out[entry.key] = entry
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def everything(self, kinds: Iterable[str]) -> dict[str, dict[str, Current]]:
        return {kind: self.all(kind) for kind in kinds}

    def lookup(self, kind: str) -> Callable[[str | int], str | None]:
        """CXone id -> Genesys id for one kind, from one Query (what a batch of events resolves
        through: ``ids.lookup("user")(1001)``); None for objects not (or no longer) in Genesys."""
        table = {k: e.gc_id for k, e in self.all(kind).items() if e.gc_id and not e.deleted}
        return lambda key: table.get(str(key))

    def statuses_by_name(self) -> dict[str, str]:
        """CXone unavailable code name (lower case) -> Genesys secondary presence definition id."""
        return {e.attrs["name"].lower(): e.gc_id for e in self.all("status").values() if e.gc_id and not e.deleted and e.attrs.get("name")}

    # -- writing -----------------------------------------------------------------------------------

    def put(self, entry: Current, run: str, *, previous_gc_id: str | None = None) -> None:
        """Store an entry (and its reverse index when the Genesys id is new)."""
        item: dict[str, Any] = {
            "pk": _s(entry.kind),
            "sk": _s(entry.key),
            "hashes": _s(json.dumps(entry.hashes, sort_keys=True, separators=(",", ":"))),
            "sets": _s(json.dumps(entry.sets, sort_keys=True, separators=(",", ":"))),
            "attrs": _s(json.dumps(entry.attrs, sort_keys=True, separators=(",", ":"))),
            "deleted": {"BOOL": entry.deleted},
            "run": _s(run),
            "at": {"N": f"{time.time():.3f}"},
        }
        if entry.gc_id:
            item["gcId"] = _s(entry.gc_id)
        if entry.failed:
            item["failed"] = _s(json.dumps(entry.failed, sort_keys=True))
        self._put(item)
        if entry.gc_id and entry.gc_id != previous_gc_id:
            self._put({"pk": _s(f"gc#{entry.kind}"), "sk": _s(entry.gc_id), "key": _s(entry.key)})
        entry.run = run
        self._cache[(entry.kind, entry.key)] = (time.monotonic(), entry)

    def _put(self, item: dict[str, Any]) -> None:
        self.writes += 1
        if self.batch is not None:
            self.batch.put(self.table, item)
        else:
            self.dynamodb.put_item(TableName=self.table, Item=item)

    def mark_deleted(self, kind: str, gc_id: str, run: str) -> str | None:
        """Genesys says the object was deleted: the next run re-creates it. Returns its CXone id."""
        key = self.key_of(kind, gc_id)
        if key is None:
            return None
        entry = self.get(kind, key, fresh=True)
        if entry is None or entry.gc_id != gc_id or entry.deleted:
            return key if entry is not None else None
        entry.deleted = True
        entry.sets = {}  # whatever Genesys held is gone with it: re-apply all of it
        entry.hashes = {}
        self.put(entry, run, previous_gc_id=gc_id)
        return key
