"""Deployed names, in one place: the stacks create them and ``export`` finds them (no CDK imports here)."""

from __future__ import annotations

DEFAULT_CONFIG = "default"
ALIAS = "live"
AUTHORIZER = "web-services-authorizer"  # the basic-auth authorizer's function: <prefix>-web-services-authorizer


def camel(text: str) -> str:
    """kebab-case to CamelCase, for construct ids and output keys."""
    return "".join(part[:1].upper() + part[1:] for part in text.replace("_", "-").split("-") if part)


def function_name(prefix: str, action_id: str, config: str = DEFAULT_CONFIG) -> str:
    name = f"{prefix}-{action_id}" if config == DEFAULT_CONFIG else f"{prefix}-{config}-{action_id}"
    if len(name) > 64:
        raise ValueError(f"function name {name!r} is longer than Lambda's 64 characters")
    return name


def function_arn(account: str, region: str, name: str, partition: str = "aws") -> str:
    """The ARN Genesys invokes: the function's ``live`` alias."""
    return f"arn:{partition}:lambda:{region}:{account}:function:{name}:{ALIAS}"


def secret_name(prefix: str, kind: str, config: str = DEFAULT_CONFIG) -> str:
    return f"{prefix}/{kind}/{config}"


def display_name(action_name: str, config: str = DEFAULT_CONFIG) -> str:
    """Genesys action names must be unique per org: named configurations get a suffix."""
    return action_name if config == DEFAULT_CONFIG else f"{action_name} ({config})"


def output_key(action_id: str, config: str = DEFAULT_CONFIG) -> str:
    """The CloudFormation output holding a function's alias ARN."""
    return f"{camel(action_id)}{camel(config)}AliasArn"


def stack_name(prefix: str, kind: str, config: str = DEFAULT_CONFIG) -> str:
    return f"{camel(prefix)}-{camel(kind)}" + ("" if config == DEFAULT_CONFIG else f"-{camel(config)}")


def route_path(action_id: str, config: str = DEFAULT_CONFIG) -> str:
    return action_id if config == DEFAULT_CONFIG else f"{config}/{action_id}"


def sync_resource_name(prefix: str, kind: str, config: str, name: str) -> str:
    """A sync family's table or queue (without the ``.fifo`` suffix): ``gda-presence-default-agents``."""
    return f"{prefix}-{kind}-{config}-{name}"


def sync_function_name(prefix: str, function_id: str, config: str = DEFAULT_CONFIG) -> str:
    """A sync function's Lambda name (its id already starts with the family: ``presence-apply``)."""
    return function_name(prefix, function_id, config)


def log_group_name(function: str) -> str:
    """A function's log group (Lambda's own naming, created by the stack so it has a retention)."""
    return f"/aws/lambda/{function}"


def access_log_group_name(prefix: str) -> str:
    """The web services API's access log group."""
    return f"/aws/apigateway/{prefix}-genesys-data-actions"
