"""Contracts of the payment actions and the shape of the payments secret."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, WithJsonSchema, field_validator, model_validator

from dataactions import Contract

Amount = Annotated[
    Decimal,
    Field(gt=0, le=1_000_000, description="Amount in major units, for example 12.50"),
    WithJsonSchema(
        {
            "type": "number",
            "minimum": 0,
            "exclusiveMinimum": True,
            "maximum": 1000000,
            "description": "Amount in major units, for example 12.50",
        }
    ),
]


class ValidateCardPaymentInput(Contract):
    """What a secure flow collects. Card data is held as SecretStr: it never shows in a repr or dump."""

    card_number: SecretStr = Field(min_length=12, max_length=23, description="Card number as keyed, digits (spaces and dashes are ignored)")
    expiry_month: int = Field(ge=1, le=12, description="Expiry month, 1-12")
    expiry_year: int = Field(ge=0, le=2099, description="Expiry year, 2 or 4 digits (27 or 2027)")
    cvv: SecretStr | None = Field(None, min_length=3, max_length=4, description="Card security code (optional)")
    amount: Amount
    currency: str = Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217 currency code, for example USD")
    reference: str | None = Field(
        None, max_length=20, pattern=r"^[A-Za-z0-9_-]*$", description="Your order or invoice reference (optional, up to 20 letters/digits)"
    )

    @field_validator("expiry_year")
    @classmethod
    def _two_or_four_digits(cls, v: int) -> int:
        if 100 <= v < 2000:
            raise ValueError("use a 2-digit or 4-digit year")
        return v

    @field_validator("currency")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.upper()


class ValidateCardPaymentOutput(Contract):
    approved: bool = Field(description="True only when the processor authorised the amount")
    status: Literal["approved", "declined", "invalid", "review"] = Field(
        description="approved; declined by the processor; invalid card data the caller can re-enter; held for review"
    )
    reason_code: str = Field(description="APPROVED, DECLINED, INSUFFICIENT_FUNDS, CARD_EXPIRED, INVALID_CARD_NUMBER, INVALID_CVV, ...")
    reason: str = Field(description="Short explanation, safe to show an agent")
    brand: str = Field(description="Card brand, empty when unknown")
    masked_card: str = Field(description="Card number with all but the last four digits masked")
    last4: str = Field(description="Last four digits of the card")
    authorization_id: str = Field(description="Processor transaction id; empty unless approved or held")
    approval_code: str = Field(description="Issuer approval code; empty unless approved")
    amount: str = Field(description="Amount as authorised, in major units")
    currency: str = Field(description="ISO 4217 currency code")


class PaymentsConfig(BaseModel):
    """The payments secret: which processor, and its credentials."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    processor: Literal["sandbox", "authorizenet"] = "sandbox"
    api_login_id: SecretStr | None = Field(None, alias="apiLoginId")
    transaction_key: SecretStr | None = Field(None, alias="transactionKey")
    endpoint: str = Field("https://apitest.authorize.net/xml/v1/request.api", pattern=r"^https?://")
    merchant_currency: str = Field("USD", alias="merchantCurrency")
    processor_timeout_seconds: float = Field(8.0, alias="processorTimeoutSeconds", gt=0, le=30)
    sandbox_delay_seconds: float = Field(30.0, alias="sandboxDelaySeconds", ge=0)

    @model_validator(mode="after")
    def _credentials(self) -> PaymentsConfig:
        if self.processor == "authorizenet" and not (self.api_login_id and self.transaction_key):
            raise ValueError("apiLoginId and transactionKey are required for authorizenet")
        return self
