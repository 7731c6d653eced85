"""Billing actions: operations of the billing platform's SOAP service (wsdl/billing.wsdl).

Everything about each action (contracts, request, response) is derived from the WSDL; the
declarations only pick the operation, shape the output for flows and say where the TenantHeader
SOAP header comes from (the configuration's secret: one tenant per configuration).
"""

from __future__ import annotations

from soapbridge import soap_action, soap_backend

BILLING = soap_backend(
    "billing",
    "Billing",
    secret_example={
        "endpoint": "https://billing.example.com/soap/billing",
        "auth": "wsse",
        "username": "<user>",
        "password": "<password>",
        "headers": {"tenantId": "<billing tenant id>"},
    },
)
WSDL = "wsdl/billing.wsdl"
TENANT = {"TenantHeader.tenantId": "secret:tenantId"}


@soap_action(
    backend=BILLING,
    wsdl=WSDL,
    service="BillingService",
    port="BillingPort",
    operation="GetAccount",
    name="Get Billing Account",
    output_root="GetAccountResult",
    not_found=("AccountNotFound",),
    headers=TENANT,
)
def get_billing_account() -> None:
    """Status, balance, contact and invoices of a billing account (found is false when the account does not exist)."""


@soap_action(
    backend=BILLING,
    wsdl=WSDL,
    service="BillingService",
    port="BillingPort",
    operation="FindAccount",
    name="Find Billing Account",
    output_root="FindAccountResult",
    not_found=("AccountNotFound",),
    outputs=("accountId", "name", "status", "balance", "currency"),
    headers=TENANT,
)
def find_billing_account() -> None:
    """The billing account for an account id or a phone number (give one of them); found is false when there is none."""


@soap_action(
    backend=BILLING,
    wsdl=WSDL,
    service="BillingService",
    port="BillingPort",
    operation="RecordPayment",
    name="Record Billing Payment",
    output_root="RecordPaymentResult",
    timeout_seconds=15,
    headers=TENANT,
)
def record_billing_payment() -> None:
    """Records a payment on a billing account and returns the receipt id and the new balance."""
