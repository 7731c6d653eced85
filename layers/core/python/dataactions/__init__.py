"""Shared runtime for Genesys Cloud data actions on AWS Lambda.

Ships in the `core` layer (``/opt/python/dataactions``). It holds the action declaration,
the invocation adapters (direct invoke by the Genesys Lambda integration, API Gateway proxy),
errors, settings, secrets, the pooled HTTP client and the one-line structured log.
Nothing here reads the environment or does I/O at import time.
"""

from __future__ import annotations

from dataactions.declaration import Action, ActionContext, Backend, Contract, action
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
    "InternalError",
    "InvalidInput",
    "RateLimited",
    "action",
]
