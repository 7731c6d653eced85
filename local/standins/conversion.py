"""A local number conversion service: the public NumberConversion sample's wire format, served by
spyne over SOAP 1.1 and SOAP 1.2 on one path, behind HTTP Basic auth."""

from __future__ import annotations

from decimal import Decimal as D

from local.standins.server import LocalServer
from local.standins.soap import SoapGateway

BACKEND_KIND = "conversion"
USERNAME = "local-conversion"
PASSWORD = "local-conversion-password"
NS = "http://www.dataaccess.com/webservicesserver/"


def _words(number: int) -> str:
    from num2words import num2words

    return num2words(number, lang="en").replace(",", "").replace(" and ", " ").replace("-", " ")


def applications() -> dict[str, object]:
    from spyne import Application, Decimal, Fault, ServiceBase, Unicode, UnsignedInteger64, rpc
    from spyne.protocol.soap import Soap11, Soap12

    class NumberConversion(ServiceBase):
        @rpc(UnsignedInteger64(min_occurs=1), _returns=Unicode)
        def NumberToWords(ctx, ubiNum):  # noqa: N802,N803 (the WSDL's names)
            if ubiNum >= 10**18:
                raise Fault("Client.NumberTooLarge", "The number must be below one quintillion")
            return _words(ubiNum) + " "

        @rpc(Decimal(min_occurs=1), _returns=Unicode)
        def NumberToDollars(ctx, dNum):  # noqa: N802,N803
            cents = int((dNum * 100).quantize(D("1")))
            if cents <= 0:
                raise Fault("Client.NotPositive", "The amount must be positive")
            dollars, cents = divmod(cents, 100)
            text = f"{_words(dollars)} dollar{'s' if dollars != 1 else ''}"
            return text + (f" and {_words(cents)} cent{'s' if cents != 1 else ''}" if cents else "")

    def app(protocol: type) -> Application:
        return Application(
            [NumberConversion], tns=NS, name="NumberConversion", in_protocol=protocol(validator="lxml"), out_protocol=protocol()
        )

    return {"1.1": app(Soap11), "1.2": app(Soap12)}


def start() -> tuple[LocalServer, dict[str, dict]]:
    gateway = SoapGateway(applications(), auth="basic", username=USERNAME, password=PASSWORD)
    server = LocalServer("conversion", gateway).start()
    return server, {
        "default": {
            "endpoint": f"{server.url}/webservicesserver/NumberConversion.wso",
            "auth": "basic",
            "username": USERNAME,
            "password": PASSWORD,
        }
    }
