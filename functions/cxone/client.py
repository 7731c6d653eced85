"""NICE CXone REST adapter: access-key token per container (OAuth password grant with the
registered app's client credentials), API host discovery, paged lists (``skip``/``top`` with
``totalRecords`` and ``_links.next``), agent states, agent sessions, and whatever else the sync
services read. Every request spends the shared rate budget when one is given."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from dataactions.vendor import Throttle, Vendor, call, json_body, malformed

if TYPE_CHECKING:
    import httpx

    from dataactions import ActionContext
    from functions.cxone.models import CxoneConfig


def _error_code(resp: httpx.Response) -> str:
    body = resp.json()
    if isinstance(body, dict):
        return str(body.get("error") or body.get("errorCode") or "")
    return ""


CXONE = Vendor("NICE CXone", error_code=_error_code)
PAGE = 500


class CxoneClient:
    """One per container; ``throttle`` (the sync family's shared budget) may be set after building."""

    def __init__(self, config: CxoneConfig) -> None:
        from dataactions.tokens import OAuthToken  # with httpx, on first use

        self.config = config
        self.throttle: Throttle | None = None
        self.tokens = OAuthToken(
            CXONE,
            f"{config.auth_url.rstrip('/')}/auth/token",
            {"grant_type": "password", "username": config.access_key_id, "password": config.access_key_secret.get_secret_value()},
            basic=(config.client_id, config.client_secret.get_secret_value()),
        )
        self._base = ""

    def base(self, ctx: ActionContext[Any]) -> str:
        """``https://api-<cluster>.../inContactAPI/services/vNN.0``, discovered once per container."""
        if not self._base:
            host = self.config.api_url
            if not host:
                params = {"tenantId": self.config.tenant_id} if self.config.tenant_id else None
                url = f"{self.config.auth_url.rstrip('/')}/.well-known/cxone-configuration"
                resp = call(ctx, CXONE, "GET", url, params=params, passthrough=(), throttle=self.throttle)
                body = json_body(resp, CXONE.name)
                host = body.get("api_endpoint") if isinstance(body, dict) else None
                if not host:
                    raise malformed(CXONE.name, "cxone-configuration without api_endpoint")
            self._base = f"{str(host).rstrip('/')}/inContactAPI/services/{self.config.api_version}"
        return self._base

    def request(
        self,
        ctx: ActionContext[Any],
        method: str,
        path: str,
        *,
        read: bool = True,
        ok: tuple[int, ...] = (200, 201, 202, 204),
        passthrough: tuple[int, ...] = (304, 404, 409),
        **kwargs: Any,
    ) -> httpx.Response:
        return call(
            ctx,
            CXONE,
            method,
            f"{self.base(ctx)}{path}",
            auth=self.tokens,
            read=read,
            ok=ok,
            passthrough=passthrough,
            throttle=self.throttle,
            headers={"Accept": "application/json"},
            **kwargs,
        )

    def get(self, ctx: ActionContext[Any], path: str, params: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """A JSON object; None for 204/304/404 (CXone answers 204 or 304 when a list has nothing new)."""
        resp = self.request(ctx, "GET", path, params=params)
        if resp.status_code in (204, 304, 404) or not resp.content:
            return None
        body = json_body(resp, CXONE.name)
        if not isinstance(body, dict):
            raise malformed(CXONE.name, f"{path} is not a JSON object")
        return body

    def pages(self, ctx: ActionContext[Any], path: str, key: str, params: dict[str, Any] | None = None) -> Iterator[dict[str, Any]]:
        """Every item of a paged list (``skip``/``top``), following ``totalRecords``."""
        skip = 0
        while True:
            body = self.get(ctx, path, {**(params or {}), "skip": skip, "top": PAGE})
            items = (body or {}).get(key) or []
            if not isinstance(items, list):
                raise malformed(CXONE.name, f"{path}: {key} is not a list")
            yield from (i for i in items if isinstance(i, dict))
            skip += len(items)
            total = int((body or {}).get("totalRecords") or 0)
            if not items or skip >= total:
                return

    # -- agent state -------------------------------------------------------------------------------

    def agent_states(self, ctx: ActionContext[Any], updated_since: str | None = None) -> tuple[list[dict[str, Any]], str]:
        """Agent states changed since ``updated_since`` (ISO 8601; all when None), and the time to ask from next."""
        body = self.get(ctx, "/agents/states", {"updatedSince": updated_since} if updated_since else None) or {}
        states = body.get("agentStates") or []
        if not isinstance(states, list):
            raise malformed(CXONE.name, "agentStates is not a list")
        return [s for s in states if isinstance(s, dict)], str(body.get("lastPollTime") or updated_since or "")

    def join_session(self, ctx: ActionContext[Any], agent_id: str) -> str:
        """Join an agent's session (Impersonate permission): the session id to set its state through."""
        resp = self.request(ctx, "POST", "/agent-sessions/join", read=False, json={"asAgentId": agent_id}, passthrough=(404, 409))
        if resp.status_code in (404, 409):
            raise AgentNotLoggedIn(agent_id)
        body = json_body(resp, CXONE.name)
        sid = body.get("sessionId") if isinstance(body, dict) else None
        if not sid:
            raise malformed(CXONE.name, "join without sessionId")
        return str(sid)

    def set_state(self, ctx: ActionContext[Any], session_id: str, state: str, reason: str = "") -> tuple[int, str]:
        """Set Available / Unavailable (+ unavailable code): (HTTP status, CXone's error code when refused)."""
        body = {"state": state, **({"reason": reason} if reason else {})}
        resp = self.request(ctx, "POST", f"/agent-sessions/{session_id}/state", read=False, json=body, passthrough=(400, 404, 409))
        code = ""
        if resp.status_code >= 400:
            try:
                code = _error_code(resp)
            except ValueError:
                code = ""
        return resp.status_code, code

    # -- the admin directory (EX sync): whole lists, paged --------------------------------------------

    def agents(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        """Every agent, active or not (CXone deactivates people rather than deleting them)."""
        return list(self.pages(ctx, "/agents", "agents"))

    def teams(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        return list(self.pages(ctx, "/teams", "teams"))

    def skills(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        return list(self.pages(ctx, "/skills", "skills"))

    def skill_assignments(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        """Every agent's skills with proficiencies, in one paged list (``GET /agents/skills``)."""
        return list(self.pages(ctx, "/agents/skills", "agentSkillAssignments"))

    def dispositions(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        return list(self.pages(ctx, "/dispositions", "dispositions"))

    def disposition_skills(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        """Dispositions with the skills they are assigned to (``GET /dispositions/skills``)."""
        return list(self.pages(ctx, "/dispositions/skills", "dispositions"))

    def unavailable_codes(self, ctx: ActionContext[Any]) -> list[dict[str, Any]]:
        return list(self.pages(ctx, "/unavailable-codes", "unavailableCodes"))


class AgentNotLoggedIn(Exception):
    """CXone has no session for the agent to join (logged out): nothing to set."""
