"""The pydantic base for hand-written input/output contracts (imported only by actions that use it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class Contract(BaseModel):
    """Base for input/output contracts: Python names in snake_case, Genesys names in camelCase."""

    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, frozen=True, extra="ignore")
