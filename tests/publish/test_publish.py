"""Publishing to a local Genesys organization through the integrations API: first publish, a
re-publish that only reads, contract changes (a new action beside the old one), configuration
changes through drafts, resuming after a failure, paging and 429, dry run, removal."""

from __future__ import annotations

import copy
import dataclasses
import json
from typing import Any

import pytest

from functions.publisher import platform as platform_module
from functions.publisher.reconcile import Bundle, Publisher
from tests.publish.conftest import ROLE, Org, every_action_bundle, publish


def published(org: Org) -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in org.state.actions.values()}


def test_first_publish_creates_the_integration_and_every_action(org: Org, bundle: Bundle) -> None:
    plan, out, counts = publish(org, bundle)
    assert out.ok and out.published == len(bundle.actions) and out.unchanged == 0
    [integration] = org.state.integrations.values()
    config = org.state.configs[integration["id"]]
    assert integration["integrationType"]["id"] == "aws-lambda-data-actions" and integration["intendedState"] == "ENABLED"
    assert config["name"] == bundle.integration.name and f"credential fingerprint {bundle.integration.fingerprint}" in config["notes"]
    [credential] = org.state.credentials.values()
    assert credential["type"] == "amazonWebServicesARN" and credential["fields"] == {"ARN": ROLE}
    assert config["credentials"] == {"AmazonWebServicesARN": next(iter(org.state.credentials))}
    by_name = published(org)
    assert not org.state.drafts  # every draft was published
    for spec in bundle.actions:
        action = by_name[spec.name]
        assert action["integrationId"] == integration["id"] and action["version"] == 1
        assert (action["category"], action["secure"], action["config"], action["contract"]) == (
            spec.category,
            spec.secure,
            spec.config,
            spec.contract,
        )
    # reads: the integrations listing and the new integration's config; writes: integration,
    # credential, config, activation, then a draft and a publish per action
    assert (counts.reads, counts.writes, counts.tokens) == (2, 4 + 2 * len(bundle.actions), 1)
    assert counts.by_call["POST /api/v2/integrations/actions/drafts"] == len(bundle.actions)
    assert any("created" in line for line in out.lines)


