"""Web services export: the request template, merged by a real Velocity engine (airspeed) with what
Genesys puts in the context (``$input``, ``$esc.jsonString``), is a body the local API accepts; the
translation maps, applied by a real JSONPath engine (jsonpath-ng) to real responses, then merged into
the success template, give what the successSchema promises."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import airspeed
import httpx
import jsonpath_ng
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from definitions.contracts import contract_problems
from definitions.web_services import web_services_definition
from functions import all_actions
from local.api import make_server
from local.events import event_files, expectations


class EscapeTool:
    """Genesys' ``$esc``; ``jsonString`` escapes a value for the inside of a JSON string."""

    def jsonString(self, value: Any) -> str:  # noqa: N802 (Genesys' name)
        return json.dumps(str(value))[1:-1]


class JavaBoolean:
    """A flow's boolean as Genesys' Java context holds it: written ``true``/``false``, false in ``#if``."""

    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __str__(self) -> str:
        return "true" if self.value else "false"


def velocity(template: str, context: dict[str, Any]) -> str:
    return airspeed.Template(template).merge(context)


def render(template: str, inputs: dict[str, Any]) -> str:
    """The request body Genesys sends: the template merged with the flow's inputs and ``$esc``."""
    values = {k: JavaBoolean(v) if isinstance(v, bool) else v for k, v in inputs.items()}
    return velocity(template, {"input": values, "esc": EscapeTool()})


@pytest.fixture(scope="module")
def api(standins):
    from functions import handler_for

    acts = list(all_actions().values())
    for act in acts:
        handler_for(act.id).configure(standins.environ(act))
    server = make_server(0, "ws-key", acts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("action_id", list(all_actions()))
def test_rendered_request_is_accepted_by_the_api(action_id: str, api: str) -> None:
    act = all_actions()[action_id]
    defn = web_services_definition(act, f"{api}/{action_id}", "apikey")
    assert contract_problems(defn) == [] and defn["integrationType"] == "custom-rest-actions"
    req = defn["config"]["request"]
    headers = {k: ("ws-key" if v == "${credentials.apiKey}" else v) for k, v in req["headers"].items() if k != "Transfer-Encoding"}
    sent = 0
    for ev in event_files(action_id):
        if ev.kind != "direct" or expectations(action_id)[ev.case].get("outcome", "success") not in ("success", "not_found"):
            continue
        inputs = ev.load()
        body = render(req["requestTemplate"], inputs)
        assert json.loads(body) == {k: v for k, v in inputs.items() if v not in (None, "")}
        resp = httpx.post(req["requestUrlTemplate"], content=body.encode(), headers=headers, timeout=30)
        assert resp.status_code == 200, resp.text
        sent += 1
    assert sent


def test_json_escaping_survives_quotes_and_newlines(api: str) -> None:
    act = all_actions()["dynamics-get-account-by-account-name"]
    template = web_services_definition(act, "u", "basic")["config"]["request"]["requestTemplate"]
    assert json.loads(render(template, {"accountName": 'O\'Neil "&" \\ Co\nLtd'}))["accountName"] == 'O\'Neil "&" \\ Co\nLtd'


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40), st.booleans())
def test_any_flow_text_renders_to_the_same_json_value(text: str, published: bool) -> None:
    act = all_actions()["salesforce-post-case-comment"]
    template = web_services_definition(act, "u", "apikey")["config"]["request"]["requestTemplate"]
    inputs = {"caseId": text, "callId": "$input.caseId #end", "durationSeconds": 5, "notes": text, "isPublished": published}
    # optional inputs only when set: airspeed, like Velocity 2's #if, takes "" and false as unset
    want = {k: v for k, v in inputs.items() if k not in ("notes", "isPublished") or v not in ("", False)}
    assert json.loads(render(template, inputs)) == want


def test_export_writes_web_services_definitions(tmp_path: Path) -> None:
    from local.export import export

    written = export(
        out=tmp_path,
        outputs=None,
        account=None,
        region=None,
        prefix="gda",
        integration="webservices",
        api_url="https://x.execute-api.eu-west-1.amazonaws.com/prod/",
        credential="basic",
    )
    assert len(written) == len(all_actions())
    defn = json.loads((tmp_path / "gda-validate-card-payment.webservices.json").read_text())
    assert defn["config"]["request"]["requestUrlTemplate"] == "https://x.execute-api.eu-west-1.amazonaws.com/prod/validate-card-payment"
    assert "x-api-key" not in defn["config"]["request"]["headers"] and defn["secure"] is True


def apply_response(config: dict[str, Any], raw: Any) -> Any:
    """Genesys' response processing: each translation-map JSONPath evaluated on the response (its
    default when the path matches nothing), the results, as JSON, merged into the success template."""
    values = {"rawResult": json.dumps(raw)}
    for name, path in config["translationMap"].items():
        found = jsonpath_ng.parse(path).find(raw)
        assert len(found) <= 1, f"{path} is not a definite path"
        values[name] = json.dumps(found[0].value) if found else config["translationMapDefaults"][name]
    return json.loads(velocity(config["successTemplate"], values))


@pytest.mark.parametrize("pattern", ["full", "selected", "subset"])
@pytest.mark.parametrize(
    "action_id", ["salesforce-get-caller-context-by-ani", "zendesk-get-user-by-phone-number", "salesforce-post-case-comment"]
)
def test_translation_maps_select_the_documented_fields_from_a_real_response(action_id, pattern, api) -> None:
    import jsonschema

    act = all_actions()[action_id]
    defn = web_services_definition(act, f"{api}/{action_id}", "apikey", response=pattern)
    assert contract_problems(defn) == []
    case = next(
        ev
        for ev in event_files(action_id)
        if ev.kind == "direct" and expectations(action_id)[ev.case].get("outcome", "success") == "success"
    )
    raw = httpx.post(f"{api}/{action_id}", json=case.load(), headers={"x-api-key": "ws-key"}, timeout=30).json()
    result = apply_response(defn["config"]["response"], raw)
    jsonschema.Draft4Validator(defn["contract"]["output"]["successSchema"]).validate(result)
    if pattern == "selected":
        assert result == {k: v for k, v in raw.items() if not isinstance(v, (dict, list))}
    if pattern == "subset" and action_id == "salesforce-get-caller-context-by-ani":
        assert set(result) == {"contact", "account", "openCase"} and result["contact"] == raw["contact"]


def test_defaults_apply_when_a_path_does_not_resolve() -> None:
    act = all_actions()["zendesk-get-user-by-user-id"]
    config = web_services_definition(act, "u", "apikey", response="selected")["config"]["response"]
    result = apply_response(config, {"found": False})
    assert result["found"] is False and result["userId"] == 0 and result["name"] == ""
