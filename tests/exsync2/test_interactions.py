"""Completed CXone contacts -> Genesys conversation events: every interaction shape has the events
Genesys requires, in an order it can apply (checked by the SDK-derived schemas and by the Genesys
stand-in), stable ids, per-event error handling, bad data reported and skipped."""

from __future__ import annotations

import copy
import uuid
from datetime import UTC, datetime, timedelta

import jsonschema
import pytest

from functions.exsync import interactions as ix
from local.standins.genesys.events import injected
from tests.exsync2.sdk_schema import BATCH_CONVERSATION_EVENT_REQUEST, validate_event
from tests.exsync2.support import SOURCE_ID, id_map, queue_id, user_id, wrapup_id

DAY = {"startDate": "2026-11-20T00:00:00.000Z", "endDate": "2026-11-21T00:00:00.000Z"}


def day_contacts(stack, ctx):
    raw = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", DAY))
    return [ix.fetch_details(ctx, stack.cxone, c) for c in raw]


def built_day(stack, ctx, ids=None):
    return {b.interaction_id: b for b in ix.build_all(day_contacts(stack, ctx), ids or id_map(), SOURCE_ID)}


def sequence(b: ix.Built) -> list[tuple[int, str, str]]:
    """(step, event kind, what it acts on) in step order: a readable lifecycle."""
    roles = {}
    for e in b.events:
        if e.kind.endswith("EstablishedEvents"):
            roles[e.body["communicationId"]] = e.kind.removeprefix("email").removesuffix("EstablishedEvents").lower()
    out = []
    for e in sorted(b.events, key=lambda e: (e.step, e.body["eventDateTime"])):
        target = e.body.get("communicationId") or e.body.get("objectCommunicationId") or ""
        out.append((e.step, e.kind, roles.get(target, "-")))
    return out


def lifecycle(b: ix.Built) -> list[str]:
    return [f"{kind}:{role}" for _, kind, role in sequence(b)]


SHAPES = {
    "900001": "inbound",
    "900011": "transfer-blind-queue",
    "900021": "email",
    "900031": "abandoned",
    "900041": "outbound",
    "900051": "consult",
}


def test_every_seeded_shape_builds_valid_events_the_stand_in_accepts(stack, ctx):
    builts = built_day(stack, ctx)
    assert {k: b.shape for k, b in builts.items()} == SHAPES
    for b in builts.values():
        assert not b.skipped, b.problems
        for e in b.events:
            validate_event(e.kind, e.body)
            assert uuid.UUID(e.event_id).version == 4 and uuid.UUID(e.event_id).variant == uuid.RFC_4122
            if e.kind.endswith("EstablishedEvents"):
                assert e.body["sourceConfiguration"] == {"sourceId": SOURCE_ID, "interactionId": b.interaction_id}
    bodies = [ix.body_of(batch) for batch in ix.request_bodies(builts.values())]
    for body in bodies:
        jsonschema.Draft202012Validator(BATCH_CONVERSATION_EVENT_REQUEST).validate(body)
    result = ix.inject_conversations(ctx, stack.genesys, list(builts.values()))
    assert (result.retry, result.dead) == ({}, {})
    assert sorted(result.done) == sorted(b.conversation_id for b in builts.values())
    convs = injected(stack.org).conversations
    assert len(convs) == 6
    for b in builts.values():
        assert convs[b.conversation_id].interaction_id == b.interaction_id


