"""``./dev demo presence``: a scripted day of one agent, CXone and Salesforce Omni-Channel kept in
step by the real presence functions on the stand-ins, printed as a timeline: what happened, the
rule that matched, the write made or suppressed and why, and both sides afterwards."""

from __future__ import annotations

import json
from typing import Any

TITLE = "Presence sync: a day of one agent (NICE CXone <-> Salesforce Omni-Channel)"

RULES: dict[str, Any] = {
    "platform": "cxone",
    "previousStateFallback": {"cc": {"state": "Available"}},
    "breaker": {"maxChanges": 10, "perSeconds": 60, "cooldownSeconds": 300},
    "ruleSets": {
        "default": {
            "publisher": [
                {"when": {"state": "Available"}, "set": "Available_for_Chat"},
                {"when": {"state": "Unavailable", "reason": "Lunch"}, "set": "Lunch"},
                {"when": {"state": "Unavailable", "reason": "Busy"}, "set": "Busy"},
                {"when": {"state": "InboundContact"}, "set": "On_a_Call"},
            ],
            "subscriber": [
                {"when": "Busy", "set": {"state": "Unavailable", "reason": "Busy"}},
                {"when": "Available_for_Chat", "set": "PREVIOUS_STATE"},
            ],
        }
    },
    "assignments": {"organization": "default"},
}
AGENT = 1001
SF_USER = "005000000001001AAA"


def run(verbose: bool = False) -> int:
    from dataactions import log
    from local.presence import PresenceLab
    from local.standins import StandIns

    with open(LOG, "w") as logfile, StandIns({"cxone", "salesforce"}) as standins:
        log.set_stream(logfile)
        try:
            lab = PresenceLab(standins, "cxone", "demo")
            return _day(lab, logfile)
        finally:
            log.set_stream(None)


LOG = "build/demo-presence-logs.jsonl"


def _duplicates(logfile: Any, already: int) -> int:
    """Messages the apply function recognised as already decided (powertools idempotency), from its log."""
    logfile.flush()
    with open(LOG) as f:
        lines = [json.loads(line) for line in f if '"duplicate"' in line]
    return sum(1 for r in lines if r.get("function") == "presence-apply" and r.get("outcome") == "duplicate") - already


