"""Every benchmark runs in short mode (a few rounds) so a broken one fails CI. Figures are printed,
never asserted: the machine is shared and noisy. What is checked is that each benchmark completed
and printed a figure on every line it promises.

Each runs as ``./dev bench --short <name>`` does, in its own interpreter: benchmarks start the
local stand-ins (moto keeps its state per process) and reconfigure handlers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.__main__ import ALL
from functions import all_actions

ROOT = Path(__file__).resolve().parents[2]

NUMBER = re.compile(r"\d+\.\d+")


def figure_lines(out: str, *labels: str) -> None:
    """Each label starts or appears on a printed line that carries a figure."""
    lines = out.splitlines()
    for label in labels:
        hits = [line for line in lines if label in line]
        assert hits, f"no line for {label!r} in:\n{out}"
        assert any(NUMBER.search(line.replace(label, "")) for line in hits), f"no figure on the line for {label!r}: {hits}"


def run(name: str, code: str | None = None) -> str:
    """stdout of ``python -m bench --short <name>`` (or of ``code``); fails with its stderr."""
    argv = [sys.executable, "-m", "bench", "--short", name] if code is None else [sys.executable, "-c", code]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, f"{name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-5000:]}"
    return done.stdout


def test_every_benchmark_has_a_test() -> None:
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_") and name != "test_every_benchmark_has_a_test"}
    assert set(ALL) == tested


@pytest.mark.slow
def test_cold() -> None:
    out = run("cold")
    modules = sorted({a.module for a in all_actions().values() if "soap" not in a.backend.layers})
    figure_lines(
        out, "bare interpreter", "naive stack", *modules, "pydantic alone", "httpx (first HTTP call)", "phonenumbers (first phone lookup)"
    )
    from bench.cold import FIRST_ANSWER

    figure_lines(out, *(f"{family} ({action_id})" for family, (action_id, _) in FIRST_ANSWER.items()))


def test_warm() -> None:
    figure_lines(run("warm"), "plain function:", "direct invoke (payment):", "API Gateway v1 (payment):")


@pytest.mark.slow
def test_lookup() -> None:
    out = run("lookup")
    lookups = [a.id for a in all_actions().values() if a.backend.kind != "payments"]
    assert any("soap" in a.backend.layers for a in all_actions().values()), "the SOAP lookups are part of this benchmark"
    figure_lines(out, *lookups)


@pytest.mark.slow
def test_soap() -> None:
    out = run("soap")
    figure_lines(out, "JSON -> envelope (RecordPayment)", "envelope -> JSON (GetAccount")


@pytest.mark.slow
def test_package() -> None:
    from infra.build import layer_names

    out = run("package")
    used = sorted({layer for a in all_actions().values() for layer in a.backend.layers})
    assert set(used) <= set(layer_names())
    figure_lines(out, *(f"layer {name}" for name in used), "code asset (functions/)")


@pytest.mark.slow
def test_presence() -> None:
    out = run("presence")
    figure_lines(
        out,
        "engine decision per event",
        "DynamoDB operations per message",
        "CXone -> Salesforce",
        "Salesforce -> CXone",
        "vendor writes per real change",
    )


def test_publish() -> None:
    out = run("publish")
    assert "first publish" in out and "re-publish" in out and re.search(r"every action +\d+ \| +\d+", out), out


@pytest.mark.slow
def test_exsync() -> None:
    out = run("exsync")
    figure_lines(out, "  user ", "  queue ", "wall time", "budget share")
    assert "nothing changed: nothing-to-do, 0 Genesys calls" in out, out


@pytest.mark.slow
def test_exsync_feeds() -> None:
    out = run("exsync_feeds")
    figure_lines(
        out,
        "delay p50, s",
        "Genesys calls per state change",
        "idle poll: DynamoDB items written",
        "inject one interaction, ms",
        "upload one recording, ms",
        "events per agent-state call",
        "tracemalloc peak MB",
    )
