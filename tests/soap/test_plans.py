"""Plans compiled from real WSDLs: published ones (FedEx, ONVIF, DataAccess NumberConversion) and
our own (billing with import + include, an rpc/literal legacy service). Requests are compared with
what zeep itself serialises; responses with what zeep itself parses."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator
from lxml import etree

from definitions.contracts import DRAFT4, contract_problems
from soapbridge.compile import compile_operation
from soapbridge.config import SoapConfig
from soapbridge.contracts import input_schema, output_schema
from soapbridge.listing import describe
from soapbridge.plan import Leaf, Node, OperationPlan, PlanError
from soapbridge.request import envelope, secret_values, validate
from soapbridge.response import read, read_body
from soapbridge.wsdl import WsdlError, load
from tests.soap.test_wire import body_of, c14n

NO_AUTH = SoapConfig.model_validate({"auth": "none"})


def envelope_for(plan: OperationPlan, payload: dict[str, Any]) -> bytes:
    return envelope(plan, validate(plan, payload), NO_AUTH)


ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "wsdl"
BILLING = str(ROOT / "functions" / "billing" / "wsdl" / "billing.wsdl")
CONVERSION = str(ROOT / "functions" / "conversion" / "wsdl" / "NumberConversion.wsdl")
FEDEX_COUNTRY = str(FIXTURES / "fedex" / "CountryService_v8.wsdl")
FEDEX_RATE = str(FIXTURES / "fedex" / "RateService_v24.wsdl")
ONVIF = str(FIXTURES / "onvif" / "devicemgmt.wsdl")
RPC = str(FIXTURES / "local" / "rpc-literal.wsdl")
BING = str(FIXTURES / "bingads" / "customerbilling_service.xml")
ORDERS = str(FIXTURES / "local" / "headers-soap12.wsdl")
HTTP_ONLY = str(FIXTURES / "local" / "http-only.wsdl")
ALL = [BILLING, CONVERSION, FEDEX_COUNTRY, FEDEX_RATE, ONVIF, RPC, BING, ORDERS]


def genesys_definition(entry: dict[str, Any]) -> dict[str, Any]:
    def wrap(schema: dict[str, Any]) -> dict[str, Any]:
        return {"$schema": DRAFT4, "title": entry["operation"], **schema}

    return {
        "name": entry["operation"],
        "config": {"timeoutSeconds": 10},
        "contract": {"input": {"inputSchema": wrap(entry["input"])}, "output": {"successSchema": wrap(entry["output"])}},
    }


@pytest.mark.parametrize("wsdl", ALL, ids=lambda p: Path(p).name)
def test_every_operation_becomes_an_importable_genesys_contract(wsdl: str) -> None:
    entries = describe(wsdl)
    assert entries
    for entry in entries:
        assert "problem" not in entry, entry
        defn = genesys_definition(entry)
        assert contract_problems(defn) == [], (entry["operation"], contract_problems(defn)[:3])
        Draft4Validator.check_schema(defn["contract"]["input"]["inputSchema"])
        Draft4Validator.check_schema(defn["contract"]["output"]["successSchema"])


def test_real_world_shapes() -> None:
    by_key = {(e["port"], e["operation"]): e for e in describe(CONVERSION)}
    assert {e["soap"] for e in by_key.values()} == {"1.1", "1.2"}  # both bindings side by side
    assert by_key[("NumberConversionSoap12", "NumberToWords")]["input"]["properties"]["ubiNum"]["minimum"] == 0
    onvif = {e["operation"]: e for e in describe(ONVIF)}
    assert len(onvif) > 80 and {e["soap"] for e in onvif.values()} == {"1.2"}
    assert onvif["SetSystemDateAndTime"]["input"]["properties"]["DateTimeType"]["enum"] == ["Manual", "NTP"]
    assert onvif["GetSystemDateAndTime"]["output"]["properties"]["SystemDateAndTime"]["properties"]["UTCDateTime"]["type"] == "object"
    [rate] = describe(FEDEX_RATE)
    props = rate["input"]["properties"]
    assert props["RequestedShipment_TotalInsuredValue_Amount"]["type"] == "number"  # decimal across nested types
    assert "RequestedShipment_DropoffType" in props and props["RequestedShipment_DropoffType"].get("enum")
    notifications = rate["output"]["properties"]["Notifications"]
    assert notifications["type"] == "array" and notifications["items"]["type"] == "object"


def test_no_arrays_of_arrays_even_for_repeated_array_wrappers(tmp_path: Path) -> None:
    (tmp_path / "nested.wsdl").write_text(
        Path(RPC)
        .read_text()
        .replace(
            '<xsd:element name="notes" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>',
            '<xsd:element name="notes" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>'
            '<xsd:element name="tiers" minOccurs="0" maxOccurs="unbounded"><xsd:complexType><xsd:sequence>'
            '<xsd:element name="tier" type="xsd:int" maxOccurs="unbounded"/></xsd:sequence></xsd:complexType></xsd:element>',
        )
    )
    plan = compile_operation(str(tmp_path / "nested.wsdl"), None, None, "GetQuote")
    tiers = output_schema(plan)["properties"]["quote"]["properties"]["tiers"]
    assert tiers["type"] == "array" and tiers["items"]["type"] == "object"  # the repeated wrapper stays an object
    assert tiers["items"]["properties"]["tier"]["type"] == "array"


# -- requests: ours == zeep's ---------------------------------------------------------------------


def sample(leaf: Leaf) -> Any:
    if leaf.enum:
        return int(leaf.enum[0]) if leaf.kind == "integer" else leaf.enum[0]
    return {
        "string": "text & <more>",
        "boolean": True,
        "integer": 7,
        "decimal": 12.5,
        "float": 2.25,
        "date": "2026-11-21",
        "dateTime": "2026-11-21T10:30:00",
        "time": "10:30:00",
    }[leaf.kind]


def zeep_value(leaf: Leaf, value: Any) -> Any:
    if leaf.kind == "decimal":
        return Decimal(str(value))
    if leaf.kind == "date":
        return dt.date.fromisoformat(value)
    if leaf.kind == "dateTime":
        return dt.datetime.fromisoformat(value)
    if leaf.kind == "time":
        return dt.time.fromisoformat(value)
    return value


def zeep_kwargs(node: Node, given: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in node.children:
        if isinstance(child, Leaf):
            if child.flat in given:
                value = zeep_value(child, given[child.flat])
                out["_value_1" if child.content else child.key] = [value] if child.repeated else value
        elif child.required or not child.flats.isdisjoint(given):
            inner = zeep_kwargs(child, given)
            out[child.key] = [inner] if child.repeated else inner
    return out


def fill(plan: OperationPlan, *, everything: bool) -> dict[str, Any]:
    """Values for the required inputs (or all of them), one branch per choice."""
    chosen: dict[int, int] = {}
    values = {}
    for name, f in plan.fields.items():
        if f.choice is not None and chosen.setdefault(f.choice[0], f.choice[1]) != f.choice[1]:
            continue
        in_required_choice = f.choice is not None and plan.choice_groups[f.choice[0]][0] and f.anchor is None
        if everything or (f.leaf.required and f.anchor is None) or in_required_choice:
            values[name] = sample(f.leaf)
    return values


CASES = [
    (BILLING, "BillingPort", "RecordPayment"),
    (BILLING, "BillingPort", "FindAccount"),
    (CONVERSION, "NumberConversionSoap12", "NumberToDollars"),
    (RPC, None, "GetQuote"),
    (ONVIF, None, "SetSystemDateAndTime"),
    (ONVIF, None, "SetNetworkInterfaces"),
    (FEDEX_COUNTRY, None, "validatePostal"),
]


@pytest.mark.parametrize(("wsdl", "port", "operation"), CASES, ids=[c[2] for c in CASES])
@pytest.mark.parametrize("everything", [False, True], ids=["required", "all-inputs"])
def test_request_body_equals_zeeps_serialisation(wsdl: str, port: str | None, operation: str, everything: bool) -> None:
    plan = compile_operation(wsdl, None, port, operation)
    payload = fill(plan, everything=everything)
    ours = envelope_for(plan, payload)
    document, _ = load(wsdl)
    service = next(iter(document.services.values()))
    binding = service.ports[plan.port].binding
    originals = {plan.fields[name].original: value for name, value in payload.items()}
    message = binding._operations[operation].input.serialize(**zeep_kwargs(plan.request, originals))
    body = message.content.find("{*}Body")
    assert c14n(body_of(ours)) == c14n(body[0])
    assert c14n(ours) == c14n(message.content)  # and the whole envelope


# -- responses: ours == zeep's -------------------------------------------------------------------


def normalise(value: Any) -> Any:
    """zeep's Python objects as the bridge's JSON: Decimal -> number, dates -> ISO text, None -> absent."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return int(value) if value == value.to_integral_value() and isinstance(exponent, int) and exponent >= 0 else float(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return value


