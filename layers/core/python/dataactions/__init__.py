"""Shared runtime for Genesys Cloud data actions on AWS Lambda.

Ships in the `core` layer (``/opt/python/dataactions``). One invocation reads in one direction:

* ``entry``: ``@action`` and the Lambda entry point (direct invoke by the Genesys Lambda
  integration, or an API Gateway proxy event), the one error mapping, the one log line;
* ``context``: what the action's logic sees for one invocation (``ctx.config``, adapters, time left);
* ``container``: what a container keeps between invocations (settings, secrets, HTTP pool, adapters);
* ``declaration``: what an action and a backend family *are* (plain data, contract protocol);
* leaves: ``errors``, ``settings``, ``secrets``, ``http``, ``log``; ``vendor`` (calling a vendor's
  JSON API) sits beside the logic that uses it.

Nothing here reads the environment or does I/O at import time.
"""

from __future__ import annotations

import sys
import types


def _without_pydantic_plugin_discovery() -> None:
    """pydantic imports importlib.metadata (~20 ms of cold start) to look for plugins when the
    first model is built. Functions never use pydantic plugins, so its loader is replaced by one
    that finds none (the same answer PYDANTIC_DISABLE_PLUGINS gives, without the import)."""
    if "pydantic.plugin._loader" not in sys.modules:
        loader = types.ModuleType("pydantic.plugin._loader")
        loader.get_plugins = lambda: ()  # type: ignore[attr-defined]
        sys.modules["pydantic.plugin._loader"] = loader


_without_pydantic_plugin_discovery()

from dataactions.context import ActionContext
from dataactions.declaration import Action, Backend, ContractModel
from dataactions.entry import action
from dataactions.errors import (
    ActionError,
    BackendError,
    BackendTimeout,
    ConfigurationError,
    InternalError,
    InvalidInput,
    RateLimited,
)

__all__ = [
    "Action",
    "ActionContext",
    "ActionError",
    "Backend",
    "BackendError",
    "BackendTimeout",
    "ConfigurationError",
    "Contract",
    "ContractModel",
    "InternalError",
    "InvalidInput",
    "RateLimited",
    "action",
]


def __getattr__(name: str):  # Contract pulls in pydantic: only actions with pydantic contracts pay for it
    if name == "Contract":
        from dataactions.contract import Contract

        return Contract
    raise AttributeError(name)
