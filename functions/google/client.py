"""Sheets API v4 values adapter. Tokens come from google-auth's service-account credentials
(:mod:`functions.google.token`), fetched on the container's pooled httpx client."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from dataactions.vendor import Vendor, call, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.google.models import GoogleConfig
    from functions.google.token import ServiceAccountToken


def _error_code(resp: httpx.Response) -> str:
    err = resp.json().get("error")
    return str(err.get("status", "")) if isinstance(err, dict) else str(err or "")


GOOGLE = Vendor("Google Sheets", error_code=_error_code)


class SheetsClient:
    def __init__(self, config: GoogleConfig) -> None:
        self.config = config
        self.tokens: ServiceAccountToken | None = None

    def _auth(self, ctx: ActionContext[GoogleConfig]) -> ServiceAccountToken:
        if self.tokens is None:
            from functions.google.token import ServiceAccountToken  # with httpx and google-auth, on first use

            self.tokens = ServiceAccountToken(GOOGLE, self.config, ctx.http)
        return self.tokens

    def _url(self, a1: str) -> str:
        cfg = self.config
        return f"{cfg.sheets_url.rstrip('/')}/v4/spreadsheets/{cfg.spreadsheet_id}/values/{quote(a1, safe='')}"

    def a1(self, span: str) -> str:
        return "'" + self.config.sheet.replace("'", "''") + "'!" + span

    def headers(self, ctx: ActionContext[GoogleConfig]) -> list[str]:
        """Row 1 only (what a write needs to place cells by header)."""
        first, last = self.config.columns.split(":")
        return (self.rows(ctx, f"{first}1:{last}1") or [[]])[0]

    def rows(self, ctx: ActionContext[GoogleConfig], span: str | None = None) -> list[list[str]]:
        """Every row of the configured span (row 1: headers), in one request."""
        resp = call(
            ctx,
            GOOGLE,
            "GET",
            self._url(self.a1(span or self.config.columns)),
            auth=self._auth(ctx),
            params={"majorDimension": "ROWS"},
            passthrough=(),
        )
        body = json_body(resp, GOOGLE.name)
        values = body.get("values", []) if isinstance(body, dict) else None
        if not isinstance(values, list):
            raise malformed(GOOGLE.name, "values missing")
        return [[str(c) for c in row] for row in values]

    def write(self, ctx: ActionContext[GoogleConfig], a1: str, row: list[Any], append: bool) -> dict[str, Any]:
        url = self._url(a1) + (":append" if append else "")
        resp = call(
            ctx,
            GOOGLE,
            "POST" if append else "PUT",
            url,
            auth=self._auth(ctx),
            read=False,
            passthrough=(),
            params={"valueInputOption": "RAW", **({"insertDataOption": "INSERT_ROWS"} if append else {})},
            json={"range": a1, "majorDimension": "ROWS", "values": [row]},
        )
        body = json_body(resp, GOOGLE.name)
        if not isinstance(body, dict):
            raise malformed(GOOGLE.name, "expected a JSON object")
        return body.get("updates", body) if append else body
