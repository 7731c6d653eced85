"""The AWS Lambda data actions integration: one action definition per deployed function."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from definitions.contracts import input_schema, output_schema

if TYPE_CHECKING:
    from dataactions.declaration import Action


def definition(act: Action, function_arn: str, name: str | None = None) -> dict[str, Any]:
    """The AWS Lambda data action in Genesys' import format."""
    return {
        "name": name or act.name,
        "integrationType": "aws-lambda-data-actions",
        "actionType": "custom",
        "config": {
            "request": {
                "requestUrlTemplate": function_arn,
                "requestType": "POST",
                "headers": {},
                "requestTemplate": "${input.rawRequest}",
            },
            "response": {"translationMap": {}, "translationMapDefaults": {}, "successTemplate": "${rawResult}"},
            "timeoutSeconds": act.timeout_seconds,
        },
        "contract": {
            "input": {"inputSchema": input_schema(act)},
            "output": {"successSchema": output_schema(act)},
        },
        "secure": act.secure,
    }
