"""What a WSDL offers, as the bridge sees it: services, ports, operations and derived contracts.

``./dev wsdl <file.wsdl> [--operation NAME] [--json]`` prints this so a user can pick operations
(and inputs/outputs to keep) without reading XML Schema.
"""

from __future__ import annotations

from typing import Any

from soapbridge.compile import SOAP_BINDINGS, compile_operation
from soapbridge.contracts import header_schema, input_schema, output_schema
from soapbridge.plan import PlanError
from soapbridge.wsdl import WsdlError, load


def describe(wsdl: str, operation: str | None = None, service: str | None = None, port: str | None = None) -> list[dict[str, Any]]:
    """One entry per (service, SOAP port, operation): binding facts and both contracts (or why not)."""
    document, _ = load(wsdl)
    out = []
    for service_name, svc in document.services.items():
        if service and service_name != service:
            continue
        for port_name, p in svc.ports.items():
            kind = type(p.binding).__name__
            if kind not in SOAP_BINDINGS or (port and port_name != port):
                continue
            for op_name in p.binding._operations:
                if operation and op_name != operation:
                    continue
                entry: dict[str, Any] = {
                    "service": service_name,
                    "port": port_name,
                    "operation": op_name,
                    "soap": "1.2" if kind == "Soap12Binding" else "1.1",
                }
                try:
                    plan = compile_operation(wsdl, service_name, port_name, op_name)
                except (PlanError, WsdlError) as exc:
                    entry["problem"] = str(exc)
                else:
                    entry.update(
                        style=plan.style,
                        address=plan.address,
                        soapAction=plan.soap_action,
                        input=input_schema(plan),
                        output=output_schema(plan),
                    )
                    if plan.available_headers:
                        entry["headers"] = header_schema(plan)
                out.append(entry)
    return out


def render(entries: list[dict[str, Any]], *, full: bool = False) -> str:
    lines: list[str] = []
    last: tuple[str, str] | None = None
    for e in entries:
        if (e["service"], e["port"]) != last:
            last = (e["service"], e["port"])
            lines.append(f"{e['service']} / {e['port']}  SOAP {e['soap']}  {e.get('style', '?')}/literal  {e.get('address', '')}")
        lines.append(f"  {e['operation']}")
        if "problem" in e:
            lines.append(f"    not usable: {e['problem']}")
            continue
        fields = _inputs(e["input"])
        limit = None if full else 12
        shown = fields if limit is None else fields[:limit]
        lines.append(
            "    input : " + (", ".join(shown) or "(none)") + (f", ... {len(fields) - len(shown)} more" if len(shown) < len(fields) else "")
        )
        lines.append("    output: " + _shape(e["output"], depth=0 if full else 2, full=full))
        if "headers" in e:  # what headers={...} may name: "input" or "secret:<key>"
            lines.append("    SOAP headers: " + ", ".join(_inputs(e["headers"])))
    return "\n".join(lines)


def no_soap_ports(wsdl: str) -> str | None:
    """Why a WSDL lists nothing when it has no SOAP port at all (HTTP GET/POST bindings only), else None."""
    document, _ = load(wsdl)
    ports = [(name, type(p.binding).__name__) for svc in document.services.values() for name, p in svc.ports.items()]
    if any(kind in SOAP_BINDINGS for _, kind in ports):
        return None
    if not ports:
        return f"{wsdl}: the WSDL declares no service port; nothing to list"
    others = ", ".join(f"{name} ({_BINDING_NAMES.get(kind, kind)})" for name, kind in ports)
    return f"{wsdl}: no SOAP port, so nothing to list: the ports are {others}; the SOAP bridge calls SOAP 1.1 and 1.2 ports only"


_BINDING_NAMES = {"HttpGetBinding": "HTTP GET", "HttpPostBinding": "HTTP POST"}


def _inputs(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema["properties"].items():
        text = f"{name} {prop['type']}"
        if "enum" in prop:
            text += "(" + "|".join(map(str, prop["enum"][:6])) + ("|..." if len(prop["enum"]) > 6 else "") + ")"
        out.append(text + ("" if name in required else "?"))
    return out


def _shape(schema: dict[str, Any], *, depth: int, full: bool) -> str:
    kind = schema.get("type")
    if kind == "array":
        return "[" + _shape(schema["items"], depth=depth, full=full) + "]"
    if kind != "object":
        return str(kind)
    props = schema.get("properties", {})
    if not props:
        return "{}"
    if not full and depth >= 4:
        return "{...}"
    required = set(schema.get("required", []))
    parts = [f"{k}{'' if k in required else '?'}: {_shape(v, depth=depth + 1, full=full)}" for k, v in props.items()]
    return "{" + ", ".join(parts) + "}"
