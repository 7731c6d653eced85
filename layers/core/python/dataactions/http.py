"""One pooled httpx client per container, and requests bounded by the invocation's remaining time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.errors import BackendError, BackendTimeout

if TYPE_CHECKING:
    import httpx

USER_AGENT = "genesys-data-actions-bundle/1.0"


class HttpPool:
    """Lazily creates the container's httpx.Client (httpx is imported on first use, not at init)."""

    def __init__(self, transport: Any = None) -> None:
        self._client: httpx.Client | None = None
        self._transport = transport  # tests may inject an httpx transport
        self.connections_opened = 0

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

    def request(self, method: str, url: str, *, timeout: float, vendor: str, **kwargs: Any) -> httpx.Response:
        """Send one request; transport failures become data-free BackendError/BackendTimeout."""
        import httpx

        try:
            return self.client.request(method, url, timeout=timeout, **kwargs)
        except httpx.TimeoutException:
            raise BackendTimeout(f"{vendor} did not answer in time") from None
        except httpx.TransportError as exc:
            raise BackendError(f"{vendor} is unreachable ({type(exc).__name__})") from None

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
