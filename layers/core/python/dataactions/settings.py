"""Container settings: read once per container from the environment (plain Python: no import cost
on the first invocation of functions that have no pydantic contracts, such as SOAP actions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from dataactions.errors import ConfigurationError

LOG_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


def _number(kind: Callable[[str], Any], minimum: float, *, strict: bool = False) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value >= minimum or (strict and value == minimum):  # NaN fails too
            raise ValueError
        return value

    return parse


def _level(text: str) -> str:
    if text not in LOG_LEVELS:
        raise ValueError
    return text


def _env(name: str, default: Any, parse: Callable[[str], Any] = str, secret: bool = False) -> Any:
    return field(default=default, repr=not secret, metadata={"env": name, "parse": parse})


@dataclass(frozen=True)
class Settings:
    """What a function reads from its environment (each field names its environment variable)."""

    secret_id: str | None = _env("DA_SECRET_ID", None)  # the secret of this function's named configuration
    config_name: str = _env("DA_CONFIG_NAME", "default")  # the named configuration (logged with every line)
    secret_ttl_seconds: float = _env("DA_SECRET_TTL_SECONDS", 300.0, _number(float, 0))
    log_level: str = _env("DA_LOG_LEVEL", "INFO", _level)  # DEBUG, INFO, WARNING or ERROR
    timeout_margin_ms: int = _env("DA_TIMEOUT_MARGIN_MS", 250, _number(int, 0))  # kept back from every backend call for our reply
    max_call_seconds: float = _env("DA_MAX_CALL_SECONDS", 10.0, _number(float, 0, strict=True))
    extension_port: int | None = _env("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", None, int)
    aws_session_token: str | None = _env("AWS_SESSION_TOKEN", None, secret=True)
    aws_region: str | None = _env("AWS_REGION", None)
    function_name: str = _env("AWS_LAMBDA_FUNCTION_NAME", "local")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build from a mapping (``os.environ`` unless given); called lazily, never at import time."""
        if environ is None:
            import os

            environ = os.environ
        values, bad = {}, []
        for f in fields(cls):
            raw = environ.get(f.metadata["env"], "")
            if raw == "":
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except ValueError:
                bad.append(f.metadata["env"])
        if bad:
            raise ConfigurationError(f"Invalid function environment: {', '.join(bad)}")
        return cls(**values)

    @property
    def log_threshold(self) -> int:
        return LOG_LEVELS[self.log_level]
