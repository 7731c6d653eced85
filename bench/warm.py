"""Warm overhead: microseconds per invocation of the bundle's own work (parse, validate, card checks,
map, dump, the one log line), direct and API Gateway events, sandbox processor in-process, against
a plain function doing nothing, in the same run.

Rounds are interleaved (plain, direct, API Gateway, plain, ...), each round a batch of calls; the
figure is the median over rounds, with the middle half of the rounds to show the machine's noise.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dataactions import log
from local.context import LocalContext
from local.events import apigw_v1_event

ROUNDS, BATCH = 25, 2000
SHORT_ROUNDS, SHORT_BATCH = 3, 200
EVENT = json.loads((Path(__file__).resolve().parent.parent / "events/validate-card-payment/approved-visa.json").read_text())


class StaticSecrets:
    """Stands in for the Secrets Manager client; the secret is cached after the first call anyway."""

    def get_secret_value(self, SecretId: str) -> dict:  # noqa: N803 - boto3's spelling
        return {"SecretString": json.dumps({"processor": "sandbox"})}


def plain(event: Any, context: Any) -> dict[str, Any]:
    return {"approved": True}


def batch_us(fn: Callable[[Any, Any], Any], event: Any, ctx: Any, n: int) -> float:
    t = time.perf_counter()
    for _ in range(n):
        fn(event, ctx)
    return (time.perf_counter() - t) / n * 1e6


def measure(rounds: int, batch: int) -> dict[str, list[float]]:
    from functions import handler_for

    handler = handler_for("validate-card-payment")
    handler.configure({"DA_SECRET_ID": "bench"}, boto3_client=StaticSecrets())
    ctx = LocalContext("bench", 14)
    cases: dict[str, tuple[Callable[[Any, Any], Any], Any]] = {
        "plain": (plain, EVENT),
        "direct": (handler, EVENT),
        "apigw": (handler, apigw_v1_event("validate-card-payment", EVENT)),
    }
    sink = io.StringIO()
    log.set_stream(sink)
    try:
        approved = handler(EVENT, ctx)["approved"] and json.loads(handler(cases["apigw"][1], ctx)["body"])["approved"]
        if not approved:
            raise AssertionError("the benchmark event must be approved, or it does not measure the whole path")
        for fn, event in cases.values():  # warm-up
            batch_us(fn, event, ctx, 200)
        out: dict[str, list[float]] = {k: [] for k in cases}
        for _ in range(rounds):
            for key, (fn, event) in cases.items():
                sink.seek(0)
                sink.truncate()
                out[key].append(batch_us(fn, event, ctx, batch))
        lines = sink.getvalue().count("\n")
        if lines != batch:  # one log line per invocation, in every round
            raise AssertionError(f"{lines} log lines for {batch} invocations")
        return out
    finally:
        log.set_stream(None)


def main(short: bool = False) -> None:
    rounds, batch = (SHORT_ROUNDS, SHORT_BATCH) if short else (ROUNDS, BATCH)
    found = measure(rounds, batch)

    def row(label: str, key: str, note: str) -> None:
        v = sorted(found[key])
        q = statistics.quantiles(v, n=4) if len(v) > 1 else v * 3
        print(f"{label:26} {statistics.median(v):7.2f} us/call  (rounds: min {v[0]:.2f}, middle half {q[0]:.2f}-{q[2]:.2f})  {note}")

    print(f"{rounds} interleaved rounds of {batch} calls each; median per-call time over rounds")
    row("plain function:", "plain", "")
    row("direct invoke (payment):", "direct", "parse, validate, Luhn/brand/expiry, sandbox auth, dump, 1 log line")
    row("API Gateway v1 (payment):", "apigw", "+ body JSON parse and response JSON")
