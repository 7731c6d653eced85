"""Lookups against the local stand-ins: requests and new TCP connections per warm lookup, token
requests, and warm latency split into backend time (inside the local server) and the bundle's own.
Every declared lookup (every action but the payment one), JSON and SOAP backends alike."""

from __future__ import annotations

import os
import statistics
import time

from local.context import LocalContext
from local.events import event_files, expectations
from local.standins import StandIns

N = 200
SHORT_N = 5


def main(short: bool = False) -> None:
    from dataactions import log
    from functions import all_actions, handler_for

    n = SHORT_N if short else N
    lookups = [a for a in all_actions().values() if a.backend.kind != "payments"]
    with StandIns({a.backend.kind for a in lookups}) as standins, open(os.devnull, "w") as devnull:
        server_times = {kind: _timing(server) for kind, server in standins.servers.items()}
        log.set_stream(devnull)
        try:
            print(f"per warm lookup (median of {n}): requests and new TCP connections seen by the local backend, token requests")
            print("over the container's life; latency = total, HTTP round trip (client side), server's own handling, bundle's own work")
            print(
                f"{'action':50} {'req/call':>8} {'conn/call':>9} {'tokens':>6} {'total ms':>8} {'round trip':>10} {'server':>7} {'bundle ms':>9}"
            )
            for act in lookups:
                server, timed = standins.servers[act.backend.kind], server_times[act.backend.kind]
                handler = handler_for(act.id)
                handler.configure(standins.environ(act))
                event = next(
                    ev.load()
                    for ev in event_files(act.id)
                    if ev.kind == "direct" and expectations(act.id)[ev.case].get("outcome", "success") == "success"
                )
                handler(event, LocalContext("bench", 10))  # cold: token + connection
                trips = _round_trips(handler.container.http)
                server.reset_counters()
                timed.clear()
                totals = []
                for _ in range(n):
                    t = time.perf_counter()
                    handler(event, LocalContext("bench", 10))
                    totals.append((time.perf_counter() - t) * 1000)
                if not trips or not timed:
                    raise AssertionError(f"{act.id}: no HTTP exchange was timed ({len(trips)} client side, {len(timed)} server side)")
                client = next(iter(handler.container._resources.values()), None)
                tokens = getattr(getattr(client, "tokens", None), "requests", 0)
                p50, trip, inside = statistics.median(totals), statistics.median(trips), statistics.median(timed)
                print(
                    f"{act.id:50} {len(server.requests) / n:8.2f} {server.connections / n:9.2f} {tokens:6d} "
                    f"{p50:8.3f} {trip:10.3f} {inside:7.3f} {p50 - trip:9.3f}"
                )
        finally:
            log.set_stream(None)


def _round_trips(pool):
    """Time each HTTP exchange as the function sees it (request out to response read), whichever
    of the pool's calls the backend uses: ``request`` (JSON APIs) or ``post_limited`` (SOAP)."""
    samples: list[float] = []

    def timed(call):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                samples.append((time.perf_counter() - t) * 1000)

        return wrapper

    pool.request = timed(pool.request)
    pool.post_limited = timed(pool.post_limited)
    return samples


def _timing(server):
    """Wrap the local server's app to record how long it spends on each request."""
    samples: list[float] = []
    app = server.app

    def timed(req):
        t = time.perf_counter()
        try:
            return app(req)
        finally:
            samples.append((time.perf_counter() - t) * 1000)

    server.app = timed
    return samples
