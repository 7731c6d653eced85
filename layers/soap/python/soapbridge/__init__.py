"""JSON <-> SOAP bridge: any operation of a bundled WSDL as a Genesys data action.

Declaring one takes a few lines next to the WSDL (``functions/<family>/actions.py``)::

    BILLING = soap_backend("billing", "Billing (SOAP)")

    @soap_action(backend=BILLING, wsdl="wsdl/billing.wsdl", service="BillingService",
                 port="BillingPort", operation="GetAccount", name="Get Billing Account")
    def get_billing_account():
        \"\"\"Account, contact and invoices for an account number.\"\"\"

The docstring is the action's description, the function name its id. The WSDL is parsed by zeep
once per container (at import, from the bundled file), the operation compiled into a plan
(:mod:`soapbridge.compile` -> :mod:`soapbridge.plan`) that derives both Genesys contracts
and translates every call with lxml (:mod:`soapbridge.request` out, :mod:`soapbridge.response` in).
Ships in the ``soap`` layer with zeep and lxml; functions that do not speak SOAP never load it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, cast

from dataactions import ActionContext, Backend, action
from dataactions.errors import InvalidInput
from soapbridge.call import call
from soapbridge.compile import compile_operation
from soapbridge.config import SoapConfig
from soapbridge.plan import OperationPlan
from soapbridge.request import validate

__all__ = ["soap_action", "soap_backend", "SoapConfig", "OperationPlan"]


def soap_backend(kind: str, title: str, *, secret_example: Mapping[str, Any] | None = None) -> Backend[SoapConfig]:
    """A SOAP service as a backend family: its own secret (endpoint, credentials) and the soap layer."""
    return Backend(
        kind=kind,
        title=title,
        config_model=SoapConfig,
        layers=("core", "soap"),
        secret_example=dict(
            secret_example or {"endpoint": "https://<host>/<path>", "auth": "basic", "username": "<user>", "password": "<password>"}
        ),
    )


class _Contract:
    """A contract derived from the WSDL: what pydantic models offer the rest of the bundle, no pydantic."""

    plan: OperationPlan
    sparse_output = False
    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def model_dump(self, *, mode: Literal["json"] = "json", by_alias: bool = True) -> dict[str, Any]:
        return self.data


class SoapInput(_Contract):
    __slots__ = ()

    @classmethod
    def model_validate(cls, obj: Any) -> SoapInput:
        try:
            return cls(validate(cls.plan, obj))
        except ValueError as exc:
            raise InvalidInput(f"Invalid input: {exc}") from None

    @classmethod
    def model_json_schema(cls, by_alias: bool = True, *, mode: Literal["validation", "serialization"] = "validation") -> dict[str, Any]:
        from soapbridge.contracts import input_schema  # export and listing only: not on a call's path

        return input_schema(cls.plan)


class SoapOutput(_Contract):
    __slots__ = ()
    sparse_output = True  # optional response elements may be absent: only required ones are required

    @classmethod
    def model_validate(cls, obj: Any) -> SoapOutput:
        return cls(dict(obj))

    @classmethod
    def model_json_schema(cls, by_alias: bool = True, *, mode: Literal["validation", "serialization"] = "validation") -> dict[str, Any]:
        from soapbridge.contracts import output_schema

        return output_schema(cls.plan)


def soap_action(
    *,
    backend: Backend[SoapConfig],
    wsdl: str,
    operation: str,
    name: str,
    service: str | None = None,
    port: str | None = None,
    timeout_seconds: int = 10,
    secure: bool = False,
    **shape: Any,
) -> Callable[[Callable[[], None]], Any]:
    """Declare a SOAP operation as a data action (the decorated stub gives id and description).

    ``shape`` goes to :func:`soapbridge.compile.compile_operation`: ``inputs``/``outputs`` keep a
    subset (flat input names; dotted output paths), ``rename_inputs``/``rename_outputs`` give
    Genesys names, ``output_root`` returns one nested element's content, ``decimals="string"``
    keeps every digit, ``not_found`` lists fault codes (full or last part, e.g.
    ``AccountNotFound``) that mean "no such record": the output then gains ``found`` (false on that
    fault) instead of the flow taking its failure path. ``headers`` maps SOAP header values the
    WSDL declares (dotted path: header element, then child) to where they come from: ``"input"``
    (a Genesys input, named like body inputs: ``AuthHeader_Session``) or ``"secret:<key>"`` (the
    configuration secret's ``headers.<key>``, shared by every call, never in contracts or errors).
    ``secure=True`` also keeps the service's fault text (reason, detail) out of errors.
    """

    def wrap(stub: Callable[[], None]) -> Any:
        module_file = sys.modules[stub.__module__].__file__
        assert module_file is not None
        path = str(Path(module_file).resolve().parent / wsdl)  # bundled next to the actions module
        plan = compile_operation(path, service, port, operation, **shape)
        camel = "".join(p.title() for p in stub.__name__.split("_"))
        input_model = cast(type[SoapInput], type(f"{camel}Input", (SoapInput,), {"plan": plan, "__slots__": ()}))
        output_model = cast(type[SoapOutput], type(f"{camel}Output", (SoapOutput,), {"plan": plan, "__slots__": ()}))
        service_name, relay = backend.title, not secure

        def logic(inp: SoapInput, ctx: ActionContext[SoapConfig]) -> SoapOutput:
            return output_model(call(plan, inp.data, ctx, service_name, relay=relay))

        description = " ".join((stub.__doc__ or "").split())
        if not description:
            raise ValueError(f"{stub.__name__}: the docstring is the action's description; write one")
        logic.__name__, logic.__qualname__, logic.__module__ = stub.__name__, stub.__name__, stub.__module__
        return action(
            name=name,
            description=description,
            input=input_model,
            output=output_model,
            backend=backend,
            secure=secure,
            timeout_seconds=timeout_seconds,
        )(logic)

    return wrap
