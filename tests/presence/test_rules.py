"""Rules documents: validation names the rule and field; precedence; CXone's own format."""

from __future__ import annotations

import copy

import pytest

from functions.presence.rules import PREVIOUS_STATE, CcTarget, from_cxone, parse
from tests.presence.rules_fixtures import CXONE_RULES, GENESYS_RULES


def test_valid_documents_parse() -> None:
    assert parse(CXONE_RULES).platform == "cxone"
    assert parse(GENESYS_RULES).platform == "genesys"


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["ruleSets"]["default"]["publisher"].append({"when": {"state": "Availble"}, "set": "X"}),
            "ruleSets.default.publisher[6].when.state: 'Availble' is not a cxone state",
        ),
        (
            lambda d: d["ruleSets"]["default"]["subscriber"].append({"when": "Gone", "set": {"state": "InboundContact"}}),
            "ruleSets.default.subscriber[3].set.state: 'InboundContact' cannot be set on cxone",
        ),
        (
            lambda d: d["ruleSets"]["default"]["subscriber"].append({"when": "Busy", "set": {"state": "Available"}}),
            "ruleSets.default.subscriber[3].when: the same status as subscriber[0]",
        ),
        (
            lambda d: d["ruleSets"]["default"]["publisher"].append({"when": {"state": "Available"}, "set": "Has Spaces"}),
            "ruleSets.default.publisher[6].set: 'Has Spaces' is not a Salesforce status DeveloperName",
        ),
        (lambda d: d["assignments"]["teams"].update({"9": "nope"}), "assignments.teams.9: no rule set named 'nope'"),
        (
            lambda d: d["ruleSets"]["default"]["publisher"].append({"when": {"state": "Available", "routing": "IDLE"}, "set": "X"}),
            "ruleSets.default.publisher[6].when.routing: only Genesys has a routing status",
        ),
        (
            lambda d: d["ruleSets"]["default"]["subscriber"].append({"when": "Break", "set": {"state": "Available", "reason": "x"}}),
            "ruleSets.default.subscriber[3].set.reason: CXone Available takes no unavailable code",
        ),
        (lambda d: d.update(mode="sometimes"), "mode: Input should be 'live' or 'dry-run'"),
        (lambda d: d["breaker"].update(maxChanges=1), "breaker.maxChanges: Input should be greater than or equal to 2"),
        (lambda d: d["ruleSets"]["default"]["subscriber"][0].pop("set"), "ruleSets.default.subscriber[0].set: Field required"),
        (lambda d: d.update(colour="blue"), "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_documents_are_refused_naming_the_rule_and_field(mutate, message) -> None:
    doc = copy.deepcopy(CXONE_RULES)
    mutate(doc)
    with pytest.raises(ValueError) as info:
        parse(doc)
    assert message in str(info.value)


def test_precedence_is_user_over_team_over_organisation() -> None:
    rules = parse(CXONE_RULES)
    assert rules.rule_set_for("1001", team="7") == "vip"  # user id
    assert rules.rule_set_for("2002", email="Carol@Example.com", team="7") == "vip"  # user email, any case
    assert rules.rule_set_for("2002", team="7") == "team7"
    assert rules.rule_set_for("2002", team="8") == "default"


def test_the_most_specific_publisher_rule_wins_then_the_first() -> None:
    rules = parse(CXONE_RULES)
    assert rules.publisher("default", "Unavailable", "Lunch", "") == (1, "Lunch")
    assert rules.publisher("default", "Unavailable", "Training", "") == (3, "Away")
    assert rules.publisher("default", "OutboundContact", "", "") == (None, None)
    genesys = parse(GENESYS_RULES)
    assert genesys.publisher("default", "On Queue", "", "INTERACTING") == (2, "On_a_Call")
    assert genesys.publisher("default", "On Queue", "", "IDLE") == (1, "Available_for_Chat")


def test_subscriber_targets_and_previous_state() -> None:
    rules = parse(CXONE_RULES)
    assert rules.subscriber("default", "Busy") == (0, CcTarget(state="Unavailable", reason="Busy"))
    assert rules.subscriber("default", "Available_for_Chat") == (2, PREVIOUS_STATE)
    assert rules.subscriber("default", "Meeting") == (None, None)


def test_cxones_own_rule_format_imports() -> None:
    doc = from_cxone(
        {
            "publisherStateMap": [
                {"incontactAgentState": "Available", "partnerAgentState": "Available_for_Chat"},
                {"incontactAgentState": "Unavailable - Lunch", "partnerAgentState": "Lunch"},
            ],
            "subscriberStateMap": [
                {"incontactAgentState": "Unavailable|Busy", "partnerAgentState": "Busy"},
                {"incontactAgentState": "Previous State", "partnerAgentState": "Available_for_Chat"},
            ],
        }
    )
    rules = parse(doc)
    assert rules.publisher("default", "Unavailable", "Lunch", "") == (1, "Lunch")
    assert rules.subscriber("default", "Busy") == (0, CcTarget(state="Unavailable", reason="Busy"))
    assert rules.subscriber("default", "Available_for_Chat") == (1, PREVIOUS_STATE)
    with pytest.raises(ValueError, match="cannot be a source state"):
        from_cxone({"publisherStateMap": [{"incontactAgentState": "PreviousState", "partnerAgentState": "X"}]})
