"""The stacks, composed from the action declarations (no action is listed here).

* one backend stack per (backend, named configuration): its secret, layers, functions, aliases,
  alarms, and outputs (``BackendConfig`` and each function's alias ARN);
* one core stack: the Genesys integration role, the API in front of every function, a dashboard;
* with ``-c kmsKey=create``, one keys stack holding the customer-managed key the others use.

Splitting per backend keeps every stack far below CloudFormation's 500-resource limit; the core
stack refers to functions by their deterministic names, so no cross-stack exports pin versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as sm
from aws_cdk import aws_sns as sns

from definitions.naming import camel, function_name, output_key, route_path, stack_name
from infra.constructs import (
    ARCHITECTURE,
    RUNTIME,
    ActionFunction,
    DataActionsApi,
    DataActionsKey,
    GenesysIntegrationRole,
    configuration_secret,
)

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from dataactions.declaration import Action
    from infra.options import DeployOptions


def customer_key(stack: cdk.Stack, options: DeployOptions, created: kms.IKey | None) -> kms.IKey | None:
    """The customer-managed key as ``stack`` sees it: the keys stack's, an existing one, or none."""
    if created is not None:
        return created
    if options.kms_key_arn:
        return kms.Key.from_key_arn(stack, "CustomerKey", options.kms_key_arn)
    return None


class KeysStack(cdk.Stack):
    """The customer-managed key (``-c kmsKey=create``), in its own stack: every other stack uses it."""

    def __init__(self, scope: Construct, id: str, *, options: DeployOptions, **kwargs: Any) -> None:
        super().__init__(scope, id, description="Genesys data actions: customer-managed key", **kwargs)
        self.key = DataActionsKey(self, "DataActions", options=options).key
        cdk.CfnOutput(self, "KeyArn", value=self.key.key_arn, description="Encrypts the log groups, secrets and function environments")


class BackendStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: DeployOptions,
        kind: str,
        configuration: str,
        actions: list[Action],
        code_dir: Path,
        layer_dirs: dict[str, Path],
        key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, description=f"Genesys data actions: {kind} ({configuration})", **kwargs)
        backend = actions[0].backend
        key = customer_key(self, options, key)
        secret: sm.ISecret | None = None
        secret_key: kms.IKey | None = None
        if backend.config_model is not None:
            secret, secret_key = configuration_secret(self, options, kind, configuration, backend.title, key)
        layers = [
            lambda_.LayerVersion(
                self,
                f"{camel(name)}Layer",
                code=lambda_.Code.from_asset(str(layer_dirs[name])),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description=f"Genesys data actions: {name} layer",
            )
            for name in backend.layers
        ]
        code = lambda_.Code.from_asset(str(code_dir))
        topic = sns.Topic.from_topic_arn(self, "AlarmTopic", options.alarm_topic_arn) if options.alarm_topic_arn else None
        self.functions: list[ActionFunction] = []
        for act in actions:
            fn = ActionFunction(
                self,
                camel(act.id),
                action=act,
                configuration=configuration,
                options=options,
                code=code,
                layers=layers,
                secret=secret,
                alarm_topic=topic,
                key=key,
                secret_key=secret_key,
            )
            self.functions.append(fn)
            cdk.CfnOutput(
                self, output_key(act.id, configuration), value=fn.alias.function_arn, description=f"{act.name}: the ARN Genesys invokes"
            )
        cdk.CfnOutput(self, "BackendConfig", value=f"{kind}:{configuration}", description="Backend and named configuration of this stack")
        if secret is not None:
            cdk.CfnOutput(self, "SecretArn", value=secret.secret_arn, description="Put the backend credentials (JSON) in this secret")


class CoreStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: DeployOptions,
        deployed: list[tuple[Action, str]],
        code_dir: Path,
        core_layer_dir: Path,
        key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, description="Genesys data actions: integration role, API, dashboard", **kwargs)
        key = customer_key(self, options, key)
        from definitions.contracts import input_schema

        names = [function_name(options.prefix, act.id, config) for act, config in deployed]
        role = GenesysIntegrationRole(self, "GenesysIntegration", options=options, function_names=names).role
        core_layer = (
            lambda_.LayerVersion(
                self,
                "CoreLayer",
                code=lambda_.Code.from_asset(str(core_layer_dir)),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description="Genesys data actions: core layer",
            )
            if options.api_auth == "basic"
            else None
        )
        api = DataActionsApi(
            self,
            "Api",
            options=options,
            code=lambda_.Code.from_asset(str(code_dir)),
            core_layer=core_layer,
            key=key,
            routes=[
                (route_path(act.id, config), function_name(options.prefix, act.id, config), input_schema(act)) for act, config in deployed
            ],
        )
        if options.genesys_publish:  # -c genesysPublish=true: publish the actions to Genesys Cloud on deploy
            from infra.publish import GenesysPublisher

            publish_layer = core_layer or lambda_.LayerVersion(
                self,
                "PublisherCoreLayer",
                code=lambda_.Code.from_asset(str(core_layer_dir)),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description="Genesys data actions: core layer",
            )
            GenesysPublisher(
                self, "GenesysPublish", options=options, deployed=deployed, integration_role=role, core_layer=publish_layer, key=key
            )
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{options.prefix}-genesys-data-actions")
        for act, config in deployed:
            name = function_name(options.prefix, act.id, config)
            dims = {"FunctionName": name}
            dashboard.add_widgets(
                cw.GraphWidget(
                    title=name,
                    width=12,
                    left=[
                        cw.Metric(namespace="AWS/Lambda", metric_name=m, dimensions_map=dims, statistic="Sum")
                        for m in ("Invocations", "Errors", "Throttles")
                    ],
                    right=[cw.Metric(namespace="AWS/Lambda", metric_name="Duration", dimensions_map=dims, statistic="p99")],
                )
            )
        cdk.CfnOutput(
            self,
            "IntegrationRoleArn",
            value=role.role_arn,
            description="Paste into the Genesys AWS Lambda data actions integration (credentials: Role ARN)",
        )
        cdk.CfnOutput(
            self, "GenesysExternalId", value=options.genesys_org_id, description="sts:ExternalId required on the integration role"
        )
        cdk.CfnOutput(self, "ApiUrl", value=api.url, description="Base URL of the web services path (POST /<action-id>)")
        cdk.CfnOutput(self, "ApiKeyId", value=api.api_key.key_id, description="aws apigateway get-api-key --include-value --api-key <id>")
        cdk.CfnOutput(self, "ApiAuth", value=options.api_auth, description="Web services credential type: apikey or basic")


def build(app: cdk.App, options: DeployOptions | None = None) -> list[cdk.Stack]:
    """Every stack for the configured backends. Raises OptionsError with a clear message."""
    from functions import all_actions, all_sync_families, all_syncs
    from infra.acknowledgements import CheckovAcknowledgements
    from infra.build import build_code, build_layer
    from infra.constructs import LAYER_ARCH, PYTHON_VERSION
    from infra.options import DeployOptions
    from infra.sync import SyncStack

    actions = list(all_actions().values())
    syncs = list(all_syncs().values())
    options = options or DeployOptions.from_context(app.node.get_all_context(), catalogue(actions), sync_catalogue())
    env = cdk.Environment(account=options.account, region=options.region) if (options.account or options.region) else None
    code_dir = build_code()
    needed = sorted(
        {"core"}
        | {layer for kind, _ in options.backends for a in actions if a.backend.kind == kind for layer in a.backend.layers}
        | {layer for kind, _ in options.syncs for f in syncs if f.family.kind == kind for layer in f.layers}
    )
    layer_dirs = {name: build_layer(name, arch=LAYER_ARCH, python_version=PYTHON_VERSION) for name in needed}
    stacks: list[cdk.Stack] = []
    key: kms.IKey | None = None
    if options.creates_kms_key:
        keys = KeysStack(app, stack_name(options.prefix, "keys"), options=options, env=env)
        key = keys.key
        stacks.append(keys)
    deployed: list[tuple[Action, str]] = []
    for kind, configuration in options.backends:
        family = [a for a in actions if a.backend.kind == kind]
        stacks.append(
            BackendStack(
                app,
                stack_name(options.prefix, kind, configuration),
                options=options,
                kind=kind,
                configuration=configuration,
                actions=family,
                code_dir=code_dir,
                layer_dirs=layer_dirs,
                key=key,
                env=env,
            )
        )
        deployed += [(a, configuration) for a in family]
    families = all_sync_families()
    for kind, configuration in options.syncs:
        stacks.append(
            SyncStack(
                app,
                stack_name(options.prefix, kind, configuration),
                options=options,
                family=families[kind],
                configuration=configuration,
                functions=[f for f in syncs if f.family.kind == kind],
                code_dir=code_dir,
                layer_dirs=layer_dirs,
                key=key,
                env=env,
            )
        )
    core = CoreStack(
        app,
        stack_name(options.prefix, "core"),
        options=options,
        deployed=deployed,
        code_dir=code_dir,
        core_layer_dir=layer_dirs["core"],
        key=key,
        env=env,
    )
    for stack in stacks:
        core.add_stack_dependency(stack)
    stacks.append(core)
    cdk.Aspects.of(app).add(CheckovAcknowledgements(options))
    return stacks


def sync_catalogue() -> dict[str, list[str]]:
    """Sync family kind -> its sync function ids: what the deployment options may name."""
    from functions import all_syncs

    kinds: dict[str, list[str]] = {}
    for fn in all_syncs().values():
        kinds.setdefault(fn.family.kind, []).append(fn.id)
    return kinds


def catalogue(actions: list[Action]) -> dict[str, list[str]]:
    """Backend kind -> its action ids: what the deployment options may name."""
    kinds: dict[str, list[str]] = {}
    for act in actions:
        kinds.setdefault(act.backend.kind, []).append(act.id)
    return kinds
