"""Genesys Cloud Platform API adapter: client-credentials token per container, JSON GETs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import Vendor, get_object

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

    def get(self, ctx: ActionContext[GenesysConfig], path: str) -> dict[str, Any] | None:
        """GET an API path; None when Genesys answers 404."""
        return get_object(ctx, GENESYS, f"{self.config.api_base}{path}", auth=self.tokens, headers={"Accept": "application/json"})
