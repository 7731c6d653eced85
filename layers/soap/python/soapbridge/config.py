"""The secret of a SOAP backend configuration (validated without pydantic: no cold-start cost).

::

    {"endpoint": "https://billing.example.com/soap",   # optional: overrides the WSDL's address
     "auth": "wsse",                                    # none | basic | wsse (UsernameToken)
     "username": "...", "password": "...",
     "passwordDigest": false,                           # wsse: PasswordDigest instead of PasswordText
     "maxResponseBytes": 1048576,                       # bigger answers are refused
     "headers": {"tenantId": "acme-eu"}}                # SOAP header values actions declare "secret:<key>"

Header values are secrets too (session ids, tenant ids): they never appear in ``repr``, contracts,
logs or errors, only their names do.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

AUTH_MODES = ("none", "basic", "wsse")
MAX_RESPONSE_BYTES = 1024 * 1024
KEYS = {"endpoint", "auth", "username", "password", "passwordDigest", "maxResponseBytes", "headers"}
HeaderValue = str | int | float | bool


class SoapConfig:
    """One configuration's secret, validated. (A plain class: a frozen dataclass costs ~1 ms of cold start.)"""

    __slots__ = ("endpoint", "auth", "username", "password", "password_digest", "max_response_bytes", "headers")

    def __init__(
        self,
        endpoint: str = "",
        auth: str = "none",
        username: str = "",
        password: str = "",
        password_digest: bool = False,
        max_response_bytes: int = MAX_RESPONSE_BYTES,
        headers: Mapping[str, HeaderValue] | None = None,
    ) -> None:
        self.endpoint, self.auth, self.username, self.password = endpoint, auth, username, password
        self.password_digest, self.max_response_bytes = password_digest, max_response_bytes
        self.headers: Mapping[str, HeaderValue] = MappingProxyType(dict(headers or {}))

    def __repr__(self) -> str:  # never the password, never a header value
        names = f", headers={sorted(self.headers)!r}" if self.headers else ""
        return f"SoapConfig(endpoint={self.endpoint!r}, auth={self.auth!r}, username={self.username!r}{names})"

    @classmethod
    def model_validate(cls, raw: Any) -> SoapConfig:
        """Check the secret's shape; ValueError names the bad fields (never their values)."""
        if not isinstance(raw, dict):
            raise ValueError("secret (must be a JSON object)")
        bad = sorted(k for k in raw if k not in KEYS)
        endpoint = raw.get("endpoint", "")
        if not isinstance(endpoint, str) or (endpoint and not endpoint.startswith(("https://", "http://"))):
            bad.append("endpoint (an http(s) URL)")
        auth = raw.get("auth", "basic" if raw.get("username") else "none")
        if auth not in AUTH_MODES:
            bad.append("auth (none, basic or wsse)")
        username, password = raw.get("username", ""), raw.get("password", "")
        if not isinstance(username, str) or not isinstance(password, str):
            bad.append("username/password (strings)")
        elif auth in ("basic", "wsse") and not (username and password):
            bad.append("username/password (required for auth " + str(auth) + ")")
        digest = raw.get("passwordDigest", False)
        if not isinstance(digest, bool):
            bad.append("passwordDigest (true or false)")
        limit = raw.get("maxResponseBytes", MAX_RESPONSE_BYTES)
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1024 <= limit <= 6 * 1024 * 1024:
            bad.append("maxResponseBytes (1024..6291456)")
        headers = raw.get("headers", {})
        if not isinstance(headers, dict):
            bad.append("headers (an object of SOAP header values)")
            headers = {}
        for name, value in headers.items():
            if not name or not isinstance(value, HeaderValue):
                bad.append(f"headers.{name or '?'} (a string, number or boolean)")
        if bad:
            raise ValueError(", ".join(bad))
        return cls(endpoint, auth, username, password, digest, limit, headers)
