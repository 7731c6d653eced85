"""Payment processor adapters behind one shape, chosen by the payments secret.

* ``sandbox``: in-process, deterministic test cards (see ``TEST_CARDS``), for flows under test.
* ``authorizenet``: Authorize.Net's JSON API, ``createTransactionRequest`` with
  ``authOnlyTransaction`` (authorise now, capture later from your order system).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from dataactions import BackendError, BackendTimeout, InvalidInput

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.payments.models import PaymentsConfig

VENDOR = "Payment processor"

# Deterministic sandbox cards (all pass Luhn). Any other valid card is approved.
TEST_CARDS: dict[str, str] = {
    "4000000000000002": "declined",
    "4000000000009995": "insufficient_funds",
    "4000000000000119": "processor_error",
    "4000000000000309": "slow",
}


@dataclass(frozen=True)
class AuthRequest:
    """One authorisation. Card fields are excluded from repr, so it can never be printed."""

    pan: str = field(repr=False)
    expiry_month: int
    expiry_year: int
    cvv: str | None = field(repr=False)
    amount: Decimal
    currency: str
    reference: str | None


@dataclass(frozen=True)
class AuthResult:
    status: str  # approved | declined | invalid | review
    reason_code: str
    reason: str
    authorization_id: str = ""
    approval_code: str = ""


class Processor(Protocol):
    def authorize(self, req: AuthRequest, ctx: ActionContext) -> AuthResult: ...


class SandboxProcessor:
    def __init__(self, config: PaymentsConfig) -> None:
        self._config = config

    def authorize(self, req: AuthRequest, ctx: ActionContext) -> AuthResult:
        behaviour = TEST_CARDS.get(req.pan, "approved")
        if behaviour == "slow":
            budget = ctx.call_timeout(self._config.processor_timeout_seconds)
            time.sleep(min(budget, self._config.sandbox_delay_seconds))
            if self._config.sandbox_delay_seconds >= budget:
                raise BackendTimeout(f"{VENDOR} did not answer in time")
            behaviour = "approved"
        if behaviour == "processor_error":
            raise BackendError(f"{VENDOR} reported a processing error")
        if behaviour == "declined":
            return AuthResult("declined", "DECLINED", "The issuer declined the payment")
        if behaviour == "insufficient_funds":
            return AuthResult("declined", "INSUFFICIENT_FUNDS", "The card has insufficient funds")
        import secrets  # only the sandbox needs it; keeps it off every payment function's cold start

        drawn = secrets.token_hex(9).upper()  # one draw: a 12-digit authorisation id and a 6-digit approval code
        return AuthResult("approved", "APPROVED", "Approved", "SBX" + drawn[:12], drawn[12:])


# Authorize.Net response reason codes (transactionResponse.errors[].errorCode) we name.
_AUTHNET_REASONS: dict[str, tuple[str, str]] = {
    "2": ("DECLINED", "The issuer declined the payment"),
    "3": ("DECLINED", "The issuer declined the payment (referral)"),
    "4": ("DECLINED", "The issuer declined the payment (pick up card)"),
    "6": ("INVALID_CARD_NUMBER", "The card number is not valid"),
    "7": ("INVALID_EXPIRY", "The expiry date is not valid"),
    "8": ("CARD_EXPIRED", "The card has expired"),
    "11": ("DUPLICATE", "A duplicate transaction was submitted"),
    "27": ("AVS_MISMATCH", "The address did not match"),
    "44": ("CVV_MISMATCH", "The security code did not match"),
    "45": ("CVV_MISMATCH", "The security code or address did not match"),
    "65": ("CVV_MISMATCH", "The security code did not match"),
    "252": ("HELD_FOR_REVIEW", "The payment is held for review"),
    "253": ("HELD_FOR_REVIEW", "The payment is held for review"),
}
_CARD_DATA_ERRORS = {"6", "7", "8"}


class AuthorizeNetProcessor:
    def __init__(self, config: PaymentsConfig) -> None:
        self._config = config

    def authorize(self, req: AuthRequest, ctx: ActionContext) -> AuthResult:
        cfg = self._config
        if req.currency != cfg.merchant_currency:
            raise InvalidInput(f"Invalid input: currency: this merchant account settles in {cfg.merchant_currency} only")
        card = {"cardNumber": req.pan, "expirationDate": f"{req.expiry_year:04d}-{req.expiry_month:02d}"}
        if req.cvv:
            card["cardCode"] = req.cvv
        # Authorize.Net's JSON API is XML underneath: element order matters, and dicts keep it.
        tx: dict[str, object] = {
            "transactionType": "authOnlyTransaction",
            "amount": str(req.amount),
            "payment": {"creditCard": card},
        }
        if req.reference:
            tx["order"] = {"invoiceNumber": req.reference}
        body = {
            "createTransactionRequest": {
                "merchantAuthentication": {
                    "name": cfg.api_login_id.get_secret_value() if cfg.api_login_id else "",
                    "transactionKey": cfg.transaction_key.get_secret_value() if cfg.transaction_key else "",
                },
                **({"refId": req.reference} if req.reference else {}),
                "transactionRequest": tx,
            }
        }
        resp = ctx.http.request(
            "POST",
            cfg.endpoint,
            content=json.dumps(body, separators=(",", ":")).encode(),
            headers={"Content-Type": "application/json"},
            timeout=ctx.call_timeout(cfg.processor_timeout_seconds),
            vendor=VENDOR,
        )
        if resp.status_code != 200:
            raise BackendError(f"{VENDOR} answered HTTP {resp.status_code}")
        try:
            data = json.loads(resp.content.decode("utf-8-sig"))  # the API prefixes a byte-order mark
            result_code = data["messages"]["resultCode"]
        except (ValueError, KeyError, TypeError):
            raise BackendError(f"{VENDOR} answered with a malformed response") from None
        tr = data.get("transactionResponse") or {}
        code = str(tr.get("responseCode", ""))
        errors = tr.get("errors") or []
        error_code = str(errors[0].get("errorCode", "")) if errors and isinstance(errors[0], dict) else ""
        trans_id = str(tr.get("transId") or "")
        if code == "1":
            return AuthResult("approved", "APPROVED", "Approved", trans_id, str(tr.get("authCode") or ""))
        if code == "2":
            reason_code, reason = _AUTHNET_REASONS.get(error_code, ("DECLINED", "The issuer declined the payment"))
            return AuthResult("declined", reason_code, reason, "")
        if code == "4":
            return AuthResult("review", "HELD_FOR_REVIEW", "The payment is held for review", trans_id)
        if code == "3" and error_code in _CARD_DATA_ERRORS:
            reason_code, reason = _AUTHNET_REASONS[error_code]
            return AuthResult("invalid", reason_code, reason)
        if result_code == "Error" or code == "3":
            api_code = ""
            msgs = (data.get("messages") or {}).get("message") or []
            if msgs and isinstance(msgs[0], dict):
                api_code = str(msgs[0].get("code", ""))
            detail = error_code or api_code or "unknown"
            raise BackendError(f"{VENDOR} rejected the transaction (code {detail})")
        raise BackendError(f"{VENDOR} answered with an unknown response code")


def processor_for(config: PaymentsConfig) -> Processor:
    if config.processor == "authorizenet":
        return AuthorizeNetProcessor(config)
    return SandboxProcessor(config)
