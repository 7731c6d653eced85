"""The planner without I/O: the deletion rules, re-creation of what Genesys lost, content Genesys
rejected, adoption, and (property-based) that applying a plan converges: a second plan is empty,
and applying the same plan twice equals applying it once."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from functions.exsync.mapping import parse
from functions.exsync.model import KINDS, SET_FIELDS, Current, Snapshot, desired_state, digest
from functions.exsync.plan import SET_REFS, Plan, make_plan, pages
from tests.exsync.test_mapping import agent, skill, snapshot

MAPPING = parse({})


def simulate(current: dict[str, dict[str, Current]], plan: Plan) -> dict[str, dict[str, Current]]:
    """What the id map holds after applying ``plan`` when Genesys accepts everything (the pure
    counterpart of functions.exsync.apply: sets keep only members whose objects are in Genesys)."""
    out: dict[str, dict[str, Current]] = copy.deepcopy({k: dict(current.get(k, {})) for k in KINDS})
    ids = itertools.count()
    for op in sorted(plan.ops, key=lambda o: o.phase):
        c = out[op.kind].get(op.key)
        live = c is not None and c.gc_id is not None and not c.deleted and not c.matched
        gc_id = c.gc_id if live and c is not None else (op.gc_id if op.action == "adopt" else f"gc-{op.kind}-{next(ids)}")
        prior = c if live else None
        if op.action == "forget":
            assert prior is not None
            out[op.kind][op.key] = Current(op.kind, op.key, gc_id, prior.hashes, {**prior.sets, **op.obj.sets})
            continue
        hashes = {**prior.hashes, **op.obj.hashes()} if prior else op.obj.hashes()
        sets = {}
        for name in SET_FIELDS.get(op.kind, ()):
            if name in op.obj.sets:
                present = {k for k, e in out[SET_REFS[name]].items() if e.gc_id and not e.deleted and not e.matched}
                sets[name] = {k: v for k, v in op.obj.sets[name].items() if k in present}
            elif prior is not None and name in prior.sets:
                sets[name] = prior.sets[name]
        out[op.kind][op.key] = Current(op.kind, op.key, gc_id, hashes, sets)
    return out


def synced(snap: Snapshot) -> dict[str, dict[str, Current]]:
    return simulate({}, make_plan(desired_state(snap, MAPPING), {}, MAPPING))


def ops(plan: Plan) -> dict[tuple[str, str], tuple[str, str]]:
    return {(o.kind, o.key): (o.action, o.reason) for o in plan.ops}


def lefts(plan: Plan) -> dict[tuple[str, str], str]:
    return {(x.kind, x.key): x.reason for x in plan.left}


def test_the_first_plan_creates_everything_in_dependency_order() -> None:
    plan = make_plan(desired_state(snapshot(), MAPPING), {}, MAPPING)
    assert [o.phase for o in plan.ops] == sorted(o.phase for o in plan.ops)
    assert plan.counts()["user"] == {"create": 2, "left": 1}  # the inactive agent was never synced: left alone
    assert lefts(plan)[("user", "1003")] == "inactive in CXone and never synced"
    split = pages(plan, lanes=2, page_ops=3)
    assert sorted(split) == [1, 2, 3] and all(len(p) <= 3 for ps in split.values() for p in ps)


def test_nothing_changed_plans_nothing() -> None:
    current = synced(snapshot())
    plan = make_plan(desired_state(snapshot(), MAPPING), current, MAPPING)
    assert plan.ops == [] and plan.unchanged["user"] == 2


def test_changed_fields_and_sets_are_named_in_the_reason() -> None:
    current = synced(snapshot())
    changed = snapshot(agents=[agent(1001, profile="Supervisor"), agent(1002, team=101), agent(1003, active=False)])
    plan = make_plan(desired_state(changed, MAPPING), current, MAPPING)
    got = ops(plan)
    assert got[("user", "1001")] == ("update", "changed in CXone: title")
    assert got[("user", "1002")] == ("update", "changed in CXone: division, department")
    assert ("queue", "4001") not in got  # its members did not change


# -- deletion rules ------------------------------------------------------------------------------------------


def test_a_person_deleted_or_deactivated_in_cxone_makes_the_user_inactive_and_returns() -> None:
    current = synced(snapshot())
    gone = snapshot(agents=[agent(1001, active=False)])  # 1002 deleted, 1001 deactivated
    plan = make_plan(desired_state(gone, MAPPING), current, MAPPING)
    got = ops(plan)
    assert got[("user", "1002")] == ("deactivate", "agent deleted in CXone: user made inactive")
    assert got[("user", "1001")][0] == "deactivate"
    after = simulate(current, plan)
    assert make_plan(desired_state(gone, MAPPING), after, MAPPING).counts().get("user", {}).get("deactivate") is None
    back = make_plan(desired_state(snapshot(), MAPPING), after, MAPPING)
    assert ops(back)[("user", "1001")][0] == "reactivate" and ops(back)[("user", "1002")][0] == "reactivate"


def test_a_queue_deleted_in_cxone_is_kept_and_its_members_removed() -> None:
    current = synced(snapshot())
    without = snapshot(skills=[s for s in snapshot().skills if s["skillId"] != 4001])
    plan = make_plan(desired_state(without, MAPPING), current, MAPPING)
    assert ops(plan)[("queue", "4001")] == ("empty", "skill deleted in CXone: queue kept, 2 members removed")
    assert lefts(plan)[("skill", "4001")] == "deleted in CXone: left to the admin"
    after = simulate(current, plan)
    assert after["queue"]["4001"].gc_id == current["queue"]["4001"].gc_id and after["queue"]["4001"].sets["members"] == {}
    assert not any(o.kind == "queue" for o in make_plan(desired_state(without, MAPPING), after, MAPPING).ops)


def test_skills_wrapup_codes_statuses_and_divisions_gone_from_cxone_are_left_to_the_admin() -> None:
    current = synced(snapshot())
    bare = snapshot(skills=[], assignments=[], dispositions=[], disposition_skills=[], codes=[])
    plan = make_plan(desired_state(bare, MAPPING), current, MAPPING)
    left = lefts(plan)
    assert {k for k in left if k[0] in ("skill", "language", "wrapup", "status")} == {
        ("skill", "4001"),
        ("skill", "4002"),
        ("skill", "4003"),
        ("language", "6001"),
        ("wrapup", "8001"),
        ("status", "201"),
        ("status", "202"),
    }
    assert not any(o.kind in ("skill", "language", "wrapup", "status", "division") for o in plan.ops)


def test_objects_deleted_in_genesys_are_recreated_and_a_user_restored() -> None:
    current = synced(snapshot())
    for kind, key in (("user", "1001"), ("queue", "4001"), ("skill", "4001")):
        current[kind][key].deleted = True
    plan = make_plan(desired_state(snapshot(), MAPPING), current, MAPPING)
    got = ops(plan)
    assert got[("user", "1001")] == ("create", "deleted in Genesys: restored (same email)")
    assert got[("queue", "4001")] == ("create", "deleted in Genesys: re-created")
    # the re-created skill is on no user any more: assigned again to the users holding it
    assert got[("user", "1002")] == ("update", "assigned again (re-created in Genesys): skills +1")
    after = simulate(current, plan)
    assert make_plan(desired_state(snapshot(), MAPPING), after, MAPPING).ops == []


def test_content_genesys_rejected_is_skipped_until_it_changes_or_a_reconcile() -> None:
    d = desired_state(snapshot(), MAPPING)
    current = {
        "user": {
            "1001": Current("user", "1001", None, failed={"digest": d.of("user")["1001"].digest(), "reason": "invalid.value", "run": "r1"})
        }
    }
    plan = make_plan(d, current, MAPPING)
    assert ("user", "1001") not in ops(plan) and "rejected this content in run r1" in lefts(plan)[("user", "1001")]
    assert ("user", "1001") in ops(make_plan(d, current, MAPPING, retry_failed=True))
    changed = desired_state(snapshot(agents=[agent(1001, profile="Lead")]), MAPPING)
    assert ops(make_plan(changed, current, MAPPING))[("user", "1001")][0] == "create"


def test_an_object_found_in_genesys_by_its_natural_key_is_adopted() -> None:
    d = desired_state(snapshot(), MAPPING)
    match = Current(
        "user", "1001", "gc-existing", {"name": digest("Ana Agent1001"), "email": digest("agent.1001@example.com")}, matched=True
    )
    plan = make_plan(d, {"user": {"1001": match}}, MAPPING)
    action, reason = ops(plan)[("user", "1001")]
    assert action == "adopt" and reason.startswith("exists in Genesys with the same email; differs: division, state, title, department")
    assert next(o for o in plan.ops if o.key == "1001" and o.kind == "user").gc_id == "gc-existing"


def test_a_language_renamed_in_cxone_is_left_alone() -> None:
    current = synced(snapshot())
    renamed = snapshot(skills=[*snapshot().skills[:3], skill(6001, "Lang - Castellano")])
    plan = make_plan(desired_state(renamed, MAPPING), current, MAPPING)
    assert ("language", "6001") not in ops(plan) and "cannot be renamed" in lefts(plan)[("language", "6001")]


# -- property: applying converges, and applying twice is applying once ------------------------------------

NAMES = st.sampled_from(["Billing", "billing", "Sales", "Support", "", "Lang - French", "Lang - German", "Retention"])


@st.composite
def snapshots(draw: Any) -> Snapshot:
    team_ids = sorted(draw(st.sets(st.sampled_from([101, 102, 103]), min_size=1)))
    teams = [{"teamId": t, "teamName": draw(st.sampled_from(["East", "West", "east", "Digital"])), "isActive": True} for t in team_ids]
    agents = [
        agent(
            a,
            team=draw(st.sampled_from([*team_ids, 199])),
            email=draw(st.sampled_from([None, None, None, "shared@example.com", "broken"])),
            active=draw(st.booleans()),
            profile=draw(st.sampled_from(["Agent", "Lead"])),
        )
        for a in sorted(draw(st.sets(st.integers(1001, 1008))))
    ]
    skill_ids = sorted(draw(st.sets(st.integers(4001, 4008))))
    skills = [
        skill(s, draw(NAMES), draw(st.sampled_from(["Phone Call", "Email"])), outbound=draw(st.booleans()), active=draw(st.booleans()))
        for s in skill_ids
    ]
    pairs = draw(st.sets(st.tuples(st.integers(1001, 1008), st.integers(4001, 4008)), max_size=24))
    assignments = [
        {"agentId": a, "skillId": s, "agentProficiencyValue": draw(st.integers(1, 20)), "isActive": draw(st.booleans())}
        for a, s in sorted(pairs)
    ]
    codes_ids = sorted(draw(st.sets(st.integers(8001, 8004))))
    dispositions = [{"dispositionId": d, "dispositionName": draw(NAMES), "isActive": draw(st.booleans())} for d in codes_ids]
    disposition_skills = [
        {"dispositionId": d, "skills": [{"skillId": s} for s in draw(st.sets(st.integers(4001, 4008), max_size=3))]} for d in codes_ids
    ]
    codes = [
        {
            "unavailableCodeId": c,
            "unavailableCodeName": draw(st.sampled_from(["Lunch", "Break", "Coffee", "lunch"])),
            "isActive": draw(st.booleans()),
            "isAcw": draw(st.booleans()),
        }
        for c in sorted(draw(st.sets(st.integers(201, 205))))
    ]
    return Snapshot(agents, teams, skills, assignments, dispositions, disposition_skills, codes)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(before=snapshots(), after=snapshots(), lost=st.sets(st.sampled_from(["1001", "1002", "4001", "4002", "8001", "201", "101"])))
def test_applying_a_plan_converges_and_applying_it_twice_equals_once(before: Snapshot, after: Snapshot, lost: set[str]) -> None:
    current = synced(before)
    for entries in current.values():  # some objects were deleted in Genesys meanwhile
        for key in lost & set(entries):
            entries[key].deleted = True
    desired = desired_state(after, MAPPING)
    plan = make_plan(desired, current, MAPPING)
    once = simulate(current, plan)
    assert simulate(once, plan) == once
    again = make_plan(desired, once, MAPPING)
    assert again.ops == [], [(o.kind, o.key, o.action, o.reason) for o in again.ops]
