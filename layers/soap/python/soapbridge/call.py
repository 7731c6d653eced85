"""One SOAP call: the envelope out (:mod:`soapbridge.request`), the answer in (:mod:`soapbridge.response`).

Never retried (SOAP operations are often not idempotent); the call gets the time the invocation
has left; the answer is capped at the secret's ``maxResponseBytes`` while it streams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataactions.errors import ConfigurationError
from soapbridge import request, response
from soapbridge.response import SoapFault

if TYPE_CHECKING:
    from dataactions import ActionContext
    from soapbridge.config import SoapConfig
    from soapbridge.plan import OperationPlan

__all__ = ["call", "SoapFault"]


def call(
    plan: OperationPlan, values: dict[str, str], ctx: ActionContext[SoapConfig], service: str, *, relay: bool = True
) -> dict[str, Any]:
    """Send one operation with validated ``values``; ``relay=False`` (secure actions) keeps the service's fault text out of errors."""
    config = ctx.config
    url = config.endpoint or plan.address
    if not url.startswith(("https://", "http://")):
        raise ConfigurationError(f"{service}: no endpoint; set 'endpoint' in the secret (the WSDL has none usable)")
    if plan.secret_headers:
        values = {**values, **request.secret_values(plan, config, service)}
    status, content_type, data = ctx.http.post_limited(
        url,
        timeout=ctx.call_timeout(),
        vendor=service,
        max_bytes=config.max_response_bytes,
        content=request.envelope(plan, values, config),
        headers=request.http_headers(plan),
        auth=(config.username, config.password) if config.auth == "basic" else None,
    )
    return response.read(plan, status, content_type, data, service, relay=relay)
