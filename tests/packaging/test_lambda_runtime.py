"""Packaging: the code asset and layers, built exactly as the stack builds them (for this machine's
architecture), run by the real AWS Lambda Runtime Interface Client against a local Runtime API.
The client's own environment has no project dependencies: everything must come from the layer
(``opt/python``, as Lambda lays it out) and the code asset (``LAMBDA_TASK_ROOT``)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from functions import all_actions
from tests.packaging.runtime_api import RuntimeApi

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events"


def first_event(action_id: str, kind_suffix: str) -> tuple[str, dict]:
    expected = json.loads((EVENTS / action_id / "expected.json").read_text())
    for case, exp in expected.items():
        path = EVENTS / action_id / f"{case}{kind_suffix}"
        if exp.get("outcome", "success") in ("success", "not_found") and path.exists():
            return case, json.loads(path.read_text())
    raise AssertionError(f"{action_id} has no successful {kind_suffix} event")


def test_there_are_at_least_two_actions_to_package() -> None:
    assert len(all_actions()) >= 2


@pytest.mark.slow
@pytest.mark.parametrize("action_id", list(all_actions()))
def test_action_runs_under_the_real_runtime_interface_client(action_id, ric_python, lambda_root, standins) -> None:
    act = all_actions()[action_id]
    api = RuntimeApi(f"arn:aws:lambda:us-east-1:123456789012:function:gda-{action_id}:live", act.lambda_timeout_seconds)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "LAMBDA_TASK_ROOT": str(lambda_root / "task"),
        "PYTHONPATH": f"{lambda_root / 'task'}:{lambda_root / 'opt' / 'python'}",
        "AWS_LAMBDA_FUNCTION_NAME": f"gda-{action_id}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(act.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_LOG_FORMAT": "Text",
        **standins.environ(act),
    }
    proc = subprocess.Popen(
        [str(ric_python), "-m", "awslambdaric", act.handler],
        cwd=lambda_root / "task",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _, direct = first_event(action_id, ".json")
        kind, payload, _ = api.invoke(direct, {"custom": {"ININ-Correlation-Id": "pkg-test"}})
        assert kind == "response" and isinstance(payload, dict), payload
        schema = act.output_model.model_json_schema(by_alias=True)
        assert set(schema.get("required", [])) <= set(payload) <= set(schema["properties"])
        kind, payload, headers = api.invoke({"definitely": "not the contract"})
        assert kind == "error" and payload["errorType"] == "InvalidInput"
        assert headers.get("Lambda-Runtime-Function-Error-Type", "").startswith("InvalidInput") or payload["errorMessage"].startswith(
            "Invalid input"
        )
        _, apigw = first_event(action_id, ".apigw.json")
        kind, payload, _ = api.invoke(apigw)
        assert kind == "response" and payload["statusCode"] == 200, payload
    finally:
        proc.kill()
        output = proc.communicate(timeout=10)[0]
        api.close()
    assert '"correlationId":"pkg-test"' in output, output[-2000:]
