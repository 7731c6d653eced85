"""events/: every action has events, every event names a known action and has an expectation,
and every event does what expected.json says against every local backend configuration."""

from __future__ import annotations

import pytest

from functions import all_actions
from local.events import ROOT, event_files, expectations
from local.runner import check, invoke

ALL = event_files()


def test_every_action_has_direct_and_api_gateway_events() -> None:
    for action_id in all_actions():
        kinds = {ev.kind for ev in ALL if ev.action_id == action_id}
        assert "direct" in kinds, f"{action_id} has no direct-invoke event"
        assert kinds & {"apigw-v1", "apigw-v2"}, f"{action_id} has no API Gateway event"


def test_every_event_folder_names_a_declared_action() -> None:
    unknown = sorted({p.name for p in ROOT.iterdir() if p.is_dir()} - set(all_actions()))
    assert not unknown, f"events for unknown actions: {unknown}"


def test_every_event_has_an_expectation_and_every_expectation_an_event() -> None:
    for action_id in all_actions():
        cases = {ev.case for ev in ALL if ev.action_id == action_id}
        declared = set(expectations(action_id))
        assert cases - declared == set(), f"{action_id}: events without expectation: {cases - declared}"
        assert declared - cases == set(), f"{action_id}: expectations without event: {declared - cases}"


def test_each_action_has_valid_and_invalid_cases() -> None:
    for action_id in all_actions():
        outcomes = {e.get("outcome", "success") for e in expectations(action_id).values()}
        assert outcomes & {"success", "not_found"}, action_id
        assert "InvalidInput" in outcomes, action_id


@pytest.mark.parametrize("ev", ALL, ids=lambda e: f"{e.action_id}/{e.label}")
def test_event_behaves_as_expected_on_every_local_configuration(ev, standins, configure, logs) -> None:
    act = all_actions()[ev.action_id]
    expected = expectations(ev.action_id)[ev.case]
    for config in standins.config_names(act.backend.kind) or [None]:
        configure(ev.action_id, config)
        inv = invoke(ev.action_id, ev.load())
        assert check(inv, expected) == [], f"config {config}: {check(inv, expected)}"
