"""A local AWS Parameters and Secrets Lambda Extension: ``GET /secretsmanager/get?secretId=...``.

Like the real extension it requires the ``X-Aws-Parameters-Secrets-Token`` header (the function's
AWS_SESSION_TOKEN) and answers with the GetSecretValue JSON; behind it is moto's Secrets Manager.
"""

from __future__ import annotations

import json
from typing import Any

from local.standins.server import LocalServer, Request, Response


def start(secretsmanager: Any, session_token: str) -> LocalServer:
    def app(req: Request) -> Response:
        if req.path != "/secretsmanager/get" or req.method != "GET":
            return Response(404, raw=b"not found", content_type="text/plain")
        if req.headers.get("x-aws-parameters-secrets-token") != session_token:
            return Response(401, raw=b"missing or invalid X-Aws-Parameters-Secrets-Token", content_type="text/plain")
        secret_id = req.query.get("secretId")
        if not secret_id:
            return Response(400, raw=b"secretId is required", content_type="text/plain")
        try:
            value = secretsmanager.get_secret_value(SecretId=secret_id)
        except Exception as exc:
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", "Error")
            return Response(400, raw=f"{code}".encode(), content_type="text/plain")
        value.pop("ResponseMetadata", None)
        return Response(200, raw=json.dumps(value, default=str).encode())

    return LocalServer("secrets-extension", app).start()
