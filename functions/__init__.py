"""Data action functions: one package per backend family, one module ``actions`` each.

``functions`` is the shared Lambda code asset; each action's handler string points in here.
:func:`all_actions` is the registry everything else derives from (infra, export, local API, events).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dataactions.declaration import Action, Backend


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


def all_backends() -> dict[str, Backend]:
    """Backend families in declaration order."""
    out: dict[str, Backend] = {}
    for act in all_actions().values():
        out.setdefault(act.backend.kind, act.backend)
    return out
