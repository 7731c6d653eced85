"""The local stand-ins: servers that speak each vendor's wire format, started together on ephemeral localhost ports.

* moto's Secrets Manager (its HTTP server) holds one secret per local backend configuration,
  named ``local/<backend>/<config>`` exactly as deployed secrets are named ``<prefix>/<backend>/<config>``;
* a local Parameters and Secrets Extension in front of it, so functions read secrets the way they
  do in Lambda (over localhost HTTP, no boto3);
* one vendor-format server per backend family: each module here with ``BACKEND_KIND`` and ``start()``.

Functions are pointed at them only through their environment (DA_SECRET_ID and the extension
port), the same configuration path as production.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dataactions.declaration import Action
    from local.standins.server import LocalServer

SESSION_TOKEN = "local-session-token"
REGION = "us-east-1"


def vendor_modules() -> dict[str, Any]:
    """Local backend module per backend kind."""
    out = {}
    for info in pkgutil.iter_modules(__path__):
        mod = importlib.import_module(f"{__name__}.{info.name}")
        kind = getattr(mod, "BACKEND_KIND", None)
        if kind:
            out[kind] = mod
    return out


class StandIns:
    """Context manager: start everything, seed the secrets, hand out function environments."""

    def __init__(self, kinds: set[str] | None = None) -> None:
        self.kinds = kinds
        self.servers: dict[str, LocalServer] = {}
        self.configs: dict[str, dict[str, dict[str, Any]]] = {}
        self._moto: Any = None
        self.secretsmanager: Any = None
        self.extension: LocalServer | None = None

    def __enter__(self) -> StandIns:
        import logging

        import boto3
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log

        self._moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self._moto.start()
        host, port = self._moto.get_host_and_port()
        self.moto_url = f"http://{host}:{port}"
        self.secretsmanager = boto3.client(
            "secretsmanager",
            region_name=REGION,
            endpoint_url=self.moto_url,
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        from local.standins import secrets_extension

        self.extension = secrets_extension.start(self.secretsmanager, SESSION_TOKEN)
        for kind, mod in vendor_modules().items():
            if self.kinds is not None and kind not in self.kinds:
                continue
            server, configs = mod.start()
            self.servers[kind] = server
            self.configs[kind] = configs
            for name, secret in configs.items():
                self.secretsmanager.create_secret(Name=self.secret_name(kind, name), SecretString=json.dumps(secret))
        return self

    def __exit__(self, *exc: Any) -> None:
        # moto keeps one store per process: leave it as found, so another set of stand-ins can start
        for page in self.secretsmanager.get_paginator("list_secrets").paginate():
            for secret in page["SecretList"]:
                if secret["Name"].startswith("local/"):
                    self.secretsmanager.delete_secret(SecretId=secret["ARN"], ForceDeleteWithoutRecovery=True)
        for server in self.servers.values():
            server.stop()
        if self.extension:
            self.extension.stop()
        if self._moto:
            self._moto.stop()

    @staticmethod
    def secret_name(kind: str, config: str) -> str:
        return f"local/{kind}/{config}"

    def config_names(self, kind: str) -> list[str]:
        return list(self.configs.get(kind, {}))

    def environ(self, action: Action, config: str | None = None) -> dict[str, str]:
        """The function environment for ``action`` against local configuration ``config``."""
        kind = action.backend.kind
        config = config or (self.config_names(kind) or ["default"])[0]
        env = {
            "AWS_REGION": REGION,
            "AWS_LAMBDA_FUNCTION_NAME": f"local-{action.id}",
            "AWS_SESSION_TOKEN": SESSION_TOKEN,
            "DA_CONFIG_NAME": config,
            "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": str(self.extension.port if self.extension else ""),
        }
        if action.backend.config_model is not None:
            env["DA_SECRET_ID"] = self.secret_name(kind, config)
        return env
