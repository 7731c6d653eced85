"""The integrations API: integrations, their configuration and credentials, data actions and their
drafts, publish, test and execute, as the Platform API documents them (IntegrationsApi of
Genesys' SDKs: ``Integration``, ``IntegrationConfiguration``, ``Credential``, ``PostActionInput``,
``UpdateDraftInput``, ``PublishDraftInput``, ``TestExecutionResult``).

What it holds to, besides the shapes: listings page (``pageSize``/``pageNumber``) and leave out
contracts (``GET .../actions/{id}?expand=contract`` has them) and configs (``includeConfig``);
credentials read back redacted; versions guard every update (409 on a stale one); the contract
rules of the help center (flat primitive inputs, property names, reserved names, no ``$ref``, no
nested arrays in outputs, timeout 1-60 s); action names unique in the organization; **a published
action's contract and ``secure`` flag never change** (a draft of it that tries is refused); an
integration type's instance limit.

Test and execute run the action as Genesys does: the input against the input contract, the request
template (``${input.rawRequest}`` or Velocity, by airspeed), the call (AWS Lambda: the local
function through ``lambda_invoker``, the input object as its event and a raised error as the
failure path, reported like Genesys' ``ACTION.REMOTE_ENDPOINT`` 500; web services: an HTTP request
with the credential), the translation map (JSONPath, by jsonpath-ng) and success template, and the
output against the success schema (jsonschema, draft 4). Operation names and failure texts are
this stand-in's wording in Genesys' shapes. Secure actions never show their request.

Faults for tests: ``app.integrations.inject("ix_publish_draft", status=503, after=2)``.
"""

from __future__ import annotations

import base64
import copy
import json
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule

from local.standins.genesys.org import error, now_iso, page
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org

BASE = "/api/v2/integrations"
# Integration types: display name, credential slots with the credential types each takes, the
# most instances an organization may have (help center: 10 Lambda, 50 web services).
TYPES: dict[str, dict[str, Any]] = {
    "aws-lambda-data-actions": {"name": "AWS Lambda", "slots": {"AmazonWebServicesARN": ("amazonWebServicesARN",)}, "max": 10},
    "custom-rest-actions": {
        "name": "Web Services Data Actions",
        "slots": {"basicAuth": ("basicAuth", "userDefined", "userDefinedOAuth")},
        "max": 50,
    },
    "purecloud-data-actions": {
        "name": "Genesys Cloud Data Actions",
        "slots": {"pureCloudOAuthClient": ("pureCloudOAuthClient",)},
        "max": 10,
    },
}
CREDENTIAL_FIELDS = {
    "amazonWebServicesARN": ("ARN",),
    "basicAuth": ("userName", "password"),
    "userDefined": (),
    "userDefinedOAuth": (),
    "pureCloudOAuthClient": ("clientId", "clientSecret"),
}
ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]+$")
INPUT_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9_-]*$")
RESERVED_INPUTS = {"orgId", "integrationId", "rawRequest"}
PRIMITIVES = {"string", "integer", "number", "boolean", "null"}
REQUEST_TYPES = {"GET", "PUT", "POST", "PATCH", "DELETE"}

LambdaInvoker = Callable[[str, Any, str], tuple[bool, Any]]  # (function ARN, event, correlation id) -> (ok, payload)


@dataclass
class Fault:
    endpoint: str
    status: int
    after: int  # matching calls let through first
    times: int  # then this many fail


@dataclass
class IntegrationsState:
    integrations: dict[str, dict[str, Any]] = field(default_factory=dict)
    configs: dict[str, dict[str, Any]] = field(default_factory=dict)
    credentials: dict[str, dict[str, Any]] = field(default_factory=dict)
    actions: dict[str, dict[str, Any]] = field(default_factory=dict)  # published
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    lambda_invoker: LambdaInvoker | None = None
    executions: list[dict[str, Any]] = field(default_factory=list)  # (action id, kind, success) of each test/execute

    def inject(self, endpoint: str, status: int = 503, after: int = 0, times: int = 1) -> None:
        """Fail the ``endpoint`` handler's calls ``after+1`` .. ``after+times`` with ``status``."""
        self.faults.append(Fault(endpoint, status, after, times))


def _faulty(fn: Callable[..., Response]) -> Callable[..., Response]:
    """Let an injected fault answer instead of the handler (the org is left untouched)."""

    def wrapper(self: IntegrationsApi, req: Request, **kwargs: Any) -> Response:
        for fault in self.integrations.faults:
            if fault.endpoint == fn.__name__ and fault.times > 0:
                if fault.after > 0:
                    fault.after -= 1
                    continue
                fault.times -= 1
                return error(fault.status, "service.unavailable" if fault.status >= 500 else "bad.request", "Injected fault.")
        return fn(self, req, **kwargs)

    wrapper.__name__ = fn.__name__
    return wrapper


def _bad(message: str, code: str = "bad.request") -> Response:
    return error(400, code, message)


def _not_found(what: str) -> Response:
    return error(404, "not.found", f"{what} not found.")


