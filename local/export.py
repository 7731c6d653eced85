"""``./dev export``: one Genesys data action JSON per deployed function, ready to import."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from functions import all_actions
from infra.naming import DEFAULT_CONFIG, display_name, function_arn, function_name, output_key
from local.genesys import contract_problems, definition, web_services_definition

if TYPE_CHECKING:
    from pathlib import Path

CONFIG_OUTPUT = "BackendConfig"  # each backend stack outputs "<kind>:<config>"


def targets_from_outputs(outputs: Path) -> list[tuple[str, str, str]]:
    """(action id, config, alias ARN) for every function in a ``cdk deploy --outputs-file`` file."""
    acts = all_actions()
    found = []
    for stack in json.loads(outputs.read_text()).values():
        if CONFIG_OUTPUT not in stack:
            continue
        kind, config = stack[CONFIG_OUTPUT].split(":", 1)
        for act in acts.values():
            arn = stack.get(output_key(act.id, config))
            if act.backend.kind == kind and arn:
                found.append((act.id, config, arn))
    return found


def export(*, out: Path, outputs: Path | None, account: str | None, region: str | None, prefix: str,
           partition: str = "aws", configs: list[str] = (), integration: str = "lambda",
           api_url: str | None = None, credential: str = "apikey", response: str = "full") -> list[Path]:
    acts = all_actions()
    if integration == "webservices":
        return export_web_services(out=out, outputs=outputs, api_url=api_url, prefix=prefix, configs=configs, credential=credential, response=response)
    if outputs is not None:
        targets = targets_from_outputs(outputs)
        if not targets:
            raise SystemExit(f"no function ARNs found in {outputs}; was it written by 'cdk deploy --outputs-file'?")
    else:
        if not (account and region):
            raise SystemExit("give --outputs cdk-outputs.json, or --account and --region")
        pairs = [(a.id, DEFAULT_CONFIG) for a in acts.values()]
        for spec in configs:
            kind, _, name = spec.partition(":")
            pairs += [(a.id, name) for a in acts.values() if a.backend.kind == kind]
        targets = [(aid, cfg, function_arn(account, region, function_name(prefix, aid, cfg), partition)) for aid, cfg in pairs]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for action_id, config, arn in targets:
        act = acts[action_id]
        defn = definition(act, arn, display_name(act.name, config))
        problems = contract_problems(defn)
        if problems:
            raise SystemExit(f"{action_id}: definition breaks Genesys contract rules: {'; '.join(problems)}")
        path = out / f"{function_name(prefix, action_id, config)}.json"
        path.write_text(json.dumps(defn, indent=2) + "\n")
        written.append(path)
    return written


def export_web_services(*, out: Path, outputs: Path | None, api_url: str | None, prefix: str, configs: list[str] = (),
                        credential: str = "apikey", response: str = "full") -> list[Path]:
    """One ``custom-rest-actions`` definition per API route (base URL from --api-url or the ApiUrl output)."""
    from infra.naming import route_path

    acts = all_actions()
    pairs = [(a.id, DEFAULT_CONFIG) for a in acts.values()]
    if outputs is not None:
        data = json.loads(outputs.read_text())
        api_url = api_url or next((s["ApiUrl"] for s in data.values() if "ApiUrl" in s), None)
        pairs = [(aid, cfg) for aid, cfg, _ in targets_from_outputs(outputs)]
    for spec in configs:
        kind, _, name = spec.partition(":")
        pairs += [(a.id, name) for a in acts.values() if a.backend.kind == kind]
    if not api_url:
        raise SystemExit("give --api-url https://<api>/prod/ or --outputs cdk-outputs.json (its ApiUrl)")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for action_id, config in pairs:
        act = acts[action_id]
        url = f"{api_url.rstrip('/')}/{route_path(action_id, config)}"
        defn = web_services_definition(act, url, credential, display_name(act.name, config), response)
        problems = contract_problems(defn)
        if problems:
            raise SystemExit(f"{action_id}: definition breaks Genesys contract rules: {'; '.join(problems)}")
        path = out / f"{function_name(prefix, action_id, config)}.webservices.json"
        path.write_text(json.dumps(defn, indent=2) + "\n")
        written.append(path)
    return written