def test_response_reading_equals_zeeps_parse_of_the_real_server_answer(standins) -> None:
    from zeep.helpers import serialize_object

    cfg = standins.configs["billing"]["default"]
    config = SoapConfig.model_validate(cfg)
    plan = compile_operation(BILLING, None, None, "GetAccount", headers={"TenantHeader.tenantId": "secret:tenantId"})
    raw = httpx.post(
        cfg["endpoint"],
        content=envelope(plan, {**validate(plan, {"accountId": "ACC-1001"}), **secret_values(plan, config, "Billing")}, config),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '"GetAccount"'},
    ).content
    ours = read_body(plan, etree.fromstring(raw).find("{*}Body")[0])
    document, _ = load(BILLING)
    op = document.services["BillingService"].ports["BillingPort"].binding._operations["GetAccount"]
    theirs = normalise(serialize_object(op.process_reply(etree.fromstring(raw)), dict))
    theirs["invoices"] = theirs["invoices"]["invoice"]  # the bridge reads ArrayOfX wrappers as the array
    assert ours == {"GetAccountResult": theirs}
    assert len(theirs["invoices"]) == 2 and theirs["contact"]["address"]["city"] == "Indianapolis"


# -- safety of the WSDL itself ------------------------------------------------------------------


def _wsdl_with(tmp_path: Path, schema_location: str, doctype: str = "") -> str:
    text = Path(BILLING).read_text().replace('schemaLocation="billing-types.xsd"', f'schemaLocation="{schema_location}"')
    if doctype:
        text = text.replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0" encoding="UTF-8"?>' + doctype)
    path = tmp_path / "svc" / "service.wsdl"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    load.cache_clear()
    return str(path)


