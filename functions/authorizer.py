"""API Gateway TOKEN authorizer for the Genesys web services *Basic Auth* credential type.

Genesys sends ``Authorization: Basic base64(user:password)`` on every request; this function
checks it against the JSON secret ``{"username": ..., "password": ...}`` named by DA_SECRET_ID
(read once per container through the same secret store as the actions) and answers with an IAM
policy for the API. A wrong or missing header raises ``Unauthorized`` (API Gateway's 401).
Not a data action: it is deployed only with ``-c apiAuth=basic``.
"""

from __future__ import annotations

import base64
import hmac
from typing import Any

_state: dict[str, Any] = {}


def _secret() -> dict[str, Any]:
    if "store" not in _state:
        from dataactions.secrets import SecretStore
        from dataactions.settings import Settings

        settings = Settings.from_environ()
        _state["store"], _state["id"] = SecretStore(settings), settings.secret_id
    return _state["store"].get(_state["id"])


def check(header: str | None, secret: dict[str, Any]) -> bool:
    """True only for ``Basic`` credentials equal to the secret's (compared in constant time)."""
    if not header or not header.startswith("Basic "):
        return False
    try:
        user, sep, password = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (ValueError, UnicodeDecodeError):
        return False
    expected_user, expected_password = str(secret.get("username", "")), str(secret.get("password", ""))
    if not sep or not expected_user or not expected_password:
        return False
    return hmac.compare_digest(user.encode(), expected_user.encode()) & hmac.compare_digest(password.encode(), expected_password.encode())


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    if not check(event.get("authorizationToken"), _secret()):
        raise Exception("Unauthorized")  # API Gateway maps exactly this message to 401
    # Allow every route of this API stage (the result is cached per token).
    arn = str(event.get("methodArn", ""))
    api_arn = "/".join(arn.split("/")[:2]) + "/*" if "/" in arn else arn
    return {
        "principalId": "genesys-web-services",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": api_arn}],
        },
    }
