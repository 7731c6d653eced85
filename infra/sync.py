"""One stack per sync family configuration (``-c syncs=presence,presence:emea``), derived from the
family's declaration: its secret, DynamoDB tables (on-demand, point-in-time recovery, encrypted,
TTL where declared), SQS queues (FIFO where declared) each with a dead-letter queue, and per sync
function a Lambda with its own least-privilege role (its log group, its secret, the tables and
queues it declares), its trigger (the queue, an EventBridge rule on the vendor's partner bus, or
a schedule), alarms (errors, throttles, dead letters) and the family's log metrics."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_dynamodb as ddb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs

from definitions.naming import camel, sync_function_name, sync_resource_name
from infra.constructs import ARCHITECTURE, RUNTIME, acknowledge, configuration_secret, grant_secret_read, logged_role, secrets_extension

if TYPE_CHECKING:
    from pathlib import Path

    from constructs import Construct

    from infra.options import DeployOptions
    from syncs.declaration import SyncFamily, SyncFunction

SYNC_NAMESPACE = "GenesysDataActions/Sync"
TABLE_READ = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"]
TABLE_WRITE = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"]


class SyncStack(cdk.Stack):
    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: DeployOptions,
        family: SyncFamily[Any],
        configuration: str,
        functions: list[SyncFunction[Any]],
        code_dir: Path,
        layer_dirs: dict[str, Path],
        key: kms.IKey | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, id, description=f"Genesys sync services: {family.title} ({configuration})", **kwargs)
        from infra.stacks import customer_key

        kind, prefix = family.kind, options.prefix
        key = customer_key(self, options, key)
        topic = sns.Topic.from_topic_arn(self, "AlarmTopic", options.alarm_topic_arn) if options.alarm_topic_arn else None
        self.alarms: list[cw.Alarm] = []

        secret, secret_key = configuration_secret(self, options, kind, configuration, family.title, key)

        self.tables: dict[str, ddb.TableV2] = {}
        for table in family.tables:
            self.tables[table.name] = ddb.TableV2(
                self,
                f"{camel(table.name)}Table",
                table_name=sync_resource_name(prefix, kind, configuration, table.name),
                partition_key=ddb.Attribute(name="pk", type=ddb.AttributeType.STRING),
                sort_key=ddb.Attribute(name="sk", type=ddb.AttributeType.STRING) if table.sort_key else None,
                billing=ddb.Billing.on_demand(),
                point_in_time_recovery_specification=ddb.PointInTimeRecoverySpecification(point_in_time_recovery_enabled=True),
                encryption=ddb.TableEncryptionV2.customer_managed_key(key) if key else ddb.TableEncryptionV2.aws_managed_key(),
                time_to_live_attribute=table.ttl_attribute,
                deletion_protection=True,
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )

        consumers = {f.trigger.queue: f for f in functions if hasattr(f.trigger, "queue")}
        self.queues: dict[str, sqs.Queue] = {}
        self.dead_letters: dict[str, sqs.Queue] = {}
        for queue in family.queues:
            base = sync_resource_name(prefix, kind, configuration, queue.name)
            suffix = ".fifo" if queue.fifo else ""
            consumer = consumers.get(queue.name)
            dlq = sqs.Queue(
                self,
                f"{camel(queue.name)}DeadLetters",
                queue_name=f"{base}-dlq{suffix}",
                fifo=queue.fifo or None,
                retention_period=cdk.Duration.days(14),
                encryption=sqs.QueueEncryption.KMS_MANAGED,
                enforce_ssl=True,
            )
            acknowledge(dlq, "AwsSolutions-SQS3", "This is the dead-letter queue.")
            self.dead_letters[queue.name] = dlq
            self.queues[queue.name] = sqs.Queue(
                self,
                f"{camel(queue.name)}Queue",
                queue_name=f"{base}{suffix}",
                fifo=queue.fifo or None,
                content_based_deduplication=False if queue.fifo else None,
                visibility_timeout=cdk.Duration.seconds(6 * (consumer.timeout_seconds if consumer else 60)),
                retention_period=cdk.Duration.days(4),
                encryption=sqs.QueueEncryption.KMS_MANAGED,
                enforce_ssl=True,
                dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=queue.max_receives, queue=dlq),
            )
            self._alarm(
                f"{camel(queue.name)}DeadLettersAlarm",
                dlq.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5), statistic="Maximum"),
                0,
                f"{base}: messages in the dead-letter queue (redrive once fixed)",
            )

        event_dlq: sqs.Queue | None = None
        if any(type(f.trigger).__name__ in ("OnEvent", "Every") for f in functions):
            event_dlq = sqs.Queue(
                self,
                "EventDeadLetters",
                queue_name=sync_resource_name(prefix, kind, configuration, "events-dlq"),
                retention_period=cdk.Duration.days(14),
                encryption=sqs.QueueEncryption.SQS_MANAGED,
                enforce_ssl=True,
            )
            acknowledge(event_dlq, "AwsSolutions-SQS3", "This is the dead-letter queue of the EventBridge targets.")
            self._alarm(
                "EventDeadLettersAlarm",
                event_dlq.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(5), statistic="Maximum"),
                0,
                f"{kind}:{configuration}: events EventBridge could not deliver",
            )

        needed = sorted({layer for f in functions for layer in f.layers})
        layers = {
            name: lambda_.LayerVersion(
                self,
                f"{camel(name)}Layer",
                code=lambda_.Code.from_asset(str(layer_dirs[name])),
                compatible_runtimes=[RUNTIME],
                compatible_architectures=[ARCHITECTURE],
                description=f"Genesys sync services: {name} layer",
            )
            for name in needed
        }
        code = lambda_.Code.from_asset(str(code_dir))
        buses = options.event_buses.get(f"{kind}:{configuration}", {})
        self.functions: dict[str, lambda_.Function] = {}
        for fn in functions:
            trigger = fn.trigger
            source = getattr(trigger, "source", None)
            if source is not None and source not in buses:
                continue  # no partner event bus for this vendor in this configuration: nothing to listen to
            name = sync_function_name(prefix, fn.id, configuration)
            log_group, role = logged_role(
                self,
                f"{camel(fn.id)}Logs",
                f"{camel(fn.id)}Role",
                name,
                options,
                f"Runs {fn.name} ({configuration}): its log group, its secret, its tables and queues",
                key,
            )
            grant_secret_read(role, secret, secret_key)
            env = {"DA_CONFIG_NAME": configuration, "DA_LOG_LEVEL": options.log_level, "DA_SECRET_ID": secret.secret_arn}
            self._grant_tables(role, fn, key, env)
            for qname in fn.sends_to:
                self._grant_queue(role, qname, ["sqs:SendMessage", "sqs:GetQueueAttributes"], env, family)
            if hasattr(trigger, "queue"):
                self._grant_queue(role, trigger.queue, [], env, family)  # consuming is granted by the event source
                role.add_to_policy(iam.PolicyStatement(actions=["sqs:SendMessage"], resources=[self.dead_letters[trigger.queue].queue_arn]))
            function = lambda_.Function(
                self,
                f"{camel(fn.id)}Function",
                function_name=name,
                description=f"Genesys sync: {fn.name}",
                runtime=RUNTIME,
                architecture=ARCHITECTURE,
                handler=fn.handler,
                code=code,
                layers=[layers[n] for n in fn.layers],
                role=role,
                timeout=cdk.Duration.seconds(fn.timeout_seconds),
                memory_size=fn.memory_mb,
                ephemeral_storage_size=cdk.Size.mebibytes(fn.storage_mb) if fn.storage_mb != 512 else None,
                log_group=log_group,
                environment=env,
                environment_encryption=key,
                reserved_concurrent_executions=fn.concurrency or options.reserved(fn.id),
                params_and_secrets=secrets_extension() if options.secrets_extension else None,
                # EventBridge rules and schedules invoke asynchronously: an event whose invocation keeps
                # failing lands in the dead-letter queue instead of being dropped after Lambda's retries.
                dead_letter_queue=None if hasattr(trigger, "queue") else event_dlq,
            )
            self.functions[fn.id] = function
            self._trigger(fn, function, buses, family, event_dlq, options)
            self._alarm(
                f"{camel(fn.id)}Errors",
                function.metric_errors(period=cdk.Duration.minutes(5), statistic="Sum"),
                0,
                f"{name}: function errors (queue messages are retried, then dead-lettered)",
            )
            self._alarm(
                f"{camel(fn.id)}Throttles",
                function.metric_throttles(period=cdk.Duration.minutes(5), statistic="Sum"),
                0,
                f"{name}: throttled invocations",
            )
            for metric in (m for m in family.metrics if m.function == fn.id):
                self._log_metric(metric, log_group, name, configuration)
        if topic is not None:
            for alarm in self.alarms:
                alarm.add_alarm_action(cw_actions.SnsAction(topic))

        cdk.CfnOutput(self, "SyncConfig", value=f"{kind}:{configuration}", description="Sync family and named configuration of this stack")
        cdk.CfnOutput(self, "SecretArn", value=secret.secret_arn, description="Put the credentials (JSON) in this secret")
        for tname, made in self.tables.items():
            cdk.CfnOutput(
                self, f"{camel(tname)}TableName", value=made.table_name, description=f"{family.title}: {family.table(tname).purpose}"
            )
        for qname, made_queue in self.queues.items():
            cdk.CfnOutput(
                self,
                f"{camel(qname)}DeadLetterQueueUrl",
                value=self.dead_letters[qname].queue_url,
                description="Dead letters of the queue; once the cause is fixed, redrive them with aws sqs start-message-move-task "
                "--source-arn <this queue's ARN>",
            )
            cdk.CfnOutput(self, f"{camel(qname)}QueueUrl", value=made_queue.queue_url, description=family.queue(qname).purpose)

    # -- pieces ---------------------------------------------------------------------------------------

    def _grant_tables(self, role: iam.Role, fn: SyncFunction[Any], key: kms.IKey | None, env: dict[str, str]) -> None:
        """Exactly the declared tables, read or read/write; with a customer key, its use through DynamoDB only."""
        for tname in fn.tables:
            table = self.tables[tname]
            env[fn.family.table(tname).env] = table.table_name
            actions = TABLE_READ + (TABLE_WRITE if tname in fn.writes else [])
            role.add_to_policy(iam.PolicyStatement(actions=actions, resources=[table.table_arn]))
        if key is not None and fn.tables:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    resources=[key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"dynamodb.{cdk.Aws.REGION}.amazonaws.com"}},
                )
            )

    def _grant_queue(self, role: iam.Role, qname: str, actions: list[str], env: dict[str, str], family: SyncFamily[Any]) -> None:
        declared = family.queue(qname)
        env[declared.env] = self.queues[qname].queue_url
        env[f"{declared.env}_DLQ"] = self.dead_letters[qname].queue_url
        if actions:
            role.add_to_policy(iam.PolicyStatement(actions=actions, resources=[self.queues[qname].queue_arn]))

    def _trigger(
        self,
        fn: SyncFunction[Any],
        function: lambda_.Function,
        buses: dict[str, str],
        family: SyncFamily[Any],
        event_dlq: sqs.Queue | None,
        options: DeployOptions,
    ) -> None:
        from syncs.declaration import Every, FromQueue, OnEvent

        trigger = fn.trigger
        if isinstance(trigger, FromQueue):
            function.add_event_source(
                sources.SqsEventSource(self.queues[trigger.queue], batch_size=trigger.batch_size, report_batch_item_failures=True)
            )
            return
        target = targets.LambdaFunction(
            function,
            dead_letter_queue=event_dlq,
            retry_attempts=8 if isinstance(trigger, OnEvent) else 0,
            max_event_age=cdk.Duration.hours(6) if isinstance(trigger, OnEvent) else cdk.Duration.minutes(5),
        )
        if isinstance(trigger, OnEvent):
            source = next(s for s in family.event_sources if s.name == trigger.source)
            bus = events.EventBus.from_event_bus_name(self, f"{camel(fn.id)}Bus", buses[trigger.source])
            events.Rule(
                self,
                f"{camel(fn.id)}Rule",
                event_bus=bus,
                description=f"{source.title} -> {fn.name}",
                targets=[target],
                event_pattern=events.EventPattern(source=events.Match.prefix(source.source_prefix), detail_type=list(trigger.detail_types)),
            )
        elif isinstance(trigger, Every):
            minutes = options.schedules.get(fn.id, trigger.minutes)
            events.Rule(
                self,
                f"{camel(fn.id)}Schedule",
                schedule=events.Schedule.rate(cdk.Duration.minutes(minutes)),
                targets=[target],
                description=f"Every {minutes} min: {fn.name}",
            )

    def _log_metric(self, metric: Any, log_group: logs.ILogGroup, name: str, configuration: str) -> None:
        conditions = [logs.FilterPattern.string_value(f"$.{k}", "=", v) for k, v in metric.where]
        if metric.field:
            conditions.append(logs.FilterPattern.exists(f"$.{metric.field}"))
        pattern = logs.FilterPattern.all(*conditions) if conditions else logs.FilterPattern.all_events()
        mf = logs.MetricFilter(
            self,
            f"{camel(name)}{metric.name}Filter",
            log_group=log_group,
            filter_pattern=pattern,
            metric_namespace=SYNC_NAMESPACE,
            metric_name=metric.name,
            metric_value=f"$.{metric.field}" if metric.field else "1",
            dimensions={"Configuration": "$.config"},
            unit=getattr(cw.Unit, metric.unit.upper()),
        )
        if metric.alarm_above is not None:
            m = mf.metric(statistic=metric.statistic, period=cdk.Duration.minutes(5), dimensions_map={"Configuration": configuration})
            self._alarm(f"{camel(name)}{metric.name}Alarm", m, metric.alarm_above, f"{name}: {metric.purpose}")

    def _alarm(self, id: str, metric: cw.IMetric, above: float, description: str) -> None:
        self.alarms.append(
            cw.Alarm(
                self,
                id,
                metric=metric,
                threshold=above,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=description,
            )
        )
