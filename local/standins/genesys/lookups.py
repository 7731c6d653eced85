"""The Platform API paths the Genesys data actions read: queue estimated wait time, a user's
presence (the PURECLOUD source) and routing status."""

from __future__ import annotations

from typing import TYPE_CHECKING

from werkzeug.routing import Rule

from local.standins.genesys.org import QUEUE_BUSY, error
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org


class LookupsApi:
    org: Org
    throttled: set[str]

    RULES = (
        Rule("/oauth/token", endpoint="token", methods=["POST"]),
        Rule("/api/v2/routing/queues/<queue>/mediatypes/<media>/estimatedwaittime", endpoint="wait_time", methods=["GET"]),
        Rule("/api/v2/users/<user>/presences/PURECLOUD", endpoint="presence", methods=["GET"]),
        Rule("/api/v2/users/<user>/routingstatus", endpoint="routing_status", methods=["GET"]),
    )

    def wait_time(self, req: Request, queue: str, media: str) -> Response:
        if queue == QUEUE_BUSY and req.bearer not in self.throttled:
            self.throttled.add(req.bearer)
            return error(429, "too.many.requests", "Rate limit exceeded the maximum. [300] requests for [60] seconds", {"Retry-After": "1"})
        if queue not in self.org.queue_wait_seconds:
            return error(404, "not.found", "The requested queue could not be found.")
        seconds = self.org.queue_wait_seconds[queue].get(media)
        results = [] if seconds is None else [{"intent": "NO_INTENT", "formula": "BestMethod", "estimatedWaitTimeSeconds": seconds}]
        return Response(200, {"results": results})

    def presence(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None:
            return error(404, "not.found", "The requested user could not be found.")
        p = u["presence"]
        d = self.org.definitions[p["definitionId"]]
        definition = {"id": d["id"], "systemPresence": d["systemPresence"], "selfUri": f"/api/v2/presencedefinitions/{d['id']}"}
        return Response(
            200,
            {
                "id": "PURECLOUD",
                "name": "PURECLOUD",
                "source": "PURECLOUD",
                "primary": True,
                "presenceDefinition": definition,
                "message": p["message"],
                "modifiedDate": p["modifiedDate"],
                "selfUri": req.path,
            },
        )

    def routing_status(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None:
            return error(404, "not.found", "The requested user could not be found.")
        return Response(200, {"userId": user, "status": u["routing"]["status"], "startTime": u["routing"]["startTime"]})