def test_inbound_answered_lifecycle(stack, ctx):
    b = built_day(stack, ctx)["900001"]
    assert lifecycle(b) == [
        "externalEstablishedEvents:external",
        "routingEstablishedEvents:routing",
        "userEstablishedEvents:user",
        "communicationAnsweredEvents:user",
        "communicationEndedEvents:routing",
        "holdUpdatedEvents:user",
        "holdUpdatedEvents:user",
        "communicationEndedEvents:user",
        "communicationEndedEvents:external",
        "communicationDispositionAppliedEvents:user",
    ]
    ended = {e.body["communicationId"]: e.body["disconnectType"] for e in b.events if e.kind == "communicationEndedEvents"}
    assert sorted(ended.values()) == ["Peer", "Self", "Transfer"]  # the contact hung up: customer Self, agent Peer
    user = next(e.body for e in b.events if e.kind == "userEstablishedEvents")
    assert user["userId"] == user_id(1001) and user["afterCallWorkRequired"] is True
    assert user["initialConfiguration"]["invitedBy"] == next(
        e.body["communicationId"] for e in b.events if e.kind == "routingEstablishedEvents"
    )
    held = [e.body["held"] for e in b.events if e.kind == "holdUpdatedEvents"]
    assert held == [True, False]
    wrap = next(e.body for e in b.events if e.kind == "communicationDispositionAppliedEvents")
    assert wrap["code"] == wrapup_id(4001) and wrap["notes"] == "billing question answered"
    routing = next(e.body for e in b.events if e.kind == "routingEstablishedEvents")
    assert routing["queueId"] == queue_id(3001)
    ix.inject_conversations(ctx, stack.genesys, [b])
    conv = injected(stack.org).conversations[b.conversation_id]
    assert conv.communications[user["communicationId"]].holds == 1
    assert conv.communications[user["communicationId"]].wrapup == wrapup_id(4001)


def test_abandoned_in_queue_has_no_user_leg(stack, ctx):
    b = built_day(stack, ctx)["900031"]
    assert lifecycle(b) == [
        "externalEstablishedEvents:external",
        "routingEstablishedEvents:routing",
        "communicationEndedEvents:external",
        "communicationEndedEvents:routing",
    ]
    assert [e.body["disconnectType"] for e in b.events if e.kind == "communicationEndedEvents"] == ["Self", "Peer"]


def test_outbound_the_agent_invites_the_customer(stack, ctx):
    b = built_day(stack, ctx)["900041"]
    first = sequence(b)[:2]
    assert [k for _, k, _ in first] == ["userEstablishedEvents", "externalEstablishedEvents"]
    user = next(e.body for e in b.events if e.kind == "userEstablishedEvents")
    ext = next(e.body for e in b.events if e.kind == "externalEstablishedEvents")
    assert user["initialConfiguration"]["inbound"] is False and user["queueId"] == queue_id(3004)
    assert ext["initialConfiguration"] == {
        "inbound": False,
        "alerting": True,
        "invitedBy": user["communicationId"],
        "audioState": {"canHear": True, "canSpeak": True},
    }
    assert any(e.kind == "communicationAnsweredEvents" and e.body["communicationId"] == ext["communicationId"] for e in b.events)


def test_email_uses_the_email_arrays(stack, ctx):
    b = built_day(stack, ctx)["900021"]
    assert all(e.kind.startswith("email") for e in b.events)
    assert lifecycle(b) == [
        "emailExternalEstablishedEvents:external",
        "emailRoutingEstablishedEvents:routing",
        "emailUserEstablishedEvents:user",
        "emailCommunicationAnsweredEvents:user",
        "emailCommunicationEndedEvents:routing",
        "emailCommunicationSentMessageEvents:user",
        "emailCommunicationEndedEvents:user",
        "emailCommunicationEndedEvents:external",
        "emailCommunicationDispositionAppliedEvents:user",
    ]
    ext = next(e.body for e in b.events if e.kind == "emailExternalEstablishedEvents")
    assert ext["initialConfiguration"]["to"] == "support@example.com" and ext["initialConfiguration"]["from"] == "jane.doe@example.net"


def test_blind_transfer_to_a_queue(stack, ctx):
    b = built_day(stack, ctx)["900011"]
    kinds = [k for _, k, _ in sequence(b)]
    for before, after in [
        ("routingTransferEvents", "progressTransferEvents"),
        ("progressTransferEvents", "endTransferEvents"),
        ("userEstablishedEvents", "routingTransferEvents"),
    ]:
        assert kinds.index(before) < kinds.index(after)
    start = next(e.body for e in b.events if e.kind == "routingTransferEvents")
    assert start["transferType"] == "Unattended" and start["destinationQueueId"] == queue_id(3002)
    assert start["objectCommunicationId"] == b.external_communication_id
    ends = {e.body["communicationId"]: e.body["disconnectType"] for e in b.events if e.kind == "communicationEndedEvents"}
    assert ends[start["initiatingCommunicationId"]] == "TransferACD"
    step = {e.kind: e.step for e in b.events}
    assert step["routingTransferEvents"] < step["progressTransferEvents"] < step["endTransferEvents"]
    assert [e.body["finalState"] for e in b.events if e.kind == "endTransferEvents"] == ["Completed"]
    users = [e.body["userId"] for e in b.events if e.kind == "userEstablishedEvents"]
    assert users == [user_id(1002), user_id(1003)]
    assert len([e for e in b.events if e.kind == "communicationDispositionAppliedEvents"]) == 2
    ix.inject_conversations(ctx, stack.genesys, [b])
    conv = injected(stack.org).conversations[b.conversation_id]
    assert [t["state"] for t in conv.transfers.values()] == ["Completed"]


