"""The local CLI and local API, through their own doors (subprocess and HTTP)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx

from functions import all_actions
from local.api import make_server

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "events" / "validate-card-payment"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "local", *args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_invoke_prints_what_genesys_receives() -> None:
    ok = run_cli("invoke", "validate-card-payment", "--event", str(EVENTS / "approved-visa.json"))
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["approved"] is True
    err = run_cli("invoke", "validate-card-payment", "--event", str(EVENTS / "missing-fields.json"))
    assert err.returncode == 1 and "X-Amz-Function-Error: Unhandled" in err.stderr
    payload = json.loads(err.stdout)
    assert payload["errorType"] == "InvalidInput" and payload["errorMessage"].startswith("Invalid input")


def test_invoke_auto_detects_api_gateway_events() -> None:
    res = run_cli("invoke", "validate-card-payment", "--event", str(EVENTS / "invalid-luhn.apigw.json"), "--config", "authorizenet")
    payload = json.loads(res.stdout)
    assert payload["statusCode"] == 200 and json.loads(payload["body"])["reasonCode"] == "INVALID_CARD_NUMBER"


def test_local_api_routes_and_api_key(standins, configure) -> None:
    acts = list(all_actions().values())
    for act in acts:
        configure(act.id)
    server = make_server(0, "k3y", acts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        body = json.loads((EVENTS / "approved-visa.json").read_text())
        assert httpx.post(f"{base}/validate-card-payment", json=body).status_code == 403
        ok = httpx.post(f"{base}/validate-card-payment", json=body, headers={"x-api-key": "k3y", "ININ-Correlation-Id": "c-1"})
        assert ok.status_code == 200 and ok.json()["approved"] is True and ok.headers["x-correlation-id"] == "c-1"
        bad = httpx.post(f"{base}/validate-card-payment", content=b"{", headers={"x-api-key": "k3y"})
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_INPUT"
        assert httpx.post(f"{base}/nope", json={}, headers={"x-api-key": "k3y"}).status_code == 404
    finally:
        server.shutdown()
        server.server_close()


def test_list_names_every_action() -> None:
    out = run_cli("list").stdout
    assert all(action_id in out for action_id in all_actions())
