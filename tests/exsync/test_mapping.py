"""The default mapping (and its overrides), object type by object type, without I/O: a CXone
snapshot in, the desired Genesys objects (and the CXone objects rejected, with why) out."""

from __future__ import annotations

import pytest

from functions.exsync.mapping import MappingError, default_document, parse
from functions.exsync.model import HOME, OBJECTS, SINGLE, Snapshot, desired_state


def agent(
    agent_id: int,
    *,
    team: int = 101,
    email: str | None = None,
    active: bool = True,
    first: str = "Ana",
    last: str | None = None,
    profile: str = "Agent",
) -> dict:
    return {
        "agentId": agent_id,
        "firstName": first,
        "lastName": last if last is not None else f"Agent{agent_id}",
        "emailAddress": email if email is not None else f"Agent.{agent_id}@Example.com",
        "isActive": active,
        "teamId": team,
        "teamName": {101: "Voice East", 102: "Digital"}.get(team, "Other"),
        "profileName": profile,
        "custom1": "Senior",
    }


def skill(skill_id: int, name: str, media: str = "Phone Call", *, outbound: bool = False, active: bool = True) -> dict:
    return {"skillId": skill_id, "skillName": name, "mediaTypeName": media, "isOutbound": outbound, "isActive": active}


def snapshot(**over: object) -> Snapshot:
    base = Snapshot(
        agents=[agent(1001), agent(1002, team=102), agent(1003, active=False)],
        teams=[{"teamId": 101, "teamName": "Voice East", "isActive": True}, {"teamId": 102, "teamName": "Digital", "isActive": True}],
        skills=[
            skill(4001, "Billing Voice"),
            skill(4002, "Support Email", "Email"),
            skill(4003, "Sales Out", outbound=True),
            skill(6001, "Lang - Spanish"),
        ],
        assignments=[
            {"agentId": 1001, "skillId": 4001, "agentProficiencyValue": 1, "isActive": True},
            {"agentId": 1001, "skillId": 6001, "agentProficiencyValue": 5, "isActive": True},
            {"agentId": 1002, "skillId": 4001, "agentProficiencyValue": 20, "isActive": True},
            {"agentId": 1002, "skillId": 4002, "agentProficiencyValue": 9, "isActive": False},
            {"agentId": 1003, "skillId": 4001, "agentProficiencyValue": 3, "isActive": True},
        ],
        dispositions=[
            {"dispositionId": 8001, "dispositionName": "Resolved", "isActive": True},
            {"dispositionId": 8002, "dispositionName": "Escalated", "isActive": False},
        ],
        disposition_skills=[{"dispositionId": 8001, "skills": [{"skillId": 4001}]}, {"dispositionId": 8002, "skills": [{"skillId": 4001}]}],
        codes=[
            {"unavailableCodeId": 201, "unavailableCodeName": "Lunch", "isActive": True, "isAcw": False},
            {"unavailableCodeId": 202, "unavailableCodeName": "Coffee", "isActive": True, "isAcw": False},
            {"unavailableCodeId": 203, "unavailableCodeName": "Wrap Up", "isActive": True, "isAcw": True},
        ],
    )
    for k, v in over.items():
        setattr(base, k, v)
    return base


def rejected(desired) -> dict[tuple[str, str], str]:
    return {(r.kind, r.key): r.reason for r in desired.rejected}


# -- each object type with the default mapping --------------------------------------------------------------


def test_teams_become_divisions_and_users_go_in_their_teams_division() -> None:
    d = desired_state(snapshot(), parse({}))
    assert {k: o.fields["name"] for k, o in d.of("division").items()} == {"101": "Voice East", "102": "Digital"}
    assert d.of("user")["1001"].fields["division"] == "101" and d.of("user")["1002"].fields["division"] == "102"
    assert d.of("queue")["4001"].fields["division"] == HOME and d.of("wrapup")["8001"].fields["division"] == HOME


def test_one_configured_division_or_the_home_division_instead() -> None:
    single = desired_state(snapshot(), parse({"divisions": {"mode": "single", "name": "Contact Center", "objects": "CC Objects"}}))
    assert {k: o.fields["name"] for k, o in single.of("division").items()} == {SINGLE: "Contact Center", OBJECTS: "CC Objects"}
    assert single.of("user")["1001"].fields["division"] == SINGLE and single.of("queue")["4001"].fields["division"] == OBJECTS
    home = desired_state(snapshot(), parse({"divisions": {"mode": "home"}}))
    assert home.of("division") == {} and home.of("user")["1001"].fields["division"] == HOME


def test_agents_become_users_with_people_fields_state_and_the_cxone_id_as_key() -> None:
    d = desired_state(snapshot(), parse({}))
    u = d.of("user")["1001"]
    assert u.fields == {
        "name": "Ana Agent1001",
        "email": "agent.1001@example.com",
        "division": "101",
        "state": "active",
        "title": "Agent",
        "department": "Voice East",
    }
    assert u.name == "agent 1001"  # never a person's name in plans and run records
    inactive = d.of("user")["1003"]
    assert inactive.fields["state"] == "inactive" and not inactive.active


def test_title_and_department_come_from_the_configured_agent_fields_or_are_left_alone() -> None:
    d = desired_state(snapshot(), parse({"users": {"title": "custom1", "department": None}}))
    fields = d.of("user")["1001"].fields
    assert fields["title"] == "Senior" and "department" not in fields


