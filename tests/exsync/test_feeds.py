"""EX sync part 2 through its doors: the declared functions on moto, the CXone and Genesys
stand-ins, part 1's id map from a real initial sync. Agent states, completed contacts (backfill,
poll, reconcile), recordings; duplicates, faults and runs with nothing to do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.exsync.feeds import iso
from local.standins.cxone import Tenant
from local.standins.genesys.events import injected
from local.standins.genesys.uploads import UploadsApi, uploads
from tests.exsync.conftest import log_lines

DAY = ("2026-11-20", "2026-11-21")


def synced(exsync, **options):
    """Part 1 done: users, queues, wrap-up codes and statuses in Genesys and in the id map."""
    tenant = Tenant(agents=6).contact_catalogue()
    h = exsync(tenant, **options)
    out = h.run("sync")
    assert out["summary"]["status"] == "done", out
    return h, tenant


def writes_to_dynamodb(h) -> int:
    """Items in the family's part-2 tables (what a run wrote), budgets aside."""
    db, total = h.sync.dynamodb, 0
    for name in ("feed", "state"):
        items = db.scan(TableName=h.sync.table_names[name])["Items"]
        total += sum(1 for i in items if not i["pk"]["S"].startswith("budget#"))
    return total


# -- agent states ----------------------------------------------------------------------------------------


def test_agent_states_become_presence_and_routing_on_the_registered_source(exsync) -> None:
    h, tenant = synced(exsync)
    first = h.poll_states()
    assert first["outcome"] == "polled" and first["injected"] == first["changes"] == 6 and not first.get("rejected"), first
    source = h.org.presence_settings["defaultPrimaryPresenceRegisteredSourceId"]
    assert source and h.org.sources[source]["name"] == "NICE CXone"

    lunch = h.tenant.code_named("Lunch") or next(iter(h.tenant.codes.values()))
    tenant.set_state(1001, "Unavailable", lunch["unavailableCodeName"])
    tenant.set_state(1002, "InboundContact", contact=1)
    tenant.set_state(1003, "Available")
    out = h.poll_states()
    assert out["injected"] == 3, out
    users = {a: h.org.users[h.idmap.genesys_id("user", str(a))] for a in (1001, 1002, 1003)}
    status = h.idmap.get("status", next(k for k, e in h.idmap.all("status").items() if e.attrs.get("name") == lunch["unavailableCodeName"]))
    assert users[1001]["presence"]["definitionId"] == status.gc_id
    assert users[1001]["routing"]["status"] == "OFF_QUEUE"
    assert users[1002]["routing"]["status"] == "INTERACTING"
    assert users[1003]["routing"]["status"] == "IDLE"


def test_a_poll_with_nothing_new_writes_nothing_and_a_repeat_has_no_effect(exsync) -> None:
    h, tenant = synced(exsync)
    h.poll_states()
    before, requests = writes_to_dynamodb(h), len(injected(h.org).requests)
    out = h.poll_states()
    assert out["outcome"] == "nothing-to-do" and writes_to_dynamodb(h) == before
    # the checkpoint lost (a crash before it was saved): the same states come back and are stale
    h.sync.dynamodb.delete_item(TableName=h.sync.table_names["state"], Key={"pk": {"S": "checkpoint#cxone-states"}})
    again = h.poll_states()
    assert again["stale"] == 6 and not again.get("injected") and len(injected(h.org).requests) == requests


def test_a_retryable_refusal_is_sent_again_and_a_final_one_is_recorded(exsync) -> None:
    h, tenant = synced(exsync)
    h.poll_states()
    from functions.exsync.interactions import v4_id
    from functions.presence.connectors import CxoneSide

    source = h.org.presence_settings["defaultPrimaryPresenceRegisteredSourceId"]
    s1 = tenant.set_state(1001, "Available")
    s2 = tenant.set_state(1002, "Available")
    store = injected(h.org)
    store.faults[v4_id(source, "presence", CxoneSide.change(s1).event_id)] = ("Conversation not ready", True)
    store.faults[v4_id(source, "routing", CxoneSide.change(s2).event_id)] = ("The user is not licensed for this.", False)
    out = h.poll_states()
    assert out["injected"] == 1 and out["rejected"] == 1, out
    rejected = list(h.feed.rows("rejected").values())
    assert [(r["kind"], r["retryable"]) for r in rejected] == [("state", False)]
    # the hourly reconcile sends what Genesys refused then (the agent's state is still current)
    healed = h.reconcile_states()
    assert healed["drift"] == 1 and healed["injected"] == 1, healed
    assert h.reconcile_states()["outcome"] == "in-step"


