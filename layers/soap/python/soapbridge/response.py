"""Call time, SOAP -> JSON: one HTTP answer becomes the action's output, or the error that says why not.

In the order :func:`read` runs it: parse safely (no DTD, no entities, no network); find the
Envelope's Body; a Fault becomes :class:`SoapFault` (or ``{"found": false}`` for a declared
not-found code); HTTP errors and non-SOAP answers become concise ``BackendError``s; otherwise the
body's element is read along the plan (:func:`read_body`), each simple value through its codec.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree

from dataactions.errors import BackendError
from soapbridge.plan import SOAP11, SOAP12, Leaf, Node, OperationPlan, local_name
from soapbridge.wsdl import SAFE_PARSER

XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
_FAULT_CODE = re.compile(r"[^\w.:-]")


class Mismatch(ValueError):
    """The response does not match what the WSDL says (raised per call, names the path)."""


class Fault:
    """A SOAP Fault as read from the body, in SOAP 1.1 terms (1.2's Code/Subcode, Reason, Role, Detail)."""

    __slots__ = ("code", "reason", "actor", "detail")

    def __init__(self, code: str, reason: str, actor: str | None, detail: Any | None) -> None:
        self.code = code  # local values joined by dots: "Client.AccountClosed", "Sender.NumberTooLarge"
        self.reason = reason
        self.actor = actor  # 1.1 faultactor, 1.2 Role
        self.detail = detail  # the detail element (a detached copy), or None


class SoapFault(BackendError):
    """The service answered with a SOAP Fault.

    ``faultcode``, ``faultstring``, ``faultactor`` and ``detail`` hold what the service said (SOAP
    1.2: Code with its Subcodes, Reason, Role, Detail). The message and the API body carry the code
    and the reason (``faultcode``, ``faultstring``) and never our request. For a *secure* action
    the service's text is not relayed anywhere (a reason or detail may echo request data): the
    message and body carry only the service name and the code, and the reason, actor and detail
    are dropped.
    """

    code = "SOAP_FAULT"
    outcome = "soap_fault"

    def __init__(self, service: str, fault: Fault, *, relay: bool = True) -> None:
        self.faultcode = fault.code
        if relay:
            super().__init__(f"{service} SOAP fault {fault.code}: {fault.reason}", faultcode=fault.code, faultstring=fault.reason)
            self.faultstring, self.faultactor, self.detail = fault.reason, fault.actor, fault.detail
        else:
            super().__init__(f"{service} SOAP fault {fault.code}", faultcode=fault.code)
            self.faultstring, self.faultactor, self.detail = "", None, None


def read(plan: OperationPlan, status: int, content_type: str, data: bytes, service: str, *, relay: bool = True) -> dict[str, Any]:
    """The JSON output for one HTTP answer, or the error that says why there is none."""
    looks_xml = data.lstrip()[:1] == b"<" or data[:2] in (b"\xff\xfe", b"\xfe\xff")
    root = body = None
    if looks_xml:
        try:
            root = parse_xml(data, service)
        except BackendError:
            if status == 200 or _has_doctype(data):
                raise
        if root is not None and root.tag in (f"{{{SOAP11}}}Envelope", f"{{{SOAP12}}}Envelope"):
            body = root.find(f"{{{root.tag[1:].split('}')[0]}}}Body")
    if body is not None:
        fault = fault_of(body)
        if fault is not None:
            if plan.not_found and any(fault.code == nf or fault.code.endswith("." + nf) for nf in plan.not_found):
                return {"found": False}
            raise SoapFault(service, fault, relay=relay)
    if status in (401, 403):
        raise BackendError(f"{service} refused the credentials (HTTP {status})")
    if status != 200:
        raise BackendError(f"{service} answered HTTP {status}")
    if not looks_xml:
        raise BackendError(f"{service} answered with something that is not XML ({content_type.split(';')[0] or 'no content type'})")
    if root is None or body is None:
        raise BackendError(f"{service} answered with XML that is not a SOAP envelope")
    first = next((child for child in body if isinstance(child.tag, str)), None)
    if first is None:
        if plan.response is None:
            return {}
        raise BackendError(f"{service}: the response does not match the WSDL: the body is empty")
    try:
        return read_body(plan, first)
    except Mismatch as exc:
        raise BackendError(f"{service}: the response does not match the WSDL: {exc}") from None


def parse_xml(data: bytes, service: str) -> Any:
    """The document element, or a clear error: DTD/entities (refused before and after parsing), malformed."""
    if _has_doctype(data):
        raise BackendError(f"{service} answered with a DTD; refused (DTDs and entities are not accepted)")
    try:
        root = etree.fromstring(data, SAFE_PARSER)  # and the response size is capped before parsing
    except etree.XMLSyntaxError:
        raise BackendError(f"{service} answered with malformed XML") from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # e.g. a UTF-16 document the byte scan cannot read
        raise BackendError(f"{service} answered with a DTD; refused (DTDs and entities are not accepted)")
    return root


def _has_doctype(data: bytes) -> bool:
    head = data[:8192]
    return b"<!DOCTYPE" in head.upper() or "<!DOCTYPE".encode("utf-16-le") in head or "<!DOCTYPE".encode("utf-16-be") in head


def fault_of(body: Any) -> Fault | None:
    """The Fault in a SOAP 1.1 or 1.2 body, if there is one."""
    fault = body.find(f"{{{SOAP11}}}Fault")
    if fault is not None:
        return Fault(
            _code(_local_value(fault.findtext("faultcode") or "")) or "Server",
            (fault.findtext("faultstring") or "").strip()[:300],
            (fault.findtext("faultactor") or "").strip() or None,
            _detached(fault.find("detail")),
        )
    fault = body.find(f"{{{SOAP12}}}Fault")
    if fault is not None:
        parts, node = [], fault.find(f"{{{SOAP12}}}Code")
        while node is not None:
            parts.append(_local_value(node.findtext(f"{{{SOAP12}}}Value") or ""))
            node = node.find(f"{{{SOAP12}}}Subcode")
        return Fault(
            _code(".".join(p for p in parts if p)) or "Receiver",
            (fault.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text") or "").strip()[:300],
            (fault.findtext(f"{{{SOAP12}}}Role") or "").strip() or None,
            _detached(fault.find(f"{{{SOAP12}}}Detail")),
        )
    return None


def _local_value(qname_text: str) -> str:
    text = qname_text.strip()
    return text.split(":", 1)[1] if ":" in text and not text.startswith("{") else text


def _code(text: str) -> str:
    """A fault code as we relay it: QName characters only, bounded (it goes into messages)."""
    return _FAULT_CODE.sub("", text)[:120]


def _detached(el: Any) -> Any:
    return copy.deepcopy(el) if el is not None else None


def read_body(plan: OperationPlan, body_child: Any) -> dict[str, Any]:
    """The output for the body's element: read along the response plan, ``output_root`` applied."""
    response = plan.response
    if response is None:
        return {}
    if body_child.tag != response.tag:
        raise Mismatch(f"expected {local_name(response.tag)} in the body, got {local_name(body_child.tag)}")
    data: Any = _read_node(response, body_child)
    for key in plan.output_root:
        if key not in data:
            raise Mismatch(f"{key} is missing")
        data = data[key]
    if not isinstance(data, dict):
        data = {"items": data}
    if plan.not_found:
        data = {"found": True, **data}
    return data


def _read_node(node: Node, el: Any) -> Any:
    if node.unwrap:  # an ArrayOfX wrapper: the array of its one repeated child
        inner = node.children[0]
        return [_read_one(inner, child) for child in el if child.tag == inner.tag and child.get(XSI_NIL) not in ("true", "1")]
    out: dict[str, Any] = {}
    by_tag = node.by_tag
    for child in el:
        spec = by_tag.get(child.tag)
        if spec is None or child.get(XSI_NIL) in ("true", "1"):
            continue  # elements the WSDL does not declare (services add fields) and nil ones
        value = _read_one(spec, child)
        if spec.repeated:
            items = out.get(spec.key)
            if items is None:
                out[spec.key] = [value]
            else:
                items.append(value)
        else:
            out[spec.key] = value
    for key in node.array_keys:  # arrays are always present, empty when the elements are absent
        if key not in out:
            out[key] = []
    for attr in node.attrs:
        raw = el.get(attr.tag)
        if raw is not None:
            out[attr.key] = _read_one(attr, raw)
    if node.content is not None:
        out[node.content.key] = _read_one(node.content, el.text or "")
    for key in node.required_keys:
        if key not in out:
            raise Mismatch(f"the required element {key!r} is missing")
    return out


def _read_one(spec: Leaf | Node, el: Any) -> Any:
    try:
        if isinstance(spec, Node):
            return _read_node(spec, el)
        return spec.read(el if isinstance(el, str) else (el.text or ""))
    except Mismatch as exc:
        if str(exc).startswith("in "):
            raise Mismatch(f"in {spec.key}.{str(exc)[3:]}") from None
        raise Mismatch(f"in {spec.key}: {exc}") from None
    except ValueError as exc:  # a codec's data-free reason
        raise Mismatch(f"in {spec.key}: {exc}") from None
