"""``./dev serve``: a local HTTP API on localhost with a POST route per action, like the deployed
API Gateway (API key in ``x-api-key``, Lambda proxy integration, same status codes)."""

from __future__ import annotations

import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from functions import handler_for
from local.events import apigw_v1_event
from local.runner import invoke


def make_server(port: int, api_key: str, actions: list[Any]) -> ThreadingHTTPServer:
    routes = {f"/{a.id}": a for a in actions}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
            act = routes.get(self.path.split("?")[0].rstrip("/"))
            if act is None:
                return self._send(404, b'{"message":"Not Found"}', {"Content-Type": "application/json"})
            if api_key and self.headers.get("x-api-key") != api_key:
                return self._send(403, b'{"message":"Forbidden"}', {"Content-Type": "application/json"})
            event = apigw_v1_event(act.id, body, dict(self.headers.items()), stage="local")
            event["requestContext"]["requestId"] = str(uuid.uuid4())
            inv = invoke(act.id, event, correlation_id=None)
            if inv.function_error:  # API Gateway's answer to a crashed integration
                return self._send(502, b'{"message":"Internal server error"}', {"Content-Type": "application/json"})
            resp = inv.payload
            self._send(resp["statusCode"], resp["body"].encode(), resp.get("headers") or {})

        def do_GET(self) -> None:
            self._send(405, b'{"message":"Use POST"}', {"Content-Type": "application/json"})

        def log_message(self, fmt: str, *args: Any) -> None:
            pass

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def serve(port: int, api_key: str, actions: list[Any]) -> int:
    from local.standins import StandIns

    with StandIns({a.backend.kind for a in actions}) as standins:
        for act in actions:
            handler_for(act.id).configure(standins.environ(act))
        server = make_server(port, api_key, actions)
        host, real_port = server.server_address[:2]
        print(f"Local API on http://{host}:{real_port}  (x-api-key: {api_key or 'not required'})")
        for act in actions:
            print(f"  POST /{act.id}")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
    return 0
