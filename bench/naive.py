"""The same lookups written the usual way, as the baseline of the "new container to first answer"
benchmark: AWS Lambda Powertools (Logger, parser), pydantic models, boto3 Secrets Manager, httpx,
phonenumbers (and google-auth for Sheets), SDK clients created at module level as AWS advises.

It runs in its own Lambda-like interpreter (bench/layout.py) with none of this repository on its
path: it imports nothing of ours. Each handler makes the same requests as our action (token, then
the lookup) against the same local stand-in, and the benchmark checks that both answer alike.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
from typing import Any
from urllib.parse import quote

import boto3
import httpx
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.parser import event_parser
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

logger = Logger(service="naive-lookups")
secretsmanager = boto3.client("secretsmanager")
http = httpx.Client(timeout=10.0, headers={"User-Agent": "naive-lookups/1.0"})
UUID = r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
_secret: dict[str, Any] | None = None
_token: tuple[str, float, str] | None = None  # token, expiry, instance URL (Salesforce)


class Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, frozen=True)


class PhoneInput(Model):
    phone_number: str = Field(min_length=3, max_length=64)


class UserInput(Model):
    user_id: str = Field(pattern=UUID)


class PresenceOutput(Model):
    found: bool
    presence: str = ""
    presence_definition_id: str = ""
    message: str = ""
    modified_date: str = ""


class SalesforceContact(Model):
    found: bool
    match_count: int = 0
    contact_id: str = ""
    first_name: str = ""
    last_name: str = ""
    name: str = ""
    email: str = ""
    phone: str = ""
    mobile_phone: str = ""
    account_id: str = ""


class DynamicsContact(Model):
    found: bool
    match_count: int = 0
    contact_id: str = ""
    full_name: str = ""
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    telephone: str = ""
    mobile_phone: str = ""
    account_id: str = ""


class ZendeskUser(Model):
    found: bool
    match_count: int = 0
    user_id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""
    organization_id: int = 0


class Cell(Model):
    name: str
    value: str


class SheetRow(Model):
    found: bool
    match_count: int = 0
    row_number: int = 0
    columns: list[Cell] = []


def secret() -> dict[str, Any]:
    global _secret
    if _secret is None:
        _secret = json.loads(secretsmanager.get_secret_value(SecretId=os.environ["DA_SECRET_ID"])["SecretString"])
    return _secret


def bearer(fetch) -> dict[str, str]:
    global _token
    if _token is None or time.time() > _token[1]:
        _token = fetch()
    return {"Authorization": f"Bearer {_token[0]}"}


def phone_forms(raw: str, region: str) -> tuple[str, str, str, str]:
    """(E.164, national, national digits, international digits)."""
    import phonenumbers  # here, not at the top: this one file holds every family, and Genesys needs no phone numbers

    text = re.sub(r"^(?:tel|sip|sips):", "", raw.strip(), flags=re.IGNORECASE).split(";", 1)[0].split("@", 1)[0]
    number = phonenumbers.parse(text, region)
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return e164, national, phonenumbers.national_significant_number(number), e164.lstrip("+")


def answer(model: Model, action: str) -> dict[str, Any]:
    out = model.model_dump(by_alias=True)
    logger.info("lookup done", extra={"action": action, "found": out["found"]})
    return out


# -- Genesys Cloud: client credentials, then the user's presence ---------------------------------


def _genesys_token() -> tuple[str, float, str]:
    s = secret()
    resp = http.post(f"{s['loginUrl']}/oauth/token", data={"grant_type": "client_credentials"}, auth=(s["clientId"], s["clientSecret"]))
    resp.raise_for_status()
    body = resp.json()
    return body["access_token"], time.time() + body.get("expires_in", 3600) - 60, ""


@logger.inject_lambda_context
@event_parser(model=UserInput)
def genesys(event: UserInput, context: Any) -> dict[str, Any]:
    s = secret()
    resp = http.get(f"{s['apiUrl']}/api/v2/users/{event.user_id}/presences/PURECLOUD", headers=bearer(_genesys_token))
    if resp.status_code == 404:
        return answer(PresenceOutput(found=False), "get-user-presence")
    resp.raise_for_status()
    body = resp.json()
    definition = body["presenceDefinition"]
    return answer(
        PresenceOutput(
            found=True,
            presence=definition["systemPresence"],
            presence_definition_id=definition.get("id") or "",
            message=body.get("message") or "",
            modified_date=body.get("modifiedDate") or "",
        ),
        "get-user-presence",
    )


# -- Salesforce: client credentials, then a SOSL phone search -------------------------------------


def _salesforce_token() -> tuple[str, float, str]:
    s = secret()
    form = {"grant_type": "client_credentials", "client_id": s["clientId"], "client_secret": s["clientSecret"]}
    resp = http.post(f"{s['loginUrl']}/services/oauth2/token", data=form)
    resp.raise_for_status()
    body = resp.json()
    return body["access_token"], time.time() + 3600, body["instance_url"]


@logger.inject_lambda_context
@event_parser(model=PhoneInput)
def salesforce(event: PhoneInput, context: Any) -> dict[str, Any]:
    s = secret()
    e164, _, digits, _ = phone_forms(event.phone_number, s.get("defaultRegion", "US"))
    terms = " OR ".join('"' + re.sub(r"""([?&|!{}\[\]()^~*:\\"'+\-])""", r"\\\1", t) + '"' for t in (digits, e164))
    fields = "Id, FirstName, LastName, Name, Email, Phone, MobilePhone, AccountId"
    sosl = f"FIND {{{terms}}} IN PHONE FIELDS RETURNING Contact({fields} ORDER BY LastModifiedDate DESC LIMIT 200)"
    headers = bearer(_salesforce_token)
    assert _token is not None
    resp = http.get(f"{_token[2]}/services/data/{s.get('apiVersion', 'v62.0')}/search", params={"q": sosl}, headers=headers)
    resp.raise_for_status()
    records = [r for r in resp.json()["searchRecords"] if r.get("attributes", {}).get("type") == "Contact"]
    if not records:
        return answer(SalesforceContact(found=False), "salesforce-get-contact-by-phone-number")
    r = records[0]
    return answer(
        SalesforceContact(
            found=True,
            match_count=len(records),
            contact_id=r.get("Id") or "",
            first_name=r.get("FirstName") or "",
            last_name=r.get("LastName") or "",
            name=r.get("Name") or "",
            email=r.get("Email") or "",
            phone=r.get("Phone") or "",
            mobile_phone=r.get("MobilePhone") or "",
            account_id=r.get("AccountId") or "",
        ),
        "salesforce-get-contact-by-phone-number",
    )