def test_consult_without_transfer(stack, ctx):
    b = built_day(stack, ctx)["900051"]
    kinds = [k for _, k, _ in sequence(b)]
    assert "progressConsultTransferEvents" not in kinds
    assert kinds.index("consultTransferEvents") < kinds.index("endConsultTransferEvents")
    users = [e.body for e in b.events if e.kind == "userEstablishedEvents"]
    assert [u["userId"] for u in users] == [user_id(1001), user_id(1006)]
    assert users[1]["initialConfiguration"]["invitedBy"] == users[0]["communicationId"]
    ix.inject_conversations(ctx, stack.genesys, [b])
    conv = injected(stack.org).conversations[b.conversation_id]
    assert [t["state"] for t in conv.transfers.values()] == ["Canceled"]  # the customer stayed with the first agent
    assert conv.communications[users[0]["communicationId"]].disconnect == "Peer"  # the contact hung up on agent 1001


def chain(*legs: dict) -> list[ix.CompletedContact]:
    base = {"mediaTypeId": 4, "fromAddress": "+15550001111", "toAddress": "+15550002222", "skillId": 3001, "endReason": "Agent Hung Up"}
    return [ix.CompletedContact.model_validate({**base, **leg}) for leg in legs]


T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def at(seconds: float) -> str:
    return (T0 + timedelta(seconds=seconds)).isoformat()


def test_attended_transfer_consult_then_the_customer_moves(stack, ctx):
    legs = chain(
        {"contactId": 1, "contactStartDate": at(0), "agentId": 1001, "inQueueSeconds": 5, "agentSeconds": 60, "acwSeconds": 5},
        {
            "contactId": 2,
            "masterContactId": 1,
            "contactStartDate": at(20),
            "agentId": 1002,
            "agentSeconds": 20,
            "transferIndicatorName": "Consult",
        },
        {
            "contactId": 3,
            "masterContactId": 1,
            "contactStartDate": at(40),
            "agentId": 1002,
            "agentSeconds": 50,
            "transferIndicatorName": "ReAgent",
            "primaryDispositionId": 4002,
        },
    )
    b = ix.build_interaction(legs, id_map(), SOURCE_ID)
    assert b.shape == "transfer-attended" and not b.problems
    for e in b.events:
        validate_event(e.kind, e.body)
    kinds = [k for _, k, _ in sequence(b)]
    assert kinds.index("consultTransferEvents") < kinds.index("progressConsultTransferEvents") < kinds.index("endConsultTransferEvents")
    first = next(e.body for e in b.events if e.kind == "userEstablishedEvents" and e.body["userId"] == user_id(1001))
    ends = {e.body["communicationId"]: e.body["disconnectType"] for e in b.events if e.kind == "communicationEndedEvents"}
    assert ends[first["communicationId"]] == "TransferConsult"
    second = next(e.body for e in b.events if e.kind == "userEstablishedEvents" and e.body["userId"] == user_id(1002))
    wraps = {e.body["communicationId"]: e.body.get("code") for e in b.events if e.kind == "communicationDispositionAppliedEvents"}
    assert wraps[second["communicationId"]] == wrapup_id(4002)  # the follow-up contact's wrap-up, on the consulted leg
    result = ix.inject_conversations(ctx, stack.genesys, [b])
    assert result.done == [b.conversation_id], (result.retry, result.dead)
    conv = injected(stack.org).conversations[b.conversation_id]
    assert [t["state"] for t in conv.transfers.values()] == ["Completed"]


