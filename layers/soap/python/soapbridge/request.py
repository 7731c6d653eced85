"""Call time, JSON -> SOAP: check a flow's inputs, then write the envelope the WSDL describes.

In the order a call runs it:

1. :func:`validate` (the runtime validating the input contract): each given field through its
   codec (:mod:`soapbridge.xsd`) and enumeration, then what the WSDL requires and the choices ->
   ``{flat: XML text}``. A ``ValueError`` lists (field, reason), never a value.
2. :func:`secret_values`: the SOAP header values the configuration's secret gives.
3. :func:`envelope`: Envelope, Header (the declared header blocks, then WS-Security), Body, written
   with lxml along the plan; :func:`http_headers`: the binding's Content-Type and SOAPAction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from lxml import etree

from dataactions.errors import ConfigurationError
from soapbridge.plan import Leaf, Node, OperationPlan

if TYPE_CHECKING:
    from soapbridge.config import SoapConfig

_sub = etree.SubElement


def text_of(leaf: Leaf, value: Any) -> str:
    """The XML text for ``value``, or ValueError with a data-free reason."""
    text = leaf.codec.write(value)
    if leaf.enum is not None and text not in leaf.enum:
        raise ValueError("must be one of " + ", ".join(leaf.enum[:12]))
    return text


def validate(plan: OperationPlan, payload: Mapping[str, Any]) -> dict[str, str]:
    """Flat input -> {flat: XML text}; raises ValueError listing (field, reason)."""
    values: dict[str, str] = {}
    problems: list[str] = []
    bad: set[str] = set()
    fields = plan.fields
    for name, value in payload.items():
        f = fields.get(name)
        if f is None or value is None:
            continue  # extra inputs (Genesys sends what the flow maps) are ignored
        if value == "" and not f.always_required:
            continue  # a flow passes "" for an empty variable: an optional field left out
        try:
            values[f.leaf.flat] = text_of(f.leaf, value)
        except ValueError as exc:
            problems.append(f"{name}: {exc}")
            bad.add(name)
    given = values.keys() | plan.secret_flats if plan.secret_flats else values.keys()
    for name, f in fields.items():
        if f.leaf.flat in given or name in bad or not f.leaf.required or f.choice is not None:
            continue
        if f.anchor is None or not f.anchor.isdisjoint(given):
            problems.append(
                f"{name}: required" if f.anchor is None else f"{name}: required with the other {name.rsplit('_', 1)[0]}_* fields"
            )
    for group, (required, branches, anchor) in plan.choice_groups.items():
        chosen = [b for b, flats in branches.items() if not flats.isdisjoint(given)]
        names = " or ".join(sorted({plan.display(min(flats)) for flats in branches.values()}))
        if len(chosen) > 1:
            problems.append(f"give only one of {names}")
        elif not chosen and required and (anchor is None or not anchor.isdisjoint(given)):
            problems.append(f"give one of {names}")
        elif chosen:  # required fields inside the chosen branch
            for f in fields.values():
                if (
                    f.choice == (group, chosen[0])
                    and f.leaf.required
                    and f.leaf.flat not in given
                    and (f.anchor is None or not f.anchor.isdisjoint(given))
                ):
                    problems.append(f"{f.name}: required")
    if problems:
        raise ValueError("; ".join(problems[:6]))
    return values


def secret_values(plan: OperationPlan, config: SoapConfig, service: str) -> dict[str, str]:
    """The SOAP header values declared ``secret:<key>``, from the secret's ``headers`` (never in errors)."""
    values: dict[str, str] = {}
    for header in plan.secret_headers:
        raw = config.headers.get(header.key)
        if raw is None:
            raise ConfigurationError(f"{service}: the secret has no headers.{header.key} (for the {header.path} SOAP header)")
        try:
            values[header.leaf.flat] = text_of(header.leaf, raw)
        except ValueError as exc:
            raise ConfigurationError(f"{service}: the secret's headers.{header.key} (for the {header.path} SOAP header) {exc}") from None
    return values


def envelope(plan: OperationPlan, values: Mapping[str, str], config: SoapConfig) -> bytes:
    """The request envelope: declared SOAP headers with a value, WS-Security when configured, the body."""
    env_ns = plan.envelope_ns
    env = etree.Element(f"{{{env_ns}}}Envelope", nsmap={"soap": env_ns})
    headers = plan.headers
    if headers is not None and not headers.flats.isdisjoint(values.keys()):
        _write(_sub(env, headers.tag), headers, values)
    if config.auth == "wsse":
        from zeep.wsse.username import UsernameToken  # zeep writes the UsernameToken (text or digest), after our headers

        UsernameToken(config.username, config.password, use_digest=config.password_digest).apply(env, {})
    request = plan.request
    _write(_sub(_sub(env, f"{{{env_ns}}}Body"), request.tag, nsmap=request.nsmap or None), request, values)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def _write(parent: Any, node: Node, values: Mapping[str, str]) -> None:
    for child in node.children:
        if isinstance(child, Leaf):
            text = values.get(child.flat)
            if text is None:
                continue
            if child.attribute:
                parent.set(child.tag, text)
            elif child.content:
                parent.text = text
            else:
                _sub(parent, child.tag).text = text
        elif child.required or not child.flats.isdisjoint(values.keys()):  # required wrappers even when empty
            _write(_sub(parent, child.tag, nsmap=child.nsmap) if child.nsmap else _sub(parent, child.tag), child, values)


def http_headers(plan: OperationPlan) -> dict[str, str]:
    """Content-Type and action of the binding: SOAP 1.1 ``SOAPAction``, SOAP 1.2 the ``action`` parameter."""
    if plan.soap_version == "1.2":
        action = f'; action="{plan.soap_action}"' if plan.soap_action else ""
        return {"Content-Type": f"application/soap+xml; charset=utf-8{action}", "Accept": "application/soap+xml, text/xml"}
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{plan.soap_action}"', "Accept": "text/xml"}
