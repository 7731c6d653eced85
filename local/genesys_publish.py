"""``./dev genesys publish|status|test|remove``: the bundle's actions in a Genesys Cloud organization
through the Platform API, from the stack outputs of ``cdk deploy``.

Credentials (an OAuth client with the Client Credentials grant) come from a profile of the Genesys
Cloud CLI's file (``--profile NAME``, ``~/.gc/config.toml``: ``client_credentials`` (the client
id), ``client_secret``, ``environment``) or from the environment (``GENESYSCLOUD_OAUTHCLIENT_ID``,
``GENESYSCLOUD_OAUTHCLIENT_SECRET``, ``GENESYSCLOUD_REGION``: the CX as Code provider's names),
never from the command line, and are never printed. ``--environment`` takes a region domain
(``mypurecloud.ie``) or an AWS region name (``eu-west-1``).

``--local`` runs against a fresh local Genesys organization (the stand-in) whose AWS Lambda
integration invokes the local functions, so ``test`` shows what a flow would see, end to end.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from definitions.genesys_api import deployed_targets, lambda_bundle, pairs_of, web_services_bundle
from definitions.naming import DEFAULT_CONFIG, route_path
from functions import all_actions
from functions.publisher.platform import AuthError, Platform, PlatformError, environment_urls
from functions.publisher.reconcile import ACTIONS, Bundle, Observed, Publisher

if TYPE_CHECKING:
    import argparse

    from dataactions.declaration import Action
    from local.standins import StandIns

PROFILE_FILE = Path("~/.gc/config.toml")
ENV_ID, ENV_SECRET, ENV_REGION = "GENESYSCLOUD_OAUTHCLIENT_ID", "GENESYSCLOUD_OAUTHCLIENT_SECRET", "GENESYSCLOUD_REGION"
ENV_API_URL, ENV_LOGIN_URL = "GENESYSCLOUD_API_URL", "GENESYSCLOUD_LOGIN_URL"  # a gateway or the local stand-in
ENV_WS = {"apiKey": "GDA_WEBSERVICES_API_KEY", "userName": "GDA_WEBSERVICES_USERNAME", "password": "GDA_WEBSERVICES_PASSWORD"}
LOCAL_ACCOUNT, LOCAL_REGION = "000000000000", "us-east-1"
LOCAL_ROLE = f"arn:aws:iam::{LOCAL_ACCOUNT}:role/gda-genesys-integration"


class PublishError(SystemExit):
    """A clear, data-free reason to stop (printed to stderr, exit status 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)


# -- credentials ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class OAuthClient:
    client_id: str
    client_secret: str
    login_url: str
    api_url: str
    source: str  # where the credentials came from (a profile or the variables' names), for errors

    def __repr__(self) -> str:  # never the secret
        return f"OAuthClient(source={self.source!r}, api_url={self.api_url!r})"

    def platform(self, **kwargs: Any) -> Platform:
        return Platform(
            client_id=self.client_id,
            client_secret=self.client_secret,
            login_url=self.login_url,
            api_url=self.api_url,
            source=self.source,
            **kwargs,
        )


def oauth_client(
    profile: str | None, profile_file: Path | None = None, environment: str | None = None, env: Mapping[str, str] = os.environ
) -> OAuthClient:
    """The OAuth client from a profile (``--profile``) or the environment; ``environment`` overrides the region."""
    if profile:
        path = (profile_file or PROFILE_FILE).expanduser()
        values = _profile(path, profile)
        cid, secret = values.get("client_credentials") or values.get("client_id"), values.get("client_secret")
        region = environment or values.get("environment") or "mypurecloud.com"
        api_url, login_url = values.get("api_url"), values.get("login_url")
        source = f"the OAuth client of profile {profile!r} in {path}"
        missing = [k for k, v in (("client_credentials", cid), ("client_secret", secret)) if not v]
        if missing:
            raise PublishError(f"profile {profile!r} in {path} has no {' or '.join(missing)} (the gc CLI's keys)")
    else:
        cid, secret = env.get(ENV_ID), env.get(ENV_SECRET)
        region = environment or env.get(ENV_REGION) or ""
        api_url, login_url = env.get(ENV_API_URL), env.get(ENV_LOGIN_URL)
        source = f"the OAuth client in {ENV_ID}/{ENV_SECRET}"
        missing = [k for k, v in ((ENV_ID, cid), (ENV_SECRET, secret), (ENV_REGION, region or api_url)) if not v]
        if missing:
            raise PublishError(
                f"no Genesys Cloud OAuth client: set {', '.join(missing)} (or --environment), or use --profile NAME with a "
                f"profile of {PROFILE_FILE} (client_credentials, client_secret, environment). Never pass secrets on the command line."
            )
    try:
        login, api = environment_urls(region or "mypurecloud.com", api_url, login_url)
    except ValueError as exc:
        raise PublishError(str(exc)) from None
    return OAuthClient(str(cid), str(secret), login, api, source)