def test_remote_imports_are_refused_with_what_to_bundle(tmp_path: Path) -> None:
    with pytest.raises(WsdlError, match="refers to https://types.example.com/billing-types.xsd; download it, bundle it"):
        load(_wsdl_with(tmp_path, "https://types.example.com/billing-types.xsd"))


def test_imports_outside_the_bundle_directory_are_refused(tmp_path: Path) -> None:
    (tmp_path / "billing-types.xsd").write_text(Path(BILLING).with_name("billing-types.xsd").read_text())
    with pytest.raises(WsdlError, match="outside its bundle directory"):
        load(_wsdl_with(tmp_path, "../billing-types.xsd"))


def test_missing_imports_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(WsdlError, match="types.xsd, which is not bundled next to it"):
        load(_wsdl_with(tmp_path, "types.xsd"))


def test_a_wsdl_with_a_dtd_is_refused(tmp_path: Path) -> None:
    with pytest.raises(WsdlError, match="DTDForbidden"):
        load(_wsdl_with(tmp_path, "billing-types.xsd", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))


def test_loading_writes_nothing_and_fetches_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    load.cache_clear()
    load(ONVIF)  # 10 documents, imports and includes
    assert list(tmp_path.iterdir()) == []


# -- declaration errors say what to fix ------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "Nope"}, "port BillingPort has no operation Nope; it has FindAccount, GetAccount, RecordPayment"),
        ({"operation": "GetAccount", "port": "X"}, "no SOAP port X; it has BillingPort"),
        ({"operation": "RecordPayment", "inputs": ["accountId"]}, "amount is required by the WSDL and must be kept"),
        ({"operation": "RecordPayment", "rename_inputs": {"amount": "accountId"}}, "two inputs are both named accountId"),
        ({"operation": "RecordPayment", "rename_inputs": {"reference": "rawRequest"}}, "input rawRequest is a name Genesys reserves"),
        ({"operation": "GetAccount", "output_root": "GetAccountResult.nope"}, "no element nope"),
        ({"operation": "GetAccount", "outputs": ["GetAccountResult.nope"]}, "outputs: GetAccountResult.nope is not in the response"),
    ],
)
def test_declaration_errors(kwargs: dict[str, Any], message: str) -> None:
    args = {"port": None, **kwargs}
    with pytest.raises(PlanError, match=message.replace(".", r"\.")):
        compile_operation(BILLING, None, args.pop("port"), args.pop("operation"), **args)


