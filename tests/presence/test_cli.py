"""./dev presence: rules validated with clear messages, CXone's format imported, versions pushed
and pulled, the audit trail read back (against moto, as against the deployed tables)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from local.cli import main
from local.presence import PresenceLab

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "presence-rules.yaml"


def test_the_example_document_is_valid(capsys) -> None:
    assert main(["presence", "rules", "validate", str(EXAMPLE)]) == 0
    assert "valid for cxone" in capsys.readouterr().out


def test_a_bad_document_names_each_problem(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "platform": "cxone",
                "ruleSets": {"x": {"subscriber": [{"when": "Busy", "set": {"state": "Dialer"}}]}},
                "assignments": {"organization": "y"},
            }
        )
    )
    assert main(["presence", "rules", "validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "2 problem(s)" in err
    assert "ruleSets.x.subscriber[0].set.state: 'Dialer' cannot be set on cxone" in err
    assert "assignments.organization: no rule set named 'y'" in err


def test_cxones_rule_export_imports(tmp_path, capsys) -> None:
    export = tmp_path / "cxone.json"
    export.write_text(
        json.dumps(
            {
                "publisherStateMap": [{"incontactAgentState": "Unavailable - Lunch", "partnerAgentState": "Lunch"}],
                "subscriberStateMap": [{"incontactAgentState": "Previous State", "partnerAgentState": "Available_for_Chat"}],
            }
        )
    )
    assert main(["presence", "rules", "import-cxone", str(export)]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ruleSets"]["default"]["subscriber"] == [{"when": "Available_for_Chat", "set": "PREVIOUS_STATE"}]


def test_push_pull_and_audit_against_the_tables(standins, capsys) -> None:
    lab = PresenceLab(standins, "cxone", "clitest")
    aws = ["--prefix", "local", "--config", "clitest", "--region", "us-east-1", "--endpoint-url", standins.moto_url]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AWS_ACCESS_KEY_ID", "local")
        mp.setenv("AWS_SECRET_ACCESS_KEY", "local")
        assert main(["presence", "rules", "push", str(EXAMPLE), *aws]) == 0
        assert main(["presence", "rules", "push", str(EXAMPLE), *aws]) == 0
        assert "pushed version 2" in capsys.readouterr().out
        assert main(["presence", "rules", "pull", "--version", "1", *aws]) == 0
        assert json.loads(capsys.readouterr().out)["version"] == 1
        tenant = lab.cc.tenant
        tenant.set_state(1003, "Unavailable", "Lunch")
        lab.settle()
        assert main(["presence", "audit", "--agent", "1003", *aws]) == 0
        out = capsys.readouterr().out
        assert "Unavailable/Lunch" in out and "unpaired" in out  # agent 1003 has no Salesforce user
