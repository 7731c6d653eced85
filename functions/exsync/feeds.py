"""EX sync, part 2: what CXone did (agent states, completed contacts, their recordings) as Genesys
Cloud EX events and recordings. The logic behind the part-2 functions of
:mod:`functions.exsync.syncs`, one direction, each step a function here:

    schedule (1 min) --> states-poll: CXone /agents/states (updatedSince) every few seconds
        --> each change mapped (agentstate.py) --> presence + routing-status events injected in
        batches (at most 50 a request, one event per agent a request); a retryable refusal is
        sent again, the rest are recorded as rejected (feed table, alarm)
    schedule (hourly) --> states-reconcile: CXone's current state of every agent against the last
        one injected; what differs is injected (the event ids make a repeat harmless)
    schedule (5 min) --> contacts-poll: CXone /contacts/completed (updatedSince) --> one message
        per contact chain (master contact id) --> interactions (SQS FIFO, a group per chain)
        --> inject-interaction: each leg's hold periods read, the conversation built
        (interactions.py) and injected step by step --> recordings (SQS FIFO)
        --> upload-recording (media layer): download, convert, digest, upload (media.py)
    schedule (hourly) --> contacts-reconcile: yesterday (UTC) until done; chains never injected go in
    CLI: ``./dev exsync backfill --from --to`` --> contacts-poll in backfill mode (a window,
        page by page, resumable from its checkpoint)

Why states are injected by the poller and not through a queue: a queue consumer handles one
message at a time (powertools' batch processing calls the handler per record), which makes two
Genesys requests per change; batched by the poller, 1000 changes of 200 agents take 40 requests
(bench.exsync_feeds). Genesys' per-client budget (300 a minute) is what limits an org.

Tables: ``feed`` (sort key) holds ``conversation``/<master contact id> (the conversation, its legs,
what was injected, the recording), ``agent``/<agent id> (the last state injected), ``pending``/
<master> (a chain waiting for its transfer's next leg) and ``rejected``/<time>#<event id> (what
Genesys refused, kept 14 days); ``state`` holds the checkpoints and the presence source.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.exsync import agentstate, interactions
from functions.exsync.interactions import event_time

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient
    from functions.exsync.idmap import IdMap
    from functions.genesys.client import GenesysClient
    from functions.presence.model import Change

STATE_ROUNDS = 3  # sends of a change Genesys refused as retryable, within one poll
CONVERSATION_DAYS = 90  # conversation records kept (ids are derived, not looked up: a re-sync after this is still stable)
REJECTED_DAYS = 14
MEDIA_PHONE, MEDIA_EMAIL = interactions.MEDIA_PHONE, interactions.MEDIA_EMAIL
PAGE = 100  # completed contacts a page (CXone's top)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _n(value: float) -> dict[str, str]:
    return {"N": str(int(value))}


def parse_time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class Feed:
    """The part-2 tables of one configuration."""

    dynamodb: Any
    state: str
    feed: str

    # -- checkpoints and the source ---------------------------------------------------------------

    def checkpoint(self, name: str) -> dict[str, Any]:
        from functions.exsync.store import checkpoint

        return checkpoint(self.dynamodb, self.state, name)

    def save_checkpoint(self, name: str, doc: dict[str, Any]) -> None:
        from functions.exsync.store import save_checkpoint

        save_checkpoint(self.dynamodb, self.state, name, doc)

    # -- rows of the feed table ---------------------------------------------------------------------

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.dynamodb.get_item(TableName=self.feed, Key={"pk": _s(pk), "sk": _s(sk)}, ConsistentRead=True).get("Item")
        return json.loads(item["doc"]["S"]) if item else None

    def put(self, pk: str, sk: str, doc: dict[str, Any], *, days: float | None = None) -> None:
        item = {"pk": _s(pk), "sk": _s(sk), "doc": _s(json.dumps(doc, sort_keys=True, default=str))}
        if days is not None:
            item["expiresAt"] = _n(time.time() + days * 86400)
        self.dynamodb.put_item(TableName=self.feed, Item=item)

    def delete(self, pk: str, sk: str) -> None:
        self.dynamodb.delete_item(TableName=self.feed, Key={"pk": _s(pk), "sk": _s(sk)})

    def rows(self, pk: str) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        kwargs: dict[str, Any] = {"TableName": self.feed, "KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": _s(pk)}}
        while True:
            page = self.dynamodb.query(**kwargs)
            for item in page.get("Items", []):
                out[item["sk"]["S"]] = json.loads(item["doc"]["S"])
            if "LastEvaluatedKey" not in page:
                return out
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def many(self, pk: str, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = sorted(set(keys))
        out: dict[str, dict[str, Any]] = {}
        for i in range(0, len(wanted), 100):
            request: dict[str, Any] = {
                self.feed: {"Keys": [{"pk": _s(pk), "sk": _s(k)} for k in wanted[i : i + 100]], "ConsistentRead": True}
            }
            while request:
                got = self.dynamodb.batch_get_item(RequestItems=request)
                for item in got.get("Responses", {}).get(self.feed, []):
                    out[item["sk"]["S"]] = json.loads(item["doc"]["S"])
                request = got.get("UnprocessedKeys") or {}
        return out

    def put_chunks(self, pk: str, name: str, items: list[dict[str, Any]], *, days: float) -> None:
        """A list too big for one item, in rows ``<name>#<i>`` of at most CARRY_CHUNK bytes each;
        rows of an earlier, longer list are removed (an empty list removes them all)."""
        chunks: list[list[dict[str, Any]]] = [[]]
        size = 0
        for item in items:
            n = len(json.dumps(item, default=str))
            if chunks[-1] and size + n > CARRY_CHUNK:
                chunks.append([])
                size = 0
            chunks[-1].append(item)
            size += n
        old = [k for k in self.rows(pk) if k.startswith(f"{name}#")]
        if items or old:
            for i, chunk in enumerate(c for c in chunks if c):
                self.put(pk, f"{name}#{i}", {"items": chunk}, days=days)
        for k in old:
            if int(k.rsplit("#", 1)[1]) >= len([c for c in chunks if c]):
                self.delete(pk, k)

    def get_chunks(self, pk: str, name: str) -> list[dict[str, Any]]:
        rows = {k: v for k, v in self.rows(pk).items() if k.startswith(f"{name}#")}
        return [i for k in sorted(rows, key=lambda k: int(k.rsplit("#", 1)[1])) for i in rows[k]["items"]]

    def put_newer(self, pk: str, sk: str, doc: dict[str, Any]) -> bool:
        """Write the row unless it holds a newer ``at`` (two writers never move it backwards)."""
        from botocore.exceptions import ClientError

        item = {"pk": _s(pk), "sk": _s(sk), "doc": _s(json.dumps(doc, sort_keys=True, default=str)), "at": _n(doc["at"])}
        try:
            self.dynamodb.put_item(
                TableName=self.feed,
                Item=item,
                ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": _n(doc["at"])},
            )
            return True
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            return False

    def reject(self, kind: str, event_id: str, subject: str, message: str, retryable: bool) -> None:
        """What Genesys refused (or kept refusing), kept 14 days: the dead letters of the event feeds."""
        doc = {
            "kind": kind,
            "eventId": event_id,
            "subject": subject,
            "message": message[:300],
            "retryable": retryable,
            "at": event_time(datetime.now(UTC)),
        }
        self.put("rejected", f"{doc['at']}#{event_id}", doc, days=REJECTED_DAYS)


# -- the registered source ---------------------------------------------------------------------------


def presence_source(ctx: ActionContext[Any], feed: Feed, genesys: GenesysClient, name: str) -> str:
    """The presence source CXone's events are injected on: found by name or registered
    (``POST /api/v2/presence/sources``), and made the org's default primary source (``PUT
    /api/v2/presence/settings``: one presence source per org). Kept in the state table: looked up
    once per configuration, not per poll. The conversations carry the same id as their
    ``sourceConfiguration.sourceId`` (docs/ex-sync-decisions.md)."""
    item = feed.dynamodb.get_item(TableName=feed.state, Key={"pk": _s("source")}, ConsistentRead=True).get("Item")
    if item and item.get("name", {}).get("S") == name:
        return str(item["sourceId"]["S"])
    listing = genesys.get(ctx, "/api/v2/presence/sources") or {}
    found = next(
        (s for s in listing.get("entities") or [] if isinstance(s, dict) and s.get("name") == name and not s.get("deactivated")), None
    )
    if found is None:
        body = {"name": name, "description": "NICE CXone agent states (EX sync)", "type": "System", "deactivated": False}
        found = genesys.json(genesys.request(ctx, "POST", "/api/v2/presence/sources", read=False, json=body, passthrough=()))
    source_id = str(found["id"])
    settings = genesys.get(ctx, "/api/v2/presence/settings") or {}
    if settings.get("defaultPrimaryPresenceRegisteredSourceId") != source_id:
        genesys.request(
            ctx,
            "PUT",
            "/api/v2/presence/settings",
            read=False,
            json={"defaultPrimaryPresenceRegisteredSourceId": source_id},
            passthrough=(),
        )
    feed.dynamodb.put_item(TableName=feed.state, Item={"pk": _s("source"), "sourceId": _s(source_id), "name": _s(name)})
    return source_id


# -- agent states ----------------------------------------------------------------------------------------


def state_lookups(system: Mapping[str, str], ids: IdMap) -> agentstate.StateLookups:
    """Part 1's id map (users, secondary statuses) and the org's system presence definitions
    (name -> definition id)."""
    users = ids.lookup("user")
    statuses = ids.statuses_by_name()
    return agentstate.StateLookups(
        user=lambda agent: users(agent),
        secondary=lambda code: statuses.get(code.lower()),
        system=lambda name: system.get(name),
    )


def inject_changes(
    ctx: ActionContext[Any], feed: Feed, genesys: GenesysClient, lookups: agentstate.StateLookups, source_id: str, changes: Iterable[Change]
) -> Counter[str]:
    """Inject the changes that are newer than what each agent last got; record, per agent, the
    newest change decided (injected, or not mappable: no Genesys user, an undocumented state) and
    what Genesys refused. Counts: changes, stale, unmapped, injected, superseded, rejected."""
    counts: Counter[str] = Counter()
    ordered = sorted(changes, key=lambda c: (c.at, c.event_id))
    last = feed.many("agent", {c.agent for c in ordered})
    fresh: list[Change] = []
    for c in ordered:
        counts["changes"] += 1
        seen = last.get(c.agent)
        if seen and (c.at < int(seen["at"]) or (c.event_id == seen["eventId"] and not seen.get("unmapped"))):
            counts["stale"] += 1  # a repeat, or older than what Genesys already has: never regress (an unmapped one is tried again)
            continue
        fresh.append(c)
    if not fresh:
        return counts
    mapped = {c.event_id: agentstate.map_change(c, lookups, source_id) for c in fresh}
    by_id = {c.event_id: c for c in fresh}
    pending = {eid: m for eid, m in mapped.items() if m.presence or m.routing}
    failed: dict[str, tuple[str, bool]] = {}  # change event id -> (message, retryable)
    newest_ok: dict[str, int] = {}  # agent -> time of the newest change Genesys accepted
    superseded: set[str] = set()
    for _ in range(STATE_ROUNDS):
        if not pending:
            break
        outcome = agentstate.inject_states(ctx, genesys, list(pending.values()))
        again: dict[str, agentstate.Mapped] = {}
        for eid, m in pending.items():
            ids = [e["eventId"] for e in (m.presence, m.routing) if e]
            dead = next((outcome.rejected[i] for i in ids if i in outcome.rejected), None)
            retry = next((outcome.retryable[i] for i in ids if i in outcome.retryable), None)
            if dead is not None:
                failed[eid] = (dead, False)
            elif retry is not None:
                failed[eid] = (retry, True)
                again[eid] = agentstate.Mapped(
                    presence=m.presence if m.presence and m.presence["eventId"] in outcome.retryable else None,
                    routing=m.routing if m.routing and m.routing["eventId"] in outcome.retryable else None,
                )
            else:
                failed.pop(eid, None)
                c = by_id[eid]
                newest_ok[c.agent] = max(newest_ok.get(c.agent, 0), c.at)
        # a retry older than a change of the same agent Genesys took is not sent again: it would regress
        for eid in [e for e in again if by_id[e].at < newest_ok.get(by_id[e].agent, -1)]:
            del again[eid]
            failed.pop(eid, None)
            superseded.add(eid)
        pending = again
    decided: dict[str, dict[str, Any]] = {}  # per agent, the newest change decided (fresh is in time order)
    for c in fresh:
        m = mapped[c.event_id]
        doc = {"eventId": c.event_id, "at": c.at, "state": c.state, "acw": c.acw, "code": bool(c.reason)}
        if c.event_id in superseded:
            counts["superseded"] += 1
        elif c.event_id in failed:
            message, retryable = failed[c.event_id]
            feed.reject("state", c.event_id, f"agent {c.agent}", message, retryable)
            counts["rejected"] += 1
        elif m.presence or m.routing:
            counts["injected"] += 1
            decided[c.agent] = doc
        else:
            counts["unmapped"] += 1  # recorded, so the reconcile does not count it as drift every hour
            decided[c.agent] = {**doc, "unmapped": "; ".join(m.problems)[:300]}
    for agent, doc in decided.items():
        feed.put_newer("agent", agent, doc)
    return counts


def poll_states(
    ctx: ActionContext[Any],
    feed: Feed,
    cxone: CxoneClient,
    inject: Callable[[list[Change]], Counter[str]],
    *,
    poll_seconds: float,
    for_seconds: float,
    once: bool = False,
) -> dict[str, Any]:
    """Poll CXone agent states every ``poll_seconds`` for ``for_seconds``; each poll's changes
    injected before the checkpoint moves (a crash re-reads them: same event ids, no second effect).
    A poll that returns nothing writes nothing (the checkpoint stays)."""
    from functions.presence.connectors import CxoneSide

    counts: Counter[str] = Counter()
    since = feed.checkpoint("cxone-states").get("updatedSince")
    stop = time.monotonic() + for_seconds
    lag = 0
    while True:
        states, next_since = cxone.agent_states(ctx, since)
        counts["polls"] += 1
        changes = [CxoneSide.change(s) for s in states if s.get("agentId") is not None]
        if changes:
            counts.update(inject(changes))
            if since:  # the first poll reads every agent's state, however old: not a delay
                lag = max(lag, int(time.time() * 1000) - max(c.at for c in changes))
            if next_since and next_since != since:
                since = next_since
                feed.save_checkpoint("cxone-states", {"updatedSince": since})
        if once or time.monotonic() + poll_seconds > stop or ctx.time_left() < poll_seconds + 5:
            break
        time.sleep(poll_seconds)
    return {"outcome": "polled" if counts["changes"] else "nothing-to-do", **counts, **({"lagMs": lag} if lag else {})}


def reconcile_states(
    ctx: ActionContext[Any],
    feed: Feed,
    cxone: CxoneClient,
    inject: Callable[[list[Change]], Counter[str]],
    has_user: Callable[[str], bool],
) -> dict[str, Any]:
    """Every agent's current CXone state against the last one decided: what differs (a missed
    poll, a change Genesys refused then, an agent part 1 has since given a Genesys user) is
    injected; an agent in step costs nothing."""
    from functions.presence.connectors import CxoneSide

    states, _ = cxone.agent_states(ctx, None)
    current = [CxoneSide.change(s) for s in states if s.get("agentId") is not None]
    last = feed.many("agent", {c.agent for c in current})

    def differs(c: Change) -> bool:
        seen = last.get(c.agent)
        if seen is None:
            return True
        if seen.get("unmapped"):
            return has_user(c.agent)
        return seen["eventId"] != c.event_id and c.at >= int(seen["at"])

    drift = [c for c in current if differs(c)]
    counts = inject(drift) if drift else Counter()
    return {"outcome": "healed" if drift else "in-step", "agents": len(current), "drift": len(drift), **counts}


# -- completed contacts -> chains -----------------------------------------------------------------------


def _transferred_out(leg: Mapping[str, Any]) -> bool:
    return "transfer" in str(leg.get("endReason") or "").lower()


def _start(leg: Mapping[str, Any]) -> str:
    return str(leg.get("contactStartDate") or "")


def chain_complete(master: int, legs: Iterable[Mapping[str, Any]]) -> bool:
    """A chain is complete when its master contact is in it (a consult or transfer leg can complete
    before the call it belongs to) and its latest leg did not end in a transfer (the leg it went to
    is still to come)."""
    ordered = sorted(legs, key=lambda c: (_start(c), int(c.get("contactId") or 0)))
    return any(int(c.get("contactId") or 0) == master for c in ordered) and not (ordered and _transferred_out(ordered[-1]))


def chain_end(legs: Iterable[Mapping[str, Any]]) -> str:
    """When the chain's last leg ended (ISO), from each leg's start and total duration."""
    ends = []
    for c in legs:
        try:
            seconds = float(c.get("totalDurationSeconds") or 0) + float(c.get("acwSeconds") or 0)
            ends.append(event_time(parse_time(_start(c)) + timedelta(seconds=seconds)))
        except ValueError:
            continue
    return max(ends, default="")


def chain_key(master: int, legs: Iterable[Mapping[str, Any]]) -> str:
    """The chain's message id: its legs and their last update (a chain that grows is a new message)."""
    text = json.dumps(sorted((int(c["contactId"]), str(c.get("lastUpdateTime") or "")) for c in legs))
    return hashlib.sha256(f"{master}:{text}".encode()).hexdigest()[:40]