def test_blind_transfer_to_an_agent(stack, ctx):
    legs = chain(
        {"contactId": 11, "contactStartDate": at(0), "agentId": 1001, "inQueueSeconds": 5, "agentSeconds": 30},
        {
            "contactId": 12,
            "masterContactId": 11,
            "contactStartDate": at(35),
            "agentId": 1004,
            "inQueueSeconds": 4,
            "agentSeconds": 30,
            "transferIndicatorName": "ReAgent",
        },
    )
    b = ix.build_interaction(legs, id_map(), SOURCE_ID)
    assert b.shape == "transfer-blind-user"
    start = next(e.body for e in b.events if e.kind == "userTransferEvents")
    assert start["destinationUserId"] == user_id(1004) and start["transferType"] == "Unattended"
    ends = {e.body["communicationId"]: e.body["disconnectType"] for e in b.events if e.kind == "communicationEndedEvents"}
    assert ends[start["initiatingCommunicationId"]] == "TransferUser"
    assert ix.inject_conversations(ctx, stack.genesys, [b]).done == [b.conversation_id]


def test_rebuilding_gives_the_same_ids_and_reinjecting_changes_nothing(stack, ctx):
    first = built_day(stack, ctx)
    again = built_day(stack, ctx)
    assert {k: [e.body for e in b.events] for k, b in first.items()} == {k: [e.body for e in b.events] for k, b in again.items()}
    other_source = ix.build_all(day_contacts(stack, ctx), id_map(), ix.v4_id("another source"))
    assert not {b.conversation_id for b in other_source} & {b.conversation_id for b in first.values()}
    ix.inject_conversations(ctx, stack.genesys, list(first.values()))
    store = injected(stack.org)
    snapshot = copy.deepcopy({k: c.describe() for k, c in store.conversations.items()}), len(store.accepted)
    result = ix.inject_conversations(ctx, stack.genesys, list(again.values()))
    assert (result.retry, result.dead) == ({}, {}) and len(result.done) == 6
    assert ({k: c.describe() for k, c in store.conversations.items()}, len(store.accepted)) == snapshot


def test_a_retryable_refusal_stops_that_conversation_and_a_retry_completes_it(stack, ctx):
    builts = built_day(stack, ctx)
    victim = builts["900001"]
    answered = next(e for e in victim.events if e.kind == "communicationAnsweredEvents")
    injected(stack.org).faults[answered.event_id] = ("Service temporarily unavailable", True)
    result = ix.inject_conversations(ctx, stack.genesys, list(builts.values()))
    assert result.retry == {victim.conversation_id: "Service temporarily unavailable"} and not result.dead
    assert victim.conversation_id not in result.done and len(result.done) == 5
    later = {e.event_id for e in victim.events if e.step > answered.step}
    assert not later & set(result.outcome.sent)  # its later steps were not sent
    again = ix.inject_conversations(ctx, stack.genesys, [victim])
    assert again.done == [victim.conversation_id]
    conv = injected(stack.org).conversations[victim.conversation_id]
    assert all(c.ended for c in conv.communications.values())


def test_a_refusal_not_to_retry_dead_letters_the_conversation(stack, ctx):
    stack.org.users.pop(user_id(1004))  # the email's agent no longer exists in Genesys
    builts = built_day(stack, ctx)
    result = ix.inject_conversations(ctx, stack.genesys, list(builts.values()))
    assert result.dead == {builts["900021"].conversation_id: "The user could not be found."}
    assert len(result.done) == 5


def test_out_of_order_events_are_refused_retryably_by_the_stand_in(stack, ctx):
    b = built_day(stack, ctx)["900001"]
    late = [e for e in b.events if e.step > 0]
    outcome = ix.post_events(ctx, stack.genesys, ix.CONVERSATIONS_PATH, ix.body_of(late[:10]))
    assert outcome.retryable and not outcome.rejected
    assert set(outcome.retryable.values()) <= {
        "The conversation has not been established yet.",
        "invitedBy refers to a communication not established yet.",
        "The communication has not been established yet.",
    }


