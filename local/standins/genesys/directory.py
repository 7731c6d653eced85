"""The directory objects a provisioning client writes besides users: routing skills and languages,
divisions (and moving objects into one, the home division), queues with their members and wrap-up
codes, wrap-up codes, secondary presence definitions, presence sources and the org's presence
settings. Names are unique per object type (case-insensitively): creating a second one answers
409 ``general.conflict``. Deletions and changes are announced as audit events (``Org.emit_audit``).

Listings page with ``pageNumber``/``pageSize`` (queue members at most 100 a page) and filter on
``name`` (exact; Genesys also matches leading/trailing ``*`` wildcards on queues, not needed here)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import HOME_DIVISION, error, now_iso, page
from local.standins.genesys.users import body_json, malformed
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org

SECONDARY_UNDER = ("Available", "Away", "Busy", "Meal", "Training", "Meeting", "Break")
MEMBERS_MAX = 100
# audit entity types per object kind (the audit service's names; GAP for all but User: see the README)
AUDIT = {"skills": "Skill", "languages": "Language", "wrapup_codes": "WrapupCode", "queues": "Queue", "divisions": "Division"}


def _name(body: Any) -> str | None:
    if not isinstance(body, dict):
        return None
    name = str(body.get("name") or "").strip()
    return name if 0 < len(name) <= 255 else None


class DirectoryApi:
    org: Org

    RULES = (
        # routing skills and languages
        Rule("/api/v2/routing/skills", endpoint="list_skills", methods=["GET"]),
        Rule("/api/v2/routing/skills", endpoint="create_skill", methods=["POST"]),
        Rule("/api/v2/routing/skills/<item>", endpoint="one_skill", methods=["GET", "PATCH", "DELETE"]),
        Rule("/api/v2/routing/languages", endpoint="list_languages", methods=["GET"]),
        Rule("/api/v2/routing/languages", endpoint="create_language", methods=["POST"]),
        Rule("/api/v2/routing/languages/<item>", endpoint="one_language", methods=["GET", "DELETE"]),
        # divisions
        Rule("/api/v2/authorization/divisions", endpoint="list_divisions", methods=["GET"]),
        Rule("/api/v2/authorization/divisions", endpoint="create_division", methods=["POST"]),
        Rule("/api/v2/authorization/divisions/home", endpoint="home_division", methods=["GET"]),
        Rule("/api/v2/authorization/divisions/<item>", endpoint="one_division", methods=["GET", "PUT", "DELETE"]),
        Rule("/api/v2/authorization/divisions/<item>/objects/<kind>", endpoint="division_objects", methods=["POST"]),
        # wrap-up codes
        Rule("/api/v2/routing/wrapupcodes", endpoint="list_wrapups", methods=["GET"]),
        Rule("/api/v2/routing/wrapupcodes", endpoint="create_wrapup", methods=["POST"]),
        Rule("/api/v2/routing/wrapupcodes/<item>", endpoint="one_wrapup", methods=["GET", "PUT", "DELETE"]),
        # queues
        Rule("/api/v2/routing/queues", endpoint="list_queues", methods=["GET"]),
        Rule("/api/v2/routing/queues", endpoint="create_queue", methods=["POST"]),
        Rule("/api/v2/routing/queues/<item>", endpoint="one_queue", methods=["GET", "PUT", "DELETE"]),
        Rule("/api/v2/routing/queues/<item>/members", endpoint="queue_members", methods=["GET", "POST"]),
        Rule("/api/v2/routing/queues/<item>/wrapupcodes", endpoint="queue_wrapups", methods=["GET", "POST"]),
        Rule("/api/v2/routing/queues/<item>/wrapupcodes/<code>", endpoint="delete_queue_wrapup", methods=["DELETE"]),
        # secondary presences, presence sources and settings
        Rule("/api/v2/presence/definitions", endpoint="create_definition", methods=["POST"]),
        Rule("/api/v2/presence/definitions/<item>", endpoint="one_definition", methods=["GET", "PUT", "DELETE"]),
        Rule("/api/v2/presence/sources", endpoint="presence_sources", methods=["GET", "POST"]),
        Rule("/api/v2/presence/sources/<item>", endpoint="one_source", methods=["GET", "PUT", "DELETE"]),
        Rule("/api/v2/presence/settings", endpoint="presence_settings_api", methods=["GET", "PUT"]),
    )

    # -- shared: list, create, one (get/update/delete) of a named object -----------------------------

    def _list(self, req: Request, items: dict[str, dict[str, Any]], path: str) -> Response:
        name = req.query.get("name")
        found = [dict(i) for i in items.values() if name is None or i["name"].lower() == name.strip("*").lower()]
        return page(req, found, path)

    def _create(self, kind: str, fields: dict[str, Any]) -> dict[str, Any] | Response:
        """The new object, or Genesys' answer to a name in use."""
        items: dict[str, dict[str, Any]] = getattr(self.org, kind)
        if self.org.named(items, fields["name"]) is not None:
            return error(409, "general.conflict", f"An object with the name '{fields['name']}' already exists.")
        item = {"id": str(uuid.uuid4()), **fields, "dateModified": now_iso()}
        items[item["id"]] = item
        self.org.emit_audit(AUDIT[kind], item, "Create")
        return item

    @staticmethod
    def _answer(created: dict[str, Any] | Response, shape: Any = dict) -> Response:
        return created if isinstance(created, Response) else Response(200, shape(created))

    def _rename(self, kind: str, item: dict[str, Any], fields: dict[str, Any]) -> Response | None:
        other = self.org.named(getattr(self.org, kind), fields.get("name", item["name"]))
        if other is not None and other["id"] != item["id"]:
            return error(409, "general.conflict", f"An object with the name '{fields['name']}' already exists.")
        item.update(fields, dateModified=now_iso())
        self.org.emit_audit(AUDIT[kind], item, "Update", fields)
        return None

    def _delete(self, kind: str, item_id: str) -> Response:
        item = getattr(self.org, kind).pop(item_id)
        self.org.emit_audit(AUDIT[kind], item, "Delete")
        return Response(204, None)

    # -- routing skills and languages -----------------------------------------------------------------

    def list_skills(self, req: Request) -> Response:
        return self._list(req, self.org.skills, "/api/v2/routing/skills")

    def create_skill(self, req: Request) -> Response:
        name = _name(body_json(req))
        return self._answer(self._create("skills", {"name": name, "state": "active", "version": 1})) if name else malformed()

    def one_skill(self, req: Request, item: str) -> Response:
        skill = self.org.skills.get(item)
        if skill is None:
            return error(404, "not.found", "The routing skill could not be found.")
        if req.method == "DELETE":
            for u in self.org.users.values():
                u["skills"].pop(item, None)
            return self._delete("skills", item)
        if req.method == "PATCH":
            name = _name(body_json(req))
            if not name:
                return malformed()
            failed = self._rename("skills", skill, {"name": name, "version": skill["version"] + 1})
            if failed:
                return failed
        return Response(200, dict(skill))

    def list_languages(self, req: Request) -> Response:
        return self._list(req, self.org.languages, "/api/v2/routing/languages")

    def create_language(self, req: Request) -> Response:
        name = _name(body_json(req))
        return self._answer(self._create("languages", {"name": name, "state": "active", "version": 1})) if name else malformed()

    def one_language(self, req: Request, item: str) -> Response:
        language = self.org.languages.get(item)
        if language is None:
            return error(404, "not.found", "The routing language could not be found.")
        if req.method == "DELETE":
            for u in self.org.users.values():
                u["languages"].pop(item, None)
            return self._delete("languages", item)
        return Response(200, dict(language))

    # -- divisions ----------------------------------------------------------------------------------------

    def list_divisions(self, req: Request) -> Response:
        return self._list(req, self.org.divisions, "/api/v2/authorization/divisions")

    def create_division(self, req: Request) -> Response:
        body = body_json(req)
        name = _name(body)
        if not name:
            return malformed()
        return self._answer(
            self._create("divisions", {"name": name, "description": str(body.get("description") or ""), "homeDivision": False})
        )

    def home_division(self, req: Request) -> Response:
        return Response(200, dict(self.org.divisions[HOME_DIVISION]))

    def one_division(self, req: Request, item: str) -> Response:
        division = self.org.divisions.get(item)
        if division is None:
            return error(404, "not.found", "The division could not be found.")
        if req.method == "DELETE":
            if item == HOME_DIVISION:
                return error(400, "bad.request", "The home division cannot be deleted.")
            in_use = any(u["division"] == item and u["state"] != "deleted" for u in self.org.users.values()) or any(
                q["division"] == item for q in self.org.queues.values()
            )
            if in_use:
                return error(400, "bad.request", "The division still holds objects.")
            return self._delete("divisions", item)
        if req.method == "PUT":
            body = body_json(req)
            name = _name(body)
            if not name:
                return malformed()
            failed = self._rename("divisions", division, {"name": name, "description": str(body.get("description") or "")})
            if failed:
                return failed
        return Response(200, dict(division))

    def division_objects(self, req: Request, item: str, kind: str) -> Response:
        if item not in self.org.divisions:
            return error(404, "not.found", "The division could not be found.")
        ids = body_json(req)
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return malformed()
        store = {"USER": self.org.users, "QUEUE": self.org.queues, "WRAPUPCODE": self.org.wrapup_codes}.get(kind.upper())
        if store is None:
            return error(400, "bad.request", f"Objects of type {kind} cannot be moved here.")
        missing = [i for i in ids if i not in store]
        if missing:
            return error(400, "bad.request", f"{len(missing)} of the objects do not exist.")
        for i in ids:
            store[i]["division"] = item
        return Response(204, None)

    # -- wrap-up codes ----------------------------------------------------------------------------------

    def _with_division(self, item: dict[str, Any]) -> dict[str, Any]:
        return {**item, "division": self.org.division_ref(item["division"])}

    def _division_of(self, body: dict[str, Any]) -> str | None:
        division = body.get("division") or {}
        did = str(division.get("id") or "") if isinstance(division, dict) else ""
        if not did:
            return HOME_DIVISION
        return did if did in self.org.divisions else None

    def list_wrapups(self, req: Request) -> Response:
        name = req.query.get("name")
        found = [self._with_division(w) for w in self.org.wrapup_codes.values() if name is None or w["name"].lower() == name.lower()]
        return page(req, found, "/api/v2/routing/wrapupcodes")

    def create_wrapup(self, req: Request) -> Response:
        body = body_json(req)
        name = _name(body)
        if not name:
            return malformed()
        division = self._division_of(body)
        if division is None:
            return error(400, "bad.request", "The division does not exist.")
        created = self._create("wrapup_codes", {"name": name, "division": division, "description": str(body.get("description") or "")})
        return self._answer(created, self._with_division)

    def one_wrapup(self, req: Request, item: str) -> Response:
        code = self.org.wrapup_codes.get(item)
        if code is None:
            return error(404, "not.found", "The wrap-up code could not be found.")
        if req.method == "DELETE":
            for codes in self.org.queue_wrapups.values():
                if item in codes:
                    codes.remove(item)
            return self._delete("wrapup_codes", item)
        if req.method == "PUT":
            body = body_json(req)
            name = _name(body)
            if not name:
                return malformed()
            division = self._division_of(body)
            if division is None:
                return error(400, "bad.request", "The division does not exist.")
            failed = self._rename("wrapup_codes", code, {"name": name, "division": division})
            if failed:
                return failed
        return Response(200, self._with_division(code))

    # -- queues -------------------------------------------------------------------------------------------

    def _queue_body(self, q: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._with_division(q),
            "memberCount": len(self.org.queue_members.get(q["id"], {})),
            "selfUri": f"/api/v2/routing/queues/{q['id']}",
        }

    def list_queues(self, req: Request) -> Response:
        name = req.query.get("name")
        found = [self._queue_body(q) for q in self.org.queues.values() if name is None or q["name"].lower() == name.strip("*").lower()]
        return page(req, found, "/api/v2/routing/queues")

    def create_queue(self, req: Request) -> Response:
        body = body_json(req)
        name = _name(body)
        if not name:
            return malformed()
        division = self._division_of(body)
        if division is None:
            return error(400, "bad.request", "The division does not exist.")
        fields = {
            "name": name,
            "division": division,
            "description": str(body.get("description") or ""),
            "mediaSettings": body.get("mediaSettings") or {},
            "acwSettings": body.get("acwSettings") or {"wrapupPrompt": "OPTIONAL"},
            "skillEvaluationMethod": body.get("skillEvaluationMethod") or "ALL",
            "dateCreated": now_iso(),
        }
        created = self._create("queues", fields)
        if not isinstance(created, Response):
            self.org.queue_members[created["id"]], self.org.queue_wrapups[created["id"]] = {}, []
        return self._answer(created, self._queue_body)

    def one_queue(self, req: Request, item: str) -> Response:
        q = self.org.queues.get(item)
        if q is None:
            return error(404, "not.found", "The queue could not be found.")
        if req.method == "DELETE":
            self.org.queue_members.pop(item, None)
            self.org.queue_wrapups.pop(item, None)
            return self._delete("queues", item)
        if req.method == "PUT":  # a full replacement: what is not sent is reset
            body = body_json(req)
            name = _name(body)
            if not name:
                return malformed()
            division = self._division_of(body)
            if division is None:
                return error(400, "bad.request", "The division does not exist.")
            fields = {
                "name": name,
                "division": division,
                "description": str(body.get("description") or ""),
                "mediaSettings": body.get("mediaSettings") or {},
                "acwSettings": body.get("acwSettings") or {},
                "skillEvaluationMethod": body.get("skillEvaluationMethod") or "ALL",
            }
            failed = self._rename("queues", q, fields)
            if failed:
                return failed
        return Response(200, self._queue_body(q))

    def queue_members(self, req: Request, item: str) -> Response:
        if item not in self.org.queues:
            return error(404, "not.found", "The queue could not be found.")
        members = self.org.queue_members.setdefault(item, {})
        if req.method == "GET":
            return page(req, list(members.values()), f"/api/v2/routing/queues/{item}/members", max_size=MEMBERS_MAX)
        body = body_json(req)
        if not isinstance(body, list) or not all(isinstance(m, dict) and isinstance(m.get("id"), str) for m in body):
            return malformed()
        if len(body) > MEMBERS_MAX:
            return error(400, "bad.request", f"At most {MEMBERS_MAX} members may be added or removed at once.")
        if req.query.get("delete", "false").lower() == "true":
            for m in body:
                members.pop(m["id"], None)
            return Response(200, None)
        bad = [m["id"] for m in body if self.org.users.get(m["id"], {}).get("state") not in ("active", "inactive")]
        if bad:
            return error(400, "bad.request", f"{len(bad)} of the users do not exist.")
        for m in body:
            u = self.org.users[m["id"]]
            members[u["id"]] = {
                "id": u["id"],
                "name": u["name"],
                "user": {"id": u["id"], "name": u["name"]},
                "ringNumber": 1,
                "joined": False,
                "memberBy": "user",
            }
        return Response(200, None)

    def queue_wrapups(self, req: Request, item: str) -> Response:
        if item not in self.org.queues:
            return error(404, "not.found", "The queue could not be found.")
        codes = self.org.queue_wrapups.setdefault(item, [])
        if req.method == "POST":
            body = body_json(req)
            if not isinstance(body, list) or not all(isinstance(c, dict) and isinstance(c.get("id"), str) for c in body):
                return malformed()
            missing = [c["id"] for c in body if c["id"] not in self.org.wrapup_codes]
            if missing:
                return error(400, "bad.request", f"{len(missing)} of the wrap-up codes do not exist.")
            for c in body:
                if c["id"] not in codes:
                    codes.append(c["id"])
        entities = [self._with_division(self.org.wrapup_codes[c]) for c in codes if c in self.org.wrapup_codes]
        return page(req, entities, f"/api/v2/routing/queues/{item}/wrapupcodes") if req.method == "GET" else Response(200, entities)

    def delete_queue_wrapup(self, req: Request, item: str, code: str) -> Response:
        codes = self.org.queue_wrapups.get(item)
        if codes is None or code not in codes:
            return error(404, "not.found", "The queue has no such wrap-up code.")
        codes.remove(code)
        return Response(204, None)

    # -- secondary presences ------------------------------------------------------------------------

    def _definition_fields(self, body: Any) -> dict[str, Any] | Response:
        if not isinstance(body, dict) or not isinstance(body.get("languageLabels"), dict) or not body["languageLabels"].get("en_US"):
            return error(400, "bad.request", "languageLabels with en_US is required.")
        system = str(body.get("systemPresence") or "")
        if system not in SECONDARY_UNDER:
            return error(400, "bad.request", f"systemPresence must be one of {', '.join(SECONDARY_UNDER)}.")
        return {
            "languageLabels": {k: str(v) for k, v in body["languageLabels"].items()},
            "systemPresence": system,
            "deactivated": bool(body.get("deactivated", False)),
        }

    def _label_taken(self, fields: dict[str, Any], own: str = "") -> bool:
        label = fields["languageLabels"]["en_US"].lower()
        return any(
            d["id"] != own
            and d["type"] == "User"
            and d["systemPresence"] == fields["systemPresence"]
            and d["languageLabels"].get("en_US", "").lower() == label
            for d in self.org.definitions.values()
        )

    def create_definition(self, req: Request) -> Response:
        fields = self._definition_fields(body_json(req))
        if isinstance(fields, Response):
            return fields
        if self._label_taken(fields):
            return error(409, "general.conflict", "A presence with this label already exists under this system presence.")
        d = {"id": str(uuid.uuid4()), **fields, "type": "User", "divisionId": HOME_DIVISION}
        self.org.definitions[d["id"]] = d
        self.org.emit_audit("PresenceDefinition", {"id": d["id"], "name": fields["languageLabels"]["en_US"]}, "Create")
        return Response(200, dict(d))

    def one_definition(self, req: Request, item: str) -> Response:
        d = self.org.definitions.get(item)
        if d is None:
            return error(404, "not.found", "The presence definition could not be found.")
        if req.method == "GET":
            return Response(200, dict(d))
        if d["type"] == "System":
            return error(400, "bad.request", "System presences cannot be changed.")
        if req.method == "DELETE":
            del self.org.definitions[item]
            self.org.emit_audit("PresenceDefinition", {"id": item, "name": d["languageLabels"].get("en_US", "")}, "Delete")
            return Response(204, None)
        fields = self._definition_fields(body_json(req))
        if isinstance(fields, Response):
            return fields
        if self._label_taken(fields, own=item):
            return error(409, "general.conflict", "A presence with this label already exists under this system presence.")
        d.update(fields)
        self.org.emit_audit("PresenceDefinition", {"id": item, "name": fields["languageLabels"]["en_US"]}, "Update")
        return Response(200, dict(d))

    # -- presence sources and settings (one registered source per org: the external platform) ---------

    def presence_sources(self, req: Request) -> Response:
        if req.method == "GET":
            return Response(200, {"entities": list(self.org.sources.values())})
        body = body_json(req)
        name = _name(body)
        if not name:
            return error(400, "bad.request", "name is required.")
        source_id = str(uuid.uuid4())
        source: dict[str, Any] = {
            "id": source_id,
            "name": name,
            "description": str(body.get("description") or ""),
            "type": "System" if body.get("type") == "System" else "User",
            "deactivated": bool(body.get("deactivated", False)),
            "registered": True,
        }
        self.org.sources[source_id] = source
        return Response(200, dict(source))

    def one_source(self, req: Request, item: str) -> Response:
        source = self.org.sources.get(item)
        if source is None:
            return error(404, "not.found", "The presence source could not be found.")
        if req.method == "DELETE":
            del self.org.sources[item]
            return Response(204, None)
        if req.method == "PUT":
            body = body_json(req)
            if not isinstance(body, dict):
                return malformed()
            source.update({k: body[k] for k in ("name", "description", "deactivated") if k in body})
        return Response(200, dict(source))

    def presence_settings_api(self, req: Request) -> Response:
        if req.method == "PUT":
            body = body_json(req)
            if not isinstance(body, dict):
                return malformed()
            wanted = body.get("defaultPrimaryPresenceRegisteredSourceId")
            if wanted is not None and wanted not in self.org.sources:
                return error(400, "bad.request", "The presence source does not exist.")
            self.org.presence_settings["defaultPrimaryPresenceRegisteredSourceId"] = wanted
        return Response(200, dict(self.org.presence_settings))