class IntegrationsApi:
    org: Org
    _lock: threading.Lock

    RULES = (
        Rule(BASE, endpoint="ix_list_integrations", methods=["GET"]),
        Rule(BASE, endpoint="ix_create_integration", methods=["POST"]),
        Rule(f"{BASE}/credentials", endpoint="ix_list_credentials", methods=["GET"]),
        Rule(f"{BASE}/credentials", endpoint="ix_create_credential", methods=["POST"]),
        Rule(f"{BASE}/credentials/<cid>", endpoint="ix_get_credential", methods=["GET"]),
        Rule(f"{BASE}/credentials/<cid>", endpoint="ix_put_credential", methods=["PUT"]),
        Rule(f"{BASE}/credentials/<cid>", endpoint="ix_delete_credential", methods=["DELETE"]),
        Rule(f"{BASE}/actions", endpoint="ix_list_actions", methods=["GET"]),
        Rule(f"{BASE}/actions", endpoint="ix_create_action", methods=["POST"]),
        Rule(f"{BASE}/actions/drafts", endpoint="ix_list_drafts", methods=["GET"]),
        Rule(f"{BASE}/actions/drafts", endpoint="ix_create_draft", methods=["POST"]),
        Rule(f"{BASE}/actions/<aid>", endpoint="ix_get_action", methods=["GET"]),
        Rule(f"{BASE}/actions/<aid>", endpoint="ix_patch_action", methods=["PATCH"]),
        Rule(f"{BASE}/actions/<aid>", endpoint="ix_delete_action", methods=["DELETE"]),
        Rule(f"{BASE}/actions/<aid>/draft", endpoint="ix_get_draft", methods=["GET"]),
        Rule(f"{BASE}/actions/<aid>/draft", endpoint="ix_draft_from_action", methods=["POST"]),
        Rule(f"{BASE}/actions/<aid>/draft", endpoint="ix_patch_draft", methods=["PATCH"]),
        Rule(f"{BASE}/actions/<aid>/draft", endpoint="ix_delete_draft", methods=["DELETE"]),
        Rule(f"{BASE}/actions/<aid>/draft/publish", endpoint="ix_publish_draft", methods=["POST"]),
        Rule(f"{BASE}/actions/<aid>/draft/test", endpoint="ix_test_draft", methods=["POST"]),
        Rule(f"{BASE}/actions/<aid>/test", endpoint="ix_test_action", methods=["POST"]),
        Rule(f"{BASE}/actions/<aid>/execute", endpoint="ix_execute_action", methods=["POST"]),
        Rule(f"{BASE}/<iid>", endpoint="ix_get_integration", methods=["GET"]),
        Rule(f"{BASE}/<iid>", endpoint="ix_patch_integration", methods=["PATCH"]),
        Rule(f"{BASE}/<iid>", endpoint="ix_delete_integration", methods=["DELETE"]),
        Rule(f"{BASE}/<iid>/config/current", endpoint="ix_get_config", methods=["GET"]),
        Rule(f"{BASE}/<iid>/config/current", endpoint="ix_put_config", methods=["PUT"]),
    )

    @property
    def integrations(self) -> IntegrationsState:
        """This area's data (created on first use: the app's constructor belongs to every area)."""
        state = self.__dict__.get("_integrations_state")
        if state is None:
            state = self.__dict__["_integrations_state"] = IntegrationsState()
        return state

    # -- integrations ----------------------------------------------------------------------------

    def _integration_body(self, iid: str) -> dict[str, Any]:
        i = self.integrations.integrations[iid]
        config = self.integrations.configs[iid]
        ok = i["intendedState"] == "ENABLED" and self._credentials_complete(iid)
        code = "ACTIVE" if ok else ("ERROR" if i["intendedState"] == "ENABLED" else "INACTIVE")
        return {
            **i,
            "name": config["name"],
            "notes": config["notes"],
            "reportedState": {"code": code, "effective": code.title(), "lastUpdated": i["modifiedDate"]},
            "config": {
                "current": {"id": iid, "name": config["name"], "version": config["version"], "selfUri": f"{BASE}/{iid}/config/current"}
            },
        }

    def _credentials_complete(self, iid: str) -> bool:
        slots = TYPES[self.integrations.integrations[iid]["integrationType"]["id"]]["slots"]
        creds = self.integrations.configs[iid]["credentials"]
        return all(slot in creds for slot in slots)

    @_faulty
    def ix_list_integrations(self, req: Request) -> Response:
        wanted = req.query.get("integrationType")
        items = [
            self._integration_body(i)
            for i, v in self.integrations.integrations.items()
            if not wanted or v["integrationType"]["id"] == wanted
        ]
        return page(req, items, BASE, max_size=100)

    @_faulty
    def ix_create_integration(self, req: Request) -> Response:
        body = _body(req)
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        type_id = (body.get("integrationType") or {}).get("id")
        if type_id not in TYPES:
            return _bad(f"Unknown integration type {type_id!r}.", "invalid.value")
        count = sum(i["integrationType"]["id"] == type_id for i in self.integrations.integrations.values())
        if count >= TYPES[type_id]["max"]:
            return _bad(f"The organization already has the maximum of {TYPES[type_id]['max']} {type_id} integrations.", "limit.exceeded")
        iid = str(uuid.uuid4())
        name = str(body.get("name") or TYPES[type_id]["name"])
        self.integrations.integrations[iid] = {
            "id": iid,
            "integrationType": {"id": type_id, "name": TYPES[type_id]["name"], "selfUri": f"{BASE}/types/{type_id}"},
            "intendedState": "DISABLED",
            "attributes": {},
            "modifiedDate": now_iso(),
            "selfUri": f"{BASE}/{iid}",
        }
        self.integrations.configs[iid] = {"name": name, "version": 1, "properties": {}, "advanced": {}, "notes": "", "credentials": {}}
        return Response(200, self._integration_body(iid))

    @_faulty
    def ix_get_integration(self, req: Request, iid: str) -> Response:
        if iid not in self.integrations.integrations:
            return _not_found("Integration")
        return Response(200, self._integration_body(iid))

    @_faulty
    def ix_patch_integration(self, req: Request, iid: str) -> Response:
        if iid not in self.integrations.integrations:
            return _not_found("Integration")
        body = _body(req)
        state = body.get("intendedState") if isinstance(body, dict) else None
        if state not in ("ENABLED", "DISABLED"):
            return _bad("intendedState must be ENABLED or DISABLED.", "invalid.value")
        self.integrations.integrations[iid].update(intendedState=state, modifiedDate=now_iso())
        return Response(200, self._integration_body(iid))

    @_faulty
    def ix_delete_integration(self, req: Request, iid: str) -> Response:
        if iid not in self.integrations.integrations:
            return _not_found("Integration")
        body = self._integration_body(iid)
        del self.integrations.integrations[iid], self.integrations.configs[iid]
        for store in (self.integrations.actions, self.integrations.drafts):
            for aid in [a for a, v in store.items() if v["integrationId"] == iid]:
                del store[aid]
        return Response(200, body)

    @_faulty
    def ix_get_config(self, req: Request, iid: str) -> Response:
        if iid not in self.integrations.integrations:
            return _not_found("Integration")
        return Response(200, self._config_body(iid))

    def _config_body(self, iid: str) -> dict[str, Any]:
        c = self.integrations.configs[iid]
        creds = {}
        for slot, cid in c["credentials"].items():
            cred = self.integrations.credentials.get(cid)
            if cred is not None:
                creds[slot] = {"id": cid, "name": cred["name"], "type": {"name": cred["type"]}, "selfUri": f"{BASE}/credentials/{cid}"}
        return {**copy.deepcopy(c), "id": iid, "credentials": creds, "selfUri": f"{BASE}/{iid}/config/current"}

    @_faulty
    def ix_put_config(self, req: Request, iid: str) -> Response:
        if iid not in self.integrations.integrations:
            return _not_found("Integration")
        body = _body(req)
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        current = self.integrations.configs[iid]
        if body.get("version") != current["version"]:
            return error(409, "conflict", "The configuration version does not match the current version; read it again and retry.")
        slots = TYPES[self.integrations.integrations[iid]["integrationType"]["id"]]["slots"]
        creds: dict[str, str] = {}
        for slot, ref in (body.get("credentials") or {}).items():
            cid = (ref or {}).get("id") if isinstance(ref, dict) else None
            cred = self.integrations.credentials.get(cid or "")
            if slot not in slots:
                return _bad(
                    f"Credential {slot!r} is not a credential of this integration type (it takes {', '.join(slots)}).", "invalid.value"
                )
            if cred is None:
                return _bad(f"Credential {slot!r} refers to no credential.", "invalid.value")
            if cred["type"] not in slots[slot]:
                return _bad(f"Credential {slot!r} must be of type {' or '.join(slots[slot])}.", "invalid.value")
            creds[slot] = str(cid)
        for key in ("properties", "advanced"):
            if not isinstance(body.get(key, {}), dict):
                return _bad(f"{key} must be a JSON object.", "invalid.value")
        self.integrations.configs[iid] = {
            "name": str(body.get("name") or current["name"]),
            "version": current["version"] + 1,
            "properties": body.get("properties") or {},
            "advanced": body.get("advanced") or {},
            "notes": str(body.get("notes") or ""),
            "credentials": creds,
        }
        self.integrations.integrations[iid]["modifiedDate"] = now_iso()
        return Response(200, self._config_body(iid))

    # -- credentials -----------------------------------------------------------------------------

    def _credential_info(self, cid: str) -> dict[str, Any]:
        c = self.integrations.credentials[cid]
        return {
            "id": cid,
            "name": c["name"],
            "type": {"name": c["type"]},
            "createdDate": c["createdDate"],
            "modifiedDate": c["modifiedDate"],
            "selfUri": f"{BASE}/credentials/{cid}",
        }

    def _credential_from(self, body: Any) -> dict[str, Any] | Response:
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        ctype = (body.get("type") or {}).get("name") if isinstance(body.get("type"), dict) else None
        if ctype not in CREDENTIAL_FIELDS:
            return _bad(f"Unknown credential type {ctype!r}.", "invalid.value")
        fields = body.get("credentialFields") or {}
        if not isinstance(fields, dict) or not all(isinstance(v, str) for v in fields.values()):
            return _bad("credentialFields must map names to strings.", "invalid.value")
        missing = [f for f in CREDENTIAL_FIELDS[ctype] if not fields.get(f)]
        if missing:
            return _bad(f"Credential type {ctype} requires {', '.join(missing)}.", "invalid.value")
        if ctype == "amazonWebServicesARN" and not ROLE_ARN.match(fields["ARN"]):
            return _bad("ARN must be an IAM role ARN (arn:aws:iam::<account>:role/<name>).", "invalid.value")
        return {"name": str(body.get("name") or ctype), "type": ctype, "fields": dict(fields)}

    @_faulty
    def ix_list_credentials(self, req: Request) -> Response:
        return page(req, [self._credential_info(c) for c in self.integrations.credentials], f"{BASE}/credentials", max_size=100)

    @_faulty
    def ix_create_credential(self, req: Request) -> Response:
        made = self._credential_from(_body(req))
        if isinstance(made, Response):
            return made
        cid = str(uuid.uuid4())
        self.integrations.credentials[cid] = {**made, "createdDate": now_iso(), "modifiedDate": now_iso()}
        return Response(200, self._credential_info(cid))

    @_faulty
    def ix_get_credential(self, req: Request, cid: str) -> Response:
        if cid not in self.integrations.credentials:
            return _not_found("Credential")
        c = self.integrations.credentials[cid]
        redacted = dict.fromkeys(c["fields"], "********")  # Genesys reads credentials back with sensitive fields redacted
        return Response(200, {**self._credential_info(cid), "credentialFields": redacted})

    @_faulty
    def ix_put_credential(self, req: Request, cid: str) -> Response:
        if cid not in self.integrations.credentials:
            return _not_found("Credential")
        made = self._credential_from(_body(req))
        if isinstance(made, Response):
            return made
        self.integrations.credentials[cid].update(**made, modifiedDate=now_iso())
        return Response(200, self._credential_info(cid))

    @_faulty
    def ix_delete_credential(self, req: Request, cid: str) -> Response:
        if cid not in self.integrations.credentials:
            return _not_found("Credential")
        if any(cid in c["credentials"].values() for c in self.integrations.configs.values()):
            return error(409, "conflict", "The credential is used by an integration.")
        del self.integrations.credentials[cid]
        return Response(204)

    # -- actions and drafts ----------------------------------------------------------------------

    def _action_body(self, a: dict[str, Any], *, config: bool = True, contract: bool = True) -> dict[str, Any]:
        out = {k: a[k] for k in ("id", "name", "category", "integrationId", "secure", "version")}
        out["selfUri"] = f"{BASE}/actions/{a['id']}"
        if config:
            out["config"] = copy.deepcopy(a["config"])
        if contract:
            out["contract"] = copy.deepcopy(a["contract"])
        return out

    def _asked(self, a: dict[str, Any], req: Request) -> dict[str, Any]:
        """A single action as a GET asks for it: config with includeConfig=true, contract with expand=contract."""
        return self._action_body(a, config=req.query.get("includeConfig") == "true", contract=req.query.get("expand") == "contract")

    def _listing(self, req: Request, store: dict[str, dict[str, Any]], path: str) -> Response:
        q = req.query
        items = list(store.values())
        if q.get("category"):
            items = [a for a in items if a["category"] == q["category"]]
        if q.get("name"):
            items = [a for a in items if q["name"].lower() in a["name"].lower()]
        if q.get("ids"):
            ids = set(q["ids"].split(",")[:50])
            items = [a for a in items if a["id"] in ids]
        if q.get("secure") in ("true", "false"):
            items = [a for a in items if a["secure"] == (q["secure"] == "true")]
        if q.get("sortBy") == "name":
            items.sort(key=lambda a: a["name"], reverse=q.get("sortOrder", "asc").lower() == "desc")
        with_config = req.query.get("includeConfig") == "true"
        return page(req, [self._action_body(a, config=with_config, contract=False) for a in items], path, max_size=500)

    def _validate_action(self, body: dict[str, Any], *, partial: bool = False, own_id: str | None = None) -> Response | None:
        """Genesys' checks on PostActionInput / UpdateDraftInput."""
        required = () if partial else ("name", "category", "integrationId", "config", "contract")
        missing = [k for k in required if not body.get(k)]
        if missing:
            return _bad(f"Missing required field(s): {', '.join(missing)}.", "invalid.value")
        for key in ("name", "category"):
            if key in body and (not isinstance(body[key], str) or not 0 < len(body[key]) <= 256):
                return _bad(f"{key} must be 1 to 256 characters.", "invalid.value")
        if "integrationId" in body and body["integrationId"] not in self.integrations.integrations:
            return _bad("integrationId does not name an integration of this organization.", "invalid.value")
        if "name" in body:
            for store in (self.integrations.actions, self.integrations.drafts):
                for other in store.values():
                    if other["name"] == body["name"] and other["id"] != own_id:
                        return _bad(f"An action named {body['name']!r} already exists.", "duplicate.value")
        if "config" in body:
            problem = _config_problem(body["config"])
            if problem:
                return _bad(problem, "invalid.value")
        if "contract" in body:
            problem = _contract_problem(body["contract"])
            if problem:
                return _bad(problem, "invalid.value")
        if "secure" in body and not isinstance(body["secure"], bool):
            return _bad("secure must be a boolean.", "invalid.value")
        return None

    def _new_entity(self, body: dict[str, Any], aid: str | None = None) -> dict[str, Any]:
        return {
            "id": aid or str(uuid.uuid4()),
            "name": body["name"],
            "category": body["category"],
            "integrationId": body["integrationId"],
            "secure": bool(body.get("secure", False)),
            "config": copy.deepcopy(body["config"]),
            "contract": copy.deepcopy(body["contract"]),
            "version": 1,
        }

    @_faulty
    def ix_list_actions(self, req: Request) -> Response:
        return self._listing(req, self.integrations.actions, f"{BASE}/actions")

    @_faulty
    def ix_list_drafts(self, req: Request) -> Response:
        return self._listing(req, self.integrations.drafts, f"{BASE}/actions/drafts")

    def _ix_create(self, req: Request, into: dict[str, dict[str, Any]]) -> Response:
        """A new action or draft (the same body and checks for both)."""
        body = _body(req)
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        problem = self._validate_action(body)
        if problem is not None:
            return problem
        entity = self._new_entity(body)
        into[entity["id"]] = entity
        return Response(200, self._action_body(entity))

    @_faulty
    def ix_create_action(self, req: Request) -> Response:
        return self._ix_create(req, self.integrations.actions)

    @_faulty
    def ix_create_draft(self, req: Request) -> Response:
        return self._ix_create(req, self.integrations.drafts)

    @_faulty
    def ix_get_action(self, req: Request, aid: str) -> Response:
        a = self.integrations.actions.get(aid)
        return _not_found("Action") if a is None else Response(200, self._asked(a, req))

    @_faulty
    def ix_get_draft(self, req: Request, aid: str) -> Response:
        d = self.integrations.drafts.get(aid)
        return _not_found("Draft") if d is None else Response(200, self._asked(d, req))

    @_faulty
    def ix_patch_action(self, req: Request, aid: str) -> Response:
        a = self.integrations.actions.get(aid)
        if a is None:
            return _not_found("Action")
        body = _body(req)
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        if body.get("version") != a["version"]:
            return error(409, "conflict", "The action version does not match the current version.")
        if "contract" in body or "secure" in body:
            return _bad("A published action's contract and secure flag cannot be changed.", "invalid.value")
        update = {k: body[k] for k in ("name", "category", "config") if k in body}
        problem = self._validate_action(update, partial=True, own_id=aid)
        if problem is not None:
            return problem
        a.update(copy.deepcopy(update), version=a["version"] + 1)
        return Response(200, self._action_body(a, contract=False))

    @_faulty
    def ix_delete_action(self, req: Request, aid: str) -> Response:
        if aid not in self.integrations.actions:
            return _not_found("Action")
        del self.integrations.actions[aid]
        self.integrations.drafts.pop(aid, None)
        return Response(204)

    @_faulty
    def ix_draft_from_action(self, req: Request, aid: str) -> Response:
        a = self.integrations.actions.get(aid)
        if a is None:
            return _not_found("Action")
        if aid in self.integrations.drafts:
            return error(409, "conflict", "The action already has a draft.")
        d = {**copy.deepcopy(a), "version": 1}
        self.integrations.drafts[aid] = d
        return Response(200, self._action_body(d))

    @_faulty
    def ix_patch_draft(self, req: Request, aid: str) -> Response:
        d = self.integrations.drafts.get(aid)
        if d is None:
            return _not_found("Draft")
        body = _body(req)
        if not isinstance(body, dict):
            return _bad("The request body must be a JSON object.")
        if body.get("version") != d["version"]:
            return error(409, "conflict", "The draft version does not match the current version.")
        update = {k: body[k] for k in ("name", "category", "config", "contract", "secure") if k in body}
        problem = self._validate_action(update, partial=True, own_id=aid) or self._immutable(aid, update)
        if problem is not None:
            return problem
        d.update(copy.deepcopy(update), version=d["version"] + 1)
        return Response(200, self._action_body(d))

    def _immutable(self, aid: str, update: dict[str, Any]) -> Response | None:
        """Genesys: the contract of a published action cannot change (nor whether it is secure)."""
        published = self.integrations.actions.get(aid)
        if published is None:
            return None
        if "contract" in update and update["contract"] != published["contract"]:
            return _bad("The contract of a published action cannot be changed; create a new action for the new contract.", "invalid.value")
        if "secure" in update and bool(update["secure"]) != published["secure"]:
            return _bad("Whether a published action is secure cannot be changed; create a new action.", "invalid.value")
        return None

    @_faulty
    def ix_delete_draft(self, req: Request, aid: str) -> Response:
        if aid not in self.integrations.drafts:
            return _not_found("Draft")
        del self.integrations.drafts[aid]
        return Response(204)

    @_faulty
    def ix_publish_draft(self, req: Request, aid: str) -> Response:
        d = self.integrations.drafts.get(aid)
        if d is None:
            return _not_found("Draft")
        body = _body(req)
        if not isinstance(body, dict) or body.get("version") != d["version"]:
            return error(409, "conflict", "The draft version does not match the current version.")
        problem = self._immutable(aid, d) or self._validate_action(d, own_id=aid)
        if problem is not None:
            return problem
        old = self.integrations.actions.get(aid)
        published = {**copy.deepcopy(d), "version": (old["version"] + 1) if old else 1}
        self.integrations.actions[aid] = published
        del self.integrations.drafts[aid]
        return Response(200, self._action_body(published))

    # -- test and execute ------------------------------------------------------------------------

    @_faulty
    def ix_test_action(self, req: Request, aid: str) -> Response:
        a = self.integrations.actions.get(aid)
        return _not_found("Action") if a is None else self._test(req, a, "test")

    @_faulty
    def ix_test_draft(self, req: Request, aid: str) -> Response:
        d = self.integrations.drafts.get(aid)
        return _not_found("Draft") if d is None else self._test(req, d, "draft test")

    @_faulty
    def ix_execute_action(self, req: Request, aid: str) -> Response:
        a = self.integrations.actions.get(aid)
        if a is None:
            return _not_found("Action")
        result = self._run(req, a, "execute")
        if result["success"]:
            return Response(200, result["finalResult"])
        err = result["error"]
        return Response(err["status"], err)

    def _test(self, req: Request, entity: dict[str, Any], kind: str) -> Response:
        return Response(200, self._run(req, entity, kind))

    @contextmanager
    def _unlocked(self) -> Iterator[None]:
        """Let go of the organization while a function runs: it may call this very server (the
        Genesys lookups do); the running action is a copy."""
        self._lock.release()
        try:
            yield
        finally:
            self._lock.acquire()

    def _run(self, req: Request, entity: dict[str, Any], kind: str) -> dict[str, Any]:
        action = copy.deepcopy(entity)
        inputs = _body(req)
        flatten = req.query.get("flatten") == "true"
        run = _Run(action)
        result = run.execute(self, inputs, flatten)
        self.integrations.executions.append({"id": action["id"], "kind": kind, "success": result["success"]})
        return result


