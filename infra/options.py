"""Deployment options: the CDK context (``-c key=value`` or cdk.json) parsed once into a typed model.

Every option has one field here, under the context key users type (its alias). Values from the CLI
arrive as text, values from cdk.json as JSON; both go through the same validation, and every problem
comes back at once as an ``OptionsError`` naming the option and what it allows (never a traceback,
never the value of ``genesysOrgId``).

Words: an *option* is a context key of this deployment; a *configuration* is a named configuration
of a backend (``payments:emea``) or of a sync family (``presence:emea``), with its own secret,
functions and stack.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from dataactions.settings import LOG_LEVELS
from definitions.naming import AUTHORIZER, DEFAULT_CONFIG

# Genesys' AWS accounts that assume the integration role (see shared docs, Lambda integration).
GENESYS_ACCOUNTS = {"commercial": "765628985471", "fedramp": "325654371633"}
# CloudWatch Logs PutRetentionPolicy: the retention values it accepts (days).
RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)
DEFAULT_RESERVED = 10  # reserved concurrency of every function unless reservedConcurrency says otherwise
UNRESERVED_MINIMUM = 100  # Lambda keeps this much of the account's concurrency unreserved

Catalogue = Mapping[str, Sequence[str]]  # backend kind -> its action ids

_ORG_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_PREFIX = re.compile(r"^[a-z][a-z0-9-]{1,15}$")
_CONFIGURATION = re.compile(r"^[a-z][a-z0-9]{0,9}$")
_ACCOUNT = re.compile(r"^\d{12}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")
_PARTITION = r"arn:aws(-[a-z]+)*"
_SECRET_ARN = re.compile(rf"^{_PARTITION}:secretsmanager:[a-z0-9-]+:\d{{12}}:secret:.+-[A-Za-z0-9]{{6}}$")
_KEY_ARN = re.compile(rf"^{_PARTITION}:kms:(?P<region>[a-z0-9-]+):\d{{12}}:key/(mrk-[0-9a-f]{{32}}|[0-9a-f-]{{36}})$")
_CERTIFICATE_ARN = re.compile(rf"^{_PARTITION}:acm:[a-z0-9-]+:\d{{12}}:certificate/[0-9a-f-]+$")
_TOPIC_ARN = re.compile(rf"^{_PARTITION}:sns:[a-z0-9-]+:\d{{12}}:[A-Za-z0-9_-]{{1,256}}(\.fifo)?$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_S3_URI = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/.+$")
_BUS = re.compile(r"^aws\.partner/[A-Za-z0-9._/-]{1,240}$|^[A-Za-z0-9._-]{1,256}$")


class OptionsError(ValueError):
    """One or more deployment options are missing or wrong; each line names the option and what it allows."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("deploy_option", message)


def _catalogue(info: ValidationInfo) -> Catalogue:
    context = info.context or {}
    return context.get("catalogue", {})


def _sync_catalogue(info: ValidationInfo) -> Catalogue:
    """Sync family kind -> its sync function ids."""
    context = info.context or {}
    return context.get("syncs", {})


def _configurations(value: Any, known: Sequence[str], what: str) -> tuple[tuple[str, str], ...]:
    """``kind[:configuration],...`` with known kinds, valid names, no repeats."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise _fail(f"must be {what}[:configuration] names separated by commas")
    chosen: list[tuple[str, str]] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        kind, _, configuration = item.partition(":")
        configuration = configuration or DEFAULT_CONFIG
        if kind not in known:
            raise _fail(f"unknown {what} {kind!r}; known: {', '.join(known) or 'none'}")
        if not _CONFIGURATION.match(configuration):
            raise _fail(
                f"configuration name {configuration!r} must be 1-10 lowercase letters/digits (function names stay within 64 characters)"
            )
        if (kind, configuration) in chosen:
            raise _fail(f"{what} {kind}:{configuration} is listed twice")
        chosen.append((kind, configuration))
    return tuple(chosen)


def _json_object(value: Any) -> Any:
    """A JSON-object option: a dict from cdk.json, or its JSON text from ``-c key='{...}'``."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _fail("must be a JSON object, e.g. '{\"key\": value}' (the text is not valid JSON)") from None
    if not isinstance(value, dict):
        raise _fail("must be a JSON object, e.g. '{\"key\": value}'")
    return value


