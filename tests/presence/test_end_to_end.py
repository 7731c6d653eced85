"""Presence sync end to end through the stand-ins and moto, both directions, both contact-center
platforms: vendor events -> ingest -> FIFO queue -> apply -> the other vendor's API -> its echo."""

from __future__ import annotations

import collections
import time
import uuid

import pytest

from local.presence import PresenceLab

E2E_RULES = {
    "platform": "cxone",
    "previousStateFallback": {"cc": {"state": "Available"}},
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
                {"when": "Lunch", "set": {"state": "Unavailable", "reason": "Lunch"}},
                {"when": "Available_for_Chat", "set": "PREVIOUS_STATE"},
            ],
        }
    },
    "assignments": {"organization": "default"},
}
GENESYS_RULES = {
    "platform": "genesys",
    "ruleSets": {
        "default": {
            "publisher": [
                {"when": {"state": "Available"}, "set": "Available_for_Chat"},
                {"when": {"state": "Meal"}, "set": "Lunch"},
                {"when": {"state": "Busy"}, "set": "Busy"},
                {"when": {"state": "Available", "routing": "INTERACTING"}, "set": "On_a_Call"},
            ],
            "subscriber": [
                {"when": "Lunch", "set": {"state": "Meal", "reason": "Lunch"}},
                {"when": "Busy", "set": {"state": "Busy"}},
                {"when": "Available_for_Chat", "set": {"state": "Available"}},
            ],
        }
    },
    "assignments": {"organization": "default"},
}


@pytest.fixture
def cxone(standins) -> PresenceLab:
    lab = PresenceLab(standins, "cxone", f"c{uuid.uuid4().hex[:8]}")
    tenant = lab.cc.tenant
    for agent in (1001, 1002):
        a = tenant.agents[agent]
        tenant.set_state(agent, "Available")
        lab.consoles.add_user(f"005{agent:012d}AAA", a["emailAddress"], a["firstName"], status="Available_for_Chat")
    lab.push_rules(E2E_RULES)
    lab.reconcile()
    lab.settle()
    lab.pending.clear()
    return lab


def sf_user(agent: int) -> str:
    return f"005{agent:012d}AAA"


def commands(lab: PresenceLab) -> int:
    return len(lab.consoles.commands)


def test_a_cxone_change_reaches_omni_once_and_its_echo_is_dropped(cxone: PresenceLab) -> None:
    before, seen = commands(cxone), len(cxone.audit("1001"))
    cxone.cc.tenant.set_state(1001, "Unavailable", "Lunch")
    cxone.settle()
    assert cxone.consoles.current(sf_user(1001)) == "Lunch"
    assert commands(cxone) - before == 1  # exactly one write for one real change
    rows = cxone.audit("1001")[seen:]
    assert sorted(row["outcome"] for row in rows) == ["applied", "echo"], rows
    cxone.settle()  # nothing left to do: nothing written
    assert commands(cxone) - before == 1


def test_an_omni_change_reaches_cxone_and_previous_state_returns(cxone: PresenceLab) -> None:
    tenant = cxone.cc.tenant
    tenant.set_state(1002, "Unavailable", "Lunch")
    cxone.settle()
    cxone.consoles.agent_sets(sf_user(1002), "Busy")
    cxone.settle()
    assert (tenant.states[1002]["agentStateName"], tenant.states[1002]["outStateDescription"]) == ("Unavailable", "Busy")
    cxone.consoles.agent_sets(sf_user(1002), "Available_for_Chat")
    cxone.settle()
    assert (tenant.states[1002]["agentStateName"], tenant.states[1002]["outStateDescription"]) == ("Unavailable", "Lunch")
    # Omni keeps the agent's own choice: the subscriber rule moved CXone, and CXone's echo is not republished
    assert cxone.consoles.current(sf_user(1002)) == "Available_for_Chat"
    assert [r["outcome"] for r in cxone.audit("1002")][-2:] == ["applied", "echo"]


