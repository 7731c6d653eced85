"""One construct per concern: an action's function (role, logs, alias, alarms), the Genesys
integration role, the API in front of the functions, and the optional customer-managed key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as sm
from aws_cdk import aws_sns as sns
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from definitions.naming import ALIAS, AUTHORIZER, access_log_group_name, function_name, log_group_name, secret_name

if TYPE_CHECKING:
    from dataactions.declaration import Action
    from infra.options import DeployOptions

RUNTIME = lambda_.Runtime.PYTHON_3_14
PYTHON_VERSION = "3.14"
ARCHITECTURE = lambda_.Architecture.ARM_64
LAYER_ARCH = "aarch64"
MAX_BODY_BYTES = 64 * 1024


def acknowledge(scope: Construct, rule: str, reason: str) -> None:
    """Acknowledge one cdk-nag finding on ``scope``, with the reason it is acceptable here."""
    cdk.Validations.of(scope).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


class ActionFunction(Construct):
    """One data action's Lambda: own role (its log group and its secret only), log group with
    retention, reserved concurrency, the ``live`` alias Genesys invokes, and alarms on errors,
    throttles and duration. With a customer-managed ``key``, the log group, the environment and (in
    the stack) the secret are encrypted with it."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        action: Action,
        configuration: str,
        options: DeployOptions,
        code: lambda_.Code,
        layers: Sequence[lambda_.ILayerVersion],
        secret: sm.ISecret | None,
        alarm_topic: sns.ITopic | None,
        key: kms.IKey | None,
        secret_key: kms.IKey | None,
    ) -> None:
        """``key``: the customer-managed key, if any; ``secret_key``: the key ``secret`` is encrypted
        with when the stack created it with one (an existing secret's key is its own business)."""
        super().__init__(scope, id)
        name = function_name(options.prefix, action.id, configuration)
        self.function_name = name
        self.log_group, self.role = logged_role(
            self,
            "Logs",
            "Role",
            name,
            options,
            f"Runs {action.name} ({configuration}): writes its own log group, reads its own secret",
            key,
        )
        env = {
            "DA_CONFIG_NAME": configuration,
            "DA_LOG_LEVEL": options.log_level,
            "DA_TIMEOUT_MARGIN_MS": "250",
        }
        if secret is not None:
            grant_secret_read(self.role, secret, secret_key)
            env["DA_SECRET_ID"] = secret.secret_arn
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=name,
            description=f"Genesys data action: {action.name}",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler=action.handler,
            code=code,
            layers=list(layers),
            role=self.role,
            timeout=cdk.Duration.seconds(action.lambda_timeout_seconds),
            memory_size=action.memory_mb,
            log_group=self.log_group,
            environment=env,
            environment_encryption=key,
            reserved_concurrent_executions=options.reserved(action.id),
            params_and_secrets=secrets_extension() if options.secrets_extension and secret is not None else None,
        )
        pc = options.provisioned_concurrency.get(action.id, 0)
        self.alias = lambda_.Alias(
            self,
            "Live",
            alias_name=ALIAS,
            version=self.function.current_version,
            provisioned_concurrent_executions=pc or None,
        )
        period = cdk.Duration.minutes(5)
        alarms = [
            cw.Alarm(
                self,
                "Errors",
                metric=self.function.metric_errors(period=period, statistic="Sum"),
                threshold=1,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{name}: function errors (failure path in Genesys flows)",
            ),
            cw.Alarm(
                self,
                "Throttles",
                metric=self.function.metric_throttles(period=period, statistic="Sum"),
                threshold=1,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{name}: throttled invocations",
            ),
            cw.Alarm(
                self,
                "NearTimeout",
                metric=self.function.metric_duration(period=period, statistic="Maximum"),
                threshold=action.lambda_timeout_seconds * 1000 * 0.8,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.NOT_BREACHING,
                alarm_description=f"{name}: duration above 80% of its timeout",
            ),
        ]
        if alarm_topic is not None:
            for alarm in alarms:
                alarm.add_alarm_action(cw_actions.SnsAction(alarm_topic))


