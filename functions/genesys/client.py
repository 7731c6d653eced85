"""Genesys Cloud Platform API adapter: client-credentials token per container, JSON GETs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import TokenCache, Vendor, call, get_object, json_body, malformed

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.genesys.models import GenesysConfig


def _error_code(resp: Any) -> str:
    body = resp.json()
    return str(body.get("code", "")) if isinstance(body, dict) else ""


GENESYS = Vendor("Genesys Cloud", error_code=_error_code)


class GenesysClient:
    def __init__(self, config: GenesysConfig) -> None:
        self.config = config
        self.tokens = TokenCache(self._fetch_token)

    def _fetch_token(self, ctx: ActionContext) -> tuple[str, float]:
        cfg = self.config
        resp = call(
            ctx,
            GENESYS,
            "POST",
            f"{cfg.login_base}/oauth/token",
            read=False,
            ok=(200,),
            passthrough=(),
            data={"grant_type": "client_credentials"},
            auth=(cfg.client_id, cfg.client_secret.get_secret_value()),
        )
        body = json_body(resp, GENESYS.name)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise malformed(GENESYS.name, "token response without access_token")
        return str(body["access_token"]), float(body.get("expires_in") or 3600)

    def get(self, ctx: ActionContext, path: str) -> dict[str, Any] | None:
        """GET an API path; None when Genesys answers 404."""
        return get_object(ctx, GENESYS, f"{self.config.api_base}{path}", tokens=self.tokens, headers={"Accept": "application/json"})
