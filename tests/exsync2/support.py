"""What the EX sync part 2 tests share: the local Genesys and CXone stand-ins, a real ActionContext
(its pooled HTTP client and clock), the vendor clients, and an id map between the two seeded tenants."""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from dataactions import ActionContext
from dataactions.container import Container
from functions.cxone.client import CxoneClient
from functions.cxone.models import CxoneConfig
from functions.exsync.agentstate import StateLookups
from functions.exsync.interactions import IdMap, v4_id
from functions.genesys.client import GenesysClient
from functions.genesys.models import GenesysConfig
from local.context import LocalContext
from local.standins import cxone as cxone_standin
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET, GenesysCloud, Org
from local.standins.server import LocalServer

SOURCE_ID = v4_id("tests", "ex-source")  # the registered external source / presence source
AGENTS = (1001, 1002, 1003, 1004, 1005, 1006)
SKILLS = (3001, 3002, 3003, 3004)
DISPOSITIONS = (4001, 4002, 4003)


def user_id(agent: int | str) -> str:
    return v4_id("tests", "user", agent)


def queue_id(skill: int) -> str:
    return v4_id("tests", "queue", skill)


def wrapup_id(disposition: int) -> str:
    return v4_id("tests", "wrapup", disposition)


def context(seconds: float = 120.0) -> ActionContext[Any]:
    """A real ActionContext (HTTP pool, remaining time) without a secret: the clients are built here."""
    container = Container(cast(Any, SimpleNamespace(kind="exsync", config_model=None)), environ={})
    return ActionContext(container, LocalContext("exsync-tests", seconds), "tests", seconds)


def seeded_org() -> Org:
    """The stand-in org with a Genesys user for every seeded CXone agent, the skills' queues and the
    dispositions' wrap-up codes (what part 1 would have synced)."""
    org = Org()
    for agent in AGENTS:
        org.add_user(user_id(agent), f"Agent {agent}", f"agent{agent}@example.com", presence="Offline")
    org.sources[SOURCE_ID] = {"id": SOURCE_ID, "name": "NICE CXone", "type": "System", "deactivated": False, "registered": True}
    vars(org)["queues"] = {queue_id(s): {"id": queue_id(s)} for s in SKILLS}
    vars(org)["wrapup_codes"] = {wrapup_id(d): {"id": wrapup_id(d)} for d in DISPOSITIONS}
    return org


def id_map(missing_agents: tuple[int, ...] = (), missing_dispositions: tuple[int, ...] = ()) -> IdMap:
    return IdMap(
        user=lambda a: None if a in missing_agents or a not in AGENTS else user_id(a),
        queue=lambda s: queue_id(s) if s in SKILLS else None,
        wrapup=lambda d: None if d in missing_dispositions or d not in DISPOSITIONS else wrapup_id(d),
    )


def state_lookups(org: Org) -> StateLookups:
    def secondary(code: str) -> str | None:
        try:
            return org.definition_id({"Lunch": "Meal", "Coaching": "Meeting", "Back Office": "Busy"}[code], code)
        except KeyError:
            return None

    def system(name: str) -> str | None:
        try:
            return org.definition_id(name)
        except KeyError:
            return None

    return StateLookups(user=lambda a: user_id(a) if int(a) in AGENTS else None, secondary=secondary, system=system)


@dataclass
class Stack:
    org: Org
    genesys_app: GenesysCloud
    genesys_server: LocalServer
    cxone_api: Any
    cxone_server: LocalServer
    genesys: GenesysClient
    cxone: CxoneClient

    def stop(self) -> None:
        self.genesys_server.stop()
        self.cxone_server.stop()


def start_stack(org: Org | None = None) -> Stack:
    app = GenesysCloud(org or seeded_org())
    gserver = LocalServer("genesys", app).start()
    cserver, configs = cxone_standin.start()
    genesys = GenesysClient(GenesysConfig(clientId=CLIENT_ID, clientSecret=CLIENT_SECRET, apiUrl=gserver.url, loginUrl=gserver.url))
    cxone = CxoneClient(CxoneConfig.model_validate(configs["default"]))
    return Stack(app.org, app, gserver, cserver.app, cserver, genesys, cxone)
