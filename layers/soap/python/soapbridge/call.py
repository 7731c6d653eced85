"""One SOAP call: envelope out, safe parse in, faults and failures as concise errors."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from dataactions.errors import BackendError, ConfigurationError
from soapbridge.operation import SOAP11, SOAP12, OperationPlan
from soapbridge.plan import Mismatch
from soapbridge.wsdl import SAFE_PARSER

if TYPE_CHECKING:
    from dataactions import ActionContext
    from soapbridge.config import SoapConfig


class SoapFault(BackendError):
    """The service answered with a SOAP Fault: its code and reason, never our request."""

    code = "SOAP_FAULT"
    outcome = "soap_fault"

    def __init__(self, service: str, faultcode: str, faultstring: str) -> None:
        super().__init__(f"{service} SOAP fault {faultcode}: {faultstring}", faultcode=faultcode, faultstring=faultstring)
        self.faultcode = faultcode
        self.faultstring = faultstring


def envelope(plan: OperationPlan, body: Any, config: SoapConfig) -> bytes:
    env_ns = plan.envelope_ns
    env = etree.Element(f"{{{env_ns}}}Envelope", nsmap={"soap": env_ns})
    if config.auth == "wsse":
        from zeep.wsse.username import UsernameToken  # zeep writes the UsernameToken (text or digest)

        UsernameToken(config.username, config.password, use_digest=config.password_digest).apply(env, {})
    etree.SubElement(env, f"{{{env_ns}}}Body").append(body)
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


def headers(plan: OperationPlan) -> dict[str, str]:
    if plan.soap_version == "1.2":
        action = f'; action="{plan.soap_action}"' if plan.soap_action else ""
        return {"Content-Type": f"application/soap+xml; charset=utf-8{action}", "Accept": "application/soap+xml, text/xml"}
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{plan.soap_action}"', "Accept": "text/xml"}


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


def fault_of(body: Any) -> tuple[str, str] | None:
    """(faultcode, faultstring) when the body holds a SOAP 1.1 or 1.2 Fault."""
    fault = body.find(f"{{{SOAP11}}}Fault")
    if fault is not None:
        code = _local_value(fault.findtext("faultcode") or "")
        return code or "Server", (fault.findtext("faultstring") or "").strip()
    fault = body.find(f"{{{SOAP12}}}Fault")
    if fault is not None:
        parts, node = [], fault.find(f"{{{SOAP12}}}Code")
        while node is not None:
            parts.append(_local_value(node.findtext(f"{{{SOAP12}}}Value") or ""))
            node = node.find(f"{{{SOAP12}}}Subcode")
        reason = fault.findtext(f"{{{SOAP12}}}Reason/{{{SOAP12}}}Text") or ""
        return ".".join(p for p in parts if p) or "Receiver", reason.strip()
    return None


def _local_value(qname_text: str) -> str:
    text = qname_text.strip()
    return text.split(":", 1)[1] if ":" in text and not text.startswith("{") else text


def call(plan: OperationPlan, values: dict[str, str], ctx: ActionContext, config: SoapConfig, service: str) -> dict[str, Any]:
    url = config.endpoint or plan.address
    if not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"{service}: no endpoint; set 'endpoint' in the secret (the WSDL has none usable)")
    payload = envelope(plan, plan.body(values), config)
    status, content_type, data = ctx.http.post_limited(
        url,
        timeout=ctx.call_timeout(),
        vendor=service,
        max_bytes=config.max_response_bytes,
        content=payload,
        headers=headers(plan),
        auth=(config.username, config.password) if config.auth == "basic" else None,
    )
    return response(plan, status, content_type, data, service)


def response(plan: OperationPlan, status: int, content_type: str, data: bytes, service: str) -> dict[str, Any]:
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
            code, reason = fault
            if plan.not_found and any(code == nf or code.endswith("." + nf) for nf in plan.not_found):
                return {"found": False}
            raise SoapFault(service, code, reason[:300])
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
        return plan.read(first)
    except Mismatch as exc:
        raise BackendError(f"{service}: the response does not match the WSDL: {exc}") from None
