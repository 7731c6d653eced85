"""SOAP actions against the local spyne services: envelopes (compared canonicalised), both SOAP
versions, both credential kinds, faults, and every way a response can be unusable."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from lxml import etree

from dataactions import BackendError, BackendTimeout, ConfigurationError, InvalidInput
from functions.billing.actions import BILLING, TENANT
from local.context import LocalContext
from local.events import apigw_v1_event
from local.standins.server import Response
from soapbridge import soap_action
from soapbridge.response import SoapFault
from tests.conftest import log_records

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"


def c14n(xml: bytes | str | etree._Element) -> str:
    """Canonical XML 2.0 (prefixes rewritten, insignificant whitespace removed): how envelopes are compared."""
    if not isinstance(xml, etree._Element):
        xml = etree.fromstring(xml.encode() if isinstance(xml, str) else xml, etree.XMLParser(remove_blank_text=True))
    return etree.canonicalize(etree.tostring(xml).decode(), strip_text=True, rewrite_prefixes=True)


def body_of(envelope: bytes) -> etree._Element:
    root = etree.fromstring(envelope)
    return root.find(f"{{{root.tag[1:].split('}')[0]}}}Body")[0]


def _gateway(standins, kind: str):
    gateway = standins.servers[kind].app
    gateway.requests.clear()
    yield gateway
    gateway.misbehave = None
    gateway.delay_seconds = 0.0


@pytest.fixture
def billing(standins):
    yield from _gateway(standins, "billing")


@pytest.fixture
def conversion(standins):
    yield from _gateway(standins, "conversion")


def secret(standins, kind: str, name: str, **changes) -> str:
    value = {**standins.configs[kind]["default"], **changes}
    value = {k: v for k, v in value.items() if v is not None}
    sid = f"local/{kind}/{name}"
    try:
        standins.secretsmanager.create_secret(Name=sid, SecretString=json.dumps(value))
    except standins.secretsmanager.exceptions.ResourceExistsException:
        standins.secretsmanager.put_secret_value(SecretId=sid, SecretString=json.dumps(value))
    return name


# -- requests ------------------------------------------------------------------------------------


def test_soap12_request_is_the_envelope_the_wsdl_describes(configure, conversion) -> None:
    out = configure("number-to-words")({"number": 42}, LocalContext("fn", 9))
    assert out == {"words": "forty two "}
    [sent] = conversion.requests
    assert etree.fromstring(sent).tag == f"{{{SOAP12}}}Envelope"
    assert c14n(body_of(sent)) == c14n(
        '<NumberToWords xmlns="http://www.dataaccess.com/webservicesserver/"><ubiNum>42</ubiNum></NumberToWords>'
    )


def test_soap11_request_with_a_decimal_keeps_its_digits(configure, conversion) -> None:
    assert configure("number-to-dollars")({"amount": 1234.05}, LocalContext("fn", 9))["words"].endswith("five cents")
    [sent] = conversion.requests
    assert etree.fromstring(sent).tag == f"{{{SOAP11}}}Envelope"
    assert c14n(body_of(sent)) == c14n(
        '<NumberToDollars xmlns="http://www.dataaccess.com/webservicesserver/"><dNum>1234.05</dNum></NumberToDollars>'
    )


def test_nested_optional_and_enumerated_inputs_in_schema_order(configure, billing) -> None:
    out = configure("record-billing-payment")(
        {"method": "BANK_TRANSFER", "currency": "USD", "amount": 10, "accountId": "ACC-1001", "reference": "a<b&c"},
        LocalContext("fn", 9),
    )
    assert out["newBalance"] == 115.4 and out["receiptId"].startswith("RCPT-")
    [sent] = billing.requests
    assert c14n(body_of(sent)) == c14n(
        '<RecordPayment xmlns="urn:example:billing:2024"><accountId>ACC-1001</accountId><amount>10</amount>'
        "<currency>USD</currency><method>BANK_TRANSFER</method><reference>a&lt;b&amp;c</reference></RecordPayment>"
    )


def test_ws_security_username_token_text_and_digest(configure, billing, standins) -> None:
    for config in ("default", "digest"):
        billing.requests.clear()
        assert configure("get-billing-account", config)({"accountId": "ACC-2002"}, LocalContext("fn", 9))["found"] is True
        token = etree.fromstring(billing.requests[0]).find(".//{*}Security/{*}UsernameToken")
        password = token.find("{*}Password")
        assert token.findtext("{*}Username") == "local-billing"
        assert password.get("Type").endswith("#PasswordDigest" if config == "digest" else "#PasswordText")
        if config == "digest":
            assert password.text != "local-billing-password" and token.find("{*}Nonce") is not None


def test_wrong_ws_security_password_is_a_fault_without_the_password(configure, standins, billing) -> None:
    name = secret(standins, "billing", "wrongpw", password="not-the-password")
    with pytest.raises(SoapFault, match="FailedAuthentication") as info:
        configure("get-billing-account", name)({"accountId": "ACC-1001"}, LocalContext("fn", 9))
    assert "not-the-password" not in str(info.value)


def test_wrong_basic_auth_is_a_clear_error(configure, standins, conversion) -> None:
    name = secret(standins, "conversion", "wrongpw", password="nope-nope")
    with pytest.raises(BackendError, match=r"refused the credentials \(HTTP 401\)") as info:
        configure("number-to-words", name)({"number": 1}, LocalContext("fn", 9))
    assert "nope" not in str(info.value)


def test_endpoint_comes_from_the_secret_not_the_wsdl(configure, standins, conversion) -> None:
    # the WSDL says https://www.dataaccess.com/...; every call above reached localhost through the secret
    name = secret(standins, "conversion", "noendpoint", endpoint=None)
    with pytest.raises(BackendError, match="unreachable"):  # tests may not leave localhost
        configure("number-to-words", name)({"number": 1}, LocalContext("fn", 9))
    assert conversion.requests == []


def test_invalid_secret_is_a_configuration_error_naming_fields(configure, standins) -> None:
    name = secret(standins, "billing", "badauth", auth="kerberos", endpoint="ftp://x")
    with pytest.raises(ConfigurationError, match="endpoint.*auth") as info:
        configure("get-billing-account", name)({"accountId": "ACC-1001"}, LocalContext("fn", 9))
    assert "local-billing-password" not in str(info.value)


# -- input validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "accountId: required"),
        ({"accountId": 5}, "accountId: must be a string"),
        ({"accountId": "ACC-1\x00"}, "control characters"),
    ],
)
def test_bad_input_names_the_field_not_the_value(configure, billing, payload, message) -> None:
    with pytest.raises(InvalidInput, match=message) as info:
        configure("get-billing-account")(payload, LocalContext("fn", 9))
    assert "ACC-1" not in str(info.value)
    assert billing.requests == []


def test_choice_takes_exactly_one_branch(configure, billing) -> None:
    handler = configure("find-billing-account")
    with pytest.raises(InvalidInput, match="give only one of accountId or phoneNumber"):
        handler({"accountId": "ACC-1001", "phoneNumber": "1"}, LocalContext("fn", 9))
    with pytest.raises(InvalidInput, match="give one of accountId or phoneNumber"):
        handler({}, LocalContext("fn", 9))
    assert handler({"phoneNumber": "+353 21 234 5678"}, LocalContext("fn", 9))["accountId"] == "ACC-2002"
    assert c14n(body_of(billing.requests[0])) == c14n(
        '<FindAccount xmlns="urn:example:billing:2024"><phoneNumber>+353 21 234 5678</phoneNumber></FindAccount>'
    )


def test_empty_strings_from_flows_leave_optional_fields_out(configure, billing) -> None:
    out = configure("find-billing-account")({"accountId": "", "phoneNumber": "+1 317 555 0101"}, LocalContext("fn", 9))
    assert out["accountId"] == "ACC-1001"
    configure("record-billing-payment")(
        {"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "CASH", "reference": ""}, LocalContext("fn", 9)
    )
    assert etree.fromstring(billing.requests[-1]).find(".//{*}reference") is None


@pytest.mark.parametrize("amount", [float("nan"), float("inf"), float("-inf"), "NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_are_invalid_input_before_any_call(configure, conversion, amount) -> None:
    with pytest.raises(InvalidInput, match=r"amount: must be a (finite )?number"):
        configure("number-to-dollars")({"amount": amount}, LocalContext("fn", 9))
    assert conversion.requests == []


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_and_infinity_in_an_api_body_are_a_400(configure, conversion, raw) -> None:
    event = apigw_v1_event("number-to-dollars", '{"amount": ' + raw + "}")  # Python's JSON reader takes these literals
    resp = configure("number-to-dollars")(event, LocalContext("fn", 9))
    assert resp["statusCode"] == 400 and json.loads(resp["body"])["code"] == "INVALID_INPUT"
    assert conversion.requests == []


def test_unsigned_and_enumerated_bounds_are_checked_before_calling(configure, conversion, billing) -> None:
    with pytest.raises(InvalidInput, match="number: must be between 0 and"):
        configure("number-to-words")({"number": -1}, LocalContext("fn", 9))
    with pytest.raises(InvalidInput, match="method: must be one of CARD, BANK_TRANSFER, CASH"):
        configure("record-billing-payment")({"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "X"}, LocalContext("fn", 9))
    assert conversion.requests == [] and billing.requests == []


# -- responses -----------------------------------------------------------------------------------


def test_nested_repeated_dates_and_decimals_in_the_output(configure, billing) -> None:
    out = configure("get-billing-account")({"accountId": "ACC-1001"}, LocalContext("fn", 9))
    assert out["found"] is True and out["balance"] == 125.4 and out["openedOn"] == "2019-03-14"
    assert out["lastPaymentAt"].startswith("2026-10-30T15:04:05")
    assert out["contact"]["address"] == {"street": "12 Analytical Way", "city": "Indianapolis", "postalCode": "46204", "country": "US"}
    assert [i["number"] for i in out["invoices"]] == ["INV-9001", "INV-9002"]  # InvoiceList/invoice* read as an array
    assert out["invoices"][1] == {"number": "INV-9002", "issuedOn": "2026-10-01", "dueOn": "2026-10-31", "amount": 125.4, "paid": False}


def test_absent_optional_elements_are_left_out_and_empty_lists_stay_lists(configure, billing) -> None:
    out = configure("get-billing-account")({"accountId": "ACC-3003"}, LocalContext("fn", 9))
    assert "lastPaymentAt" not in out and "email" not in out["contact"] and out["invoices"] == []


def test_not_found_fault_becomes_found_false(configure, billing) -> None:
    assert configure("get-billing-account")({"accountId": "ACC-0000"}, LocalContext("fn", 9)) == {"found": False}


def test_fault_is_concise_with_code_and_reason(configure, billing) -> None:
    handler = configure("record-billing-payment")
    with pytest.raises(SoapFault) as info:
        handler(
            {"accountId": "ACC-3003", "amount": 12.5, "currency": "USD", "method": "CARD", "reference": "REF-SECRET"}, LocalContext("fn", 9)
        )
    err = info.value
    assert err.faultcode == "Client.AccountClosed" and err.faultstring.startswith("Payments cannot be recorded")
    assert "REF-SECRET" not in err.message and "12.5" not in err.message and "\n" not in err.message


def test_fault_over_api_gateway_carries_faultcode_and_faultstring(configure, billing) -> None:
    handler = configure("record-billing-payment")
    resp = handler(
        apigw_v1_event("record-billing-payment", {"accountId": "ACC-1001", "amount": 10, "currency": "EUR", "method": "CARD"}),
        LocalContext("fn", 9),
    )
    body = json.loads(resp["body"])
    assert resp["statusCode"] == 502
    assert body == {
        "code": "SOAP_FAULT",
        "message": body["message"],
        "faultcode": "Client.InvalidAmount",
        "faultstring": "The amount must be positive and in the account's currency",
    }


def test_fault_keeps_code_reason_actor_and_detail(configure, billing) -> None:
    with pytest.raises(SoapFault) as info:
        configure("record-billing-payment")(
            {"accountId": "ACC-9999", "amount": 1, "currency": "USD", "method": "CASH"}, LocalContext("fn", 9)
        )
    err = info.value
    assert (err.faultcode, err.faultstring, err.faultactor) == (
        "Client.AccountNotFound",
        "No account ACC-9999",
        "urn:example:billing:accounts",
    )
    assert c14n(err.detail) == c14n("<detail><accountId>ACC-9999</accountId></detail>")
    assert err.details == {"faultcode": "Client.AccountNotFound", "faultstring": "No account ACC-9999"}  # the API body's extra fields


SOAP12_FAULT = f"""<?xml version="1.0"?><env:Envelope xmlns:env="{SOAP12}" xmlns:q="urn:example:quota"><env:Body><env:Fault>
<env:Code><env:Value>env:Receiver</env:Value><env:Subcode><env:Value>q:QuotaExceeded</env:Value></env:Subcode></env:Code>
<env:Reason><env:Text xml:lang="en">Daily quota used up</env:Text></env:Reason>
<env:Role>https://gateway.example.com/quota</env:Role><env:Detail><q:limit>500</q:limit></env:Detail>
</env:Fault></env:Body></env:Envelope>""".encode()


def test_soap12_fault_role_and_detail(configure, conversion) -> None:
    conversion.misbehave = lambda req: Response(500, raw=SOAP12_FAULT, content_type="application/soap+xml")
    with pytest.raises(SoapFault) as info:
        configure("number-to-words")({"number": 1}, LocalContext("fn", 9))
    err = info.value
    assert (err.faultcode, err.faultstring, err.faultactor) == (
        "Receiver.QuotaExceeded",
        "Daily quota used up",
        "https://gateway.example.com/quota",
    )
    assert c14n(err.detail) == c14n(f'<env:Detail xmlns:env="{SOAP12}"><q:limit xmlns:q="urn:example:quota">500</q:limit></env:Detail>')


def test_soap12_fault_code_includes_the_subcode(configure, conversion) -> None:
    with pytest.raises(SoapFault) as info:
        configure("number-to-words")({"number": 10**18}, LocalContext("fn", 9))  # the SOAP 1.2 port
    assert etree.fromstring(conversion.requests[0]).tag == f"{{{SOAP12}}}Envelope"
    assert info.value.faultcode == "Sender.NumberTooLarge" and info.value.faultstring == "The number must be below one quintillion"


def test_soap11_fault_code_is_the_faultcode_without_its_prefix(configure, conversion) -> None:
    with pytest.raises(SoapFault) as info:
        configure("number-to-dollars")({"amount": 0}, LocalContext("fn", 9))  # the SOAP 1.1 port
    assert info.value.faultcode == "Client.NotPositive"


def _answer(status: int, raw: bytes, content_type: str = "text/xml; charset=utf-8"):
    return lambda req: Response(status, raw=raw, content_type=content_type)


def _envelope(body: str) -> bytes:
    return f'<?xml version="1.0"?><s:Envelope xmlns:s="{SOAP11}"><s:Body>{body}</s:Body></s:Envelope>'.encode()


RESULT = '<RecordPaymentResponse xmlns="urn:example:billing:2024"><RecordPaymentResult>{}</RecordPaymentResult></RecordPaymentResponse>'
TYPES = 'xmlns="urn:example:billing:types:2024"'


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (_answer(500, b"<html><body>Internal Server Error</body></html>", "text/html"), "answered HTTP 500"),
        (_answer(200, b"<html><body>Maintenance</body></html>", "text/html"), "not a SOAP envelope"),
        (_answer(503, b"Service Unavailable", "text/plain"), "answered HTTP 503"),
        (_answer(200, b'{"ok": true}', "application/json"), "not XML .application/json."),
        (_answer(200, _envelope(RESULT.format(f"<receiptId {TYPES}>R</receiptId>"))[:-30]), "malformed XML"),
        (
            _answer(200, _envelope("<Unexpected xmlns='urn:x'/>")),
            "does not match the WSDL: expected RecordPaymentResponse in the body, got Unexpected",
        ),
        (
            _answer(200, _envelope(RESULT.format(f"<receiptId {TYPES}>R</receiptId>"))),
            "does not match the WSDL: in RecordPaymentResult: the required element 'newBalance' is missing",
        ),
        (
            _answer(
                200,
                _envelope(
                    RESULT.format(f"<receiptId {TYPES}>R</receiptId><newBalance {TYPES}>lots</newBalance><postedAt {TYPES}>x</postedAt>")
                ),
            ),
            "does not match the WSDL: in RecordPaymentResult.newBalance: not a decimal",
        ),
        (_answer(200, b"<root/>"), "not a SOAP envelope"),
        (_answer(200, _envelope("")), "body is empty"),
    ],
)
def test_unusable_responses_are_clear_errors(configure, billing, answer, message) -> None:
    billing.misbehave = answer
    with pytest.raises(BackendError, match=message):
        configure("record-billing-payment")(
            {"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "CARD"}, LocalContext("fn", 9)
        )


def test_well_formed_answer_reads_even_with_extra_elements(configure, billing) -> None:
    extra = f"<receiptId {TYPES}>R-1</receiptId><newBalance {TYPES}>1.50</newBalance><postedAt {TYPES}>2026-11-21T10:00:00Z</postedAt><addedLater {TYPES}>x</addedLater>"
    billing.misbehave = _answer(200, _envelope(RESULT.format(extra)))
    out = configure("record-billing-payment")(
        {"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "CARD"}, LocalContext("fn", 9)
    )
    assert out == {"receiptId": "R-1", "newBalance": 1.5, "postedAt": "2026-11-21T10:00:00Z"}


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<RecordPaymentResponse xmlns="urn:example:billing:2024"><RecordPaymentResult>
<receiptId xmlns="urn:example:billing:types:2024">&xxe;</receiptId></RecordPaymentResult></RecordPaymentResponse>
</s:Body></s:Envelope>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>
<RecordPaymentResponse xmlns="urn:example:billing:2024"><RecordPaymentResult>
<receiptId xmlns="urn:example:billing:types:2024">&lol9;</receiptId></RecordPaymentResult></RecordPaymentResponse>
</s:Body></s:Envelope>"""


