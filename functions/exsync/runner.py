"""A run, end to end: read both sides, plan, store the plan in pages, apply the pages (queue-driven
fan-out in lanes, one phase after the other), finish with a summary.

    schedule/CLI --> plan (sync | reconcile | plan | drift) --pages of phase 1--> work (SQS FIFO, group per lane)
                                                                                   |
    apply page: each object idempotently, a record each  <-------------------------+
      last page of a phase --> pages of the next phase --> ... --> last page of the run --> finish

A page is done when its last object is; one that runs out of time (or of rate budget) sends
itself on from the object it stopped at. A crash mid-page redelivers the page: objects already
recorded in this run are skipped, the one in flight is applied again without duplicating (see
:mod:`functions.exsync.apply`). Lanes are FIFO message groups: at most ``lanes`` pages of one
phase are applied at once, and the phase barrier is a DynamoDB string set of pages done.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dataactions.errors import BackendError, BackendTimeout, RateLimited
from functions.exsync.apply import Applier
from functions.exsync.model import KINDS, Desired, GenesysView, Kind, current_from_genesys, desired_state
from functions.exsync.plan import Plan, make_plan, pages
from functions.exsync.store import WriteBatch, iso, new_run_id, page_key

if TYPE_CHECKING:
    from collections.abc import Callable

    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient
    from functions.exsync.genesys import Directory
    from functions.exsync.idmap import IdMap
    from functions.exsync.mapping import MappingDocument
    from functions.exsync.store import Store

FLUSH_OPS = 5  # id map entries and object records are written every this many objects
PAGE_MARGIN_SECONDS = 45.0  # an object is started only with this much time left (a user takes a few calls)
TRANSIENT_STREAK = 10  # consecutive transient failures that stop a page (Genesys is down: retry later)


@dataclass
class Parts:
    """What a run works with (built by the sync functions from the context)."""

    store: Store
    idmap: IdMap
    mapping: MappingDocument
    directory: Callable[[], Directory]
    cxone: Callable[[], CxoneClient]
    send: Callable[[list[tuple[dict[str, Any], str | None, str | None]]], int]
    lanes: int = 2
    page_ops: int = 25


# -- reading Genesys (drift, reconcile, adoption at the first sync) ---------------------------------------


def read_genesys(
    ctx: ActionContext[Any], g: Directory, kinds: list[Kind], desired: Desired, known: dict[str, dict[str, Any]], *, details: bool
) -> GenesysView:
    """The Genesys objects of ``kinds``; queue members and wrap-up codes only with ``details``
    (reconcile, drift) and only for queues the sync owns or would adopt."""
    view = GenesysView({}, g.home_division(ctx))
    for kind in kinds:
        listed = g.listing(ctx, kind)
        if kind == "queue" and details:
            mine = {c.gc_id for c in known.get("queue", {}).values() if c.gc_id}
            names = {str(o.fields.get("name", "")).lower() for o in desired.of("queue").values()}
            listed = {
                qid: g.queue_details(ctx, q) if qid in mine or str(q.get("name", "")).lower() in names else q for qid, q in listed.items()
            }
        view.objects[kind] = listed
    return view


def compute_plan(ctx: ActionContext[Any], parts: Parts, mode: str) -> tuple[Plan, dict[str, float]]:
    """Read CXone and what Genesys holds, and plan. ``sync``/``plan``: Genesys as the id map knows
    it (read from Genesys only for kinds the map has nothing of yet: the first sync adopts what
    exists); ``reconcile``/``drift``: Genesys as it is."""
    snap_started = time.monotonic()
    from functions.exsync.source import snapshot

    snap = snapshot(ctx, parts.cxone())
    desired = desired_state(snap, parts.mapping)
    known = parts.idmap.everything(KINDS)
    figures: dict[str, float] = {"cxoneSeconds": round(time.monotonic() - snap_started, 1)}
    if mode in ("reconcile", "drift"):
        read: list[Kind] = list(KINDS)
    else:
        read = [k for k in KINDS if not known.get(k) and desired.of(k)]
    current: dict[str, Any] = dict(known)
    if read:
        g = parts.directory()
        before = sum(g.calls.values())
        view = read_genesys(ctx, g, read, desired, known, details=mode in ("reconcile", "drift"))
        current.update(current_from_genesys(desired, known, view, read))
        figures["genesysReads"] = sum(g.calls.values()) - before
    against = "genesys" if mode in ("reconcile", "drift") else "map"
    return make_plan(desired, current, parts.mapping, retry_failed=mode == "reconcile", against=against), figures


# -- planning a run ---------------------------------------------------------------------------------------


def plan_run(ctx: ActionContext[Any], parts: Parts, mode: str, run: str | None = None) -> dict[str, Any]:
    """``sync``/``reconcile``/``apply``: plan and start applying; ``plan``: store the plan only;
    ``drift``: record what differs, write nothing; ``apply`` with ``run``: apply that stored plan."""
    store = parts.store
    if mode == "apply" and run:
        return start_stored(parts, run)
    run = new_run_id()
    applying = mode in ("sync", "reconcile", "apply")
    if applying:
        holder, stale = store.claim(run)
        if holder is not None:
            summary = store.run(holder) or {}
            return {"outcome": "busy", "run": holder, "why": "another run is being applied", **_progress(summary)}
        if stale is not None:
            store.update_run(stale, {"status": "superseded", "finishedAt": iso()})  # its pages still queued are ignored
    try:
        store.start_run(run, mode, {"mappingVersion": parts.mapping.version})
        plan, figures = compute_plan(ctx, parts, mode)
    except BaseException:
        if applying:
            store.release(run)
        raise
    plan_pages = pages(plan, parts.lanes, parts.page_ops)
    rows: list[tuple[str, str, dict[str, Any]]] = [
        (r.kind, r.key, {"result": "rejected", "why": r.reason, "name": r.name}) for r in plan.rejected
    ]
    rows += [(x.kind, x.key, {"result": "left", "why": x.reason, "name": x.name}) for x in plan.left]
    if mode == "drift":
        rows += [
            (op.kind, op.key, {"result": "drift", "action": op.action, "why": op.reason, "name": op.obj.name, "gcId": op.gc_id})
            for op in plan.ops
        ]
    store.record_many(run, rows)
    fields: dict[str, Any] = {
        "planned": plan.counts(),
        "ops": len(plan.ops),
        "pages": {str(p): len(v) for p, v in plan_pages.items()},
        "lanes": parts.lanes,
        "plannedAt": iso(),
        **figures,
    }
    if mode == "drift":
        store.update_run(run, {**fields, "status": "drift", "finishedAt": iso()})
        return {"outcome": "drift", "run": run, "differences": len(plan.ops), "rejected": len(plan.rejected)}
    if plan_pages:
        store.save_pages(run, plan_pages)
    if not applying:
        store.update_run(run, {**fields, "status": "planned"})
        return {"outcome": "planned", "run": run, "ops": len(plan.ops), "rejected": len(plan.rejected)}
    if not plan_pages:
        store.update_run(run, {**fields, "status": "done", "finishedAt": iso(), "results": {}})
        store.save_checkpoint("sync", {"run": run, "at": iso(), "mode": mode, "writes": 0})
        store.release(run)
        return {"outcome": "nothing-to-do", "run": run, "rejected": len(plan.rejected), "planned": 0}
    first = min(plan_pages)
    store.update_run(run, {**fields, "status": "applying", "phase": first})
    _send_phase(parts, run, first, len(plan_pages[first]))
    return {"outcome": "applying", "run": run, "planned": len(plan.ops), "pageCount": sum(len(v) for v in plan_pages.values())}


def start_stored(parts: Parts, run: str) -> dict[str, Any]:
    """Apply a plan stored by a ``plan`` run (what it says is what is done)."""
    store = parts.store
    summary = store.run(run)
    if summary is None:
        return {"outcome": "unknown-run", "run": run}
    if summary.get("status") != "planned":
        return {"outcome": "not-planned", "run": run, "why": f"the run is {summary.get('status')}"}
    holder, stale = store.claim(run)
    if holder is not None and holder != run:
        return {"outcome": "busy", "run": holder, "why": "another run is being applied"}
    if stale is not None and stale != run:
        store.update_run(stale, {"status": "superseded", "finishedAt": iso()})
    counts = {int(p): int(n) for p, n in (summary.get("pages") or {}).items()}
    if not counts:
        store.update_run(run, {"status": "done", "finishedAt": iso(), "results": {}})
        store.release(run)
        return {"outcome": "nothing-to-do", "run": run}
    first = min(counts)
    store.update_run(run, {"status": "applying", "phase": first, "appliedAt": iso()})
    _send_phase(parts, run, first, counts[first])
    return {"outcome": "applying", "run": run, "planned": int(summary.get("ops") or 0)}


def _send_phase(parts: Parts, run: str, phase: int, count: int) -> None:
    parts.send([(_message(run, phase, i, 0), _group(run, i, parts.lanes), f"{run}:{phase}:{i}:0") for i in range(count)])


def _message(run: str, phase: int, page: int, start: int) -> dict[str, Any]:
    return {"run": run, "phase": phase, "page": page, "start": start}


def _group(run: str, page: int, lanes: int) -> str:
    return f"{run}:lane{page % max(1, lanes)}"


def _progress(summary: dict[str, Any]) -> dict[str, Any]:
    total = sum(int(n) for n in (summary.get("pages") or {}).values())
    done = len(summary.get("donePages") or [])
    return {"pagesDone": done, "pagesTotal": total}


# -- applying a page ---------------------------------------------------------------------------------------


def apply_page(ctx: ActionContext[Any], parts: Parts, run: str, phase: int, page: int, start: int) -> dict[str, Any]:
    store = parts.store
    summary = store.run(run)
    if summary is None or summary.get("status") != "applying":
        return {"outcome": "ignored", "run": run, "why": f"the run is {summary.get('status') if summary else 'unknown'}"}
    ops = store.page(run, phase, page)
    pk = page_key(phase, page)
    keys = [(op.kind, op.key) for op in ops[start:]]
    done = store.records(run, keys=keys)
    parts.idmap.prefetch(keys)
    applier = Applier(ctx, parts.directory(), parts.idmap, parts.mapping, run)
    batch = WriteBatch(store.dynamodb)
    store.batch = parts.idmap.batch = batch
    results: Counter[str] = Counter()
    calls = streak = 0
    try:
        for i in range(start, len(ops)):
            op = ops[i]
            if (op.kind, op.key) in done:
                results["already-done"] += 1
                continue
            if ctx.time_left() < PAGE_MARGIN_SECONDS:
                batch.flush()
                return _continue(parts, run, phase, page, i, results, calls, "time")
            try:
                result = applier.apply(op)
            except (RateLimited, BackendTimeout) as exc:
                batch.flush()
                return _continue(parts, run, phase, page, i, results, calls, "budget" if isinstance(exc, RateLimited) else "time")
            calls += result.calls
            results[result.result] += 1
            store.record(run, op.kind, op.key, {"action": op.action, "name": op.obj.name, "page": pk, **result.fields()})
            if len(batch.items) >= 3 * FLUSH_OPS:
                batch.flush()
            streak = streak + 1 if result.transient else 0
            if streak >= TRANSIENT_STREAK:
                batch.flush()
                raise BackendError(f"{streak} objects in a row failed on Genesys' side; the page is retried later")
        batch.flush()
    finally:
        store.batch = parts.idmap.batch = None
    summary = store.page_done(run, phase, page, calls)
    store.heartbeat(run)
    progress = _progress(summary)
    out: dict[str, Any] = {
        "outcome": "page",
        "run": run,
        "phase": phase,
        "page": page,
        "calls": calls,
        "failed": results["failed"],
        **progress,
    }
    counts = {int(p): int(n) for p, n in (summary.get("pages") or {}).items()}
    done_in_phase = sum(1 for d in summary.get("donePages") or [] if d.startswith(f"p{phase}#"))
    if done_in_phase < counts.get(phase, 0):
        return out
    later = sorted(p for p in counts if p > phase)
    if later:
        _send_phase(parts, run, later[0], counts[later[0]])  # deduplicated if a redelivered page sends it again
        store.advance(run, later[0])
        return {**out, "advancedTo": later[0]}
    if progress["pagesDone"] < progress["pagesTotal"]:
        return out  # an earlier page is still out (redelivered, or in the dead-letter queue)
    return {**out, **finish(parts, run)}


def _continue(parts: Parts, run: str, phase: int, page: int, at: int, results: Counter[str], calls: int, why: str) -> dict[str, Any]:
    """Send the rest of the page on (same lane, so the lane's order holds) and stop here. Its
    deduplication id is new each time: the page may stop at the same object twice (a duplicate
    continuation is harmless: objects done are skipped)."""
    nonce = secrets.token_hex(4)
    parts.send([(_message(run, phase, page, at), _group(run, page, parts.lanes), f"{run}:{phase}:{page}:{at}:{nonce}")])
    if calls:
        parts.store.page_calls(run, calls)
    parts.store.heartbeat(run)
    return {
        "outcome": "continued",
        "run": run,
        "phase": phase,
        "page": page,
        "from": at,
        "why": why,
        "calls": calls,
        "failed": results["failed"],
    }


def finish(parts: Parts, run: str) -> dict[str, Any]:
    """The run's results per kind from its object records; the run is no longer active."""
    store = parts.store
    per_kind: dict[str, Counter[str]] = {}
    for (kind, _), rec in store.records(run).items():
        per_kind.setdefault(kind, Counter())[str(rec.get("result", "?"))] += 1
    results = {k: dict(v) for k, v in per_kind.items()}
    failed = sum(v.get("failed", 0) for v in per_kind.values())
    summary = store.run(run) or {}
    store.update_run(run, {"status": "done", "finishedAt": iso(), "results": results, "failedObjects": failed})
    store.save_checkpoint("sync", {"run": run, "at": iso(), "mode": summary.get("mode", ""), "failed": failed})
    store.release(run)
    return {"finished": True, "failedObjects": failed}


# -- Genesys says an object was deleted ---------------------------------------------------------------

AUDIT_KINDS: dict[str, Kind] = {
    "User": "user",
    "Queue": "queue",
    "WrapupCode": "wrapup",
    "Skill": "skill",
    "Language": "language",
    "Division": "division",
    "PresenceDefinition": "status",
}


def on_audit(idmap: IdMap, event_id: str, body: dict[str, Any]) -> dict[str, Any]:
    """A Delete of an object the sync owns marks it deleted: the next run re-creates it (a user is
    restored). Everything else is ignored."""
    if body.get("action") != "Delete":
        return {"outcome": "ignored", "why": "not a deletion"}
    kind = AUDIT_KINDS.get(str(body.get("entityType", "")))
    gc_id = str((body.get("entity") or {}).get("id") or "")
    if kind is None or not gc_id:
        return {"outcome": "ignored", "why": "not an object the EX sync syncs"}
    key = idmap.mark_deleted(kind, gc_id, f"audit:{event_id}")
    if key is None:
        return {"outcome": "ignored", "why": "not an object the EX sync owns", "kind": kind}
    return {"outcome": "marked-deleted", "kind": kind, "key": key}
