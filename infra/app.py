"""CDK entry point: ``npx cdk synth|deploy -c genesysOrgId=<org id> [-c backends=payments,salesforce:emea ...]``.

cdk-nag's AwsSolutions checks run on every synth; an unacknowledged finding fails it.
"""

from __future__ import annotations

import sys

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra.options import OptionsError
from infra.stacks import build


def main() -> None:
    app = cdk.App()
    try:
        build(app)
    except OptionsError as exc:
        problems = "\n".join(f"  {line}" for line in exc.problems)
        print(f"\nDeployment options ({len(exc.problems)} to fix; see README, Deploying):\n{problems}\n", file=sys.stderr)
        raise SystemExit(1) from None
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    app.synth()


if __name__ == "__main__":
    main()