# -- Dynamics 365: Entra ID client credentials, then an OData query ------------------------------


def _dynamics_token() -> tuple[str, float, str]:
    s = secret()
    form = {
        "grant_type": "client_credentials",
        "client_id": s["clientId"],
        "client_secret": s["clientSecret"],
        "scope": f"{s['orgUrl']}/.default",
    }
    resp = http.post(f"{s['loginUrl']}/{s['tenantId']}/oauth2/v2.0/token", data=form)
    resp.raise_for_status()
    body = resp.json()
    return body["access_token"], time.time() + body.get("expires_in", 3600) - 60, ""


@logger.inject_lambda_context
@event_parser(model=PhoneInput)
def dynamics(event: PhoneInput, context: Any) -> dict[str, Any]:
    s = secret()
    forms = dict.fromkeys(phone_forms(event.phone_number, s.get("defaultRegion", "US")))
    quoted = ["'" + f.replace("'", "''") + "'" for f in forms]
    flt = " or ".join(f"{field} eq {q}" for field in ("telephone1", "telephone2", "mobilephone") for q in quoted)
    params = {
        "$select": "contactid,fullname,firstname,lastname,emailaddress1,telephone1,mobilephone,_parentcustomerid_value",
        "$filter": flt,
        "$orderby": "modifiedon desc",
        "$top": "1",
        "$count": "true",
    }
    headers = {**bearer(_dynamics_token), "Accept": "application/json", "OData-MaxVersion": "4.0", "OData-Version": "4.0"}
    resp = http.get(f"{s['orgUrl']}/api/data/{s.get('apiVersion', 'v9.2')}/contacts", params=params, headers=headers)
    resp.raise_for_status()
    body = resp.json()
    if not body["value"]:
        return answer(DynamicsContact(found=False), "dynamics-get-contact-by-phone-number")
    r = body["value"][0]
    return answer(
        DynamicsContact(
            found=True,
            match_count=body.get("@odata.count", 1),
            contact_id=r.get("contactid") or "",
            full_name=r.get("fullname") or "",
            first_name=r.get("firstname") or "",
            last_name=r.get("lastname") or "",
            email=r.get("emailaddress1") or "",
            telephone=r.get("telephone1") or "",
            mobile_phone=r.get("mobilephone") or "",
            account_id=r.get("_parentcustomerid_value") or "",
        ),
        "dynamics-get-contact-by-phone-number",
    )


