"""CXone agent states -> Genesys presence and routing-status injection events: the mapping table,
the events' shape (SDK-derived schemas), stable ids, order-keeping batches, and the stand-in's
per-event answers (applied, idempotent, refused retryably or not)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import jsonschema
import pytest

from functions.exsync import agentstate as ag
from functions.presence.connectors import CxoneSide
from functions.presence.model import Change
from local.standins.genesys.events import injected
from tests.exsync2.sdk_schema import USER_PRESENCE_EVENT, USER_ROUTING_STATUS_EVENT
from tests.exsync2.support import SOURCE_ID, state_lookups, user_id

TABLE = [
    # CXone state, unavailable code, ACW -> Genesys system presence, routing status, secondary looked up
    ("Available", "", False, "On Queue", "Idle", False),
    ("Unavailable", "", False, "Away", "OffQueue", False),
    ("Unavailable", "Lunch", False, "Away", "OffQueue", True),
    ("Unavailable", "Refused", False, "On Queue", "NotResponding", False),
    ("Unavailable", "Wrap Up", True, "On Queue", "Interacting", False),
    ("Available", "", True, "On Queue", "Interacting", False),
    ("InboundContact", "", False, "On Queue", "Interacting", False),
    ("OutboundContact", "", False, "On Queue", "Interacting", False),
    ("OutboundConsult", "", False, "On Queue", "Interacting", False),
    ("InboundConsult", "", False, "On Queue", "Communicating", False),
    ("Dialer", "", False, "On Queue", "Interacting", False),
    ("DialerPending", "", False, "On Queue", "Idle", False),
    ("LoggedIn", "", False, "Available", "OffQueue", False),
    ("LoggedOut", "", False, "Offline", "OffQueue", False),
]


@pytest.mark.parametrize(("state", "code", "acw", "presence", "routing", "secondary"), TABLE)
def test_the_mapping_table(state, code, acw, presence, routing, secondary):
    assert ag.target_for(state, code, acw) == ag.Target(presence, routing, secondary)


def test_an_undocumented_state_maps_to_nothing():
    assert ag.target_for("Parked") is None


def change(agent=1001, state="Available", reason="", acw=False, at=1_795_000_000_123) -> Change:
    return Change(
        event_id=f"cxone:{agent}:{at}:{state}:{reason}:{int(acw)}", agent=str(agent), side="cc", at=at, state=state, reason=reason, acw=acw
    )


def test_events_have_the_sdk_shape_and_stable_ids(stack):
    lookups = state_lookups(stack.org)
    m = ag.map_change(change(state="Unavailable", reason="Lunch"), lookups, SOURCE_ID)
    assert not m.problems
    jsonschema.Draft202012Validator(USER_PRESENCE_EVENT).validate(m.presence)
    jsonschema.Draft202012Validator(USER_ROUTING_STATUS_EVENT).validate(m.routing)
    assert m.presence["presenceDefinitionId"] == stack.org.definition_id("Meal", "Lunch")
    assert (
        m.presence["eventDateTime"]
        == "2026-11-18T11:06:40.123Z"
        == datetime.fromtimestamp(1_795_000_000.123, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )
    assert m.routing["status"] == "OffQueue" and m.routing["agentId"] == user_id(1001)
    for event_id in (m.presence["eventId"], m.routing["eventId"]):
        assert uuid.UUID(event_id).version == 4 and uuid.UUID(event_id).variant == uuid.RFC_4122
    again = ag.map_change(change(state="Unavailable", reason="Lunch"), lookups, SOURCE_ID)
    assert (again.presence, again.routing) == (m.presence, m.routing)
    other = ag.map_change(change(state="Unavailable", reason="Lunch", at=1_795_000_001_000), lookups, SOURCE_ID)
    assert other.presence["eventId"] != m.presence["eventId"]


def test_problems_are_reported_not_raised(stack):
    lookups = state_lookups(stack.org)
    unknown_code = ag.map_change(change(state="Unavailable", reason="Gym"), lookups, SOURCE_ID)
    assert unknown_code.presence["presenceDefinitionId"] == stack.org.definition_id("Away")
    assert unknown_code.presence["message"] == "Gym" and unknown_code.problems
    no_user = ag.map_change(change(agent=4242), lookups, SOURCE_ID)
    assert (no_user.presence, no_user.routing) == (None, None) and "4242" in no_user.problems[0]
    odd = ag.map_change(change(state="Parked"), lookups, SOURCE_ID)
    assert (odd.presence, odd.routing) == (None, None) and odd.problems


def test_batches_keep_each_agents_order_and_the_limit():
    events = [
        {"eventId": f"{agent}-{n}", "eventDateTime": f"2026-11-20T09:00:{n:02d}.000Z", "userId": f"u{agent}"}
        for n in range(12)
        for agent in range(7)
        if (agent + n) % 3
    ]
    batches = ag.batches(events, "userId", limit=4)
    assert all(len(b) <= 4 for b in batches)
    assert all(len({e["userId"] for e in b}) == len(b) for b in batches)  # at most one event per agent per request
    sent = [e for b in batches for e in b]
    assert sorted(e["eventId"] for e in sent) == sorted(e["eventId"] for e in events)
    for agent in range(7):
        mine = [e["eventDateTime"] for e in sent if e["userId"] == f"u{agent}"]
        assert mine == sorted(mine)


def test_the_cxone_change_path_through_the_stand_in(stack, ctx):
    tenant, lookups = stack.cxone_api.tenant, state_lookups(stack.org)
    states = [
        tenant.set_state(1001, "Available", at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC)),
        tenant.set_state(1001, "InboundContact", contact=900001, at=datetime(2026, 11, 20, 9, 1, tzinfo=UTC)),
        tenant.set_state(1002, "Unavailable", "Lunch", at=datetime(2026, 11, 20, 9, 2, tzinfo=UTC)),
        tenant.set_state(1001, "Unavailable", "Wrap Up", acw=True, at=datetime(2026, 11, 20, 9, 3, tzinfo=UTC)),
    ]
    mapped = [ag.map_change(CxoneSide.change(s), lookups, SOURCE_ID) for s in states]
    outcome = ag.inject_states(ctx, stack.genesys, mapped)
    # agent 1001 changed three times: three requests per endpoint (one event per agent each), 1002's rides in the first
    assert outcome.requests == 6 and not outcome.retryable and not outcome.rejected
    alice, bob = stack.org.users[user_id(1001)], stack.org.users[user_id(1002)]
    assert alice["routing"]["status"] == "INTERACTING" and alice["presence"]["definitionId"] == stack.org.definition_id("On Queue")
    assert bob["presence"]["definitionId"] == stack.org.definition_id("Meal", "Lunch") and bob["routing"]["status"] == "OFF_QUEUE"
    store = injected(stack.org)
    before = (len(store.presence[user_id(1001)]), len(store.accepted))
    assert not ag.inject_states(ctx, stack.genesys, mapped).rejected  # a redelivery: accepted, no second effect
    assert (len(store.presence[user_id(1001)]), len(store.accepted)) == before


def test_per_event_errors_retryable_or_not(stack, ctx):
    lookups = state_lookups(stack.org)
    good = ag.map_change(change(agent=1003, state="Available"), lookups, SOURCE_ID)
    flaky = ag.map_change(change(agent=1004, state="Available"), lookups, SOURCE_ID)
    stack.org.users.pop(user_id(1005))
    gone = ag.map_change(change(agent=1005, state="Available"), lookups, SOURCE_ID)
    injected(stack.org).faults[flaky.presence["eventId"]] = ("Internal error, try again", True)
    outcome = ag.inject_states(ctx, stack.genesys, [good, flaky, gone])
    assert outcome.retryable == {flaky.presence["eventId"]: "Internal error, try again"}
    assert set(outcome.rejected) == {gone.presence["eventId"], gone.routing["eventId"]}
    assert set(outcome.accepted) == {good.presence["eventId"], good.routing["eventId"], flaky.routing["eventId"]}
    retry = ag.inject_states(ctx, stack.genesys, [flaky])
    assert set(retry.accepted) == {flaky.presence["eventId"], flaky.routing["eventId"]}


def test_an_older_event_is_accepted_but_does_not_win(stack, ctx):
    lookups = state_lookups(stack.org)
    newer = ag.map_change(change(state="LoggedOut", at=1_795_000_100_000), lookups, SOURCE_ID)
    older = ag.map_change(change(state="Available", at=1_795_000_000_000), lookups, SOURCE_ID)
    ag.inject_states(ctx, stack.genesys, [newer])
    assert not ag.inject_states(ctx, stack.genesys, [older]).rejected
    assert stack.org.users[user_id(1001)]["presence"]["definitionId"] == stack.org.definition_id("Offline")
