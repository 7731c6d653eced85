"""A local customer billing service: a real SOAP 1.1 server (spyne) behind WS-Security.

Speaks exactly what ``functions/billing/wsdl/billing.wsdl`` describes (spyne validates every
request against its own schema with lxml, so a malformed envelope is refused as a real server
would): accounts with a nested contact and address, a list of invoices, enumerated statuses,
dates and decimals; ``Client.AccountNotFound`` (with the account id echoed in the reason and the
detail, as services do) / ``Client.AccountClosed`` faults. Every request must carry the
``TenantHeader`` SOAP header naming this service's tenant (``Client.UnknownTenant`` otherwise);
the channel it may name is kept in ``CHANNELS`` for tests.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal as D
from typing import Any

from local.standins.server import LocalServer
from local.standins.soap import SoapGateway

BACKEND_KIND = "billing"
USERNAME = "local-billing"
PASSWORD = "local-billing-password"
TENANT = "local-tenant-7f3a"
CHANNELS: list[str | None] = []  # the TenantHeader channel of each request the service accepted
SERVICE_NS = "urn:example:billing:2024"
TYPES_NS = "urn:example:billing:types:2024"

ACCOUNTS: dict[str, dict[str, Any]] = {
    "ACC-1001": {
        "name": "Ada Lovelace",
        "status": "ACTIVE",
        "balance": D("125.40"),
        "currency": "USD",
        "phone": "+13175550101",
        "opened_on": dt.date(2019, 3, 14),
        "last_payment_at": dt.datetime(2026, 10, 30, 15, 4, 5, tzinfo=dt.UTC),
        "email": "ada@example.com",
        "address": ("12 Analytical Way", "Indianapolis", "46204", "US"),
        "invoices": [
            ("INV-9001", dt.date(2026, 9, 1), dt.date(2026, 9, 30), D("80.00"), True),
            ("INV-9002", dt.date(2026, 10, 1), dt.date(2026, 10, 31), D("125.40"), False),
        ],
    },
    "ACC-2002": {
        "name": "Grace Hopper",
        "status": "SUSPENDED",
        "balance": D("0"),
        "currency": "EUR",
        "phone": "+353212345678",
        "opened_on": dt.date(2021, 12, 9),
        "last_payment_at": None,
        "email": "grace@example.com",
        "address": ("1 Compiler Quay", "Cork", "T12 X2Y3", "IE"),
        "invoices": [],
    },
    "ACC-3003": {
        "name": "Closed Customer",
        "status": "CLOSED",
        "balance": D("0"),
        "currency": "USD",
        "phone": "+13175550199",
        "opened_on": dt.date(2015, 1, 2),
        "last_payment_at": None,
        "email": "",
        "address": ("", "", "", "US"),
        "invoices": [],
    },
}


def application():
    from spyne import Application, Boolean, ComplexModel, Date, DateTime, Decimal, Fault, ServiceBase, Unicode, rpc
    from spyne.protocol.soap import Soap11

    class Address(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [("street", Unicode), ("city", Unicode), ("postalCode", Unicode), ("country", Unicode(min_occurs=1))]

    class Contact(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [("email", Unicode), ("phone", Unicode), ("address", Address)]

    class Invoice(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [
            ("number", Unicode(min_occurs=1)),
            ("issuedOn", Date(min_occurs=1)),
            ("dueOn", Date(min_occurs=1)),
            ("amount", Decimal(min_occurs=1)),
            ("paid", Boolean(min_occurs=1)),
        ]

    class InvoiceList(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [("invoice", Invoice.customize(max_occurs="unbounded"))]

    Status = Unicode(values=["ACTIVE", "SUSPENDED", "CLOSED"], type_name="AccountStatus")

    class TenantHeader(ComplexModel):
        __namespace__ = SERVICE_NS
        _type_info = [("tenantId", Unicode(min_occurs=1)), ("channel", Unicode(values=["IVR", "AGENT", "DIGITAL"], type_name="Channel"))]

    class Account(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [
            ("accountId", Unicode(min_occurs=1)),
            ("name", Unicode(min_occurs=1)),
            ("status", Status.customize(min_occurs=1)),
            ("balance", Decimal(min_occurs=1)),
            ("currency", Unicode(min_occurs=1)),
            ("openedOn", Date(min_occurs=1)),
            ("lastPaymentAt", DateTime),
            ("contact", Contact),
            ("invoices", InvoiceList),
        ]

    class Receipt(ComplexModel):
        __namespace__ = TYPES_NS
        _type_info = [("receiptId", Unicode(min_occurs=1)), ("newBalance", Decimal(min_occurs=1)), ("postedAt", DateTime(min_occurs=1))]

    receipts = itertools.count(5001)

    def tenant(ctx) -> None:
        header = ctx.in_header
        if header is None or header.tenantId != TENANT:
            raise Fault("Client.UnknownTenant", "The TenantHeader is missing or names no tenant of this service")
        CHANNELS.append(header.channel)

    def not_found(account_id: str) -> Fault:
        return Fault("Client.AccountNotFound", f"No account {account_id}", "urn:example:billing:accounts", {"accountId": account_id})

    def account(account_id: str) -> Account:
        data = ACCOUNTS.get(account_id)
        if data is None:
            raise not_found(account_id)
        street, city, postal, country = data["address"]
        return Account(
            accountId=account_id,
            name=data["name"],
            status=data["status"],
            balance=data["balance"],
            currency=data["currency"],
            openedOn=data["opened_on"],
            lastPaymentAt=data["last_payment_at"],
            contact=Contact(
                email=data["email"] or None,
                phone=data["phone"],
                address=Address(street=street or None, city=city or None, postalCode=postal or None, country=country),
            ),
            invoices=InvoiceList(invoice=[Invoice(number=n, issuedOn=i, dueOn=d, amount=a, paid=p) for n, i, d, a, p in data["invoices"]]),
        )

    class BillingService(ServiceBase):
        __in_header__ = TenantHeader

        @rpc(Unicode(min_occurs=1), _returns=Account, _body_style="wrapped")
        def GetAccount(ctx, accountId):  # noqa: N802,N803 (the WSDL's names)
            tenant(ctx)
            return account(accountId)

        @rpc(Unicode, Unicode, _returns=Account)
        def FindAccount(ctx, accountId, phoneNumber):  # noqa: N802,N803
            tenant(ctx)
            if accountId:
                return account(accountId)
            digits = "".join(ch for ch in phoneNumber or "" if ch.isdigit())
            for account_id, data in ACCOUNTS.items():
                if digits and data["phone"].lstrip("+").endswith(digits[-10:]):
                    return account(account_id)
            raise Fault("Client.AccountNotFound", "No account with that phone number")

        @rpc(
            Unicode(min_occurs=1),
            Decimal(min_occurs=1),
            Unicode(min_occurs=1),
            Unicode(min_occurs=1, values=["CARD", "BANK_TRANSFER", "CASH"]),
            Unicode,
            _returns=Receipt,
        )
        def RecordPayment(ctx, accountId, amount, currency, method, reference):  # noqa: N802,N803
            tenant(ctx)
            data = ACCOUNTS.get(accountId)
            if data is None:
                raise not_found(accountId)
            if data["status"] == "CLOSED":
                raise Fault("Client.AccountClosed", "Payments cannot be recorded on a closed account")
            if amount <= 0 or currency != data["currency"]:
                raise Fault("Client.InvalidAmount", "The amount must be positive and in the account's currency")
            new_balance = max(D("0"), data["balance"] - amount)
            return Receipt(
                receiptId=f"RCPT-{next(receipts)}", newBalance=new_balance, postedAt=dt.datetime.now(dt.UTC).replace(microsecond=0)
            )

    return Application([BillingService], tns=SERVICE_NS, name="BillingService", in_protocol=Soap11(validator="lxml"), out_protocol=Soap11())


def start() -> tuple[LocalServer, dict[str, dict]]:
    gateway = SoapGateway({"1.1": application()}, auth="wsse", username=USERNAME, password=PASSWORD)
    server = LocalServer("billing", gateway).start()
    common = {
        "endpoint": f"{server.url}/billing",
        "auth": "wsse",
        "username": USERNAME,
        "password": PASSWORD,
        "headers": {"tenantId": TENANT},
    }
    return server, {"default": common, "digest": {**common, "passwordDigest": True}}
