"""The stand-ins speak the vendors' wire formats: CXone completed contacts (filters, paging with
``_links.next``), details, state history, media playback with signed file URLs; Genesys injection
endpoints refuse malformed batches and events the way the SDK models describe them."""

from __future__ import annotations

import httpx
import pytest

from functions.exsync import interactions as ix
from local.standins.genesys.events import MAX_EVENTS, injected
from tests.exsync2.support import id_map


def test_completed_contacts_filter_and_page_with_next_links(stack, ctx):
    first = stack.cxone.get(ctx, "/contacts/completed", {"mediaTypeId": 4, "top": 3, "startDate": "2026-11-20T00:00:00Z"})
    assert first["totalRecords"] == 7 and len(first["completedContacts"]) == 3
    assert "mediaTypeId=4" in first["_links"]["next"] and "skip=3" in first["_links"]["next"]
    every = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", {"mediaTypeId": 4}))
    assert [c["contactId"] for c in every] == [900001, 900011, 900012, 900031, 900041, 900051, 900052]
    email = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", {"mediaTypeId": 1}))
    assert [c["contactId"] for c in email] == [900021]
    later = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", {"updatedSince": "2026-11-20T14:45:00Z"}))
    assert [c["contactId"] for c in later] == [900051, 900052]
    window = list(
        stack.cxone.pages(
            ctx, "/contacts/completed", "completedContacts", {"startDate": "2026-11-20T14:20:00Z", "endDate": "2026-11-20T14:40:00Z"}
        )
    )
    assert [c["contactId"] for c in window] == [900021, 900031]


def test_details_and_state_history_give_the_holds(stack, ctx):
    details = stack.cxone.get(ctx, "/contacts/900001")
    assert details["contactId"]["contactId"] == 900001
    history = stack.cxone.get(ctx, "/contacts/900001/state-history")["contactStateHistory"]
    assert [r["contactStateName"] for r in history] == ["PreQueue", "InQueue", "Active", "Hold", "Active", "Released"]
    [hold] = ix.hold_periods(history)
    assert hold.seconds == 6 and hold.start.isoformat() == "2026-11-20T14:00:26+00:00"  # 4 s pre-queue + 12 s queue + 10 s talk
    assert stack.cxone.get(ctx, "/contacts/1") is None


def test_media_playback_metadata_and_the_signed_file(stack, ctx):
    from functions.exsync.media import find_recording

    found = find_recording(ctx, stack.cxone, 900051)
    assert (found.customer_channel, found.agent_channel) == (1, 0)
    assert httpx.get(found.url).content[:4] == b"RIFF"
    assert httpx.get(found.url.replace("signature=", "signature=0")).status_code == 403
    assert find_recording(ctx, stack.cxone, 900021) is None  # the email has no voice recording


def post(stack, path: str, body) -> httpx.Response:
    token = stack.genesys.tokens
    return httpx.post(f"{stack.genesys_server.url}{path}", json=body, auth=token)


def test_batches_over_the_limit_or_with_unknown_arrays_are_refused(stack):
    event = {
        "eventId": ix.v4_id(1),
        "eventDateTime": "2026-11-20T09:00:00.000Z",
        "conversationId": ix.v4_id(2),
        "communicationId": ix.v4_id(3),
    }
    too_many = {"communicationAnsweredEvents": [event] * (MAX_EVENTS + 1)}
    assert post(stack, ix.CONVERSATIONS_PATH, too_many).status_code == 400
    assert post(stack, ix.CONVERSATIONS_PATH, {"chatEstablishedEvents": []}).status_code == 400
    assert post(stack, ix.CONVERSATIONS_PATH, []).status_code == 400


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"eventId": "0f1e2d3c-4b5a-1968-8776-655443322110"}, "eventId must be a V4 UUID"),
        ({"eventDateTime": "2026-11-20 09:00:00"}, "eventDateTime must be yyyy-MM-ddTHH:mm:ss[.mmm]Z"),
        ({"disconnectType": "HungUp"}, "disconnectType must be one of"),
        ({"extra": 1}, "extra is not a field of this event"),
        ({"communicationId": None}, "communicationId is required"),
    ],
)
def test_malformed_events_are_refused_not_retryable(stack, change, message):
    event = {
        "eventId": ix.v4_id("e"),
        "eventDateTime": "2026-11-20T09:00:00.000Z",
        "conversationId": ix.v4_id("c"),
        "communicationId": ix.v4_id("k"),
        "disconnectType": "Self",
        **change,
    }
    event = {k: v for k, v in event.items() if v is not None}
    answer = post(stack, ix.CONVERSATIONS_PATH, {"communicationEndedEvents": [event]})
    assert answer.status_code == 200
    [error] = answer.json()["errors"]
    assert error["retryable"] is False and error["message"].startswith(message)


def test_an_event_id_reused_for_another_event_is_refused(stack, ctx):
    raw = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", {}))
    [b] = [b for b in ix.build_all(raw, id_map(), ix.v4_id("s")) if b.interaction_id == "900031"]
    assert ix.inject_conversations(ctx, stack.genesys, [b]).done
    first = b.events[0]
    twisted = {**first.body, "dnis": "tel:+10000000000"}
    outcome = ix.post_events(ctx, stack.genesys, ix.CONVERSATIONS_PATH, {first.kind: [twisted]})
    assert outcome.rejected == {first.event_id: "eventId was already used by a different event"}
    assert len(injected(stack.org).conversations) == 1
