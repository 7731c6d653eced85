"""The sync services' demos, one module per sync family (``local/demos/<kind>.py`` with ``TITLE``
and ``run(verbose: bool) -> int``): each starts what it needs, plays a scripted scenario through
the real functions on the stand-ins and moto, prints what happened, and returns 0 when everything
went as expected. ``./dev demo`` runs the data actions and then every demo; ``./dev demo <kind>``
runs one."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def demos() -> dict[str, ModuleType]:
    """Demo module by sync family kind, in a stable order."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "run"):
            found[info.name] = module
    return found


def run(kinds: list[str], verbose: bool = False) -> int:
    """Run the named demos (every one when empty); non-zero when any did not go as expected."""
    available = demos()
    failed = 0
    for kind in kinds or list(available):
        module = available[kind]
        print(f"\n=== {module.TITLE} ===\n", flush=True)
        failed += 1 if module.run(verbose) else 0
    return 1 if failed else 0
