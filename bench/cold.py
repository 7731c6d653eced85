"""Cold start: a fresh interpreter importing a handler module (with all its init, no network),
minus a bare interpreter, against the naive stack (powertools parser + httpx + boto3), interleaved."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

RUNS = 21
# Every process runs with cached bytecode, as a layer compiled for its runtime would.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
NAIVE = "from aws_lambda_powertools.utilities.parser import parse; import httpx, boto3"


def samples(imports: dict[str, str], runs: int = RUNS) -> dict[str, list[float]]:
    """Wall ms of a fresh process per key and round, the keys run round-robin so drift hits all alike."""
    # os._exit: a Lambda container never tears the interpreter down, so neither do we here.
    codes = {k: f"{v}; import os; os._exit(0)" for k, v in imports.items()}
    for code in codes.values():  # warm the .pyc files and the page cache first
        subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
    out: dict[str, list[float]] = {k: [] for k in codes}
    for _ in range(runs):
        for key, code in codes.items():
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", code], check=True, env=ENV)
            out[key].append((time.perf_counter() - t) * 1000)
    return out


def measure(modules: list[str]) -> dict[str, float]:
    """Median ms per import over RUNS fresh processes."""
    found = samples({"bare": "pass", "naive": NAIVE, **{m: f"import {m}" for m in modules}})
    return {k: statistics.median(v) for k, v in found.items()}


def main() -> None:
    from functions import all_actions

    # SOAP actions are measured against zeep's own import in bench/soap.py
    modules = sorted({a.module for a in all_actions().values() if "soap" not in a.backend.layers})
    m = measure(modules + ["httpx", "phonenumbers"])
    bare, naive = m["bare"], m["naive"] - m["bare"]
    print(f"bare interpreter: {bare:.1f} ms (subtracted below); {RUNS} runs each, medians")
    print(f"naive stack ({NAIVE}): {naive:.1f} ms")
    for mod in modules:
        own = m[mod] - bare
        print(f"{mod:36} {own:6.1f} ms   {own / naive:.2f} x naive")
    print("imported lazily on the first invocation that needs them (not in the figures above):")
    print(f"  {'httpx (first HTTP call)':34} {m['httpx'] - bare:6.1f} ms")
    print(f"  {'phonenumbers (first phone lookup)':34} {m['phonenumbers'] - bare:6.1f} ms")
