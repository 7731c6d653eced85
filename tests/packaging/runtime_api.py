"""A local AWS Lambda Runtime API (2018-06-01), enough for the real runtime interface client.

It hands out queued events from ``/runtime/invocation/next`` with the headers Lambda sends, and
records what the function posts to ``/response`` and ``/error`` (and ``/init/error``).
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class RuntimeApi:
    def __init__(self, function_arn: str, timeout_seconds: int) -> None:
        self.pending: queue.Queue[tuple[str, Any, dict]] = queue.Queue()
        self.results: dict[str, tuple[str, Any, dict[str, str]]] = {}
        self.init_error: Any = None
        self.done = threading.Condition()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _reply(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if not self.path.endswith("/runtime/invocation/next"):
                    return self._reply(404)
                request_id, event, client_context = outer.pending.get()
                headers = {
                    "Content-Type": "application/json",
                    "Lambda-Runtime-Aws-Request-Id": request_id,
                    "Lambda-Runtime-Deadline-Ms": str(int((time.time() + timeout_seconds) * 1000)),
                    "Lambda-Runtime-Invoked-Function-Arn": function_arn,
                    "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000;Sampled=0",
                }
                if client_context:
                    headers["Lambda-Runtime-Client-Context"] = json.dumps(client_context)
                self._reply(200, json.dumps(event).encode(), headers)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = self.path.split("/")
                if self.path.endswith("/init/error"):
                    outer.init_error = json.loads(body or b"null")
                elif parts[-1] in ("response", "error"):
                    with outer.done:
                        outer.results[parts[-2]] = (parts[-1], json.loads(body or b"null"), dict(self.headers.items()))
                        outer.done.notify_all()
                else:
                    return self._reply(404)
                self._reply(202, b'{"status":"OK"}', {"Content-Type": "application/json"})

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def invoke(self, event: Any, client_context: dict | None = None, timeout: float = 60) -> tuple[str, Any, dict[str, str]]:
        request_id = str(uuid.uuid4())
        self.pending.put((request_id, event, client_context or {}))
        deadline = time.monotonic() + timeout
        with self.done:
            while request_id not in self.results:
                if self.init_error is not None:
                    raise AssertionError(f"function failed to initialise: {self.init_error}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError("no answer from the function")
                self.done.wait(min(left, 0.5))
        return self.results[request_id]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