AGENT_EVENTS = st.lists(
    st.tuples(st.sampled_from((1001, 1002, 1003)), st.sampled_from(("Available", "Unavailable", "InboundContact", "LoggedOut"))),
    min_size=1,
    max_size=8,
)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(events=AGENT_EVENTS, lost=st.booleans(), repeat=st.integers(0, 2))
def test_states_converge_whatever_polls_repeat_or_miss(exsync, events, lost, repeat) -> None:
    """Genesys ends with each agent's latest CXone state, whatever polls repeat (a lost checkpoint)
    or miss (changes between polls); never an older one."""
    h, tenant = synced(exsync)
    h.poll_states()
    clock = datetime.now(UTC)
    for i, (agent, state) in enumerate(events):
        tenant.set_state(agent, state, at=clock + timedelta(seconds=i + 1))
        if i % 3 == 2:
            h.poll_states()
        if lost and i == len(events) // 2:
            h.sync.dynamodb.delete_item(TableName=h.sync.table_names["state"], Key={"pk": {"S": "checkpoint#cxone-states"}})
    for _ in range(repeat + 1):
        h.poll_states()
    h.reconcile_states()
    expected = {"Available": "IDLE", "Unavailable": "OFF_QUEUE", "InboundContact": "INTERACTING", "LoggedOut": "OFF_QUEUE"}
    for agent in {a for a, _ in events}:
        last = tenant.states[agent]["agentStateName"]
        user = h.org.users[h.idmap.genesys_id("user", str(agent))]
        assert user["routing"]["status"] == expected[last], (agent, last, user["routing"])
    assert h.reconcile_states()["outcome"] == "in-step"


# -- interactions and recordings ----------------------------------------------------------------------------


def test_backfill_injects_the_day_once_with_recordings(exsync) -> None:
    h, _ = synced(exsync)
    out = h.backfill(*DAY)
    assert out["outcome"] == "done" and out["contacts"] == 8, out
    conversations = h.conversations()
    assert len(conversations) == 6  # 8 contacts: a transfer and a consult open second legs
    by_interaction = {c.interaction_id for c in conversations}
    assert {"900001", "900011", "900021", "900031", "900041", "900051"} <= {i.split(":")[-1] for i in by_interaction}
    records = h.feed.rows("conversation")
    assert {r["status"] for r in records.values()} == {"injected"}
    recorded = {m: r["recording"]["status"] for m, r in records.items() if "recording" in r}
    assert recorded["900001"] == "uploaded" and recorded["900011"] == "uploaded" and recorded["900051"] == "uploaded"
    assert "900021" not in recorded  # an email has no recording
    done = [u for u in uploads(h.org).uploads.values() if u.uploaded]
    assert len(done) == sum(1 for s in recorded.values() if s == "uploaded")
    by_id = {c.id: c for c in conversations}
    for u in done:  # each file names its conversation and the customer's communication in it
        conversation, communication = UploadsApi.link(u.file_name)
        assert communication in by_id[conversation].communications and by_id[conversation].communications[communication].role == "external"

    # again: already injected, nothing queued, nothing sent to Genesys
    mark = len(injected(h.org).requests)
    h.sync.dynamodb.delete_item(
        TableName=h.sync.table_names["state"], Key={"pk": {"S": f"checkpoint#backfill#{DAY[0]}T00:00:00+00:00#{DAY[1]}T00:00:00+00:00"}}
    )
    again = h.backfill(*DAY)
    assert again["already"] == 6 and not again.get("queued") and len(injected(h.org).requests) == mark, again