# CloudWatch Logs retention days (infra.options.RETENTION_DAYS) -> CDK's names for them.
RETENTION = {
    1: "ONE_DAY",
    3: "THREE_DAYS",
    5: "FIVE_DAYS",
    7: "ONE_WEEK",
    14: "TWO_WEEKS",
    30: "ONE_MONTH",
    60: "TWO_MONTHS",
    90: "THREE_MONTHS",
    120: "FOUR_MONTHS",
    150: "FIVE_MONTHS",
    180: "SIX_MONTHS",
    365: "ONE_YEAR",
    400: "THIRTEEN_MONTHS",
    545: "EIGHTEEN_MONTHS",
    731: "TWO_YEARS",
    1096: "THREE_YEARS",
    1827: "FIVE_YEARS",
    2192: "SIX_YEARS",
    2557: "SEVEN_YEARS",
    2922: "EIGHT_YEARS",
    3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}


def retention(days: int) -> logs.RetentionDays:
    """``days`` is validated by DeployOptions (one of CloudWatch Logs' values)."""
    return cast(logs.RetentionDays, getattr(logs.RetentionDays, RETENTION[days]))


def logged_role(
    scope: Construct, log_id: str, role_id: str, name: str, options: DeployOptions, description: str, key: kms.IKey | None
) -> tuple[logs.LogGroup, iam.Role]:
    """A function's log group (with retention, encrypted with ``key`` when given) and its role,
    allowed to write that log group only."""
    log_group = logs.LogGroup(
        scope,
        log_id,
        log_group_name=log_group_name(name),
        retention=retention(options.log_retention_days),
        encryption_key=key,
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    role = iam.Role(scope, role_id, assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"), description=description)
    role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=[log_group.log_group_arn]))
    log_resource = cast(cdk.CfnElement, log_group.node.default_child)
    acknowledge(
        role,
        f"AwsSolutions-IAM5[Resource::<{cdk.Stack.of(scope).get_logical_id(log_resource)}.Arn>:*]",
        "Log streams are created at run time inside this function's own log group; the ARN ends in :* by design.",
    )
    return log_group, role


def grant_secret_read(role: iam.IRole, secret: sm.ISecret, key: kms.IKey | None) -> None:
    """Read one secret; with the customer-managed key it is encrypted with, kms:Decrypt on that key
    through Secrets Manager only. Written out, not ``secret.grant_read``: CDK would also put the role
    into the key policy of the keys stack, a reference cycle, and trust IAM no less for it."""
    role.add_to_principal_policy(
        iam.PolicyStatement(actions=["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources=[secret.secret_arn])
    )
    if key is not None:
        role.add_to_principal_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt"],
                resources=[key.key_arn],
                conditions={"StringEquals": {"kms:ViaService": f"secretsmanager.{cdk.Aws.REGION}.amazonaws.com"}},
            )
        )


def configuration_secret(
    scope: Construct, options: DeployOptions, kind: str, configuration: str, title: str, key: kms.IKey | None
) -> tuple[sm.ISecret, kms.IKey | None]:
    """A named configuration's secret: an existing one (``secretArns``, keeping its own key: its key
    policy must let the functions decrypt, see README) or a new one encrypted with ``key``. Returns
    the secret and the key the stack encrypted it with (None for an existing one)."""
    existing = options.secret_arns.get(f"{kind}:{configuration}")
    if existing:
        return sm.Secret.from_secret_complete_arn(scope, "Secret", existing), None
    secret = sm.Secret(
        scope,
        "Secret",
        secret_name=secret_name(options.prefix, kind, configuration),
        description=f"{title} credentials ({configuration}): put the JSON documented in the README here",
        encryption_key=key,
    )
    acknowledge(secret, "AwsSolutions-SMG4", "Vendor credentials are rotated at the vendor; rotate by putting a new secret value.")
    return secret, key


def secrets_extension() -> lambda_.ParamsAndSecretsLayerVersion:
    """The AWS Parameters and Secrets Lambda Extension: secrets over localhost, no boto3 import."""
    return lambda_.ParamsAndSecretsLayerVersion.from_version(
        lambda_.ParamsAndSecretsVersions.V1_0_103, cache_enabled=True, cache_size=10, http_port=2773
    )


