"""The EX sync end to end, through its doors: the scheduled/CLI planning function, the work queue
and its consumer, the EventBridge audit rule, on moto and the CXone and Genesys stand-ins."""

from __future__ import annotations

import json
from collections import Counter

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.exsync import apply as apply_module
from local.standins.cxone import Tenant
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET
from tests.exsync.conftest import genesys_state, log_lines


def api(h) -> httpx.Client:
    """An admin's own Genesys API client (what someone changing things in Genesys uses)."""
    base = h.standins.servers["genesys"].url
    token = httpx.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET)).json()[
        "access_token"
    ]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"})


def records(h, run: str) -> dict[tuple[str, str], dict]:
    return h.store.records(run)


def user_of(h, agent_id: int) -> dict:
    gc = h.idmap.genesys_id("user", str(agent_id))
    return h.org.users[gc]


def no_duplicates(h) -> None:
    org = h.org
    emails = Counter(u["email"].lower() for u in org.users.values())
    assert max(emails.values()) == 1
    for items in (org.queues, org.skills, org.languages, org.wrapup_codes, org.divisions):
        names = Counter(i["name"].lower() for i in items.values())
        assert not names or max(names.values()) == 1
    assert len(h.org.queues) == len(h.idmap.all("queue"))


# -- plan, apply, and nothing more ---------------------------------------------------------------------


def test_the_plan_is_what_apply_does(exsync) -> None:
    h = exsync()
    planned = h.invoke("plan")
    assert planned["outcome"] == "planned" and h.writes() == 0  # planning reads, never writes
    summary = h.store.run(planned["run"])
    ops = h.store.all_ops(planned["run"])
    out = h.run("apply", planned["run"])  # the stored plan, exactly
    assert out["summary"]["status"] == "done"
    done = records(h, planned["run"])
    expected = {"create": {"created"}, "adopt": {"adopted"}}
    assert {(o.kind, o.key): o.action for o in ops} == {k: r["action"] for k, r in done.items() if "action" in r}
    assert all(done[(o.kind, o.key)]["result"] in expected[o.action] for o in ops)
    results = out["summary"]["results"]
    for kind, counts in summary["planned"].items():
        assert counts.get("create", 0) == results.get(kind, {}).get("created", 0), kind
        assert counts.get("rejected", 0) == results.get(kind, {}).get("rejected", 0), kind
    assert h.genesys_counts()["users"] == 12 and h.genesys_counts()["queues"] == 2
    no_duplicates(h)
    after = h.invoke("plan")
    assert after["ops"] == 0  # applied: nothing left to plan


def test_a_run_with_nothing_changed_makes_zero_writes(exsync) -> None:
    h = exsync()
    first = h.run("sync")
    assert first["summary"]["status"] == "done" and h.writes() > 0
    mark = len(h.requests)
    again = h.run("sync")
    assert again["outcome"] == "nothing-to-do"
    assert h.writes(mark) == 0 and len(h.requests) == mark  # not even a read: the id map's hashes answer
    assert h.store.checkpoint("sync")["run"] == again["run"]


def test_the_ongoing_sync_applies_only_the_difference(exsync) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    tenant.update_agent(1001, profileName="Supervisor")
    tenant.assign(1002, 3004, 2)
    tenant.add_agent(1050)
    tenant.assign(1050, 3001, 1)
    mark = len(h.requests)
    out = h.run("sync")
    assert out["summary"]["planned"]["user"] == {"update": 2, "create": 1, "unchanged": 10}
    assert out["summary"]["planned"]["queue"] == {"update": 1, "unchanged": 1}
    assert user_of(h, 1001)["title"] == "Supervisor" and len(user_of(h, 1002)["languages"]) == 1
    assert user_of(h, 1050)["id"] in h.org.queue_members[h.idmap.genesys_id("queue", "3001")]
    calls = h.calls(mark)
    # title: GET + PATCH; language: one bulk PATCH; new user: POST + external id + skills; queue: one members POST
    assert calls["write"] == 1 + 1 + 3 + 1 and calls["read"] == 1
    assert out["summary"]["genesysCalls"] == sum(calls.values())


# -- deletion rules ------------------------------------------------------------------------------------


