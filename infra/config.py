"""Deployment options, from CDK context (``-c key=value`` or cdk.json), validated once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from definitions.naming import DEFAULT_CONFIG

# Genesys' AWS accounts that assume the integration role (see shared docs, Lambda integration).
GENESYS_ACCOUNTS = {"commercial": "765628985471", "fedramp": "325654371633"}
ORG_ID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
CONFIG_NAME = re.compile(r"^[a-z][a-z0-9]{0,9}$")


class ConfigError(ValueError):
    """A deployment option is missing or wrong; the message says which and how to fix it."""


@dataclass(frozen=True)
class DeployConfig:
    genesys_org_id: str
    genesys_account: str
    prefix: str = "gda"
    backends: tuple[tuple[str, str], ...] = ()  # (kind, config)
    account: str | None = None
    region: str | None = None
    log_retention_days: int = 90
    log_level: str = "INFO"
    secret_arns: dict[str, str] = field(default_factory=dict)  # "kind:config" -> existing secret ARN
    provisioned_concurrency: dict[str, int] = field(default_factory=dict)  # action id -> instances
    api_rate_limit: int = 50
    api_burst_limit: int = 100
    api_domain_name: str | None = None
    api_certificate_arn: str | None = None
    mtls_truststore_uri: str | None = None
    mtls_truststore_version: str | None = None
    alarm_topic_arn: str | None = None
    secrets_extension: bool = True
    api_auth: str = "apikey"  # web services credential type: apikey (x-api-key) or basic (authorizer)

    @property
    def genesys_principal_account(self) -> str:
        return GENESYS_ACCOUNTS[self.genesys_account]

    @classmethod
    def from_context(cls, get: Any, known_backends: list[str]) -> DeployConfig:
        """``get(key)`` returns a context value or None (``app.node.try_get_context``)."""

        def text(key: str, default: str | None = None) -> str | None:
            value = get(key)
            return default if value in (None, "") else str(value)

        def mapping(key: str) -> dict[str, Any]:
            value = get(key)
            if value in (None, ""):
                return {}
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    raise ConfigError(f"context {key} must be a JSON object") from None
            if not isinstance(value, dict):
                raise ConfigError(f"context {key} must be a JSON object")
            return value

        org = text("genesysOrgId")
        if not org:
            raise ConfigError(
                "The Genesys organization ID is required: it becomes the sts:ExternalId of the role Genesys assumes. "
                "Pass it with: npx cdk deploy -c genesysOrgId=<your org id> (Genesys Cloud Admin > Organization Settings)."
            )
        if not ORG_ID.match(org):
            raise ConfigError(f"genesysOrgId must be the organization's UUID (got {len(org)} characters that are not a UUID)")
        genesys_account = text("genesysAccount", "commercial")
        if genesys_account not in GENESYS_ACCOUNTS:
            raise ConfigError(f"genesysAccount must be one of {', '.join(GENESYS_ACCOUNTS)} (fedramp for the FedRAMP us-east-2 region)")
        prefix = text("prefix", "gda")
        if not re.match(r"^[a-z][a-z0-9-]{1,15}$", prefix):
            raise ConfigError("prefix must be 2-16 lowercase letters, digits or dashes")

        spec = text("backends", ",".join(known_backends))
        backends: list[tuple[str, str]] = []
        for item in [s.strip() for s in spec.split(",") if s.strip()]:
            kind, _, config = item.partition(":")
            config = config or DEFAULT_CONFIG
            if kind not in known_backends:
                raise ConfigError(f"unknown backend {kind!r} in context backends; known: {', '.join(known_backends)}")
            if not CONFIG_NAME.match(config):
                raise ConfigError(
                    f"configuration name {config!r} must be 1-10 lowercase letters/digits (function names stay within 64 characters)"
                )
            if (kind, config) in backends:
                raise ConfigError(f"backend {kind}:{config} is listed twice")
            backends.append((kind, config))
        if not backends:
            raise ConfigError("context backends selects nothing to deploy")

        pc = {str(k): int(v) for k, v in mapping("provisionedConcurrency").items()}
        api_auth = text("apiAuth", "apikey")
        if api_auth not in ("apikey", "basic"):
            raise ConfigError("apiAuth must be apikey (x-api-key header) or basic (HTTP basic auth checked by an authorizer)")
        return cls(
            genesys_org_id=org,
            genesys_account=genesys_account,
            prefix=prefix,
            backends=tuple(backends),
            account=text("account"),
            region=text("region"),
            log_retention_days=int(text("logRetentionDays", "90")),
            log_level=text("logLevel", "INFO"),
            secret_arns={str(k): str(v) for k, v in mapping("secretArns").items()},
            provisioned_concurrency=pc,
            api_rate_limit=int(text("apiRateLimit", "50")),
            api_burst_limit=int(text("apiBurstLimit", "100")),
            api_domain_name=text("apiDomainName"),
            api_certificate_arn=text("apiCertificateArn"),
            mtls_truststore_uri=text("mtlsTruststoreUri"),
            mtls_truststore_version=text("mtlsTruststoreVersion"),
            alarm_topic_arn=text("alarmTopicArn"),
            secrets_extension=text("secretsExtension", "true").lower() != "false",
            api_auth=api_auth,
        )
