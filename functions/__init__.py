"""The shared Lambda code asset: one package per backend family (``actions`` module: data
actions) or sync family (``syncs`` module: event-driven sync functions).

:func:`all_actions` and :func:`all_syncs` are the registries everything else derives from
(infra, export, local runs, demo, docs, event checks).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataactions.declaration import Action, Backend
    from syncs.declaration import SyncFamily, SyncFunction
    from syncs.entry import SyncHandler


@cache
def all_actions() -> dict[str, Action]:
    """Every declared action by id, found by importing ``functions.<family>.actions``."""
    import importlib
    import importlib.util
    import pkgutil  # imported here, not at module level: handlers never pay for the registry

    from dataactions.entry import Handler

    found: dict[str, Action] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg or importlib.util.find_spec(f"{__name__}.{info.name}.actions") is None:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}.actions")
        for value in vars(module).values():
            if isinstance(value, Handler):
                if value.action.id in found:
                    raise ValueError(f"duplicate action id {value.action.id}")
                found[value.action.id] = value.action
    return found


def handler_for(action_id: str):  # -> Handler
    """The Lambda handler object of one action (what the handler string resolves to)."""
    import importlib

    act = all_actions()[action_id]
    return getattr(importlib.import_module(act.module), act.attribute)


@cache
def all_syncs() -> dict[str, SyncFunction[Any]]:
    """Every declared sync function by id, found by importing ``functions.<family>.syncs``."""
    import importlib
    import importlib.util
    import pkgutil

    from syncs.entry import SyncHandler

    found: dict[str, SyncFunction[Any]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg or importlib.util.find_spec(f"{__name__}.{info.name}.syncs") is None:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}.syncs")
        for value in vars(module).values():
            if isinstance(value, SyncHandler):
                if value.function.id in found:
                    raise ValueError(f"duplicate sync function id {value.function.id}")
                found[value.function.id] = value.function
    return found


def sync_handler_for(function_id: str) -> SyncHandler:
    """The Lambda handler object of one sync function."""
    import importlib

    fn = all_syncs()[function_id]
    handler: SyncHandler = getattr(importlib.import_module(fn.module), fn.attribute)
    return handler


def all_sync_families() -> dict[str, SyncFamily[Any]]:
    """Sync families in declaration order."""
    out: dict[str, SyncFamily[Any]] = {}
    for fn in all_syncs().values():
        out.setdefault(fn.family.kind, fn.family)
    return out


def all_backends() -> dict[str, Backend]:
    """Backend families in declaration order."""
    out: dict[str, Backend] = {}
    for act in all_actions().values():
        out.setdefault(act.backend.kind, act.backend)
    return out
