"""Zendesk adapter: API-token basic auth, unified search and record GETs, 429 + Retry-After."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from dataactions.vendor import Vendor, get_object, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.zendesk.models import ZendeskConfig


def _error_code(resp: httpx.Response) -> str:
    body = resp.json()
    return str(body.get("error", "")) if isinstance(body, dict) and isinstance(body.get("error"), str) else ""


ZENDESK = Vendor("Zendesk", error_code=_error_code)


def search_phrase(value: str) -> str:
    """A quoted Zendesk search phrase: backslash and double quote escaped, so the value stays one term."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


class ZendeskClient:
    def __init__(self, config: ZendeskConfig) -> None:
        self.config = config
        raw = f"{config.user_email}/token:{config.api_token.get_secret_value()}".encode()
        self._auth = {"Authorization": "Basic " + base64.b64encode(raw).decode(), "Accept": "application/json"}
        self._base = config.base_url.rstrip("/")

    def get(self, ctx: ActionContext[ZendeskConfig], path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        return get_object(ctx, ZENDESK, f"{self._base}{path}", headers=self._auth, params=params)

    def search(self, ctx: ActionContext[ZendeskConfig], query: str, sort_by: str) -> tuple[list[dict[str, Any]], int]:
        """First result page, most recent first, and the total count (one request)."""
        body = self.get(ctx, "/api/v2/search.json", {"query": query, "sort_by": sort_by, "sort_order": "desc", "per_page": 1})
        results = (body or {}).get("results")
        if not isinstance(results, list):
            raise malformed(ZENDESK.name, "search without results")
        return results, int((body or {}).get("count") or len(results))
