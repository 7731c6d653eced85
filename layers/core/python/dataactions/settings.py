"""Container settings: one pydantic model, built once per container from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]
_LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40}


class Settings(BaseModel):
    """What a function reads from its environment (names are the environment variable names)."""

    model_config = ConfigDict(populate_by_name=True, frozen=True, extra="ignore")

    secret_id: str | None = Field(None, alias="DA_SECRET_ID", description="Secret holding this backend configuration's credentials")
    config_name: str = Field("default", alias="DA_CONFIG_NAME", description="Named backend configuration")
    secret_ttl_seconds: float = Field(300.0, alias="DA_SECRET_TTL_SECONDS", ge=0)
    log_level: LogLevel = Field("INFO", alias="DA_LOG_LEVEL")
    timeout_margin_ms: int = Field(250, alias="DA_TIMEOUT_MARGIN_MS", ge=0, description="Kept back from every backend call for our own reply")
    max_call_seconds: float = Field(10.0, alias="DA_MAX_CALL_SECONDS", gt=0)
    extension_port: int | None = Field(None, alias="PARAMETERS_SECRETS_EXTENSION_HTTP_PORT")
    aws_session_token: str | None = Field(None, alias="AWS_SESSION_TOKEN", repr=False)
    aws_region: str | None = Field(None, alias="AWS_REGION")
    function_name: str = Field("local", alias="AWS_LAMBDA_FUNCTION_NAME")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build from a mapping (``os.environ`` unless given); called lazily, never at import time."""
        if environ is None:
            import os

            environ = os.environ
        names = {f.alias for f in cls.model_fields.values() if f.alias}
        return cls.model_validate({k: v for k, v in environ.items() if k in names and v != ""})

    @property
    def log_threshold(self) -> int:
        return _LEVELS[self.log_level]
