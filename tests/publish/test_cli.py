"""``./dev genesys ...`` and ``./dev export --format terraform`` through their own door (a
subprocess), against a local Genesys organization: credentials from a profile file or the
environment (never the command line), bad credentials give a clear error that echoes no secret,
dry run, idempotent publish, status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from definitions.naming import output_key
from functions import all_actions
from local.genesys_publish import ENV_API_URL, ENV_ID, ENV_LOGIN_URL, ENV_REGION, ENV_SECRET, PublishError, oauth_client
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET
from tests.publish.conftest import ROLE, Org

ROOT = Path(__file__).resolve().parents[2]
KINDS = ("payments", "conversion")
BAD_SECRET = "wrong-secret-6f1c2a9d"


def outputs_file(tmp_path: Path) -> Path:
    """A cdk-outputs.json of the payments and conversion stacks and the core stack."""
    stacks: dict[str, dict[str, str]] = {"Gda-Core": {"IntegrationRoleArn": ROLE, "ApiUrl": "https://example.invalid/prod/"}}
    for kind in KINDS:
        stack = stacks.setdefault(f"Gda-{kind.title()}", {"BackendConfig": f"{kind}:default"})
        for act in all_actions().values():
            if act.backend.kind == kind:
                stack[output_key(act.id)] = f"arn:aws:lambda:eu-west-1:123456789012:function:gda-{act.id}:live"
    path = tmp_path / "cdk-outputs.json"
    path.write_text(json.dumps(stacks))
    return path


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GENESYSCLOUD_")}
    return subprocess.run(
        [sys.executable, "-m", "local", *args], cwd=ROOT, capture_output=True, text=True, timeout=180, env={**clean, **(env or {})}
    )


def org_env(org: Org, secret: str = CLIENT_SECRET) -> dict[str, str]:
    return {ENV_ID: CLIENT_ID, ENV_SECRET: secret, ENV_API_URL: org.server.url, ENV_LOGIN_URL: org.server.url}


def test_publish_status_and_republish_from_the_environment(org: Org, tmp_path: Path) -> None:
    outputs = str(outputs_file(tmp_path))
    n = sum(a.backend.kind in KINDS for a in all_actions().values())
    dry = run("genesys", "publish", "--outputs", outputs, "--dry-run", env=org_env(org))
    assert dry.returncode == 0, dry.stderr
    assert "dry run: nothing is written" in dry.stdout and f"{4 + n} change(s)" in dry.stdout and not org.state.integrations
    first = run("genesys", "publish", "--outputs", outputs, env=org_env(org))
    assert first.returncode == 0, first.stderr + first.stdout
    assert f": {n} published, 0 unchanged, 0 failed" in first.stdout
    status = run("genesys", "status", "--outputs", outputs, env=org_env(org))
    assert status.returncode == 0 and status.stdout.strip().endswith(f"{n} published")
    again = run("genesys", "publish", "--outputs", outputs, env=org_env(org))
    assert again.returncode == 0 and f": 0 published, {n} unchanged, 0 failed" in again.stdout
    assert f"({4 + n} reads, 0 writes)" in again.stdout
    assert CLIENT_SECRET not in first.stdout + first.stderr + again.stdout + status.stdout


def test_publish_with_a_gc_cli_profile(org: Org, tmp_path: Path) -> None:
    profile = tmp_path / "config.toml"
    profile.write_text(
        f'[DEFAULT]\nenvironment = "mypurecloud.com"\nclient_credentials = "someone-else"\nclient_secret = "x"\n\n'
        f'[local]\nenvironment = "mypurecloud.ie"\nclient_credentials = "{CLIENT_ID}"\nclient_secret = "{CLIENT_SECRET}"\n'
        f'api_url = "{org.server.url}"\nlogin_url = "{org.server.url}"\n'
    )
    done = run("genesys", "publish", "--outputs", str(outputs_file(tmp_path)), "--profile", "local", "--profile-file", str(profile))
    assert done.returncode == 0, done.stderr
    assert len(org.state.integrations) == 1
    missing = run("genesys", "status", "--outputs", str(outputs_file(tmp_path)), "--profile", "nope", "--profile-file", str(profile))
    assert missing.returncode == 1 and "no profile 'nope'" in missing.stderr and "DEFAULT, local" in missing.stderr


def test_bad_credentials_give_a_clear_error_without_the_secret(org: Org, tmp_path: Path) -> None:
    done = run("genesys", "publish", "--outputs", str(outputs_file(tmp_path)), env=org_env(org, BAD_SECRET))
    assert done.returncode == 2
    assert f"Genesys Cloud refused the OAuth client in {ENV_ID}/{ENV_SECRET} (invalid_client" in done.stderr
    assert "Traceback" not in done.stderr and BAD_SECRET not in done.stdout + done.stderr
    assert not org.state.integrations


def test_missing_credentials_name_what_to_set(tmp_path: Path) -> None:
    done = run("genesys", "status", "--outputs", str(outputs_file(tmp_path)))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"no Genesys Cloud OAuth client: set {ENV_ID}, {ENV_SECRET}, {ENV_REGION}" in done.stderr
    assert "Never pass secrets on the command line" in done.stderr


def test_no_secret_option_exists() -> None:
    """Secrets are read from a profile or the environment only."""
    helps = "".join(run("genesys", cmd, "--help").stdout for cmd in ("publish", "status", "test", "remove"))
    assert "--profile" in helps and "secret" not in helps.replace("client_secret", "").lower().replace("secrets", "")


def test_oauth_client_sources(tmp_path: Path) -> None:
    env = {ENV_ID: "id", ENV_SECRET: "s3cr3t", ENV_REGION: "eu-west-1"}
    client = oauth_client(None, env=env)
    assert (client.api_url, client.login_url) == ("https://api.mypurecloud.ie", "https://login.mypurecloud.ie")
    assert "s3cr3t" not in repr(client)
    assert oauth_client(None, environment="usw2.pure.cloud", env=env).api_url == "https://api.usw2.pure.cloud"
    with pytest.raises(PublishError, match="unknown Genesys Cloud environment"):
        oauth_client(None, environment="nowhere", env=env)
    with pytest.raises(PublishError, match="no profile file"):
        oauth_client("x", tmp_path / "none.toml")


def test_local_test_command_shows_what_a_flow_sees() -> None:
    ok = run("genesys", "test", "number-to-words", "--local", "--input", '{"number": 12}')
    assert ok.returncode == 0, ok.stderr
    assert "success path; the flow gets:" in ok.stdout and "twelve" in ok.stdout.lower()
    failed = run("genesys", "test", "number-to-words", "--local", "--input", '{"number": 1000000000000000000}')
    assert failed.returncode == 1 and "failure path: HTTP 500 internal.server.error [ACTION.REMOTE_ENDPOINT]" in failed.stdout
    assert '"level"' not in failed.stdout  # the function's log line went to stderr


def test_demo_publishes_to_the_local_genesys_and_tests_there() -> None:
    done = run("demo", "number-to-words", "get-user-presence")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    out = done.stdout
    assert "publish: 2 actions to the local Genesys organization" in out and "publish again: 0 published, 2 unchanged, 0 writes" in out
    assert "too-large.json" in out and "failure (HTTP 500 ACTION.REMOTE_ENDPOINT)  ok" in out
    assert out.rstrip().endswith("Genesys publish and test: as expected")
