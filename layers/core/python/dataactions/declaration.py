"""The one declaration per data action, and what an action's logic sees at run time.

An action is declared once, with :func:`action`, next to its logic::

    @action(
        name="Validate Card Payment",
        description="...",
        input=ValidateCardPaymentInput,
        output=ValidateCardPaymentOutput,
        backend=PAYMENTS,
        secure=True,
        timeout_seconds=10,
    )
    def validate_card_payment(inp, ctx): ...

The decorated name becomes the Lambda handler (``functions.payments.actions.validate_card_payment``)
and everything else (CDK stacks, API routes, Genesys definitions, README table, event checks) is
derived from the :class:`Action` it carries.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dataactions.errors import BackendTimeout, ConfigurationError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from pydantic import BaseModel

    from dataactions.http import HttpPool
    from dataactions.invoke import Handler
    from dataactions.secrets import SecretStore
    from dataactions.settings import Settings

In = TypeVar("In")
Out = TypeVar("Out")
R = TypeVar("R")

_ID = re.compile(r"^[a-z][a-z0-9-]{2,50}$")
RESERVED_INPUT_NAMES = frozenset({"orgId", "integrationId", "rawRequest"})  # Genesys fills these itself


@dataclass(frozen=True)
class Backend:
    """A backend family (payments, salesforce, ...): its secret's shape and the layers it needs.

    ``config_model`` validates the secret with ``model_validate`` (a pydantic model, or any class
    with that classmethod raising ``ValueError``: the SOAP bridge keeps pydantic out of its cold start).
    """

    kind: str
    title: str
    config_model: type[BaseModel] | None = None
    layers: tuple[str, ...] = ("core",)
    secret_example: dict[str, Any] = field(default_factory=dict)
    # Families whose action names repeat across vendors (CRMs) prefix ids and Genesys names:
    # "salesforce-get-contact-by-email", "Salesforce: Get Contact by Email".
    action_prefix: str = ""


@dataclass(frozen=True)
class Action(Generic[In, Out]):
    """Everything known about one data action. Built by :func:`action`; never listed twice."""

    id: str
    name: str
    description: str
    input_model: type[In]
    output_model: type[Out]
    logic: Callable[[In, ActionContext], Out]
    backend: Backend
    secure: bool
    timeout_seconds: int
    module: str
    attribute: str
    memory_mb: int = 256

    @property
    def handler(self) -> str:
        """The Lambda handler string, inside the shared code asset."""
        return f"{self.module}.{self.attribute}"

    @property
    def lambda_timeout_seconds(self) -> int:
        """The function gives up one second before Genesys does, so the flow sees our error, not a timeout."""
        return max(1, self.timeout_seconds - 1)


def action(
    *,
    name: str,
    description: str,
    input: type[In],
    output: type[Out],
    backend: Backend,
    secure: bool = False,
    timeout_seconds: int = 10,
    memory_mb: int = 256,
    id: str | None = None,
) -> Callable[[Callable[[In, ActionContext], Out]], Handler]:
    """Declare a data action; the decorated function is replaced by its Lambda handler."""

    def wrap(logic: Callable[[In, ActionContext], Out]) -> Handler:
        prefix = f"{backend.action_prefix}-" if backend.action_prefix else ""
        action_id = id or prefix + logic.__name__.replace("_", "-")
        display = f"{backend.title}: {name}" if backend.action_prefix else name
        if not _ID.match(action_id):
            raise ValueError(f"action id {action_id!r} must be kebab-case")
        if not 2 <= timeout_seconds <= 60:
            raise ValueError(f"{action_id}: Genesys action timeout must be 2..60 s")
        from dataactions.invoke import Handler

        return Handler(
            Action(
                id=action_id,
                name=display,
                description=description,
                input_model=input,
                output_model=output,
                logic=logic,
                backend=backend,
                secure=secure,
                timeout_seconds=timeout_seconds,
                memory_mb=memory_mb,
                module=logic.__module__,
                attribute=logic.__name__,
            )
        )

    return wrap


class Container:
    """Per-container state of one function: settings, secrets, HTTP pool, cached adapters."""

    def __init__(
        self,
        action: Action[Any, Any],
        environ: Mapping[str, str] | None = None,
        *,
        boto3_client: Any = None,
        transport: Any = None,
    ) -> None:
        from dataactions.http import HttpPool
        from dataactions.secrets import SecretStore
        from dataactions.settings import Settings

        self.action = action
        self.settings: Settings = Settings.from_environ(environ)
        self.secrets: SecretStore = SecretStore(self.settings, boto3_client)
        self.http: HttpPool = HttpPool(transport)
        self.invocations = 0
        self._config: BaseModel | None = None
        self._config_raw: object = None
        self._resources: dict[str, Any] = {}

    def config(self) -> Any:
        """The backend configuration (the validated secret), re-validated only when the secret changes."""
        model = self.action.backend.config_model
        if model is None:
            return None
        secret_id = self.settings.secret_id
        if not secret_id:
            raise ConfigurationError(f"No secret configured for the {self.action.backend.kind} backend (DA_SECRET_ID)")
        raw = self.secrets.get(secret_id)
        if raw is not self._config_raw:
            try:
                self._config = model.model_validate(raw)
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                errors = getattr(exc, "errors", None)
                fields = (
                    sorted({".".join(map(str, e["loc"])) or "secret" for e in errors(include_input=False)})
                    if callable(errors)
                    else [str(exc)]
                )
                raise ConfigurationError(f"The {self.action.backend.kind} secret is invalid: {', '.join(fields)}") from None
            self._config_raw = raw
            self._resources.clear()  # adapters built from the old credentials are stale
        return self._config

    def resource(self, key: str, factory: Callable[[], R]) -> R:
        """A per-container object (vendor adapter, token cache), rebuilt when the secret changes."""
        try:
            return self._resources[key]
        except KeyError:
            value = self._resources[key] = factory()
            return value


class ActionContext:
    """What an action's logic gets besides its input: config, adapters, HTTP, and the clock."""

    __slots__ = ("_container", "_lambda_context", "_deadline", "_config", "correlation_id")
    _UNSET: Any = object()

    def __init__(self, container: Container, lambda_context: Any, correlation_id: str) -> None:
        self._container = container
        self._lambda_context = lambda_context
        self.correlation_id = correlation_id
        self._config = ActionContext._UNSET
        remaining = getattr(lambda_context, "get_remaining_time_in_millis", None)
        self._deadline = None if remaining is not None else time.monotonic() + container.action.lambda_timeout_seconds

    @property
    def settings(self) -> Settings:
        return self._container.settings

    @property
    def config(self) -> Any:
        """The backend configuration, read (from the secret cache) once per invocation."""
        if self._config is ActionContext._UNSET:
            self._config = self._container.config()
        return self._config

    @property
    def http(self) -> HttpPool:
        return self._container.http

    @property
    def secrets(self) -> SecretStore:
        return self._container.secrets

    def adapter(self, build: Callable[[Any], R]) -> R:
        """The container's vendor adapter, ``build(config)`` once; rebuilt when the secret changes."""
        config = self.config  # read first: a rotated secret drops adapters built from the old one
        return self._container.resource(build.__name__, lambda: build(config))

    def remaining_seconds(self) -> float:
        """Seconds until the function's own timeout."""
        if self._deadline is None:
            return self._lambda_context.get_remaining_time_in_millis() / 1000.0
        return self._deadline - time.monotonic()

    def call_timeout(self, cap: float | None = None) -> float:
        """Timeout for one backend call: what is left minus our reply margin, capped."""
        left = self.remaining_seconds() - self.settings.timeout_margin_ms / 1000.0
        if left <= 0.05:
            raise BackendTimeout("No time left for the backend call")
        return min(left, cap if cap is not None else self.settings.max_call_seconds)