def test_a_change_during_a_call_is_held_until_it_ends(cxone: PresenceLab) -> None:
    tenant = cxone.cc.tenant
    tenant.set_state(1001, "InboundContact", contact=555)
    cxone.settle()
    assert cxone.consoles.current(sf_user(1001)) == "On_a_Call"
    cxone.consoles.agent_sets(sf_user(1001), "Busy")
    cxone.settle()
    assert tenant.states[1001]["agentStateName"] == "InboundContact"  # not touched during the call
    tenant.set_state(1001, "Available")  # the call ends
    cxone.settle()
    assert (tenant.states[1001]["agentStateName"], tenant.states[1001]["outStateDescription"]) == ("Unavailable", "Busy")
    assert cxone.consoles.current(sf_user(1001)) == "Busy"
    assert "held" in [row["outcome"] for row in cxone.audit("1001")]


def test_a_lost_event_is_healed_by_reconciliation(cxone: PresenceLab) -> None:
    cxone.consoles.agent_sets(sf_user(1002), "Lunch")
    cxone.pending.clear()  # Event Relay lost it
    cxone.settle()
    assert cxone.cc.tenant.states[1002]["outStateDescription"] != "Lunch"
    report = cxone.reconcile()
    assert report["driftSf"] == 1 and report["queued"] >= 1
    cxone.settle()
    assert cxone.cc.tenant.states[1002]["outStateDescription"] == "Lunch"


def test_genesys_as_the_contact_center(standins) -> None:
    lab = PresenceLab(standins, "genesys", f"g{uuid.uuid4().hex[:8]}")
    org = lab.cc.org
    from local.standins.genesys.org import USER_ALICE

    org.set_presence(USER_ALICE, org.definition_id("Available"))
    lab.consoles.add_user("005000000000777AAA", "alice@example.com", "Alice", status="Available_for_Chat")
    lab.push_rules(GENESYS_RULES)
    lab.reconcile()
    lab.settle()
    org.set_presence(USER_ALICE, org.definition_id("Meal"))
    lab.settle()
    assert lab.consoles.current("005000000000777AAA") == "Lunch"
    lab.consoles.agent_sets("005000000000777AAA", "Busy")
    lab.settle()
    definition = org.definitions[org.users[USER_ALICE]["presence"]["definitionId"]]
    assert definition["systemPresence"] == "Busy"
    # a routing-status event is its own stream: an interaction publishes On_a_Call
    org.set_presence(USER_ALICE, org.definition_id("Available"))
    org.set_routing(USER_ALICE, "INTERACTING")
    lab.settle()
    assert lab.consoles.current("005000000000777AAA") == "On_a_Call"


def test_an_expired_salesforce_session_is_renewed_once(cxone: PresenceLab) -> None:
    tokens = cxone.salesforce.token_requests
    cxone.salesforce.expire_sessions()
    cxone.cc.tenant.set_state(1001, "Unavailable", "Busy")
    cxone.settle()
    assert cxone.consoles.current(sf_user(1001)) == "Busy"
    assert cxone.salesforce.token_requests - tokens == 1


def test_a_target_that_is_down_dead_letters_then_a_redrive_applies_it(cxone: PresenceLab) -> None:
    cxone.salesforce.fail_next = 1000  # Salesforce answers 503 to everything
    cxone.cc.tenant.set_state(1002, "Unavailable", "Lunch")
    cxone.settle()
    [letter] = cxone.sync.dead_letters("changes")
    assert letter["agent"] == "1002" and letter["state"] == "Unavailable"
    assert cxone.consoles.current(sf_user(1002)) == "Available_for_Chat"
    cxone.salesforce.fail_next = 0  # Salesforce is back: redrive
    assert cxone.sync.redrive("changes") == 1
    cxone.settle()
    assert cxone.consoles.current(sf_user(1002)) == "Lunch" and cxone.sync.dead_letters("changes") == []


