"""Publishing to Genesys Cloud, against the local stand-in (a fresh organization per round):
Platform API calls of a first publish of every action and of a re-publish that finds nothing to do
(target: reads only), and the wall time of both (the stand-in answers in about a millisecond, so
the times are the client's own work plus loopback round trips; against a real region add its
latency per call, four calls in flight at a time)."""

from __future__ import annotations

import statistics
import time

from definitions.genesys_api import deployed_targets, lambda_bundle, pairs_of
from functions import all_actions, all_backends
from functions.publisher.platform import CallCounts, Platform
from functions.publisher.reconcile import Bundle, Publisher
from local.standins.genesys import CLIENT_ID, CLIENT_SECRET, GenesysCloud
from local.standins.server import LocalServer

ROLE = "arn:aws:iam::123456789012:role/gda-genesys-integration"


def _bundle(configs: list[str]) -> Bundle:
    pairs = pairs_of(list(all_actions().values()), configs)
    return lambda_bundle(deployed_targets(pairs, "gda", "123456789012", "eu-west-1"), ROLE, "gda")


def _run(server: LocalServer, bundle: Bundle) -> tuple[float, CallCounts, int]:
    with Platform(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, login_url=server.url, api_url=server.url) as api:
        started = time.perf_counter()
        _, out = Publisher(api, bundle).publish()
        took = (time.perf_counter() - started) * 1000
    assert out.ok, out.failures
    return took, api.counts, out.published


def main(short: bool = False) -> None:
    rounds = 1 if short else 7
    cases = [("every action", _bundle([]))]
    if not short:
        cases.append(("every action x 2 configurations", _bundle([f"{k}:second" for k in all_backends()])))
    print(f"publish to the local Genesys organization (median of {rounds} fresh organizations); calls = Platform API calls")
    print(
        f"{'bundle':34} {'actions':>7} | {'first: calls':>12} {'reads':>5} {'writes':>6} {'ms':>7} | {'again: calls':>12} {'reads':>5} {'writes':>6} {'ms':>6}"
    )
    for label, bundle in cases:
        first_ms, again_ms = [], []
        first = again = CallCounts()
        for _ in range(rounds):
            server = LocalServer("genesys", GenesysCloud()).start()
            try:
                took, first, published = _run(server, bundle)
                assert published == len(bundle.actions)
                first_ms.append(took)
                took, again, published = _run(server, bundle)
                assert published == 0 and again.writes == 0, "a re-publish must only read"
                again_ms.append(took)
            finally:
                server.stop()
        print(
            f"{label:34} {len(bundle.actions):>7} | {first.api_calls:>12} {first.reads:>5} {first.writes:>6} {statistics.median(first_ms):>7.0f} "
            f"| {again.api_calls:>12} {again.reads:>5} {again.writes:>6} {statistics.median(again_ms):>6.0f}"
        )
    print(
        "plus 1 token request per run; first publish = integration, credential, config, activation, then a draft and a publish per action;"
    )
    print("re-publish = integrations, config, actions and drafts listings (100 a page), then each action with its contract")


if __name__ == "__main__":
    main()
