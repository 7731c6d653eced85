"""Salesforce REST adapter: OAuth 2.0 token per container (refreshed once on INVALID_SESSION_ID),
SOQL query, SOSL search, composite, and sObject create."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import TokenCache, Vendor, call, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.salesforce.models import SalesforceConfig


def _error_code(resp: httpx.Response) -> str:
    body = resp.json()
    if isinstance(body, list) and body and isinstance(body[0], dict):
        return str(body[0].get("errorCode", ""))
    if isinstance(body, dict):
        return str(body.get("error", ""))
    return ""


def _limited(resp: httpx.Response) -> bool:
    if resp.status_code == 429:
        return True
    if resp.status_code == 403:
        try:
            return _error_code(resp) == "REQUEST_LIMIT_EXCEEDED"
        except ValueError:
            return False
    return False


SALESFORCE = Vendor("Salesforce", rate_limited=_limited, error_code=_error_code)


class SalesforceClient:
    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self.instance_url = ""
        self.tokens = TokenCache(self._fetch_token, early_seconds=0)

    def _fetch_token(self, ctx: ActionContext) -> tuple[str, float]:
        cfg = self.config
        form = {"grant_type": cfg.auth, "client_id": cfg.client_id, "client_secret": cfg.client_secret.get_secret_value()}
        if cfg.auth == "password":
            token = cfg.security_token.get_secret_value() if cfg.security_token else ""
            form |= {"username": cfg.username or "", "password": (cfg.password.get_secret_value() if cfg.password else "") + token}
        resp = call(
            ctx, SALESFORCE, "POST", f"{cfg.login_url.rstrip('/')}/services/oauth2/token", read=False, ok=(200,), passthrough=(), data=form
        )
        body = json_body(resp, SALESFORCE.name)
        if not isinstance(body, dict) or not body.get("access_token") or not body.get("instance_url"):
            raise malformed(SALESFORCE.name, "token response without access_token/instance_url")
        self.instance_url = str(body["instance_url"]).rstrip("/")
        # Salesforce does not say when a session ends; keep it until it is refused (INVALID_SESSION_ID).
        return str(body["access_token"]), 12 * 3600.0

    def _url(self, ctx: ActionContext, path: str) -> str:
        self.tokens.get(ctx)  # the instance URL comes with the token
        return f"{self.instance_url}/services/data/{self.config.api_version}{path}"

    def _json(self, resp: httpx.Response) -> Any:
        return json_body(resp, SALESFORCE.name)

    def query(self, ctx: ActionContext, soql: str) -> dict[str, Any]:
        resp = call(ctx, SALESFORCE, "GET", self._url(ctx, "/query"), tokens=self.tokens, params={"q": soql}, passthrough=())
        body = self._json(resp)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise malformed(SALESFORCE.name, "query result without records")
        return body

    def search(self, ctx: ActionContext, sosl: str) -> list[dict[str, Any]]:
        resp = call(ctx, SALESFORCE, "GET", self._url(ctx, "/search"), tokens=self.tokens, params={"q": sosl}, passthrough=())
        body = self._json(resp)
        records = body.get("searchRecords") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise malformed(SALESFORCE.name, "search result without searchRecords")
        return records

    def composite(self, ctx: ActionContext, requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """One round trip for several dependent requests; results by referenceId."""
        body = {"allOrNone": False, "compositeRequest": requests}
        resp = call(ctx, SALESFORCE, "POST", self._url(ctx, "/composite"), tokens=self.tokens, json=body, passthrough=())
        data = self._json(resp)
        results = data.get("compositeResponse") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise malformed(SALESFORCE.name, "composite result without compositeResponse")
        return {str(r.get("referenceId")): r for r in results if isinstance(r, dict)}

    def create(self, ctx: ActionContext, sobject: str, fields: dict[str, Any]) -> str:
        resp = call(
            ctx,
            SALESFORCE,
            "POST",
            self._url(ctx, f"/sobjects/{sobject}"),
            tokens=self.tokens,
            read=False,
            json=fields,
            ok=(201,),
            passthrough=(),
        )
        body = self._json(resp)
        if not isinstance(body, dict) or not body.get("success") or not body.get("id"):
            raise malformed(SALESFORCE.name, f"{sobject} create without id")
        return str(body["id"])
