"""A local Authorize.Net: ``POST /xml/v1/request.api`` with ``createTransactionRequest`` (JSON API).

Speaks the documented wire format: a UTF-8 byte-order mark before the JSON, ``messages.resultCode``
Ok/Error with I00001/E000xx codes, ``transactionResponse.responseCode`` 1 approved, 2 declined,
3 error, 4 held for review, and reason codes in ``errors[].errorCode``. Cards follow the sandbox
processor's TEST_CARDS, so both processors tell the same story.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any

from functions.payments.processors import TEST_CARDS
from local.standins.server import LocalServer, Request, Response

BACKEND_KIND = "payments"
API_LOGIN_ID = "local-login"
TRANSACTION_KEY = "local-transaction-key"
BOM = "\ufeff".encode()


def _reply(body: dict[str, Any]) -> Response:
    return Response(200, raw=BOM + json.dumps(body).encode())


def _error(code: str, text: str, ref: str | None) -> Response:
    body: dict[str, Any] = {"messages": {"resultCode": "Error", "message": [{"code": code, "text": text}]}}
    if ref:
        body["refId"] = ref
    return _reply(body)


def app(req: Request, slow_seconds: float = 5.0) -> Response:
    if req.method != "POST" or req.path != "/xml/v1/request.api":
        return Response(404, raw=b"Not Found", content_type="text/plain")
    try:
        root = req.json()["createTransactionRequest"]
        auth = root["merchantAuthentication"]
        tx = root["transactionRequest"]
        card = tx["payment"]["creditCard"]
    except (ValueError, KeyError, TypeError):
        return _error("E00003", "The element is invalid or missing.", None)
    ref = root.get("refId")
    if auth.get("name") != API_LOGIN_ID or auth.get("transactionKey") != TRANSACTION_KEY:
        return _error("E00007", "User authentication failed due to invalid authentication values.", ref)
    if tx.get("transactionType") != "authOnlyTransaction":
        return _error("E00003", "The transactionType is not supported here.", ref)
    pan = str(card.get("cardNumber", ""))
    behaviour = TEST_CARDS.get(pan, "approved")
    if behaviour == "slow":
        time.sleep(slow_seconds)
        behaviour = "approved"
    account = {"accountNumber": "XXXX" + pan[-4:], "accountType": "Visa" if pan.startswith("4") else "Other"}
    if behaviour == "approved":
        trans = {
            "responseCode": "1",
            "authCode": secrets.token_hex(3).upper(),
            "avsResultCode": "Y",
            "cvvResultCode": "M",
            "transId": str(40000000000 + secrets.randbelow(10**9)),
            "refTransID": "",
            "transHash": "",
            "testRequest": "0",
            **account,
            "messages": [{"code": "1", "description": "This transaction has been approved."}],
        }
        return _reply(
            {
                "transactionResponse": trans,
                "refId": ref,
                "messages": {"resultCode": "Ok", "message": [{"code": "I00001", "text": "Successful."}]},
            }
        )
    if behaviour in ("declined", "insufficient_funds"):
        trans = {
            "responseCode": "2",
            "authCode": "",
            "avsResultCode": "P",
            "cvvResultCode": "",
            "transId": "0",
            **account,
            "errors": [{"errorCode": "2", "errorText": "This transaction has been declined."}],
        }
        return _reply(
            {
                "transactionResponse": trans,
                "refId": ref,
                "messages": {"resultCode": "Ok", "message": [{"code": "I00001", "text": "Successful."}]},
            }
        )
    # processor_error
    trans = {
        "responseCode": "3",
        "transId": "0",
        **account,
        "errors": [{"errorCode": "19", "errorText": "An error occurred during processing. Please try again."}],
    }
    return _reply(
        {
            "transactionResponse": trans,
            "refId": ref,
            "messages": {"resultCode": "Error", "message": [{"code": "E00027", "text": "The transaction was unsuccessful."}]},
        }
    )


def start() -> tuple[LocalServer, dict[str, dict]]:
    """Start the server; return it with the payments configurations that use it."""
    server = LocalServer("authorizenet", app).start()
    configs = {
        "sandbox": {"processor": "sandbox", "processorTimeoutSeconds": 1.5},
        "authorizenet": {
            "processor": "authorizenet",
            "apiLoginId": API_LOGIN_ID,
            "transactionKey": TRANSACTION_KEY,
            "endpoint": f"{server.url}/xml/v1/request.api",
            "merchantCurrency": "USD",
            "processorTimeoutSeconds": 1.5,
        },
    }
    return server, configs
