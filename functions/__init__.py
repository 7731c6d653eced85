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


def _declared(module_name: str, handler_type: type, declaration: str) -> dict[str, Any]:
    """Every ``handler_type`` object in ``functions.<family>.<module_name>`` (by its declaration's id)."""
    import importlib
    import importlib.util
    import pkgutil  # imported here, not at module level: handlers never pay for the registry

    found: dict[str, Any] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if not info.ispkg or importlib.util.find_spec(f"{__name__}.{info.name}.{module_name}") is None:
            continue
        module = importlib.import_module(f"{__name__}.{info.name}.{module_name}")
        for value in vars(module).values():
            if isinstance(value, handler_type):
                declared = getattr(value, declaration)
                if declared.id in found:
                    raise ValueError(f"duplicate id {declared.id} in functions.*.{module_name}")
                found[declared.id] = declared
    return found


@cache
def all_actions() -> dict[str, Action]:
    """Every declared action by id, found by importing ``functions.<family>.actions``."""
    from dataactions.entry import Handler

    return _declared("actions", Handler, "action")


def handler_for(action_id: str):  # -> Handler
    """The Lambda handler object of one action (what the handler string resolves to)."""
    import importlib

    act = all_actions()[action_id]
    return getattr(importlib.import_module(act.module), act.attribute)


@cache
def all_syncs() -> dict[str, SyncFunction[Any]]:
    """Every declared sync function by id, found by importing ``functions.<family>.syncs``."""
    from syncs.entry import SyncHandler

    return _declared("syncs", SyncHandler, "function")


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
