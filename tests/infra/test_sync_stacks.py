"""The sync stacks, synthesised from the sync families' declarations: tables, queues, triggers,
least-privilege roles, alarms and metric filters; options validated with clear messages."""

from __future__ import annotations

import json

import pytest

from functions import all_syncs
from infra.options import OptionsError
from tests.infra.conftest import options, synth

BUSES = json.dumps(
    {"presence:default": {"genesys": "aws.partner/genesys.com/cloud/org/local", "salesforce": "aws.partner/salesforce.com/00D/0YL"}}
)


@pytest.fixture(scope="module")
def presence(tmp_path_factory):
    return synth(
        tmp_path_factory.mktemp("sync"),
        backends="payments",
        syncs="presence",
        eventBuses=BUSES,
        schedules=json.dumps({"presence-reconcile": 10}),
    )


def stack(s, name="Gda-Presence"):
    return s.templates[name]["Resources"]


def of_type(resources, type_):
    return {lid: r for lid, r in resources.items() if r["Type"] == type_}


def test_every_declared_table_and_queue_exists_with_its_protections(presence) -> None:
    res = stack(presence)
    tables = {r["Properties"]["TableName"]: r["Properties"] for r in of_type(res, "AWS::DynamoDB::GlobalTable").values()}
    assert set(tables) == {
        "gda-presence-default-rules",
        "gda-presence-default-state",
        "gda-presence-default-audit",
        "gda-presence-default-idempotency",
    }
    for props in tables.values():
        assert props["Replicas"][0]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["Replicas"][0]["DeletionProtectionEnabled"] is True
    assert tables["gda-presence-default-audit"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    queues = {r["Properties"]["QueueName"]: r["Properties"] for r in of_type(res, "AWS::SQS::Queue").values()}
    changes = queues["gda-presence-default-changes.fifo"]
    assert changes["FifoQueue"] is True and changes["ContentBasedDeduplication"] is False
    assert changes["RedrivePolicy"]["maxReceiveCount"] == 5
    assert changes["VisibilityTimeout"] == 6 * all_syncs()["presence-apply"].timeout_seconds
    assert "gda-presence-default-changes-dlq.fifo" in queues and all(
        q.get("KmsMasterKeyId") == "alias/aws/sqs" for n, q in queues.items() if "changes" in n
    )


def test_each_trigger_is_derived_from_its_declaration(presence) -> None:
    res = stack(presence)
    mappings = of_type(res, "AWS::Lambda::EventSourceMapping")
    assert len(mappings) == 1
    (mapping,) = mappings.values()
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"] and mapping["Properties"]["BatchSize"] == 10
    rules = [r["Properties"] for r in of_type(res, "AWS::Events::Rule").values()]
    patterns = [r["EventPattern"] for r in rules if "EventPattern" in r]
    assert {
        "source": [{"prefix": "aws.partner/genesys.com"}],
        "detail-type": ["v2.users.{id}.presence", "v2.users.{id}.routingStatus"],
    } in patterns
    assert {"source": [{"prefix": "aws.partner/salesforce.com"}], "detail-type": ["Presence_Change__e"]} in patterns
    assert {r["EventBusName"] for r in rules if "EventPattern" in r} == {
        "aws.partner/genesys.com/cloud/org/local",
        "aws.partner/salesforce.com/00D/0YL",
    }
    assert sorted(r["ScheduleExpression"] for r in rules if "ScheduleExpression" in r) == ["rate(1 minute)", "rate(10 minutes)"]


def test_roles_reach_only_what_each_function_declares(presence) -> None:
    res = stack(presence)
    functions = {r["Properties"]["FunctionName"]: r["Properties"] for r in of_type(res, "AWS::Lambda::Function").values()}
    policies = {lid: r for lid, r in of_type(res, "AWS::IAM::Policy").items()}

    def actions_of(fn_name: str) -> set[str]:
        role = functions[fn_name]["Role"]["Fn::GetAtt"][0]
        found = set()
        for p in policies.values():
            if {"Ref": role} in p["Properties"]["Roles"]:
                for st in p["Properties"]["PolicyDocument"]["Statement"]:
                    found |= set(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
        return found

    ingest = actions_of("gda-presence-genesys-events")
    assert "sqs:SendMessage" in ingest and not any(a.startswith("dynamodb:") for a in ingest)
    apply = actions_of("gda-presence-apply")
    assert {"dynamodb:PutItem", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= apply
    env = functions["gda-presence-apply"]["Environment"]["Variables"]
    assert set(env) >= {
        "SYNC_TABLE_RULES",
        "SYNC_TABLE_STATE",
        "SYNC_TABLE_AUDIT",
        "SYNC_TABLE_IDEMPOTENCY",
        "SYNC_QUEUE_CHANGES",
        "SYNC_QUEUE_CHANGES_DLQ",
    }
    assert "SYNC_TABLE_AUDIT" not in functions["gda-presence-reconcile"]["Environment"]["Variables"]
    assert all(f["Layers"] and f["Handler"].startswith("functions.presence.syncs.") for f in functions.values())
    assert functions["gda-presence-cxone-poll"]["ReservedConcurrentExecutions"] == 1  # one poller at a time
    assert functions["gda-presence-apply"]["ReservedConcurrentExecutions"] == 10  # the deployment's default


def test_alarms_cover_dead_letters_breaker_and_latency(presence) -> None:
    res = stack(presence)
    filters = {r["Properties"]["MetricTransformations"][0]["MetricName"] for r in of_type(res, "AWS::Logs::MetricFilter").values()}
    assert {"BreakerTrips", "SyncLatency", "DriftContactCenter", "DriftSalesforce"} <= filters
    alarms = " ".join(r["Properties"]["AlarmDescription"] for r in of_type(res, "AWS::CloudWatch::Alarm").values())
    assert "dead-letter queue" in alarms and "flapped" in alarms and "event in -> other side written" in alarms


def test_a_vendor_without_a_bus_has_no_listener(tmp_path) -> None:
    only_sf = json.dumps({"presence:default": {"salesforce": "aws.partner/salesforce.com/00D/0YL"}})
    s = synth(tmp_path, backends="payments", syncs="presence", eventBuses=only_sf)
    names = {r["Properties"]["FunctionName"] for r in of_type(stack(s), "AWS::Lambda::Function").values()}
    assert "gda-presence-genesys-events" not in names and "gda-presence-salesforce-events" in names


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"syncs": "presense"}, "syncs: unknown sync family 'presense'; known: exsync, presence"),
        (
            {"syncs": "presence", "eventBuses": json.dumps({"presence:emea": {}})},
            "eventBuses[presence:emea]: names no deployed sync configuration",
        ),
        ({"syncs": "presence", "schedules": json.dumps({"presence-reconcil": 5})}, "did you mean presence-reconcile?"),
        ({"syncs": "presence", "schedules": json.dumps({"presence-reconcile": 0})}, "schedules[presence-reconcile]"),
    ],
)
def test_bad_sync_options_are_clear(context, message) -> None:
    with pytest.raises(OptionsError) as info:
        options(genesysOrgId="6f4b5a8e-1d2c-4e3f-9a8b-7c6d5e4f3a2b", **context)
    assert message in str(info.value)


def test_a_customer_key_encrypts_the_tables_and_the_roles_may_use_it_through_dynamodb_only(tmp_path) -> None:
    s = synth(tmp_path, backends="payments", syncs="presence", eventBuses=BUSES, kmsKey="create")
    res = stack(s)
    for table in of_type(res, "AWS::DynamoDB::GlobalTable").values():
        assert table["Properties"]["SSESpecification"]["SSEType"] == "KMS"
    statements = [st for p in of_type(res, "AWS::IAM::Policy").values() for st in p["Properties"]["PolicyDocument"]["Statement"]]
    kms = [st for st in statements if "kms:GenerateDataKey" in st["Action"]]
    assert kms and all(st["Condition"]["StringEquals"]["kms:ViaService"] for st in kms)
