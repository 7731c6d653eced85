"""Payment actions (secure: their inputs are never logged)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataactions import Backend, InvalidInput, action
from functions.payments.cards import REASONS, amount_problem, check_card, format_amount, normalise_pan
from functions.payments.models import PaymentsConfig, ValidateCardPaymentInput, ValidateCardPaymentOutput
from functions.payments.processors import AuthRequest, processor_for

if TYPE_CHECKING:
    from dataactions import ActionContext

PAYMENTS = Backend(
    kind="payments",
    title="Card payments",
    config_model=PaymentsConfig,
    secret_example={
        "processor": "authorizenet",
        "apiLoginId": "<api login id>",
        "transactionKey": "<transaction key>",
        "merchantCurrency": "USD",
    },
)


@action(
    name="Validate Card Payment",
    description="Validates a card (Luhn, brand, length, expiry, CVV) and asks the payment processor to authorise the amount. "
    "Card data the caller can re-enter gives status 'invalid' with a reason code; processor failures raise.",
    input=ValidateCardPaymentInput,
    output=ValidateCardPaymentOutput,
    backend=PAYMENTS,
    secure=True,
    timeout_seconds=15,
)
def validate_card_payment(inp: ValidateCardPaymentInput, ctx: ActionContext) -> ValidateCardPaymentOutput:
    pan = normalise_pan(inp.card_number.get_secret_value())
    if pan is None:
        raise InvalidInput("Invalid input: cardNumber: only digits, spaces and dashes are allowed")
    problem = amount_problem(inp.amount, inp.currency)
    if problem:
        raise InvalidInput(f"Invalid input: {problem}")
    cvv = inp.cvv.get_secret_value() if inp.cvv is not None else None
    card = check_card(pan, inp.expiry_month, inp.expiry_year, cvv)

    def output(
        status: str, reason_code: str, reason: str, authorization_id: str = "", approval_code: str = ""
    ) -> ValidateCardPaymentOutput:
        return ValidateCardPaymentOutput(
            approved=status == "approved",
            status=status,
            reason_code=reason_code,
            reason=reason,
            brand=card.brand.name if card.brand else "",
            masked_card=card.masked,
            last4=card.last4,
            authorization_id=authorization_id,
            approval_code=approval_code,
            amount=format_amount(inp.amount, inp.currency),
            currency=inp.currency,
        )

    if card.reason is not None:
        return output("invalid", card.reason, REASONS[card.reason])
    processor = ctx.adapter(processor_for)
    result = processor.authorize(AuthRequest(pan, inp.expiry_month, card.expiry_year, cvv, inp.amount, inp.currency, inp.reference), ctx)
    return output(result.status, result.reason_code, result.reason, result.authorization_id, result.approval_code)