def _profile(path: Path, name: str) -> dict[str, str]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise PublishError(f"no profile file at {path} (the Genesys Cloud CLI writes it: gc profiles new)") from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise PublishError(f"cannot read the profile file {path}: {type(exc).__name__}") from None
    section = data.get(name) or (data.get("DEFAULT") if name.lower() == "default" else None)
    if not isinstance(section, dict):
        raise PublishError(f"no profile {name!r} in {path} (profiles there: {', '.join(sorted(data)) or 'none'})")
    return {k: str(v) for k, v in section.items()}


# -- the desired state from the stack outputs ----------------------------------------------------


def _outputs(path: Path) -> dict[str, dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise PublishError(f"{path} not found; write it with: ./dev cdk deploy --all ... --outputs-file {path}") from None
    except ValueError:
        raise PublishError(f"{path} is not JSON; was it written by 'cdk deploy --outputs-file'?") from None
    return data


def _output(outputs: dict[str, dict[str, Any]], key: str, path: Path) -> str:
    value = next((s[key] for s in outputs.values() if isinstance(s, dict) and key in s), None)
    if not value:
        raise PublishError(f"{path} has no {key} output (the core stack's); deploy every stack with --outputs-file")
    return str(value)


def select(actions: Sequence[Action], only: Sequence[str]) -> list[Action]:
    unknown = [a for a in only if a not in {x.id for x in actions}]
    if unknown:
        raise PublishError(f"unknown action(s): {', '.join(unknown)}; see ./dev list")
    return [a for a in actions if not only or a.id in only]


def bundle_from(args: argparse.Namespace, env: Mapping[str, str] = os.environ) -> Bundle:
    """The desired state from ``--outputs`` (function ARNs, role ARN, API URL) and the options."""
    acts = all_actions()
    chosen = {a.id for a in select(list(acts.values()), args.action or [])}
    path = Path(args.outputs)
    outputs = _outputs(path)
    from local.export import targets_from_outputs

    found = [(acts[aid], cfg, arn) for aid, cfg, arn in targets_from_outputs(path) if aid in chosen]
    if not found:
        raise PublishError(f"no deployed function of the chosen actions in {path}; was it written by 'cdk deploy --all --outputs-file'?")
    if args.integration == "lambda":
        return lambda_bundle(found, _output(outputs, "IntegrationRoleArn", path), args.prefix, args.name)
    api_url = args.api_url or _output(outputs, "ApiUrl", path)
    return web_services_bundle(
        [(a, c) for a, c, _ in found],
        api_url,
        args.credential,
        web_services_secret(args.credential, env),
        args.prefix,
        args.response,
        args.name,
    )


def web_services_secret(credential: str, env: Mapping[str, str]) -> dict[str, str]:
    names = ["apiKey"] if credential == "apikey" else ["userName", "password"]
    missing = [ENV_WS[n] for n in names if not env.get(ENV_WS[n])]
    if missing:
        what = (
            "the API key (aws apigateway get-api-key --include-value --api-key <ApiKeyId output>)"
            if credential == "apikey"
            else ("the basic auth username and password (secret <prefix>/webservices/basic)")
        )
        raise PublishError(f"the web services credential needs {what} in {', '.join(missing)}")
    return {n: env[ENV_WS[n]] for n in names}


# -- the local organization ----------------------------------------------------------------------


class LocalLambda:
    """Invokes the local functions as Lambda would for Genesys' AWS Lambda integration: the event
    is what the request template rendered (the input object), a raised error is a function error."""

    def __init__(self, standins: StandIns, targets: list[tuple[Action, str, str]]) -> None:
        self.standins = standins
        self.by_arn = {arn: (act, cfg) for act, cfg, arn in targets}
        self.configured: dict[str, str] = {}

    def __call__(self, arn: str, event: Any, correlation_id: str) -> tuple[bool, Any]:
        from functions import handler_for
        from local.runner import invoke

        found = self.by_arn.get(arn)
        if found is None:
            return False, f"Function not found: {arn}"
        act, cfg = found
        names = self.standins.config_names(act.backend.kind)
        local = cfg if cfg in names else (names or [DEFAULT_CONFIG])[0]
        if self.configured.get(act.id) != local:
            handler_for(act.id).configure(self.standins.environ(act, local))
            self.configured[act.id] = local
        inv = invoke(act.id, event, correlation_id)
        return (not inv.function_error), inv.payload


@dataclass
class LocalOrg:
    client: OAuthClient
    standins: StandIns
    targets: list[tuple[Action, str, str]]

    def bundle(self, prefix: str = "gda") -> Bundle:
        return lambda_bundle(self.targets, LOCAL_ROLE, prefix)

    @property
    def app(self) -> Any:
        return self.standins.servers["genesys"].app


def local_targets(actions: Sequence[Action], prefix: str = "gda") -> list[tuple[Action, str, str]]:
    return deployed_targets(pairs_of(list(actions)), prefix, LOCAL_ACCOUNT, LOCAL_REGION)


def attach_local(standins: StandIns, actions: Sequence[Action], prefix: str = "gda") -> LocalOrg:
    """The running stand-ins' Genesys organization, its Lambda integration wired to the local functions."""
    from local.standins.genesys import CLIENT_ID, CLIENT_SECRET

    server = standins.servers["genesys"]
    targets = local_targets(actions, prefix)
    app: Any = server.app  # the GenesysCloud stand-in
    app.integrations.lambda_invoker = LocalLambda(standins, targets)
    client = OAuthClient(CLIENT_ID, CLIENT_SECRET, server.url, server.url, "the local Genesys organization's OAuth client")
    return LocalOrg(client, standins, targets)


@contextmanager
def local_org(actions: Sequence[Action]) -> Iterator[LocalOrg]:
    from local.standins import StandIns

    with StandIns({a.backend.kind for a in actions} | {"genesys"}) as standins:
        yield attach_local(standins, actions)


DEMO_ACTIONS = ("get-user-presence", "validate-card-payment", "number-to-words", "salesforce-post-case-comment")


def demo_step(standins: StandIns, actions: Sequence[Action]) -> tuple[list[str], int]:
    """The demo's last step: publish the actions to the local Genesys organization, publish again
    (reads only), and run Genesys' test endpoint on a few of them, one event that succeeds and one
    that takes the failure path each. (lines to print, count of results not as expected)"""
    from jsonschema import Draft4Validator  # type: ignore[import-untyped]

    from definitions.contracts import input_schema
    from local.events import event_files, expectations

    org = attach_local(standins, actions)
    lines: list[str] = []
    bad = 0
    with org.client.platform() as api:
        publisher = Publisher(api, org.bundle())
        started = time.perf_counter()
        _, out = publisher.publish()
        lines.append(
            f"publish: {out.published} actions to the local Genesys organization in {(time.perf_counter() - started) * 1000:.0f} ms "
            f"({api.counts.summary()})" + ("" if out.ok else f"; FAILED: {'; '.join(out.failures)}")
        )
        bad += len(out.failures)
        before = api.counts.writes
        _, again = publisher.publish()
        lines.append(f"publish again: {again.published} published, {again.unchanged} unchanged, {api.counts.writes - before} writes")
        bad += again.published + len(again.failures)
        seen = publisher.observe()
        chosen = [a for a in actions if a.id in DEMO_ACTIONS] or list(actions)[:3]
        lines.append(f"{'genesys test':42} {'event':34} path")
        for act in chosen:
            found = publisher.current(act.id, seen)
            if found is None:
                bad += 1
                lines.append(f"{act.id:42} {'-':34} MISMATCH: not published")
                continue
            expected = expectations(act.id)
            validator = Draft4Validator(input_schema(act))
            events = [e for e in event_files(act.id) if e.kind == "direct" and not list(validator.iter_errors(e.load()))]
            ok = next((e for e in events if expected.get(e.case, {}).get("outcome", "success") == "success"), None)
            failing = next((e for e in events if expected.get(e.case, {}).get("outcome", "success") not in ("success", "not_found")), None)
            for ev in (x for x in (ok, failing) if x is not None):
                outcome = expected.get(ev.case, {}).get("outcome", "success")
                result = api.post(f"{ACTIONS}/{found[1]['id']}/test", ev.load(), what="/api/v2/integrations/actions/{id}/test")
                err = result.get("error") or {}
                if result.get("success"):
                    path, right = "success", outcome in ("success", "not_found")
                else:
                    codes = [d.get("errorCode") for d in err.get("details") or []]
                    path = f"failure (HTTP {err.get('status')} {', '.join(filter(None, codes)) or err.get('code')})"
                    right = outcome not in ("success", "not_found") and f"errorType:{outcome}," in str(err.get("message"))
                bad += not right
                lines.append(f"{act.id:42} {ev.label:34} {path}  {'ok' if right else 'MISMATCH: expected ' + outcome}")
    return lines, bad


# -- the commands --------------------------------------------------------------------------------


@contextmanager
def _session(args: argparse.Namespace) -> Iterator[tuple[Platform, Bundle]]:
    """The Platform client and the desired state: a real organization, or (``--local``) a fresh local one."""
    if args.local:
        from dataactions import log

        log.set_stream(sys.stderr)  # the local functions' log lines; stdout is the command's own output
        acts = select(list(all_actions().values()), args.action or [])
        with local_org(acts) as org, org.client.platform() as api:
            yield api, org.bundle(args.prefix)
        return
    if not args.outputs:
        raise PublishError("give --outputs cdk-outputs.json (from 'cdk deploy --all --outputs-file'), or --local")
    bundle = bundle_from(args)
    client = oauth_client(args.profile, Path(args.profile_file) if args.profile_file else None, args.environment)
    with client.platform() as api:
        yield api, bundle


def _guarded(fn: Any) -> Any:
    def run(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
        try:
            return int(fn(args, out))
        except AuthError as exc:
            print(f"genesys: {exc.message}", file=sys.stderr)
            return 2
        except PlatformError as exc:
            print(f"genesys: {exc}", file=sys.stderr)
            return 1

    return run


@_guarded
def cmd_publish(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    with _session(args) as (api, bundle):
        started = time.perf_counter()
        publisher = Publisher(api, bundle)
        seen = publisher.observe()
        if args.dry_run:
            plan = publisher.plan(seen, args.prune)
            print(f"plan for {bundle.integration.name!r} at {api.api_url} (dry run: nothing is written):", file=out)
            for line in plan.integration.lines(bundle.integration, seen.integration):
                print(f"  {line}", file=out)
            for a in plan.actions:
                if a.do != "none" or args.verbose:
                    print(f"  {a.describe()}", file=out)
            for old in plan.prune:
                print(f"  delete superseded {old['name']!r} (id {old['id']})", file=out)
            print(
                f"{plan.changes} change(s); {sum(a.do == 'none' for a in plan.actions)} action(s) unchanged; {api.counts.summary()}",
                file=out,
            )
            return 0
        plan, result = publisher.publish(args.prune, seen)
        for line in result.lines:
            print(line, file=out)
        for failure in result.failures:
            print(f"FAILED: {failure}", file=out)
        took = time.perf_counter() - started
        print(
            f"{bundle.integration.name!r}: {result.published} published, {result.unchanged} unchanged, {len(result.failures)} failed "
            f"in {took:.2f} s; {api.counts.summary()}",
            file=out,
        )
        return 0 if result.ok else 1


@_guarded
def cmd_status(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    with _session(args) as (api, bundle):
        publisher = Publisher(api, bundle)
        seen = publisher.observe()
        if seen.integration is None:
            print(f"integration {bundle.integration.name!r} ({bundle.integration.type}): missing", file=out)
        else:
            i = seen.integration
            print(
                f"integration {i['name']!r} (id {i['id']}): {i.get('intendedState')}, {(i.get('reportedState') or {}).get('code')}",
                file=out,
            )
        rows = [(a.spec.key, a.state, a.name, _where(a.target or a.draft), ", ".join(a.differs)) for a in publisher.status(seen)]
        width = max(len(r[0]) for r in rows)
        for key, state, name, where, differs in rows:
            extra = f" ({differs})" if differs else ""
            print(f"{key:{width}}  {state:16}  {name if state != 'missing' else '-'}{where}{extra}", file=out)
        states = [r[1] for r in rows]
        print(", ".join(f"{states.count(s)} {s}" for s in dict.fromkeys(states)), file=out)
        return 0


def _where(entity: dict[str, Any] | None) -> str:
    return f"  [id {entity['id']}, version {entity.get('version')}]" if entity else ""


@_guarded
def cmd_test(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    try:
        inputs = json.loads(args.input)
    except ValueError:
        raise PublishError('--input must be a JSON object of the action\'s inputs, e.g. \'{"userId": "..."}\'') from None
    if not isinstance(inputs, dict):
        raise PublishError("--input must be a JSON object of the action's inputs")
    args.action = [args.action_id]
    key = route_path(args.action_id, args.config or DEFAULT_CONFIG)
    with _session(args) as (api, bundle):
        publisher = Publisher(api, bundle)
        if args.local:
            publisher.publish()
        if key not in {s.key for s in bundle.actions}:
            raise PublishError(f"{key} is not among the deployed actions in the outputs")
        found = publisher.current(key, publisher.observe())
        if found is None:
            raise PublishError(f"{key} is not published with its declared contract; run ./dev genesys publish first")
        return print_test(api, found, inputs, args.flatten, out)


def print_test(api: Platform, found: tuple[str, dict[str, Any]], inputs: dict[str, Any], flatten: bool, out: TextIO) -> int:
    """Run Genesys' test endpoint on the action (or its draft) and print each step and the path a flow takes."""
    kind, entity = found
    path = f"{ACTIONS}/{entity['id']}/draft/test" if kind == "draft" else f"{ACTIONS}/{entity['id']}/test"
    result = api.post(
        path,
        inputs,
        what=f"/api/v2/integrations/actions/{{id}}{'/draft' if kind == 'draft' else ''}/test",
        params={"flatten": str(flatten).lower()},
    )
    print(f"test of {entity['name']!r} ({kind}, id {entity['id']}, version {entity.get('version')}):", file=out)
    for op in result.get("operations") or []:
        print(f"  {op.get('step'):>2} {'ok' if op.get('success') else 'FAILED':6} {op.get('name')}", file=out)
    if result.get("success"):
        print("success path; the flow gets:", file=out)
        print(json.dumps(result.get("finalResult"), indent=2), file=out)
        return 0
    err = result.get("error") or {}
    codes = ", ".join(d.get("errorCode", "") for d in err.get("details") or [] if d.get("errorCode"))
    print(f"failure path: HTTP {err.get('status')} {err.get('code')}" + (f" [{codes}]" if codes else ""), file=out)
    print(f"  {err.get('message')}", file=out)
    return 1


@_guarded
def cmd_remove(args: argparse.Namespace, out: TextIO = sys.stdout) -> int:
    with _session(args) as (api, bundle):
        publisher = Publisher(api, bundle)
        seen = publisher.observe()
        if args.dry_run:
            for line in publisher.remove_plan(seen) or ["nothing to remove"]:
                print(f"  {line}", file=out)
            return 0
        result = publisher.remove(seen)
        for line in result.lines:
            print(line, file=out)
        for failure in result.failures:
            print(f"FAILED: {failure}", file=out)
        return 0 if result.ok else 1


def export_terraform(
    *,
    out: Path,
    outputs: Path | None,
    account: str | None,
    region: str | None,
    prefix: str,
    partition: str = "aws",
    configs: Sequence[str] = (),
    integration: str = "lambda",
    api_url: str | None = None,
    credential: str = "apikey",
    response: str = "full",
) -> list[Path]:
    """``./dev export --format terraform``: CX as Code for the deployed (or named) functions; the
    values known from the outputs (or --account/--region) go to terraform.tfvars.json."""
    from definitions import terraform
    from local.export import targets_from_outputs

    acts = all_actions()
    values: dict[str, Any] = {}
    if outputs is not None:
        found = targets_from_outputs(outputs)
        if not found:
            raise PublishError(f"no function ARNs found in {outputs}; was it written by 'cdk deploy --outputs-file'?")
        pairs = [(acts[aid], cfg) for aid, cfg, _ in found]
        data = _outputs(outputs)
        if integration == "lambda":
            values["function_arns"] = {route_path(aid, cfg): arn for aid, cfg, arn in found}
            role = next((s["IntegrationRoleArn"] for s in data.values() if isinstance(s, dict) and "IntegrationRoleArn" in s), None)
            if role:
                values["integration_role_arn"] = role
        api_url = api_url or next((s["ApiUrl"] for s in data.values() if isinstance(s, dict) and "ApiUrl" in s), None)
    else:
        pairs = pairs_of(list(acts.values()), configs)
        if account and region and integration == "lambda":
            values["function_arns"] = {
                route_path(a.id, c): arn for a, c, arn in deployed_targets(pairs, prefix, account, region, partition)
            }
            values["integration_role_arn"] = f"arn:{partition}:iam::{account}:role/{prefix}-genesys-integration"
    if integration == "webservices" and api_url:
        values["api_base_url"] = api_url.rstrip("/")
    written = terraform.files(pairs, prefix=prefix, integration=integration, credential=credential, response=response)
    out.mkdir(parents=True, exist_ok=True)
    for stale in [*out.glob("*.tf"), out / "terraform.tfvars.json"]:
        stale.unlink(missing_ok=True)
    paths = []
    for name, text in written.items():
        (out / name).write_text(text)
        paths.append(out / name)
    if values:
        (out / "terraform.tfvars.json").write_text(terraform.tfvars(values))
        paths.append(out / "terraform.tfvars.json")
    return paths


def add_parser(sub: Any) -> None:
    """``./dev genesys ...``"""
    p = sub.add_parser("genesys", help="publish the actions to Genesys Cloud through the Platform API, show their status, test them")
    gsub = p.add_subparsers(dest="genesys_command", required=True)

    def common(q: Any) -> None:
        q.add_argument("--outputs", help="cdk-outputs.json from 'cdk deploy --all --outputs-file'")
        q.add_argument("--integration", choices=["lambda", "webservices"], default="lambda")
        q.add_argument("--prefix", default="gda", help="resource prefix used at deploy time (names the integration)")
        q.add_argument("--name", help="integration name (default: '<prefix> data actions (AWS Lambda|web services)')")
        q.add_argument("--action", action="append", help="only this action id (repeatable)")
        q.add_argument("--api-url", help="web services: API base URL (default: the ApiUrl output)")
        q.add_argument("--credential", choices=["apikey", "basic"], default="apikey", help="web services credential type")
        q.add_argument("--response", choices=["full", "selected", "subset"], default="full", help="web services response pattern")
        q.add_argument("--profile", help=f"profile of the Genesys Cloud CLI's {PROFILE_FILE} (default: the {ENV_ID}/... variables)")
        q.add_argument("--profile-file", help=f"another profile file (default {PROFILE_FILE})")
        q.add_argument("--environment", help="Genesys Cloud region: mypurecloud.ie, usw2.pure.cloud, ... or eu-west-1, ...")
        q.add_argument(
            "--local", action="store_true", help="a fresh local Genesys organization whose Lambda integration runs the local functions"
        )

    q = gsub.add_parser("publish", help="create or update the integration and every action (drafts, then publish); idempotent")
    common(q)
    q.add_argument("--dry-run", action="store_true", help="print the plan; write nothing")
    q.add_argument("--prune", action="store_true", help="delete versions superseded by a contract change (after the new one is published)")
    q.add_argument("--verbose", action="store_true", help="with --dry-run, list unchanged actions too")
    q.set_defaults(func=cmd_publish)
    q = gsub.add_parser("status", help="each declared action's state in Genesys: missing, draft, published, outdated, contract differs")
    common(q)
    q.set_defaults(func=cmd_status)
    q = gsub.add_parser("test", help="Genesys' own test endpoint on the published action: each step, and the path a flow takes")
    common(q)
    q.add_argument("action_id")
    q.add_argument("--input", required=True, help="the action's inputs as a JSON object")
    q.add_argument("--config", help="named configuration (default: default)")
    q.add_argument("--flatten", action="store_true", help="the result in Architect's flattened form")
    q.set_defaults(func=cmd_test)
    q = gsub.add_parser("remove", help="delete the bundle's actions, then the integration and its credential (if nothing else uses it)")
    common(q)
    q.add_argument("--dry-run", action="store_true")
    q.set_defaults(func=cmd_remove)


__all__ = ["LocalLambda", "OAuthClient", "Observed", "add_parser", "attach_local", "bundle_from", "local_org", "oauth_client", "print_test"]
