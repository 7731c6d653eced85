"""The CloudFormation custom resource ``Custom::GenesysDataActions`` (``-c genesysPublish=true``):
on create and update it publishes the bundle's actions to Genesys Cloud (the same idempotent
publish as ``./dev genesys publish``), on delete it removes them.

* the OAuth client comes from the secret ``GDA_PUBLISH_SECRET_ID`` names (JSON ``{"clientId",
  "clientSecret", "region"}``, ``region`` a domain such as ``mypurecloud.ie`` or an AWS region
  name; ``apiUrl``/``loginUrl`` override the URLs), read once per invocation and never logged;
* the actions come from ``bundle.json`` beside this module (written at synth from the
  declarations); their function ARNs are completed from this function's own ARN (same account,
  region and partition) and the integration role ARN from the ``RoleArn`` property;
* the answer goes to CloudFormation's pre-signed ``ResponseURL``: SUCCESS, or FAILED with a
  data-free reason; a run that would outlive the function answers FAILED first (deploy again:
  publishing resumes). A delete that cannot reach Genesys at all (credentials gone) succeeds with
  a warning, so a stack never gets stuck; ``./dev genesys remove`` cleans up then.

The physical id is ``<integration type>/<integration name>``, set on create and kept: the name
derives from the prefix, and a new prefix is a new core stack (Genesys action names are unique per
organization, so two integrations of the same bundle could not be published side by side anyway).
"""

from __future__ import annotations

import json
import os
import threading
import urllib.request
from pathlib import Path
from typing import Any

from functions.publisher.platform import AuthError, Platform, PlatformError, environment_urls
from functions.publisher.reconcile import Bundle, Publisher

BUNDLE = Path(__file__).with_name("bundle.json")
SECRET_ENV = "GDA_PUBLISH_SECRET_ID"
MARGIN_MS = 20_000  # answer CloudFormation this long before the function would be stopped
REASON_LIMIT = 3500


class ConfigurationProblem(Exception):
    """The secret or the bundle is missing or wrong (message is data-free)."""


def load_bundle(props: dict[str, Any], function_arn: str) -> Bundle:
    """bundle.json with this deployment's ARNs filled in."""
    try:
        data = json.loads(BUNDLE.read_text())
    except (OSError, ValueError):
        raise ConfigurationProblem("the function's bundle.json is missing or unreadable; redeploy") from None
    parts = function_arn.split(":")
    if len(parts) < 7 or parts[0] != "arn":
        raise ConfigurationProblem("cannot tell this function's account and region from its ARN")
    where = {"{partition}": parts[1], "{region}": parts[3], "{account}": parts[4]}
    role = str(props.get("RoleArn") or "")
    if not role.startswith("arn:"):
        raise ConfigurationProblem("the RoleArn property is missing")
    for action in data["actions"]:
        url = action["config"]["request"]["requestUrlTemplate"]
        for key, value in where.items():
            url = url.replace(key, value)
        action["config"]["request"]["requestUrlTemplate"] = url
    data["integration"]["credentialFields"] = {"ARN": role}
    if props.get("IntegrationName"):
        data["integration"]["name"] = str(props["IntegrationName"])
    return Bundle.from_json(data)


def platform_from_secret(secret_id: str) -> Platform:
    import boto3

    try:
        raw = boto3.client("secretsmanager").get_secret_value(SecretId=secret_id)["SecretString"]
        secret = json.loads(raw)
    except Exception as exc:  # never the value: only what kind of failure
        raise ConfigurationProblem(f"cannot read the Genesys OAuth client secret ({type(exc).__name__})") from None
    missing = [k for k in ("clientId", "clientSecret") if not secret.get(k)]
    if missing:
        raise ConfigurationProblem(f"the Genesys OAuth client secret lacks {', '.join(missing)} (JSON: clientId, clientSecret, region)")
    try:
        login, api = environment_urls(str(secret.get("region") or "mypurecloud.com"), secret.get("apiUrl"), secret.get("loginUrl"))
    except ValueError as exc:
        raise ConfigurationProblem(str(exc)) from None
    return Platform(
        client_id=str(secret["clientId"]),
        client_secret=str(secret["clientSecret"]),
        login_url=login,
        api_url=api,
        source="the OAuth client in the genesysPublishSecretArn secret",
        timeout=20.0,
    )


