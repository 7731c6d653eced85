"""Users: the listing with the expansions the sync services read (presence, routing status, team,
skills, languages), and the directory a provisioning client writes: create (``general.conflict`` on
an email in use, deleted users included), read (a deleted user only with ``state=deleted``), PATCH
with the current ``version`` (a stale one answers 409, or 400 naming the version, as Genesys does),
soft delete, search (EXACT email/state), external ids, routing skills and languages per user (bulk
in at most 50), and ``PATCH /users/bulk``, which only sets acdAutoAnswer."""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import VERSION_409, error, now_iso, page
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org

# Stricter than a loose check: no leading, trailing or doubled dots in the local part (RFC 5322 dot-atom)
EMAIL = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
)
PEOPLE_FIELDS = ("name", "email", "title", "department", "state")
BULK_MAX = 50


def body_json(req: Request) -> Any:
    """The request's JSON, or None when it is not JSON."""
    try:
        return req.json()
    except ValueError:
        return None


def malformed() -> Response:
    return error(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")


class UsersApi:
    org: Org

    RULES = (
        Rule("/api/v2/users", endpoint="list_users", methods=["GET"]),
        Rule("/api/v2/users", endpoint="create_user", methods=["POST"]),
        Rule("/api/v2/users/search", endpoint="search_users", methods=["POST"]),
        Rule("/api/v2/users/bulk", endpoint="bulk_users", methods=["PATCH"]),
        Rule("/api/v2/users/externalid/<authority>/<key>", endpoint="user_by_external_id", methods=["GET"]),
        Rule("/api/v2/users/<user>", endpoint="get_user", methods=["GET"]),
        Rule("/api/v2/users/<user>", endpoint="patch_user", methods=["PATCH"]),
        Rule("/api/v2/users/<user>", endpoint="delete_user", methods=["DELETE"]),
        Rule("/api/v2/users/<user>/externalid", endpoint="external_ids", methods=["GET", "POST"]),
        Rule("/api/v2/users/<user>/externalid/<authority>/<key>", endpoint="delete_external_id", methods=["DELETE"]),
        Rule("/api/v2/users/<user>/routingskills", endpoint="user_skills", methods=["GET"]),
        Rule("/api/v2/users/<user>/routingskills/bulk", endpoint="user_skills_bulk", methods=["PATCH", "PUT"]),
        Rule("/api/v2/users/<user>/routingskills/<item>", endpoint="delete_user_skill", methods=["DELETE"]),
        Rule("/api/v2/users/<user>/routinglanguages", endpoint="user_languages", methods=["GET"]),
        Rule("/api/v2/users/<user>/routinglanguages/bulk", endpoint="user_languages_bulk", methods=["PATCH"]),
        Rule("/api/v2/users/<user>/routinglanguages/<item>", endpoint="delete_user_language", methods=["DELETE"]),
    )

    # -- reading -----------------------------------------------------------------------------------------

    def user_body(self, user: dict[str, Any], expand: set[str]) -> dict[str, Any]:
        body: dict[str, Any] = {k: user[k] for k in ("id", "name", "email", "state", "version")}
        body.update(
            title=user.get("title", ""),
            department=user.get("department", ""),
            division=self.org.division_ref(user.get("division", "")),
            acdAutoAnswer=user.get("acdAutoAnswer", False),
            selfUri=f"/api/v2/users/{user['id']}",
        )
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
        if "skills" in expand:
            body["skills"] = self._assigned(user, "skills")
        if "languages" in expand:
            body["languages"] = self._assigned(user, "languages")
        return body

    def _assigned(self, user: dict[str, Any], kind: str) -> list[dict[str, Any]]:
        items = self.org.skills if kind == "skills" else self.org.languages
        uri = "routing/skills" if kind == "skills" else "routing/languages"
        return [
            {"id": i, "name": items[i]["name"], "proficiency": p, "state": "active", "selfUri": f"/api/v2/{uri}/{i}"}
            for i, p in user.get(kind, {}).items()
            if i in items
        ]

    def list_users(self, req: Request) -> Response:
        state = req.query.get("state", "active")
        expand = set(filter(None, req.query.get("expand", "").split(",")))
        wanted = set(req.args.getlist("id"))
        users = [
            self.user_body(u, expand)
            for u in self.org.users.values()
            if (state == "any" and u["state"] != "deleted" or u["state"] == state) and (not wanted or u["id"] in wanted)
        ]
        return page(req, users, "/api/v2/users", max_size=500)

    def get_user(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None or (u["state"] == "deleted" and req.query.get("state") != "deleted"):
            return error(404, "not.found", "The requested user could not be found.")
        expand = set(filter(None, req.query.get("expand", "").split(",")))
        return Response(200, self.user_body(u, expand))

    def search_users(self, req: Request) -> Response:
        body = body_json(req)
        if not isinstance(body, dict) or not isinstance(body.get("query"), list):
            return malformed()
        users = list(self.org.users.values())
        states = {"active", "inactive"}
        for criterion in body["query"]:
            if not isinstance(criterion, dict) or criterion.get("type", "EXACT").upper() != "EXACT":
                return error(400, "bad.request", "Only EXACT criteria are supported here.")
            values = [str(v).lower() for v in (criterion.get("values") or [criterion.get("value")]) if v is not None]
            for field in criterion.get("fields") or []:
                if field == "state":
                    states = set(values)
                elif field in ("email", "name", "id"):
                    users = [u for u in users if str(u[field]).lower() in values]
                else:
                    return error(400, "bad.request", f"Unsupported search field {field}.")
        results = [self.user_body(u, set()) for u in users if u["state"] in states]
        return Response(200, {"total": len(results), "pageSize": 25, "pageNumber": 1, "pageCount": 1, "results": results[:25]})

    def user_by_external_id(self, req: Request, authority: str, key: str) -> Response:
        user_id = self.org.external_ids.get((authority, key))
        u = self.org.users.get(user_id or "")
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "No user has this external id.")
        return Response(200, self.user_body(u, set()))

    # -- writing -----------------------------------------------------------------------------------------

    def create_user(self, req: Request) -> Response:
        body = body_json(req)
        if not isinstance(body, dict):
            return malformed()
        name, email = str(body.get("name") or "").strip(), str(body.get("email") or "").strip()
        if not name or len(name) > 255:
            return error(400, "bad.request", "name is required (1-255 characters).")
        if not EMAIL.match(email):
            return error(400, "invalid.value", "The email address is not valid.")
        if any(u["email"].lower() == email.lower() for u in self.org.users.values()):
            return error(409, "general.conflict", "A user with this email address already exists.")
        division = str(body.get("divisionId") or "")
        if division and division not in self.org.divisions:
            return error(400, "bad.request", "The division does not exist.")
        user_id = str(uuid.uuid4())
        u = self.org.add_user(user_id, name, email, at=now_iso())
        u.update(
            division=division or u["division"],
            title=str(body.get("title") or ""),
            department=str(body.get("department") or ""),
            state="inactive" if body.get("state") == "inactive" else "active",
        )
        self.org.emit_audit("User", u, "Create")
        return Response(200, self.user_body(u, set()))

    def patch_user(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None:
            return error(404, "not.found", "The requested user could not be found.")
        body = body_json(req)
        if not isinstance(body, dict) or not isinstance(body.get("version"), int):
            return error(400, "bad.request", "version is required.")
        changes = {k: v for k, v in body.items() if k in PEOPLE_FIELDS}
        if u["state"] == "deleted" and set(changes) != {"state"}:
            return error(404, "not.found", "The requested user could not be found.")
        if "state" in changes and len(changes) > 1:  # the state is changed on its own (terraform does the same)
            return error(400, "bad.request", "The state of a user must be updated on its own.")
        if self.org.version_races.get(user, 0) > 0:  # someone else changed the user just before us
            self.org.version_races[user] -= 1
            u["version"] += 1
        if body["version"] != u["version"]:
            if self.org.version_error == "400":
                return error(
                    400, "bad.request", f"The version supplied ({body['version']}) does not match the current version ({u['version']})."
                )
            return error(409, "general.conflict", VERSION_409)
        if "email" in changes:
            email = str(changes["email"])
            if not EMAIL.match(email):
                return error(400, "invalid.value", "The email address is not valid.")
            if any(o["email"].lower() == email.lower() and o["id"] != user for o in self.org.users.values()):
                # 400 here: a 409 on a PATCH means a stale version to every client (terraform's retry rule)
                return error(400, "general.conflict", "A user with this email address already exists.")
        if "state" in changes and changes["state"] not in ("active", "inactive"):
            return error(400, "bad.request", "state must be active or inactive.")
        u.update({k: str(v) for k, v in changes.items()})
        u["version"] += 1
        self.org.emit_audit("User", u, "Update", changes)
        return Response(200, self.user_body(u, set()))

    def delete_user(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "The requested user could not be found.")
        u["state"] = "deleted"
        u["version"] += 1
        for members in self.org.queue_members.values():  # a deleted user leaves its queues
            members.pop(user, None)
        self.org.emit_audit("User", u, "Delete")
        return Response(200, {})

    def bulk_users(self, req: Request) -> Response:
        """Genesys' only bulk user update: acdAutoAnswer, at most 50 users."""
        body = body_json(req)
        if not isinstance(body, list) or not all(isinstance(i, dict) and "id" in i for i in body):
            return malformed()
        if len(body) > BULK_MAX:
            return error(400, "bad.request", f"At most {BULK_MAX} users may be updated at once.")
        if any(set(i) - {"id", "acdAutoAnswer"} for i in body):
            return error(400, "bad.request", "Only acdAutoAnswer can be updated in bulk.")
        for i in body:
            if i["id"] in self.org.users:
                self.org.users[i["id"]]["acdAutoAnswer"] = bool(i.get("acdAutoAnswer"))
        return Response(200, {"entities": [self.user_body(self.org.users[i["id"]], set()) for i in body if i["id"] in self.org.users]})

    def external_ids(self, req: Request, user: str) -> Response:
        u = self.org.users.get(user)
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "The requested user could not be found.")
        if req.method == "POST":
            body = body_json(req)
            if not isinstance(body, dict) or not body.get("authorityName") or not body.get("externalKey"):
                return error(400, "bad.request", "authorityName and externalKey are required.")
            key = (str(body["authorityName"]), str(body["externalKey"]))
            owner = self.org.external_ids.get(key)
            if owner not in (None, user) and self.org.users.get(owner or "", {}).get("state") != "deleted":
                return error(409, "general.conflict", "This external id belongs to another user.")
            if sum(1 for k, v in self.org.external_ids.items() if v == user) >= 100 and owner != user:
                return error(400, "bad.request", "A user has at most 100 external ids.")
            self.org.external_ids[key] = user
        ids = [{"authorityName": a, "externalKey": k} for (a, k), v in self.org.external_ids.items() if v == user]
        return Response(200, ids)

    def delete_external_id(self, req: Request, user: str, authority: str, key: str) -> Response:
        if self.org.external_ids.get((authority, key)) != user:
            return error(404, "not.found", "No such external id.")
        del self.org.external_ids[(authority, key)]
        return Response(204, None)

    # -- routing skills and languages of a user ------------------------------------------------------

    def user_skills(self, req: Request, user: str) -> Response:
        return self._list_assigned(req, user, "skills")

    def user_languages(self, req: Request, user: str) -> Response:
        return self._list_assigned(req, user, "languages")

    def _list_assigned(self, req: Request, user: str, kind: str) -> Response:
        u = self.org.users.get(user)
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "The requested user could not be found.")
        return page(req, self._assigned(u, kind), f"/api/v2/users/{user}/routing{kind}", max_size=100)

    def user_skills_bulk(self, req: Request, user: str) -> Response:
        return self._bulk(req, user, "skills", replace=req.method == "PUT")

    def user_languages_bulk(self, req: Request, user: str) -> Response:
        return self._bulk(req, user, "languages", replace=False)

    def _bulk(self, req: Request, user: str, kind: str, *, replace: bool) -> Response:
        u = self.org.users.get(user)
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "The requested user could not be found.")
        body = body_json(req)
        if not isinstance(body, list) or not all(isinstance(i, dict) and i.get("id") for i in body):
            return malformed()
        if len(body) > BULK_MAX:
            return error(400, "bad.request", f"At most {BULK_MAX} routing {kind} may be set at once.")
        items = self.org.skills if kind == "skills" else self.org.languages
        for i in body:
            if i["id"] not in items:
                return error(400, "bad.request", f"Routing {kind[:-1]} {i['id']} does not exist.")
            proficiency = i.get("proficiency", 0)
            if not isinstance(proficiency, int | float) or not 0 <= proficiency <= 5:
                return error(400, "bad.request", "proficiency must be between 0 and 5.")
        if replace:
            u[kind] = {}
        for i in body:
            u[kind][i["id"]] = float(i.get("proficiency", 0))
        return page(req, self._assigned(u, kind), f"/api/v2/users/{user}/routing{kind}", max_size=100)

    def delete_user_skill(self, req: Request, user: str, item: str) -> Response:
        return self._unassign(user, item, "skills")

    def delete_user_language(self, req: Request, user: str, item: str) -> Response:
        return self._unassign(user, item, "languages")

    def _unassign(self, user: str, item: str, kind: str) -> Response:
        u = self.org.users.get(user)
        if u is None or u["state"] == "deleted":
            return error(404, "not.found", "The requested user could not be found.")
        u[kind].pop(item, None)
        return Response(204, None)
