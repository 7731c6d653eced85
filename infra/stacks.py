"""The stacks, composed from the action declarations (no action is listed here).

* one backend stack per (backend, named configuration): its secret, layers, functions, aliases,
  alarms, and outputs (``BackendConfig`` and each function's alias ARN);
* one core stack: the Genesys integration role, the API in front of every function, a dashboard.

Splitting per backend keeps every stack far below CloudFormation's 500-resource limit; the core
stack refers to functions by their deterministic names, so no cross-stack exports pin versions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as sm
from aws_cdk import aws_sns as sns

from definitions.naming import camel, function_name, output_key, route_path, secret_name, stack_name
from infra.constructs import ARCHITECTURE, RUNTIME, ActionFunction, DataActionsApi, GenesysIntegrationRole, acknowledge

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from dataactions.declaration import Action
    from infra.config import DeployConfig


class BackendStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cfg: DeployConfig,
        kind: str,
        config: str,
        actions: list[Action],
        code_dir: Path,
        layer_dirs: dict[str, Path],
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description=f"Genesys data actions: {kind} ({config})", **kwargs)
        backend = actions[0].backend
        secret: sm.ISecret | None = None
        if backend.config_model is not None:
            existing = cfg.secret_arns.get(f"{kind}:{config}")
            if existing:
                secret = sm.Secret.from_secret_complete_arn(self, "Secret", existing)
            else:
                secret = sm.Secret(
                    self,
                    "Secret",
                    secret_name=secret_name(cfg.prefix, kind, config),
                    description=f"{backend.title} credentials ({config}): put the JSON documented in the README here",
                )
                acknowledge(
                    secret, "AwsSolutions-SMG4", "Vendor credentials are rotated at the vendor; rotate by putting a new secret value."
                )
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
        topic = sns.Topic.from_topic_arn(self, "AlarmTopic", cfg.alarm_topic_arn) if cfg.alarm_topic_arn else None
        self.functions: list[ActionFunction] = []
        for act in actions:
            fn = ActionFunction(
                self, camel(act.id), action=act, config_name=config, cfg=cfg, code=code, layers=layers, secret=secret, alarm_topic=topic
            )
            self.functions.append(fn)
            cdk.CfnOutput(self, output_key(act.id, config), value=fn.alias.function_arn, description=f"{act.name}: the ARN Genesys invokes")
        cdk.CfnOutput(self, "BackendConfig", value=f"{kind}:{config}", description="Backend and named configuration of this stack")
        if secret is not None:
            cdk.CfnOutput(self, "SecretArn", value=secret.secret_arn, description="Put the backend credentials (JSON) in this secret")


class CoreStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        cfg: DeployConfig,
        deployed: list[tuple[Action, str]],
        code_dir: Path,
        core_layer_dir: Path,
        **kwargs,
    ) -> None:
        super().__init__(scope, id, description="Genesys data actions: integration role, API, dashboard", **kwargs)
        from definitions.contracts import input_schema

        names = [function_name(cfg.prefix, act.id, config) for act, config in deployed]
        role = GenesysIntegrationRole(self, "GenesysIntegration", cfg=cfg, function_names=names).role
        core_layer = (
            lambda_.LayerVersion(
                self,
                "CoreLayer",
                code=lambda_.Code.from_asset(str(core_layer_dir)),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description="Genesys data actions: core layer",
            )
            if cfg.api_auth == "basic"
            else None
        )
        api = DataActionsApi(
            self,
            "Api",
            cfg=cfg,
            code=lambda_.Code.from_asset(str(code_dir)),
            core_layer=core_layer,
            routes=[(route_path(act.id, config), function_name(cfg.prefix, act.id, config), input_schema(act)) for act, config in deployed],
        )
        dashboard = cw.Dashboard(self, "Dashboard", dashboard_name=f"{cfg.prefix}-genesys-data-actions")
        for act, config in deployed:
            name = function_name(cfg.prefix, act.id, config)
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
        cdk.CfnOutput(self, "GenesysExternalId", value=cfg.genesys_org_id, description="sts:ExternalId required on the integration role")
        cdk.CfnOutput(self, "ApiUrl", value=api.url, description="Base URL of the web services path (POST /<action-id>)")
        cdk.CfnOutput(self, "ApiKeyId", value=api.api_key.key_id, description="aws apigateway get-api-key --include-value --api-key <id>")
        cdk.CfnOutput(self, "ApiAuth", value=cfg.api_auth, description="Web services credential type: apikey or basic")


def build(app: cdk.App, cfg: DeployConfig | None = None) -> list[cdk.Stack]:
    """Every stack for the configured backends. Raises ConfigError with a clear message."""
    from functions import all_actions, all_backends
    from infra.build import build_code, build_layer
    from infra.config import DeployConfig
    from infra.constructs import LAYER_ARCH, PYTHON_VERSION

    cfg = cfg or DeployConfig.from_context(app.node.try_get_context, list(all_backends()))
    env = cdk.Environment(account=cfg.account, region=cfg.region) if (cfg.account or cfg.region) else None
    actions = list(all_actions().values())
    code_dir = build_code()
    needed = sorted({"core"} | {layer for kind, _ in cfg.backends for a in actions if a.backend.kind == kind for layer in a.backend.layers})
    layer_dirs = {name: build_layer(name, arch=LAYER_ARCH, python_version=PYTHON_VERSION) for name in needed}
    stacks: list[cdk.Stack] = []
    deployed: list[tuple[Action, str]] = []
    for kind, config in cfg.backends:
        family = [a for a in actions if a.backend.kind == kind]
        stacks.append(
            BackendStack(
                app,
                stack_name(cfg.prefix, kind, config),
                cfg=cfg,
                kind=kind,
                config=config,
                actions=family,
                code_dir=code_dir,
                layer_dirs=layer_dirs,
                env=env,
            )
        )
        deployed += [(a, config) for a in family]
    core = CoreStack(
        app, stack_name(cfg.prefix, "core"), cfg=cfg, deployed=deployed, code_dir=code_dir, core_layer_dir=layer_dirs["core"], env=env
    )
    for stack in stacks:
        core.add_stack_dependency(stack)
    stacks.append(core)
    return stacks
