"""Per-container state of one function: settings, secrets, the HTTP pool, the validated
configuration and the adapters built from it. Created on the first invocation, never at import."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from dataactions.declaration import ConfigT
from dataactions.errors import ConfigurationError
from dataactions.http import HttpPool
from dataactions.secrets import SecretStore
from dataactions.settings import Settings

if TYPE_CHECKING:
    from collections.abc import Mapping

    from dataactions.declaration import SecretOwner

R = TypeVar("R")


class Container(Generic[ConfigT]):
    """What one Lambda container keeps between invocations of its function."""

    def __init__(
        self,
        backend: SecretOwner[ConfigT],
        environ: Mapping[str, str] | None = None,
        *,
        boto3_client: Any = None,
        transport: Any = None,
    ) -> None:
        if environ is None:
            import os

            environ = os.environ
        self.backend = backend
        self.environ = environ
        self.settings = Settings.from_environ(environ)
        self.secrets = SecretStore(self.settings, boto3_client)
        self.http = HttpPool(transport)
        self.invocations = 0
        self._config: ConfigT | None = None
        self._config_raw: object = None
        self._resources: dict[str, Any] = {}

    def config(self) -> ConfigT:
        """The named configuration (the validated secret), re-validated only when the secret changes."""
        model = self.backend.config_model
        if model is None:
            return None  # type: ignore[return-value]  # a backend without a secret (ConfigT is None)
        secret_id = self.settings.secret_id
        if not secret_id:
            raise ConfigurationError(f"No secret configured for the {self.backend.kind} backend (DA_SECRET_ID)")
        raw = self.secrets.get(secret_id)
        if raw is not self._config_raw:
            try:
                self._config = model.model_validate(raw)  # type: ignore[attr-defined]
            except ValueError as exc:  # pydantic's ValidationError is a ValueError
                raise ConfigurationError(f"The {self.backend.kind} secret is invalid: {', '.join(_fields(exc))}") from None
            self._config_raw = raw
            self._resources.clear()  # adapters built from the old credentials are stale
        return self._config  # type: ignore[return-value]

    def resource(self, key: str, factory: Callable[[], R]) -> R:
        """A per-container object (vendor adapter, token cache), rebuilt when the secret changes."""
        try:
            return self._resources[key]
        except KeyError:
            value = self._resources[key] = factory()
            return value


def _fields(exc: ValueError) -> list[str]:
    """The secret fields a validation error names (never their values)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return [str(exc)]
    return sorted({".".join(map(str, e["loc"])) or "secret" for e in errors(include_input=False)})
