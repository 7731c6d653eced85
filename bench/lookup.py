"""Lookups against the local stand-ins: requests and new TCP connections per warm lookup, token
requests, and warm latency split into backend time (inside the local server) and the bundle's own."""

from __future__ import annotations

import statistics
import time

from local.context import LocalContext
from local.events import event_files, expectations
from local.standins import StandIns

N = 200


def main() -> None:
    from dataactions import log
    from functions import all_actions, handler_for

    lookups = [a for a in all_actions().values() if a.backend.kind != "payments"]
    with StandIns({a.backend.kind for a in lookups}) as standins:
        log.set_stream(open("/dev/null", "w"))  # noqa: SIM115
        print(f"per warm lookup (median of {N}): requests and new TCP connections seen by the local backend, token requests")
        print("over the container's life; latency = total, HTTP round trip (client side), server's own handling, bundle's own work")
        print(
            f"{'action':40} {'req/call':>8} {'conn/call':>9} {'tokens':>6} {'total ms':>8} {'round trip':>10} {'server':>7} {'bundle ms':>9}"
        )
        for act in lookups:
            server = standins.servers[act.backend.kind]
            timed = _timing(server)
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
            for _ in range(N):
                t = time.perf_counter()
                handler(event, LocalContext("bench", 10))
                totals.append((time.perf_counter() - t) * 1000)
            client = next(iter(handler.container._resources.values()), None)
            tokens = getattr(getattr(client, "tokens", None), "requests", 0)
            p50, trip, inside = statistics.median(totals), statistics.median(trips), statistics.median(timed)
            print(
                f"{act.id:40} {len(server.requests) / N:8.2f} {server.connections / N:9.2f} {tokens:6d} {p50:8.3f} {trip:10.3f} {inside:7.3f} {p50 - trip:9.3f}"
            )
        log.set_stream(None)


def _round_trips(pool):
    """Time each HTTP exchange as the function sees it (request out to response parsed)."""
    samples: list[float] = []
    request = pool.request

    def timed(*args, **kwargs):
        t = time.perf_counter()
        try:
            return request(*args, **kwargs)
        finally:
            samples.append((time.perf_counter() - t) * 1000)

    pool.request = timed
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