def _one_of(allowed: Sequence[Any], what: str) -> Any:
    def check(value: Any) -> Any:
        if value not in allowed:
            raise _fail(f"must be one of {', '.join(map(str, allowed))} ({what})")
        return value

    return check


def _matching(pattern: re.Pattern[str], what: str) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise _fail(f"must be {what}")
        return value

    return check


def _org_id(value: str) -> str:
    if not _ORG_ID.match(value):  # the value is not echoed: it is the role's ExternalId
        raise _fail(f"must be the organization's UUID (got {len(value)} characters that are not a UUID)")
    return value


def _log_level(value: str) -> str:
    level = value.upper()
    if level not in LOG_LEVELS:
        raise _fail(f"must be one of {', '.join(LOG_LEVELS)}")
    return level


def _kms_key(value: str) -> str:
    if value != "create" and not _KEY_ARN.match(value):
        raise _fail(
            "must be create (the stacks create a key with rotation) or an existing key's ARN (arn:aws:kms:<region>:<account>:key/<id>)"
        )
    return value


def _action_ids(value: dict[str, Any], info: ValidationInfo, *extra: str) -> dict[str, Any]:
    known = {a for ids in _catalogue(info).values() for a in ids} | {f for ids in _sync_catalogue(info).values() for f in ids} | set(extra)
    for key in value:
        if key not in known:
            close = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {close[0]}?" if close else " (./dev list shows them)"
            raise _fail(f"{key!r} is not an action id{hint}")
    return value


RetentionDays = Annotated[int, AfterValidator(_one_of(RETENTION_DAYS, "the retention periods CloudWatch Logs accepts, in days"))]


