"""Number conversion actions: the public NumberConversion WSDL (wsdl/NumberConversion.wsdl),
one operation over its SOAP 1.2 port and one over its SOAP 1.1 port."""

from __future__ import annotations

from soapbridge import soap_action, soap_backend

CONVERSION = soap_backend(
    "conversion",
    "Number Conversion",
    secret_example={"endpoint": "https://www.dataaccess.com/webservicesserver/NumberConversion.wso", "auth": "none"},
)
WSDL = "wsdl/NumberConversion.wsdl"


@soap_action(
    backend=CONVERSION,
    wsdl=WSDL,
    port="NumberConversionSoap12",
    operation="NumberToWords",
    name="Number to Words",
    rename_inputs={"ubiNum": "number"},
    rename_outputs={"NumberToWordsResult": "words"},
)
def number_to_words() -> None:
    """Spells a whole number in English words, for prompts read by text-to-speech."""


@soap_action(
    backend=CONVERSION,
    wsdl=WSDL,
    port="NumberConversionSoap",
    operation="NumberToDollars",
    name="Number to Dollars",
    rename_inputs={"dNum": "amount"},
    rename_outputs={"NumberToDollarsResult": "words"},
)
def number_to_dollars() -> None:
    """Spells an amount as dollars and cents in English words, for prompts read by text-to-speech."""