def test_deletion_rules(exsync) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    queue = h.idmap.genesys_id("queue", "3001")
    members_before = len(h.org.queue_members[queue])
    tenant.update_agent(1003, isActive=False)
    del tenant.agents[1004]  # gone from the lists altogether
    tenant.delete_skill(3001)
    del tenant.dispositions[5003]
    out = h.run("sync")
    assert user_of(h, 1003)["state"] == "inactive" and user_of(h, 1004)["state"] == "inactive"
    assert queue in h.org.queues and h.org.queue_members[queue] == {} and members_before > 0  # kept, members removed
    assert h.idmap.genesys_id("wrapup", "5003") in h.org.wrapup_codes  # left to the admin
    assert h.idmap.genesys_id("skill", "3001") in h.org.skills
    why = {k: r.get("why") for k, r in records(h, out["run"]).items()}
    assert why[("wrapup", "5003")] == "deleted in CXone: left to the admin"
    assert why[("queue", "3001")] == f"skill deleted in CXone: queue kept, {members_before} members removed"
    tenant.update_agent(1003, isActive=True)
    h.run("sync")
    assert user_of(h, 1003)["state"] == "active"  # the person returned: reactivated, same user


# -- Genesys-side deletions: audit events, or the reconcile --------------------------------------------


def test_objects_deleted_in_genesys_are_recreated_after_the_audit_event(exsync) -> None:
    h = exsync()
    h.run("sync")
    user = h.idmap.genesys_id("user", "1001")
    queue = h.idmap.genesys_id("queue", "3001")
    skills_before = dict(h.org.users[user]["skills"])
    admin = api(h)
    assert admin.delete(f"/api/v2/users/{user}").status_code == 200
    assert admin.delete(f"/api/v2/routing/queues/{queue}").status_code == 204
    marked = [r["outcome"] for r in h.deliver_audits()]
    assert marked.count("marked-deleted") == 2
    out = h.run("sync")
    got = {k: (r["action"], r["result"]) for k, r in records(h, out["run"]).items() if "action" in r}
    assert got[("user", "1001")] == ("create", "restored") and got[("queue", "3001")] == ("create", "created")
    assert h.org.users[user]["state"] == "active" and h.org.users[user]["skills"] == skills_before  # the same user, restored
    new_queue = h.idmap.genesys_id("queue", "3001")
    assert new_queue != queue and user in h.org.queue_members[new_queue]  # re-created, with its members (the restored user too)
    no_duplicates(h)


def test_the_reconcile_recreates_what_no_event_announced(exsync) -> None:
    h = exsync()
    h.run("sync")
    code = h.idmap.genesys_id("wrapup", "5001")
    del h.org.wrapup_codes[code]  # gone without an event (the EventBridge integration was off)
    for codes in h.org.queue_wrapups.values():
        if code in codes:
            codes.remove(code)
    assert h.run("sync")["outcome"] == "nothing-to-do"  # the id map cannot know
    out = h.run("reconcile")
    assert out["summary"]["planned"]["wrapup"] == {"create": 1, "unchanged": 2}
    new = h.idmap.genesys_id("wrapup", "5001")
    assert new in h.org.wrapup_codes and new in h.org.queue_wrapups[h.idmap.genesys_id("queue", "3001")]


def test_drift_is_reported_without_writing(exsync) -> None:
    h = exsync()
    h.run("sync")
    user = user_of(h, 1002)
    user["title"] = "Changed by hand"
    queue = h.idmap.genesys_id("queue", "3002")
    h.org.queues[queue]["name"] = "Renamed by hand"
    member = next(iter(h.org.queue_members[h.idmap.genesys_id("queue", "3001")]))
    del h.org.queue_members[h.idmap.genesys_id("queue", "3001")][member]
    mark = len(h.requests)
    out = h.invoke("drift")
    assert out == {"outcome": "drift", "run": out["run"], "differences": 3, "rejected": 1}
    assert h.writes(mark) == 0
    drift = {k: r["why"] for k, r in records(h, out["run"]).items() if r.get("result") == "drift"}
    assert drift == {
        ("user", "1002"): "differs in Genesys: title",
        ("queue", "3002"): "differs in Genesys: name",
        ("queue", "3001"): "differs in Genesys: members +1",
    }
    h.run("reconcile")
    assert h.invoke("drift")["differences"] == 0 and user_of(h, 1002)["title"] == "Agent"


# -- Genesys' answers: version conflicts, rejections, existing and deleted users -------------------------


