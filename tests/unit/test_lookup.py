"""LookupOutput: found/matchCount and the first record's fields, copied by each model's record_keys
with the coercion its field type implies; a model that does not map every field is refused."""

from __future__ import annotations

import pytest

from functions.dynamics.models import CaseOutput as DynamicsCase
from functions.lookup import Labelled, LookupOutput
from functions.salesforce.models import AccountOutput as SalesforceAccount
from functions.zendesk.models import OrganizationOutput, TicketOutput


class Sample(LookupOutput):
    text: str = ""
    number: int = 0
    names: list[str] = []
    state: str = ""

    record_keys = {"text": "t", "number": "n", "names": "l", "state": Labelled("s", {0: "Active", 1: "Resolved"})}


def test_no_records_is_not_found_with_empty_fields() -> None:
    for out in (Sample.from_records([]), Sample.from_record(None), Sample.from_record({})):
        assert out.model_dump(mode="json", by_alias=True) == {
            "found": False,
            "matchCount": 0,
            "text": "",
            "number": 0,
            "names": [],
            "state": "",
        }


def test_the_first_record_is_copied_and_counted() -> None:
    out = Sample.from_records([{"t": "first", "n": 7, "l": ["a", 2], "s": 1}, {"t": "second"}])
    assert (out.found, out.match_count, out.text, out.number, out.names, out.state) == (True, 2, "first", 7, ["a", "2"], "Resolved")
    assert Sample.from_records([{"t": "x"}], 150).match_count == 150
    assert Sample.from_record({"t": "x"}).match_count == 1


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({}, ("", 0, [], "")),
        ({"t": None, "n": None, "l": None, "s": None}, ("", 0, [], "")),
        ({"t": 12, "n": "42", "l": "not a list", "s": 0}, ("12", 42, [], "Active")),
        ({"t": True, "n": "4x", "l": [], "s": 9}, ("True", 0, [], "9")),
        ({"t": "", "n": True, "l": [None], "s": "Open"}, ("", 0, ["None"], "Open")),
        ({"n": "\u00b2"}, ("", 0, [], "")),
    ],
)
def test_values_are_coerced_by_the_field_type(record: dict, expected: tuple) -> None:
    out = Sample.from_record({**record, "present": True})
    assert (out.text, out.number, out.names, out.state) == expected


def test_record_fields_are_the_keys_read_in_field_order() -> None:
    assert Sample.record_fields() == ["t", "n", "l", "s"]
    assert SalesforceAccount.record_fields() == ["Id", "Name", "AccountNumber", "Phone", "Type", "Industry"]
    assert DynamicsCase.record_fields() == [
        "incidentid",
        "ticketnumber",
        "title",
        "statecode",
        "prioritycode",
        "createdon",
        "_customerid_value",
    ]


def test_vendor_models_map_their_records() -> None:
    case = DynamicsCase.from_records([{"incidentid": "c-1", "statecode": 0, "prioritycode": 1, "title": None}], 3)
    assert case.model_dump(mode="json", by_alias=True) == {
        "found": True,
        "matchCount": 3,
        "caseId": "c-1",
        "ticketNumber": "",
        "title": "",
        "state": "Active",
        "priority": "High",
        "createdOn": "",
        "customerId": "",
    }
    ticket = TicketOutput.from_record({"id": 35436, "subject": "Help", "assignee_id": None, "organization_id": 509})
    assert (ticket.ticket_id, ticket.assignee_id, ticket.organization_id, ticket.subject) == (35436, 0, 509, "Help")
    org = OrganizationOutput.from_record({"id": 1, "domain_names": ["acme.example", "acme.test"]})
    assert org.domain_names == ["acme.example", "acme.test"]


def test_a_model_must_map_every_field_to_a_type_it_can_coerce() -> None:
    with pytest.raises(TypeError, match=r"record_keys must map exactly its fields \['a', 'b'\]"):

        class Unmapped(LookupOutput):
            a: str = ""
            b: str = ""

            record_keys = {"a": "A"}

    with pytest.raises(TypeError, match="no record coercion"):

        class Untyped(LookupOutput):
            when: float = 0.0

            record_keys = {"when": "When"}
