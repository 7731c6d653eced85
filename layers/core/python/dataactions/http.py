"""One pooled httpx client per container, and requests bounded by the invocation's remaining time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.errors import ActionError, BackendError, BackendTimeout

if TYPE_CHECKING:
    import httpx

USER_AGENT = "genesys-data-actions-bundle/1.0"


class HttpPool:
    """Lazily creates the container's httpx.Client (httpx is imported on first use, not at init)."""

    def __init__(self, transport: Any = None) -> None:
        self._client: httpx.Client | None = None
        self._transport = transport  # tests may inject an httpx transport

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            import httpx

            self._client = httpx.Client(
                transport=self._transport,
                limits=httpx.Limits(max_connections=20, max_keepalive_connections=20, keepalive_expiry=120),
                headers={"User-Agent": USER_AGENT},
                follow_redirects=False,
            )
        return self._client

    def request(self, method: str, url: str, *, timeout: float | None, vendor: str, **kwargs: Any) -> httpx.Response:
        """Send one request (``timeout`` None: no limit); transport failures become data-free
        BackendError/BackendTimeout."""
        import httpx

        try:
            return self.client.request(method, url, timeout=timeout, **kwargs)
        except httpx.TransportError as exc:
            raise _transport_failure(vendor, exc) from None

    def post_limited(self, url: str, *, timeout: float, vendor: str, max_bytes: int, **kwargs: Any) -> tuple[int, str, bytes]:
        """POST and read at most ``max_bytes`` of the answer: (status, content type, body).

        A bigger answer is refused before it is read into memory (declared length) or as soon as
        it passes the limit (streamed), so a runaway backend cannot exhaust the function's memory."""
        import httpx

        try:
            with self.client.stream("POST", url, timeout=timeout, **kwargs) as resp:
                declared = resp.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise BackendError(f"{vendor} answered with {int(declared)} bytes, more than the {max_bytes} allowed")
                chunks, size = [], 0
                for chunk in resp.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise BackendError(f"{vendor} answered with more than the {max_bytes} bytes allowed")
                    chunks.append(chunk)
                return resp.status_code, resp.headers.get("content-type", ""), b"".join(chunks)
        except httpx.TransportError as exc:
            raise _transport_failure(vendor, exc) from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None


def _transport_failure(vendor: str, exc: httpx.TransportError) -> ActionError:
    """An httpx transport failure as a data-free error: no answer in time, or no answer at all."""
    import httpx

    if isinstance(exc, httpx.TimeoutException):
        return BackendTimeout(f"{vendor} did not answer in time")
    return BackendError(f"{vendor} is unreachable ({type(exc).__name__})")
