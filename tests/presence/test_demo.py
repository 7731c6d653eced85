"""The presence demo (./dev demo presence) plays its scripted day and every step goes as expected.

Run as ./dev runs it, in its own interpreter: moto keeps one store per process, and the demo starts
its own stand-ins."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_scripted_day_goes_as_expected() -> None:
    done = subprocess.run([sys.executable, "-m", "local", "demo", "presence"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "presence demo: all steps as expected" in done.stdout
    for shown in ("held", "released", "echo", "stale", "duplicate delivery", "breaker-tripped", "PREVIOUS_STATE"):
        assert shown in done.stdout
