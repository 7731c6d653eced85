"""What a data action *is*: plain data, declared once and read by everything else.

:class:`Backend` describes a backend family (its secret's model, the layers it needs);
:class:`Action` describes one data action (contracts, logic, backend, Genesys settings).
Neither holds state nor does I/O; per-container state lives in :mod:`dataactions.container`,
per-invocation state in :mod:`dataactions.context`, and the Lambda entry point that
``@action`` creates in :mod:`dataactions.entry`. Imports run one way: entry -> context ->
container -> declaration.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from typing import Self

    from dataactions.context import ActionContext

RESERVED_INPUT_NAMES = frozenset({"orgId", "integrationId", "rawRequest"})  # Genesys fills these itself
ACTION_ID = re.compile(r"^[a-z][a-z0-9-]{2,50}$")


class ContractModel(Protocol):
    """What an input or output contract offers: pydantic models satisfy it, and so do the SOAP
    bridge's contracts, which are built from a WSDL without pydantic."""

    @classmethod
    def model_validate(cls, obj: Any) -> Self:
        """Validate a JSON object; raise ``ValueError`` (or ``InvalidInput``) naming fields, never values."""
        ...

    def model_dump(self, *, mode: Literal["json"], by_alias: bool) -> dict[str, Any]:
        """The JSON object Genesys receives."""
        ...

    @classmethod
    def model_json_schema(cls, by_alias: bool = ..., *, mode: Literal["validation", "serialization"] = ...) -> dict[str, Any]:
        """The contract as JSON Schema (converted to Genesys' draft-04 by ``definitions.contracts``)."""
        ...


class SecretModel(Protocol):
    """A backend's secret model: ``model_validate`` on the secret's JSON, raising ``ValueError``."""

    @classmethod
    def model_validate(cls, obj: Any) -> Self: ...


In = TypeVar("In", bound=ContractModel)
Out = TypeVar("Out", bound=ContractModel)
ConfigT = TypeVar("ConfigT")
ConfigT_co = TypeVar("ConfigT_co", covariant=True)


class SecretOwner(Protocol[ConfigT_co]):
    """What owns a named configuration's secret: a backend family (actions) or a sync family."""

    @property
    def kind(self) -> str: ...

    @property
    def config_model(self) -> type[ConfigT_co] | None: ...


@dataclass(frozen=True)
class Backend(Generic[ConfigT]):
    """A backend family (payments, salesforce, ...): the model of its configurations' secret and
    the layers its functions need.

    ``config_model`` validates a named configuration's secret with ``model_validate`` (a pydantic
    model, or any class with that classmethod raising ``ValueError``: the SOAP bridge keeps
    pydantic out of its cold start). What it returns is ``ctx.config`` in the action's logic.
    """

    kind: str
    title: str
    config_model: type[ConfigT] | None = None
    layers: tuple[str, ...] = ("core",)
    secret_example: dict[str, Any] = field(default_factory=dict)
    # Families whose action names repeat across vendors (CRMs) prefix ids and Genesys names:
    # "salesforce-get-contact-by-email", "Salesforce: Get Contact by Email".
    action_prefix: str = ""


@dataclass(frozen=True)
class Action(Generic[In, Out, ConfigT]):
    """Everything known about one data action. Built by ``@action``; never listed twice."""

    id: str
    name: str
    description: str
    input_model: type[In]
    output_model: type[Out]
    logic: Callable[[In, ActionContext[ConfigT]], Out]
    backend: Backend[ConfigT]
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


def declare(
    logic: Callable[[In, ActionContext[ConfigT]], Out],
    *,
    name: str,
    description: str,
    input: type[In],
    output: type[Out],
    backend: Backend[ConfigT],
    secure: bool = False,
    timeout_seconds: int = 10,
    memory_mb: int = 256,
    id: str | None = None,
) -> Action[In, Out, ConfigT]:
    """The :class:`Action` for ``logic``: id and Genesys name derived, Genesys limits checked."""
    prefix = f"{backend.action_prefix}-" if backend.action_prefix else ""
    action_id = id or prefix + logic.__name__.replace("_", "-")
    display = f"{backend.title}: {name}" if backend.action_prefix else name
    if not ACTION_ID.match(action_id):
        raise ValueError(f"action id {action_id!r} must be kebab-case")
    if not 2 <= timeout_seconds <= 60:
        raise ValueError(f"{action_id}: Genesys action timeout must be 2..60 s")
    return Action(
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
