"""EX sync part 2 figures (``./dev bench exsync_feeds [--short]``, or ``main(short=True)``):

* through the declared functions (moto, the stand-ins, part 1 synced first): an agent-state poll of
  many changed agents (time, Genesys calls per change), a poll with nothing new (writes), the
  seeded CXone day backfilled (time per conversation injected, per recording uploaded, Genesys
  calls per interaction), and the same window again;

* events per injection call and injection calls per synced interaction: the seeded CXone day (two
  calls, one transferred, an email, an abandoned call, an outbound call, a consult) built and
  injected into the local Genesys stand-in together, and each interaction alone (its steps);
  agent-state changes of many agents batched into presence and routing-status requests;
* peak memory of a recording upload through the stand-ins (CXone download -> check/digest/spool ->
  Genesys signed-URL PUT) of a 200 MB recording (16 MB in short mode), measured in a child process
  so the stand-ins' own buffers do not count: tracemalloc's peak (every Python allocation, where a
  whole-file buffer would show) and the growth of the peak RSS (``ru_maxrss``: C buffers too).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from types import SimpleNamespace
from typing import Any, cast

from dataactions import ActionContext
from dataactions.container import Container

MB = 1024 * 1024
SOURCE_ID = "8d2b3c1e-5f6a-4b7c-9d8e-0f1a2b3c4d5e"


def _context(seconds: float = 600.0) -> ActionContext[Any]:
    from local.context import LocalContext

    container = Container(cast(Any, SimpleNamespace(kind="exsync", config_model=None)), environ={})
    return ActionContext(container, LocalContext("bench-exsync", seconds), "bench", seconds)


def _stack() -> tuple[Any, Any, Any, Any, Any, dict[str, Any]]:
    """The two stand-ins, with a Genesys user, queue and wrap-up code for each seeded CXone object."""
    from functions.cxone.client import CxoneClient
    from functions.cxone.models import CxoneConfig
    from functions.exsync.interactions import v4_id
    from functions.genesys.client import GenesysClient
    from functions.genesys.models import GenesysConfig
    from local.standins import cxone
    from local.standins.genesys import CLIENT_ID, CLIENT_SECRET, GenesysCloud, Org
    from local.standins.server import LocalServer

    org = Org()
    org.sources[SOURCE_ID] = {"id": SOURCE_ID, "name": "NICE CXone", "type": "System", "deactivated": False, "registered": True}
    for agent in range(1001, 1007):
        org.add_user(v4_id("bench", "user", agent), f"Agent {agent}", f"agent{agent}@example.com")
    vars(org)["queues"] = {v4_id("bench", "queue", s): {} for s in range(3001, 3005)}  # what part 1 would have synced
    vars(org)["wrapup_codes"] = {v4_id("bench", "wrapup", d): {} for d in range(4001, 4004)}
    app = GenesysCloud(org)
    gserver = LocalServer("genesys", app).start()
    cserver, configs = cxone.start()
    genesys = GenesysClient(
        GenesysConfig.model_validate({"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "apiUrl": gserver.url, "loginUrl": gserver.url})
    )
    return gserver, cserver, org, genesys, CxoneClient(CxoneConfig.model_validate(configs["default"])), configs["default"]


def _id_map() -> Any:
    from functions.exsync.interactions import IdMap, v4_id

    return IdMap(
        user=lambda a: v4_id("bench", "user", a) if 1001 <= a <= 1006 else None,
        queue=lambda s: v4_id("bench", "queue", s),
        wrapup=lambda d: v4_id("bench", "wrapup", d),
    )


def injection_figures() -> dict[str, float]:
    from functions.exsync import agentstate, interactions
    from local.standins.genesys.events import injected
    from local.standins.genesys.org import SYSTEM_DEFINITION_IDS

    gserver, cserver, org, genesys, cxone, _ = _stack()
    try:
        ctx = _context()
        raw = list(cxone.pages(ctx, "/contacts/completed", "completedContacts", {}))
        contacts = [interactions.fetch_details(ctx, cxone, c) for c in raw]
        builts = interactions.build_all(contacts, _id_map(), SOURCE_ID)
        done = interactions.inject_conversations(ctx, genesys, builts)
        assert not done.retry and not done.dead, (done.retry, done.dead)
        events = sum(len(b.events) for b in builts)
        alone = [b.steps for b in builts]
        # agent states: 200 agents, 5 changes each, CXone's normalised changes as the poller hands them over
        from functions.presence.model import Change

        for n in range(200):
            org.add_user(interactions.v4_id("bench", "agent", n), f"A{n}", f"a{n}@example.com")
        cycle = [
            ("Available", "", False),
            ("InboundContact", "", False),
            ("Unavailable", "Wrap Up", True),
            ("Available", "", False),
            ("LoggedOut", "", False),
        ]
        lookups = agentstate.StateLookups(
            user=lambda a: interactions.v4_id("bench", "agent", a), secondary=lambda code: None, system=SYSTEM_DEFINITION_IDS.get
        )
        changes = [
            Change(event_id=f"cxone:{n}:{i}", agent=str(n), side="cc", at=1_800_000_000_000 + i * 1000 + n, state=s, reason=r, acw=acw)
            for i, (s, r, acw) in enumerate(cycle)
            for n in range(200)
        ]
        mapped = [agentstate.map_change(c, lookups, SOURCE_ID) for c in changes]
        outcome = agentstate.inject_states(ctx, genesys, mapped)
        assert not outcome.retryable and not outcome.rejected
        return {
            "interactions": len(builts),
            "conversation events": events,
            "conversation injection calls": done.outcome.requests,
            "events per conversation call": events / done.outcome.requests,
            "calls per interaction (day together)": done.outcome.requests / len(builts),
            "calls per interaction alone (min)": min(alone),
            "calls per interaction alone (max)": max(alone),
            "calls for the day, ordering=whole": len(interactions.request_bodies(builts, ordering="whole")),
            "agent-state changes": len(changes),
            "agent-state events": 2 * len(changes),
            "agent-state calls": outcome.requests,
            "events per agent-state call": 2 * len(changes) / outcome.requests,
            "conversations in the stand-in": len(injected(org).conversations),
        }
    finally:
        gserver.stop()
        cserver.stop()


def upload_in_child(genesys_url: str, cxone_config: dict[str, Any], contact: int, conversation: str, communication: str) -> dict[str, Any]:
    """Run one recording sync in a fresh interpreter (its own memory figures) and return its report."""
    args = json.dumps(
        {"genesys": genesys_url, "cxone": cxone_config, "contact": contact, "conversation": conversation, "communication": communication}
    )
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.path.join(root, "layers/core/python"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-m", "bench.exsync_feeds", "--child", args], capture_output=True, text=True, cwd=root, env=env, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"child failed: {done.stderr[-2000:]}")
    return cast(dict[str, Any], json.loads(done.stdout.strip().splitlines()[-1]))


def _child(args: dict[str, Any]) -> dict[str, Any]:
    from functions.cxone.client import CxoneClient
    from functions.cxone.models import CxoneConfig
    from functions.exsync import media
    from functions.genesys.client import GenesysClient
    from functions.genesys.models import GenesysConfig
    from local.standins.genesys import CLIENT_ID, CLIENT_SECRET

    ctx = _context()
    genesys = GenesysClient(
        GenesysConfig.model_validate(
            {"clientId": CLIENT_ID, "clientSecret": CLIENT_SECRET, "apiUrl": args["genesys"], "loginUrl": args["genesys"]}
        )
    )
    cxone = CxoneClient(CxoneConfig.model_validate(args["cxone"]))
    ctx.http.client  # noqa: B018 - the pooled client exists before measuring, as in a warm container
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as spool:
        synced = media.sync_recording(ctx, cxone, genesys, args["contact"], args["conversation"], args["communication"], spool_dir=spool)
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - base_rss  # KiB on Linux
    assert synced is not None
    return {
        "size": synced.size,
        "md5": synced.content_md5,
        "uploadKey": synced.upload_key,
        "format": synced.format,
        "seconds": seconds,
        "tracemallocPeakBytes": peak,
        "rssGrowthBytes": rss_growth * 1024,
    }


def upload_figures(total_bytes: int) -> dict[str, float]:
    from functions.exsync.interactions import v4_id

    gserver, cserver, org, genesys, cxone, config = _stack()
    try:
        tenant = cserver.app.tenant
        tenant.big_recording_bytes = total_bytes
        report = upload_in_child(gserver.url, config, tenant.BIG_RECORDING_CONTACT, v4_id("bench", "c"), v4_id("bench", "k"))
        return {
            "recording MB": report["size"] / MB,
            "upload seconds": report["seconds"],
            "MB/s": report["size"] / MB / report["seconds"],
            "tracemalloc peak MB": report["tracemallocPeakBytes"] / MB,
            "peak RSS growth MB": report["rssGrowthBytes"] / MB,
        }
    finally:
        gserver.stop()
        cserver.stop()


def _show(title: str, figures: dict[str, float]) -> None:
    print(title)
    for name, value in figures.items():
        print(f"  {name:<40} {value:,.2f}" if isinstance(value, float) else f"  {name:<40} {value}")


def function_figures(agents: int) -> dict[str, float]:
    """The part-2 functions end to end on moto and the stand-ins."""
    import io

    from dataactions import log
    from local.exsync_cli import LocalExSync
    from local.standins import StandIns
    from local.standins.cxone import Tenant
    from local.standins.genesys.events import injected

    def items(h: Any) -> int:
        return sum(
            1
            for name in ("feed", "state")
            for i in h.sync.dynamodb.scan(TableName=h.sync.table_names[name])["Items"]
            if not i["pk"]["S"].startswith("budget#")
        )

    buf = io.StringIO()
    log.set_stream(buf)
    try:
        with StandIns({"cxone", "genesys"}) as standins, LocalExSync(standins, Tenant(agents=agents).contact_catalogue()) as h:
            h.run("sync")
            h.poll_states()  # registers the source, injects everyone's current state
            store = injected(h.org)
            for i, agent in enumerate(sorted(h.tenant.agents)):
                h.tenant.set_state(agent, ("Available", "Unavailable", "InboundContact")[i % 3], "Lunch" if i % 3 == 1 else "")
            mark = len(store.requests)
            started = time.perf_counter()
            polled = h.poll_states()
            poll_ms = (time.perf_counter() - started) * 1000
            state_calls = len(store.requests) - mark
            before = items(h)
            idle = h.poll_states()
            idle_writes = items(h) - before

            mark = len(store.requests)
            started = time.perf_counter()
            h.backfill("2026-11-20", "2026-11-21")
            day_ms = (time.perf_counter() - started) * 1000
            conv_calls = len(store.requests) - mark
            lines = [json.loads(line) for line in buf.getvalue().splitlines() if line.startswith("{")]
            inject = [x["durationMs"] for x in lines if x.get("function") == "exsync-inject-interaction" and x.get("outcome") == "injected"]
            uploads = [x["durationMs"] for x in lines if x.get("function") == "exsync-upload-recording" and x.get("outcome") == "uploaded"]
            mark = len(h.requests)
            h.backfill("2026-11-20", "2026-11-21", again=True)
            again_calls = len(h.requests) - mark
    finally:
        log.set_stream(None)
    return {
        "agents whose state changed": float(polled.get("injected", 0)),
        "state poll, ms (read, map, inject, record)": poll_ms,
        "Genesys calls per state change": state_calls / max(1, polled.get("injected", 0)),
        "idle poll: outcome nothing-to-do": float(idle["outcome"] == "nothing-to-do"),
        "idle poll: DynamoDB items written": float(idle_writes),
        "seeded day backfilled, ms": day_ms,
        "conversations injected": float(len(inject)),
        "Genesys calls per interaction (alone)": conv_calls / max(1, len(inject)),
        "inject one interaction, ms (median)": sorted(inject)[len(inject) // 2] if inject else 0.0,
        "upload one recording, ms (median)": sorted(uploads)[len(uploads) // 2] if uploads else 0.0,
        "same window again: Genesys calls": float(again_calls),
    }


def state_delay_figures(changes: int) -> dict[str, float]:
    """A CXone state change -> its routing-status event accepted by Genesys, measured: the poller runs
    as deployed (every 3 s) in a thread while agents change state at irregular moments."""
    import io
    import random
    import statistics
    import threading

    from dataactions import log
    from local.exsync_cli import LocalExSync
    from local.standins import StandIns
    from local.standins.cxone import Tenant

    log.set_stream(io.StringIO())
    try:
        with StandIns({"cxone", "genesys"}) as standins, LocalExSync(standins, Tenant(agents=6).contact_catalogue()) as h:
            h.run("sync")
            h.poll_states()
            users = {h.idmap.genesys_id("user", str(a)): a for a in h.tenant.agents}
            seen: dict[int, list[float]] = {}

            def routing(envelope: dict[str, Any]) -> None:
                topic = envelope["detail"]["topicName"]
                if topic.endswith(".routingStatus"):
                    seen.setdefault(users.get(topic.split(".")[2], 0), []).append(time.monotonic())

            h.org.listeners.append(routing)
            rng = random.Random(7)
            made: list[tuple[int, float]] = []
            span = changes * 0.9 + 4
            poller = threading.Thread(target=h.sync.invoke, args=("exsync-states-poll", {"forSeconds": span}))
            poller.start()
            time.sleep(0.5)
            states = ("Available", "Unavailable", "InboundContact")
            for i in range(changes):
                agent = 1001 + i % 6
                h.tenant.set_state(agent, states[(i // 6 + agent) % 3])
                made.append((agent, time.monotonic()))
                time.sleep(rng.uniform(0.4, 1.4))
            poller.join()
    finally:
        log.set_stream(None)
    delays = [min((t for t in seen.get(agent, []) if t >= at), default=float("nan")) - at for agent, at in made]
    got = [d for d in delays if d == d]
    return {
        "state changes": float(len(made)),
        "injected": float(len(got)),
        "delay p50, s": statistics.median(got) if got else float("nan"),
        "delay max, s": max(got) if got else float("nan"),
        "poll interval, s": 3.0,
    }


def main(short: bool = False) -> None:
    _show("CXone state change -> Genesys routing status (poller every 3 s)", state_delay_figures(8 if short else 30))
    _show("the part-2 functions end to end (moto, stand-ins)", function_figures(12 if short else 50))
    _show("event injection (local stand-in)", injection_figures())
    _show(f"recording upload of {16 if short else 200} MB (child process)", upload_figures((16 if short else 200) * MB))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(_child(json.loads(sys.argv[2]))))
    else:
        main(short="--short" in sys.argv)
