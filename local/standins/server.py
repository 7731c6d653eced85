"""The stand-ins' HTTP layer: werkzeug requests, responses and URL maps, served threaded on
127.0.0.1:<ephemeral> over HTTP/1.1 keep-alive.

werkzeug's own development server answers ``Connection: close`` to every request (it cannot drain
an unread body before the next request line), so the handler here keeps werkzeug's environ and
replaces only the exchange: the request body is always read whole, the reply has a Content-Length,
and the connection stays open like the real vendors'.
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, RuleFactory
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler
from werkzeug.wrappers import Request as _Request
from werkzeug.wrappers import Response as _Response

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["LocalServer", "Request", "Response", "Route", "match", "routes", "wsgi_server"]


class Request(_Request):
    """werkzeug's request with the shorthands the stand-ins and their tests use."""

    @property
    def body(self) -> bytes:
        return self.get_data()

    @property
    def query(self) -> dict[str, str]:
        """Query parameters (the last value of a repeated name)."""
        return {k: v[-1] for k, v in self.args.lists()}

    @property
    def bearer(self) -> str:
        """The ``Authorization: Bearer`` token, or ''."""
        auth = self.authorization
        return (auth.token or "") if auth is not None and auth.type == "bearer" else ""

    def json(self) -> Any:  # a method, unlike werkzeug's property: the body parsed, a byte-order mark allowed
        return json.loads(self.get_data().decode("utf-8-sig"))


class Response(_Response):
    """``Response(status, body)`` for a JSON body, or ``raw=`` bytes with their ``content_type``."""

    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        if raw is None:
            raw = b"" if body is None else json.dumps(body).encode()
        headers = dict(headers or {})
        headers.setdefault("Content-Type", content_type)
        super().__init__(raw, status, headers)


Route = Callable[[Request], Response]


def routes(*rules: RuleFactory) -> Map:
    """A URL map as vendors match paths: a trailing slash optional, never a redirect."""
    return Map(list(rules), strict_slashes=False, merge_slashes=False)


def match(urls: Map, req: _Request) -> tuple[str, dict[str, Any]]:
    """(endpoint, path arguments) of the rule ``req`` matches; ("not_found", {}) when none does
    (a known path with another method included: the stand-ins answer that as their vendor's 404)."""
    try:
        endpoint, args = urls.bind_to_environ(req.environ).match()
    except HTTPException:
        return "not_found", {}
    return str(endpoint), dict(args)


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.on_connection()

    def run_wsgi(self) -> None:
        environ = self.make_environ()
        # the whole body now, whatever the app reads of it: the next request follows on this connection
        stream, length = environ["wsgi.input"], int(environ.get("CONTENT_LENGTH") or 0)
        environ["wsgi.input"] = io.BytesIO(stream.read() if environ.get("wsgi.input_terminated") else stream.read(length))
        answer: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], object]:
            answer[:] = [status, headers]
            return lambda data: None

        body = b"".join(self.server.app(environ, start_response))
        status, headers = answer
        self.send_response(int(status.split()[0]))  # with the standard reason phrase, not werkzeug's capitals
        for key, value in headers:
            self.send_header(key, value)
        if not any(key.lower() == "content-length" for key, _ in headers):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log(self, type: str, message: str, *args: Any) -> None:  # quiet: no access log
        pass


class _Server(ThreadedWSGIServer):
    block_on_close = False  # stop() does not wait for clients' idle keep-alive connections

    def __init__(self, port: int, app: WSGIApplication, on_connection: Callable[[], None]) -> None:
        super().__init__("127.0.0.1", port, app, handler=_Handler)
        self.on_connection = on_connection

    def handle_error(self, request: Any, client_address: Any) -> None:  # a client gave up (timeout tests)
        pass


def wsgi_server(app: WSGIApplication, port: int = 0, on_connection: Callable[[], None] = lambda: None) -> ThreadedWSGIServer:
    """A threaded keep-alive HTTP server for a WSGI app on 127.0.0.1 (``serve_forever`` to run it)."""
    return _Server(port, app, on_connection)


class LocalServer:
    """Serve ``app(request) -> Response`` on 127.0.0.1:<ephemeral>; counts requests and connections.

    ``app`` may be swapped at any time (tests wrap it to spy or time it)."""

    def __init__(self, name: str, app: Route) -> None:
        self.name = name
        self.app = app
        self.requests: list[tuple[str, str]] = []
        self.connections = 0
        self._httpd = wsgi_server(self._wsgi, on_connection=self._connected)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"local-{name}", daemon=True)

    def _connected(self) -> None:
        self.connections += 1

    def _wsgi(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        req = Request(environ)
        self.requests.append((req.method, req.path))
        try:
            resp = self.app(req)
        except Exception as exc:  # a bug in a stand-in: answer 500 like a vendor would
            resp = Response(500, {"error": "local backend failure", "type": type(exc).__name__})
        return resp(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def port(self) -> int:
        return self._httpd.port

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset_counters(self) -> None:
        self.requests.clear()
        self.connections = 0
