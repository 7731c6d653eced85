"""Sync functions under the real runtime interface client, with the layers as Lambda lays them out
(core + sync: powertools from the layer, boto3 from the "runtime"), against moto: an EventBridge
event in, an SQS batch with partial-batch failures and idempotency out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from local.presence import PresenceLab
from tests.packaging.runtime_api import RuntimeApi

pytestmark = pytest.mark.slow


def run_under_ric(fn_id: str, env: dict[str, str], root: Path, python: Path, events: list[dict]) -> tuple[list, str]:
    from functions import all_syncs

    fn = all_syncs()[fn_id]
    api = RuntimeApi(f"arn:aws:lambda:us-east-1:123456789012:function:gda-{fn_id}", fn.timeout_seconds)
    boto = Path(sys.modules["boto3"].__file__).parents[1]  # the runtime provides boto3, botocore, jmespath
    full = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "LAMBDA_TASK_ROOT": str(root / "task"),
        "PYTHONPATH": f"{root / 'task'}:{root / 'opt' / 'python'}:{root / 'runtime'}",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_mb),
        "AWS_LAMBDA_FUNCTION_VERSION": "1",
        "AWS_LAMBDA_LOG_FORMAT": "Text",
        **env,
    }
    runtime = root / "runtime"
    if not runtime.exists():
        runtime.mkdir()
        for pkg in ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six.py"):
            src = boto / pkg
            if src.exists():
                (runtime / pkg).symlink_to(src)
    proc = subprocess.Popen(
        [str(python), "-m", "awslambdaric", fn.handler],
        cwd=root / "task",
        env=full,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        results = [api.invoke(event) for event in events]
    finally:
        proc.kill()
        output = proc.communicate(timeout=10)[0]
        api.close()
    return results, output


def test_ingest_and_apply_run_from_the_layers(standins, lambda_root, ric_python) -> None:
    assert (lambda_root / "opt" / "python" / "syncs" / "entry.py").exists()
    assert (lambda_root / "opt" / "python" / "aws_lambda_powertools").exists()
    assert not (lambda_root / "opt" / "python" / "jmespath").exists()  # the runtime's own copy serves it
    lab = PresenceLab(standins, "genesys", "pkg")
    lab.push_rules(
        {"platform": "genesys", "ruleSets": {"default": {"publisher": [], "subscriber": []}}, "assignments": {"organization": "default"}}
    )
    org = lab.cc.org
    from local.standins.genesys.org import USER_ALICE

    org.set_presence(USER_ALICE, org.definition_id("Away"))
    [(_, envelope)] = lab.pending
    fns = {fn.id: fn for fn in lab.sync.functions()}
    env = {k: v for k, v in lab.sync.environ(fns["presence-genesys-events"]).items()}
    [(kind, payload, _)], output = run_under_ric("presence-genesys-events", env, lambda_root, ric_python, [envelope])
    assert kind == "response" and payload["outcome"] == "queued", (payload, output[-2000:])
    got = lab.sync.sqs.receive_message(QueueUrl=lab.sync.queue_urls["changes"], MaxNumberOfMessages=10, AttributeNames=["All"])
    [message] = got["Messages"]
    assert message["Attributes"]["MessageGroupId"] == USER_ALICE
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": message["Attributes"],
        "messageAttributes": {},
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q.fifo",
        "awsRegion": "us-east-1",
    }
    bad = {**record, "messageId": "bad-1", "body": json.dumps({"nonsense": True})}
    env = lab.sync.environ(fns["presence-apply"])
    results, output = run_under_ric("presence-apply", env, lambda_root, ric_python, [{"Records": [record, bad]}, {"Records": [record]}])
    (k1, p1, _), (k2, p2, _) = results
    assert k1 == "response" and p1 == {"batchItemFailures": []}, output[-3000:]  # the invalid one went to the DLQ directly
    assert k2 == "response" and p2 == {"batchItemFailures": []}
    lines = [json.loads(line) for line in output.splitlines() if line.startswith('{"level"')]
    outcomes = [(line["function"], line["outcome"]) for line in lines]
    assert ("presence-apply", "unmapped") in outcomes and ("presence-apply", "invalid_message") in outcomes
    assert ("presence-apply", "duplicate") in outcomes  # the same message again: powertools idempotency from the layer
    assert lab.sync.dead_letters("changes") == [{"invalidBody": json.dumps({"nonsense": True})}]