def test_republishing_only_reads(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    before = copy.deepcopy((org.state.actions, org.state.configs, org.state.credentials))
    org.server.reset_counters()
    plan, out, counts = publish(org, bundle)
    assert out.ok and out.published == 0 and out.unchanged == len(bundle.actions) and out.lines == []
    assert plan.changes == 0 and counts.writes == 0
    assert set(org.calls()) == {"GET", "TOKEN"}  # what the server saw, not only what the client counted
    # integrations, config, actions listing, drafts listing, then each action with its contract
    assert counts.reads == 4 + len(bundle.actions)
    assert (org.state.actions, org.state.configs, org.state.credentials) == before


def _with_changed_contract(bundle: Bundle, key: str) -> Bundle:
    specs = []
    for spec in bundle.actions:
        if spec.key == key:
            contract = copy.deepcopy(spec.contract)
            contract["input"]["inputSchema"]["properties"]["locale"] = {"type": "string", "description": "added"}
            spec = dataclasses.replace(spec, contract=contract)
        specs.append(spec)
    return dataclasses.replace(bundle, actions=tuple(specs))


def test_a_changed_contract_is_published_as_a_new_action_beside_the_old(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    old = copy.deepcopy(published(org)["Get User Presence"])
    changed = _with_changed_contract(bundle, "get-user-presence")

    with org.platform() as api:
        plan = Publisher(api, changed).plan(Publisher(api, changed).observe())
    [step] = [a for a in plan.actions if a.do != "none"]
    assert (step.state, step.do, step.name) == ("contract differs", "new-version", "Get User Presence v2")
    assert step.differs == ["input +locale"] and "cannot change" in step.describe()

    _, out, counts = publish(org, changed)
    assert out.ok and out.published == 1 and counts.writes == 2  # a new draft and its publish: nothing else is touched
    [line] = out.lines
    assert "'Get User Presence v2'" in line and f"'Get User Presence' (id {old['id']}, version 1) stays published" in line
    assert "publish --prune" in line
    now = published(org)
    assert now["Get User Presence"] == {**old}  # the old action, untouched, still serves its flows
    assert now["Get User Presence v2"]["contract"]["input"]["inputSchema"]["properties"]["locale"]["description"] == "added"

    _, again, counts = publish(org, changed)
    assert again.published == 0 and counts.writes == 0  # settled: the old one is superseded, not "to do"
    with org.platform() as api:
        pub = Publisher(api, changed)
        [row] = [a for a in pub.status(pub.observe()) if a.spec.key == "get-user-presence"]
    assert (row.state, row.name, [s["name"] for s in row.superseded]) == ("published", "Get User Presence v2", ["Get User Presence"])

    _, pruned, counts = publish(org, changed, prune=True)
    assert pruned.ok and counts.writes == 1 and pruned.lines == [f"Get User Presence: deleted (superseded, id {old['id']})"]
    assert "Get User Presence" not in published(org) and "Get User Presence v2" in published(org)


def test_genesys_refuses_a_contract_change_on_a_draft_of_a_published_action(org: Org, bundle: Bundle) -> None:
    """The rule the publisher works around, as the stand-in enforces it."""
    publish(org, bundle)
    action = published(org)["Get User Presence"]
    with org.platform() as api:
        draft = api.post(f"/api/v2/integrations/actions/{action['id']}/draft")
        contract = _with_changed_contract(bundle, "get-user-presence").actions
        new = next(s for s in contract if s.key == "get-user-presence").contract
        from functions.publisher.platform import PlatformError

        with pytest.raises(PlatformError) as caught:
            api.patch(f"/api/v2/integrations/actions/{action['id']}/draft", {"contract": new, "version": draft["version"]})
    assert caught.value.status == 400 and "cannot be changed" in caught.value.message


def test_a_changed_function_arn_updates_the_action_through_a_draft(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    old = copy.deepcopy(published(org)["Number to Words"])
    specs = []
    for spec in bundle.actions:
        if spec.key == "number-to-words":
            config = copy.deepcopy(spec.config)
            config["request"]["requestUrlTemplate"] = config["request"]["requestUrlTemplate"].replace("eu-west-1", "eu-west-2")
            config["timeoutSeconds"] = 12
            spec = dataclasses.replace(spec, config=config)
        specs.append(spec)
    moved = dataclasses.replace(bundle, actions=tuple(specs))
    _, out, counts = publish(org, moved)
    assert out.ok and out.published == 1 and counts.writes == 3  # draft from the action, its update, publish
    [line] = out.lines
    assert "config.request.requestUrlTemplate" in line and "config.timeoutSeconds" in line
    now = published(org)["Number to Words"]
    assert now["id"] == old["id"] and now["version"] == 2 and now["contract"] == old["contract"]
    assert now["config"]["timeoutSeconds"] == 12 and "eu-west-2" in now["config"]["request"]["requestUrlTemplate"]
    assert publish(org, moved)[2].writes == 0


def test_a_changed_role_updates_the_credential_only(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    other = dataclasses.replace(
        bundle,
        integration=dataclasses.replace(bundle.integration, credential_fields={"ARN": ROLE.replace("gda-", "other-")}),
    )
    _, out, counts = publish(org, other)
    assert out.ok and counts.writes == 2  # PUT credential, PUT config (its notes carry the new fingerprint)
    [credential] = org.state.credentials.values()
    assert credential["fields"]["ARN"].endswith("role/other-genesys-integration")
    assert publish(org, other)[2].writes == 0


def test_a_failed_run_is_finished_by_the_next(org: Org, bundle: Bundle) -> None:
    org.state.inject("ix_publish_draft", status=503, after=5, times=3)
    _, out, counts = publish(org, bundle)
    assert not out.ok and len(out.failures) == 3 and out.published == len(bundle.actions) - 3
    assert all("HTTP 503" in f and "run publish again to resume" in f for f in out.failures)
    assert len(org.state.drafts) == 3  # left for the next run
    org.server.reset_counters()
    plan, again, counts = publish(org, bundle)
    assert again.ok and again.published == 3
    assert [a.do for a in plan.actions if a.do != "none"] == ["resume"] * 3
    assert "POST /api/v2/integrations/actions/drafts" not in counts.by_call  # no second draft of anything
    assert counts.writes == 3 and not org.state.drafts
    assert len(published(org)) == len(bundle.actions)


def test_a_failure_while_setting_up_the_integration_resumes_too(org: Org, bundle: Bundle) -> None:
    org.state.inject("ix_patch_integration", status=500)
    _, out, _ = publish(org, bundle)
    assert not out.ok and out.failures[0].startswith(f"integration {bundle.integration.name!r}: PATCH /api/v2/integrations/{{id}}")
    assert not org.state.actions
    _, again, counts = publish(org, bundle)
    assert again.ok and again.published == len(bundle.actions)
    assert len(org.state.integrations) == 1 and len(org.state.credentials) == 1  # found, not created twice
    assert "POST /api/v2/integrations" not in counts.by_call and counts.by_call["PATCH /api/v2/integrations/{id}"] == 1


def test_reads_are_retried_on_5xx_and_writes_are_not(org: Org, bundle: Bundle) -> None:
    org.state.inject("ix_list_integrations", status=503, times=2)
    waits: list[float] = []
    with org.platform(sleep=waits.append) as api:
        _, out = Publisher(api, bundle).publish()
    assert out.ok and len(waits) == 2 and api.counts.waits == 2


def test_429_waits_as_long_as_genesys_says(org: Org, bundle: Bundle, monkeypatch: pytest.MonkeyPatch) -> None:
    """The stand-in's sliding-minute limit on a clock the client's waits move forward."""
    import local.standins.genesys as genesys

    clock = [1000.0]

    class Clock:
        @staticmethod
        def monotonic() -> float:
            return clock[0]

    monkeypatch.setattr(genesys, "time", Clock)
    org.app.rate_per_minute = 30
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock[0] += seconds

    with org.platform(sleep=sleep) as api:
        _, out = Publisher(api, bundle, workers=1).publish()
    assert out.ok and out.published == len(bundle.actions)
    total = api.counts.api_calls
    assert api.counts.waits == len(waits) >= total // 30 - 1
    assert all(1 <= w <= 60 for w in waits)


def test_listings_are_paged(org: Org, bundle: Bundle) -> None:
    """Other integrations' actions fill more than one page of the actions listing."""
    publish(org, bundle)
    other = every_action_bundle(prefix="zz", role=ROLE)
    renamed = tuple(dataclasses.replace(s, name=f"Other {s.name}") for s in other.actions)
    publish(org, dataclasses.replace(other, actions=renamed * 1))
    many = dataclasses.replace(other, actions=tuple(dataclasses.replace(s, name=f"More {s.name}") for s in other.actions))
    publish(org, dataclasses.replace(many, integration=dataclasses.replace(other.integration, name="zz more")))
    assert len(org.state.actions) == 3 * len(bundle.actions) > 100
    _, out, counts = publish(org, bundle)
    assert out.ok and out.published == 0 and counts.writes == 0
    assert counts.by_call["GET /api/v2/integrations/actions"] == 2  # 120 actions, 100 a page


def test_dry_run_prints_the_plan_and_writes_nothing(org: Org, bundle: Bundle) -> None:
    with org.platform() as api:
        pub = Publisher(api, bundle)
        plan = pub.plan(pub.observe())
    assert plan.changes == 4 + len(bundle.actions) and api.counts.writes == 0
    assert set(org.calls()) == {"GET", "TOKEN"} and not org.state.integrations
    lines = plan.integration.lines(bundle.integration, None)
    assert lines[0] == f"integration {bundle.integration.name!r} (aws-lambda-data-actions): create it"
    assert [a.describe() for a in plan.actions][:1] == ["get-billing-account: missing: create draft 'Get Billing Account' and publish it"]


def test_remove_deletes_what_publish_made(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    with org.platform() as api:
        pub = Publisher(api, bundle)
        lines = pub.remove_plan(pub.observe())
        out = pub.remove()
    assert len(lines) == len(bundle.actions) + 1 and lines[-1].startswith("delete integration")
    assert out.ok and not org.state.actions and not org.state.integrations and not org.state.credentials
    with org.platform() as api:
        assert Publisher(api, bundle).remove().lines == []  # nothing left: nothing to do


def test_remove_keeps_an_integration_with_someone_elses_actions(org: Org, bundle: Bundle) -> None:
    publish(org, bundle)
    [iid] = org.state.integrations
    spec = bundle.actions[0]
    with org.platform() as api:
        api.post("/api/v2/integrations/actions", {**spec.body(iid, "Hand-made action")})
        out = Publisher(api, bundle).remove()
    assert out.ok and [a["name"] for a in org.state.actions.values()] == ["Hand-made action"]
    assert out.lines[-1].endswith("kept (it has actions this bundle does not declare)")


def test_bundle_survives_json(bundle: Bundle) -> None:
    """What the custom resource carries in its asset is the same desired state."""
    assert Bundle.from_json(json.loads(json.dumps(bundle.to_json()))) == bundle
    assert ROLE not in repr(bundle.integration) and ROLE not in repr(bundle)  # credential fields are never in a repr


def test_environment_urls() -> None:
    assert platform_module.environment_urls("eu-west-1") == ("https://login.mypurecloud.ie", "https://api.mypurecloud.ie")
    assert platform_module.environment_urls("usw2.pure.cloud")[1] == "https://api.usw2.pure.cloud"
    assert platform_module.environment_urls("https://api.mypurecloud.de/")[0] == "https://login.mypurecloud.de"
    with pytest.raises(ValueError, match="unknown Genesys Cloud environment"):
        platform_module.environment_urls("not a region")
