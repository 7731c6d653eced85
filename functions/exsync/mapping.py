"""The mapping document: how CXone objects become Genesys Cloud objects. Every field has a
documented default (the README's mapping table), so an empty document ``{}`` is the default
mapping; an admin overrides parts of it, pushes it (validated before anything is stored), and
every push becomes a new version (like the presence rules).

* ``divisions``: ``teams`` (one division per CXone team, users in their team's division),
  ``single`` (one division named ``name`` for every user) or ``home`` (the org's home division);
  ``objects`` names the division queues and wrap-up codes go in (default: home).
* ``users``: which CXone agent field fills Genesys ``title`` and ``department`` (``null``: the
  sync leaves it alone), whether agents inactive in CXone and never synced are created (default
  no), the external id authority (``cxone``).
* ``skills``: CXone skills whose name matches ``languagePattern`` become routing *languages*
  (named by the pattern's ``name`` group), the others routing *skills*; ``proficiency`` maps CXone
  proficiency (1 best .. 20) to Genesys' 0..5 (default: 1-4 -> 5, 5-8 -> 4, ... 17-20 -> 1).
* ``queues``: which CXone skills act as queues (inbound of the listed media types by default;
  ``outbound: true`` adds outbound skills), and a name ``prefix``.
* ``wrapupCodes``: name ``prefix`` for CXone dispositions.
* ``statuses``: CXone unavailable code name -> Genesys system presence its secondary status sits
  under (``default`` for the rest); ACW codes are skipped (Genesys has no ACW presence).
* ``exclude``: CXone team, agent and skill ids the sync never touches.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

SECONDARY_UNDER = ("Available", "Away", "Busy", "Meal", "Training", "Meeting", "Break")
MEDIA_TYPES = ("Email", "Chat", "Phone Call", "Voice Mail", "Work Item", "SMS", "Digital", "Social")
DEFAULT_STATUSES = {"lunch": "Meal", "meal": "Meal", "break": "Break", "meeting": "Meeting", "training": "Training", "coaching": "Meeting"}


class _Doc(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_name=True, validate_by_alias=True, extra="forbid", frozen=True)


class Divisions(_Doc):
    mode: Literal["teams", "single", "home"] = "teams"
    name: str = Field("CXone", min_length=1, max_length=200, description="The division of mode 'single'")
    prefix: str = Field("", max_length=40, description="Prefix of team division names (mode 'teams')")
    objects: str | None = Field(None, min_length=1, max_length=200, description="Division of queues and wrap-up codes (null: home)")


class Users(_Doc):
    title: str | None = Field("profileName", description="CXone agent field for the Genesys title (null: left alone)")
    department: str | None = Field("teamName", description="CXone agent field for the Genesys department (null: left alone)")
    create_inactive: bool = Field(False, description="Create users for agents inactive in CXone that were never synced")
    authority_name: str = Field("cxone", min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$", description="External id authority")

    @field_validator("title", "department")
    @classmethod
    def _agent_field(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,63}", value):
            raise ValueError("must name a CXone agent field (letters, digits, _)")
        return value


class Skills(_Doc):
    routing_skills: bool = Field(True, description="CXone skills become Genesys routing skills (user proficiencies)")
    language_pattern: str | None = Field(
        r"^(?:Lang|Language)\s*[-:]\s*(?P<name>.+)$", description="Skills whose name matches are routing languages (group 'name')"
    )
    proficiency: dict[int, float] = Field(default_factory=dict, description="CXone proficiency (1..20) -> Genesys (0..5) overrides")

    @field_validator("language_pattern")
    @classmethod
    def _pattern(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"is not a regular expression: {exc}") from None
        if "name" not in compiled.groupindex:
            raise ValueError("needs a named group 'name' (the language's name)")
        return value

    @field_validator("proficiency")
    @classmethod
    def _proficiency(cls, value: dict[int, float]) -> dict[int, float]:
        for k, v in value.items():
            if not 1 <= k <= 20 or not 0 <= v <= 5:
                raise ValueError("maps CXone proficiencies 1..20 to Genesys proficiencies 0..5")
        return value

    def genesys_proficiency(self, cxone: int) -> float:
        """CXone 1 (highest) .. 20 (lowest) -> Genesys 0..5 stars (5 highest)."""
        value = min(max(int(cxone or 1), 1), 20)
        return float(self.proficiency.get(value, 5 - (value - 1) // 4))

    def language_name(self, skill_name: str) -> str | None:
        if not self.language_pattern:
            return None
        m = re.match(self.language_pattern, skill_name)
        return m.group("name").strip() if m else None


class Queues(_Doc):
    media_types: tuple[str, ...] = Field(MEDIA_TYPES, description="CXone media types whose inbound skills act as queues")
    outbound: bool = Field(False, description="Outbound skills are queues too")
    prefix: str = Field("", max_length=40)

    @field_validator("media_types")
    @classmethod
    def _media(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(value) - set(MEDIA_TYPES))
        if unknown:
            raise ValueError(f"unknown media types {', '.join(unknown)}; known: {', '.join(MEDIA_TYPES)}")
        return value


class WrapupCodes(_Doc):
    prefix: str = Field("", max_length=40)


class Statuses(_Doc):
    system_presence: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_STATUSES), description="code name (any case) -> system presence"
    )
    default: str = Field("Busy", description="System presence of codes not listed")
    skip_acw: bool = Field(True, description="ACW codes are not secondary statuses")

    @model_validator(mode="after")
    def _presences(self) -> Statuses:
        for value in (*self.system_presence.values(), self.default):
            if value not in SECONDARY_UNDER:
                raise ValueError(f"system presence {value!r} cannot hold secondary statuses; choose from {', '.join(SECONDARY_UNDER)}")
        return self

    def presence_for(self, code_name: str) -> str:
        lowered = {k.lower(): v for k, v in self.system_presence.items()}
        return lowered.get(code_name.strip().lower(), self.default)


class Exclude(_Doc):
    teams: frozenset[int] = frozenset()
    agents: frozenset[int] = frozenset()
    skills: frozenset[int] = frozenset()


class MappingDocument(_Doc):
    """The whole document; ``version`` is assigned on push (a pushed document's own is ignored)."""

    version: int = Field(0, ge=0)
    divisions: Divisions = Divisions()
    users: Users = Users()
    skills: Skills = Skills()
    queues: Queues = Queues()
    wrapup_codes: WrapupCodes = WrapupCodes()
    statuses: Statuses = Statuses()
    exclude: Exclude = Exclude()


DEFAULT = MappingDocument()


class MappingError(ValueError):
    """The document is not valid; the message lists each problem by its path (no values)."""


def parse(doc: Any) -> MappingDocument:
    """Validate a mapping document (a dict from JSON); MappingError lists what is wrong."""
    if not isinstance(doc, dict):
        raise MappingError("the mapping document must be a JSON object")
    try:
        return MappingDocument.model_validate(doc)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or '(document)'}: {e['msg']}" for e in exc.errors(include_input=False)]
        raise MappingError("; ".join(problems)) from None


def default_document() -> dict[str, Any]:
    """The default mapping as a document (what ``./dev exsync mapping show`` prints)."""
    return DEFAULT.model_dump(mode="json", by_alias=True, exclude={"version"})