@pytest.mark.parametrize("style", ["409", "400"])
def test_a_version_conflict_is_read_again_and_retried(exsync, style) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    h.org.version_error = style
    h.org.version_races[user_of(h, 1001)["id"]] = 2  # someone else changes the user twice just before us
    tenant.update_agent(1001, profileName="Lead")
    mark = len(h.requests)
    h.run("sync")
    assert user_of(h, 1001)["title"] == "Lead"
    patches = [s for _, m, p, s in h.requests[mark:] if m == "PATCH" and p.endswith(user_of(h, 1001)["id"])]
    assert patches == [int(style), int(style), 200]


def test_a_user_changing_all_the_time_fails_this_run_and_is_retried_next(exsync) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    h.org.version_races[user_of(h, 1001)["id"]] = 50
    tenant.update_agent(1001, profileName="Lead")
    out = h.run("sync")
    rec = records(h, out["run"])[("user", "1001")]
    assert rec["result"] == "failed" and rec["transient"] and "version conflicts" in rec["why"]
    assert out["summary"]["status"] == "done" and out["summary"]["failedObjects"] == 1
    h.org.version_races.clear()
    h.run("sync")
    assert user_of(h, 1001)["title"] == "Lead"


def test_objects_genesys_rejects_are_reported_and_skipped_and_the_rest_goes_on(exsync) -> None:
    tenant = Tenant(agents=12)
    tenant.update_agent(1005, emailAddress="ana..agent0005@example.com")  # passes a loose check; Genesys refuses it
    h = exsync(tenant)
    out = h.run("sync")
    rec = records(h, out["run"])[("user", "1005")]
    assert rec["result"] == "failed" and rec["why"] == "Genesys rejected it (HTTP 400 invalid.value)" and not rec.get("transient")
    assert "example.com" not in json.dumps(rec)  # the reason carries Genesys' code, never the data
    assert h.genesys_counts()["users"] == 11 and out["summary"]["status"] == "done"
    assert any(r["outcome"] == "page" and r.get("failed") == 1 for r in log_lines(h))
    mark = len(h.requests)
    again = h.run("sync")  # the same content: left alone, no write
    assert again["outcome"] == "nothing-to-do" and h.writes(mark) == 0
    assert "rejected this content" in records(h, again["run"])[("user", "1005")]["why"]
    tenant.update_agent(1005, emailAddress="ana.agent0005@example.com")  # fixed in CXone
    h.run("sync")
    assert user_of(h, 1005)["email"] == "ana.agent0005@example.com"


def test_a_name_genesys_holds_for_another_cxone_object_is_rejected(exsync) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    tenant.add_disposition(5009, "resolved")  # CXone: a new disposition named like Genesys' code of 5001 (renamed below)
    tenant.dispositions[5001]["dispositionName"] = "Resolved"  # unchanged: the duplicate is caught before Genesys
    out = h.run("sync")
    assert records(h, out["run"])[("wrapup", "5009")]["why"] == "name also used by CXone disposition 5001"
    tenant.dispositions[5009]["dispositionName"] = "Resolved - Billing"
    h.org.wrapup_codes[h.idmap.genesys_id("wrapup", "5001")]["name"] = "Resolved - Billing"  # renamed by hand in Genesys
    out = h.run("sync")
    rec = records(h, out["run"])[("wrapup", "5009")]
    assert rec["result"] == "failed" and rec["why"] == "Genesys rejected it (HTTP 409 name in use in Genesys by the wrapup of CXone 5001)"


def test_the_first_sync_adopts_what_genesys_already_has(exsync) -> None:
    h = exsync()
    admin = api(h)
    existing = admin.post("/api/v2/users", json={"name": "Ana (old)", "email": "ana.agent0001@example.com"}).json()
    queue = admin.post("/api/v2/routing/queues", json={"name": "Billing Voice"}).json()
    plan = h.store.run(h.invoke("plan")["run"])
    assert plan["planned"]["user"]["adopt"] == 1 and plan["planned"]["queue"]["adopt"] == 1
    h.run("sync")
    assert h.idmap.genesys_id("user", "1001") == existing["id"] and h.org.users[existing["id"]]["name"] == "Ana Agent0001"
    assert h.idmap.genesys_id("queue", "3001") == queue["id"]
    assert admin.get("/api/v2/users/externalid/cxone/1001").json()["id"] == existing["id"]  # the map can be rebuilt from Genesys
    no_duplicates(h)


