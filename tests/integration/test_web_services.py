"""Web services export: the request template, rendered the way Genesys renders Velocity (input
substitution, $esc.jsonString, #if for optional inputs), is a body the local API accepts."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import httpx
import pytest

from definitions.contracts import contract_problems
from definitions.web_services import web_services_definition
from functions import all_actions
from local.api import make_server
from local.events import event_files, expectations


def render(template: str, inputs: dict) -> str:
    """A small Velocity subset: enough for the templates export writes (#if on an input, #set/$sep)."""

    def esc(value) -> str:
        return json.dumps(str(value))[1:-1]

    state = {"sep": ""}

    def run(chunk: str) -> str:  # #set($sep = "...") and $sep, in order
        def step(m: re.Match) -> str:
            if m.group(1) is not None:
                state["sep"] = m.group(1)
                return ""
            return state["sep"]

        return re.sub(r'#set\(\$sep = "(.*?)"\)|\$sep\b', step, chunk)

    parts, pos = [], 0
    for m in re.finditer(r"#if\(\$input\.(\w+)\)(.*?)#end", template):
        parts.append(run(template[pos : m.start()]))
        if inputs.get(m.group(1)) not in (None, ""):
            parts.append(run(m.group(2)))
        pos = m.end()
    parts.append(run(template[pos:]))
    text = "".join(parts)
    text = re.sub(r"\$esc\.jsonString\(\$input\.(\w+)\)", lambda m: esc(inputs[m.group(1)]), text)
    return re.sub(r"\$\{input\.(\w+)\}", lambda m: json.dumps(inputs[m.group(1)]), text)


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


def jsonpath(doc, path: str):
    """``$.a.b`` paths (what the exported translation maps use); KeyError when it does not resolve."""
    value = doc
    for part in path.removeprefix("$.").split("."):
        value = value[part]
    return value


def apply_response(config: dict, raw: dict) -> dict:
    """Genesys' response processing: translation map (defaults when a path does not resolve),
    then ${name} substitution into the success template."""
    if config["successTemplate"] == "${rawResult}":
        return raw
    values = {}
    for name, path in config["translationMap"].items():
        try:
            values[name] = json.dumps(jsonpath(raw, path))
        except KeyError:
            values[name] = config["translationMapDefaults"][name]
    return json.loads(re.sub(r"\$\{(\w+)\}", lambda m: values[m.group(1)], config["successTemplate"]))


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
