"""Genesys Cloud Platform API adapter: client-credentials token per container, JSON GETs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dataactions.vendor import Throttle, Vendor, call, get_object, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.genesys.models import GenesysConfig


def _error_code(resp: httpx.Response) -> str:
    body = resp.json()
    return str(body.get("code", "")) if isinstance(body, dict) else ""


GENESYS = Vendor("Genesys Cloud", error_code=_error_code)


class GenesysClient:
    def __init__(self, config: GenesysConfig) -> None:
        from dataactions.tokens import OAuthToken  # with httpx, on first use

        self.config = config
        self.tokens = OAuthToken(
            GENESYS,
            f"{config.login_base}/oauth/token",
            {"grant_type": "client_credentials"},
            basic=(config.client_id, config.client_secret.get_secret_value()),
        )
        self.throttle: Throttle | None = None  # the sync services' shared rate budget, when set

    def get(self, ctx: ActionContext[Any], path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """GET an API path; None when Genesys answers 404."""
        if self.throttle is None:
            return get_object(
                ctx, GENESYS, f"{self.config.api_base}{path}", auth=self.tokens, headers={"Accept": "application/json"}, params=params
            )
        resp = self.request(ctx, "GET", path, params=params)
        return None if resp.status_code == 404 else self.json(resp)

    def request(self, ctx: ActionContext[Any], method: str, path: str, *, read: bool = True, **kwargs: Any) -> httpx.Response:
        """Any Platform API call (writes are never retried); 404 passes through, other failures raise."""
        return call(
            ctx,
            GENESYS,
            method,
            f"{self.config.api_base}{path}",
            auth=self.tokens,
            read=read,
            throttle=self.throttle,
            headers={"Accept": "application/json"},
            **kwargs,
        )

    def json(self, resp: httpx.Response) -> dict[str, Any]:
        body = json_body(resp, GENESYS.name)
        if not isinstance(body, dict):
            raise malformed(GENESYS.name, "expected a JSON object")
        return body

    def pages(
        self, ctx: ActionContext[Any], path: str, params: dict[str, Any] | None = None, page_size: int = 100
    ) -> Iterator[dict[str, Any]]:
        """Every entity of a paged listing (``pageNumber``/``pageSize``, ``pageCount``)."""
        number = 1
        while True:
            body = self.get(ctx, path, {**(params or {}), "pageSize": page_size, "pageNumber": number}) or {}
            entities = body.get("entities") or []
            yield from (e for e in entities if isinstance(e, dict))
            if not entities or number >= int(body.get("pageCount") or 1):
                return
            number += 1
