"""SOAP headers declared by the WSDL (soap:header / soap12:header): where each value comes from
(``input`` or the configuration secret), the envelope compared with zeep's own serialisation, and
the billing stand-in, which refuses requests without its TenantHeader."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from dataactions import ConfigurationError, InvalidInput
from functions.billing.actions import BILLING as BILLING_BACKEND
from local.context import LocalContext
from local.standins import billing as billing_standin
from soapbridge import soap_action
from soapbridge.compile import compile_operation
from soapbridge.config import SoapConfig
from soapbridge.contracts import input_schema
from soapbridge.plan import OperationPlan, PlanError
from soapbridge.request import envelope, secret_values, validate
from soapbridge.response import SoapFault
from soapbridge.wsdl import load
from tests.conftest import log_records
from tests.soap.test_wire import SOAP11, SOAP12, c14n, secret

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "wsdl"
BING = str(FIXTURES / "bingads" / "customerbilling_service.xml")  # Microsoft Advertising Customer Billing v13
ORDERS = str(FIXTURES / "local" / "headers-soap12.wsdl")
BILLING = str(ROOT / "functions" / "billing" / "wsdl" / "billing.wsdl")
SECRET_VALUES = ("dev-token-5d1e", "oauth-token-77ac", "tenant-acme-9")


def zeep_operation(wsdl: str, plan: OperationPlan) -> Any:
    document, _ = load(wsdl)
    return document.services[plan.service].ports[plan.port].binding._operations[plan.operation]


def ours(plan: OperationPlan, payload: dict[str, Any], config: SoapConfig) -> bytes:
    return envelope(plan, {**validate(plan, payload), **secret_values(plan, config, "Svc")}, config)


# -- a published WSDL with headers: Microsoft Advertising's Customer Billing service --------------

BING_HEADERS = {"DeveloperToken": "secret:developerToken", "AuthenticationToken": "secret:authenticationToken", "UserName": "input"}


def test_public_wsdl_headers_from_the_secret_and_inputs_are_what_zeep_writes() -> None:
    plan = compile_operation(BING, None, None, "GetAccountMonthlySpend", headers=BING_HEADERS)
    config = SoapConfig.model_validate({"headers": {"developerToken": SECRET_VALUES[0], "authenticationToken": SECRET_VALUES[1]}})
    sent = ours(plan, {"AccountId": 180215, "MonthYear": "2026-10-01T00:00:00", "UserName": "ivr-bot"}, config)
    message = zeep_operation(BING, plan).input.serialize(
        AccountId=180215,
        MonthYear=dt.datetime(2026, 10, 1),
        _soapheaders={"DeveloperToken": SECRET_VALUES[0], "AuthenticationToken": SECRET_VALUES[1], "UserName": "ivr-bot"},
    )
    assert c14n(sent) == c14n(message.content)
    header = etree.fromstring(sent).find(f"{{{SOAP11}}}Header")
    assert [etree.QName(h).localname for h in header] == ["AuthenticationToken", "DeveloperToken", "UserName"]  # the WSDL's order
    assert b"mustUnderstand" not in sent  # WSDL 1.1 headers never ask for it


def test_secret_fed_headers_are_not_in_the_contract_and_input_fed_ones_are() -> None:
    plan = compile_operation(BING, None, None, "GetAccountMonthlySpend", headers=BING_HEADERS)
    schema = input_schema(plan)
    assert list(schema["properties"]) == ["AccountId", "MonthYear", "UserName"]
    assert "required" not in schema  # nillable header elements are optional inputs
    text = json.dumps(schema)
    assert "Token" not in text and "developerToken" not in text


def test_headers_are_left_out_when_no_value_is_given() -> None:
    plan = compile_operation(BING, None, None, "GetAccountMonthlySpend", headers={"UserName": "input"})
    sent = ours(plan, {"AccountId": 1}, SoapConfig())
    assert etree.fromstring(sent).find(f"{{{SOAP11}}}Header") is None
    message = zeep_operation(BING, plan).input.serialize(AccountId=1)
    assert c14n(sent) == c14n(message.content)


# -- SOAP 1.2: a complex header with an attribute and a nested element, and a simple one ----------

ORDER_HEADERS = {
    "Session.tenant": "secret:tenant",
    "Session.token": "secret:sessionToken",
    "Session.language": "input",
    "Session.client.name": "input",
    "Session.client.version": "input",
    "TraceId": "input",
}


@pytest.mark.parametrize("auth", ["none", "wsse"])
def test_soap12_headers_are_what_zeep_writes(auth: str) -> None:
    plan = compile_operation(ORDERS, None, None, "GetOrder", headers=ORDER_HEADERS, rename_inputs={"TraceId": "traceId"})
    creds = {"auth": "wsse", "username": "u", "password": "p"} if auth == "wsse" else {}
    config = SoapConfig.model_validate({**creds, "headers": {"tenant": SECRET_VALUES[2], "sessionToken": SECRET_VALUES[1]}})
    sent = ours(plan, {"orderId": "O-1", "traceId": "t-1", "Session_client_name": "ivr", "Session_client_version": 3}, config)
    message = zeep_operation(ORDERS, plan).input.serialize(
        orderId="O-1",
        _soapheaders={
            "Session": {"tenant": SECRET_VALUES[2], "token": SECRET_VALUES[1], "client": {"name": "ivr", "version": 3}},
            "TraceId": "t-1",
        },
    )
    if auth == "wsse":
        from zeep.wsse.username import UsernameToken

        UsernameToken("u", "p").apply(message.content, {})  # what zeep's client does after serialising
    assert c14n(sent) == c14n(message.content)
    root = etree.fromstring(sent)
    assert root.tag == f"{{{SOAP12}}}Envelope" and root[0].tag == f"{{{SOAP12}}}Header" and root[1].tag == f"{{{SOAP12}}}Body"
    assert b"mustUnderstand" not in sent


def test_header_inputs_follow_the_wsdl_rules() -> None:
    plan = compile_operation(ORDERS, None, None, "GetOrder", headers=ORDER_HEADERS)
    schema = input_schema(plan)
    assert schema["required"] == ["orderId", "TraceId"]  # the token and tenant come from the secret
    assert schema["properties"]["Session_client_version"] == {"type": "integer", "minimum": -(2**31), "maximum": 2**31 - 1}
    with pytest.raises(ValueError, match="TraceId: required"):
        validate(plan, {"orderId": "O-1"})
    with pytest.raises(ValueError, match="Session_client_name: required with the other Session_client_"):
        validate(plan, {"orderId": "O-1", "TraceId": "t", "Session_client_version": 2})
    with pytest.raises(ValueError, match="Session_client_version: must be between"):
        validate(plan, {"orderId": "O-1", "TraceId": "t", "Session_client_name": "x", "Session_client_version": 2**40})


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"Session.nope": "input"}, "headers: Session.nope not among the GetOrder SOAP headers (it has: Session.token, "),
        ({"TraceId": "env:TRACE"}, "headers: TraceId must come from 'input' or 'secret:<key>'"),
        ({"TraceId": "secret:"}, "headers: TraceId must come from 'input' or 'secret:<key>'"),
        ({"Session.language": "input"}, "headers: Session.token is required by the WSDL in the Session header"),
        (
            {"Session.tenant": "input", "Session.token": "input", "Session.client.version": "input"},
            "headers: Session.client.name is required by the WSDL in the Session header",
        ),
    ],
)
def test_header_declaration_errors_say_what_to_fix(headers: dict[str, str], message: str) -> None:
    with pytest.raises(PlanError, match=message.replace(".", r"\.").replace("(", r"\(")):
        compile_operation(ORDERS, None, None, "GetOrder", headers=headers)


def test_header_inputs_share_the_input_names_rules() -> None:
    with pytest.raises(PlanError, match="two inputs are both named orderId"):
        compile_operation(ORDERS, None, None, "GetOrder", headers={"TraceId": "input"}, rename_inputs={"TraceId": "orderId"})


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"developerToken": "x"}, r"the secret has no headers.authenticationToken \(for the AuthenticationToken SOAP header\)"),
        (
            {"developerToken": 5, "authenticationToken": "x"},
            r"the secret's headers.developerToken \(for the DeveloperToken SOAP header\) must be a string",
        ),
    ],
)
def test_missing_or_mistyped_secret_header_values_are_configuration_errors(headers: dict[str, Any], message: str) -> None:
    plan = compile_operation(BING, None, None, "GetAccountMonthlySpend", headers=BING_HEADERS)
    with pytest.raises(ConfigurationError, match=message):
        secret_values(plan, SoapConfig.model_validate({"headers": headers}), "Svc")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"headers": ["x"]}, "headers (an object of SOAP header values)"),
        ({"headers": {"tenantId": {"nested": SECRET_VALUES[2]}}}, "headers.tenantId (a string, number or boolean)"),
        ({"headers": {"tenantId": None}}, "headers.tenantId (a string, number or boolean)"),
    ],
)
def test_secret_headers_are_validated_by_name_never_by_value(raw: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")) as info:
        SoapConfig.model_validate(raw)
    assert SECRET_VALUES[2] not in str(info.value)


def test_secret_header_values_stay_out_of_repr() -> None:
    config = SoapConfig.model_validate({"headers": {"tenantId": SECRET_VALUES[2]}})
    assert SECRET_VALUES[2] not in repr(config) and "tenantId" in repr(config)


# -- the billing stand-in: a TenantHeader from the secret, a channel from the flow ----------------


@soap_action(
    backend=BILLING_BACKEND,
    wsdl="../../functions/billing/wsdl/billing.wsdl",
    service="BillingService",
    port="BillingPort",
    operation="GetAccount",
    name="Get Billing Account by Channel",
    output_root="GetAccountResult",
    outputs=["accountId", "status"],
    headers={"TenantHeader.tenantId": "secret:tenantId", "TenantHeader.channel": "input"},
    rename_inputs={"TenantHeader_channel": "channel"},
)
def get_billing_account_by_channel() -> None:
    """Status of a billing account, telling the billing service which channel asks."""


@pytest.fixture
def by_channel(standins, billing):
    def ready(config: str | None = None, **env: str):
        get_billing_account_by_channel.configure({**standins.environ(get_billing_account_by_channel.action, config), **env})
        return get_billing_account_by_channel

    billing_standin.CHANNELS.clear()
    return ready


@pytest.fixture
def billing(standins):
    gateway = standins.servers["billing"].app
    gateway.requests.clear()
    yield gateway


def test_shipped_billing_actions_send_the_tenant_from_the_secret(configure, billing) -> None:
    billing_standin.CHANNELS.clear()
    assert configure("get-billing-account")({"accountId": "ACC-1001"}, LocalContext("fn", 9))["found"] is True
    [header] = etree.fromstring(billing.requests[0]).find(f"{{{SOAP11}}}Header").iterfind("{urn:example:billing:2024}TenantHeader")
    assert c14n(header) == c14n(
        f'<TenantHeader xmlns="urn:example:billing:2024"><tenantId>{billing_standin.TENANT}</tenantId></TenantHeader>'
    )
    assert billing_standin.CHANNELS == [None]  # the service checked the tenant and accepted the call
    assert "TenantHeader" not in json.dumps(handler_schema("get-billing-account"))


def handler_schema(action_id: str) -> dict[str, Any]:
    from functions import all_actions

    return all_actions()[action_id].input_model.model_json_schema()


def test_a_header_input_reaches_the_service(by_channel, billing) -> None:
    out = by_channel()({"accountId": "ACC-2002", "channel": "IVR"}, LocalContext("fn", 9))
    assert out == {"accountId": "ACC-2002", "status": "SUSPENDED"}
    assert billing_standin.CHANNELS == ["IVR"]
    assert get_billing_account_by_channel.action.input_model.model_json_schema()["properties"]["channel"]["enum"] == [
        "IVR",
        "AGENT",
        "DIGITAL",
    ]


def test_a_bad_header_input_is_invalid_input_before_any_call(by_channel, billing) -> None:
    with pytest.raises(InvalidInput, match="channel: must be one of IVR, AGENT, DIGITAL"):
        by_channel()({"accountId": "ACC-2002", "channel": "PHONE"}, LocalContext("fn", 9))
    assert billing.requests == []


def test_a_wrong_tenant_is_the_service_s_fault(by_channel, standins, billing) -> None:
    name = secret(standins, "billing", "othertenant", headers={"tenantId": "tenant-nobody"})
    with pytest.raises(SoapFault) as info:
        by_channel(name)({"accountId": "ACC-2002"}, LocalContext("fn", 9))
    assert info.value.faultcode == "Client.UnknownTenant" and "tenant-nobody" not in str(info.value)


def test_a_missing_tenant_is_a_configuration_error_before_any_call(by_channel, standins, billing) -> None:
    name = secret(standins, "billing", "notenant", headers={})
    with pytest.raises(
        ConfigurationError, match=r"Billing: the secret has no headers.tenantId \(for the TenantHeader.tenantId SOAP header\)"
    ):
        by_channel(name)({"accountId": "ACC-2002"}, LocalContext("fn", 9))
    assert billing.requests == []


def test_secret_header_values_never_reach_logs_errors_or_the_api(by_channel, standins, billing, logs) -> None:
    from local.events import apigw_v1_event

    name = secret(standins, "billing", "loggedtenant", headers={"tenantId": billing_standin.TENANT, "unused": SECRET_VALUES[0]})
    handler = by_channel(name, DA_LOG_LEVEL="DEBUG")
    handler({"accountId": "ACC-2002", "channel": "AGENT"}, LocalContext("fn", 9))
    resp = handler(apigw_v1_event("get-billing-account-by-channel", {"accountId": "ACC-0000"}), LocalContext("fn", 9))
    assert resp["statusCode"] == 502 and json.loads(resp["body"])["faultcode"] == "Client.AccountNotFound"
    assert log_records(logs) and all(r["outcome"] for r in log_records(logs))
    seen = logs.getvalue() + resp["body"]
    assert billing_standin.TENANT not in seen and SECRET_VALUES[0] not in seen