def test_a_deleted_genesys_user_with_the_same_email_is_restored_not_duplicated(exsync) -> None:
    h = exsync()
    admin = api(h)
    old = admin.post("/api/v2/users", json={"name": "Ben", "email": "ben.agent0002@example.com"}).json()
    admin.delete(f"/api/v2/users/{old['id']}")
    out = h.run("sync")
    assert records(h, out["run"])[("user", "1002")]["result"] == "restored"
    assert h.idmap.genesys_id("user", "1002") == old["id"] and h.org.users[old["id"]]["state"] == "active"
    no_duplicates(h)


# -- crashes, timeouts and the rate budget ---------------------------------------------------------------


def test_a_crash_mid_run_resumes_without_duplicates(exsync, monkeypatch) -> None:
    h = exsync(Tenant(agents=30), page_ops=10)
    real = apply_module.Applier.apply
    seen = {"n": 0}

    def crashing(self, op):
        result = real(self, op)
        seen["n"] += 1
        if seen["n"] in (8, 27):  # the container dies right after Genesys created the object, before the id map knew
            raise RuntimeError("the Lambda container died")
        return result

    monkeypatch.setattr(apply_module.Applier, "apply", crashing)
    out = h.run("sync")
    assert out["summary"]["status"] == "done"
    no_duplicates(h)
    assert h.genesys_counts()["users"] == 30 and len(h.idmap.all("user")) == 30
    results = Counter(r["result"] for r in records(h, out["run"]).values())
    assert results["adopted"] >= 2  # the objects in flight were found again, not created twice
    assert h.run("sync")["outcome"] == "nothing-to-do"


def test_a_page_out_of_time_or_budget_continues_where_it_stopped(exsync, monkeypatch) -> None:
    from dataactions.errors import BackendTimeout

    h = exsync(Tenant(agents=20), page_ops=10)
    real = apply_module.Applier.apply
    seen = {"n": 0}

    def slow(self, op):
        seen["n"] += 1
        if seen["n"] % 4 == 0:
            raise BackendTimeout("No time left for the backend call")
        return real(self, op)

    monkeypatch.setattr(apply_module.Applier, "apply", slow)
    out = h.run("sync")
    assert out["summary"]["status"] == "done" and h.genesys_counts()["users"] == 20
    continued = [r for r in log_lines(h) if r["outcome"] == "continued"]
    assert continued and all(r["why"] == "time" for r in continued)
    results = Counter(r["result"] for r in records(h, out["run"]).values())
    assert results["created"] + results["adopted"] == out["summary"]["ops"]  # each object once (Lunch exists: adopted)
    no_duplicates(h)


def test_the_rate_limit_is_honoured_across_functions(exsync) -> None:
    # Genesys allows 20 requests per 2 s (its limit, time scaled down); the budget (1200 a minute, 20 a
    # second) overspends, Genesys answers 429 + Retry-After, and nobody calls again before then
    h = exsync(Tenant(agents=6), rates={"genesys": 1200, "cxone": 100000, "burst": 5}, genesys_limit=20, window=2.0)
    out = h.run("sync")
    assert out["summary"]["status"] == "done" and h.genesys_counts()["users"] == 6
    limited = [(t, i) for i, (t, _, _, s) in enumerate(h.requests) if s == 429]
    assert limited
    for t, i in limited:  # the stand-in's Retry-After is at least 1 s: nobody called before it had passed
        following = [t2 for t2, *_ in h.requests[i + 1 : i + 2]]
        assert not following or following[0] >= t + 0.95


def test_a_budget_within_the_limit_never_meets_a_429(exsync) -> None:
    # 600 a minute with a bank of 5: at most 25 in any 2 s, what Genesys allows here
    h = exsync(Tenant(agents=6), rates={"genesys": 600, "cxone": 100000, "burst": 5}, genesys_limit=25, window=2.0)
    out = h.run("sync")
    assert out["summary"]["status"] == "done" and not [s for *_, s in h.requests if s == 429]


# -- runs: one at a time, progress, the mapping document ----------------------------------------------


