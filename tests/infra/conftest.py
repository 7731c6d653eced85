"""Synthesise the app once per configuration (offline: account/region from context, no credentials)."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from cdk_nag import AwsSolutionsChecks

from functions import all_backends
from infra.config import DeployConfig
from infra.stacks import build

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


def synth(tmp: Path, **context: str) -> Synth:
    ctx = {"genesysOrgId": ORG_ID, "account": ACCOUNT, "region": REGION, **context}
    app = cdk.App(outdir=str(tmp), context=ctx)
    build(app, DeployConfig.from_context(app.node.try_get_context, list(all_backends())))
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()  # raises when cdk-nag reports an unacknowledged finding
    return Synth(tmp)


@pytest.fixture(scope="session")
def full(tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """Every backend, plus a second named configuration of each (two Salesforce orgs, say)."""
    kinds = list(all_backends())
    spec = ",".join(kinds + [f"{k}:second" for k in kinds])
    return synth(tmp_path_factory.mktemp("cdk-full"), backends=spec)
