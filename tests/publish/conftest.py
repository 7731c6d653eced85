"""A fresh local Genesys organization per test (the stand-in on its own port), Platform clients
for it, and the bundle of every declared action as ``./dev genesys publish`` derives it."""

from __future__ import annotations

import collections
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from definitions.genesys_api import deployed_targets, lambda_bundle, pairs_of
from functions import all_actions
from functions.publisher.platform import Platform
from functions.publisher.reconcile import Bundle, Publisher
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET, GenesysCloud
from local.standins.server import LocalServer

ACCOUNT, REGION = "123456789012", "eu-west-1"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/gda-genesys-integration"


@dataclass
class Org:
    server: LocalServer

    @property
    def app(self) -> GenesysCloud:
        app: GenesysCloud = self.server.app  # type: ignore[assignment]
        return app

    @property
    def state(self) -> Any:
        return self.app.integrations

    def platform(self, secret: str = CLIENT_SECRET, **kwargs: Any) -> Platform:
        return Platform(client_id=CLIENT_ID, client_secret=secret, login_url=self.server.url, api_url=self.server.url, **kwargs)

    def calls(self) -> collections.Counter[str]:
        """Requests the server saw since the last reset, by method ('TOKEN' for the token endpoint)."""
        return collections.Counter("TOKEN" if path == "/oauth/token" else method for method, path in self.server.requests)


@pytest.fixture
def org() -> Iterator[Org]:
    server = LocalServer("genesys", GenesysCloud()).start()
    try:
        yield Org(server)
    finally:
        server.stop()


def every_action_bundle(prefix: str = "gda", role: str = ROLE) -> Bundle:
    return lambda_bundle(deployed_targets(pairs_of(list(all_actions().values())), prefix, ACCOUNT, REGION), role, prefix)


@pytest.fixture(scope="session")
def bundle() -> Bundle:
    return every_action_bundle()


def publish(org: Org, bundle: Bundle, **kwargs: Any) -> Any:
    """One publish run with a fresh client; (plan, outcome, counts)."""
    with org.platform() as api:
        plan, out = Publisher(api, bundle).publish(**kwargs)
        return plan, out, api.counts
