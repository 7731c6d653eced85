"""Card payment validation: no card data anywhere, and Authorize.Net's wire format both ways."""

from __future__ import annotations

import json
import logging
import re

import pytest

from dataactions.errors import ActionError, BackendError
from functions import all_actions
from local.context import LocalContext
from local.events import event_files
from local.runner import invoke
from local.standins import authorizenet
from local.standins.server import LocalServer, Response
from tests.conftest import log_records

ACTION = "validate-card-payment"
GOOD = {"cardNumber": "4111111111111111", "expiryMonth": 12, "expiryYear": 2030, "cvv": "737", "amount": 10, "currency": "USD"}


def card_secrets(event: dict) -> set[str]:
    """The sensitive strings of an event: the PAN (as keyed and as digits) and the CVV."""
    body = json.loads(event["body"]) if "body" in event and isinstance(event.get("body"), str) and event["body"].startswith("{") else event
    found = set()
    for key in ("cardNumber", "cvv"):
        value = body.get(key) if isinstance(body, dict) else None
        if value:
            found |= {value, value.replace(" ", "").replace("-", "")}
    return {s for s in found if len(s) >= 3}


def test_card_data_never_appears_in_logs_errors_or_reprs(standins, configure, logs, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    seen: list[str] = []
    sensitive: set[str] = set()
    for config in standins.config_names("payments"):
        configure(ACTION, config, DA_LOG_LEVEL="DEBUG")  # even at DEBUG, secure actions log no inputs
        for ev in event_files(ACTION):
            event = ev.load()
            sensitive |= card_secrets(event)
            inv = invoke(ACTION, event)
            seen.append(json.dumps(inv.payload))
            try:
                all_actions()[ACTION]  # the handler path again, to catch the raised exception object itself
                from functions import handler_for

                handler_for(ACTION)(event, LocalContext("fn", 14))
            except ActionError as exc:
                seen += [str(exc), repr(exc), exc.message]
    seen.append(logs.getvalue())
    seen += [r.getMessage() for r in caplog.records]
    text = "\n".join(seen)
    assert sensitive, "the events must carry card data for this test to mean anything"
    # The last four digits appear in outputs (maskedCard/last4), never the full number or the CVV.
    # A CVV is short, so it counts only as a token of its own (not inside a timestamp or an id).
    leaked = {s for s in sensitive if re.search(rf"(?<![\w.-]){re.escape(s)}(?![\w.-])", text)}
    assert leaked == set(), f"card data leaked: {len(leaked)} value(s)"
    assert all("input" not in r for r in log_records(logs))


def test_the_input_model_repr_hides_card_data() -> None:
    model = all_actions()[ACTION].input_model.model_validate(GOOD)
    assert "4111111111111111" not in repr(model) and "737" not in repr(model)
    assert "4111111111111111" not in json.dumps(model.model_dump(mode="json"))


def test_authorize_net_request_is_auth_only_in_wire_order(standins, configure) -> None:
    server = standins.servers["payments"]
    captured = []
    original = server.app

    def spy(req):
        captured.append(req.json())
        return original(req)

    server.app = spy
    try:
        out = configure(ACTION, "authorizenet")({**GOOD, "reference": "INV-42"}, LocalContext("fn", 14))
    finally:
        server.app = original
    assert out["approved"] is True and out["authorizationId"] and out["approvalCode"]
    root = captured[0]["createTransactionRequest"]
    assert list(root) == ["merchantAuthentication", "refId", "transactionRequest"]
    tx = root["transactionRequest"]
    assert list(tx) == ["transactionType", "amount", "payment", "order"]
    assert tx["transactionType"] == "authOnlyTransaction" and tx["amount"] == "10"
    assert tx["payment"]["creditCard"] == {"cardNumber": "4111111111111111", "expirationDate": "2030-12", "cardCode": "737"}


def _processor_answering(configure, standins, app):
    """The action configured against a one-off local processor answering with ``app``."""
    server = LocalServer("authorizenet-variant", app).start()
    name = f"variant-{server.port}"
    secret = {**standins.configs["payments"]["authorizenet"], "endpoint": f"{server.url}/xml/v1/request.api"}
    standins.secretsmanager.create_secret(Name=f"local/payments/{name}", SecretString=json.dumps(secret))
    return server, configure(ACTION, name)


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (Response(500, raw=b"<html>oops</html>", content_type="text/html"), "HTTP 500"),
        (Response(200, raw=b"\xef\xbb\xbfnot json"), "malformed"),
        (Response(200, body={"unexpected": True}), "malformed"),
    ],
)
def test_processor_failures_are_clear_backend_errors(configure, standins, response, message) -> None:
    server, handler = _processor_answering(configure, standins, lambda req: response)
    try:
        with pytest.raises(BackendError, match=message):
            handler(GOOD, LocalContext("fn", 14))
    finally:
        server.stop()


def test_wrong_merchant_credentials_are_a_backend_error_with_the_api_code(configure, standins) -> None:
    server, handler = _processor_answering(
        configure, standins, lambda req: authorizenet._error("E00007", "User authentication failed", None)
    )
    try:
        with pytest.raises(BackendError, match="E00007"):
            handler(GOOD, LocalContext("fn", 14))
    finally:
        server.stop()


def test_card_data_errors_from_the_processor_are_invalid_not_failures(configure, standins) -> None:
    body = {
        "transactionResponse": {"responseCode": "3", "errors": [{"errorCode": "8", "errorText": "The credit card has expired."}]},
        "messages": {"resultCode": "Error", "message": [{"code": "E00027", "text": "The transaction was unsuccessful."}]},
    }
    server, handler = _processor_answering(configure, standins, lambda req: authorizenet._reply(body))
    try:
        out = handler(GOOD, LocalContext("fn", 14))
        assert out["status"] == "invalid" and out["reasonCode"] == "CARD_EXPIRED" and out["approved"] is False
    finally:
        server.stop()


def test_held_for_review_is_not_approved(configure, standins) -> None:
    body = {"transactionResponse": {"responseCode": "4", "transId": "123"}, "messages": {"resultCode": "Ok", "message": []}}
    server, handler = _processor_answering(configure, standins, lambda req: authorizenet._reply(body))
    try:
        out = handler(GOOD, LocalContext("fn", 14))
        assert out["status"] == "review" and out["approved"] is False and out["authorizationId"] == "123"
    finally:
        server.stop()


def test_currency_must_match_the_merchant_account(configure) -> None:
    from dataactions import InvalidInput

    with pytest.raises(InvalidInput, match="USD only"):
        configure(ACTION, "authorizenet")({**GOOD, "currency": "EUR"}, LocalContext("fn", 14))


def test_one_connection_is_reused_across_warm_calls(configure, standins) -> None:
    server = standins.servers["payments"]
    handler = configure(ACTION, "authorizenet")
    handler(GOOD, LocalContext("fn", 14))
    server.reset_counters()
    for _ in range(5):
        handler(GOOD, LocalContext("fn", 14))
    assert server.connections == 0 and len(server.requests) == 5