class DataActionsKey(Construct):
    """The customer-managed key (``-c kmsKey=create``) for the log groups, the secrets and the
    functions' environments: yearly rotation, retained on stack deletion (logs and secrets outlive
    it). Its policy: the account (so IAM policies decide, as for any key: the deployment, and each
    function's kms:Decrypt through Secrets Manager on its own secret) and CloudWatch Logs of this
    region for this bundle's log groups only."""

    def __init__(self, scope: Construct, id: str, *, options: DeployOptions) -> None:
        super().__init__(scope, id)
        self.key = kms.Key(
            self,
            "Key",
            alias=f"alias/{options.prefix}-genesys-data-actions",
            description="Genesys data actions: log groups, secrets and function environments",
            enable_key_rotation=True,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(logs_key_statement(options.prefix))


def logs_key_statement(prefix: str) -> iam.PolicyStatement:
    """What CloudWatch Logs needs in a key policy to encrypt this bundle's log groups (and no other)."""
    arn = f"arn:{cdk.Aws.PARTITION}:logs:{cdk.Aws.REGION}:{cdk.Aws.ACCOUNT_ID}:log-group:"
    return iam.PolicyStatement(
        sid="CloudWatchLogsForThisBundle",
        principals=[iam.ServicePrincipal(f"logs.{cdk.Aws.REGION}.amazonaws.com")],
        actions=["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        resources=["*"],
        conditions={
            "ArnLike": {
                "kms:EncryptionContext:aws:logs:arn": [
                    arn + log_group_name(f"{prefix}-*"),
                    arn + access_log_group_name(prefix),
                ]
            }
        },
    )


class GenesysIntegrationRole(Construct):
    """The role the Genesys AWS Lambda data actions integration assumes: trusts Genesys' account
    with the organization ID as ExternalId, and may only invoke this bundle's functions."""

    def __init__(self, scope: Construct, id: str, *, options: DeployOptions, function_names: list[str]) -> None:
        super().__init__(scope, id)
        self.role = iam.Role(
            self,
            "Role",
            role_name=f"{options.prefix}-genesys-integration",
            assumed_by=iam.AccountPrincipal(options.genesys_principal_account),
            external_ids=[options.genesys_org_id],
            max_session_duration=cdk.Duration.hours(1),
            description="Assumed by the Genesys Cloud AWS Lambda data actions integration",
        )
        # Exact ARNs (function and its live alias), never wildcards. A managed policy holds at most
        # 6,144 characters, so the list is split over as many policies as it needs.
        chunks: list[list[str]] = [[]]
        size = 0
        for name in function_names:
            arn = f"arn:${{AWS::Partition}}:lambda:${{AWS::Region}}:${{AWS::AccountId}}:function:{name}"
            for template in (arn, f"{arn}:{ALIAS}"):
                cost = len(template) + 16  # the template is longer than the resolved ARN, plus JSON punctuation
                if size + cost > POLICY_BUDGET:
                    chunks.append([])
                    size = 0
                chunks[-1].append(template)
                size += cost
        for index, templates in enumerate(chunks):
            iam.ManagedPolicy(
                self,
                f"InvokePolicy{index + 1}",
                roles=[self.role],
                description=f"Genesys may invoke these data action functions ({index + 1}/{len(chunks)})",
                statements=[iam.PolicyStatement(actions=["lambda:InvokeFunction"], resources=[cdk.Fn.sub(t) for t in templates])],
            )


POLICY_BUDGET = 5800  # characters per managed policy: IAM allows 6,144


class DataActionsApi(Construct):
    """REST API: a POST route per action (Lambda proxy to the live alias), API key + usage plan,
    body validation against the input contract, a 64 KB body limit (WAF), access logs, and an
    optional custom domain with mutual TLS."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        options: DeployOptions,
        routes: list[tuple[str, str, dict]],
        code: lambda_.Code,
        core_layer: lambda_.ILayerVersion | None,
        key: kms.IKey | None,
    ) -> None:
        """``routes``: (path, function name, input JSON schema) per action."""
        super().__init__(scope, id)
        use_key = options.api_auth == "apikey"
        stack = cdk.Stack.of(self)
        access_logs = logs.LogGroup(
            self,
            "AccessLogs",
            log_group_name=access_log_group_name(options.prefix),
            retention=retention(options.log_retention_days),
            encryption_key=key,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        mtls = bool(options.api_domain_name and options.mtls_truststore_uri)
        self.api = apigw.RestApi(
            self,
            "Api",
            rest_api_name=f"{options.prefix}-genesys-data-actions",
            description="Genesys Cloud data actions (web services integration path)",
            cloud_watch_role=False,
            endpoint_types=[apigw.EndpointType.REGIONAL],
            api_key_source_type=apigw.ApiKeySourceType.HEADER,
            disable_execute_api_endpoint=mtls,
            default_method_options=apigw.MethodOptions(api_key_required=use_key),
            deploy_options=apigw.StageOptions(
                stage_name="prod",
                access_log_destination=apigw.LogGroupLogDestination(access_logs),
                access_log_format=apigw.AccessLogFormat.json_with_standard_fields(
                    caller=False,
                    http_method=True,
                    ip=True,
                    protocol=True,
                    request_time=True,
                    resource_path=True,
                    response_length=True,
                    status=True,
                    user=False,
                ),
                throttling_rate_limit=options.api_rate_limit,
                throttling_burst_limit=options.api_burst_limit,
                tracing_enabled=True,
            ),
        )
        authorizer = self._basic_auth(options, code, core_layer, key) if options.api_auth == "basic" else None
        validator = self.api.add_request_validator("BodyValidator", validate_request_body=True, validate_request_parameters=True)
        self.api.add_gateway_response(
            "BadBody",
            type=apigw.ResponseType.BAD_REQUEST_BODY,
            templates={"application/json": '{"code":"INVALID_INPUT","message":"Invalid input: $context.error.validationErrorString"}'},
        )
        for path, name, schema in routes:
            resource = self.api.root.resource_for_path(path)
            fn = lambda_.Function.from_function_attributes(
                self,
                f"Fn{name}",
                same_environment=True,
                function_arn=stack.format_arn(
                    service="lambda", resource="function", resource_name=f"{name}:{ALIAS}", arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME
                ),
            )
            model = self.api.add_model(f"Model{name}", content_type="application/json", schema=_json_schema(schema))
            resource.add_method(
                "POST",
                apigw.LambdaIntegration(fn, proxy=True, allow_test_invoke=False),
                api_key_required=use_key,
                authorizer=authorizer,
                request_validator=validator,
                request_models={"application/json": model},
            )
        plan = self.api.add_usage_plan(
            "UsagePlan",
            name=f"{options.prefix}-genesys",
            throttle=apigw.ThrottleSettings(rate_limit=options.api_rate_limit, burst_limit=options.api_burst_limit),
        )
        plan.add_api_stage(stage=self.api.deployment_stage)
        self.api_key = self.api.add_api_key("GenesysApiKey", api_key_name=f"{options.prefix}-genesys")
        plan.add_api_key(self.api_key)

        acl = wafv2.CfnWebACL(
            self,
            "Waf",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"{options.prefix}-api"),
            rules=[
                wafv2.CfnWebACL.RuleProperty(
                    name="BodyLargerThan64KB",
                    priority=0,
                    action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                    visibility_config=_visibility(f"{options.prefix}-body-size"),
                    statement=wafv2.CfnWebACL.StatementProperty(
                        size_constraint_statement=wafv2.CfnWebACL.SizeConstraintStatementProperty(
                            comparison_operator="GT",
                            size=MAX_BODY_BYTES,
                            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                                body=wafv2.CfnWebACL.BodyProperty(oversize_handling="MATCH")
                            ),
                            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")],
                        )
                    ),
                ),
            ],
        )
        wafv2.CfnWebACLAssociation(self, "WafAssociation", resource_arn=self.api.deployment_stage.stage_arn, web_acl_arn=acl.attr_arn)

        self.url = self.api.url
        if options.api_domain_name and options.api_certificate_arn:  # DeployOptions requires both together
            from aws_cdk import aws_certificatemanager as acm
            from aws_cdk import aws_s3 as s3

            mtls_config = None
            if options.mtls_truststore_uri:
                bucket_name, _, object_key = options.mtls_truststore_uri.removeprefix("s3://").partition("/")
                mtls_config = apigw.MTLSConfig(
                    bucket=s3.Bucket.from_bucket_name(self, "Truststore", bucket_name),
                    key=object_key,
                    version=options.mtls_truststore_version,
                )
            domain = self.api.add_domain_name(
                "Domain",
                domain_name=options.api_domain_name,
                security_policy=apigw.SecurityPolicy.TLS_1_2,
                certificate=acm.Certificate.from_certificate_arn(self, "Certificate", options.api_certificate_arn),
                endpoint_type=apigw.EndpointType.REGIONAL,
                mtls=mtls_config,
            )
            self.url = f"https://{domain.domain_name}/"
        for rule, reason in (
            (
                "AwsSolutions-APIG4",
                "Genesys web services integrations authenticate with an API key header, basic auth or mutual TLS; IAM and Cognito authorizers are not available to Genesys.",
            ),
            ("AwsSolutions-COG4", "Same as APIG4: callers are Genesys data actions, not Cognito users."),
            (
                "AwsSolutions-APIG6",
                "Execution logging needs an account-wide API Gateway CloudWatch role; access logs are on for every request.",
            ),
        ):
            acknowledge(self.api, rule, reason)

    def _basic_auth(
        self, options: DeployOptions, code: lambda_.Code, core_layer: lambda_.ILayerVersion | None, key: kms.IKey | None
    ) -> apigw.IAuthorizer:
        """HTTP basic auth for the Genesys Basic Auth credential type: a TOKEN authorizer checking
        the Authorization header against a generated secret ``{username, password}``."""
        secret = sm.Secret(
            self,
            "BasicAuthSecret",
            secret_name=f"{options.prefix}/webservices/basic",
            description="Username and password the Genesys web services integration sends (Basic Auth credential type)",
            generate_secret_string=sm.SecretStringGenerator(
                secret_string_template='{"username": "genesys"}',
                generate_string_key="password",
                exclude_characters=":\"\\'",
                password_length=40,
            ),
            encryption_key=key,
        )
        acknowledge(secret, "AwsSolutions-SMG4", "Rotate by putting a new password and updating the Genesys credential at the same time.")
        name = function_name(options.prefix, AUTHORIZER)
        log_group, role = logged_role(
            self,
            "AuthorizerLogs",
            "AuthorizerRole",
            name,
            options,
            "Checks web services basic auth: writes its log group, reads its secret",
            key,
        )
        grant_secret_read(role, secret, key)
        fn = lambda_.Function(
            self,
            "Authorizer",
            function_name=name,
            description="Genesys web services: basic auth authorizer",
            runtime=RUNTIME,
            architecture=ARCHITECTURE,
            handler="functions.authorizer.handler",
            code=code,
            layers=[core_layer] if core_layer is not None else [],
            role=role,
            timeout=cdk.Duration.seconds(5),
            memory_size=256,
            log_group=log_group,
            environment={"DA_SECRET_ID": secret.secret_arn, "DA_CONFIG_NAME": "webservices"},
            environment_encryption=key,
            reserved_concurrent_executions=options.reserved(AUTHORIZER),
            params_and_secrets=secrets_extension(),
        )
        return apigw.TokenAuthorizer(
            self, "BasicAuth", handler=fn, identity_source="method.request.header.Authorization", results_cache_ttl=cdk.Duration.minutes(5)
        )


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)


_TYPES = {t: getattr(apigw.JsonSchemaType, t.upper()) for t in ("string", "integer", "number", "boolean", "object", "array", "null")}


def _json_schema(schema: dict) -> apigw.JsonSchema:
    """A Genesys draft-04 input contract as an API Gateway model (the same rules, enforced at the edge)."""

    def node(s: dict) -> apigw.JsonSchema:
        t = s.get("type")
        return apigw.JsonSchema(
            type=[_TYPES[x] for x in t] if isinstance(t, list) else _TYPES.get(t) if t else None,
            description=s.get("description"),
            min_length=s.get("minLength"),
            max_length=s.get("maxLength"),
            pattern=s.get("pattern"),
            minimum=s.get("minimum"),
            maximum=s.get("maximum"),
            exclusive_minimum=s.get("exclusiveMinimum"),
            exclusive_maximum=s.get("exclusiveMaximum"),
            enum=s.get("enum"),
            properties={k: node(v) for k, v in s["properties"].items()} if "properties" in s else None,
            required=s.get("required") or None,
            additional_properties=s.get("additionalProperties") if isinstance(s.get("additionalProperties"), bool) else None,
        )

    out = node(schema)
    return apigw.JsonSchema(
        schema=apigw.JsonSchemaVersion.DRAFT4,
        title=schema.get("title", "").replace(" ", ""),
        type=out.type,
        properties=out.properties,
        required=out.required,
        additional_properties=out.additional_properties,
    )
