"""Cold start as Lambda lays the code out (bench/layout.py: isolated interpreters with only the
built layers, the code asset and the runtime's boto3 on their path), ours against the naive stack
in the same kind of interpreter, rounds interleaved so drift on a shared machine hits all alike.

* import: a fresh interpreter importing a handler module (all its init, no network), minus a bare
  interpreter, against one importing the naive stack (powertools parser + httpx + boto3);
* new container to first answer, per lookup family: import plus the first invocation (settings,
  secret, token request, new connection, the lookup, the log line) against the local stand-ins,
  against a naive implementation of the same lookup (bench/naive.py) in the same run; both
  answers are checked against the event's expected output.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.layout import Layout

RUNS = 21
SHORT_RUNS = 2
FIRST_RUNS = 11
# Development-virtualenv interpreters (samples(), used by bench/soap.py) run with cached bytecode too.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
NAIVE = "from aws_lambda_powertools.utilities.parser import parse; import httpx, boto3"
# pydantic's plugin discovery replaced by "no plugins" as dataactions does (see its __init__)
PYDANTIC = (
    "import types\nloader = types.ModuleType('pydantic.plugin._loader')\nloader.get_plugins = lambda: ()\n"
    "sys.modules[loader.__name__] = loader\n"
    "from pydantic import BaseModel, Field\nclass M(BaseModel):\n    a: int = Field(1, ge=0)\nM(a=2)"
)
# One lookup per family, the naive handler doing the same (bench/naive.py), the event case.
FIRST_ANSWER = {
    "genesys": ("get-user-presence", "genesys"),
    "salesforce": ("salesforce-get-contact-by-phone-number", "salesforce"),
    "dynamics": ("dynamics-get-contact-by-phone-number", "dynamics"),
    "zendesk": ("zendesk-get-user-by-phone-number", "zendesk"),
    "google": ("google-get-customer-by-phone-number", "google"),
}


def run_rounds(commands: dict[str, list[str]], runs: int, env: dict[str, str] | None = None, warm: bool = True) -> dict[str, list[float]]:
    """Wall ms of each command per round, the commands run round-robin; each runs once untimed first
    (page cache, bytecode) unless ``warm`` is false."""
    for argv in commands.values() if warm else ():
        subprocess.run(argv, check=True, env=env, capture_output=True)
    out: dict[str, list[float]] = {k: [] for k in commands}
    for _ in range(runs):
        for key, argv in commands.items():
            t = time.perf_counter()
            subprocess.run(argv, check=True, env=env, capture_output=True)
            out[key].append((time.perf_counter() - t) * 1000)
    return out


def samples(imports: dict[str, str], runs: int = RUNS) -> dict[str, list[float]]:
    """Wall ms of a fresh development-virtualenv process per key and round (kept for bench/soap.py)."""
    # os._exit: a Lambda container never tears the interpreter down, so neither do we here.
    return run_rounds({k: [sys.executable, "-c", f"{v}; import os; os._exit(0)"] for k, v in imports.items()}, runs, ENV)


def spread(values: list[float]) -> str:
    """The middle half of a sample, as 'q1-q3'."""
    q = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return f"{q[0]:.2f}-{q[2]:.2f}"


def imports(runs: int, warm: bool = True) -> None:
    from bench import layout
    from functions import all_actions

    # SOAP actions are measured against zeep's own import in bench/soap.py.
    modules = {a.module: a.backend.layers for a in all_actions().values() if "soap" not in a.backend.layers}
    base = layout.ours(("core",))
    phone = layout.ours(("core", "phone"))
    exit_ = "; import os; os._exit(0)"  # a Lambda container never tears the interpreter down
    commands = {
        "bare": base.command("pass" + exit_),
        "naive": layout.naive().command(NAIVE + exit_),
        **{m: layout.ours(layers).command(f"import {m}" + exit_) for m, layers in sorted(modules.items())},
        # the floor of any handler with pydantic contracts: pydantic itself, building one small model
        "pydantic": base.command(PYDANTIC + exit_),
        "httpx": base.command("import httpx" + exit_),
        "phonenumbers": phone.command("import phonenumbers" + exit_),
    }
    found = run_rounds(commands, runs, warm=warm)
    bare = found["bare"]
    own = {k: [v - b for v, b in zip(vs, bare)] for k, vs in found.items()}
    naive = own["naive"]
    print(f"isolated interpreters (python -I -S) in the Lambda layout, {runs} interleaved rounds, medians;")
    print(f"bare interpreter {statistics.median(bare):.1f} ms, subtracted below (its middle half {spread(bare)} ms)")
    print(f"naive stack ({NAIVE}): {statistics.median(naive):.1f} ms (middle half {spread(naive)})")
    print(f"{'handler module import':40} {'ms':>7}  {'x naive':>7}  {'per-round ratio, middle half':>28}")
    for m in sorted(modules):
        ratios = [a / n for a, n in zip(own[m], naive)]
        print(f"{m:40} {statistics.median(own[m]):7.1f}  {statistics.median(ratios):7.2f}  {spread(ratios):>28}")
    ratios = [p / n for p, n in zip(own["pydantic"], naive)]
    print(
        f"{'pydantic alone (1 model, no plugin scan)':40} {statistics.median(own['pydantic']):7.1f}  {statistics.median(ratios):7.2f}  {spread(ratios):>28}"
    )
    print("loaded on the first invocation that needs them (part of the first answer below):")
    for lib, what in (("httpx", "first HTTP call"), ("phonenumbers", "first phone lookup")):
        print(f"  {lib + ' (' + what + ')':38} {statistics.median(own[lib]):7.1f}")


# The child prints one JSON line last: import ms, first call ms, the answer.
CHILD = """
import json, os, time
class Ctx:
    function_name = "bench-first-answer"
    function_version = "1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:bench-first-answer:live"
    memory_limit_in_mb = 256
    aws_request_id = "bench"
    log_group_name = "/aws/lambda/bench-first-answer"
    log_stream_name = "bench"
    client_context = None
    identity = None
    def get_remaining_time_in_millis(self): return 9000
