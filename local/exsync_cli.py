"""``./dev exsync plan|apply|drift|status|mapping ...``: the EX sync (CXone configuration into
Genesys Cloud EX), locally against the stand-ins (a seeded CXone business unit and an empty
Genesys org, on moto) or, with ``--deployed``, against a deployed configuration (the sync
function invoked with the mode, the runs table read).

:class:`LocalExSync` is the local harness the CLI, the demo, the benchmark and the tests share:
fresh stand-in data, the family provisioned on moto, a run played to the end (the work queue
pumped as the SQS event source mapping would), and what Genesys saw (every request, its status).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from local.standins import StandIns
    from local.standins.cxone import Tenant
    from local.standins.genesys import Org
    from local.syncrun import LocalSync

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


class LocalExSync:
    """One EX sync configuration on the stand-ins, with its own CXone tenant and Genesys org."""

    def __init__(
        self,
        standins: StandIns,
        tenant: Tenant | None = None,
        org: Org | None = None,
        *,
        rates: dict[str, int] | None = None,
        lanes: int = 2,
        page_ops: int = 25,
        genesys_limit: int | None = None,
        window: float = 60.0,
        feeds: dict[str, Any] | None = None,
    ) -> None:
        from functions.exsync.syncs import EXSYNC
        from local.standins.cxone import CxoneApi, Tenant
        from local.standins.genesys import GenesysCloud, Org
        from local.syncrun import LocalSync

        self.standins = standins
        self.tenant = tenant or Tenant()
        self.org = org or Org()
        self._servers = {k: standins.servers[k] for k in ("cxone", "genesys")}
        self._apps = {k: s.app for k, s in self._servers.items()}
        cx = CxoneApi(self.tenant)
        cx.url = self._servers["cxone"].url
        self.cloud = GenesysCloud(self.org)
        self.cloud.rate_per_minute = genesys_limit
        self.cloud.rate_window = window
        self.requests: list[tuple[float, str, str, int]] = []  # (time, method, path, status) seen by Genesys
        self.audits: list[dict[str, Any]] = []
        self.org.listeners.append(self._audit)

        def genesys(req: Any) -> Any:
            resp = self.cloud(req)
            if req.path != "/oauth/token":
                self.requests.append((time.monotonic(), req.method, req.path, resp.status_code))
            return resp

        self._servers["cxone"].app = cx
        self._servers["genesys"].app = genesys
        secret = {
            "cxone": standins.configs["cxone"]["default"],
            "genesys": standins.configs["genesys"]["default"],
            "rates": rates or {"genesys": 100000, "cxone": 100000, "burst": 1000},  # no limit unless asked
            "lanes": lanes,
            "pageOps": page_ops,
            "feeds": feeds or {},
        }
        self.sync: LocalSync = LocalSync(standins, EXSYNC, f"x{uuid.uuid4().hex[:8]}", secret)

    def close(self) -> None:
        """Give the stand-in servers their own apps back."""
        for kind, server in self._servers.items():
            server.app = self._apps[kind]
        if self._audit in self.org.listeners:
            self.org.listeners.remove(self._audit)

    def __enter__(self) -> LocalExSync:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _audit(self, envelope: dict[str, Any]) -> None:
        if envelope["detail-type"].startswith("v2.audits."):
            self.audits.append(envelope)

    # -- stores ------------------------------------------------------------------------------------------

    @property
    def store(self) -> Any:
        from functions.exsync.store import Store

        return Store(self.sync.dynamodb, self.sync.table_names["runs"], self.sync.table_names["state"])

    @property
    def idmap(self) -> Any:
        from functions.exsync.idmap import IdMap

        return IdMap(self.sync.dynamodb, self.sync.table_names["map"])

    def push_mapping(self, doc: dict[str, Any]) -> int:
        from functions.exsync import store

        version = store.push_mapping(self.sync.dynamodb, self.sync.table_names["mapping"], doc, "local")
        store._mapping_cache.clear()
        return version

    # -- runs ---------------------------------------------------------------------------------------------

    def invoke(self, mode: str, run: str | None = None, function: str = "exsync-sync") -> dict[str, Any]:
        """Invoke a planning function with a mode (what the CLI does against a deployment)."""
        event: dict[str, Any] = {"mode": mode}
        if run:
            event["run"] = run
        result: dict[str, Any] = self.sync.invoke(function, event)
        return result

    def run(self, mode: str = "sync", run: str | None = None, *, progress: Any = None) -> dict[str, Any]:
        """Plan (or apply a stored plan) and pump the work queue until the run is done; the run's summary."""
        started = self.invoke(mode, run, "exsync-reconcile" if mode == "reconcile" else "exsync-sync")
        run_id = started.get("run")
        while True:
            stats = self.sync.pump("work", max_batches=1)
            if progress is not None and run_id and stats.messages:
                progress(self.store.run(run_id) or {})
            if not stats.messages:
                break
        summary: dict[str, Any] = (self.store.run(run_id) if run_id else None) or {}
        return {**started, "summary": summary}

    def writes(self, since: int = 0) -> int:
        """Genesys write requests (POST/PUT/PATCH/DELETE; searches are reads) since request ``since``."""
        return sum(1 for _, m, p, _ in self.requests[since:] if m in WRITE_METHODS and not p.endswith("/search"))

    def calls(self, since: int = 0) -> Counter[str]:
        return Counter("write" if m in WRITE_METHODS and not p.endswith("/search") else "read" for _, m, p, _ in self.requests[since:])

    def deliver_audits(self) -> list[Any]:
        """Publish the audit events Genesys emitted so far to the family's EventBridge rules."""
        events, self.audits = self.audits, []
        results = []
        for envelope in events:
            results += self.sync.publish("genesys", envelope)
        return results

    def genesys_api(self) -> Any:
        """An admin's own client of the Genesys stand-in (changes made in Genesys, not by the sync)."""
        import httpx

        from local.standins.genesys import CLIENT_ID, CLIENT_SECRET

        base = self._servers["genesys"].url
        token = httpx.post(f"{base}/oauth/token", data={"grant_type": "client_credentials"}, auth=(CLIENT_ID, CLIENT_SECRET)).json()
        return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token['access_token']}"})

    # -- part 2: what CXone did --------------------------------------------------------------------

    @property
    def feed(self) -> Any:
        from functions.exsync.feeds import Feed

        return Feed(self.sync.dynamodb, self.sync.table_names["state"], self.sync.table_names["feed"])

    def poll_states(self) -> dict[str, Any]:
        """One agent-state poll (a deployed poller polls every few seconds for a minute)."""
        out: dict[str, Any] = self.sync.invoke("exsync-states-poll", {"once": True})
        return out

    def reconcile_states(self) -> dict[str, Any]:
        out: dict[str, Any] = self.sync.invoke("exsync-states-reconcile", {})
        return out

    def poll_contacts(self) -> dict[str, Any]:
        """One completed-contacts poll, its chains injected and their recordings uploaded."""
        out: dict[str, Any] = self.sync.invoke("exsync-contacts-poll", {})
        self.pump_feeds()
        return out

    def backfill(self, start: str, end: str, *, again: bool = False, progress: Any = None) -> dict[str, Any]:
        """A window of past contacts, invoked until done (each invocation continues the last)."""
        event = {"mode": "backfill", "from": start, "to": end, "again": again}
        while True:
            out: dict[str, Any] = self.sync.invoke("exsync-contacts-poll", event)
            event["again"] = False  # continuations go on from the checkpoint
            if progress is not None:
                progress(out)
            self.pump_feeds()
            if out["outcome"] != "continued":  # done, or invalid / off: nothing to continue
                return out

    def pump_feeds(self) -> tuple[Any, Any]:
        """The interactions queue, then the recordings queue, until both are empty."""
        return self.sync.pump("interactions"), self.sync.pump("recordings")

    def conversations(self) -> list[Any]:
        """The conversations Genesys built from the injected events."""
        from local.standins.genesys.events import injected

        return list(injected(self.org).conversations.values())

    # -- what Genesys holds -----------------------------------------------------------------------

    def genesys_counts(self) -> dict[str, int]:
        org = self.org
        return {
            "users": sum(1 for u in org.users.values() if u["state"] != "deleted" and any(v == u["id"] for v in org.external_ids.values())),
            "divisions": len(org.divisions) - 1,
            "skills": len(org.skills),
            "languages": len(org.languages),
            "queues": len(org.queues),
            "members": sum(len(m) for m in org.queue_members.values()),
            "wrapup codes": len(org.wrapup_codes),
            "statuses": sum(1 for d in org.definitions.values() if d["type"] == "User"),
        }


