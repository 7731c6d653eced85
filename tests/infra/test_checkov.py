"""checkov, a second scanner next to cdk-nag, over every synthesised template.

Every finding is either fixed or acknowledged in infra/acknowledgements.py (with its reason, on the
resource types it names); anything else fails here.
"""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest

import infra.acknowledgements as acknowledgements
from infra.acknowledgements import ACKNOWLEDGED
from tests.infra.conftest import CheckovReport, Synth, scan, synth

REASONS = {a.check: a.reason for a in ACKNOWLEDGED}


def assert_clean(report: CheckovReport) -> None:
    """No unacknowledged finding; every skip is one of ours, on a type it is listed for, with its reason."""
    assert report.findings() == [], report.findings()
    for skipped in report.skipped:
        [ack] = [a for a in ACKNOWLEDGED if a.check == skipped["check_id"]]
        assert skipped["resource"].split(".")[0] in ack.resource_types, skipped["resource"]
        assert skipped["check_result"]["suppress_comment"] == ack.reason


def counts(report: CheckovReport) -> str:
    skipped = collections.Counter(s["check_id"] for s in report.skipped)
    return f"passed {report.passed}, failed {len(report.failed)}, acknowledged {len(report.skipped)} {dict(sorted(skipped.items()))}"


def test_every_acknowledgement_has_a_reason_and_a_type() -> None:
    assert len({a.check for a in ACKNOWLEDGED}) == len(ACKNOWLEDGED)
    for a in ACKNOWLEDGED:
        assert a.check.startswith("CKV_AWS_") and a.resource_types and len(a.reason) > 40
        assert all(t.startswith("AWS::") for t in a.resource_types)
    assert "CKV_AWS_115" not in REASONS  # reserved concurrency is fixed, never acknowledged


def test_checkov_finds_nothing_unacknowledged(checkov: Path, everything: Synth) -> None:
    report = scan(checkov, everything)
    print(f"\ncheckov, every backend and sync family x 2 configurations: {counts(report)}")
    assert_clean(report)
    assert report.passed > 1000
    # each acknowledgement is still needed (none is stale) and concurrency passes everywhere
    assert {s["check_id"] for s in report.skipped} == set(REASONS)


def test_a_customer_key_fixes_the_encryption_findings(checkov: Path, tmp_path: Path) -> None:
    s = synth(tmp_path, backends="payments,genesys", apiAuth="basic", kmsKey="create")
    report = scan(checkov, s)
    print(f"\ncheckov, kmsKey=create: {counts(report)}")
    assert_clean(report)
    fixed = {a.check for a in ACKNOWLEDGED if a.unless_customer_key}
    assert fixed == {"CKV_AWS_149", "CKV_AWS_158", "CKV_AWS_173"}
    assert not {sk["check_id"] for sk in report.skipped} & fixed  # fixed, not acknowledged


def test_an_unacknowledged_finding_fails(checkov: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Drop one acknowledgement, and opt one function out of its reservation: both findings surface."""
    monkeypatch.setattr(acknowledgements, "ACKNOWLEDGED", tuple(a for a in ACKNOWLEDGED if a.check != "CKV_AWS_116"))
    s = synth(tmp_path, backends="payments", reservedConcurrency=json.dumps({"validate-card-payment": None}))
    report = scan(checkov, s)
    assert {check for check, _ in report.findings()} == {"CKV_AWS_116", "CKV_AWS_115"}
    with pytest.raises(AssertionError):
        assert_clean(report)
