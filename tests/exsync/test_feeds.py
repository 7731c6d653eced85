"""EX sync part 2 through its doors: the declared functions on moto, the CXone and Genesys
stand-ins, part 1's id map from a real initial sync. Agent states, completed contacts (backfill,
poll, reconcile), recordings; duplicates, faults and runs with nothing to do."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.exsync.interactions import event_time
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


def tables(h) -> list:
    """Everything in the family's part-2 tables (budgets aside): equal before and after means the
    run wrote nothing that changed anything (a checkpoint moved, a row added or rewritten)."""
    db, rows = h.sync.dynamodb, []
    for name in ("feed", "state"):
        items = db.scan(TableName=h.sync.table_names[name])["Items"]
        rows += sorted(json.dumps(i, sort_keys=True) for i in items if not i["pk"]["S"].startswith("budget#"))
    return rows


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
    before, requests = tables(h), len(injected(h.org).requests)
    out = h.poll_states()
    assert out["outcome"] == "nothing-to-do" and tables(h) == before
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


def test_an_agent_without_a_genesys_user_is_recorded_once_and_synced_when_part_one_adds_the_user(exsync) -> None:
    h, tenant = synced(exsync)
    h.poll_states()
    tenant.add_agent(9001, first="Nia", last="Newhire", team=min(tenant.teams))
    tenant.set_state(9001, "Available")
    out = h.poll_states()
    assert out["unmapped"] == 1 and not out.get("injected"), out
    assert "no Genesys user" in h.feed.get("agent", "9001")["unmapped"]
    assert h.reconcile_states()["outcome"] == "in-step"  # recorded: not drift every hour
    h.run("sync")  # part 1 creates the user
    healed = h.reconcile_states()
    assert healed["drift"] == 1 and healed["injected"] == 1, healed
    assert h.org.users[h.idmap.genesys_id("user", "9001")]["routing"]["status"] == "IDLE"
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
    recorded = {m: r["status"] for m, r in h.feed.rows("recording").items()}
    assert recorded == {"900001": "uploaded", "900011": "uploaded", "900041": "uploaded", "900051": "uploaded"}
    done = [u for u in uploads(h.org).uploads.values() if u.uploaded]
    assert len(done) == len({u.file_name for u in done}) == 4  # each once
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
    monkeypatch.setattr(feeds, "PAGE", 2)  # 8 contacts on 4 pages: the transfer's legs on two of them
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
    records = h.feed.rows("conversation")
    assert {r["status"] for r in records.values()} == {"injected"} and not h.feed.rows("rejected")
    assert records["900011"]["legs"] == [900011, 900012] and records["900051"]["legs"] == [900051, 900052]
    transfer = injected(h.org).by_interaction("900011")
    assert transfer is not None and transfer.transfers
    assert h.feed.rows("carry") == {}  # nothing left behind


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
        lastUpdateTime=event_time(datetime.now(UTC)),
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
        assert len(injected(h.org).requests) == mark  # powertools idempotency / the records: no call at all
    assert len(uploads(h.org).uploads) == uploaded  # the recording rows are kept apart: never uploaded twice


def test_an_unmapped_disposition_still_injects_and_a_refused_chain_is_recorded_not_retried(exsync) -> None:
    h, tenant = synced(exsync)
    tenant.completed_contacts()[900001]["primaryDispositionId"] = 4999  # unknown to the id map
    store = injected(h.org)
    h.backfill(*DAY)
    records = h.feed.rows("conversation")
    assert records["900001"]["status"] == "injected" and "disposition-not-mapped" in records["900001"]["problems"]
    wrap = [e for e in store.by_interaction("900001").log if e[1] == "communicationDispositionAppliedEvents"]
    assert wrap  # sent without a code: Genesys counts it as skipped

    # a chain Genesys refuses for good: recorded, alarmed, never sent again
    tenant.add_contact(
        930001, 70, agentId=1001, skillId=3001, skillName="Support Voice", fromAddress="+15550003333", toAddress="+15557654321",
        inQueueSeconds=5, agentSeconds=20, primaryDispositionId=4001,
    )  # fmt: skip
    from functions.exsync.interactions import build_all

    first = build_all([tenant.completed_contacts()[930001]], _ids(h), _source(h))[0].events[0]
    store.faults[first.event_id] = ("The conversation is invalid.", False)
    out = h.backfill(*DAY, again=True)
    assert out["queued"] == 1, out
    record = h.feed.rows("conversation")["930001"]
    assert record["status"] == "rejected" and record["why"] == "The conversation is invalid."
    assert [r["kind"] for r in h.feed.rows("rejected").values()] == ["conversation"]
    lines = [x for x in log_lines(h) if x["function"] == "exsync-inject-interaction" and x.get("master") == 930001]
    assert [x["outcome"] for x in lines] == ["rejected"]  # once: not retried
    assert not h.sync.dead_letters("interactions")


def _ids(h):
    from functions.exsync.feeds import conversation_ids

    return conversation_ids(h.idmap)


def _source(h) -> str:
    return h.org.presence_settings["defaultPrimaryPresenceRegisteredSourceId"] or next(iter(h.org.sources))


def test_a_contact_edited_after_injection_is_not_refused_and_new_legs_are_added(exsync) -> None:
    """A disposition edited in CXone later, and a consult leg read after its call was injected:
    nothing already in Genesys is sent again, nothing is refused, the new leg's events are sent."""
    h, tenant = synced(exsync)
    h.backfill(*DAY)
    tenant.completed_contacts()[900001]["primaryDispositionId"] = 4002
    tenant.completed_contacts()[900001]["lastUpdateTime"] = "2026-11-21T09:00:00.000Z"
    out = h.backfill(*DAY, again=True)
    assert out["queued"] == 0 and out["already"] == 6, out  # legs all injected: not even queued
    from functions.exsync.feeds import chain_message

    body, group, _ = chain_message(900001, [tenant.completed_contacts()[900001]])
    h.sync.sqs.send_message(
        QueueUrl=h.sync.queue_urls["interactions"], MessageBody=json.dumps(body), MessageGroupId=group, MessageDeduplicationId="edit"
    )
    mark = len(injected(h.org).requests)
    h.pump_feeds()
    record = h.feed.rows("conversation")["900001"]
    assert record["status"] == "injected" and record["changedAfterInjection"] >= 1
    assert len(injected(h.org).requests) == mark and not h.feed.rows("rejected")


