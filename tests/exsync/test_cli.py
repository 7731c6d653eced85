"""``./dev exsync ...`` and the demo, as a user runs them (their own process: the stand-ins and
moto start and stop with the command)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def dev(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "local", *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_plan_lists_what_would_be_done_and_why() -> None:
    done = dev("exsync", "plan", "--agents", "6", "--show", "30")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "operations planned" in out and "(nothing written)" in out
    assert "users" in out and "create" in out
    assert "user 1001" in out and "new in CXone" in out  # users by CXone id: never a person's name or email
    assert "@" not in out
    assert "rejected   status 206" in out and "ACW" in out


def test_apply_then_a_second_run_writes_nothing() -> None:
    done = dev("exsync", "apply", "--agents", "6")
    assert done.returncode == 0, done.stderr
    assert "second run (nothing changed in CXone): nothing-to-do, 0 Genesys writes, 0 calls" in done.stdout


def test_mapping_documents_are_shown_and_validated(tmp_path) -> None:
    shown = dev("exsync", "mapping", "show")
    doc = json.loads(shown.stdout)
    assert doc["divisions"]["mode"] == "teams" and doc["users"]["title"] == "profileName"
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps({"divisions": {"mode": "single", "name": "Contact Center"}}))
    bad.write_text(json.dumps({"statuses": {"default": "Offline"}}))
    assert dev("exsync", "mapping", "validate", str(good)).returncode == 0
    refused = dev("exsync", "mapping", "validate", str(bad))
    assert refused.returncode == 1 and "statuses: Value error, system presence 'Offline' cannot hold secondary statuses" in refused.stderr


def test_the_demo_runs_as_expected() -> None:
    small = "{'agents': 120, 'skills': 16, 'queue_skills': 8, 'languages': 3, 'teams': 4, 'dispositions': 8}"
    code = f"import local.demos.exsync as d; d.SIZE = {small}; raise SystemExit(d.run(False))"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "as expected" in done.stdout and "restored" in done.stdout
    assert "nothing changed since: nothing-to-do, 0 Genesys calls" in done.stdout
    part2 = done.stdout.split("--- part 2", 1)[1]
    assert "Lunch" in part2 and "INTERACTING" in part2 and "transfer Unattended" in part2
    assert "recordings uploaded to Genesys: 2" in part2 and "the next contacts poll: nothing-to-do, 0 Genesys calls" in part2


def test_backfill_syncs_a_day_once_and_says_so_when_run_again() -> None:
    done = dev("exsync", "backfill", "--from", "2026-11-20", "--to", "2026-11-21")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "8 contacts read, 6 chains queued (done)" in out
    assert out.count("recording uploaded") == 4 and "transfer-blind-queue" in out and "consult" in out
    assert "the same command again: done before" in out
    assert "with --again: 8 contacts read, 6 chains already injected, 0 queued, 0 Genesys calls" in out
    assert "@" not in out.split("conversation", 1)[0]  # the records name CXone contact ids, not addresses


def test_a_backfill_window_that_makes_no_sense_is_refused_before_anything_starts() -> None:
    backwards = dev("exsync", "backfill", "--from", "2026-11-21", "--to", "2026-11-20")
    assert backwards.returncode == 2 and "--to must be after --from" in backwards.stderr
    word = dev("exsync", "backfill", "--from", "yesterday", "--to", "2026-11-20")
    assert word.returncode == 2 and "give a UTC date YYYY-MM-DD" in word.stderr and "Traceback" not in word.stderr
