"""``./dev presence ...``: the presence rules document and the audit trail.

    ./dev presence rules validate rules.yaml        check a document (offline): every problem, naming the rule and field
    ./dev presence rules import-cxone cxone.json    CXone's own rule export (publisherStateMap/subscriberStateMap) as our document
    ./dev presence rules push rules.yaml [--config default] [--prefix gda] [--region R]
    ./dev presence rules pull [--version N]         the current (or a given) version
    ./dev presence audit --agent ID [--since 2026-12-03T08:00] [--until ...]

push/pull/audit talk to the deployed tables (``<prefix>-presence-<config>-rules`` / ``-audit``) with
your AWS credentials; ``--endpoint-url`` points them elsewhere (moto). A pushed version is applied
by the running functions within a minute, without a deploy.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def load(path: str) -> Any:
    text = Path(path).read_text()
    if path.endswith((".yaml", ".yml")):
        import yaml

        return yaml.safe_load(text)
    return json.loads(text)


def _table(args: argparse.Namespace, name: str) -> tuple[Any, str]:
    import boto3

    from definitions.naming import sync_resource_name

    client = boto3.client("dynamodb", region_name=args.region, endpoint_url=args.endpoint_url)
    return client, sync_resource_name(args.prefix, "presence", args.config, name)


def cmd_validate(args: argparse.Namespace) -> int:
    from functions.presence.rules import parse

    try:
        doc = parse(load(args.file))
    except (ValueError, OSError) as exc:
        problems = str(exc).split("; ")
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
        return 1
    sets = ", ".join(f"{n} ({len(r.publisher)} publisher, {len(r.subscriber)} subscriber)" for n, r in doc.rule_sets.items())
    print(f"{args.file}: valid for {doc.platform}, mode {doc.mode}; rule sets: {sets}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from functions.presence.rules import from_cxone, parse

    doc = from_cxone(load(args.file))
    parse(doc)
    print(json.dumps(doc, indent=2))
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from functions.presence.store import push_rules

    if cmd_validate(args):
        return 1
    client, table = _table(args, "rules")
    version = push_rules(client, table, load(args.file), args.author)
    print(f"pushed version {version} to {table}; the functions apply it within a minute")
    return 0


def cmd_pull(args: argparse.Namespace) -> int:
    from functions.presence.store import pull_rules

    client, table = _table(args, "rules")
    doc = pull_rules(client, table, args.version)
    if doc is None:
        print(f"no rules in {table}" + (f" at version {args.version}" if args.version else ""), file=sys.stderr)
        return 1
    print(json.dumps(doc, indent=2))
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from functions.presence.store import audit_trail

    client, table = _table(args, "audit")
    for row in audit_trail(client, table, args.agent, args.since or "", args.until or "~"):
        when = row["sk"].split("#", 1)[0]
        print(
            f"{when}  {row.get('side', ''):2} {row.get('origin', ''):9} {row.get('state', ''):26} {row.get('outcome', ''):15} "
            f"{row.get('rule', '-') or '-':24} {row.get('write', '-') or '-'}  {row.get('latencyMs', '')}  ({row.get('why', '')})"
        )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("presence", help="presence sync: rules (validate, import, push, pull) and the audit trail")
    inner = p.add_subparsers(dest="presence_command", required=True)

    def aws(q: argparse.ArgumentParser) -> None:
        q.add_argument("--prefix", default="gda")
        q.add_argument("--config", default="default", help="the named configuration (presence:<config>)")
        q.add_argument("--region")
        q.add_argument("--endpoint-url", help="another DynamoDB endpoint (moto)")

    rules = inner.add_parser("rules", help="the rules document").add_subparsers(dest="rules_command", required=True)
    q = rules.add_parser("validate", help="check a document (JSON or YAML) offline")
    q.add_argument("file")
    q.set_defaults(func=cmd_validate)
    q = rules.add_parser("import-cxone", help="convert CXone's rule export to a rules document (printed)")
    q.add_argument("file")
    q.set_defaults(func=cmd_import)
    q = rules.add_parser("push", help="validate, then store as the next version and make it current")
    q.add_argument("file")
    q.add_argument("--author", default="cli")
    aws(q)
    q.set_defaults(func=cmd_push)
    q = rules.add_parser("pull", help="print the current (or --version N) document")
    q.add_argument("--version", type=int)
    aws(q)
    q.set_defaults(func=cmd_pull)
    q = inner.add_parser("audit", help="an agent's decisions, oldest first")
    q.add_argument("--agent", required=True, help="contact-center agent id")
    q.add_argument("--since", help="ISO time")
    q.add_argument("--until", help="ISO time")
    aws(q)
    q.set_defaults(func=cmd_audit)
