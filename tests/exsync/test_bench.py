"""The EX sync benchmark in its short mode (seconds): it runs and prints its figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_benchmark_short_mode_prints_its_figures() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import bench.exsync as b; b.main(short=True)"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    print(out)
    assert "initial sync: Genesys calls per synced object" in out and "budget share" in out
    assert "results: " in out and "failed 0" in out
    assert "nothing changed: nothing-to-do, 0 Genesys calls" in out
