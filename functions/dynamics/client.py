"""Dataverse Web API adapter: Entra ID client-credentials token per container, OData GETs with
``$count`` so one request gives the first record and how many matched."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import Vendor, get_object, malformed

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
        from dataactions.tokens import OAuthToken  # with httpx, on first use

        self.config = config
        self.base = f"{config.org_url.rstrip('/')}/api/data/{config.api_version}"
        self.tokens = OAuthToken(
            DYNAMICS,
            f"{config.login_url.rstrip('/')}/{config.tenant_id}/oauth2/v2.0/token",
            {
                "grant_type": "client_credentials",
                "client_id": config.client_id,
                "client_secret": config.client_secret.get_secret_value(),
                "scope": f"{config.org_url.rstrip('/')}/.default",
            },
        )

    def get(self, ctx: ActionContext[DynamicsConfig], path: str, params: dict[str, str] | None = None) -> dict[str, Any] | None:
        """One OData GET; None on 404 (a record id that does not exist)."""
        return get_object(ctx, DYNAMICS, f"{self.base}/{path}", auth=self.tokens, headers=HEADERS, params=params)

    def first(
        self, ctx: ActionContext[DynamicsConfig], entity_set: str, select: str, filter_: str, orderby: str
    ) -> tuple[list[dict[str, Any]], int]:
        """The first record of a filtered, ordered query (a list of at most one) and the total
        match count, in one request."""
        body = self.get(ctx, entity_set, {"$select": select, "$filter": filter_, "$orderby": orderby, "$top": "1", "$count": "true"})
        rows = (body or {}).get("value")
        if not isinstance(rows, list):
            raise malformed(DYNAMICS.name, "collection without value")
        return rows[:1], int((body or {}).get("@odata.count") or len(rows))
