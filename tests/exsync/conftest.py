"""The EX sync through its doors: a fresh CXone business unit and Genesys org per test on the
session's stand-ins, the family provisioned on moto, runs played to the end."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from dataactions import log
from local.exsync_cli import LocalExSync
from local.standins.cxone import Tenant


@pytest.fixture
def exsync(standins) -> Iterator[Callable[..., LocalExSync]]:
    """exsync(tenant=None, org=None, **options) -> a LocalExSync, closed after the test."""
    made: list[LocalExSync] = []
    buf = io.StringIO()
    log.set_stream(buf)

    def make(tenant: Tenant | None = None, org: Any = None, **options: Any) -> LocalExSync:
        h = LocalExSync(standins, tenant or Tenant(agents=12), org, **options)
        h.log = buf  # type: ignore[attr-defined]
        made.append(h)
        return h

    yield make
    for h in reversed(made):  # each gives back the apps it found
        h.close()
    log.set_stream(None)


def log_lines(h: LocalExSync) -> list[dict[str, Any]]:
    return [json.loads(line) for line in h.log.getvalue().splitlines() if line]  # type: ignore[attr-defined]


def genesys_state(h: LocalExSync) -> dict[str, Any]:
    """What the Genesys org holds, comparable across runs (ids included)."""
    org = h.org
    return {
        "users": {
            u["id"]: (
                u["name"],
                u["email"],
                u["title"],
                u["department"],
                u["state"],
                u["division"],
                sorted(u["skills"].items()),
                sorted(u["languages"].items()),
            )
            for u in org.users.values()
        },
        "divisions": {d["id"]: d["name"] for d in org.divisions.values()},
        "skills": {s["id"]: s["name"] for s in org.skills.values()},
        "languages": {s["id"]: s["name"] for s in org.languages.values()},
        "queues": {
            q["id"]: (q["name"], q["division"], sorted(org.queue_members.get(q["id"], {})), sorted(org.queue_wrapups.get(q["id"], [])))
            for q in org.queues.values()
        },
        "wrapups": {w["id"]: (w["name"], w["division"]) for w in org.wrapup_codes.values()},
        "statuses": {d["id"]: (d["languageLabels"]["en_US"], d["systemPresence"]) for d in org.definitions.values() if d["type"] == "User"},
        "external": sorted(org.external_ids.items()),
    }