class ReservedConcurrency(BaseModel):
    """``reservedConcurrency``: ``{"default": N, "<action id>": M}``; null means no reservation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default: int | None = DEFAULT_RESERVED
    per_action: dict[str, int | None] = Field(default_factory=dict)

    def of(self, action_id: str) -> int | None:
        return self.per_action.get(action_id, self.default)


class DeployOptions(BaseModel):
    """Every deployment option, typed and validated. Build with ``from_context``."""

    model_config = ConfigDict(frozen=True, extra="forbid", coerce_numbers_to_str=True, validate_by_name=True, validate_by_alias=True)

    genesys_org_id: Annotated[str, AfterValidator(_org_id)] = Field(
        alias="genesysOrgId", description="the organization's UUID (Genesys Cloud Admin > Organization Settings)"
    )
    genesys_account: Literal["commercial", "fedramp"] = Field(
        "commercial", alias="genesysAccount", description="fedramp for the FedRAMP us-east-2 region"
    )
    prefix: Annotated[str, AfterValidator(_matching(_PREFIX, "2-16 lowercase letters, digits or dashes, starting with a letter"))] = Field(
        "gda", alias="prefix"
    )
    backends: tuple[tuple[str, str], ...] = Field(
        (), alias="backends", validate_default=True, description="backend[:configuration],... e.g. payments,salesforce:emea"
    )
    account: Annotated[str, AfterValidator(_matching(_ACCOUNT, "a 12-digit AWS account ID"))] | None = Field(None, alias="account")
    region: Annotated[str, AfterValidator(_matching(_REGION, "an AWS region name such as eu-west-1"))] | None = Field(None, alias="region")
    log_retention_days: RetentionDays = Field(
        90, alias="logRetentionDays", description=f"days, one of {', '.join(map(str, RETENTION_DAYS))}"
    )
    log_level: Annotated[str, AfterValidator(_log_level)] = Field("INFO", alias="logLevel")
    secret_arns: Annotated[dict[str, str], BeforeValidator(_json_object)] = Field(
        default_factory=dict, alias="secretArns", description='JSON {"<backend>:<configuration>": "<complete secret ARN>"}'
    )
    provisioned_concurrency: Annotated[dict[str, Annotated[int, Field(ge=0)]], BeforeValidator(_json_object)] = Field(
        default_factory=dict, alias="provisionedConcurrency", description='JSON {"<action id>": <instances, 0 or more>}'
    )
    reserved_concurrency: ReservedConcurrency = Field(
        default_factory=ReservedConcurrency,
        alias="reservedConcurrency",
        description='JSON {"default": <n or null>, "<action id>": <n or null>}, n from 1; null = no reservation',
    )
    concurrency_quota: int = Field(
        1000, alias="concurrencyQuota", ge=1, description="the account's Lambda concurrent executions quota in this region"
    )
    api_rate_limit: int = Field(50, alias="apiRateLimit", ge=1, description="requests per second")
    api_burst_limit: int = Field(100, alias="apiBurstLimit", ge=1, description="requests")
    api_domain_name: Annotated[str, AfterValidator(_matching(_DOMAIN, "a lowercase DNS name such as actions.example.com"))] | None = Field(
        None, alias="apiDomainName"
    )
    api_certificate_arn: Annotated[str, AfterValidator(_matching(_CERTIFICATE_ARN, "an ACM certificate ARN"))] | None = Field(
        None, alias="apiCertificateArn"
    )
    mtls_truststore_uri: Annotated[str, AfterValidator(_matching(_S3_URI, "an S3 URI such as s3://bucket/truststore.pem"))] | None = Field(
        None, alias="mtlsTruststoreUri"
    )
    mtls_truststore_version: str | None = Field(None, alias="mtlsTruststoreVersion")
    alarm_topic_arn: Annotated[str, AfterValidator(_matching(_TOPIC_ARN, "an SNS topic ARN"))] | None = Field(None, alias="alarmTopicArn")
    secrets_extension: bool = Field(True, alias="secretsExtension", description="true or false")
    api_auth: Literal["apikey", "basic"] = Field(
        "apikey", alias="apiAuth", description="x-api-key header, or HTTP basic auth checked by an authorizer"
    )
    kms_key: Annotated[str, AfterValidator(_kms_key)] | None = Field(None, alias="kmsKey")
    syncs: tuple[tuple[str, str], ...] = Field(
        (),
        alias="syncs",
        validate_default=True,
        description="sync family[:configuration],... e.g. presence,presence:emea (none by default)",
    )
    event_buses: Annotated[
        dict[str, dict[str, Annotated[str, AfterValidator(_matching(_BUS, "a partner event bus name"))]]], BeforeValidator(_json_object)
    ] = Field(
        default_factory=dict,
        alias="eventBuses",
        description='JSON {"<family>:<configuration>": {"genesys": "<partner event bus>", "salesforce": "<partner event bus>"}}',
    )
    schedules: Annotated[dict[str, Annotated[int, Field(ge=1, le=1440)]], BeforeValidator(_json_object)] = Field(
        default_factory=dict, alias="schedules", description='JSON {"<sync function id>": <minutes between runs, 1-1440>}'
    )
    genesys_publish: bool = Field(
        False,
        alias="genesysPublish",
        description="true: a custom resource publishes the actions to Genesys Cloud (needs genesysPublishSecretArn)",
    )
    genesys_publish_secret_arn: (
        Annotated[
            str,
            AfterValidator(
                _matching(
                    _SECRET_ARN, "the complete ARN of the secret holding the Genesys OAuth client (arn:aws:secretsmanager:...-XXXXXX)"
                )
            ),
        ]
        | None
    ) = Field(None, alias="genesysPublishSecretArn")

    # -- field checks that need the catalogue of backends and actions ------------------------------

    @model_validator(mode="before")
    @classmethod
    def _drop_empty(cls, data: Any) -> Any:
        """An empty value (``-c key=``) means the option's default."""
        return {k: v for k, v in data.items() if v not in (None, "")} if isinstance(data, dict) else data

    @field_validator("backends", mode="before")
    @classmethod
    def _backends(cls, value: Any, info: ValidationInfo) -> tuple[tuple[str, str], ...]:
        known = list(_catalogue(info))
        chosen = _configurations(",".join(known) if value in ((), None) else value, known, "backend")
        if not chosen:
            raise _fail("selects nothing to deploy")
        return chosen

    @field_validator("syncs", mode="before")
    @classmethod
    def _syncs(cls, value: Any, info: ValidationInfo) -> tuple[tuple[str, str], ...]:
        return _configurations(value or (), list(_sync_catalogue(info)), "sync family")

    @field_validator("schedules")
    @classmethod
    def _schedules(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        known = {f for ids in _sync_catalogue(info).values() for f in ids}
        for key in value:
            if key not in known:
                close = difflib.get_close_matches(key, sorted(known), n=1)
                raise _fail(f"{key!r} is not a sync function id" + (f"; did you mean {close[0]}?" if close else ""))
        return value

    @field_validator("secret_arns")
    @classmethod
    def _secret_arns(cls, value: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        known = list(_catalogue(info))
        for key, arn in value.items():
            kind, _, configuration = key.partition(":")
            if kind not in known or not _CONFIGURATION.match(configuration):
                raise _fail(f"keys are <backend>:<configuration> (e.g. payments:default) with a known backend ({', '.join(known)})")
            if not isinstance(arn, str) or not _SECRET_ARN.match(arn):
                raise _fail(f"{key} must be the secret's complete ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-XXXXXX)")
        return value

    @field_validator("provisioned_concurrency")
    @classmethod
    def _provisioned(cls, value: dict[str, int], info: ValidationInfo) -> dict[str, int]:
        return _action_ids(value, info)

    @field_validator("reserved_concurrency", mode="before")
    @classmethod
    def _reserved(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, ReservedConcurrency):
            return value
        entries = _action_ids(_json_object(value), info, "default", AUTHORIZER)
        for key, n in entries.items():
            if n is None:
                continue
            if isinstance(n, bool) or not isinstance(n, int):
                raise _fail(f"{key} must be a whole number from 1, or null for no reservation")
            if n == 0:
                raise _fail(f"{key} is 0, which would throttle every call to the function; use null for no reservation")
            if n < 0:
                raise _fail(f"{key} must be a whole number from 1, or null for no reservation")
        per_action = {k: v for k, v in entries.items() if k != "default"}
        return ReservedConcurrency(default=entries.get("default", DEFAULT_RESERVED), per_action=per_action)

    # -- checks across options ------------------------------------------------------------------

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> DeployOptions:
        problems: list[tuple[str, str]] = []
        if self.api_domain_name and not self.api_certificate_arn:
            problems.append(("apiDomainName", "needs apiCertificateArn (an ACM certificate in this region)"))
        if self.mtls_truststore_uri and not self.api_domain_name:
            problems.append(("mtlsTruststoreUri", "needs apiDomainName (mutual TLS is configured on the custom domain)"))
        if self.mtls_truststore_version and not self.mtls_truststore_uri:
            problems.append(("mtlsTruststoreVersion", "needs mtlsTruststoreUri"))
        if self.genesys_publish and not self.genesys_publish_secret_arn:
            problems.append(
                (
                    "genesysPublish",
                    "needs genesysPublishSecretArn: a secret with the Genesys OAuth client as JSON "
                    '{"clientId": ..., "clientSecret": ..., "region": "mypurecloud.ie"}',
                )
            )
        if self.genesys_publish_secret_arn and not self.genesys_publish:
            problems.append(("genesysPublishSecretArn", "is used only with -c genesysPublish=true"))
        if self.api_burst_limit < self.api_rate_limit:
            problems.append(("apiBurstLimit", f"must be at least apiRateLimit ({self.api_rate_limit})"))
        key = _KEY_ARN.match(self.kms_key or "")
        if key and self.region and key["region"] != self.region:
            problems.append(
                ("kmsKey", f"must be a key in the deployment region {self.region} (CloudWatch Logs uses keys of its own region)")
            )
        catalogue = _catalogue(info)
        for action_id, instances in self.provisioned_concurrency.items():
            cap = self.reserved_concurrency.of(action_id)
            if instances and cap is not None and instances > cap:
                problems.append(
                    (
                        f"provisionedConcurrency[{action_id}]",
                        f"is {instances}, above the function's reserved concurrency {cap}: "
                        f"raise it with -c reservedConcurrency='{{\"{action_id}\": {instances}}}' or more",
                    )
                )
        syncs = _sync_catalogue(info)
        deployed_syncs = {f"{kind}:{configuration}" for kind, configuration in self.syncs}
        for named in self.event_buses:
            if named not in deployed_syncs:
                problems.append(
                    (f"eventBuses[{named}]", f"names no deployed sync configuration (syncs: {', '.join(sorted(deployed_syncs)) or 'none'})")
                )
        functions = [a for kind, _ in self.backends for a in catalogue.get(kind, ())]
        functions += [f for kind, _ in self.syncs for f in syncs.get(kind, ())]
        if self.api_auth == "basic":
            functions.append(AUTHORIZER)
        total = sum(self.reserved_concurrency.of(a) or 0 for a in functions) + (1 if self.genesys_publish else 0)  # the publisher
        reservable = max(self.concurrency_quota - UNRESERVED_MINIMUM, 0)
        if total > reservable:
            fix = (
                "lower the default, or give the real quota"
                if reservable
                else "ask for a higher quota in Service Quotas, or deploy without reservations: -c reservedConcurrency='{\"default\": null}'"
            )
            problems.append(
                (
                    "reservedConcurrency",
                    f"reserves {total} concurrent executions over {len(functions)} functions, but an account with a quota of "
                    f"{self.concurrency_quota} (concurrencyQuota) may reserve at most {reservable} "
                    f"(Lambda keeps {UNRESERVED_MINIMUM} unreserved): {fix}",
                )
            )
        if problems:
            raise _fail("\n".join(f"{option}: {message}" for option, message in problems))
        return self

    # -- derived -------------------------------------------------------------------------------

    @property
    def genesys_principal_account(self) -> str:
        return GENESYS_ACCOUNTS[self.genesys_account]

    def reserved(self, action_id: str) -> int | None:
        """The reserved concurrency of an action's functions (one per configuration); None: no reservation."""
        return self.reserved_concurrency.of(action_id)

    @property
    def creates_kms_key(self) -> bool:
        return self.kms_key == "create"

    @property
    def kms_key_arn(self) -> str | None:
        """An existing customer-managed key, when one is given."""
        return self.kms_key if self.kms_key and self.kms_key != "create" else None

    @classmethod
    def aliases(cls) -> dict[str, str]:
        """Context key -> field name, for every option."""
        return {f.alias or name: name for name, f in cls.model_fields.items()}

    @classmethod
    def from_context(cls, context: Mapping[str, Any], catalogue: Catalogue, syncs: Catalogue | None = None) -> DeployOptions:
        """Parse the CDK context (``app.node.get_all_context()``); raises OptionsError listing every problem.

        ``catalogue`` maps each backend kind to its action ids, ``syncs`` each sync family to its
        function ids (what the options may name).
        """
        aliases = cls.aliases()
        values = {k: v for k, v in context.items() if k in aliases}
        problems = []
        for key in context:
            if key not in aliases and re.fullmatch(r"[a-z][A-Za-z0-9]+", key):
                close = difflib.get_close_matches(key, list(aliases), n=1, cutoff=0.8)
                if close:
                    problems.append(f"{key}: not an option; did you mean {close[0]}?")
        try:
            options = cls.model_validate(values, context={"catalogue": catalogue, "syncs": syncs or {}})
        except ValidationError as exc:
            raise OptionsError(problems + _explain(exc)) from None
        if problems:
            raise OptionsError(problems)
        return options


_MISSING = {
    "genesysOrgId": (
        "The Genesys organization ID is required: it becomes the sts:ExternalId of the role Genesys assumes. "
        "Pass it with: npx cdk deploy -c genesysOrgId=<your org id> (Genesys Cloud Admin > Organization Settings)."
    )
}


def _explain(exc: ValidationError) -> list[str]:
    """One line per problem: the option (as typed), what is wrong and what is allowed; no input values."""
    fields = DeployOptions.model_fields
    by_alias = {f.alias: f for f in fields.values()}
    lines = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = [str(p) for p in err["loc"] if p != "[key]"]
        if not loc:  # problems across options (_consistent): already one "option: message" per line
            lines += err["msg"].splitlines()
            continue
        option = loc[0] if loc else "options"
        where = option + "".join(f"[{p}]" for p in loc[1:] if not p.startswith(("function-", "constrained-")))
        if err["type"] == "missing" and option in _MISSING:
            lines.append(f"{option}: {_MISSING[option]}")
            continue
        message = err["msg"]
        info = by_alias.get(option)
        if err["type"] != "deploy_option" and info is not None and info.description:
            message += f" ({info.description})"
        elif err["type"] == "extra_forbidden":
            message = "is not an option"
        lines.append(f"{where}: {message}")
    return lines