def test_backfill_resumes_from_its_checkpoint_after_running_out_of_time(exsync, monkeypatch) -> None:
    from functions.exsync import feeds

    h, _ = synced(exsync)
    monkeypatch.setattr(feeds, "PAGE", 3)  # 8 contacts on 3 pages
    calls = {"n": 0}
    real = feeds.read_contacts

    def one_page_then_stop(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise TimeoutError("the container died")
        return real(*args, **kwargs)

    monkeypatch.setattr(feeds, "read_contacts", one_page_then_stop)
    with pytest.raises(TimeoutError):
        h.backfill(*DAY)
    h.pump_feeds()
    out = h.backfill(*DAY)
    assert out["outcome"] == "done" and out["resumed"] and out["contacts"] == 8, out
    assert len(h.conversations()) == 6
    assert all(c.interaction_id for c in h.conversations())


def test_the_poll_waits_for_a_transfers_next_leg(exsync) -> None:
    h, tenant = synced(exsync, feeds={"settleSeconds": 0})
    now = datetime.now(UTC) - timedelta(minutes=10)
    minute = (now - tenant.CONTACTS_DAY).total_seconds() / 60
    tenant.completed_contacts()
    line = "+15557654321"
    tenant.add_contact(
        910001, minute, agentId=1001, skillId=3001, skillName="Support Voice", fromAddress="+15550001111", toAddress=line,
        inQueueSeconds=5, agentSeconds=20, primaryDispositionId=4001, endReason="Transferred",
    )  # fmt: skip
    for c in tenant.completed_contacts().values():  # what the poll sees: only contacts updated now
        if c["contactId"] != 910001:
            c["lastUpdateTime"] = "2026-11-20T00:00:00.000Z"
    first = h.poll_contacts()
    assert first["held"] == 1 and not first.get("queued"), first
    assert h.conversations() == []
    tenant.add_contact(
        910002, minute + 0.5, masterContactId=910001, agentId=1002, skillId=3002, skillName="Billing Voice",
        fromAddress="+15550001111", toAddress=line, inQueueSeconds=5, agentSeconds=30, primaryDispositionId=4001,
        transferIndicatorId=2, transferIndicatorName="ReSkill", endReason="Agent Hung Up",
        lastUpdateTime=iso(datetime.now(UTC)),
    )  # fmt: skip
    second = h.poll_contacts()
    assert second["queued"] == 1, second
    (conv,) = h.conversations()
    assert conv.transfers and h.feed.rows("pending") == {}
    assert h.poll_contacts()["outcome"] == "nothing-to-do"


def test_a_retryable_refusal_redelivers_the_chain_and_nothing_is_injected_twice(exsync) -> None:
    h, _ = synced(exsync)
    store = injected(h.org)
    real = store.faults

    class FailFirstConversationEventOnce(dict):
        armed = True

        def pop(self, key, default=None):
            if self.armed and key not in store.accepted:
                self.armed = False
                return ("The communication is not there yet.", True)
            return real.pop(key, default)

    faults = store.faults = FailFirstConversationEventOnce()
    h.backfill(*DAY)
    assert not faults.armed  # the refusal happened
    failed = [line for line in log_lines(h) if line["function"] == "exsync-inject-interaction" and line["outcome"] == "error"]
    assert [line["error"] for line in failed] == ["InjectLater"]
    records = h.feed.rows("conversation")
    assert {r["status"] for r in records.values()} == {"injected"}, records
    assert len(h.conversations()) == 6
    assert not h.sync.dead_letters("interactions")


def _snapshot(h) -> dict:
    return {c.id: c.describe() for c in h.conversations()}


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_chains_delivered_again_in_any_order_change_nothing(exsync, data) -> None:
    """SQS redelivers, a poll reads a chain twice, the conversation records are lost: Genesys ends
    with the same conversations, and a chain already injected makes no call."""
    from functions.exsync.feeds import chain_message, chains

    h, tenant = synced(exsync)
    h.backfill(*DAY)
    once, uploaded = _snapshot(h), len(uploads(h.org).uploads)
    groups = sorted(chains(tenant.completed_contacts().values()).items())
    replays = data.draw(st.lists(st.sampled_from(groups), min_size=1, max_size=8))
    forget = data.draw(st.booleans())
    if forget:  # the feed table lost: every chain is built and sent again; Genesys deduplicates the event ids
        for key in h.feed.rows("conversation"):
            h.feed.delete("conversation", key)
    mark = len(injected(h.org).requests)
    for i, (master, legs) in enumerate(replays):
        body, group, _ = chain_message(master, legs)
        h.sync.sqs.send_message(
            QueueUrl=h.sync.queue_urls["interactions"],
            MessageBody=json.dumps(body),
            MessageGroupId=group,
            MessageDeduplicationId=f"replay-{i}",
        )
    h.pump_feeds()
    assert _snapshot(h) == once
    if not forget:
        assert len(injected(h.org).requests) == mark  # powertools idempotency / the record: no call at all
    assert len({u.file_name for u in uploads(h.org).uploads.values() if u.uploaded}) == len(
        {u.file_name for u in list(uploads(h.org).uploads.values())[:uploaded] if u.uploaded}
    )


def test_an_unmapped_disposition_still_injects_and_a_refused_chain_is_recorded_not_retried(exsync) -> None:
    h, tenant = synced(exsync)
    tenant.completed_contacts()[900001]["primaryDispositionId"] = 4999  # unknown to the id map
    store = injected(h.org)
    h.backfill(*DAY)
    records = h.feed.rows("conversation")
    assert records["900001"]["status"] == "injected" and "disposition-not-mapped" in records["900001"]["problems"]
    conv = store.by_interaction(next(c.interaction_id for c in h.conversations() if c.interaction_id.endswith("900001")))
    assert conv is not None


def test_the_stack_declares_the_part_two_functions() -> None:
    from functions import all_syncs

    ids = {k for k in all_syncs() if k.startswith("exsync-")}
    assert {
        "exsync-states-poll",
        "exsync-states-reconcile",
        "exsync-contacts-poll",
        "exsync-contacts-reconcile",
        "exsync-inject-interaction",
        "exsync-upload-recording",
    } <= ids
    assert all_syncs()["exsync-upload-recording"].layers == ("core", "sync", "media")
