"""Sheets API v4 values adapter. Tokens come from google-auth's service-account credentials,
refreshed through a google-auth transport that uses the container's pooled httpx client."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dataactions import BackendError
from dataactions.vendor import TokenCache, Vendor, call, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.google.models import GoogleConfig


def _error_code(resp: httpx.Response) -> str:
    err = resp.json().get("error")
    return str(err.get("status", "")) if isinstance(err, dict) else str(err or "")


GOOGLE = Vendor("Google Sheets", error_code=_error_code)


class _Transport:
    """google.auth.transport.Request over the pooled httpx client, bounded by the invocation's time."""

    def __init__(self, ctx: ActionContext) -> None:
        self.ctx = ctx

    def __call__(self, url: str, method: str = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any):
        from google.auth import exceptions

        try:
            resp = self.ctx.http.request(method, url, content=body, headers=headers, timeout=self.ctx.call_timeout(), vendor="Google OAuth")
        except BackendError as exc:
            raise exceptions.TransportError(exc.message) from None

        class _Response:
            status = resp.status_code
            headers = resp.headers
            data = resp.content

        return _Response()


class SheetsClient:
    def __init__(self, config: GoogleConfig) -> None:
        self.config = config
        self.tokens = TokenCache(self._fetch_token)
        self._credentials: Any = None

    def _fetch_token(self, ctx: ActionContext) -> tuple[str, float]:
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
            self._credentials.refresh(_Transport(ctx))
        except exceptions.RefreshError as exc:
            reason = exc.args[1].get("error", "") if len(exc.args) > 1 and isinstance(exc.args[1], dict) else ""
            raise BackendError(f"Google refused the service account token ({reason or 'refresh failed'})") from None
        except exceptions.TransportError:
            raise BackendError("Google OAuth is unreachable") from None
        expiry = self._credentials.expiry
        lifetime = (expiry.timestamp() - time.time()) if expiry else 3600.0
        return str(self._credentials.token), lifetime

    def _url(self, a1: str) -> str:
        cfg = self.config
        return f"{cfg.sheets_url.rstrip('/')}/v4/spreadsheets/{cfg.spreadsheet_id}/values/{quote(a1, safe='')}"

    def _a1(self, span: str) -> str:
        return "'" + self.config.sheet.replace("'", "''") + "'!" + span

    def headers(self, ctx: ActionContext) -> list[str]:
        """Row 1 only (what a write needs to place cells by header)."""
        first, last = self.config.columns.split(":")
        return (self.rows(ctx, f"{first}1:{last}1") or [[]])[0]

    def rows(self, ctx: ActionContext, span: str | None = None) -> list[list[str]]:
        """Every row of the configured span (row 1: headers), in one request."""
        resp = call(
            ctx,
            GOOGLE,
            "GET",
            self._url(self._a1(span or self.config.columns)),
            tokens=self.tokens,
            params={"majorDimension": "ROWS"},
            passthrough=(),
        )
        body = json_body(resp, GOOGLE.name)
        values = body.get("values", []) if isinstance(body, dict) else None
        if not isinstance(values, list):
            raise malformed(GOOGLE.name, "values missing")
        return [[str(c) for c in row] for row in values]

    def write(self, ctx: ActionContext, a1: str, row: list[Any], append: bool) -> dict[str, Any]:
        url = self._url(a1) + (":append" if append else "")
        resp = call(
            ctx,
            GOOGLE,
            "POST" if append else "PUT",
            url,
            tokens=self.tokens,
            read=False,
            passthrough=(),
            params={"valueInputOption": "RAW", **({"insertDataOption": "INSERT_ROWS"} if append else {})},
            json={"range": a1, "majorDimension": "ROWS", "values": [row]},
        )
        body = json_body(resp, GOOGLE.name)
        if not isinstance(body, dict):
            raise malformed(GOOGLE.name, "expected a JSON object")
        return body.get("updates", body) if append else body
