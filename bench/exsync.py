"""EX sync figures against the stand-ins (moto + the CXone and Genesys stand-ins, one process):

* Genesys API calls per synced object, by kind: at the initial sync, and per changed object at an
  ongoing sync (from the runs' per-object records: what the apply pages called);
* the wall time of an initial sync of 5,000 users / 200 queues / 300 skills with Genesys throttled
  at its 300 requests a minute, *time scaled down* by ``SCALE``: the stand-in allows 300 requests
  per 60/SCALE seconds and the budget spends 300 x SCALE a minute (bank of 5), so wall time x
  SCALE is the projected time at the real limit;
* the share of the rate budget used: Genesys requests per second while the run applied, against
  what the budget allows (and how many 429s Genesys answered).

``main(short=True)`` (the test suite): a small business unit, time scaled down further: seconds.
"""

from __future__ import annotations

import io
import time
from collections import Counter, defaultdict
from typing import Any

SCALE = 8  # whole mode: the stand-in's minute lasts 7.5 s (this machine sustains ~40 requests/s through moto: the budget, not the machine, must be the limit)
SHORT_SCALE = 200


def _per_kind(records: dict[tuple[str, str], dict[str, Any]]) -> dict[str, tuple[int, int]]:
    """kind -> (objects written, Genesys calls they took) from a run's object records."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (kind, _), rec in records.items():
        if "calls" in rec and rec.get("result") not in ("unchanged", "left", "rejected"):
            out[kind][0] += 1
            out[kind][1] += int(rec["calls"])
    return {k: (n, c) for k, (n, c) in out.items()}


def _table(rows: dict[str, tuple[int, int]], planning: int) -> None:
    total_n = sum(n for n, _ in rows.values())
    total_c = sum(c for _, c in rows.values())
    print(f"  {'kind':10} {'objects':>8} {'calls':>8} {'calls/object':>13}")
    for kind in ("division", "skill", "language", "wrapup", "status", "user", "queue"):
        if kind in rows:
            n, c = rows[kind]
            print(f"  {kind:10} {n:8d} {c:8d} {c / n:13.2f}")
    print(f"  {'all':10} {total_n:8d} {total_c:8d} {total_c / max(total_n, 1):13.2f}   (+ {planning} reads while planning)")


def main(short: bool = False) -> None:
    from dataactions import log
    from functions.exsync.syncs import HEADROOM
    from local.exsync_cli import LocalExSync
    from local.standins import StandIns
    from local.standins.cxone import Tenant

    scale = SHORT_SCALE if short else SCALE
    size = (
        dict(agents=150, skills=24, queue_skills=12, languages=4, teams=6, dispositions=10)
        if short
        else dict(agents=5000, skills=300, queue_skills=200, languages=20, teams=40, dispositions=60)
    )
    log.set_stream(io.StringIO())
    with StandIns({"cxone", "genesys"}) as standins:
        tenant = Tenant.large(**size)
        rate = 300 * scale
        with LocalExSync(
            standins, tenant, rates={"genesys": rate, "cxone": 600 * scale, "burst": 5}, genesys_limit=300, window=60 / scale
        ) as h:
            print(
                f"CXone business unit: {len(tenant.agents)} agents, {len(tenant.skills)} skills ({size['queue_skills']} acting as queues, {size['languages']} languages), {len(tenant.teams)} teams, {len(tenant.dispositions)} dispositions, {len(tenant.codes)} unavailable codes"
            )
            print(
                f"Genesys throttled at 300 requests a minute, time scaled down {scale}x (300 per {60 / scale:g} s; budget {rate}/min, bank 5)\n"
            )
            started = time.perf_counter()
            out = h.run("sync")
            wall = time.perf_counter() - started
            summary = out["summary"]
            stamps = [t for t, *_ in h.requests]
            active = (max(stamps) - min(stamps)) if stamps else 0.0
            statuses = Counter(s for *_, s in h.requests)
            calls = len(h.requests)
            print("initial sync: Genesys calls per synced object (apply pages)")
            _table(_per_kind(h.store.records(out["run"])), int(summary.get("genesysReads", 0)))
            share = calls / max(active, 1e-9) / (rate * HEADROOM / 60)
            print(
                f"\n  wall time {wall:.1f} s (planning {summary.get('cxoneSeconds', 0)} s reading CXone); x{scale} = {wall * scale / 60:.1f} min at 300 requests/min"
            )
            print(f"  the budget's floor: {calls} calls / {300 * HEADROOM:g} per min = {calls / (300 * HEADROOM):.1f} min")
            print(
                f"  budget share: {calls / max(active, 1e-9):.1f} requests/s while applying vs {rate * HEADROOM / 60:.1f}/s the budget allows = {share:.0%}"
                f" ({'the budget was the limit' if share > 0.9 else 'this machine, not the budget, was the limit'}); 429 answers: {statuses.get(429, 0)}"
            )
            print(
                f"  results: {sum(sum(v.values()) for v in (summary.get('results') or {}).values())} objects, failed {summary.get('failedObjects', 0)}"
            )

            # an ongoing sync: a day's worth of changes
            changes = 10 if short else 60
            agents = sorted(tenant.agents)
            for a in agents[:changes]:
                tenant.update_agent(a, profileName="Lead")
            for a in agents[changes : 2 * changes]:
                held = [skill for agent, skill in tenant.assignments if agent == a]
                if held:
                    tenant.unassign(a, held[0])
            for a in agents[2 * changes : 2 * changes + changes // 5]:
                tenant.update_agent(a, isActive=False)
            for n in range(changes // 5):
                tenant.add_agent(90001 + n, team=101)
                tenant.assign(90001 + n, 4001, 5)
            mark = len(h.requests)
            started = time.perf_counter()
            again = h.run("sync")
            print(
                f"\nongoing sync after {changes} title changes, {changes} skills removed, {changes // 5} deactivations, {changes // 5} new agents: {time.perf_counter() - started:.1f} s, {len(h.requests) - mark} Genesys calls, {h.writes(mark)} writes"
            )
            _table(_per_kind(h.store.records(again["run"])), int(again["summary"].get("genesysReads", 0)))
            mark = len(h.requests)
            idle = h.run("sync")
            print(f"\nnothing changed: {idle['outcome']}, {len(h.requests) - mark} Genesys calls")
    log.set_stream(None)


if __name__ == "__main__":
    main()