class _Run:
    """One execution of an action, step by step (the test endpoint shows every step)."""

    def __init__(self, action: dict[str, Any]) -> None:
        self.action = action
        self.operations: list[dict[str, Any]] = []
        self.secure = bool(action.get("secure"))

    def step(self, name: str, result: Any = None, problem: dict[str, Any] | None = None) -> None:
        entry: dict[str, Any] = {"step": len(self.operations) + 1, "name": name, "success": problem is None}
        if result is not None:
            entry["result"] = result
        if problem is not None:
            entry["error"] = problem
        self.operations.append(entry)

    def fail(self, name: str, problem: dict[str, Any]) -> dict[str, Any]:
        self.step(name, problem=problem)
        return {"operations": self.operations, "error": problem, "success": False}

    def execute(self, api: IntegrationsApi, inputs: Any, flatten: bool) -> dict[str, Any]:
        from jsonschema import Draft4Validator  # type: ignore[import-untyped]

        state = api.integrations
        integration = state.integrations.get(self.action["integrationId"])
        if integration is None or integration["intendedState"] != "ENABLED" or not api._credentials_complete(self.action["integrationId"]):
            return self.fail(
                "Check the integration",
                _error_body(400, "bad.request", "The action's integration is not active (or lacks its credential)."),
            )
        self.step("Check the integration", {"integrationId": self.action["integrationId"], "state": "ACTIVE"})
        contract = self.action["contract"]
        if not isinstance(inputs, dict):
            return self.fail(
                "Validate input against the input contract", _error_body(400, "bad.request", "The input must be a JSON object.")
            )
        problems = sorted(Draft4Validator(contract["input"]["inputSchema"]).iter_errors(inputs), key=lambda e: list(e.path))
        if problems:
            return self.fail(
                "Validate input against the input contract", _error_body(400, "bad.request", _schema_message("input", problems))
            )
        self.step("Validate input against the input contract", {"valid": True})
        request = self.action["config"].get("request") or {}
        config = state.configs[self.action["integrationId"]]
        credential = next((state.credentials[c] for c in config["credentials"].values() if c in state.credentials), None)
        context = _velocity_context(inputs, credential)
        try:
            body_text = _render(request.get("requestTemplate") or "${input.rawRequest}", context)
            url = _render(request.get("requestUrlTemplate") or "", context)
        except Exception as exc:  # a template error is the action's own failure
            return self.fail("Resolve request templates", _error_body(400, "bad.request", f"Velocity template error: {type(exc).__name__}"))
        self.step("Resolve request templates", {"requestUrl": url, "body": "(secure action: not shown)" if self.secure else body_text})
        type_id = integration["integrationType"]["id"]
        if type_id == "aws-lambda-data-actions":
            outcome = self._invoke_lambda(api, url, body_text)
        else:
            outcome = self._call_web_service(api, request, url, body_text, context, credential)
        if isinstance(outcome, dict) and outcome.get("__error__"):
            return self.fail(outcome["step"], outcome["error"])
        name, raw = outcome
        self.step(name, {"statusCode": 200} if self.secure else {"statusCode": 200, "body": raw})
        try:
            output = _transform(self.action["config"].get("response") or {}, raw)
        except (ValueError, TypeError) as exc:
            return self.fail(
                "Apply output transforms (translation map, success template)",
                _error_body(500, "internal.server.error", f"The response could not be transformed: {exc}"),
            )
        self.step("Apply output transforms (translation map, success template)", output if not self.secure else {"transformed": True})
        problems = sorted(Draft4Validator(contract["output"]["successSchema"]).iter_errors(output), key=lambda e: list(e.path))
        if problems:
            return self.fail(
                "Validate output against the success schema", _error_body(500, "internal.server.error", _schema_message("output", problems))
            )
        self.step("Validate output against the success schema", {"valid": True})
        return {"operations": self.operations, "finalResult": _flatten(output) if flatten else output, "success": True}

    def _invoke_lambda(self, api: IntegrationsApi, arn: str, body_text: str) -> Any:
        invoker = api.integrations.lambda_invoker
        step = "Invoke the AWS Lambda function"
        if invoker is None:
            return {"__error__": True, "step": step, "error": _remote("No function is reachable from this local organization.")}
        try:
            event = json.loads(body_text)
        except ValueError:
            return {"__error__": True, "step": step, "error": _error_body(400, "bad.request", "The request template did not render JSON.")}
        with api._unlocked():
            ok, payload = invoker(arn, event, str(uuid.uuid4()))
        if ok:
            return step, payload
        if isinstance(payload, dict) and "errorType" in payload:
            trace = json.dumps(payload.get("stackTrace") or [])
            message = (
                "REST call for action execute failed. Message: Invoked function failed. Function execution failed with error "
                f"Type: Unhandled; Message: errorType:{payload['errorType']}, errorMessage:{payload.get('errorMessage', '')}, trace:{trace}"
            )
        else:
            message = f"REST call for action execute failed. Message: {payload}"
        return {"__error__": True, "step": step, "error": _remote(message)}

    def _call_web_service(
        self, api: IntegrationsApi, request: dict[str, Any], url: str, body_text: str, context: dict[str, Any], credential: Any
    ) -> Any:
        import httpx

        step = "Execute the request"
        headers = {k: _render(v, context) for k, v in (request.get("headers") or {}).items() if k.lower() != "transfer-encoding"}
        if credential is not None and credential["type"] == "basicAuth":
            token = base64.b64encode(f"{credential['fields']['userName']}:{credential['fields']['password']}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        method = request.get("requestType", "POST")
        with api._unlocked():
            try:
                resp = httpx.request(method, url, content=None if method == "GET" else body_text.encode(), headers=headers, timeout=30)
            except httpx.HTTPError as exc:
                return {
                    "__error__": True,
                    "step": step,
                    "error": _remote(f"REST call for action execute failed. Message: {type(exc).__name__}"),
                }
        if resp.status_code >= 300:
            text = "(secure action: not shown)" if self.secure else resp.text[:1000]
            return {
                "__error__": True,
                "step": step,
                "error": _error_body(
                    resp.status_code if resp.status_code >= 400 else 500,
                    "bad.request" if resp.status_code < 500 else "internal.server.error",
                    f"REST call for action execute failed. Message: Request to backend service failed. Response from web service: {text}",
                    "ACTION.REMOTE_ENDPOINT",
                ),
            }
        try:
            return step, resp.json()
        except ValueError:
            return {"__error__": True, "step": step, "error": _remote("The web service did not answer JSON.")}


# -- rules ---------------------------------------------------------------------------------------


def _config_problem(config: Any) -> str | None:
    if not isinstance(config, dict):
        return "config must be a JSON object."
    timeout = config.get("timeoutSeconds")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, int) or not 1 <= timeout <= 60):
        return "config.timeoutSeconds must be 1 to 60."
    request = config.get("request") or {}
    if request.get("requestType", "POST") not in REQUEST_TYPES:
        return f"config.request.requestType must be one of {', '.join(sorted(REQUEST_TYPES))}."
    if not isinstance(request.get("headers", {}), dict):
        return "config.request.headers must map names to values."
    return None


