"""A tiny threaded HTTP server on 127.0.0.1 with an ephemeral port, for the local vendor stand-ins."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class Request:
    def __init__(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        parts = urlsplit(handler.path)
        self.method = handler.command
        self.path = parts.path
        self.query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        self.headers = {k.lower(): v for k, v in handler.headers.items()}
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8-sig"))


class Response:
    def __init__(
        self,
        status: int = 200,
        body: Any = None,
        headers: dict[str, str] | None = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
    ) -> None:
        self.status = status
        self.headers = dict(headers or {})
        if raw is None:
            raw = b"" if body is None else json.dumps(body).encode()
        self.raw = raw
        self.headers.setdefault("Content-Type", content_type)


Route = Callable[[Request], Response]


class LocalServer:
    """Serve ``app(request) -> Response`` on 127.0.0.1:<ephemeral>; counts requests and connections."""

    def __init__(self, name: str, app: Route) -> None:
        self.name = name
        self.app = app
        self.requests: list[tuple[str, str]] = []
        self.connections = 0
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # keep-alive, like the real vendors

            def setup(self) -> None:
                super().setup()
                outer.connections += 1

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                req = Request(self, self.rfile.read(length) if length else b"")
                outer.requests.append((req.method, req.path))
                try:
                    resp = outer.app(req)
                except Exception as exc:  # a bug in a local backend: answer 500 like a vendor would
                    resp = Response(500, {"error": "local backend failure", "type": type(exc).__name__})
                self.send_response(resp.status)
                for k, v in resp.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(resp.raw)))
                self.end_headers()
                self.wfile.write(resp.raw)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.handle_error = lambda request, client_address: None  # a client gave up (timeout tests)
        self._thread = threading.Thread(target=self._httpd.serve_forever, name=f"local-{name}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def reset_counters(self) -> None:
        self.requests.clear()
        self.connections = 0
