"""Salesforce REST adapter: OAuth 2.0 session per container (client credentials or password flow;
renewed once on INVALID_SESSION_ID), SOQL query, SOSL search, composite, and sObject create."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.vendor import Throttle, Vendor, call, json_body, malformed

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
        from dataactions.tokens import OAuthToken  # with httpx, on first use

        self.config = config
        form = {"grant_type": config.auth, "client_id": config.client_id, "client_secret": config.client_secret.get_secret_value()}
        if config.auth == "password":
            token = config.security_token.get_secret_value() if config.security_token else ""
            password = config.password.get_secret_value() if config.password else ""
            form |= {"username": config.username or "", "password": password + token}
        # Salesforce does not say when a session ends: keep it until it is refused (INVALID_SESSION_ID).
        # The token answer names the instance the session belongs to: requests go there.
        self.tokens = OAuthToken(
            SALESFORCE,
            f"{config.login_url.rstrip('/')}/services/oauth2/token",
            form,
            lifetime=12 * 3600.0,
            early_seconds=0,
            origin_field="instance_url",
        )
        self.throttle: Throttle | None = None  # the sync services' shared rate budget, when set

    def _url(self, path: str) -> str:
        """The REST URL on the session's instance (the login URL until the first token names it)."""
        origin = self.tokens.origin or self.config.login_url.rstrip("/")
        return f"{origin}/services/data/{self.config.api_version}{path}"

    def _json(self, resp: httpx.Response) -> Any:
        return json_body(resp, SALESFORCE.name)

    def query(self, ctx: ActionContext[Any], soql: str) -> dict[str, Any]:
        resp = call(
            ctx, SALESFORCE, "GET", self._url("/query"), auth=self.tokens, throttle=self.throttle, params={"q": soql}, passthrough=()
        )
        body = self._json(resp)
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            raise malformed(SALESFORCE.name, "query result without records")
        return body

    def query_all(self, ctx: ActionContext[Any], soql: str) -> list[dict[str, Any]]:
        """Every record of a query, following ``nextRecordsUrl`` (2,000 records a batch)."""
        body = self.query(ctx, soql)
        records = list(body["records"])
        while not body.get("done", True) and body.get("nextRecordsUrl"):
            origin = self.tokens.origin or self.config.login_url.rstrip("/")
            resp = call(
                ctx, SALESFORCE, "GET", f"{origin}{body['nextRecordsUrl']}", auth=self.tokens, throttle=self.throttle, passthrough=()
            )
            body = self._json(resp)
            if not isinstance(body, dict) or not isinstance(body.get("records"), list):
                raise malformed(SALESFORCE.name, "query batch without records")
            records += body["records"]
        return records

    def search(self, ctx: ActionContext[Any], sosl: str) -> list[dict[str, Any]]:
        resp = call(
            ctx, SALESFORCE, "GET", self._url("/search"), auth=self.tokens, throttle=self.throttle, params={"q": sosl}, passthrough=()
        )
        body = self._json(resp)
        records = body.get("searchRecords") if isinstance(body, dict) else None
        if not isinstance(records, list):
            raise malformed(SALESFORCE.name, "search result without searchRecords")
        return records

    def composite(self, ctx: ActionContext[Any], requests: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
        """One round trip for several dependent requests; results by referenceId."""
        body = {"allOrNone": False, "compositeRequest": requests}
        resp = call(ctx, SALESFORCE, "POST", self._url("/composite"), auth=self.tokens, throttle=self.throttle, json=body, passthrough=())
        data = self._json(resp)
        results = data.get("compositeResponse") if isinstance(data, dict) else None
        if not isinstance(results, list):
            raise malformed(SALESFORCE.name, "composite result without compositeResponse")
        return {str(r.get("referenceId")): r for r in results if isinstance(r, dict)}

    def create(self, ctx: ActionContext[Any], sobject: str, fields: dict[str, Any]) -> str:
        resp = call(
            ctx,
            SALESFORCE,
            "POST",
            self._url(f"/sobjects/{sobject}"),
            auth=self.tokens,
            throttle=self.throttle,
            read=False,
            json=fields,
            ok=(201,),
            passthrough=(),
        )
        body = self._json(resp)
        if not isinstance(body, dict) or not body.get("success") or not body.get("id"):
            raise malformed(SALESFORCE.name, f"{sobject} create without id")
        return str(body["id"])