def test_requests_respect_the_batch_limit_and_the_steps(stack, ctx):
    builts = list(built_day(stack, ctx).values())
    batches = ix.request_bodies(builts, limit=7)
    assert all(0 < len(b) <= 7 for b in batches)
    steps = [max(e.step for e in b) for b in batches]
    assert steps == sorted(steps)
    assert sum(len(b) for b in batches) == sum(len(b.events) for b in builts)


def test_bad_cxone_data_is_reported_per_contact_and_skipped(stack, ctx):
    contacts = day_contacts(stack, ctx)
    ids = id_map(missing_agents=(1005,), missing_dispositions=(4002,))
    broken = {"contactId": 999001, "mediaTypeId": 4, "agentId": 1001}  # no contactStartDate
    builts = {b.interaction_id: b for b in ix.build_all([*contacts, broken], ids, SOURCE_ID)}
    outbound = builts["900041"]
    assert outbound.skipped and outbound.events == []
    assert [(p.code, p.contact_id) for p in outbound.problems] == [("agent-not-mapped", 900041)]
    transferred = builts["900011"]  # its first leg's disposition 4002 is unknown: wrap-up skipped, still synced
    assert not transferred.skipped
    assert [(p.code, p.contact_id, p.skipped) for p in transferred.problems] == [("disposition-not-mapped", 900011, False)]
    skipped_wrap = [e.body for e in transferred.events if e.kind == "communicationDispositionAppliedEvents" and "code" not in e.body]
    assert len(skipped_wrap) == 1 and "notes" not in skipped_wrap[0]
    invalid = builts["999001"]
    assert invalid.skipped and invalid.problems[0].code == "invalid-contact" and "contactStartDate" in invalid.problems[0].detail
    result = ix.inject_conversations(ctx, stack.genesys, list(builts.values()))
    assert len(result.done) == 5 and not result.retry and not result.dead


def test_the_builder_never_raises(stack, ctx):
    def exploding(_: int) -> str:
        raise RuntimeError("id map unavailable")

    ids = ix.IdMap(user=exploding, queue=id_map().queue, wrapup=id_map().wrapup)
    builts = ix.build_all(day_contacts(stack, ctx), ids, SOURCE_ID)
    failed = [b for b in builts if b.skipped]
    assert {p.code for b in failed for p in b.problems} == {"build-failed"}
    assert all("id map unavailable" not in p.detail for b in failed for p in b.problems)  # data-free
    assert [b.shape for b in builts if not b.skipped] == ["abandoned"]


@pytest.mark.parametrize("media", [2, 3])
def test_other_media_are_reported(media):
    [b] = ix.build_all(
        [{"contactId": 5, "contactStartDate": at(0), "mediaTypeId": media, "agentId": 1001, "skillId": 3001}], id_map(), SOURCE_ID
    )
    assert b.skipped and b.problems[0].code == "unsupported-media"


def test_v4_ids_are_deterministic_and_shaped_like_random_ones():
    ids = {ix.v4_id("conversation", n) for n in range(2000)}
    assert len(ids) == 2000
    for text in ids:
        u = uuid.UUID(text)
        assert u.version == 4 and u.variant == uuid.RFC_4122 and str(u) == text
    assert ix.v4_id("a", 1) == ix.v4_id("a", 1) != ix.v4_id("a", 2)
    assert ix.event_time(datetime(2026, 1, 2, 3, 4, 5, 678900, tzinfo=UTC)) == "2026-01-02T03:04:05.678Z"


def test_steps_follow_time_within_a_conversation_and_whole_mode_also_works(stack, ctx):
    builts = list(built_day(stack, ctx).values())
    for b in builts:
        by_step: dict[int, list[str]] = {}
        for e in b.events:
            by_step.setdefault(e.step, []).append(e.body["eventDateTime"])
        steps = sorted(by_step)
        assert steps == list(range(len(steps)))
        for a, c in zip(steps, steps[1:], strict=False):
            assert max(by_step[a]) <= min(by_step[c])
    whole = ix.request_bodies(builts, ordering="whole")
    assert len(whole) == len(builts)  # one request per conversation when Genesys applies a request in time order
    result = ix.inject_conversations(ctx, stack.genesys, builts, ordering="whole")
    assert len(result.done) == 6 and result.outcome.requests == 6
