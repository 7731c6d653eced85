"""The EX sync stack, derived from the family's declaration (cdk-nag runs on the synth: any
unacknowledged finding fails it): tables, the work queue, triggers, least-privilege roles, alarms."""

from __future__ import annotations

import json

import pytest

from tests.infra.conftest import synth

BUSES = json.dumps({"exsync:default": {"genesys": "aws.partner/genesys.com/cloud/org/exsync"}})


@pytest.fixture(scope="module")
def resources(tmp_path_factory):
    s = synth(tmp_path_factory.mktemp("exsync"), backends="payments", syncs="exsync", eventBuses=BUSES)
    return s.templates["Gda-Exsync"]["Resources"]


def of_type(resources, type_):
    return {lid: r for lid, r in resources.items() if r["Type"] == type_}


def test_tables_queue_and_their_protections(resources) -> None:
    tables = {r["Properties"]["TableName"]: r["Properties"] for r in of_type(resources, "AWS::DynamoDB::GlobalTable").values()}
    names = ("map", "runs", "state", "mapping", "feed", "idempotency")
    assert set(tables) == {f"gda-exsync-default-{n}" for n in names}
    assert tables["gda-exsync-default-runs"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert tables["gda-exsync-default-feed"]["TimeToLiveSpecification"] == {"AttributeName": "expiresAt", "Enabled": True}
    assert [k["AttributeName"] for k in tables["gda-exsync-default-map"]["KeySchema"]] == ["pk", "sk"]
    assert all(t["Replicas"][0]["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] for t in tables.values())
    queues = {r["Properties"]["QueueName"]: r["Properties"] for r in of_type(resources, "AWS::SQS::Queue").values()}
    work = queues["gda-exsync-default-work.fifo"]
    assert work["FifoQueue"] is True and work["VisibilityTimeout"] == 6 * 600 and "gda-exsync-default-work-dlq.fifo" in queues
    for name in ("interactions", "recordings"):  # part 2: FIFO, each with its dead-letter queue
        assert queues[f"gda-exsync-default-{name}.fifo"]["FifoQueue"] is True and f"gda-exsync-default-{name}-dlq.fifo" in queues
    assert queues["gda-exsync-default-recordings.fifo"]["VisibilityTimeout"] == 6 * 600


def test_triggers_schedules_the_work_queue_and_the_audit_topic(resources) -> None:
    mappings = [m["Properties"] for m in of_type(resources, "AWS::Lambda::EventSourceMapping").values()]
    assert sorted(m["BatchSize"] for m in mappings) == [1, 1, 5]  # work, recordings; interactions
    assert all(m["FunctionResponseTypes"] == ["ReportBatchItemFailures"] for m in mappings)
    rules = [r["Properties"] for r in of_type(resources, "AWS::Events::Rule").values()]
    assert sorted(r["ScheduleExpression"] for r in rules if "ScheduleExpression" in r) == sorted(
        ["rate(1 day)", "rate(15 minutes)", "rate(1 minute)", "rate(1 hour)", "rate(1 hour)", "rate(5 minutes)"]
    )
    patterns = [r["EventPattern"] for r in rules if "EventPattern" in r]
    assert patterns == [{"source": [{"prefix": "aws.partner/genesys.com"}], "detail-type": ["v2.audits.entitytype.{id}.entityid.{id}"]}]


def test_each_role_reaches_only_what_its_function_declares(resources) -> None:
    functions = {r["Properties"]["FunctionName"]: r["Properties"] for r in of_type(resources, "AWS::Lambda::Function").values()}
    part1 = {"gda-exsync-sync", "gda-exsync-reconcile", "gda-exsync-apply", "gda-exsync-genesys-audit"}
    part2 = {"states-poll", "states-reconcile", "contacts-poll", "contacts-reconcile", "inject-interaction", "upload-recording"}
    assert set(functions) == part1 | {f"gda-exsync-{f}" for f in part2}
    policies = of_type(resources, "AWS::IAM::Policy")

    def grants(fn: str) -> list[tuple[set[str], str]]:
        role = functions[fn]["Role"]["Fn::GetAtt"][0]
        out = []
        for p in policies.values():
            if {"Ref": role} in p["Properties"]["Roles"]:
                for st in p["Properties"]["PolicyDocument"]["Statement"]:
                    actions = set(st["Action"] if isinstance(st["Action"], list) else [st["Action"]])
                    out.append((actions, json.dumps(st["Resource"])))
        return out

    def tables_written(fn: str) -> set[str]:
        return {
            t
            for actions, res in grants(fn)
            if "dynamodb:PutItem" in actions
            for t in ("Map", "Runs", "State", "Mapping", "Feed", "Idempotency")
            if f"{t}Table" in res
        }

    assert tables_written("gda-exsync-genesys-audit") == {"Map"}
    assert tables_written("gda-exsync-sync") == {"Runs", "State"}  # the planner never writes the id map
    assert tables_written("gda-exsync-apply") == {"Map", "Runs", "State"}
    assert not any("dynamodb:Scan" in actions for fn in functions for actions, _ in grants(fn))
    assert any("sqs:SendMessage" in actions for actions, _ in grants("gda-exsync-sync"))
    assert not any("sqs:SendMessage" in actions and "WorkQueue" in res for actions, res in grants("gda-exsync-genesys-audit"))
    assert functions["gda-exsync-apply"]["Timeout"] == 600 and functions["gda-exsync-sync"]["Timeout"] == 900
    # part 2: the feeds never write the id map; only the injector sends recordings; only the uploader has the media layer
    for fn in part2:
        assert "Map" not in tables_written(f"gda-exsync-{fn}") and "Feed" in tables_written(f"gda-exsync-{fn}")
    assert tables_written("gda-exsync-inject-interaction") == {"Feed", "State", "Idempotency"}
    senders = {fn for fn in functions for actions, res in grants(fn) if "sqs:SendMessage" in actions and "RecordingsQueue" in res}
    assert senders == {"gda-exsync-inject-interaction"}
    uploader = functions["gda-exsync-upload-recording"]
    assert uploader["EphemeralStorage"] == {"Size": 2048} and any("MediaLayer" in json.dumps(layer) for layer in uploader["Layers"])
    assert not any("MediaLayer" in json.dumps(functions[f]["Layers"]) for f in functions if f != "gda-exsync-upload-recording")
    assert functions["gda-exsync-states-poll"]["ReservedConcurrentExecutions"] == 1


def test_alarms_and_metrics(resources) -> None:
    filters = {r["Properties"]["MetricTransformations"][0]["MetricName"] for r in of_type(resources, "AWS::Logs::MetricFilter").values()}
    part2 = {"StatesRejected", "StateLag", "ConversationsRejected", "RecordingsUnusable", "StatesDrift"}
    assert filters == {"ObjectsFailed", "GenesysCalls", "ReconcileDrift", "RunsBusy"} | part2
    alarms = " ".join(r["Properties"]["AlarmDescription"] for r in of_type(resources, "AWS::CloudWatch::Alarm").values())
    assert "dead-letter queue" in alarms and "rejected or that failed" in alarms and "still being applied" in alarms