# -- Zendesk: API token (basic auth), one search --------------------------------------------------


@logger.inject_lambda_context
@event_parser(model=PhoneInput)
def zendesk(event: PhoneInput, context: Any) -> dict[str, Any]:
    s = secret()
    _, _, digits, _ = phone_forms(event.phone_number, s.get("defaultRegion", "US"))
    auth = base64.b64encode(f"{s['userEmail']}/token:{s['apiToken']}".encode()).decode()
    params: dict[str, str | int] = {
        "query": f"type:user role:end-user phone:*{digits}",
        "sort_by": "updated_at",
        "sort_order": "desc",
        "per_page": 1,
    }
    resp = http.get(f"{s['baseUrl']}/api/v2/search.json", params=params, headers={"Authorization": f"Basic {auth}"})
    resp.raise_for_status()
    body = resp.json()
    if not body["results"]:
        return answer(ZendeskUser(found=False), "zendesk-get-user-by-phone-number")
    r = body["results"][0]
    return answer(
        ZendeskUser(
            found=True,
            match_count=body.get("count", 1),
            user_id=r.get("id") or 0,
            name=r.get("name") or "",
            email=r.get("email") or "",
            phone=r.get("phone") or "",
            role=r.get("role") or "",
            organization_id=r.get("organization_id") or 0,
        ),
        "zendesk-get-user-by-phone-number",
    )


# -- Google Sheets: service-account token (google-auth), then the sheet's values -----------------


class _GoogleRequest:
    """google.auth.transport.Request over httpx."""

    def __call__(self, url: str, method: str = "GET", body: Any = None, headers: Any = None, timeout: Any = None, **kwargs: Any):
        resp = http.request(method, url, content=body, headers=headers)

        class Response:
            status = resp.status_code
            headers = resp.headers
            data = resp.content

        return Response()


def _google_token() -> tuple[str, float, str]:
    from google.oauth2 import service_account

    s = secret()
    info = {
        "type": "service_account",
        "client_email": s["clientEmail"],
        "private_key_id": s["privateKeyId"],
        "private_key": s["privateKey"],
        "token_uri": s["tokenUri"],
    }
    creds = service_account.Credentials.from_service_account_info(info, scopes=["https://www.googleapis.com/auth/spreadsheets"])
    creds.refresh(_GoogleRequest())
    return creds.token, time.time() + 3000, ""


@logger.inject_lambda_context
@event_parser(model=PhoneInput)
def google(event: PhoneInput, context: Any) -> dict[str, Any]:
    s = secret()
    _, _, national, international = phone_forms(event.phone_number, s.get("defaultRegion", "US"))
    a1 = "'" + s["sheet"].replace("'", "''") + "'!" + s["columns"]
    url = f"{s['sheetsUrl']}/v4/spreadsheets/{s['spreadsheetId']}/values/{quote(a1, safe='')}"
    resp = http.get(url, params={"majorDimension": "ROWS"}, headers=bearer(_google_token))
    resp.raise_for_status()
    rows = resp.json().get("values", [])
    headers = [str(h) for h in rows[0]] if rows else []
    index = [h.lower() for h in headers].index(s.get("phoneColumn", "Phone").lower())
    hits = [
        (n, r) for n, r in enumerate(rows[1:], start=2) if index < len(r) and re.sub(r"\D", "", str(r[index])) in (national, international)
    ]
    if not hits:
        return answer(SheetRow(found=False), "google-get-customer-by-phone-number")
    number, row = hits[0]
    wanted = [c.lower() for c in s.get("returnedColumns", [])]
    cells = [Cell(name=h, value=str(row[i]) if i < len(row) else "") for i, h in enumerate(headers) if not wanted or h.lower() in wanted]
    return answer(SheetRow(found=True, match_count=len(hits), row_number=number, columns=cells), "google-get-customer-by-phone-number")