def chains(contacts: Iterable[Mapping[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for c in contacts:
        try:
            master = int(c.get("masterContactId") or 0) or int(c["contactId"])
        except (KeyError, TypeError, ValueError):
            continue
        out.setdefault(master, []).append(dict(c))
    return out


def chain_message(master: int, legs: list[dict[str, Any]]) -> tuple[dict[str, Any], str, str]:
    key = chain_key(master, legs)
    return {"key": key, "master": master, "contacts": legs}, str(master), key


PENDING_DAYS = 3  # a waiting chain's row outlives the longest wait (pendingHours at most 48)


@dataclass
class ChainSender:
    """Sends chains to the interactions queue. The live poll (``hold_incomplete``) holds a chain
    that is not complete yet in the feed table (``pending``) for at most ``pending_hours`` and
    merges what later polls find into it; a window (backfill, reconcile) sends what it read, whole,
    and leaves the poll's waiting chains alone. ``skip_injected``: a chain whose legs were all
    injected already is not sent again."""

    feed: Feed
    send: Callable[[list[tuple[dict[str, Any], str | None, str | None]]], int]
    pending_hours: float
    hold_incomplete: bool = True
    skip_injected: bool = False

    def __call__(self, found: dict[int, list[dict[str, Any]]], now: datetime) -> Counter[str]:
        counts: Counter[str] = Counter()
        held = self.feed.rows("pending") if self.hold_incomplete else {}
        ready: list[tuple[dict[str, Any], str | None, str | None]] = []
        done_with: list[str] = []
        injected = self.feed.many("conversation", (str(m) for m in found)) if self.skip_injected else {}
        for master in sorted(set(found) | {int(k) for k in held}):
            hold = held.get(str(master))
            legs = {int(c["contactId"]): c for c in (hold or {}).get("contacts", [])}
            legs.update({int(c["contactId"]): c for c in found.get(master, [])})
            merged = sorted(legs.values(), key=lambda c: int(c["contactId"]))
            since = parse_time(hold["since"]) if hold else now
            if self.hold_incomplete and not chain_complete(master, merged) and now - since < timedelta(hours=self.pending_hours):
                if hold is None or len(hold["contacts"]) != len(merged):
                    self.feed.put("pending", str(master), {"contacts": merged, "since": event_time(since)}, days=PENDING_DAYS)
                counts["held"] += 1
                continue
            if hold is not None:
                done_with.append(str(master))
            if self.skip_injected:
                record = injected.get(str(master))
                if record and record.get("status") == "injected" and {int(i) for i in record.get("legs", [])} >= set(legs):
                    counts["already"] += 1
                    continue
            ready.append(chain_message(master, merged))
        if ready:
            counts["queued"] += self.send(ready)
        for master_key in done_with:
            self.feed.delete("pending", master_key)
        return counts


def read_contacts(
    ctx: ActionContext[Any], cxone: CxoneClient, params: dict[str, Any], skip: int
) -> tuple[list[dict[str, Any]], int | None]:
    """One page of ``/contacts/completed``; the next skip, or None after the last page."""
    body = cxone.get(ctx, "/contacts/completed", {**params, "skip": skip, "top": PAGE}) or {}
    items = [i for i in body.get("completedContacts") or [] if isinstance(i, dict)]
    total = int(body.get("totalRecords") or 0)
    nxt = skip + len(items)
    return items, (nxt if items and nxt < total else None)


POLL_SPAN = timedelta(hours=1)  # updates one poll reads at most: after an outage, polls catch up an hour at a time


def poll_contacts(
    ctx: ActionContext[Any], feed: Feed, cxone: CxoneClient, sender: ChainSender, *, settle_seconds: float, lookback_minutes: float
) -> dict[str, Any]:
    """Contacts CXone completed (or updated) since the checkpoint and at least ``settle_seconds``
    ago (a transfer's next leg gets time to appear), as chains on the interactions queue. One poll
    reads at most an hour of updates, so it fits its time however long the poller was down."""
    now = datetime.now(UTC)
    since = feed.checkpoint("cxone-contacts").get("updatedSince") or event_time(now - timedelta(minutes=lookback_minutes))
    until = min(now - timedelta(seconds=settle_seconds), parse_time(since) + POLL_SPAN)
    if parse_time(since) >= until:
        return {"outcome": "nothing-to-do"}
    found: list[dict[str, Any]] = []
    skip: int | None = 0
    while skip is not None:
        items, skip = read_contacts(ctx, cxone, {"updatedSince": since}, skip)
        found += [c for c in items if not c.get("lastUpdateTime") or parse_time(str(c["lastUpdateTime"])) <= until]
    counts = sender(chains(found), now)
    if found or counts:
        feed.save_checkpoint("cxone-contacts", {"updatedSince": event_time(until)})
    return {"outcome": "polled" if found or counts else "nothing-to-do", "contacts": len(found), **counts}


CARRY_DAYS = 14  # a window's carried chains wait this long for the window to be resumed
CARRY_CHUNK = 300_000  # bytes of carried contacts per row (DynamoDB items are at most 400 KB)


def sync_window(
    ctx: ActionContext[Any],
    feed: Feed,
    cxone: CxoneClient,
    sender: ChainSender,
    start: datetime,
    end: datetime,
    name: str,
    *,
    again: bool = False,
) -> dict[str, Any]:
    """Every contact that started in [start, end) (backfill and the daily reconcile), page by page
    in start order (the order CXone lists them in); the checkpoint ``name`` keeps the next page and
    the chains a page boundary splits, so an invocation that runs out of time is continued by the
    next (the CLI invokes until ``done``). A chain is sent once the page has gone past its end (a
    transfer or consult leg starts before the call it belongs to ends); the last page sends all.
    Chains already injected whole are not sent again."""
    params = {"startDate": event_time(start), "endDate": event_time(end)}
    mark = feed.checkpoint(name)
    if mark.get("done") and not again:
        return {"outcome": "done", "window": "done before (again: read it again)", "resumed": False}
    if mark.get("done"):
        mark = {}
    skip: int | None = int(mark.get("skip", 0))
    totals: Counter[str] = Counter({k: int(mark.get(k, 0)) for k in ("contacts", "queued", "already")})
    resumed = bool(mark)
    carry = feed.get_chunks("carry", name) if mark else []
    while skip is not None:
        if ctx.time_left() < 20:
            return {"outcome": "continued", **totals, "skip": skip, "resumed": resumed}
        items, skip = read_contacts(ctx, cxone, params, skip)
        totals["contacts"] += len(items)
        groups = chains([*carry, *items])
        if skip is not None:
            last_start = max((_start(c) for c in items), default="")
            ready = {m: legs for m, legs in groups.items() if chain_end(legs) < last_start}
            carry = [c for m, legs in groups.items() if m not in ready for c in legs]
            totals.update(sender(ready, datetime.now(UTC)))
            feed.put_chunks("carry", name, carry, days=CARRY_DAYS)
            feed.save_checkpoint(name, {**totals, "skip": skip})
        else:
            totals.update(sender(groups, datetime.now(UTC)))
            feed.put_chunks("carry", name, [], days=CARRY_DAYS)
    feed.save_checkpoint(name, {**totals, "done": True})
    return {"outcome": "done", **totals, "resumed": resumed}


# -- one chain -> one conversation ----------------------------------------------------------------------


def conversation_ids(ids: IdMap) -> interactions.IdMap:
    users, queues, wrapups = ids.lookup("user"), ids.lookup("queue"), ids.lookup("wrapup")
    return interactions.IdMap(user=users, queue=queues, wrapup=wrapups)


class InjectLater(Exception):
    """Genesys refused an event as retryable: the chain's message is delivered again (SQS)."""


class RecordingNotYet(Exception):
    """CXone has no recording of a call that ended recently: asked again later (SQS redelivers)."""


RECORDING_WAIT_HOURS = 4.0  # CXone publishes a recording some time after the call; after this, "none" is final


def _digest(body: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]


def inject_chain(
    ctx: ActionContext[Any],
    feed: Feed,
    cxone: CxoneClient,
    genesys: GenesysClient,
    ids: interactions.IdMap,
    source_id: str,
    master: int,
    contacts: list[dict[str, Any]],
    *,
    ordering: interactions.Ordering = "steps",
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Build one chain (with the legs injected before) and inject the events Genesys does not have
    yet; what happened, and the recording message to send (voice, recording not uploaded yet).

    The record keeps each injected event's id and a digest of its body. An event already injected
    is not sent again; one whose content changed since (a disposition edited in CXone, a leg that
    completed after the chain was injected) cannot be changed in Genesys (same id, other body) and
    is counted as ``changedAfterInjection``; new events (a later leg) are sent."""
    import dataclasses

    record = feed.get("conversation", str(master)) or {}
    legs = {int(c["contactId"]): c for c in record.get("contacts", [])}
    legs.update({int(c["contactId"]): c for c in contacts})
    merged = [legs[k] for k in sorted(legs)]
    detailed = [interactions.fetch_details(ctx, cxone, c) for c in merged]
    built = interactions.build_interaction(detailed, ids, source_id)
    problems = sorted({p.code for p in built.problems})
    base = {"conversationId": built.conversation_id, "legs": sorted(legs), "contacts": merged, "problems": problems}
    voice = bool(detailed) and detailed[0].media_type_id == MEDIA_PHONE and any(not c.abandoned and c.agent_id for c in detailed)
    recording = {"master": master, "conversationId": built.conversation_id, "communicationId": built.external_communication_id}
    recording["endedAt"] = chain_end(merged) or event_time(datetime.now(UTC))

    def wants_recording() -> dict[str, Any] | None:
        if not voice:
            return None
        done = feed.get("recording", str(master))
        return None if done and done.get("status") in ("uploaded", "none", "unusable") else recording

    if built.skipped:
        feed.put("conversation", str(master), {**record, **base, "status": "skipped"}, days=CONVERSATION_DAYS)
        return {"outcome": "skipped", "master": master}, None
    sent: dict[str, str] = dict(record.get("sent") or {})
    new = [e for e in built.events if e.event_id not in sent]
    changed = sum(1 for e in built.events if e.event_id in sent and sent[e.event_id] != _digest(e.body))
    if not new:
        if changed and record.get("changedAfterInjection") != changed:
            feed.put("conversation", str(master), {**record, **base, "changedAfterInjection": changed}, days=CONVERSATION_DAYS)
        return {"outcome": "unchanged", "master": master, "changedAfterInjection": changed}, wants_recording()
    result = interactions.inject_conversations(ctx, genesys, [dataclasses.replace(built, events=new)], ordering=ordering)
    calls = result.outcome.requests
    accepted = set(result.outcome.accepted)
    sent.update({e.event_id: _digest(e.body) for e in new if e.event_id in accepted})
    doc = {**record, **base, "sent": sent, "changedAfterInjection": changed, "events": len(built.events), "shape": built.shape}
    doc["communicationId"] = built.external_communication_id
    doc["media"] = "voice" if detailed[0].media_type_id == MEDIA_PHONE else "email" if detailed[0].media_type_id == MEDIA_EMAIL else "other"
    if built.conversation_id in result.dead:
        message = result.dead[built.conversation_id]
        feed.reject("conversation", built.conversation_id, f"CXone contact {master}", message, False)
        feed.put("conversation", str(master), {**doc, "status": "rejected", "why": message[:300]}, days=CONVERSATION_DAYS)
        return {"outcome": "rejected", "master": master, "calls": calls}, None
    if built.conversation_id in result.retry:
        feed.put("conversation", str(master), {**doc, "status": "retrying"}, days=CONVERSATION_DAYS)  # what was accepted stays known
        raise InjectLater(result.retry[built.conversation_id][:200])
    feed.put(
        "conversation", str(master), {**doc, "status": "injected", "injectedAt": event_time(datetime.now(UTC))}, days=CONVERSATION_DAYS
    )
    summary = {"outcome": "injected", "master": master, "events": len(new), "calls": calls, "shape": built.shape}
    if changed:
        summary["changedAfterInjection"] = changed
    return summary, wants_recording()


def upload(
    ctx: ActionContext[Any],
    feed: Feed,
    cxone: CxoneClient,
    genesys: GenesysClient,
    master: int,
    conversation_id: str,
    communication_id: str,
    ended_at: str,
    target: Any,
) -> dict[str, Any]:
    """The chain's recording into Genesys once (its own row says whether it is there: the inject
    function never writes it). No recording yet for a call that ended less than
    RECORDING_WAIT_HOURS ago: asked again later."""
    from functions.exsync import media

    done = feed.get("recording", str(master))
    if done and done.get("status") in ("uploaded", "none", "unusable"):
        return {"outcome": "duplicate", "master": master}
    try:
        synced = media.sync_recording(ctx, cxone, genesys, master, conversation_id, communication_id, target=target)
    except media.MediaError as exc:
        feed.put("recording", str(master), {"status": "unusable", "why": str(exc)[:200]}, days=CONVERSATION_DAYS)
        return {"outcome": "unusable", "master": master}
    if synced is None:
        if datetime.now(UTC) - parse_time(ended_at) < timedelta(hours=RECORDING_WAIT_HOURS):
            raise RecordingNotYet(f"no recording of contact {master} yet")
        feed.put("recording", str(master), {"status": "none"}, days=CONVERSATION_DAYS)
        return {"outcome": "no-recording", "master": master}
    doc = {
        "status": "uploaded",
        "conversationId": conversation_id,
        "uploadKey": synced.upload_key,
        "fileName": synced.file_name,
        "bytes": synced.size,
        "format": synced.format,
        "notes": synced.notes,
        "at": event_time(datetime.now(UTC)),
    }
    feed.put("recording", str(master), doc, days=CONVERSATION_DAYS)
    return {"outcome": "uploaded", "master": master, "bytes": synced.size, "format": synced.format}