def test_skills_and_proficiencies_become_routing_skills_languages_and_user_assignments() -> None:
    d = desired_state(snapshot(), parse({}))
    assert {k: o.fields["name"] for k, o in d.of("skill").items()} == {
        "4001": "Billing Voice",
        "4002": "Support Email",
        "4003": "Sales Out",
    }
    assert {k: o.fields["name"] for k, o in d.of("language").items()} == {"6001": "Spanish"}
    # CXone proficiency 1 (best) .. 20 -> Genesys 5 .. 1; inactive assignments are not carried over
    assert d.of("user")["1001"].sets == {"skills": {"4001": 5.0}, "languages": {"6001": 4.0}}
    assert d.of("user")["1002"].sets == {"skills": {"4001": 1.0}, "languages": {}}
    custom = desired_state(snapshot(), parse({"skills": {"proficiency": {"1": 3.5}, "languagePattern": None}}))
    assert custom.of("user")["1001"].sets["skills"] == {"4001": 3.5, "6001": 4.0} and custom.of("language") == {}


def test_inbound_skills_act_as_queues_with_members_and_wrapup_codes() -> None:
    d = desired_state(snapshot(), parse({}))
    assert set(d.of("queue")) == {"4001", "4002"}  # outbound and language skills are not queues
    q = d.of("queue")["4001"]
    # members: active agents with an active assignment (1003 is inactive); wrap-up codes: active dispositions of the skill
    assert q.sets == {"members": {"1001": 1.0, "1002": 1.0}, "wrapups": {"8001": 1.0}}
    assert d.of("queue")["4002"].sets["members"] == {}
    chat_only = desired_state(snapshot(), parse({"queues": {"mediaTypes": ["Email"], "outbound": True, "prefix": "CX "}}))
    assert {k: o.fields["name"] for k, o in chat_only.of("queue").items()} == {"4002": "CX Support Email"}


def test_an_inactive_skill_is_a_queue_without_members() -> None:
    d = desired_state(snapshot(skills=[skill(4001, "Billing Voice", active=False)]), parse({}))
    q = d.of("queue")["4001"]
    assert not q.active and q.sets == {"members": {}, "wrapups": {}}


def test_dispositions_become_wrapup_codes() -> None:
    d = desired_state(snapshot(), parse({"wrapupCodes": {"prefix": "CX-"}}))
    assert {k: (o.fields["name"], o.active) for k, o in d.of("wrapup").items()} == {
        "8001": ("CX-Resolved", True),
        "8002": ("CX-Escalated", False),
    }


def test_unavailable_codes_become_secondary_statuses_under_a_system_presence() -> None:
    d = desired_state(snapshot(), parse({}))
    assert {k: o.fields for k, o in d.of("status").items()} == {
        "201": {"name": "Lunch", "systemPresence": "Meal"},
        "202": {"name": "Coffee", "systemPresence": "Busy"},
    }
    assert "ACW" in rejected(d)[("status", "203")]
    custom = desired_state(snapshot(), parse({"statuses": {"systemPresence": {"coffee": "Break"}, "default": "Away", "skipAcw": False}}))
    assert {k: o.fields["systemPresence"] for k, o in custom.of("status").items()} == {"201": "Away", "202": "Break", "203": "Away"}


# -- bad data: rejected with the reason, the rest goes on ------------------------------------------------------


def test_agents_with_bad_data_are_rejected_with_the_reason() -> None:
    agents = [
        agent(1001),
        agent(1002, email="not-an-email"),
        agent(1003, email="AGENT.1001@example.com"),
        agent(1004, first="", last=""),
        agent(1005, team=999),
    ]
    d = desired_state(snapshot(agents=agents), parse({}))
    assert set(d.of("user")) == {"1001"}
    reasons = rejected(d)
    assert "not valid" in reasons[("user", "1002")]
    assert reasons[("user", "1003")] == "email address also used by CXone agent 1001"
    assert "no first or last name" in reasons[("user", "1004")]
    assert "team is not synced" in reasons[("user", "1005")]
    assert not any("@" in r for r in reasons.values())  # no person's data in a reason


def test_duplicate_names_keep_the_first_and_reject_the_others() -> None:
    skills = [skill(4001, "Billing"), skill(4002, "billing"), skill(4003, "")]
    d = desired_state(snapshot(skills=skills, assignments=[]), parse({}))
    assert set(d.of("skill")) == {"4001"}
    reasons = rejected(d)
    assert reasons[("skill", "4002")] == "name also used by CXone skill 4001" and "no name" in reasons[("skill", "4003")]


def test_excluded_objects_are_not_synced() -> None:
    d = desired_state(snapshot(), parse({"exclude": {"agents": [1001], "teams": [102], "skills": [4002]}}))
    assert set(d.of("user")) == {"1003"} and set(d.of("division")) == {"101"} and "4002" not in d.of("queue")


# -- the document: validated before it is stored -------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ({"skills": {"languagePattern": "^Lang (.+)$"}}, "skills.languagePattern: Value error, needs a named group 'name'"),
        ({"skills": {"languagePattern": "^(?P<name>"}}, "is not a regular expression"),
        ({"statuses": {"default": "OnQueue"}}, "cannot hold secondary statuses"),
        ({"queues": {"mediaTypes": ["Fax"]}}, "unknown media types Fax"),
        ({"skills": {"proficiency": {"21": 5}}}, "maps CXone proficiencies 1..20"),
        ({"divisions": {"mode": "regions"}}, "divisions.mode"),
        ({"users": {"title": "profile name"}}, "must name a CXone agent field"),
        ({"usres": {}}, "usres: Extra inputs are not permitted"),
        ([], "must be a JSON object"),
    ],
)
def test_a_bad_mapping_document_is_refused_with_where_and_why(doc, problem) -> None:
    with pytest.raises(MappingError) as info:
        parse(doc)
    assert problem in str(info.value)


def test_the_default_document_round_trips() -> None:
    assert parse(default_document()) == parse({})