def _contract_problem(contract: Any) -> str | None:
    """The help center's contract rules (add contracts to custom actions)."""
    try:
        inp = contract["input"]["inputSchema"]
        out = contract["output"]["successSchema"]
    except (KeyError, TypeError):
        return "contract must have input.inputSchema and output.successSchema."
    if "$ref" in json.dumps(contract):
        return "Contracts do not support $ref."
    props = inp.get("properties") if isinstance(inp, dict) else None
    if not isinstance(inp, dict) or inp.get("type") != "object" or not isinstance(props or {}, dict):
        return "Failed Validation of contract.input.inputSchema as a simple properties schema. Must be an Object with properties and no sub-objects"
    for name, prop in (props or {}).items():
        types = prop.get("type") if isinstance(prop, dict) else None
        types = types if isinstance(types, list) else [types]
        if not set(types) <= PRIMITIVES:
            return "Failed Validation of contract.input.inputSchema as a simple properties schema. Must be an Object with properties and no sub-objects"
        if not INPUT_NAME.match(name):
            return f"Input property {name!r} must start with a letter and use letters, digits, - or _."
        if name in RESERVED_INPUTS:
            return f"Input property {name!r} is a reserved name."
    if not isinstance(out, dict):
        return "contract.output.successSchema must be a JSON schema object."
    if _nested_array(out):
        return "The output contract does not support nested arrays."
    return None