def test_the_poll_holds_a_consult_leg_until_its_call_completes_and_a_backfill_leaves_it_alone(exsync) -> None:
    h, tenant = synced(exsync, feeds={"settleSeconds": 0})
    tenant.completed_contacts()
    for c in tenant.completed_contacts().values():
        c["lastUpdateTime"] = "2026-11-20T23:00:00.000Z"
    now = datetime.now(UTC) - timedelta(minutes=5)
    minute = (now - tenant.CONTACTS_DAY).total_seconds() / 60
    stamp = event_time(datetime.now(UTC))
    tenant.add_contact(
        940002, minute + 0.3, masterContactId=940001, agentId=1002, skillId=3001, skillName="Support Voice",
        fromAddress="+15550004444", toAddress="+15557654321", agentSeconds=20, transferIndicatorId=4,
        transferIndicatorName="Consult", endReason="Agent Hung Up", lastUpdateTime=stamp,
    )  # fmt: skip
    first = h.poll_contacts()
    assert first["held"] == 1 and not first.get("queued"), first  # the call itself is still going on
    h.backfill(*DAY)  # a backfill meanwhile does not release it
    assert "940001" in h.feed.rows("pending")
    tenant.add_contact(
        940001, minute, agentId=1001, skillId=3001, skillName="Support Voice", fromAddress="+15550004444",
        toAddress="+15557654321", inQueueSeconds=4, agentSeconds=90, primaryDispositionId=4001, lastUpdateTime=event_time(datetime.now(UTC)),
    )  # fmt: skip
    second = h.poll_contacts()
    assert second["queued"] == 1, second
    record = h.feed.rows("conversation")["940001"]
    assert record["status"] == "injected" and record["shape"] == "consult" and record["legs"] == [940001, 940002]
    assert h.feed.rows("pending") == {} and not h.feed.rows("rejected")


def test_a_recording_lost_on_the_way_is_queued_again_by_a_redelivered_chain(exsync, monkeypatch) -> None:
    """The inject function dies after recording the conversation, before queueing its recording:
    the redelivered chain finds the conversation unchanged and queues the recording still."""
    from syncs.context import SyncContext

    h, tenant = synced(exsync)
    real = SyncContext.send
    failed: list[str] = []

    def dies_once(self, queue, messages):
        if queue == "recordings" and not failed:
            failed.append(queue)
            raise ConnectionError("the container died")
        return real(self, queue, messages)

    monkeypatch.setattr(SyncContext, "send", dies_once)
    h.backfill(*DAY)
    assert failed
    assert set(h.feed.rows("recording")) == {"900001", "900011", "900041", "900051"}
    assert {r["status"] for r in h.feed.rows("recording").values()} == {"uploaded"}
    assert len(uploads(h.org).uploads) == 4


def test_a_call_without_a_recording_yet_is_asked_again_and_an_old_one_is_final(exsync) -> None:
    h, tenant = synced(exsync, feeds={"settleSeconds": 0})
    for c in tenant.completed_contacts().values():
        c["lastUpdateTime"] = "2026-11-20T23:00:00.000Z"
    now = datetime.now(UTC) - timedelta(minutes=3)
    tenant.add_contact(
        950001, (now - tenant.CONTACTS_DAY).total_seconds() / 60, agentId=1001, skillId=3001, skillName="Support Voice",
        fromAddress="+15550005555", toAddress="+15557654321", agentSeconds=30, primaryDispositionId=4001,
        lastUpdateTime=event_time(datetime.now(UTC)),
    )  # fmt: skip
    h.poll_contacts()
    errors = [x for x in log_lines(h) if x["function"] == "exsync-upload-recording" and x["outcome"] == "error"]
    assert errors and errors[0]["error"] == "RecordingNotYet"
    assert "950001" not in h.feed.rows("recording")  # nothing final: SQS asks again (hours apart in AWS)
    h.backfill(*DAY)
    assert h.feed.rows("recording").get("900031") is None  # an abandoned call: no recording asked for


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
