"""Synthesise the app once per set of options (offline: account/region from context, no credentials),
and the checkov scanner in its own venv."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

from functions import all_actions, all_backends, all_sync_families
from infra.build import BUILD
from infra.options import DeployOptions
from infra.stacks import build, catalogue, sync_catalogue

ORG_ID = "6f4b5a8e-1d2c-4e3f-9a8b-7c6d5e4f3a2b"
ACCOUNT = "123456789012"
REGION = "eu-west-1"


class Synth:
    def __init__(self, outdir: Path) -> None:
        manifest = json.loads((outdir / "manifest.json").read_text())
        self.outdir = outdir
        self.templates = {
            name: json.loads((outdir / art["properties"]["templateFile"]).read_text())
            for name, art in manifest["artifacts"].items()
            if art["type"] == "aws:cloudformation:stack"
        }
        self.report = json.loads((outdir / "validation-report.json").read_text()) if (outdir / "validation-report.json").exists() else None

    def resources(self, type_: str) -> dict[tuple[str, str], tuple[str, dict]]:
        """(stack, logical id) -> (stack, resource) for every resource of a type."""
        return {
            (stack, lid): (stack, res) for stack, t in self.templates.items() for lid, res in t["Resources"].items() if res["Type"] == type_
        }


def options(**context: object) -> DeployOptions:
    """Parse context as the app does (raises OptionsError)."""
    return DeployOptions.from_context(context, catalogue(list(all_actions().values())), sync_catalogue())


def synth(tmp: Path, **context: str) -> Synth:
    ctx = {"genesysOrgId": ORG_ID, "account": ACCOUNT, "region": REGION, **context}
    app = cdk.App(outdir=str(tmp), context=ctx)
    build(app)  # the options from the app's context, as `cdk synth` does
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises when cdk-nag reports an unacknowledged finding
    return Synth(tmp)


@pytest.fixture(scope="session")
def full(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Every backend, plus a second named configuration of each (two Salesforce orgs, say)."""
    kinds = list(all_backends())
    spec = ",".join(kinds + [f"{k}:second" for k in kinds])
    return synth(tmp_path_factory.mktemp("cdk-full"), backends=spec)


@pytest.fixture(scope="session")
def everything(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Every backend and every sync family, each twice (what the scanners go over)."""
    kinds = list(all_backends())
    families = list(all_sync_families())
    buses = {
        f"{k}:{c}": {s.name: f"aws.partner/{s.name}.example/{c}" for s in f.event_sources}
        for k, f in all_sync_families().items()
        for c in ("default", "second")
    }
    return synth(
        tmp_path_factory.mktemp("cdk-everything"),
        backends=",".join(kinds + [f"{k}:second" for k in kinds]),
        syncs=",".join(families + [f"{k}:second" for k in families]),
        eventBuses=json.dumps(buses),
        concurrencyQuota="2000",  # every function of every family twice reserves more than a default account's 900
    )


CHECKOV_REQUIREMENTS = Path(__file__).with_name("checkov-requirements.txt")


@pytest.fixture(scope="session")
def checkov() -> Path:
    """checkov in its own venv (its pins conflict with the dev environment's), built once per
    requirements file under build/, as tests/packaging builds the awslambdaric venv."""
    digest = hashlib.sha256(CHECKOV_REQUIREMENTS.read_bytes()).hexdigest()[:12]
    venv = BUILD / f"checkov-venv-{digest}"
    if not (venv / ".complete").exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin/python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-r", str(CHECKOV_REQUIREMENTS)],
            check=True,
            capture_output=True,
        )
        (venv / ".complete").touch()
    return venv / "bin" / "checkov"


@dataclass
class CheckovReport:
    passed: int
    failed: list[dict]  # checkov's failed_checks entries
    skipped: list[dict]  # acknowledged in the templates' Metadata (infra/acknowledgements.py)

    def findings(self) -> list[tuple[str, str]]:
        """(check id, resource) of every unacknowledged finding."""
        return sorted((f["check_id"], f["resource"]) for f in self.failed)


def scan(checkov: Path, s: Synth) -> CheckovReport:
    """checkov's CloudFormation checks over every synthesised template, offline."""
    templates = sorted(str(p) for p in s.outdir.glob("*.template.json"))
    args = [str(checkov), "--framework", "cloudformation", "--output", "json", "--compact", "--skip-download"]
    for template in templates:
        args += ["--file", template]
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}  # no download of the platform's check mappings
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode in (0, 1), done.stderr[-3000:]  # 1: there are failed checks
    reports = json.loads(done.stdout)
    [report] = reports if isinstance(reports, list) else [reports]
    assert report["check_type"] == "cloudformation" and report["summary"]["parsing_errors"] == 0
    results = report["results"]
    return CheckovReport(report["summary"]["passed"], results["failed_checks"], results["skipped_checks"])