def _nested_array(node: Any) -> bool:
    if not isinstance(node, dict):
        return False
    items = node.get("items")
    if node.get("type") == "array" and isinstance(items, dict) and items.get("type") == "array":
        return True
    children = list((node.get("properties") or {}).values()) + ([items] if isinstance(items, dict) else [])
    return any(_nested_array(c) for c in children)


# -- execution helpers ---------------------------------------------------------------------------


class _Esc:
    """Genesys' ``$esc`` tool."""

    def jsonString(self, value: Any) -> str:  # noqa: N802 (Genesys' name)
        return json.dumps(str(value))[1:-1]

    def url(self, value: Any) -> str:
        from urllib.parse import quote

        return quote(str(value), safe="")


class _JavaBoolean:
    def __init__(self, value: bool) -> None:
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __str__(self) -> str:
        return "true" if self.value else "false"


def _velocity_context(inputs: dict[str, Any], credential: dict[str, Any] | None) -> dict[str, Any]:
    values: dict[str, Any] = {k: _JavaBoolean(v) if isinstance(v, bool) else v for k, v in inputs.items()}
    values["rawRequest"] = json.dumps(inputs)
    return {"input": values, "esc": _Esc(), "credentials": dict((credential or {}).get("fields") or {})}


def _render(template: str, context: dict[str, Any]) -> str:
    import airspeed

    return str(airspeed.Template(template).merge(context))


