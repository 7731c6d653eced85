"""``-c genesysPublish=true``: a custom resource publishes the deployed actions to Genesys Cloud
during ``cdk deploy`` and removes them when the stack is deleted.

One function (``<prefix>-genesys-publisher``: ``functions/publisher/handler.py`` plus the actions'
definitions, derived from the declarations at synth, in its own asset) with its own role: its log
group, its dead-letter queue, and ``secretsmanager:GetSecretValue`` on the OAuth client's secret
(``genesysPublishSecretArn``) and nothing else. Reserved concurrency 1 (one publish at a time),
no retries of a failed invocation (the function always answers CloudFormation itself; what it could
not answer lands in the queue). The custom resource's properties carry a digest of the
definitions, so a changed contract or configuration is an update (a new publish).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from definitions.genesys_api import INTEGRATION_TYPES, custom_resource_bundle, integration_name
from definitions.naming import function_name
from infra.build import BUILD, IGNORED, ROOT
from infra.constructs import ARCHITECTURE, RUNTIME, acknowledge, logged_role

if TYPE_CHECKING:
    from pathlib import Path

    from aws_cdk import aws_kms as kms

    from dataactions.declaration import Action
    from infra.options import DeployOptions

PUBLISHER = "genesys-publisher"  # <prefix>-genesys-publisher
RESOURCE_TYPE = "Custom::GenesysDataActions"
SECRET_ENV = "GDA_PUBLISH_SECRET_ID"


def build_publisher_code(bundle: dict[str, Any]) -> tuple[Path, str]:
    """(asset directory, digest of the definitions): ``functions/publisher`` and its bundle.json."""
    src = ROOT / "functions" / "publisher"
    text = json.dumps(bundle, sort_keys=True, indent=1)
    h = hashlib.sha256(text.encode())
    for f in sorted(p for p in src.rglob("*.py")):
        h.update(str(f.relative_to(ROOT)).encode())
        h.update(f.read_bytes())
    h.update((ROOT / "functions" / "__init__.py").read_bytes())
    out = BUILD / "publisher" / h.hexdigest()[:16]
    if not (out / ".complete").exists():
        if out.exists():
            shutil.rmtree(out)
        shutil.copytree(src, out / "functions" / "publisher", ignore=IGNORED)
        shutil.copy(ROOT / "functions" / "__init__.py", out / "functions" / "__init__.py")
        (out / "functions" / "publisher" / "bundle.json").write_text(text)
        (out / ".complete").touch()
    return out, hashlib.sha256(text.encode()).hexdigest()[:16]


class GenesysPublisher(Construct):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: DeployOptions,
        deployed: list[tuple[Action, str]],
        integration_role: iam.IRole,
        core_layer: lambda_.ILayerVersion,
        key: kms.IKey | None,
    ) -> None:
        super().__init__(scope, id)
        secret_arn = options.genesys_publish_secret_arn
        assert secret_arn is not None  # DeployOptions requires it with genesysPublish
        code_dir, digest = build_publisher_code(custom_resource_bundle(deployed, options.prefix))
        name = function_name(options.prefix, PUBLISHER)
        log_group, role = logged_role(
            self, "Logs", "Role", name, options, "Publishes the data actions to Genesys Cloud: its log group, its secret, its queue", key
        )
        role.add_to_policy(iam.PolicyStatement(actions=["secretsmanager:GetSecretValue"], resources=[secret_arn]))
        dead_letters = sqs.Queue(
            self,
            "DeadLetters",
            encryption=sqs.QueueEncryption.KMS_MANAGED,  # alias/aws/sqs: checkov does not count SQS-managed SSE
            enforce_ssl=True,
            retention_period=cdk.Duration.days(14),
        )
        acknowledge(dead_letters, "AwsSolutions-SQS3", "This queue is the publisher function's dead-letter queue; it has none of its own.")
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=name,
            description="Genesys data actions: publishes the actions to Genesys Cloud (custom resource)",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="functions.publisher.handler.handler",
            code=lambda_.Code.from_asset(str(code_dir)),
            layers=[core_layer],
            role=role,
            timeout=cdk.Duration.minutes(5),
            memory_size=256,
            log_group=log_group,
            environment={SECRET_ENV: secret_arn},
            environment_encryption=key,
            reserved_concurrent_executions=1,
            dead_letter_queue=dead_letters,
            retry_attempts=0,
        )
        self.resource = cdk.CustomResource(
            self,
            "Publish",
            service_token=self.function.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={
                "IntegrationName": integration_name(options.prefix, "lambda"),
                "IntegrationType": INTEGRATION_TYPES["lambda"],
                "RoleArn": integration_role.role_arn,
                "DefinitionsDigest": digest,
                "Actions": len(deployed),
            },
        )
        cdk.CfnOutput(
            scope,
            "GenesysIntegrationId",
            value=self.resource.get_att_string("IntegrationId"),
            description="The Genesys Cloud integration the actions were published to",
        )
