"""Event files: ``events/<action-id>/<case>.json`` (direct invoke: the input object exactly),
``<case>.apigw.json`` (API Gateway REST proxy, the shape ``sam local generate-event apigateway
aws-proxy`` produces) and ``<case>.http-api.json`` (HTTP API v2). ``expected.json`` in each folder
says what every case must do: ``{"<case>": {"outcome": "success" | "not_found" | "<ErrorType>",
"output": {<subset of the output>}}}``.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent / "events"
SUFFIXES = {".apigw.json": "apigw-v1", ".http-api.json": "apigw-v2", ".json": "direct"}


@dataclass(frozen=True)
class EventFile:
    action_id: str
    case: str
    kind: str
    path: Path

    @property
    def label(self) -> str:
        return self.path.name

    def load(self) -> Any:
        return json.loads(self.path.read_text())


def parse_name(path: Path) -> tuple[str, str]:
    for suffix, kind in SUFFIXES.items():
        if path.name.endswith(suffix):
            return path.name[: -len(suffix)], kind
    raise ValueError(f"not an event file: {path}")


def event_files(action_id: str | None = None, root: Path = ROOT) -> list[EventFile]:
    out = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        if action_id and folder.name != action_id:
            continue
        for path in sorted(folder.glob("*.json")):
            if path.name == "expected.json":
                continue
            case, kind = parse_name(path)
            out.append(EventFile(folder.name, case, kind, path))
    return out


def expectations(action_id: str, root: Path = ROOT) -> dict[str, dict[str, Any]]:
    path = root / action_id / "expected.json"
    return json.loads(path.read_text()) if path.exists() else {}


def apigw_v1_event(action_id: str, body: Any, headers: dict[str, str] | None = None, stage: str = "prod") -> dict[str, Any]:
    """A REST API Lambda-proxy event, as ``sam local generate-event apigateway aws-proxy`` shapes it."""
    text = body if isinstance(body, str) else json.dumps(body)
    hdrs = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "Host": "1234567890.execute-api.us-east-1.amazonaws.com",
        "User-Agent": "Genesys-Cloud-Data-Actions",
        "X-Forwarded-For": "127.0.0.1",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    path = f"/{action_id}"
    return {
        "body": text,
        "resource": path,
        "path": path,
        "httpMethod": "POST",
        "isBase64Encoded": False,
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "headers": hdrs,
        "multiValueHeaders": {k: [v] for k, v in hdrs.items()},
        "requestContext": {
            "accountId": "123456789012",
            "resourceId": "123456",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "requestTime": "21/Nov/2026:12:34:56 +0000",
            "requestTimeEpoch": 1795264496000,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "accessKey": None,
                "sourceIp": "127.0.0.1",
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": hdrs["User-Agent"],
                "user": None,
                "apiKey": "local-api-key",
            },
            "path": f"/{stage}{path}",
            "resourcePath": path,
            "httpMethod": "POST",
            "apiId": "1234567890",
            "protocol": "HTTP/1.1",
        },
    }


def http_api_event(action_id: str, body: Any, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An HTTP API (payload format 2.0) event."""
    text = body if isinstance(body, str) else json.dumps(body)
    hdrs = {"content-type": "application/json", "accept": "application/json", **{k.lower(): v for k, v in (headers or {}).items()}}
    return {
        "version": "2.0",
        "routeKey": f"POST /{action_id}",
        "rawPath": f"/{action_id}",
        "rawQueryString": "",
        "headers": hdrs,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "api-id",
            "domainName": "id.execute-api.us-east-1.amazonaws.com",
            "domainPrefix": "id",
            "http": {
                "method": "POST",
                "path": f"/{action_id}",
                "protocol": "HTTP/1.1",
                "sourceIp": "127.0.0.1",
                "userAgent": "Genesys-Cloud-Data-Actions",
            },
            "requestId": str(uuid.uuid4()),
            "routeKey": f"POST /{action_id}",
            "stage": "$default",
            "time": "21/Nov/2026:12:34:56 +0000",
            "timeEpoch": 1795264496000,
        },
        "body": text,
        "isBase64Encoded": False,
    }