def _transform(response: dict[str, Any], raw: Any) -> Any:
    """Translation map (JSONPath over the raw result; defaults when a path finds nothing), then the
    success template with ``${rawResult}`` and each mapped name as JSON."""
    import jsonpath_ng

    values: dict[str, Any] = {"rawResult": json.dumps(raw)}
    defaults = response.get("translationMapDefaults") or {}
    for name, path in (response.get("translationMap") or {}).items():
        found = [m.value for m in jsonpath_ng.parse(path).find(raw)]
        if found:
            values[name] = json.dumps(found[0] if len(found) == 1 and not path.count("..") else found)
        elif name in defaults:
            values[name] = defaults[name]
        else:
            raise ValueError(f"translation map {name!r}: path found nothing and has no default")
    text = _render(response.get("successTemplate") or "${rawResult}", values)
    return json.loads(text)


def _flatten(value: Any, prefix: str = "") -> Any:
    """Architect's flattened view: nested keys joined by '.', arrays of objects as arrays per key."""
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for key, v in value.items():
        name = f"{prefix}{key}"
        if isinstance(v, dict):
            out.update(_flatten(v, f"{name}."))
        elif isinstance(v, list) and v and all(isinstance(i, dict) for i in v):
            for item in v:
                for k, iv in _flatten(item, f"{name}.").items():
                    out.setdefault(k, []).append(iv)
        else:
            out[name] = v
    return out


