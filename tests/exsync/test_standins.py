"""The stand-ins' EX sync areas on the wire, as the vendors document them: Genesys' directory
(versions, conflicts incl. deleted users, bulk limits, paging, external ids, 429) and CXone's
admin lists (skip/top paging, the list envelope, auth)."""

from __future__ import annotations

import httpx
import pytest

from functions.exsync.syncs import AuditEvent
from local.standins.cxone import Tenant
from local.standins.cxone.tenant import ACCESS_KEY_ID, ACCESS_KEY_SECRET
from local.standins.cxone.tenant import CLIENT_ID as CX_CLIENT
from local.standins.cxone.tenant import CLIENT_SECRET as CX_SECRET
from tests.exsync.test_sync import api


@pytest.fixture
def g(exsync):
    h = exsync()
    return h, api(h)


def make_user(client: httpx.Client, email: str = "pat@example.com") -> dict:
    resp = client.post("/api/v2/users", json={"name": "Pat", "email": email})
    assert resp.status_code == 200
    return resp.json()


def test_creating_a_user_whose_email_exists_even_deleted_is_a_general_conflict(g) -> None:
    _, c = g
    user = make_user(c)
    assert c.post("/api/v2/users", json={"name": "Pat 2", "email": "PAT@example.com"}).json()["code"] == "general.conflict"
    c.delete(f"/api/v2/users/{user['id']}")
    again = c.post("/api/v2/users", json={"name": "Pat 3", "email": "pat@example.com"})
    assert again.status_code == 409 and again.json()["code"] == "general.conflict"
    assert c.get(f"/api/v2/users/{user['id']}").status_code == 404
    assert c.get(f"/api/v2/users/{user['id']}", params={"state": "deleted"}).json()["state"] == "deleted"
    search = {
        "query": [
            {"fields": ["email"], "value": "pat@example.com", "type": "EXACT"},
            {"fields": ["state"], "values": ["deleted"], "type": "EXACT"},
        ]
    }
    assert [u["id"] for u in c.post("/api/v2/users/search", json=search).json()["results"]] == [user["id"]]
    assert c.post("/api/v2/users/search", json={"query": search["query"][:1]}).json()["results"] == []  # not among active users
    assert c.post("/api/v2/users", json={"name": "X", "email": "a..b@example.com"}).json()["code"] == "invalid.value"


def test_a_user_patch_needs_the_current_version(g) -> None:
    h, c = g
    user = make_user(c)
    assert c.patch(f"/api/v2/users/{user['id']}", json={"title": "Lead"}).status_code == 400  # no version
    ok = c.patch(f"/api/v2/users/{user['id']}", json={"title": "Lead", "version": user["version"]})
    assert ok.status_code == 200 and ok.json()["version"] == user["version"] + 1
    stale = c.patch(f"/api/v2/users/{user['id']}", json={"title": "Coach", "version": user["version"]})
    assert stale.status_code == 409 and "must match the version number" in stale.json()["message"]
    h.org.version_error = "400"
    stale = c.patch(f"/api/v2/users/{user['id']}", json={"title": "Coach", "version": user["version"]})
    assert stale.status_code == 400 and "does not match the current version" in stale.json()["message"]
    both = c.patch(f"/api/v2/users/{user['id']}", json={"state": "inactive", "title": "X", "version": user["version"] + 1})
    assert both.status_code == 400  # the state changes on its own


def test_bulk_endpoints_keep_their_limits(g) -> None:
    _, c = g
    user = make_user(c)
    skills = [c.post("/api/v2/routing/skills", json={"name": f"S{i}"}).json()["id"] for i in range(51)]
    body = [{"id": s, "proficiency": 3} for s in skills]
    assert c.patch(f"/api/v2/users/{user['id']}/routingskills/bulk", json=body).status_code == 400
    ok = c.patch(f"/api/v2/users/{user['id']}/routingskills/bulk", json=body[:50])
    assert ok.status_code == 200 and ok.json()["total"] == 50
    assert c.patch(f"/api/v2/users/{user['id']}/routingskills/bulk", json=[{"id": skills[0], "proficiency": 6}]).status_code == 400
    # PATCH /users/bulk only sets acdAutoAnswer (it is not a general bulk update)
    assert c.patch("/api/v2/users/bulk", json=[{"id": user["id"], "title": "Lead"}]).status_code == 400
    assert c.patch("/api/v2/users/bulk", json=[{"id": user["id"], "acdAutoAnswer": True}]).json()["entities"][0]["acdAutoAnswer"] is True
    queue = c.post("/api/v2/routing/queues", json={"name": "Q"}).json()
    assert c.post(f"/api/v2/routing/queues/{queue['id']}/members", json=[{"id": user["id"]}] * 101).status_code == 400


