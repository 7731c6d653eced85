"""Service-account tokens for the Sheets API: google-auth signs the JWT bearer grant and reads the
answer; the request goes out on the container's pooled httpx client within the call's time.
Loaded on the first call (it needs httpx and google-auth), not at handler import."""

from __future__ import annotations

import time
from datetime import UTC
from typing import TYPE_CHECKING, Any

from dataactions import BackendError, BackendTimeout
from dataactions.tokens import MIN_SECONDS, BearerToken, Fetch

if TYPE_CHECKING:
    import httpx

    from dataactions.http import HttpPool
    from dataactions.vendor import Vendor
    from functions.google.models import GoogleConfig


class _Transport:
    """google.auth.transport.Request over the pooled httpx client, within ``deadline``."""

    def __init__(self, pool: HttpPool, deadline: float | None) -> None:
        self.pool = pool
        self.deadline = deadline

    def __call__(self, url: str, method: str = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any) -> Any:
        from google.auth import exceptions

        left = None if self.deadline is None else self.deadline - time.monotonic()
        if left is not None and left <= MIN_SECONDS:
            raise BackendTimeout("No time left for the Google OAuth token request")
        try:
            resp = self.pool.request(method, url, content=body, headers=headers, timeout=left, vendor="Google OAuth")
        except BackendError as exc:
            raise exceptions.TransportError(exc.message) from None

        class _Response:
            status = resp.status_code
            headers = resp.headers
            data = resp.content

        return _Response()


class ServiceAccountToken(BearerToken):
    """A bearer token from google-auth's service-account credentials (JWT bearer grant)."""

    def __init__(self, vendor: Vendor, config: GoogleConfig, pool: HttpPool) -> None:
        super().__init__(vendor)
        self.config = config
        self.pool = pool
        self._credentials: Any = None

    def fetch(self, timeout: float | None, request: httpx.Request) -> Fetch:
        yield from ()  # google-auth sends the token request itself, through the pool
        return self._refresh(None if timeout is None else time.monotonic() + timeout)

    def _refresh(self, deadline: float | None) -> tuple[str, float]:
        from google.auth import exceptions
        from google.oauth2 import service_account

        cfg = self.config
        if self._credentials is None:
            info = {
                "type": "service_account",
                "client_email": cfg.client_email,
                "private_key_id": cfg.private_key_id,
                "private_key": cfg.private_key.get_secret_value(),
                "token_uri": cfg.token_uri,
            }
            try:
                self._credentials = service_account.Credentials.from_service_account_info(info, scopes=cfg.scopes, subject=cfg.subject)
            except (ValueError, TypeError):
                raise BackendError("Google service account key in the secret is not usable") from None
        try:
            self._credentials.refresh(_Transport(self.pool, deadline))
        except exceptions.RefreshError as exc:
            reason = exc.args[1].get("error", "") if len(exc.args) > 1 and isinstance(exc.args[1], dict) else ""
            raise BackendError(f"Google refused the service account token ({reason or 'refresh failed'})") from None
        except exceptions.TransportError:
            raise BackendError("Google OAuth is unreachable") from None
        expiry = self._credentials.expiry  # naive UTC (google-auth's convention)
        lifetime = (expiry.replace(tzinfo=UTC).timestamp() - time.time()) if expiry else 3600.0
        return str(self._credentials.token), lifetime
