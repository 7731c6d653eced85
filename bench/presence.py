"""Presence sync figures (./dev bench presence):

* engine time per event (normalise, dedupe, evaluate, decide: the pure decision), microseconds;
* DynamoDB operations per event in the apply function (idempotency, agent record, audit);
* end-to-end time from a vendor's event to the other side's write through the local stack, p50/p99,
  each direction (the engine's path; CXone's detection adds the polling interval, reported apart);
* vendor writes per real state change (target 1; 0 for echoes and duplicates) and vendor reads on
  the hot path (target 0: status ids and presence definitions are read once per container).
"""

from __future__ import annotations

import statistics
import time
from typing import Any


def engine_us(n: int) -> float:
    from functions.presence.engine import AgentRecord, decide
    from functions.presence.model import Change
    from functions.presence.rules import parse
    from local.demos.presence import RULES

    rules = parse(RULES)
    rec = AgentRecord(agent="1001", sf_user="005000000001001AAA")
    states = [("Available", ""), ("Unavailable", "Lunch"), ("Unavailable", "Busy"), ("InboundContact", "")]
    changes = [
        Change(event_id=f"e{i}", agent="1001", side="cc", at=1_800_000_000_000 + i * 1000, state=s, reason=r)
        for i, (s, r) in enumerate(states[i % 4] for i in range(n))
    ]
    best = float("inf")
    for _ in range(5):
        record, t = rec, time.perf_counter()
        for i, ch in enumerate(changes):
            record = decide(record, ch, rules, 1_800_000_000.0 + i).record
        best = min(best, (time.perf_counter() - t) / len(changes) * 1e6)
    return best


def end_to_end(rounds: int) -> dict[str, Any]:
    from dataactions import log
    from local.presence import PresenceLab
    from local.standins import StandIns

    sink = open("build/bench-presence-logs.jsonl", "w")  # noqa: SIM115 - closed below
    log.set_stream(sink)
    try:
        with StandIns({"cxone", "salesforce"}) as standins:
            lab = PresenceLab(standins, "cxone", "bench")
            tenant, consoles = lab.cc.tenant, lab.consoles
            agent, user = 1001, "005000000001001AAA"
            consoles.add_user(user, tenant.agents[agent]["emailAddress"], "Ana", status="Available_for_Chat")
            tenant.set_state(agent, "Available")
            from local.demos.presence import RULES

            lab.push_rules({**RULES, "breaker": {"maxChanges": 100, "perSeconds": 60, "cooldownSeconds": 10}})
            lab.reconcile()
            lab.settle()
            ops: list[str] = []
            counting = [False]
            import botocore.client

            real_call = botocore.client.BaseClient._make_api_call

            def spy(client: Any, name: str, params: dict[str, Any]) -> Any:
                if counting[0] and client.meta.service_model.service_name == "dynamodb":
                    ops.append(f"{name} {params.get('TableName', '').rsplit('-', 1)[-1]}")
                return real_call(client, name, params)

            botocore.client.BaseClient._make_api_call = spy

            def drain() -> Any:  # only the apply function runs while the queue drains: its DynamoDB calls
                counting[0] = True
                try:
                    return lab.sync.drain()
                finally:
                    counting[0] = False

            cxone, sf = standins.servers["cxone"], standins.servers["salesforce"]
            cc_to_sf: list[float] = []
            sf_to_cc: list[float] = []
            polls: list[float] = []
            cxone.reset_counters()
            sf.reset_counters()
            ops.clear()
            messages = writes = real = 0
            for i in range(rounds + 1):
                if i == 1:  # round 0 warmed the containers (status ids, sessions): count from here
                    cxone.reset_counters()
                    sf.reset_counters()
                    ops.clear()
                    cc_to_sf.clear()
                    sf_to_cc.clear()
                    messages = real = 0
                # CXone -> Salesforce: a state change, the poll that sees it, apply, the command
                tenant.set_state(agent, "Unavailable", "Lunch" if i % 2 else "Busy")
                real += 1
                t0 = time.perf_counter()
                before = len(consoles.commands)
                p = time.perf_counter()
                lab.sync.invoke("presence-cxone-poll", {"once": True})
                polls.append((time.perf_counter() - p) * 1000)
                stats = drain()
                messages += stats.messages
                assert len(consoles.commands) == before + 1
                cc_to_sf.append((time.perf_counter() - t0) * 1000)
                while lab.pending:  # the echo, from Salesforce
                    source, envelope = lab.pending.pop(0)
                    lab.sync.publish(source, envelope)
                messages += drain().messages
                # Salesforce -> CXone: an Omni change, its event, apply, the agent-session write
                consoles.agent_sets(user, "Available_for_Chat")
                real += 1
                t0 = time.perf_counter()
                while lab.pending:
                    source, envelope = lab.pending.pop(0)
                    lab.sync.publish(source, envelope)
                stats = drain()
                messages += stats.messages
                sf_to_cc.append((time.perf_counter() - t0) * 1000)
                lab.sync.invoke("presence-cxone-poll", {"once": True})  # the echo, from CXone
                messages += drain().messages
            botocore.client.BaseClient._make_api_call = real_call
            sets = sum(1 for m, path in cxone.requests if path.endswith("/state"))
            cc_reads = [path for m, path in cxone.requests if m == "GET" and "/agents/states" not in path]
            sf_reads = [path for m, path in sf.requests if m == "GET"]
            return {
                "messages": messages,
                "ops": ops,
                "cc_to_sf": cc_to_sf,
                "sf_to_cc": sf_to_cc,
                "polls": polls,
                "writes": (len([r for r in sf.requests if r[0] == "POST" and "Presence_Command" in r[1]]) + sets),
                "real": real,
                "hot_reads": len(cc_reads) + len(sf_reads),
                "commands": writes,
            }
    finally:
        log.set_stream(None)
        sink.close()


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main(short: bool = False) -> None:
    us = engine_us(2000 if short else 50000)
    print(f"engine decision per event: {us:.1f} us (pure: normalised change + record + rules -> decision)")
    r = end_to_end(3 if short else 40)
    per = len(r["ops"]) / max(r["messages"], 1)
    kinds = {k: r["ops"].count(k) for k in sorted(set(r["ops"]))}
    print(
        f"DynamoDB operations per message in apply: {per:.2f} ({', '.join(f'{k} {v}' for k, v in kinds.items())} over {r['messages']} messages)"
    )
    for name, values in (("CXone -> Salesforce", r["cc_to_sf"]), ("Salesforce -> CXone", r["sf_to_cc"])):
        print(
            f"event in -> other side written, {name}: p50 {pct(values, 0.5):.1f} ms, p99 {pct(values, 0.99):.1f} ms ({len(values)} changes)"
        )
    print(
        f"CXone detection: one agent-states poll {statistics.median(r['polls']):.1f} ms; polling every pollSeconds (default 3 s) adds "
        f"~1.5 s on average, 3 s at most"
    )
    print(
        f"vendor writes per real change: {r['writes'] / max(r['real'], 1):.2f} ({r['writes']} writes for {r['real']} changes; echoes and duplicates wrote nothing)"
    )
    print(f"vendor reads on the hot path, warm (besides CXone's state poll): {r['hot_reads']}")


if __name__ == "__main__":
    main()
