"""``./dev bench [--short] [cold|warm|lookup|soap|package|presence|publish|exsync|exsync_feeds ...]``: the benchmarks print figures.

Every benchmark module has ``main(short: bool = False) -> None``; ``--short`` runs a few rounds
(seconds, not minutes), which is how the test suite runs every benchmark (tests/bench/).
"""

from __future__ import annotations

import importlib
import sys

ALL = ["cold", "warm", "lookup", "soap", "package", "presence", "publish", "exsync", "exsync_feeds"]


def run(name: str, short: bool = False) -> None:
    """Run one benchmark's main (its figures go to stdout)."""
    bench_main = importlib.import_module(f"bench.{name}").main
    if short:
        bench_main(short=True)
    else:
        bench_main()


def main(argv: list[str]) -> int:
    short = "--short" in argv
    names = [a for a in argv if a != "--short"] or ALL
    unknown = [n for n in names if n not in ALL]
    if unknown:
        print(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(ALL)} (and --short)")
        return 2
    for name in names:
        print(f"\n=== {name}{' (short)' if short else ''} ===", flush=True)
        run(name, short)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
