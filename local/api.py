"""``./dev serve``: a local HTTP API on localhost with a POST route per action, like the deployed
API Gateway (API key in ``x-api-key``, Lambda proxy integration, same status codes)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from functions import handler_for
from local.events import apigw_v1_event
from local.runner import invoke
from local.standins.server import match, routes, wsgi_server

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from werkzeug.serving import BaseWSGIServer


def _json(status: int, body: bytes) -> Response:
    return Response(body, status, content_type="application/json")


def make_server(port: int, api_key: str, actions: list[Any]) -> BaseWSGIServer:
    """The API on 127.0.0.1:``port`` (0: ephemeral), not yet serving (``serve_forever``)."""
    urls = routes(*(Rule(f"/{a.id}", endpoint=a.id, methods=["POST"]) for a in actions))

    def answer(req: Request) -> Response:
        if req.method != "POST":
            return _json(405, b'{"message":"Use POST"}')
        action_id, _ = match(urls, req)
        if action_id == "not_found":
            return _json(404, b'{"message":"Not Found"}')
        if api_key and req.headers.get("x-api-key") != api_key:
            return _json(403, b'{"message":"Forbidden"}')
        event = apigw_v1_event(action_id, req.get_data().decode("utf-8", "replace"), dict(req.headers.items()), stage="local")
        event["requestContext"]["requestId"] = str(uuid.uuid4())
        inv = invoke(action_id, event, correlation_id=None)
        if inv.function_error:  # API Gateway's answer to a crashed integration
            return _json(502, b'{"message":"Internal server error"}')
        resp = inv.payload
        return Response(resp["body"].encode(), resp["statusCode"], resp.get("headers") or {})

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return answer(Request(environ))(environ, start_response)

    return wsgi_server(app, port)


def serve(port: int, api_key: str, actions: list[Any]) -> int:
    """Start the stand-ins, point every action at them, and serve the API until interrupted."""
    from local.standins import StandIns

    with StandIns({a.backend.kind for a in actions}) as standins:
        for act in actions:
            handler_for(act.id).configure(standins.environ(act))
        server = make_server(port, api_key, actions)
        print(f"Local API on http://{server.host}:{server.port}  (x-api-key: {api_key or 'not required'})")
        for act in actions:
            print(f"  POST /{act.id}")
        server.serve_forever()  # werkzeug's: returns on Ctrl-C and closes the socket
    return 0
