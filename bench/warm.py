"""Warm overhead: microseconds per invocation of the bundle's own work (parse, validate, map,
one log line), direct and API Gateway events, sandbox processor in-process, against a plain
function doing nothing, in the same run."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from dataactions import log
from local.context import LocalContext
from local.events import apigw_v1_event

N = 20000
EVENT = json.loads((Path(__file__).resolve().parent.parent / "events/validate-card-payment/approved-visa.json").read_text())


class StaticSecrets:
    """Stands in for the Secrets Manager client; the secret is cached after the first call anyway."""

    def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 - boto3's spelling
        return {"SecretString": json.dumps({"processor": "sandbox"})}


def per_call_us(fn, event, ctx, n: int = N) -> float:
    for _ in range(200):
        fn(event, ctx)
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(n // 5):
            fn(event, ctx)
        best = min(best, (time.perf_counter() - t) / (n // 5) * 1e6)
    return best


def plain(event, context):
    return {"approved": True}


def main() -> None:
    from functions import handler_for

    handler = handler_for("validate-card-payment")
    handler.configure({"DA_SECRET_ID": "bench"}, boto3_client=StaticSecrets())
    sink = io.StringIO()
    log.set_stream(sink)
    ctx = LocalContext("bench", 14)
    try:
        plain_us = per_call_us(plain, EVENT, ctx)
        direct_us = per_call_us(handler, EVENT, ctx)
        sink.seek(0)
        sink.truncate()
        apigw_us = per_call_us(handler, apigw_v1_event("validate-card-payment", EVENT), ctx)
    finally:
        log.set_stream(None)
    print(f"plain function:           {plain_us:8.2f} us/call")
    print(f"direct invoke (payment):  {direct_us:8.2f} us/call  (parse, validate, Luhn/brand/expiry, sandbox auth, dump, 1 log line)")
    print(f"API Gateway v1 (payment): {apigw_us:8.2f} us/call  (+ body JSON parse and response JSON)")
