"""The errors an action may raise, mapped to Genesys and HTTP outcomes in one place (entry.py).

Every message is written for an engineer reading the Genesys action test UI: it says what went
wrong and never carries input data, credentials or vendor response bodies.
"""

from __future__ import annotations


class ActionError(Exception):
    """Base class: a concise, data-free failure that routes the flow to its failure path."""

    code = "ACTION_ERROR"
    status = 500
    outcome = "error"

    def __init__(self, message: str, **details: str) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # extra data-free fields for the API error body (a SOAP fault's code)


class InvalidInput(ActionError):
    """The input does not satisfy the action's input contract (HTTP 400)."""

    code = "INVALID_INPUT"
    status = 400
    outcome = "invalid_input"


class BackendError(ActionError):
    """The backend failed, refused us, or answered something we cannot use (HTTP 502)."""

    code = "BACKEND_ERROR"
    status = 502
    outcome = "backend_error"


class RateLimited(BackendError):
    """The backend kept rate-limiting us for longer than the invocation had left (HTTP 502)."""

    code = "BACKEND_RATE_LIMITED"
    outcome = "rate_limited"


class BackendTimeout(ActionError):
    """The backend did not answer within the time the invocation had left (HTTP 504)."""

    code = "BACKEND_TIMEOUT"
    status = 504
    outcome = "timeout"


class ConfigurationError(ActionError):
    """The deployment is misconfigured: missing or invalid secret, unknown setting (HTTP 500)."""

    code = "CONFIGURATION_ERROR"
    status = 500
    outcome = "configuration_error"


class InternalError(ActionError):
    """An unexpected error inside the function; details are in the function's log (HTTP 500)."""

    code = "INTERNAL_ERROR"
    status = 500
    outcome = "internal_error"
