"""Presence: definitions (system and secondary), a user's presence on the PURECLOUD source
(read, set, bulk read) and routing status (read, set). Every change is also emitted as the
EventBridge envelope Genesys sends (``Org.listeners``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import ROUTING_STATUSES, error, page
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org


class PresenceApi:
    org: Org

    RULES = (
        Rule("/api/v2/presence/definitions", endpoint="presence_definitions", methods=["GET"]),
        Rule("/api/v2/users/<user>/presences/<source>", endpoint="patch_presence", methods=["PATCH"]),
        Rule("/api/v2/users/presences/<source>/bulk", endpoint="bulk_presence", methods=["GET"]),
        Rule("/api/v2/users/<user>/routingstatus", endpoint="put_routing_status", methods=["PUT"]),
    )

    def presence_definitions(self, req: Request) -> Response:
        wanted = req.query.get("deactivated")
        items = [d for d in self.org.definitions.values() if wanted is None or str(d["deactivated"]).lower() == wanted.lower()]
        return page(req, items, "/api/v2/presence/definitions")

    def _presence_body(self, user: dict[str, Any]) -> dict[str, Any]:
        p = user["presence"]
        d = self.org.definitions[p["definitionId"]]
        return {
            "id": "PURECLOUD",
            "name": "PURECLOUD",
            "source": "PURECLOUD",
            "primary": True,
            "presenceDefinition": {
                "id": d["id"],
                "systemPresence": d["systemPresence"],
                "selfUri": f"/api/v2/presence/definitions/{d['id']}",
            },
            "message": p["message"],
            "modifiedDate": p["modifiedDate"],
        }

    def patch_presence(self, req: Request, user: str, source: str) -> Response:
        if source.lower() != "purecloud":
            return error(400, "bad.request", "This endpoint does not support registered presence sources.")
        if user not in self.org.users:
            return error(404, "not.found", "The requested user could not be found.")
        try:
            body = req.json()
            definition = str(body["presenceDefinition"]["id"])
        except (ValueError, KeyError, TypeError):
            return error(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")
        d = self.org.definitions.get(definition)
        if d is None or d["deactivated"]:
            return error(400, "presence.definition.invalid", "The presence definition does not exist or is deactivated.")
        if isinstance(body.get("message"), str):
            self.org.users[user]["presence"]["message"] = body["message"]
        return Response(200, self._presence_body(self.org.set_presence(user, definition)))

    def bulk_presence(self, req: Request, source: str) -> Response:
        ids = req.args.getlist("id")
        if len(ids) > 50:
            return error(400, "bad.request", "At most 50 user ids may be requested.")
        found = [{"userId": i, **self._presence_body(self.org.users[i])} for i in ids if i in self.org.users]
        return Response(200, found)

    def put_routing_status(self, req: Request, user: str) -> Response:
        if user not in self.org.users:
            return error(404, "not.found", "The requested user could not be found.")
        try:
            status = str(req.json()["status"])
        except (ValueError, KeyError, TypeError):
            return error(400, "bad.request", "status is required")
        if status not in ROUTING_STATUSES:
            return error(400, "bad.request", f"status must be one of {', '.join(ROUTING_STATUSES)}")
        u = self.org.set_routing(user, status)
        return Response(200, {"userId": user, "status": status, "startTime": u["routing"]["startTime"]})