def test_one_run_at_a_time_and_progress_is_reported(exsync) -> None:
    h = exsync(Tenant(agents=30), page_ops=5)
    started = h.invoke("apply")
    busy = h.invoke("sync")
    assert busy["outcome"] == "busy" and busy["run"] == started["run"] and busy["pagesDone"] == 0 and busy["pagesTotal"] > 1
    seen: list[tuple[int, int]] = []
    while h.sync.pump("work", max_batches=1).messages:
        s = h.store.run(started["run"])
        seen.append((len(s.get("donePages") or []), sum(s["pages"].values())))
    assert seen[-1][0] == seen[-1][1] and [d for d, _ in seen] == sorted(d for d, _ in seen)
    pages = [r for r in log_lines(h) if r["outcome"] == "page"]
    assert pages[-1]["pagesDone"] == pages[-1]["pagesTotal"] and pages[-1]["finished"]
    assert h.store.active() is None


def test_a_pushed_mapping_applies_from_the_next_run(exsync) -> None:
    tenant = Tenant(agents=12)
    for a in tenant.agents.values():
        a["custom1"] = "Associate"
    h = exsync(tenant)
    h.run("sync")
    assert h.push_mapping({"users": {"title": "custom1"}}) == 1
    out = h.run("sync")
    assert out["summary"]["planned"]["user"] == {"update": 12} and user_of(h, 1001)["title"] == "Associate"
    from functions.exsync.mapping import MappingError

    with pytest.raises(MappingError):
        h.push_mapping({"users": {"title": "not a field"}})
    from functions.exsync.store import pull_mapping

    assert (pull_mapping(h.sync.dynamodb, h.sync.table_names["mapping"]) or {})["version"] == 1


def test_a_stale_run_no_longer_blocks_and_its_pages_are_ignored(exsync, monkeypatch) -> None:
    h = exsync(Tenant(agents=12), page_ops=5)
    started = h.invoke("apply")
    monkeypatch.setattr("functions.exsync.store.STALE_SECONDS", -1)
    taken = h.invoke("apply")
    assert taken["outcome"] == "applying" and taken["run"] != started["run"]
    h.sync.drain()
    assert h.store.run(taken["run"])["status"] == "done" and h.store.run(started["run"])["status"] == "superseded"
    first_phase = h.store.run(started["run"])["pages"]["1"]  # its queued pages: read and dropped
    assert [r["why"] for r in log_lines(h) if r["outcome"] == "ignored"] == ["the run is superseded"] * first_phase
    no_duplicates(h)


def test_each_object_is_recorded_once_per_run_and_the_run_is_queryable(exsync) -> None:
    h = exsync()
    out = h.run("sync")
    recs = records(h, out["run"])
    assert all(r.get("expiresAt") for r in recs.values())
    latest = h.store.latest_runs(1)[0]
    assert latest["sk"] == out["run"] and latest["status"] == "done" and latest["results"]["user"]["created"] == 12


def test_the_id_map_resolves_what_later_parts_need(exsync) -> None:
    """The contract part 2 builds on: CXone ids -> Genesys ids, per kind, and codes by name."""
    h = exsync()
    h.run("sync")
    users, queues, codes = h.idmap.lookup("user"), h.idmap.lookup("queue"), h.idmap.lookup("wrapup")
    assert h.org.users[users(1001)]["email"] == "ana.agent0001@example.com" and users(9999) is None
    assert h.org.queues[queues(3001)]["name"] == "Billing Voice" and h.org.wrapup_codes[codes("5001")]["name"] == "Resolved"
    lunch = h.idmap.statuses_by_name()["lunch"]
    assert h.org.definitions[lunch]["systemPresence"] == "Meal"
    assert h.idmap.key_of("user", users(1001)) == "1001"


# -- property: applying the same plan twice equals applying it once ----------------------------------------

AGENTS = st.integers(1001, 1012)
MUTATION = st.one_of(
    st.tuples(st.just("title"), AGENTS, st.sampled_from(["Lead", "Coach", ""])),
    st.tuples(st.just("deactivate"), AGENTS),
    st.tuples(st.just("delete-agent"), AGENTS),
    st.tuples(st.just("add-agent"), st.integers(1100, 1103)),
    st.tuples(st.just("assign"), AGENTS, st.sampled_from([3001, 3002, 3003, 3004]), st.integers(1, 20)),
    st.tuples(st.just("unassign"), AGENTS, st.sampled_from([3001, 3002, 3004])),
    st.tuples(st.just("rename-skill"), st.sampled_from([3001, 3002, 3003]), st.sampled_from(["Billing", "Support", "Billing Voice"])),
    st.tuples(st.just("delete-skill"), st.sampled_from([3001, 3002, 3003])),
    st.tuples(st.just("rename-disposition"), st.sampled_from([5001, 5002, 5003]), st.sampled_from(["Done", "Escalated", "Refund"])),
    st.tuples(st.just("genesys-delete-user"), AGENTS),
)


