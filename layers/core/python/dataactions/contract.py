"""The pydantic base for hand-written input/output contracts (imported only by actions that use it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Contract(BaseModel):
    """Base for input/output contracts: Python names in snake_case, Genesys names in camelCase."""

    # defer_build: a family's module declares every action's contracts and a function runs one
    # action, so each contract's validator is built on its first use rather than at import.
    model_config = ConfigDict(
        alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, frozen=True, extra="ignore", defer_build=True
    )