def _day(lab: Any, logfile: Any) -> int:
    tenant, consoles = lab.cc.tenant, lab.consoles
    seen = dups = 0
    problems: list[str] = []

    def sides() -> str:
        s = tenant.states[AGENT]
        cc = s["agentStateName"] + (f"/{s['outStateDescription']}" if s["outStateDescription"] else "") + (" (ACW)" if s["isACW"] else "")
        return f"CXone {cc:24} Omni {consoles.current(SF_USER)}"

    def step(title: str, expect_cc: str | None = None, expect_sf: str | None = None) -> None:
        nonlocal seen, dups
        lab.settle()
        rows = lab.audit(str(AGENT))[seen:]
        seen += len(rows)
        print(f"* {title}")
        for r in rows:
            what = r.get("write") or "-"
            state = r.get("state", "").split("/Omni")[0]
            rule = r.get("rule") or "-"
            print(f"    {r['side']:>2} {r['origin']:9} {state:20} {r['outcome']:15} rule {rule:22} write {what}  ({r['why']})")
        new = _duplicates(logfile, dups)
        if new:
            dups += new
            print(f"    {new} duplicate delivery recognised by its event id: nothing decided, nothing written")
        print(f"    => {sides()}")
        s = tenant.states[AGENT]
        cc = s["agentStateName"] + (f"/{s['outStateDescription']}" if s["outStateDescription"] else "")
        if expect_cc and cc != expect_cc:
            problems.append(f"{title}: CXone {cc}, expected {expect_cc}")
        if expect_sf and consoles.current(SF_USER) != expect_sf:
            problems.append(f"{title}: Omni {consoles.current(SF_USER)}, expected {expect_sf}")

    agent = tenant.agents[AGENT]
    consoles.add_user(SF_USER, agent["emailAddress"], agent["firstName"])
    version = lab.push_rules(RULES)
    print(
        f"rules version {version} pushed: publisher {len(RULES['ruleSets']['default']['publisher'])} rules, subscriber "
        f"{len(RULES['ruleSets']['default']['subscriber'])} rules (Available_for_Chat -> PREVIOUS_STATE)\n"
    )
    report = lab.reconcile()
    print(f"identities by email: {report['paired']} paired, {report['unpaired']} agents without a Salesforce user\n")

    tenant.set_state(AGENT, "Available")
    consoles.agent_sets(SF_USER, "Available_for_Chat")
    step("08:58 the agent logs in to CXone and opens the console", "Available", "Available_for_Chat")
    tenant.set_state(AGENT, "InboundContact", contact=912345678)
    step("09:10 a call arrives", "InboundContact", "On_a_Call")
    consoles.agent_sets(SF_USER, "Busy")
    step("09:12 during the call, the agent picks Busy in Omni (held: CXone cannot be set during a contact)", "InboundContact", "Busy")
    tenant.set_state(AGENT, "Available")
    step("09:15 the call ends: the held Busy is applied", "Unavailable/Busy", "Busy")
    consoles.agent_sets(SF_USER, "Available_for_Chat")
    step("09:40 the agent is done with the case: Available_for_Chat returns CXone to its PREVIOUS_STATE", "Available", "Available_for_Chat")
    tenant.set_state(AGENT, "Unavailable", "Lunch")
    step("12:00 lunch in CXone", "Unavailable/Lunch", "Lunch")

    # at-least-once, late and out of order: the same Omni change twice, and an old one after a new one
    consoles.agent_sets(SF_USER, "Busy")
    source, envelope = lab.pending[-1]
    lab.pending.append((source, json.loads(json.dumps(envelope))))  # EventBridge delivers it twice
    step("12:40 Busy in Omni, delivered twice by EventBridge (the queue's deduplication id drops the copy)", "Unavailable/Busy", "Busy")
    payload = envelope["detail"]["payload"]
    again = {"event_id": f"sf:{payload['ChangeId__c']}", "agent": str(AGENT), "side": "sf", "at": 0, "state": "Busy"}
    lab.sync.sqs.send_message(
        QueueUrl=lab.sync.queue_urls["changes"],
        MessageBody=json.dumps(again),
        MessageGroupId=str(AGENT),
        MessageDeduplicationId="redelivered-after-the-sqs-window",
    )
    step("12:50 the same change redelivered after SQS's 5-minute deduplication window", "Unavailable/Busy", "Busy")
    old = json.loads(json.dumps(envelope))
    old["detail"]["payload"].update(ChangeId__c="late-delivery", StatusApiName__c="Lunch", CreatedDate="2026-01-01T12:00:00.000Z")
    lab.pending.append((source, old))
    step("12:55 a stale Lunch change from the morning arrives late (never regresses)", "Unavailable/Busy", "Busy")
    consoles.agent_sets(SF_USER, "Available_for_Chat")
    step("13:00 back to Available_for_Chat in Omni: PREVIOUS_STATE (Lunch) in CXone", "Unavailable/Lunch", "Available_for_Chat")
    tenant.set_state(AGENT, "Available")
    step("13:01 the agent goes Available in CXone", "Available", "Available_for_Chat")
    for n in range(8):  # an automation flips the agent's Omni status every few seconds
        consoles.agent_sets(SF_USER, "Busy" if n % 2 == 0 else "Available_for_Chat")
        lab.settle()
    step("13:30 a script flips Omni Busy/Available again and again: the per-agent breaker trips (an alarm fires)")
    if not any(r["outcome"] == "breaker-tripped" for r in lab.audit(str(AGENT))):
        problems.append("the breaker did not trip")

    commands = len(lab.consoles.commands)
    print(
        f"\nSalesforce commands sent: {commands}; CXone state sets: {sum(1 for m, p in lab.standins.servers['cxone'].requests if p.endswith('/state'))}"
    )
    print("function log lines: build/demo-presence-logs.jsonl")
    for p in problems:
        print(f"MISMATCH: {p}")
    print("presence demo: " + ("all steps as expected" if not problems else f"{len(problems)} steps not as expected"))
    return 1 if problems else 0