def mutate(h, tenant: Tenant, m: tuple) -> None:
    kind, *args = m
    if kind == "title" and args[0] in tenant.agents:
        tenant.update_agent(args[0], profileName=args[1])
    elif kind == "deactivate" and args[0] in tenant.agents:
        tenant.update_agent(args[0], isActive=False)
    elif kind == "delete-agent":
        tenant.agents.pop(args[0], None)
    elif kind == "add-agent" and args[0] not in tenant.agents:
        tenant.add_agent(args[0])
        tenant.assign(args[0], 3001, 3)
    elif kind == "assign" and args[0] in tenant.agents and args[1] in tenant.skills:
        tenant.assign(args[0], args[1], args[2])
    elif kind == "unassign":
        tenant.unassign(args[0], args[1])
    elif kind == "rename-skill" and args[0] in tenant.skills:
        tenant.update_skill(args[0], skillName=args[1])
    elif kind == "delete-skill":
        tenant.delete_skill(args[0])
    elif kind == "rename-disposition" and args[0] in tenant.dispositions:
        tenant.dispositions[args[0]]["dispositionName"] = args[1]
    elif kind == "genesys-delete-user":
        gc = h.idmap.genesys_id("user", str(args[0]))
        if gc and h.org.users[gc]["state"] != "deleted":
            api(h).delete(f"/api/v2/users/{gc}")
            h.deliver_audits()


def replay(h, run: str) -> None:
    """Deliver every page of a finished run again, as if SQS redelivered them all and no object
    record had been written: each object is applied a second time (all pages in phase order, in
    one message group: the phases' own sends are deduplicated by SQS within five minutes)."""
    db, table = h.sync.dynamodb, h.sync.table_names["runs"]
    summary = h.store.run(run)
    if not summary["pages"]:
        return  # a plan with nothing to apply has no page to deliver again
    for kind, key in h.store.records(run):
        db.delete_item(TableName=table, Key={"pk": {"S": f"run#{run}"}, "sk": {"S": f"{kind}#{key}"}})
    db.update_item(
        TableName=table,
        Key={"pk": {"S": "runs"}, "sk": {"S": run}},
        UpdateExpression="REMOVE donePages SET #s = :a, phase = :p",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":a": {"S": "applying"}, ":p": {"N": "0"}},
    )
    for phase in sorted(int(p) for p in summary["pages"]):
        for i in range(summary["pages"][str(phase)]):
            body = json.dumps({"run": run, "phase": phase, "page": i, "start": 0})
            h.sync.sqs.send_message(
                QueueUrl=h.sync.queue_urls["work"],
                MessageBody=body,
                MessageGroupId=f"{run}:replay",
                MessageDeduplicationId=f"replay-{run}-{phase}-{i}",
            )
    h.sync.drain()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=6))
def test_applying_the_plan_twice_equals_applying_it_once(exsync, mutations) -> None:
    tenant = Tenant(agents=12)
    with exsync(tenant) as h:
        h.run("sync")
        for m in mutations:
            mutate(h, tenant, m)
        planned = h.invoke("plan")
        h.run("apply", planned["run"])
        once = genesys_state(h)
        mark = len(h.requests)
        replay(h, planned["run"])
        assert h.store.run(planned["run"])["status"] == "done"
        assert genesys_state(h) == once
        assert h.writes(mark) == 0
        assert h.invoke("plan")["ops"] == 0


def test_an_email_changed_to_one_another_genesys_user_has_is_rejected_not_retried(exsync) -> None:
    tenant = Tenant(agents=12)
    h = exsync(tenant)
    h.run("sync")
    api(h).post("/api/v2/users", json={"name": "Someone Else", "email": "taken@example.com"})
    tenant.update_agent(1003, emailAddress="taken@example.com")
    out = h.run("sync")
    rec = records(h, out["run"])[("user", "1003")]
    assert rec["result"] == "failed" and "general.conflict" in rec["why"] and not rec.get("transient")
    patches = [s for _, m, p, s in h.requests if m == "PATCH" and p.endswith(user_of(h, 1003)["id"])]
    assert patches == [400]  # not mistaken for a stale version: no retries
    mark = len(h.requests)
    assert h.run("sync")["outcome"] == "nothing-to-do" and len(h.requests) == mark