class Responder:
    """Answers CloudFormation once (the watchdog and the normal path race for it)."""

    def __init__(self, event: dict[str, Any], context: Any, physical: str) -> None:
        self.event, self.context, self.physical = event, context, physical
        self._lock = threading.Lock()
        self.sent: dict[str, Any] | None = None

    def send(self, status: str, reason: str, data: dict[str, Any] | None = None) -> None:
        with self._lock:
            if self.sent is not None:
                return
            body = {
                "Status": status,
                "Reason": (reason or status)[:REASON_LIMIT],
                "PhysicalResourceId": self.physical,
                "StackId": self.event.get("StackId"),
                "RequestId": self.event.get("RequestId"),
                "LogicalResourceId": self.event.get("LogicalResourceId"),
                "NoEcho": False,
                "Data": data or {},
            }
            self.sent = body
            payload = json.dumps(body).encode()
            req = urllib.request.Request(
                self.event["ResponseURL"], data=payload, method="PUT", headers={"Content-Type": "", "Content-Length": str(len(payload))}
            )
            with urllib.request.urlopen(req, timeout=30) as resp:  # noqa: S310 (CloudFormation's pre-signed URL)
                resp.read()


def _log(**fields: Any) -> None:
    print(json.dumps({"component": "genesys-publisher", **fields}))


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    kind = event.get("RequestType", "")
    props = event.get("ResourceProperties") or {}
    physical = (
        event.get("PhysicalResourceId") or f"{props.get('IntegrationType', 'aws-lambda-data-actions')}/{props.get('IntegrationName', '')}"
    )
    responder = Responder(event, context, physical)
    remaining = getattr(context, "get_remaining_time_in_millis", lambda: 900_000)()
    watchdog = threading.Timer(
        max(1.0, (remaining - MARGIN_MS) / 1000),
        lambda: responder.send("FAILED", "Genesys publish ran out of time; deploy again: publishing resumes where it stopped"),
    )
    watchdog.daemon = True
    watchdog.start()
    try:
        status, reason, data = _run(kind, props, context)
    except Exception as exc:  # a bug: still answer, with the kind of failure only
        status, reason, data = "FAILED", f"Genesys publish failed ({type(exc).__name__})", {}
    finally:
        watchdog.cancel()
    _log(requestType=kind, status=status, reason=reason[:500])
    responder.send(status, reason, data)
    return {"Status": status}


def _run(kind: str, props: dict[str, Any], context: Any) -> tuple[str, str, dict[str, Any]]:
    try:
        bundle = load_bundle(props, str(getattr(context, "invoked_function_arn", "")))
        api = platform_from_secret(os.environ[SECRET_ENV])
    except (ConfigurationProblem, KeyError) as exc:
        if kind == "Delete":
            return "SUCCESS", f"nothing removed from Genesys: {exc}; remove with ./dev genesys remove", {}
        return "FAILED", str(exc), {}
    with api:
        publisher = Publisher(api, bundle)
        try:
            if kind == "Delete":
                out = publisher.remove()
                for line in out.lines:
                    _log(line=line)
                if out.failures:
                    return "FAILED", "; ".join(out.failures), {}
                return "SUCCESS", f"removed from Genesys ({api.counts.summary()})", {}
            plan, out = publisher.publish()
        except AuthError as exc:
            if kind == "Delete":
                return "SUCCESS", f"nothing removed from Genesys: {exc.message}; remove with ./dev genesys remove", {}
            return "FAILED", exc.message, {}
        except PlatformError as exc:
            return "FAILED", str(exc), {}
    for line in out.lines:
        _log(line=line)
    data = {"IntegrationId": out.integration_id or "", "Published": out.published, "Unchanged": out.unchanged}
    if out.failures:
        return "FAILED", f"{len(out.failures)} action(s) failed, deploy again to resume: " + "; ".join(out.failures), data
    return "SUCCESS", f"{out.published} published, {out.unchanged} unchanged ({api.counts.summary()})", data
