"""Dataverse Web API adapter: Entra ID client-credentials token per container, OData GETs with
``$count`` so one request gives the first record and how many matched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import TokenCache, Vendor, call, get_object, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.dynamics.models import DynamicsConfig


def _error_code(resp: httpx.Response) -> str:
    body = resp.json()
    err = body.get("error") if isinstance(body, dict) else None
    if isinstance(err, dict):
        return str(err.get("code", ""))
    return str(err or "")


DYNAMICS = Vendor("Dynamics 365", error_code=_error_code)
HEADERS = {
    "Accept": "application/json",
    "OData-MaxVersion": "4.0",
    "OData-Version": "4.0",
    "Prefer": 'odata.include-annotations="OData.Community.Display.V1.FormattedValue"',
}


def odata_string(value: str) -> str:
    """An OData string literal: single quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


class DynamicsClient:
    def __init__(self, config: DynamicsConfig) -> None:
        self.config = config
        self.base = f"{config.org_url.rstrip('/')}/api/data/{config.api_version}"
        self.tokens = TokenCache(self._fetch_token)

    def _fetch_token(self, ctx: ActionContext) -> tuple[str, float]:
        cfg = self.config
        resp = call(
            ctx,
            DYNAMICS,
            "POST",
            f"{cfg.login_url.rstrip('/')}/{cfg.tenant_id}/oauth2/v2.0/token",
            read=False,
            ok=(200,),
            passthrough=(),
            data={
                "grant_type": "client_credentials",
                "client_id": cfg.client_id,
                "client_secret": cfg.client_secret.get_secret_value(),
                "scope": f"{cfg.org_url.rstrip('/')}/.default",
            },
        )
        body = json_body(resp, DYNAMICS.name)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise malformed(DYNAMICS.name, "token response without access_token")
        return str(body["access_token"]), float(body.get("expires_in") or 3600)

    def get(self, ctx: ActionContext, path: str, params: dict[str, str] | None = None) -> dict[str, Any] | None:
        """One OData GET; None on 404 (a record id that does not exist)."""
        return get_object(ctx, DYNAMICS, f"{self.base}/{path}", tokens=self.tokens, headers=HEADERS, params=params)

    def first(self, ctx: ActionContext, entity_set: str, select: str, filter_: str, orderby: str) -> tuple[dict[str, Any] | None, int]:
        """The first record of a filtered, ordered query and the total match count, in one request."""
        body = self.get(ctx, entity_set, {"$select": select, "$filter": filter_, "$orderby": orderby, "$top": "1", "$count": "true"})
        rows = (body or {}).get("value")
        if not isinstance(rows, list):
            raise malformed(DYNAMICS.name, "collection without value")
        return (rows[0] if rows else None), int((body or {}).get("@odata.count") or len(rows))
