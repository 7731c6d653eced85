"""Serving spyne SOAP applications from a LocalServer, with the checks a real SOAP gateway makes.

* SOAP 1.1 (``text/xml``) and SOAP 1.2 (``application/soap+xml``) requests go to the matching
  spyne application on the same path, as services that publish both bindings do;
* ``basic`` checks HTTP Basic credentials (401 with an HTML page otherwise, like most gateways);
* ``wsse`` checks the WS-Security UsernameToken (PasswordText or PasswordDigest with a fresh
  nonce and created time) and answers a ``wsse:FailedAuthentication`` fault otherwise;
* hooks let tests make the server misbehave (HTML error page, truncated XML, a DTD, slowness).
"""

from __future__ import annotations

import base64
import hashlib
import io
import time
from collections.abc import Callable
from typing import Any

from lxml import etree

from local.standins.server import Request, Response

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"
DIGEST = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def _wsgi(app: Any, req: Request, body: bytes) -> Response:
    environ = {
        "REQUEST_METHOD": req.method,
        "PATH_INFO": req.path,
        "QUERY_STRING": "&".join(f"{k}={v}" for k, v in req.query.items()),
        "CONTENT_TYPE": req.headers.get("content-type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "0",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "HTTP_SOAPACTION": req.headers.get("soapaction", ""),
    }
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        captured["status"], captured["headers"] = int(status.split()[0]), dict(headers)

    raw = b"".join(app(environ, start_response))
    headers = {k: v for k, v in captured["headers"].items() if k.lower() != "content-length"}
    return Response(captured["status"], raw=raw, headers=headers, content_type=headers.get("Content-Type", "text/xml"))


def fault(version: str, code: str, reason: str, status: int = 500) -> Response:
    if version == "1.2":
        xml = (
            f'<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="{SOAP12}" xmlns:wsse="{WSSE}"><env:Body>'
            f"<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode><env:Value>{code}</env:Value></env:Subcode></env:Code>"
            f'<env:Reason><env:Text xml:lang="en">{reason}</env:Text></env:Reason></env:Fault></env:Body></env:Envelope>'
        )
        return Response(status, raw=xml.encode(), content_type="application/soap+xml; charset=utf-8")
    xml = (
        f'<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="{SOAP11}" xmlns:wsse="{WSSE}"><soap:Body>'
        f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{reason}</faultstring></soap:Fault></soap:Body></soap:Envelope>"
    )
    return Response(status, raw=xml.encode(), content_type="text/xml; charset=utf-8")


def username_token_ok(envelope: bytes, username: str, password: str, seen_nonces: set[str]) -> bool:
    """Check the request's UsernameToken (text or digest, nonce not replayed, created within 5 min)."""
    try:
        root = etree.fromstring(envelope, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    except etree.XMLSyntaxError:
        return False
    token = root.find(f".//{{{WSSE}}}Security/{{{WSSE}}}UsernameToken")
    if token is None or token.findtext(f"{{{WSSE}}}Username") != username:
        return False
    pw = token.find(f"{{{WSSE}}}Password")
    if pw is None:
        return False
    if pw.get("Type") == DIGEST:
        nonce, created = token.findtext(f"{{{WSSE}}}Nonce") or "", token.findtext(f"{{{WSU}}}Created") or ""
        if not nonce or nonce in seen_nonces or not created:
            return False
        expected = base64.b64encode(hashlib.sha1(base64.b64decode(nonce) + created.encode() + password.encode()).digest()).decode()
        seen_nonces.add(nonce)
        return pw.text == expected
    return pw.text == password


class SoapGateway:
    """``app(request) -> Response`` in front of one spyne application per SOAP version."""

    def __init__(self, apps: dict[str, Any], *, auth: str, username: str, password: str) -> None:
        import logging

        from spyne.server.wsgi import WsgiApplication

        logging.getLogger("spyne").setLevel(logging.CRITICAL)  # spyne logs every Fault it sends with a traceback
        self.apps = {version: WsgiApplication(app) for version, app in apps.items()}
        self.auth, self.username, self.password = auth, username, password
        self.nonces: set[str] = set()
        self.misbehave: Callable[[Request], Response | None] | None = None  # tests: answer instead of the service
        self.delay_seconds = 0.0
        self.requests: list[bytes] = []

    def __call__(self, req: Request) -> Response:
        version = "1.2" if "application/soap+xml" in req.headers.get("content-type", "") else "1.1"
        if self.delay_seconds:
            time.sleep(self.delay_seconds)
        self.requests.append(req.body)
        if self.misbehave is not None:
            answer = self.misbehave(req)
            if answer is not None:
                return answer
        if self.auth == "basic":
            expected = "Basic " + base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
            if req.headers.get("authorization") != expected:
                return Response(
                    401,
                    raw=b"<html><body><h1>401 Unauthorized</h1></body></html>",
                    headers={"WWW-Authenticate": 'Basic realm="soap"'},
                    content_type="text/html",
                )
        if self.auth == "wsse" and not username_token_ok(req.body, self.username, self.password, self.nonces):
            return fault(version, "wsse:FailedAuthentication", "The security token could not be authenticated or authorized")
        if req.method == "GET":  # ?wsdl: what spyne itself publishes
            return _wsgi(self.apps["1.1"], req, b"")
        if version not in self.apps:
            return fault("1.1", "soap:VersionMismatch", "This endpoint speaks SOAP 1.1 only", 500)
        return _wsgi(self.apps[version], req, req.body)
