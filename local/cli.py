"""``./dev <command>``: run actions locally, serve the local API, run the demo, export definitions."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from functions import all_actions


def _actions(ids: list[str] | None) -> list[Any]:
    acts = all_actions()
    unknown = [i for i in ids or [] if i not in acts]
    if unknown:
        raise SystemExit(f"unknown action(s): {', '.join(unknown)}; see ./dev list")
    return [acts[i] for i in ids] if ids else list(acts.values())


def cmd_list(args: argparse.Namespace) -> int:
    for act in _actions(None):
        flags = " secure" if act.secure else ""
        print(f"{act.id:40} {act.backend.kind:12} {act.timeout_seconds:>3}s{flags}  {act.name}")
    return 0


def cmd_invoke(args: argparse.Namespace) -> int:
    from dataactions import log
    from local.runner import invoke
    from local.standins import StandIns

    act = _actions([args.action])[0]
    event = json.loads(Path(args.event).read_text()) if args.event else json.loads(sys.stdin.read())
    log.set_stream(sys.stderr)  # stdout carries exactly what the caller receives; the log line goes to stderr
    with StandIns({act.backend.kind}) as standins:
        from functions import handler_for

        handler_for(act.id).configure(standins.environ(act, args.config))
        inv = invoke(act.id, event, args.correlation_id)
    if inv.function_error:
        print("X-Amz-Function-Error: Unhandled", file=sys.stderr)
    print(json.dumps(inv.payload, indent=2))
    print(f"[{inv.kind}] {inv.outcome} in {inv.latency_ms:.1f} ms", file=sys.stderr)
    return 0 if inv.ok else 1


def cmd_demo(args: argparse.Namespace) -> int:
    """``./dev demo``: every data action, then every sync service demo; ``./dev demo <action|family> ...``: those."""
    from local import demos

    families = [a for a in args.actions if a in demos.demos()]
    args.actions = [a for a in args.actions if a not in families]
    status = 0
    if args.actions or not families:
        status = demo_actions(args)
    if families or not args.actions:
        status |= demos.run(families)
    return status


def demo_actions(args: argparse.Namespace) -> int:
    from dataactions import log
    from functions import handler_for
    from local.events import event_files, expectations
    from local.runner import DemoRow, check, invoke
    from local.standins import StandIns

    acts = _actions(args.actions)
    rows: list[DemoRow] = []
    log_path = Path("build/demo-function-logs.jsonl")
    log_path.parent.mkdir(exist_ok=True)
    log_file = log_path.open("w")
    log.set_stream(log_file)  # the functions' own log lines go to a file, the table to the terminal
    with StandIns({a.backend.kind for a in acts} | {"genesys"}) as standins:
        for act in acts:
            expected = expectations(act.id)
            for config in standins.config_names(act.backend.kind) or ["default"]:
                handler_for(act.id).configure(standins.environ(act, config))
                for ev in event_files(act.id):
                    inv = invoke(act.id, ev.load())
                    rows.append(
                        DemoRow(
                            act.id,
                            config,
                            ev.label,
                            ev.kind,
                            inv.outcome if ev.kind == "direct" else f"{inv.outcome} ({inv.status})",
                            inv.latency_ms,
                            check(inv, expected.get(ev.case, {})),
                        )
                    )
        from local.genesys_publish import demo_step

        publish_lines, publish_bad = demo_step(standins, acts)  # publish to the local Genesys, then its test endpoint
    widths = [
        max(len(x) for x in col)
        for col in zip(*[("action", "config", "event", "outcome")] + [(r.action_id, r.config, r.event, r.outcome) for r in rows])
    ]
    header = ("action", "config", "event", "outcome")
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)) + "  latency ms  check")
    print("-" * (sum(widths) + 26))
    for r in rows:
        cells = (r.action_id, r.config, r.event, r.outcome)
        mark = "ok" if not r.problems else "MISMATCH: " + "; ".join(r.problems)
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths)) + f"  {r.latency_ms:10.2f}  {mark}")
    log.set_stream(None)
    log_file.close()
    bad = [r for r in rows if r.problems]
    print("\nGenesys Cloud (local organization): publish through the Platform API, then Genesys' test endpoint")
    for line in publish_lines:
        print(f"  {line}")
    print(f"\nfunction log lines: {log_path}")
    print(f"{len(rows)} invocations across {len(acts)} actions: {len(rows) - len(bad)} as expected, {len(bad)} not")
    print(f"Genesys publish and test: {'as expected' if not publish_bad else f'{publish_bad} not as expected'}")
    return 1 if bad or publish_bad else 0


def cmd_serve(args: argparse.Namespace) -> int:
    from local.api import serve

    return serve(args.port, args.api_key, _actions(args.actions))


def cmd_export(args: argparse.Namespace) -> int:
    common: dict[str, Any] = {
        "outputs": Path(args.outputs) if args.outputs else None,
        "account": args.account,
        "region": args.region,
        "prefix": args.prefix,
        "partition": args.partition,
        "configs": args.config or [],
        "integration": args.integration,
        "api_url": args.api_url,
        "credential": args.credential,
        "response": args.response,
    }
    if args.format == "terraform":
        from local.genesys_publish import export_terraform

        paths = export_terraform(out=Path(args.out or "build/terraform"), **common)
        for path in paths:
            print(path)
        print(f"{len(paths)} Terraform files (CX as Code) written to {paths[0].parent}", file=sys.stderr)
        return 0
    from local.export import export

    args.out = args.out or "build/genesys"
    written = export(out=Path(args.out), **common)
    for path in written:
        print(path)
    print(f"{len(written)} definitions written to {args.out}", file=sys.stderr)
    return 0


def cmd_events(args: argparse.Namespace) -> int:
    """Write the API Gateway variants of a direct event (REST proxy and HTTP API)."""
    from local.events import ROOT, apigw_v1_event, http_api_event

    act = _actions([args.action])[0]
    source = ROOT / act.id / f"{args.case}.json"
    body = json.loads(source.read_text())
    (ROOT / act.id / f"{args.case}.apigw.json").write_text(json.dumps(apigw_v1_event(act.id, body), indent=2) + "\n")
    if args.http_api:
        (ROOT / act.id / f"{args.case}.http-api.json").write_text(json.dumps(http_api_event(act.id, body), indent=2) + "\n")
    return 0


def cmd_wsdl(args: argparse.Namespace) -> int:
    """Services, ports, operations of a WSDL and the contracts the SOAP bridge would derive."""
    from soapbridge.listing import describe, no_soap_ports, render
    from soapbridge.plan import PlanError
    from soapbridge.wsdl import WsdlError

    try:
        entries = describe(args.wsdl, args.operation, args.service, args.port)
        no_soap = None if entries else no_soap_ports(args.wsdl)
    except (PlanError, WsdlError) as exc:
        raise SystemExit(f"{args.wsdl}: {exc}") from None
    if no_soap:  # only HTTP GET/POST bindings: nothing the bridge can call, which is not an error
        if args.json:
            print("[]")
        print(no_soap, file=sys.stderr if args.json else sys.stdout)
        return 0
    if not entries:
        raise SystemExit(f"{args.wsdl}: no SOAP operation matches")
    print(json.dumps(entries, indent=2) if args.json else render(entries, full=bool(args.operation)))
    return 0


def action_table() -> str:
    """The README's action table, derived from the declarations."""
    from definitions.naming import route_path

    rows = ["| Action (Genesys name) | id / API route | backend | timeout | secure | events |", "|---|---|---|---|---|---|"]
    for act in _actions(None):
        rows.append(
            f"| {act.name} | `{act.id}` · `POST /{route_path(act.id)}` | {act.backend.kind} | {act.timeout_seconds}s "
            f"| {'yes' if act.secure else ''} | [events/{act.id}](events/{act.id}) |"
        )
    return "\n".join(rows)


