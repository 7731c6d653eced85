"""Backend credentials from AWS Secrets Manager: one JSON secret per named configuration.

Read once per container and cached with a TTL. When the AWS Parameters and Secrets Lambda
Extension is attached (``PARAMETERS_SECRETS_EXTENSION_HTTP_PORT`` is set) the secret is read from
it over localhost HTTP, so boto3 is never imported on the hot path; otherwise, or if the
extension does not answer, boto3 is imported lazily and called directly.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any

from dataactions.errors import ConfigurationError

if TYPE_CHECKING:
    from dataactions.settings import Settings


class SecretStore:
    """Per-container secret cache. ``boto3_client`` may be injected (tests)."""

    def __init__(self, settings: Settings, boto3_client: Any = None) -> None:
        self._settings = settings
        self._client = boto3_client
        self._cache: dict[str, tuple[float, dict[str, Any]]] = {}
        self.fetches = 0  # how many times we went past the cache (benchmarks, tests)
        self.source = ""  # "extension" or "boto3": where the last fetch came from

    def get(self, secret_id: str) -> dict[str, Any]:
        """The secret's JSON object, from cache while younger than the TTL."""
        now = time.monotonic()
        hit = self._cache.get(secret_id)
        if hit is not None and now - hit[0] < self._settings.secret_ttl_seconds:
            return hit[1]
        value = self._parse(self._fetch(secret_id))
        self._cache[secret_id] = (now, value)
        return value

    def invalidate(self, secret_id: str) -> None:
        self._cache.pop(secret_id, None)

    def _fetch(self, secret_id: str) -> str:
        self.fetches += 1
        if self._settings.extension_port:
            text = self._from_extension(secret_id)
            if text is not None:
                self.source = "extension"
                return text
        self.source = "boto3"
        return self._from_boto3(secret_id)

    def _from_extension(self, secret_id: str) -> str | None:
        import http.client
        from urllib.parse import quote

        conn = http.client.HTTPConnection("localhost", self._settings.extension_port, timeout=2.0)
        try:
            conn.request(
                "GET",
                "/secretsmanager/get?secretId=" + quote(secret_id, safe=""),
                headers={"X-Aws-Parameters-Secrets-Token": self._settings.aws_session_token or ""},
            )
            resp = conn.getresponse()
            body = resp.read()
        except OSError:
            return None  # extension not running: fall back to the SDK
        finally:
            conn.close()
        if resp.status != 200:
            raise ConfigurationError(f"Secret for this backend could not be read (extension HTTP {resp.status})")
        try:
            return json.loads(body)["SecretString"]
        except (ValueError, KeyError, TypeError):
            raise ConfigurationError("Secret for this backend is not a string secret") from None

    def _from_boto3(self, secret_id: str) -> str:
        if self._client is None:
            import boto3  # lazy: only when the extension is not there

            self._client = boto3.client("secretsmanager", region_name=self._settings.aws_region)
        try:
            resp = self._client.get_secret_value(SecretId=secret_id)
        except Exception as exc:  # botocore errors: report the code only, never the message
            code = getattr(exc, "response", {}).get("Error", {}).get("Code", type(exc).__name__)
            raise ConfigurationError(f"Secret for this backend could not be read ({code})") from None
        if "SecretString" not in resp:
            raise ConfigurationError("Secret for this backend is not a string secret")
        return resp["SecretString"]

    @staticmethod
    def _parse(text: str) -> dict[str, Any]:
        try:
            value = json.loads(text)
        except ValueError:
            raise ConfigurationError("Secret for this backend is not valid JSON") from None
        if not isinstance(value, dict):
            raise ConfigurationError("Secret for this backend must be a JSON object")
        return value
