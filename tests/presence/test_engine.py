"""The decision engine, one scenario at a time (Given / When / Then)."""

from __future__ import annotations

import copy

from functions.presence.engine import AgentRecord, command_id, decide
from functions.presence.model import Change
from functions.presence.rules import parse
from tests.presence.rules_fixtures import CXONE_RULES, GENESYS_RULES

RULES = parse(CXONE_RULES)
NOW = 1_800_000_000.0


def ms(seconds: float) -> int:
    """A source time ``seconds`` after NOW, as the vendors stamp it (epoch ms)."""
    return int((NOW + seconds) * 1000)


def cc(state: str, at: int, reason: str = "", eid: str | None = None, **kw) -> Change:
    return Change(event_id=eid or f"cc-{at}", agent="2002", side="cc", at=ms(at), state=state, reason=reason, **kw)


def sf(status: str, at: int, eid: str | None = None, **kw) -> Change:
    return Change(event_id=eid or f"sf-{at}", agent="2002", side="sf", at=ms(at), state=status, **kw)


def run(changes, rules=RULES, record=None):
    """Each change is decided half a second after it happened, in the order given (delivery order)."""
    rec = record or AgentRecord(agent="2002", sf_user="005000000000001AAA")
    out = []
    now = NOW
    for ch in changes:
        now = max(now, ch.at / 1000 + 0.5)
        d = decide(rec, ch, rules, now)
        rec = d.record
        out.append(d)
    return out, rec


def test_a_contact_center_change_publishes_once_and_its_echo_is_dropped() -> None:
    (d1, d2), rec = run([cc("Unavailable", 10, "Lunch"), sf("Lunch", 12, command_id=command_id("cc-10"), reason="OmniToolkitStatusChange")])
    assert (d1.outcome, d1.write.sf_status, d1.rule) == ("applied", "Lunch", "default.publisher[1]")
    assert d2.outcome == "echo" and d2.write is None
    assert rec.sf["status"] == "Lunch" and rec.expect_sf is None


def test_salesforce_busy_then_back_returns_the_contact_center_to_its_previous_state() -> None:
    decisions, rec = run(
        [
            cc("Unavailable", 10, "Training"),
            sf("Busy", 20),
            cc("Unavailable", 21, "Busy"),  # the echo of our write
            sf("Available_for_Chat", 30),
        ]
    )
    assert [d.outcome for d in decisions] == ["applied", "applied", "echo", "applied"]
    assert decisions[1].write.cc.model_dump() == {"state": "Unavailable", "reason": "Busy"}
    assert decisions[3].write.cc.model_dump() == {"state": "Unavailable", "reason": "Training"}
    assert decisions[3].rule == "default.subscriber[2]"


def test_previous_state_with_no_history_uses_the_fallback_or_does_nothing() -> None:
    (d,), _ = run([sf("Available_for_Chat", 5)])
    assert d.outcome == "applied" and d.write.cc.state == "Available"
    no_fallback = copy.deepcopy(CXONE_RULES)
    no_fallback.pop("previousStateFallback")
    (d,), _ = run([sf("Available_for_Chat", 5)], rules=parse(no_fallback))
    assert d.outcome == "no-previous" and d.write is None


def test_an_older_change_never_regresses_and_a_repeat_is_unchanged() -> None:
    decisions, rec = run([cc("Available", 20), cc("Unavailable", 10, "Lunch"), cc("Available", 20, eid="other-id")])
    assert [d.outcome for d in decisions] == ["applied", "stale", "unchanged"]
    assert rec.cc["state"] == "Available"


def test_a_salesforce_change_during_a_contact_is_held_and_applied_when_it_ends() -> None:
    decisions, rec = run(
        [cc("Available", 10), cc("InboundContact", 20), sf("Busy", 25), cc("Unavailable", 40, acw=True), cc("Available", 60)]
    )
    outcomes = [d.outcome for d in decisions]
    assert outcomes[2] == "held"
    assert outcomes[3] != "released"  # still in after-call work: still held
    assert outcomes[4] == "released" and decisions[4].write.cc.reason == "Busy"
    assert rec.held is None


def test_a_later_intent_wins_a_cross_side_race() -> None:
    # the agent picks Lunch in CXone (t=10) and Busy in Salesforce (t=20); Busy is delivered first
    decisions, rec = run([sf("Busy", 20), cc("Unavailable", 10, "Lunch"), cc("Unavailable", 21, "Busy")])
    assert [d.outcome for d in decisions] == ["applied", "stale", "echo"]
    assert rec.cc["reason"] == "Busy" and rec.sf["status"] == "Busy"


def test_a_flapping_agent_trips_the_breaker_instead_of_ping_ponging() -> None:
    flips = [sf("Busy" if i % 2 else "Lunch", 10 + i) for i in range(10)]
    decisions, rec = run(flips)
    outcomes = [d.outcome for d in decisions]
    assert outcomes[:6] == ["applied"] * 6
    assert outcomes[6] == "breaker-tripped" and set(outcomes[7:]) <= {"breaker-open", "in-step"} and "breaker-open" in outcomes[7:]
    assert sum(d.write is not None for d in decisions) == 6


def test_rule_set_precedence_reaches_the_decision() -> None:
    (d,), _ = run([cc("Available", 10)], record=AgentRecord(agent="2002", sf_user="005x", team="7"))
    assert d.write.sf_status == "Team_Available"
    (d,), _ = run([cc("Available", 10)], record=AgentRecord(agent="2002", sf_user="005x", team="7", email="carol@example.com"))
    assert d.write.sf_status == "VIP_Available"


def test_unpaired_unmapped_in_step_and_dry_run() -> None:
    (d,), _ = run([cc("Available", 10)], record=AgentRecord(agent="2002"))
    assert d.outcome == "unpaired" and d.write is None
    (d,), _ = run([cc("OutboundConsult", 10)])
    assert d.outcome == "unmapped"
    (d1, d2), _ = run([cc("Unavailable", 10, "Lunch"), cc("Unavailable", 11, "Lunch", acw=True)])
    assert d2.outcome == "in-step"  # Salesforce is already Lunch: nothing to write
    dry = copy.deepcopy(CXONE_RULES) | {"mode": "dry-run"}
    (d,), rec = run([cc("Available", 10)], rules=parse(dry))
    assert d.outcome == "dry-run" and d.write.sf_status == "Available_for_Chat" and rec.expect_sf is None


def test_genesys_routing_status_is_its_own_stream_and_marks_contacts() -> None:
    rules = parse(GENESYS_RULES)
    decisions, rec = run(
        [
            cc("On Queue", 10),
            cc("On Queue", 11, routing="INTERACTING"),
            sf("Lunch", 12),  # during the interaction: held
            cc("On Queue", 9, routing="IDLE"),  # an older routing event: stale
            cc("On Queue", 30, routing="IDLE"),  # interaction over: released
        ],
        rules=rules,
    )
    assert [d.outcome for d in decisions] == ["applied", "applied", "held", "stale", "released"]
    assert decisions[1].write.sf_status == "On_a_Call"
    assert decisions[4].write.cc.state == "Meal"