@pytest.mark.parametrize("payload", [XXE, LAUGHS], ids=["xxe", "billion-laughs"])
def test_dtds_and_entities_in_responses_are_refused(configure, billing, payload) -> None:
    billing.misbehave = _answer(200, payload)
    started = time.perf_counter()
    with pytest.raises(BackendError, match="DTD; refused") as info:
        configure("record-billing-payment")(
            {"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "CARD"}, LocalContext("fn", 9)
        )
    assert time.perf_counter() - started < 2  # nothing was expanded
    assert "root:" not in str(info.value) and "lol" not in str(info.value)


def test_oversized_response_is_refused(configure, standins, billing) -> None:
    name = secret(standins, "billing", "small", maxResponseBytes=2048)
    billing.misbehave = _answer(200, _envelope("<x>" + "a" * 5000 + "</x>"))
    with pytest.raises(BackendError, match="more than the 2048 allowed"):
        configure("record-billing-payment", name)(
            {"accountId": "ACC-1001", "amount": 1, "currency": "USD", "method": "CARD"}, LocalContext("fn", 9)
        )


def test_slow_service_times_out_within_the_invocation(configure, billing) -> None:
    billing.delay_seconds = 1.5
    started = time.perf_counter()
    with pytest.raises(BackendTimeout, match="did not answer in time"):
        configure("get-billing-account")({"accountId": "ACC-1001"}, LocalContext("fn", 1.2))  # 1.2 s left
    assert time.perf_counter() - started < 1.4


def test_one_request_per_call_on_one_kept_alive_connection(configure, standins, conversion) -> None:
    handler = configure("number-to-words")
    handler({"number": 1}, LocalContext("fn", 9))
    server = standins.servers["conversion"]
    server.reset_counters()
    for n in range(5):
        handler({"number": n}, LocalContext("fn", 9))
    assert len(server.requests) == 5 and server.connections == 0


# -- secure actions relay no service text ---------------------------------------------------------

SHAPE: dict[str, Any] = dict(
    backend=BILLING,
    wsdl="../../functions/billing/wsdl/billing.wsdl",
    service="BillingService",
    port="BillingPort",
    operation="GetAccount",
    output_root="GetAccountResult",
    headers=TENANT,
)


@soap_action(name="Get Billing Account (secure)", secure=True, **SHAPE)
def get_billing_account_securely() -> None:
    """A billing account, declared secure: the service's fault text is never relayed."""


@soap_action(name="Get Billing Account (plain)", **SHAPE)
def get_billing_account_plainly() -> None:
    """A billing account, declared without secure: the service's fault text is relayed."""


@pytest.fixture
def declared(standins, billing):
    def ready(handler, **env: str):
        handler.configure({**standins.environ(handler.action), **env})
        return handler

    return ready


def test_secure_action_faults_carry_only_the_service_and_the_code(declared, logs) -> None:
    handler = declared(get_billing_account_securely, DA_LOG_LEVEL="DEBUG")
    with pytest.raises(SoapFault) as info:
        handler({"accountId": "ACC-9999"}, LocalContext("fn", 9))  # the service answers "No account ACC-9999"
    err = info.value
    assert err.message == "Billing SOAP fault Client.AccountNotFound" and err.details == {"faultcode": "Client.AccountNotFound"}
    assert (err.faultstring, err.faultactor, err.detail) == ("", None, None)
    resp = handler(apigw_v1_event("get-billing-account-securely", {"accountId": "ACC-9999"}), LocalContext("fn", 9))
    assert resp["statusCode"] == 502
    assert json.loads(resp["body"]) == {
        "code": "SOAP_FAULT",
        "message": "Billing SOAP fault Client.AccountNotFound",
        "faultcode": "Client.AccountNotFound",
    }
    assert len(log_records(logs)) == 2 and "ACC-9999" not in logs.getvalue()


def test_non_secure_action_faults_relay_the_service_text(declared) -> None:
    handler = declared(get_billing_account_plainly)
    with pytest.raises(SoapFault, match="Billing SOAP fault Client.AccountNotFound: No account ACC-9999") as info:
        handler({"accountId": "ACC-9999"}, LocalContext("fn", 9))
    assert info.value.detail is not None and info.value.detail.findtext("accountId") == "ACC-9999"
    body = json.loads(handler(apigw_v1_event("get-billing-account-plainly", {"accountId": "ACC-9999"}), LocalContext("fn", 9))["body"])
    assert body["faultstring"] == "No account ACC-9999" and body["faultcode"] == "Client.AccountNotFound"
