"""checkov findings this bundle acknowledges, each with its reason, in one place.

checkov (tests/infra/test_checkov.py) scans every synthesised template; a finding listed here is
written into the resource's ``Metadata.checkov.skip`` with its reason, so anyone running checkov on
``cdk.out`` sees the same result. Each entry applies only to the resource types it names, and
``unless_customer_key`` entries only while no customer-managed key is configured: with
``-c kmsKey=...`` those findings are fixed, not acknowledged. Reserved concurrency (CKV_AWS_115) is
fixed by default (``reservedConcurrency``) and is not acknowledged anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
import jsii
from constructs import IConstruct

if TYPE_CHECKING:
    from infra.options import DeployOptions


@dataclass(frozen=True)
class Acknowledgement:
    check: str  # checkov check id
    resource_types: tuple[str, ...]  # CloudFormation types it is acknowledged on
    reason: str
    unless_customer_key: bool = False  # fixed by -c kmsKey=...; acknowledged only without it
    only_ids: tuple[str, ...] = ()  # when given: only resources whose logical id starts with one of these
    unless_property: str | None = None  # fixed on a resource that sets this property (CloudFormation name)


FUNCTION = "AWS::Lambda::Function"

ACKNOWLEDGED: tuple[Acknowledgement, ...] = (
    Acknowledgement(
        "CKV_AWS_116",
        (FUNCTION,),
        "Dead-letter queues receive failed asynchronous invocations. Genesys invokes the data actions synchronously "
        "(RequestResponse) and receives every failure as the reply; the sync functions fed by an SQS queue are invoked "
        "synchronously by the event source mapping, and their failed messages go to that queue's own dead-letter queue. "
        "Functions invoked asynchronously (EventBridge rules, schedules, the CloudFormation custom resource) have one.",
        unless_property="DeadLetterConfig",
    ),
    Acknowledgement(
        "CKV_AWS_117",
        (FUNCTION,),
        "The functions call public vendor APIs (HTTPS) and AWS APIs only; no private network resource is reached, and "
        "a VPC would add NAT cost and cold-start latency against the Genesys timeout without narrowing any access.",
    ),
    Acknowledgement(
        "CKV_AWS_120",
        ("AWS::ApiGateway::Stage",),
        "Every POST reads live backend data for one caller (a balance, a case, a payment result); a cached reply would "
        "be stale or another caller's.",
    ),
    Acknowledgement(
        "CKV_AWS_192",
        ("AWS::WAFv2::WebACL",),
        "Log4j (CVE-2021-44228) needs Java in the request path; it is Python throughout, and the API validates every "
        "body against the action's input schema before any function runs.",
    ),
    Acknowledgement(
        "CKV_AWS_158",
        ("AWS::Logs::LogGroup",),
        "Encrypted at rest with CloudWatch Logs' own key by default; -c kmsKey=create|<key ARN> uses a customer-managed key.",
        unless_customer_key=True,
    ),
    Acknowledgement(
        "CKV_AWS_149",
        ("AWS::SecretsManager::Secret",),
        "Encrypted with the aws/secretsmanager key by default; -c kmsKey=create|<key ARN> uses a customer-managed key.",
        unless_customer_key=True,
    ),
    Acknowledgement(
        "CKV_AWS_173",
        (FUNCTION,),
        "The environment holds no secret (configuration name, log level, the ARNs and names of the function's own secret, "
        "tables and queues) and is encrypted with Lambda's "
        "AWS managed key; -c kmsKey=create|<key ARN> uses a customer-managed key.",
        unless_customer_key=True,
    ),
    Acknowledgement(
        "CKV_AWS_27",
        ("AWS::SQS::Queue",),
        "The sync services' EventBridge dead-letter queue is encrypted with SSE-SQS: EventBridge cannot write to a queue "
        "encrypted with the AWS managed aws/sqs key, and a customer-managed key needs a key policy for EventBridge that "
        "an existing key may not have. Every other queue uses the aws/sqs KMS key.",
        only_ids=("EventDeadLetters",),
    ),
)


def applicable(options: DeployOptions, resource_type: str, logical_id: str = "") -> list[Acknowledgement]:
    """The acknowledgements that apply to a resource of this type (and logical id) in this deployment."""
    customer_key = options.kms_key is not None
    return [
        a
        for a in ACKNOWLEDGED
        if resource_type in a.resource_types
        and not (a.unless_customer_key and customer_key)
        and (not a.only_ids or logical_id.startswith(a.only_ids))
    ]


@jsii.implements(cdk.IAspect)
class CheckovAcknowledgements:
    """Writes the applicable acknowledgements into each resource's ``Metadata.checkov.skip``."""

    def __init__(self, options: DeployOptions) -> None:
        self.options = options

    def visit(self, node: IConstruct) -> None:
        if not isinstance(node, cdk.CfnResource):
            return
        found = [
            a
            for a in applicable(self.options, node.cfn_resource_type, cdk.Stack.of(node).get_logical_id(node))
            if not (a.unless_property and _sets(node, a.unless_property))
        ]
        if not found:
            return
        existing: dict[str, Any] = node.get_metadata("checkov") or {}
        skip = [s for s in existing.get("skip", []) if s["id"] not in {a.check for a in found}]
        skip += [{"id": a.check, "comment": a.reason} for a in found]
        node.add_metadata("checkov", {**existing, "skip": skip})


def _sets(node: cdk.CfnResource, prop: str) -> bool:
    """Whether the resource sets this CloudFormation property (read from its L1 attribute)."""
    attribute = prop[0].lower() + prop[1:]
    attribute = "".join("_" + c.lower() if c.isupper() else c for c in attribute)
    return getattr(node, attribute, None) is not None
