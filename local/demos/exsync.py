"""EX sync demo, through the real functions on moto and the stand-ins.

Part 1: a seeded CXone business unit into an empty Genesys Cloud org: the plan, the initial sync,
a day of changes on the CXone side (and a user deleted in Genesys), the ongoing sync, and a run
with nothing changed.

Part 2: what agents do in CXone, as Genesys sees it: agent state changes become presence and
routing status on the registered source; two calls (one transferred to another queue) and an
email, completed in CXone, become Genesys conversations with their recordings; a poll with nothing
new writes nothing."""

from __future__ import annotations

import io
import time
from typing import Any

TITLE = (
    "EX sync: CXone into Genesys Cloud EX (configuration: plan, initial and ongoing sync; then agent states, calls, an email, recordings)"
)
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
        print("\n--- part 2: agent states, interactions and recordings ---\n")
        problems += part_two(standins)
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


def part_two(standins: Any) -> list[str]:
    """States, two calls (one transferred) and an email through the part-2 functions."""
    from datetime import UTC, datetime, timedelta

    from local.exsync_cli import LocalExSync, print_feed
    from local.standins.cxone import Tenant
    from local.standins.genesys.uploads import uploads

    problems: list[str] = []
    tenant = Tenant(agents=6).contact_catalogue()
    with LocalExSync(standins, tenant, feeds={"settleSeconds": 0}) as h:
        h.run("sync")
        names = {a: f"agent {a}" for a in tenant.agents}  # CXone ids, never people's names
        first = h.poll_states()
        source = h.org.presence_settings["defaultPrimaryPresenceRegisteredSourceId"]
        print(f"presence source registered in Genesys and made the org's primary: {h.org.sources[source]['name']!r}")
        print(f"first agent-state poll: {first['injected']} agents' current states injected")
        tenant.set_state(1001, "Unavailable", "Lunch")
        tenant.set_state(1002, "InboundContact", contact=1)
        tenant.set_state(1003, "Available", acw=True)
        tenant.set_state(1004, "LoggedOut")
        tenant.set_state(1005, "Available")
        out = h.poll_states()
        print(f"5 agents change state in CXone; next poll: {out.get('injected', 0)} changes injected ({out.get('polls')} poll)\n")
        labels = {d["id"]: d["languageLabels"]["en_US"] or d["systemPresence"] for d in h.org.definitions.values()}
        print(f"  {'agent':20} {'CXone':28} {'Genesys presence':18} routing")
        for agent in (1001, 1002, 1003, 1004, 1005):
            s = tenant.states[agent]
            cx = (
                s["agentStateName"]
                + (f" / {s['outStateDescription']}" if s["outStateDescription"] else "")
                + (" (ACW)" if s["isACW"] else "")
            )
            user = h.org.users[h.idmap.genesys_id("user", str(agent)) or ""]
            print(f"  {names[agent]:20} {cx:28} {labels.get(user['presence'].get('definitionId'), '?'):18} {user['routing']['status']}")
        expected = {1001: "OFF_QUEUE", 1002: "INTERACTING", 1003: "INTERACTING", 1004: "OFF_QUEUE", 1005: "IDLE"}
        if any(h.org.users[h.idmap.genesys_id("user", str(a)) or ""]["routing"]["status"] != r for a, r in expected.items()):
            problems.append("an agent's routing status in Genesys is not the mapped one")
        idle = h.poll_states()
        print(f"\na poll with nothing new: {idle['outcome']}")

        # two calls and an email, completed in CXone a few minutes ago
        now = datetime.now(UTC) - timedelta(minutes=5)
        minute = (now - tenant.CONTACTS_DAY).total_seconds() / 60
        tenant.completed_contacts()
        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        line, caller = "+15557654321", "+15550001111"
        common: dict[str, Any] = {"toAddress": line, "lastUpdateTime": stamp}
        tenant.add_contact(
            920001, minute, agentId=1006, skillId=3001, skillName="Support Voice", fromAddress=caller, preQueueSeconds=3,
            inQueueSeconds=9, agentSeconds=70, acwSeconds=15, primaryDispositionId=4001, holds=((20, 10),), **common,
        )  # fmt: skip
        tenant.add_contact(
            920011, minute + 1, agentId=1002, skillId=3001, skillName="Support Voice", fromAddress="+15550002222",
            inQueueSeconds=6, agentSeconds=25, acwSeconds=5, primaryDispositionId=4002, endReason="Transferred", **common,
        )  # fmt: skip
        tenant.add_contact(
            920012, minute + 1.6, masterContactId=920011, agentId=1003, skillId=3002, skillName="Billing Voice",
            fromAddress="+15550002222", inQueueSeconds=12, agentSeconds=40, acwSeconds=10, primaryDispositionId=4001,
            transferIndicatorId=2, transferIndicatorName="ReSkill", endReason="Agent Hung Up", **common,
        )  # fmt: skip
        tenant.add_contact(
            920021, minute + 2, agentId=1004, skillId=3003, skillName="Support Email", mediaTypeId=1, mediaTypeName="Email",
            fromAddress="jane.doe@example.net", toAddress="support@example.com", inQueueSeconds=120, agentSeconds=180,
            primaryDispositionId=4001, endReason="Agent Disconnected", lastUpdateTime=stamp,
        )  # fmt: skip
        tenant.recordings()[920001] = {"rate": 8000, "channels": 2, "seconds": 3.0, "customerChannel": 0}
        tenant.recordings()[920011] = {"rate": 16000, "channels": 2, "seconds": 3.0, "customerChannel": 1}
        for c in tenant.completed_contacts().values():  # the seeded day is older than this poll's window
            if c["contactId"] < 920000:
                c["lastUpdateTime"] = "2026-11-20T23:00:00.000Z"
        out = h.poll_contacts()
        print(
            f"\nCXone completes two calls (one transferred to the billing queue) and an email; the contacts poll reads "
            f"{out.get('contacts', 0)} contacts and queues {out.get('queued', 0)} contact chains\n"
        )
        print_feed(h.feed)
        ours = [c for c in h.conversations() if c.interaction_id.startswith("92")]
        named = {
            **{h.idmap.genesys_id("user", str(a)) or "-": f"user of agent {a}" for a in tenant.agents},
            **{q["id"]: f"queue {q['name']}" for q in h.org.queues.values()},
            **{w["id"]: w["name"] for w in h.org.wrapup_codes.values()},
        }
        for conv in ours:
            text = conv.describe()
            for gc_id, name in named.items():
                text = text.replace(gc_id, name.ljust(36) if len(name) < 36 else name)
            print("\n" + "\n".join(line.rstrip() for line in text.splitlines()))
        files = [u for u in uploads(h.org).uploads.values() if u.uploaded]
        print(f"\nrecordings uploaded to Genesys: {len(files)} (" + ", ".join(f"{u.file_name[:13]}... {u.size} bytes" for u in files) + ")")
        if len(ours) != 3 or len(files) != 2 or not any(c.transfers for c in ours):
            problems.append("part 2 did not build three conversations (one with a transfer) and two recordings")
        mark = len(h.requests)
        idle = h.poll_contacts()
        print(f"\nthe next contacts poll: {idle['outcome']}, {len(h.requests) - mark} Genesys calls")
        if idle["outcome"] != "nothing-to-do" or len(h.requests) != mark:
            problems.append("a contacts poll with nothing new did something")
    return problems