def test_names_are_unique_per_object_type_and_listings_page(g) -> None:
    _, c = g
    for i in range(30):
        assert c.post("/api/v2/routing/wrapupcodes", json={"name": f"Code {i:02d}"}).status_code == 200
    dup = c.post("/api/v2/routing/wrapupcodes", json={"name": "code 07"})
    assert dup.status_code == 409 and dup.json()["code"] == "general.conflict"
    first = c.get("/api/v2/routing/wrapupcodes").json()
    assert (first["pageSize"], first["total"], first["pageCount"], len(first["entities"])) == (25, 30, 2, 25) and "nextUri" in first
    last = c.get("/api/v2/routing/wrapupcodes", params={"pageNumber": 2}).json()
    assert len(last["entities"]) == 5 and "nextUri" not in last
    assert [w["name"] for w in c.get("/api/v2/routing/wrapupcodes", params={"name": "Code 03"}).json()["entities"]] == ["Code 03"]


def test_external_ids_find_a_user_and_belong_to_one(g) -> None:
    _, c = g
    a, b = make_user(c, "a@example.com"), make_user(c, "b@example.com")
    assert c.post(f"/api/v2/users/{a['id']}/externalid", json={"authorityName": "cxone", "externalKey": "1001"}).status_code == 200
    assert c.get("/api/v2/users/externalid/cxone/1001").json()["id"] == a["id"]
    taken = c.post(f"/api/v2/users/{b['id']}/externalid", json={"authorityName": "cxone", "externalKey": "1001"})
    assert taken.status_code == 409
    assert c.get("/api/v2/users/externalid/cxone/9999").status_code == 404


def test_deletions_are_announced_as_audit_events_the_sync_understands(g) -> None:
    h, c = g
    user = make_user(c)
    queue = c.post("/api/v2/routing/queues", json={"name": "Q"}).json()
    c.delete(f"/api/v2/users/{user['id']}")
    c.delete(f"/api/v2/routing/queues/{queue['id']}")
    deletes = [e for e in h.audits if e["detail"]["eventBody"]["action"] == "Delete"]
    assert [e["detail"]["eventBody"]["entityType"] for e in deletes] == ["User", "Queue"]
    for e in deletes:
        assert e["detail-type"] == "v2.audits.entitytype.{id}.entityid.{id}"
        parsed = AuditEvent.model_validate(e)
        assert parsed.detail.event_body.entity["id"] in (user["id"], queue["id"])


def test_over_the_rate_limit_genesys_answers_429_with_retry_after(exsync) -> None:
    h = exsync(genesys_limit=3, window=2.0)
    c = api(h)
    answers = [c.get("/api/v2/routing/skills") for _ in range(4)]
    assert [r.status_code for r in answers] == [200, 200, 200, 429]
    limited = answers[-1]
    assert int(limited.headers["Retry-After"]) >= 1 and limited.headers["inin-ratelimit-allowed"] == "3"
    assert limited.json()["code"] == "too.many.requests"


def test_cxone_admin_lists_page_with_skip_and_top(exsync) -> None:
    h = exsync(Tenant.large(agents=40, skills=12, queue_skills=8, languages=2, teams=4, dispositions=5))
    base = h.standins.servers["cxone"].url
    token = httpx.post(
        f"{base}/auth/token",
        data={"grant_type": "password", "username": ACCESS_KEY_ID, "password": ACCESS_KEY_SECRET},
        auth=(CX_CLIENT, CX_SECRET),
    ).json()["access_token"]
    api_base = f"{base}/inContactAPI/services/v34.0"
    assert httpx.get(f"{api_base}/skills").status_code == 401
    c = httpx.Client(base_url=api_base, headers={"Authorization": f"Bearer {token}"})
    page = c.get("/skills", params={"skip": 0, "top": 5}).json()
    assert page["totalRecords"] == 12 and len(page["skills"]) == 5 and "skip=5" in page["_links"]["next"]
    everything = c.get("/agents/skills", params={"top": 10000}).json()
    assert everything["totalRecords"] == len(h.tenant.assignments) and {"agentId", "skillId", "agentProficiencyValue"} <= set(
        everything["agentSkillAssignments"][0]
    )
    with_skills = c.get("/dispositions/skills").json()["dispositions"]
    assert {d["dispositionId"] for d in with_skills} == set(h.tenant.dispositions) and any(d["skills"] for d in with_skills)
    assert c.get("/skills/4001/agents").json()["totalRecords"] == sum(1 for a, s in h.tenant.assignments if s == 4001)
