"""Users: the listing with the expansions the sync services read (presence, routing status, team)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import page
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org


class UsersApi:
    org: Org

    RULES = (Rule("/api/v2/users", endpoint="list_users", methods=["GET"]),)

    def user_body(self, user: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {k: user[k] for k in ("id", "name", "email", "state", "version")}
        if "presence" in expand:
            p = user["presence"]
            d = self.org.definitions[p["definitionId"]]
            body["presence"] = {
                "presenceDefinition": {"id": d["id"], "systemPresence": d["systemPresence"]},
                "message": p["message"],
                "modifiedDate": p["modifiedDate"],
                "source": "PURECLOUD",
                "primary": True,
            }
        if "routingStatus" in expand:
            body["routingStatus"] = {"userId": user["id"], **user["routing"]}
        if "team" in expand and user.get("team"):
            body["team"] = {"id": user["team"], "selfUri": f"/api/v2/teams/{user['team']}"}
        return body

    def list_users(self, req: Request) -> Response:
        state = req.query.get("state", "active")
        expand = set(filter(None, req.query.get("expand", "").split(",")))
        users = [self.user_body(u, expand) for u in self.org.users.values() if state == "any" or u["state"] == state]
        return page(req, users, "/api/v2/users", max_size=500)