def test_subset_renames_and_output_root() -> None:
    plan = compile_operation(
        BILLING,
        None,
        None,
        "GetAccount",
        output_root="GetAccountResult",
        outputs=["name", "invoices.amount", "contact.address.city"],
        rename_outputs={"invoices": "bills"},
        rename_inputs={"accountId": "account"},
    )
    schema = output_schema(plan)
    assert list(schema["properties"]) == ["name", "contact", "bills"]
    assert list(schema["properties"]["bills"]["items"]["properties"]) == ["amount"]
    assert list(schema["properties"]["contact"]["properties"]["address"]["properties"]) == ["city"]
    assert list(input_schema(plan)["properties"]) == ["account"]


def test_decimals_as_strings_keep_every_digit() -> None:
    plan = compile_operation(CONVERSION, None, "NumberConversionSoap", "NumberToDollars", decimals="string")
    assert input_schema(plan)["properties"]["dNum"]["type"] == "string"
    body = body_of(envelope_for(plan, {"dNum": "12345678901234567890.123456789"}))
    assert body[0].text == "12345678901234567890.123456789"
    with pytest.raises(ValueError, match="dNum: must be a decimal number as a string"):
        validate(plan, {"dNum": "twelve"})


@pytest.mark.parametrize("value", ["NaN", "nan", "Infinity", "-Infinity", "inf", "sNaN"])
def test_decimal_strings_refuse_nan_and_infinity(value: str) -> None:
    plan = compile_operation(CONVERSION, None, "NumberConversionSoap", "NumberToDollars", decimals="string")
    with pytest.raises(ValueError, match="dNum: must be a finite number"):
        validate(plan, {"dNum": value})


def test_decimal_exponents_cannot_blow_up_the_request() -> None:
    as_text = compile_operation(CONVERSION, None, "NumberConversionSoap", "NumberToDollars", decimals="string")
    as_number = compile_operation(CONVERSION, None, "NumberConversionSoap", "NumberToDollars")
    for value in ("1e999999999", "1e-999999999", "1" + "0" * 400):  # 11 characters would be a gigabyte of zeros
        with pytest.raises(ValueError, match="dNum: must have fewer than 400 digits before and after the decimal point"):
            validate(as_text, {"dNum": value})
    with pytest.raises(ValueError, match="dNum: must have fewer than 400 digits"):
        validate(as_number, {"dNum": 10**400})
    assert validate(as_text, {"dNum": "1e3"})["dNum"] == "1000"
    assert validate(as_number, {"dNum": 1e308})["dNum"] == "1" + "0" * 308  # every double still goes through
    assert validate(as_number, {"dNum": 5e-324})["dNum"] == "0." + "0" * 323 + "5"


def test_float_and_double_refuse_nan_infinity_and_strings(tmp_path: Path) -> None:
    (tmp_path / "floats.wsdl").write_text(
        Path(RPC)
        .read_text()
        .replace(
            '<part name="quantity" type="xsd:int"/>',
            '<part name="quantity" type="xsd:int"/><part name="weight" type="xsd:float"/><part name="ratio" type="xsd:double"/>',
        )
    )
    plan = compile_operation(str(tmp_path / "floats.wsdl"), None, None, "GetQuote")
    base = {"product": "p", "quantity": 1, "budget_value": 5, "budget_currency": "EUR"}
    assert validate(plan, {**base, "weight": 2.5, "ratio": 10**20})["ratio"] == "1e+20"
    for bad in (float("nan"), float("inf"), float("-inf"), 10**400):
        with pytest.raises(ValueError, match="weight: must be a finite number; ratio: must be a finite number"):
            validate(plan, {**base, "weight": bad, "ratio": bad})
    for text in ("NaN", "Infinity", "1.5"):
        with pytest.raises(ValueError, match="weight: must be a number"):
            validate(plan, {**base, "weight": text})


# -- any text survives the trip ------------------------------------------------------------------

XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff"), max_size=60)


@settings(max_examples=150, deadline=None)
@given(reference=XML_TEXT, amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999.99"), places=2))
def test_inputs_round_trip_through_the_envelope(reference: str, amount: Decimal) -> None:
    plan = compile_operation(BILLING, None, None, "RecordPayment")
    parsed = body_of(
        envelope_for(plan, {"accountId": "ACC-1001", "amount": float(amount), "currency": "USD", "method": "CASH", "reference": reference})
    )
    assert parsed.findtext("{*}reference") == (reference or None)  # "" leaves the optional element out
    assert Decimal(parsed.findtext("{*}amount")) == amount


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20))
def test_any_text_input_is_either_sent_or_refused_as_invalid_input(text: str) -> None:
    plan = compile_operation(BILLING, None, None, "GetAccount")
    try:
        values = validate(plan, {"accountId": text})
    except ValueError as exc:
        assert "control characters" in str(exc) and text not in str(exc).replace("accountId", "")
        return
    assert body_of(envelope(plan, values, NO_AUTH)).findtext("{*}accountId") == text


def test_listing_command_shows_services_ports_operations_and_contracts(capsys: pytest.CaptureFixture[str]) -> None:
    from local.cli import main

    assert main(["wsdl", CONVERSION]) == 0
    text = capsys.readouterr().out
    assert "NumberConversion / NumberConversionSoap  SOAP 1.1" in text and "NumberConversion / NumberConversionSoap12  SOAP 1.2" in text
    assert "input : ubiNum integer" in text and "output: {NumberToWordsResult: string}" in text
    assert main(["wsdl", BILLING, "--operation", "RecordPayment", "--json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["input"]["properties"]["method"]["enum"] == ["CARD", "BANK_TRANSFER", "CASH"]
    with pytest.raises(SystemExit, match="no SOAP operation matches"):
        main(["wsdl", BILLING, "--operation", "Nope"])
    assert main(["wsdl", ORDERS]) == 0  # the headers an action may declare, with their types
    assert "SOAP headers: Session.token string, Session.language string?, Session.client.name string?" in capsys.readouterr().out


@pytest.mark.parametrize("json_flag", [[], ["--json"]], ids=["text", "json"])
def test_listing_a_wsdl_without_soap_ports_says_so_and_succeeds(capsys: pytest.CaptureFixture[str], json_flag: list[str]) -> None:
    from local.cli import main

    assert main(["wsdl", HTTP_ONLY, *json_flag]) == 0
    captured = capsys.readouterr()
    said = "no SOAP port, so nothing to list: the ports are WeatherHttpGet (HTTP GET), WeatherHttpPost (HTTP POST)"
    if json_flag:
        assert json.loads(captured.out) == [] and said in captured.err
    else:
        assert said in captured.out and "GetForecast" not in captured.out


def test_rpc_literal_response_equals_zeeps_parse() -> None:
    from zeep.helpers import serialize_object

    raw = (
        b'<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
        b'<r:GetQuoteResponse xmlns:r="urn:example:legacy-rates"><quote quoteId="Q-7"><rate>1.25</rate>'
        b'<total currency="EUR">15.00</total><validUntil>2026-12-01T00:00:00Z</validUntil><notes>bulk</notes><notes>net 30</notes>'
        b"</quote></r:GetQuoteResponse></soap:Body></soap:Envelope>"
    )
    plan = compile_operation(RPC, None, None, "GetQuote")
    ours = read(plan, 200, "text/xml", raw, "Rates")
    assert ours == {
        "quote": {
            "rate": 1.25,
            "total": {"value": 15, "currency": "EUR"},
            "validUntil": "2026-12-01T00:00:00Z",
            "notes": ["bulk", "net 30"],
            "quoteId": "Q-7",
        }
    }
    document, _ = load(RPC)
    op = document.services["LegacyRates"].ports["RatesPort"].binding._operations["GetQuote"]
    theirs = normalise(serialize_object(op.process_reply(etree.fromstring(raw)), dict))
    assert theirs["rate"] == ours["quote"]["rate"] and theirs["notes"] == ours["quote"]["notes"]
    assert theirs["total"] == {"_value_1": 15, "currency": "EUR"} and theirs["quoteId"] == "Q-7"