def sync_table() -> str:
    """The README's sync function table, derived from the declarations."""
    from functions import all_syncs
    from syncs.declaration import Every, FromQueue, OnEvent

    def trigger(t: object) -> str:
        if isinstance(t, FromQueue):
            return f"queue `{t.queue}` (batches of {t.batch_size})"
        if isinstance(t, OnEvent):
            return f"EventBridge `{t.source}`: " + ", ".join(f"`{d}`" for d in t.detail_types)
        assert isinstance(t, Every)
        return f"every {t.minutes} min"

    rows = ["| Sync function | id | family | trigger | tables (read/write) | sends to | timeout |", "|---|---|---|---|---|---|---|"]
    for fn in all_syncs().values():
        tables = ", ".join(f"{t}{' (w)' if t in fn.writes else ''}" for t in fn.tables) or "-"
        rows.append(
            f"| {fn.name} | `{fn.id}` | {fn.family.kind} | {trigger(fn.trigger)} | {tables} | {', '.join(fn.sends_to) or '-'} | {fn.timeout_seconds}s |"
        )
    return "\n".join(rows)


README_START, README_END = "<!-- actions:start -->", "<!-- actions:end -->"
TABLES = {"actions": action_table, "syncs": sync_table}


def cmd_docs(args: argparse.Namespace) -> int:
    """Rewrite the derived tables in README.md (actions, sync functions) from the declarations."""
    path = Path(__file__).resolve().parent.parent / "README.md"
    text = path.read_text()
    for name, table in TABLES.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        head, _, rest = text.partition(start)
        _, _, tail = rest.partition(end)
        text = f"{head}{start}\n{table()}\n{end}{tail}"
    path.write_text(text)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="./dev", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("list", help="list the declared actions").set_defaults(func=cmd_list)

    p = sub.add_parser("invoke", help="invoke one action with an event file (direct or API Gateway, auto-detected)")
    p.add_argument("action")
    p.add_argument("--event", help="event file (default: stdin)")
    p.add_argument("--config", help="local backend configuration (default: the first)")
    p.add_argument("--correlation-id", default="local-invoke")
    p.set_defaults(func=cmd_invoke)

    p = sub.add_parser("demo", help="start the local stand-ins, run every event of every action, then every sync service demo")
    p.add_argument("actions", nargs="*")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("serve", help="local HTTP API with a route per action, like the deployed API Gateway")
    p.add_argument("--port", type=int, default=3000)
    p.add_argument("--api-key", default="local-api-key", help="required x-api-key value ('' disables the check)")
    p.add_argument("actions", nargs="*")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("export", help="write Genesys data action definitions (import format), or CX as Code (Terraform)")
    p.add_argument("--out", help="directory (default build/genesys, or build/terraform with --format terraform)")
    p.add_argument(
        "--format",
        choices=["json", "terraform"],
        default="json",
        help="json: one import file per action; terraform: the Genesys Cloud provider's integration, credential and actions",
    )
    p.add_argument("--outputs", help="cdk-outputs.json from 'cdk deploy --outputs-file'")
    p.add_argument("--account", help="AWS account id (without --outputs)")
    p.add_argument("--region", help="AWS region (without --outputs)")
    p.add_argument("--prefix", default="gda", help="resource prefix used at deploy time")
    p.add_argument("--partition", default="aws")
    p.add_argument("--config", action="append", help="extra named configuration, BACKEND:NAME (repeatable)")
    p.add_argument(
        "--integration",
        choices=["lambda", "webservices"],
        default="lambda",
        help="lambda: AWS Lambda data actions (function ARNs); webservices: custom-rest-actions calling the API routes",
    )
    p.add_argument("--api-url", help="API base URL for --integration webservices (default: the ApiUrl output)")
    p.add_argument("--credential", choices=["apikey", "basic"], default="apikey", help="web services credential type")
    p.add_argument(
        "--response",
        choices=["full", "selected", "subset"],
        default="full",
        help="web services response pattern: the full response, selected values (translation map + defaults), or the nested objects",
    )
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("events", help="generate the API Gateway variants of events/<action>/<case>.json")
    p.add_argument("action")
    p.add_argument("case")
    p.add_argument("--http-api", action="store_true")
    p.set_defaults(func=cmd_events)

    p = sub.add_parser("wsdl", help="list a WSDL's services, ports and operations with the contracts the SOAP bridge derives")
    p.add_argument("wsdl", help="path to a .wsdl file (its imports must sit next to it)")
    p.add_argument("--operation", help="one operation, with its full contracts")
    p.add_argument("--service")
    p.add_argument("--port")
    p.add_argument("--json", action="store_true", help="the contracts as JSON Schema")
    p.set_defaults(func=cmd_wsdl)

    from local import presence_cli

    presence_cli.register(sub)

    sub.add_parser("docs", help="regenerate the README action table from the declarations").set_defaults(func=cmd_docs)

    from local.genesys_publish import add_parser as add_genesys_parser

    add_genesys_parser(sub)

    from local.exsync_cli import register as register_exsync

    register_exsync(sub)

    args = parser.parse_args(argv)
    return int(args.func(args))
