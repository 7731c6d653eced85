"""The bundle as the Genesys integrations API stores it: the integration, its credential, and each
action as ``PostActionInput`` (what ``./dev genesys publish``, the custom resource and the
Terraform export write).

Names, categories and descriptions come from the declarations: the action's name (with the
configuration suffix of :func:`definitions.naming.display_name`), its backend family's title as
the category, its description in both contracts. Sources for the integration types, credential
types and the credential slot names: the Genesys CX as Code modules and provider docs (see
``shared/docs/genesys-data-actions.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from definitions.contracts import contract_problems
from definitions.lambda_integration import definition
from definitions.naming import DEFAULT_CONFIG, display_name, function_arn, function_name, route_path
from definitions.web_services import web_services_definition
from functions.publisher.reconcile import ActionSpec, Bundle, IntegrationSpec

if TYPE_CHECKING:
    from dataactions.declaration import Action

INTEGRATION_TYPES = {"lambda": "aws-lambda-data-actions", "webservices": "custom-rest-actions"}
TITLES = {"lambda": "AWS Lambda", "webservices": "web services"}
# Credential slot of each integration type (the key under config.credentials) and the credential
# types it takes: AWS Lambda holds the role ARN; web services a Basic Auth or User Defined credential.
LAMBDA_CREDENTIAL = ("AmazonWebServicesARN", "amazonWebServicesARN")
WEB_SERVICES_SLOT = "basicAuth"
WEB_SERVICES_CREDENTIAL_TYPES = {"apikey": "userDefined", "basic": "basicAuth"}


def integration_name(prefix: str, integration: str = "lambda") -> str:
    """One integration per prefix and type: ``gda data actions (AWS Lambda)``."""
    return f"{prefix} data actions ({TITLES[integration]})"


def category(act: Action) -> str:
    """The action's category in Genesys (Architect groups actions by it): its backend family's title."""
    return act.backend.title


def action_spec(act: Action, config: str, defn: dict[str, Any]) -> ActionSpec:
    """An import-format definition (``definitions.lambda_integration`` / ``web_services``) as the API stores it."""
    problems = contract_problems(defn)
    if problems:
        raise ValueError(f"{act.id}: definition breaks Genesys contract rules: {'; '.join(problems)}")
    return ActionSpec(
        key=route_path(act.id, config),
        name=defn["name"],
        category=category(act),
        secure=bool(defn["secure"]),
        config=defn["config"],
        contract=defn["contract"],
    )


def lambda_bundle(targets: list[tuple[Action, str, str]], role_arn: str, prefix: str, name: str | None = None) -> Bundle:
    """The AWS Lambda data actions integration (role ARN as its credential) and one action per
    (action, configuration, function alias ARN)."""
    slot, ctype = LAMBDA_CREDENTIAL
    return Bundle(
        IntegrationSpec(name or integration_name(prefix, "lambda"), INTEGRATION_TYPES["lambda"], slot, ctype, {"ARN": role_arn}),
        tuple(action_spec(act, cfg, definition(act, arn, display_name(act.name, cfg))) for act, cfg, arn in targets),
    )


def web_services_bundle(
    pairs: list[tuple[Action, str]],
    api_url: str,
    credential: str,
    secret: dict[str, str],
    prefix: str,
    response: str = "full",
    name: str | None = None,
) -> Bundle:
    """The web services integration (``custom-rest-actions``) calling the API routes: an API key
    (User Defined credential, ``apiKey``) or Basic Auth (``userName``, ``password``)."""
    fields = {"apiKey": secret["apiKey"]} if credential == "apikey" else {"userName": secret["userName"], "password": secret["password"]}
    secret_fields = ("apiKey",) if credential == "apikey" else ("password",)
    base = api_url.rstrip("/")
    return Bundle(
        IntegrationSpec(
            name or integration_name(prefix, "webservices"),
            INTEGRATION_TYPES["webservices"],
            WEB_SERVICES_SLOT,
            WEB_SERVICES_CREDENTIAL_TYPES[credential],
            fields,
            secret_fields,
        ),
        tuple(
            action_spec(
                act,
                cfg,
                web_services_definition(act, f"{base}/{route_path(act.id, cfg)}", credential, display_name(act.name, cfg), response),
            )
            for act, cfg in pairs
        ),
    )


def deployed_targets(
    pairs: list[tuple[Action, str]], prefix: str, account: str, region: str, partition: str = "aws"
) -> list[tuple[Action, str, str]]:
    """(action, configuration, alias ARN) from the deterministic function names."""
    return [(act, cfg, function_arn(account, region, function_name(prefix, act.id, cfg), partition)) for act, cfg in pairs]


def custom_resource_bundle(pairs: list[tuple[Action, str]], prefix: str) -> dict[str, Any]:
    """What the custom resource's function carries (written into its asset at synth): every action
    with ``{partition}``/``{region}``/``{account}`` left in its function ARN (the function fills them
    from its own ARN), and the integration's name; the role ARN comes as a resource property."""
    arn = "arn:{partition}:lambda:{region}:{account}:function:%s:live"
    targets = [(act, cfg, arn % function_name(prefix, act.id, cfg)) for act, cfg in pairs]
    return lambda_bundle(targets, "{roleArn}", prefix).to_json()


def pairs_of(actions: list[Action], configs: Sequence[str] = ()) -> list[tuple[Action, str]]:
    """(action, configuration): each action's default configuration, plus every action of each BACKEND:NAME."""
    pairs = [(a, DEFAULT_CONFIG) for a in actions]
    for spec in configs:
        kind, _, cfg = spec.partition(":")
        pairs += [(a, cfg) for a in actions if a.backend.kind == kind]
    return pairs