t0 = time.perf_counter()
import {module} as m
t1 = time.perf_counter()
out = m.{attribute}({event!r}, Ctx())
t2 = time.perf_counter()
print("\\n" + json.dumps([(t1 - t0) * 1000, (t2 - t1) * 1000, out]), flush=True)
os._exit(0)
"""


def _child(layout: Layout, module: str, attribute: str, event: dict[str, Any], env: dict[str, str]) -> tuple[float, float, Any]:
    argv = layout.command(CHILD.format(module=module, attribute=attribute, event=event))
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{module}.{attribute} failed:\n{done.stderr[-3000:]}")
    imp, call, out = json.loads(done.stdout.strip().splitlines()[-1])
    return imp, call, out


def _contains(actual: Any, expected: Any) -> bool:
    """Every expected key/value is in the answer (lists element by element)."""
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _contains(actual[k], v) for k, v in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(actual) == len(expected) and all(map(_contains, actual, expected))
    return actual == expected


def first_answers(runs: int, warm: bool = True) -> None:
    from bench import layout
    from functions import all_actions
    from local.events import ROOT as EVENTS
    from local.standins import StandIns

    acts = all_actions()
    naive = layout.naive()
    with StandIns(set(FIRST_ANSWER)) as standins:
        cases = {}
        for family, (action_id, _) in FIRST_ANSWER.items():
            act = acts[action_id]
            expected = json.loads((EVENTS / action_id / "expected.json").read_text())
            case = next(c for c, e in expected.items() if e.get("outcome", "success") == "success")
            env = {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                **standins.environ(act),
                # the naive function reads its secret with boto3 (moto's Secrets Manager behind the
                # same stand-in); nothing from this machine's AWS configuration
                "AWS_ENDPOINT_URL_SECRETS_MANAGER": standins.moto_url,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent",
                "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                "AWS_EC2_METADATA_DISABLED": "true",
            }
            event = json.loads((EVENTS / action_id / f"{case}.json").read_text())
            cases[family] = (act, layout.ours(act.backend.layers), event, expected[case].get("output", {}), env)
        results: dict[str, dict[str, list[tuple[float, float]]]] = {f: {"ours": [], "naive": []} for f in cases}
        for round_ in range(0 if warm else 1, runs + 1):  # round 0 warms the page cache and the local servers, untimed
            for family, (act, ours, event, expected, env) in cases.items():
                for side, argv in (("ours", (ours, act.module, act.attribute)), ("naive", (naive, "naive", FIRST_ANSWER[family][1]))):
                    imp, call, out = _child(*argv, event, env)
                    if not _contains(out, expected):
                        raise AssertionError(f"{side} {act.id} answered {out!r}, expected {expected!r}")
                    if round_:
                        results[family][side].append((imp, call))
    print("new container to first answer (import + first call: secret, token, new connection, lookup, log line),")
    print(f"local stand-ins on loopback, {runs} interleaved rounds of fresh isolated interpreters, medians in ms")
    print(f"{'family (action)':52} {'ours: import + call = total':>28} {'naive: import + call = total':>29} {'x naive':>7}  middle half")
    for family, sides in results.items():
        o, n = sides["ours"], sides["naive"]
        ratios = [(a + b) / (c + d) for (a, b), (c, d) in zip(o, n)]

        def fmt(s: list[tuple[float, float]]) -> str:
            imp, call = statistics.median(x[0] for x in s), statistics.median(x[1] for x in s)
            return f"{imp:6.1f} + {call:6.1f} = {statistics.median(x[0] + x[1] for x in s):6.1f}"

        label = f"{family} ({FIRST_ANSWER[family][0]})"
        print(f"{label:52} {fmt(o):>28} {fmt(n):>29} {statistics.median(ratios):7.2f}  {spread(ratios)}")


def main(short: bool = False) -> None:
    imports(SHORT_RUNS if short else RUNS, warm=not short)
    print()
    first_answers(1 if short else FIRST_RUNS, warm=not short)


if __name__ == "__main__":
    main("--short" in sys.argv)