# -- printing -------------------------------------------------------------------------------------------

KIND_TITLES = {
    "division": "divisions",
    "skill": "routing skills",
    "language": "languages",
    "wrapup": "wrap-up codes",
    "status": "secondary statuses",
    "user": "users",
    "queue": "queues",
}


def counts_table(counts: dict[str, dict[str, int]], title: str) -> str:
    from functions.exsync.model import KINDS

    columns = sorted({c for v in counts.values() for c in v}, key=lambda c: _ORDER.get(c, 99))
    if not columns:
        return f"{title}: nothing"
    rows = [[KIND_TITLES[k]] + [str(counts.get(k, {}).get(c, "")) for c in columns] for k in KINDS if k in counts]
    widths = [max(len(r[i]) for r in [[title, *columns], *rows]) for i in range(len(columns) + 1)]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip([title, *columns], widths, strict=True)))]
    lines.append("-" * (sum(widths) + 2 * len(columns)))
    lines += ["  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))) for r in rows]
    return "\n".join(lines)


_ORDER = {
    c: i
    for i, c in enumerate(
        (
            "create",
            "adopt",
            "update",
            "deactivate",
            "reactivate",
            "empty",
            "created",
            "adopted",
            "restored",
            "updated",
            "deactivated",
            "reactivated",
            "emptied",
            "unchanged",
            "left",
            "rejected",
            "failed",
            "drift",
        )
    )
}


def print_plan(h: LocalExSync, run: str, show: int) -> None:
    summary = h.store.run(run) or {}
    print(counts_table(summary.get("planned") or {}, "plan"))
    ops = h.store.all_ops(run)
    if ops and show:
        print(f"\nfirst {min(show, len(ops))} of {len(ops)} operations (phase order):")
        for op in ops[:show]:
            print(f"  {op.action:10} {op.obj.label if op.kind != 'user' else f'user {op.key}':44} {op.reason}")
    others = [r for r in h.store.records(run).values() if r.get("result") in ("left", "rejected")]
    if others and show:
        print(f"\nleft alone or rejected ({len(others)}):")
        for r in others[:show]:
            print(f"  {r['result']:10} {r['sk'].replace('#', ' '):44} {r.get('why', '')}")


def _tenant(args: argparse.Namespace) -> Tenant:
    from local.standins.cxone import Tenant

    if args.exsync == "backfill":
        return Tenant(agents=6).contact_catalogue()  # the catalogue the seeded day of contacts uses
    if args.agents <= 50:
        return Tenant(agents=args.agents)
    return Tenant.large(agents=args.agents, skills=args.skills, queue_skills=args.queues, teams=max(4, args.agents // 125))


def _progress(summary: dict[str, Any]) -> None:
    total = sum(int(n) for n in (summary.get("pages") or {}).values())
    done = len(summary.get("donePages") or [])
    print(f"\r  applying: {done}/{total} pages, {summary.get('genesysCalls', 0)} Genesys calls", end="", flush=True)


def cmd_local(args: argparse.Namespace) -> int:
    from dataactions import log
    from local.standins import StandIns

    log_path = Path("build/exsync-function-logs.jsonl")
    log_path.parent.mkdir(exist_ok=True)
    with log_path.open("w") as log_file, StandIns({"cxone", "genesys"}) as standins:
        log.set_stream(log_file)
        try:
            with LocalExSync(standins, _tenant(args)) as h:
                if args.mapping:
                    h.push_mapping(json.loads(Path(args.mapping).read_text()))
                return LOCAL[args.exsync](h, args)
        finally:
            log.set_stream(None)


def local_plan(h: LocalExSync, args: argparse.Namespace) -> int:
    out = h.invoke("plan")
    print(f"run {out['run']}: {out['ops']} operations planned, {out['rejected']} CXone objects rejected (nothing written)\n")
    print_plan(h, out["run"], args.show)
    return 0


def local_apply(h: LocalExSync, args: argparse.Namespace) -> int:
    before = len(h.requests)
    started = time.perf_counter()
    out = h.run("apply", progress=_progress)
    print()
    summary = out["summary"]
    print(
        f"run {out.get('run')}: {out['outcome']} in {time.perf_counter() - started:.1f} s, {h.writes(before)} Genesys writes, {sum(h.calls(before).values())} calls\n"
    )
    print(counts_table(summary.get("results") or {}, "results"))
    mark = len(h.requests)
    again = h.run("sync")
    print(
        f"\nsecond run (nothing changed in CXone): {again['outcome']}, {h.writes(mark)} Genesys writes, {sum(h.calls(mark).values())} calls"
    )
    return 0 if not summary.get("failedObjects") and h.writes(mark) == 0 else 1


def local_drift(h: LocalExSync, args: argparse.Namespace) -> int:
    h.run("apply")
    org = h.org
    changed = []
    user = next(u for u in org.users.values() if u["title"])
    user["title"], user["version"] = "Changed in Genesys", user["version"] + 1
    changed.append("a user's title changed in Genesys")
    queue = next(iter(org.queues.values()))
    queue["name"] += " (renamed)"
    changed.append("a queue renamed in Genesys")
    code = next(iter(org.wrapup_codes))
    del org.wrapup_codes[code]
    changed.append("a wrap-up code deleted in Genesys")
    print("after the initial sync: " + "; ".join(changed) + "\n")
    out = h.invoke("drift")
    print(f"drift run {out['run']}: {out['differences']} objects differ (nothing written)\n")
    for r in h.store.records(out["run"]).values():
        if r.get("result") == "drift":
            print(f"  {r.get('action', ''):10} {r['sk'].replace('#', ' '):24} {r.get('why', '')}")
    return 0


def local_status(h: LocalExSync, args: argparse.Namespace) -> int:
    h.run("apply")
    return print_status(h.store, None, args.failed)


def print_status(store: Any, run: str | None, failed: bool) -> int:
    runs = [store.run(run)] if run else store.latest_runs(5)
    for s in runs:
        if not s:
            print("no such run")
            return 1
        total = sum(int(n) for n in (s.get("pages") or {}).values())
        print(
            f"{s['sk']}  {s.get('mode', ''):9} {s.get('status', ''):9} pages {len(s.get('donePages') or [])}/{total}  calls {s.get('genesysCalls', 0)}  failed {s.get('failedObjects', 0)}"
        )
    if runs and runs[0]:
        latest = runs[0]
        if latest.get("results"):
            print()
            print(counts_table(latest["results"], "results"))
        if failed:
            for r in store.records(latest["sk"]).values():
                if r.get("result") in ("failed", "rejected"):
                    print(f"  {r['result']:9} {r['sk'].replace('#', ' '):24} {r.get('why', '')}")
    return 0


def local_backfill(h: LocalExSync, args: argparse.Namespace) -> int:
    """Part 1 first (the id map part 2 resolves through), then the window, then what Genesys built."""
    h.run("sync")
    started = time.perf_counter()
    out = h.backfill(args.start, args.end, progress=_window_progress)
    print(f"\nbackfill {args.start} .. {args.end}: {out['outcome']} in {time.perf_counter() - started:.1f} s")
    print_feed(h.feed)
    for conv in h.conversations():
        print("\n" + conv.describe())
    again = h.backfill(args.start, args.end)
    print(f"\nthe same command again: {again.get('window')}")
    mark = len(h.requests)
    again = h.backfill(args.start, args.end, again=True)
    print(
        f"with --again: {again.get('contacts', 0)} contacts read, {again.get('already', 0)} chains already injected, "
        f"{again.get('queued', 0)} queued, {len(h.requests) - mark} Genesys calls"
    )
    return 0


def _window_progress(out: dict[str, Any]) -> None:
    print(f"\r  {out.get('contacts', 0)} contacts read, {out.get('queued', 0)} chains queued ({out['outcome']})", end="", flush=True)


def print_feed(feed: Any) -> None:
    """The conversation records: one line per CXone contact chain."""
    recordings = feed.rows("recording")
    for master, r in sorted(feed.rows("conversation").items()):
        recording = recordings.get(master) or {}
        rec = f"recording {recording.get('status')}" + (f" ({recording.get('format')})" if recording.get("format") else "")
        problems = f" [{', '.join(r['problems'])}]" if r.get("problems") else ""
        print(
            f"  contact {master}: {r['status']:8} {r.get('shape', ''):22} {r.get('events', 0):3} events  {rec if recording else ''}{problems}"
        )
    rejected = feed.rows("rejected")
    for r in rejected.values():
        print(f"  refused {r['kind']} {r['subject']}: {r['message']}")


LOCAL = {"plan": local_plan, "apply": local_apply, "drift": local_drift, "status": local_status, "backfill": local_backfill}


# -- a deployed configuration ------------------------------------------------------------------------


def cmd_deployed(args: argparse.Namespace) -> int:
    import boto3

    from definitions.naming import sync_function_name, sync_resource_name
    from functions.exsync.store import Store

    if args.exsync == "status":
        dynamodb = boto3.client("dynamodb", region_name=args.region)
        store = Store(
            dynamodb,
            sync_resource_name(args.prefix, "exsync", args.config, "runs"),
            sync_resource_name(args.prefix, "exsync", args.config, "state"),
        )
        return print_status(store, args.run, args.failed)
    if args.exsync == "backfill":
        return deployed_backfill(args)
    payload: dict[str, Any] = {"mode": args.exsync}
    if getattr(args, "run", None):
        payload["run"] = args.run
    fn = sync_function_name(args.prefix, "exsync-sync", args.config)
    resp = boto3.client("lambda", region_name=args.region).invoke(FunctionName=fn, Payload=json.dumps(payload).encode())
    body = json.loads(resp["Payload"].read() or b"null")
    print(json.dumps(body, indent=2))
    return 1 if resp.get("FunctionError") else 0


def deployed_backfill(args: argparse.Namespace) -> int:
    """Invoke the contacts poller in backfill mode until the window is done: each invocation goes on
    from the checkpoint the last one saved (so an interrupted backfill is resumed by running the
    same command again)."""
    import boto3

    from definitions.naming import sync_function_name

    client = boto3.client("lambda", region_name=args.region)
    fn = sync_function_name(args.prefix, "exsync-contacts-poll", args.config)
    event = {"mode": "backfill", "from": args.start, "to": args.end, "again": args.again}
    while True:
        resp = client.invoke(FunctionName=fn, Payload=json.dumps(event).encode())
        event["again"] = False
        body = json.loads(resp["Payload"].read() or b"null")
        if resp.get("FunctionError"):
            what = f"{body.get('errorType', 'error')}: {str(body.get('errorMessage', ''))[:300]}" if isinstance(body, dict) else "error"
            print(f"\n{fn} failed ({what}); its log has the details. Run the same command again to resume.", file=sys.stderr)
            return 1
        _window_progress(body)
        if body.get("outcome") != "continued":
            print()
            if body.get("outcome") != "done":
                print(f"{fn}: {body.get('outcome')}: {body.get('why', '')}", file=sys.stderr)
                return 1
            return 0


def cmd_mapping(args: argparse.Namespace) -> int:
    from functions.exsync.mapping import MappingError, default_document, parse

    if args.action == "show":
        print(json.dumps(default_document(), indent=2))
        return 0
    if not args.file:
        raise SystemExit("give the mapping document: ./dev exsync mapping validate|push FILE")
    doc = json.loads(Path(args.file).read_text())
    try:
        parse(doc)
    except MappingError as exc:
        print(f"{args.file}: not valid: {exc}", file=sys.stderr)
        return 1
    if args.action == "validate":
        print(f"{args.file}: valid")
        return 0
    import boto3

    from definitions.naming import sync_resource_name
    from functions.exsync.store import push_mapping

    table = sync_resource_name(args.prefix, "exsync", args.config, "mapping")
    version = push_mapping(boto3.client("dynamodb", region_name=args.region), table, doc, args.author)
    print(f"mapping version {version} is current in {table}")
    return 0


def _check_window(args: argparse.Namespace) -> str | None:
    """What is wrong with --from/--to, or None (checked before anything starts)."""
    import re

    from functions.exsync.feeds import parse_time

    form = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z?)?$")
    for flag, value in (("--from", args.start), ("--to", args.end)):
        if not form.match(value):
            return f"{flag} {value!r}: give a UTC date YYYY-MM-DD or a time YYYY-MM-DDTHH:MM[:SS]Z"
        try:
            parse_time(value)
        except ValueError:
            return f"{flag} {value!r}: not a real date"
    if parse_time(args.end) <= parse_time(args.start):
        return "--to must be after --from (the window is [from, to))"
    return None


def cmd_exsync(args: argparse.Namespace) -> int:
    if args.exsync == "mapping":
        return cmd_mapping(args)
    if args.exsync == "backfill" and (problem := _check_window(args)):
        print(problem, file=sys.stderr)
        return 2
    return cmd_deployed(args) if args.deployed else cmd_local(args)


def register(sub: Any) -> None:
    """The ``exsync`` command and its subcommands (called by local/cli.py)."""
    p = sub.add_parser("exsync", help="EX sync: plan, apply, drift, status (locally on the stand-ins, or --deployed), mapping documents")
    cmds = p.add_subparsers(dest="exsync", required=True)
    for name, text in (
        ("plan", "what a run would create, update and leave alone, and why (writes nothing)"),
        ("apply", "plan and apply (locally: then a second run, which must write nothing)"),
        ("drift", "compare both sides without writing (locally: after changing a few things in Genesys)"),
        ("status", "the latest runs, their progress and results"),
    ):
        c = cmds.add_parser(name, help=text)
        c.add_argument("--deployed", action="store_true", help="a deployed configuration (AWS credentials from the environment)")
        c.add_argument("--prefix", default="gda")
        c.add_argument("--config", default="default")
        c.add_argument("--region")
        c.add_argument("--run", help="apply: a stored plan (a plan run's id); status: one run")
        c.add_argument("--failed", action="store_true", help="status: list failed and rejected objects")
        c.add_argument("--agents", type=int, default=6, help="local: CXone agents to seed (above 50: a large business unit)")
        c.add_argument("--skills", type=int, default=300, help="local, large business unit: CXone skills")
        c.add_argument("--queues", type=int, default=200, help="local, large business unit: skills acting as queues")
        c.add_argument("--mapping", help="local: a mapping document to push first")
        c.add_argument("--show", type=int, default=15, help="plan: operations and left-alone objects to list")
        c.set_defaults(func=cmd_exsync)
    b = cmds.add_parser(
        "backfill",
        help="part 2: sync the CXone contacts (conversations and recordings) that started in a date range; resumable",
    )
    b.add_argument("--from", dest="start", required=True, help="start of the window: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (UTC)")
    b.add_argument("--to", dest="end", required=True, help="end of the window (exclusive), same format")
    b.add_argument("--again", action="store_true", help="read a window done before again (chains already injected are not sent)")
    b.add_argument("--deployed", action="store_true", help="a deployed configuration (AWS credentials from the environment)")
    b.add_argument("--prefix", default="gda")
    b.add_argument("--config", default="default")
    b.add_argument("--region")
    b.add_argument("--mapping", help="local: a mapping document to push first")
    b.set_defaults(func=cmd_exsync, agents=6)
    m = cmds.add_parser("mapping", help="the mapping document: show the default, validate or push one")
    m.add_argument("action", choices=["show", "validate", "push"])
    m.add_argument("file", nargs="?")
    m.add_argument("--prefix", default="gda")
    m.add_argument("--config", default="default")
    m.add_argument("--region")
    m.add_argument("--author", default="cli")
    m.set_defaults(func=cmd_exsync)
