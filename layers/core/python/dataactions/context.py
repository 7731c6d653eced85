"""What an action's logic gets besides its input, for one invocation: the configuration,
adapters, HTTP, and the clock (how much time the invocation has left)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dataactions.declaration import ConfigT
from dataactions.errors import BackendTimeout

if TYPE_CHECKING:
    from dataactions.container import Container
    from dataactions.http import HttpPool
    from dataactions.secrets import SecretStore
    from dataactions.settings import Settings

R = TypeVar("R")
_UNSET: Any = object()


class ActionContext(Generic[ConfigT]):
    """Per-invocation view of the container; ``ctx.config`` is typed by the backend's secret model."""

    __slots__ = ("_container", "_lambda_context", "_deadline", "_config", "correlation_id")

    def __init__(self, container: Container[ConfigT], lambda_context: Any, correlation_id: str, timeout_seconds: float) -> None:
        self._container = container
        self._lambda_context = lambda_context
        self.correlation_id = correlation_id
        self._config: ConfigT = _UNSET
        remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
        self._deadline = None if remaining is not None else time.monotonic() + timeout_seconds

    @property
    def settings(self) -> Settings:
        return self._container.settings

    @property
    def config(self) -> ConfigT:
        """The backend configuration, read (from the secret cache) once per invocation."""
        if self._config is _UNSET:
            self._config = self._container.config()
        return self._config

    @property
    def http(self) -> HttpPool:
        return self._container.http

    @property
    def secrets(self) -> SecretStore:
        return self._container.secrets

    def adapter(self, build: Callable[[ConfigT], R]) -> R:
        """The container's vendor adapter, ``build(config)`` once; rebuilt when the secret changes."""
        config = self.config  # read first: a rotated secret drops adapters built from the old one
        return self._container.resource(build.__name__, lambda: build(config))

    def remaining_seconds(self) -> float:
        """Seconds until the function's own timeout."""
        if self._deadline is None:
            return float(self._lambda_context.get_remaining_time_in_millis()) / 1000.0
        return self._deadline - time.monotonic()

    def time_left(self) -> float:
        """Seconds a backend call may still take: what is left minus our reply margin (may be <= 0)."""
        return self.remaining_seconds() - self.settings.timeout_margin_ms / 1000.0

    def call_timeout(self, cap: float | None = None) -> float:
        """Timeout for one backend call: the time left, capped; BackendTimeout when there is none."""
        left = self.time_left()
        if left <= 0.05:
            raise BackendTimeout("No time left for the backend call")
        return min(left, cap if cap is not None else self.settings.max_call_seconds)
