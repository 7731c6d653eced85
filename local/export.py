"""``./dev export``: one Genesys data action JSON per deployed function, ready to import."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from definitions.contracts import contract_problems
from definitions.lambda_integration import definition
from definitions.naming import DEFAULT_CONFIG, display_name, function_arn, function_name, output_key
from definitions.web_services import web_services_definition
from functions import all_actions

if TYPE_CHECKING:
    from collections.abc import Sequence
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


def export(
    *,
    out: Path,
    outputs: Path | None,
    account: str | None,
    region: str | None,
    prefix: str,
    partition: str = "aws",
    configs: Sequence[str] = (),
    integration: str = "lambda",
    api_url: str | None = None,
    credential: str = "apikey",
    response: str = "full",
) -> list[Path]:
    acts = all_actions()
    if integration == "webservices":
        return export_web_services(
            out=out, outputs=outputs, api_url=api_url, prefix=prefix, configs=configs, credential=credential, response=response
        )
    if outputs is not None:
        targets = targets_from_outputs(outputs)
        if not targets:
            raise SystemExit(f"no function ARNs found in {outputs}; was it written by 'cdk deploy --outputs-file'?")
    else:
        if not (account and region):
            raise SystemExit("give --outputs cdk-outputs.json, or --account and --region")
        pairs = _default_pairs(configs)
        targets = [(aid, cfg, function_arn(account, region, function_name(prefix, aid, cfg), partition)) for aid, cfg in pairs]
    return _write(
        out,
        prefix,
        ".json",
        [
            (action_id, config, definition(acts[action_id], arn, display_name(acts[action_id].name, config)))
            for action_id, config, arn in targets
        ],
    )


def _default_pairs(configs: Sequence[str], base: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """(action id, config): every action's default configuration (or ``base``), plus each BACKEND:NAME."""
    acts = all_actions()
    pairs = list(base) if base is not None else [(a.id, DEFAULT_CONFIG) for a in acts.values()]
    for spec in configs:
        kind, _, name = spec.partition(":")
        pairs += [(a.id, name) for a in acts.values() if a.backend.kind == kind]
    return pairs


def _write(out: Path, prefix: str, suffix: str, items: list[tuple[str, str, dict]]) -> list[Path]:
    """Check each definition against the Genesys contract rules, then write it."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for action_id, config, defn in items:
        problems = contract_problems(defn)
        if problems:
            raise SystemExit(f"{action_id}: definition breaks Genesys contract rules: {'; '.join(problems)}")
        path = out / f"{function_name(prefix, action_id, config)}{suffix}"
        path.write_text(json.dumps(defn, indent=2) + "\n")
        written.append(path)
    return written


def export_web_services(
    *,
    out: Path,
    outputs: Path | None,
    api_url: str | None,
    prefix: str,
    configs: Sequence[str] = (),
    credential: str = "apikey",
    response: str = "full",
) -> list[Path]:
    """One ``custom-rest-actions`` definition per API route (base URL from --api-url or the ApiUrl output)."""
    from definitions.naming import route_path

    acts = all_actions()
    base = None
    if outputs is not None:
        data = json.loads(outputs.read_text())
        api_url = api_url or next((s["ApiUrl"] for s in data.values() if "ApiUrl" in s), None)
        base = [(aid, cfg) for aid, cfg, _ in targets_from_outputs(outputs)]
    if not api_url:
        raise SystemExit("give --api-url https://<api>/prod/ or --outputs cdk-outputs.json (its ApiUrl)")
    return _write(
        out,
        prefix,
        ".webservices.json",
        [
            (
                aid,
                cfg,
                web_services_definition(
                    acts[aid], f"{api_url.rstrip('/')}/{route_path(aid, cfg)}", credential, display_name(acts[aid].name, cfg), response
                ),
            )
            for aid, cfg in _default_pairs(configs, base)
        ],
    )