def test_genesys_429_pauses_the_shared_budget_and_the_write_still_lands(standins) -> None:
    from local.standins.genesys.org import USER_BOB

    lab = PresenceLab(standins, "genesys", f"r{uuid.uuid4().hex[:8]}")
    org, api = lab.cc.org, lab.cc
    org.set_presence(USER_BOB, org.definition_id("Available"))
    org.set_routing(USER_BOB, "IDLE")
    lab.consoles.add_user("005000000000888AAA", "bob@example.com", "Bob", status="Available_for_Chat")
    lab.push_rules(GENESYS_RULES)
    lab.reconcile()
    lab.settle()
    api.rate_per_minute, api.rate_window = 1, 1.5  # one request per 1.5 s for this client ...
    for token in api.tokens:  # ... and another function of this client has just spent it
        api._calls[token] = collections.deque([time.monotonic()])
    try:
        lab.consoles.agent_sets("005000000000888AAA", "Busy")
        lab.settle()
    finally:
        api.rate_per_minute = None
    assert org.definitions[org.users[USER_BOB]["presence"]["definitionId"]]["systemPresence"] == "Busy"
    budget = [
        i for i in lab.sync.dynamodb.scan(TableName=lab.sync.table_names["state"])["Items"] if i["pk"]["S"].startswith("budget#genesys")
    ]
    assert budget and "pausedUntil" in budget[0]  # the 429's Retry-After paused every function using this client


def test_dry_run_records_decisions_and_writes_nothing(cxone: PresenceLab) -> None:
    cxone.push_rules({**E2E_RULES, "mode": "dry-run"})
    before = commands(cxone)
    cxone.cc.tenant.set_state(1001, "Unavailable", "Lunch")
    cxone.settle()
    assert commands(cxone) == before and cxone.consoles.current(sf_user(1001)) == "Available_for_Chat"
    last = cxone.audit("1001")[-1]
    assert last["outcome"] == "dry-run" and last["write"] == "Salesforce -> Lunch"


def test_cxone_refusing_an_acw_code_outside_a_contact_is_reported_not_held(cxone: PresenceLab) -> None:
    cxone.push_rules(
        {
            **E2E_RULES,
            "ruleSets": {
                "default": {
                    **E2E_RULES["ruleSets"]["default"],
                    "subscriber": [{"when": "Busy", "set": {"state": "Unavailable", "reason": "Wrap Up"}}],
                }
            },
        }
    )
    cxone.consoles.agent_sets(sf_user(1001), "Busy")
    cxone.settle()
    last = cxone.audit("1001")[-1]
    assert last["outcome"] == "rejected" and "ACW code outside a contact" in last["why"]
    assert cxone.record("1001")["held"] is None and cxone.record("1001")["sf"]["status"] == "Busy"


def test_a_pushed_rules_version_applies_within_a_minute_without_a_deploy(cxone: PresenceLab, monkeypatch) -> None:
    from functions.presence import store

    clock = [1000.0]
    monkeypatch.setattr(store.time, "monotonic", lambda: clock[0])
    store._rules_cache.clear()
    cxone.cc.tenant.set_state(1001, "Unavailable", "Lunch")
    cxone.settle()  # the running functions read the current version once
    store.push_rules(cxone.sync.dynamodb, cxone.sync.table_names["rules"], {**E2E_RULES, "mode": "dry-run"}, "test")
    clock[0] += 30  # within the minute: still the cached version
    cxone.cc.tenant.set_state(1001, "Unavailable", "Busy")
    cxone.settle()
    assert cxone.audit("1001")[-2]["outcome"] == "applied"
    clock[0] += 31  # past the minute: the new version (dry run) applies
    cxone.cc.tenant.set_state(1001, "Available")
    cxone.settle()
    assert cxone.audit("1001")[-1]["outcome"] == "dry-run"
