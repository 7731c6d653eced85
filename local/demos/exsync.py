"""EX sync demo: a seeded CXone business unit into an empty Genesys Cloud org, through the real
functions on moto and the stand-ins: the plan, the initial sync, a day of changes on the CXone side
(and a user deleted in Genesys), the ongoing sync, and a run with nothing changed."""

from __future__ import annotations

import io
import time
from typing import Any

TITLE = "EX sync: CXone configuration into Genesys Cloud EX (plan, initial sync, changes, ongoing sync)"
SIZE = {"agents": 800, "skills": 60, "queue_skills": 30, "languages": 6, "teams": 8, "dispositions": 24}
SCALE = 60  # Genesys' 300 requests a minute, time scaled down: 300 per second


def run(verbose: bool = False) -> int:
    from dataactions import log
    from local.exsync_cli import LocalExSync, counts_table
    from local.standins import StandIns
    from local.standins.cxone import Tenant

    problems: list[str] = []
    log.set_stream(io.StringIO())
    with StandIns({"cxone", "genesys"}) as standins:
        tenant = Tenant.large(**SIZE)
        rates = {"genesys": 300 * SCALE, "cxone": 600 * SCALE, "burst": 5}
        with LocalExSync(standins, tenant, rates=rates, genesys_limit=300, window=60 / SCALE) as h:
            print(
                f"CXone: {len(tenant.agents)} agents in {len(tenant.teams)} teams, {len(tenant.skills)} skills, "
                f"{len(tenant.assignments)} skill assignments, {len(tenant.dispositions)} dispositions, {len(tenant.codes)} unavailable codes"
            )
            print(f"Genesys: an empty org, throttled at 300 requests/min with time scaled down {SCALE}x\n")

            planned = h.invoke("plan")
            summary = h.store.run(planned["run"]) or {}
            print(counts_table(summary.get("planned") or {}, "plan"))
            rejected = [r for r in h.store.records(planned["run"]).values() if r.get("result") == "rejected"]
            for r in rejected[:3]:
                print(f"  rejected {r['sk'].replace('#', ' ')}: {r.get('why')}")
            if planned.get("ops", 0) == 0 or h.writes():
                problems.append("the plan planned nothing, or wrote")

            print("\ninitial sync (the plan above, applied):")
            started = time.perf_counter()
            mark = len(h.requests)
            out = h.run("apply", planned["run"], progress=_progress if verbose else None)
            initial = out["summary"]
            print(
                f"  done in {time.perf_counter() - started:.1f} s: {len(h.requests) - mark} Genesys calls ({h.writes(mark)} writes), {initial.get('failedObjects', 0)} failed"
            )
            print(counts_table(initial.get("results") or {}, "results"))
            print("  Genesys now holds: " + ", ".join(f"{n} {k}" for k, n in h.genesys_counts().items()))
            if initial.get("status") != "done" or initial.get("failedObjects"):
                problems.append("the initial sync did not finish cleanly")

            changed = _change(h, tenant)
            print("\nchanges: " + "; ".join(changed))
            mark = len(h.requests)
            started = time.perf_counter()
            out = h.run("sync")
            ongoing = out["summary"]
            print(f"ongoing sync: {time.perf_counter() - started:.1f} s, {len(h.requests) - mark} Genesys calls ({h.writes(mark)} writes)")
            print(counts_table(_without_unchanged(ongoing.get("results") or {}), "results"))
            for (kind, key), rec in sorted(h.store.records(out["run"]).items()):
                if rec.get("result") not in ("rejected",) and (
                    kind in ("queue", "wrapup") or rec.get("result") in ("restored", "deactivated", "created")
                ):
                    print(f"  {rec.get('result', ''):12} {kind} {key}: {rec.get('why', '')}")
            done = {rec.get("result") for rec in h.store.records(out["run"]).values()} - {"rejected", "left"}
            if ongoing.get("status") != "done" or h.writes(mark) > 2 * int(ongoing.get("ops") or 0) or "failed" in done:
                problems.append("the ongoing sync did more than the difference")

            mark = len(h.requests)
            idle = h.run("sync")
            print(f"\nnothing changed since: {idle['outcome']}, {len(h.requests) - mark} Genesys calls")
            if idle["outcome"] != "nothing-to-do" or len(h.requests) != mark:
                problems.append("a run with nothing changed called Genesys")
    log.set_stream(None)
    for p in problems:
        print(f"UNEXPECTED: {p}")
    print("\nas expected" if not problems else "")
    return 1 if problems else 0


def _change(h: Any, tenant: Any) -> list[str]:
    """A day in CXone (and one slip in Genesys)."""
    agents = sorted(tenant.agents)
    for a in agents[:5]:
        tenant.update_agent(a, profileName="Team Lead")
    tenant.update_agent(agents[5], isActive=False)
    tenant.add_agent(9001, first="Nia", last="Newhire", team=101)
    tenant.assign(9001, 4001, 2)
    tenant.assign(9001, 4002, 8)
    for a in agents[10:13]:
        skill = next(s for (ag, s) in tenant.assignments if ag == a)
        tenant.assign(a, skill, 1)
    retired = max(s for s in tenant.skills if s < 6000)
    tenant.delete_skill(retired)
    code = min(tenant.dispositions)
    tenant.dispositions[code]["dispositionName"] += " (reviewed)"
    h.audits.clear()
    victim = h.idmap.genesys_id("user", str(agents[6]))
    h.genesys_api().delete(f"/api/v2/users/{victim}")  # an admin deletes a synced user in Genesys by mistake
    marked = sum(1 for r in h.deliver_audits() if r.get("outcome") == "marked-deleted")
    return [
        "5 agents' profile changed (title)",
        "1 agent deactivated",
        "1 agent hired with 2 skills",
        "3 proficiencies changed",
        f"skill {retired} (a queue) deleted",
        f"disposition {code} renamed",
        f"in Genesys, a synced user deleted ({marked} audit event marked it)",
    ]


def _progress(summary: dict[str, Any]) -> None:
    total = sum(int(n) for n in (summary.get("pages") or {}).values())
    print(f"\r  {len(summary.get('donePages') or [])}/{total} pages", end="", flush=True)


def _without_unchanged(results: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    kept = {k: {a: n for a, n in v.items() if a not in ("rejected", "left")} for k, v in results.items()}
    return {k: v for k, v in kept.items() if v}