def _schema_message(side: str, problems: list[Any]) -> str:
    """Which fields broke the contract and how, without their values (a required property is named
    by the schema, not by the data)."""
    parts: list[str] = []
    for p in problems:
        where = ".".join(str(x) for x in p.path) or "(top level)"
        text = (
            f"{side}.{where}: {p.message}"
            if p.validator == "required"
            else f"{side}.{where}: {p.validator} {json.dumps(p.validator_value)[:80]}"
        )
        if text not in parts:
            parts.append(text)
    what = "input contract" if side == "input" else "success schema"
    return f"The {side} does not match the action's {what}: {'; '.join(parts[:6])}"


def _error_body(status: int, code: str, message: str, detail: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "message": message,
        "code": code,
        "status": status,
        "messageParams": {},
        "contextId": str(uuid.uuid4()),
        "details": [{"errorCode": detail}] if detail else [],
        "errors": [],
    }
    if detail:
        body["errors"] = [{"message": message, "code": code, "status": status, "messageParams": {}, "details": [], "errors": []}]
    return body


def _remote(message: str) -> dict[str, Any]:
    """A failed call to the function or web service: Genesys' 500 with ACTION.REMOTE_ENDPOINT."""
    return _error_body(500, "internal.server.error", message, "ACTION.REMOTE_ENDPOINT")


def _body(req: Request) -> Any:
    try:
        return req.json() if req.body else None
    except ValueError:
        return None
