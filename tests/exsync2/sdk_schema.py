"""JSON Schemas of the EX injection events, written from the Genesys Cloud Python SDK's model facts
(PureCloudPlatformClientV2 257.1.0: each model's attribute_map wire keys, the docs' required flags,
the setters' allowed values), independently of the builder and of the stand-in. jsonschema (a
maintained validator) checks the built events against them.

Only what the SDK states is encoded: required keys, types, enums, UUID fields (the docs say "V4
UUID" for ids), the ISO-8601 ``yyyy-MM-ddTHH:mm:ss[.mmm]Z`` times, no other keys.
"""

from __future__ import annotations

from typing import Any

import jsonschema

V4 = {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"}
UUID_ANY = {"type": "string", "pattern": "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"}
TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$"}
STR = {"type": "string"}
BOOL = {"type": "boolean"}
STRS = {"type": "array", "items": STR}


def obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": sorted(required),
        "additionalProperties": False,
    }


AUDIO_STATE = obj({}, {"canHear": BOOL, "canSpeak": BOOL})
INITIAL_CONFIGURATION = obj(
    {},
    {
        "audioState": AUDIO_STATE,
        "alerting": BOOL,
        "inbound": BOOL,
        "invitedBy": STR,
        "recordingActive": BOOL,
        "additionalInfo": {"type": "object"},
    },
)
EMAIL_INITIAL_CONFIGURATION = obj(
    {"to": STR, "from": STR},
    {
        "cc": STRS,
        "bcc": STRS,
        "subject": STR,
        "previousEmailId": STR,
        "held": BOOL,
        "alerting": BOOL,
        "inbound": BOOL,
        "invitedBy": STR,
        "additionalInfo": {"type": "object"},
    },
)
SOURCE_CONFIGURATION = obj({"sourceId": STR, "interactionId": STR}, {"tagId": STR})

BASE = {"eventId": V4, "eventDateTime": TIME, "conversationId": V4}
COMM = {**BASE, "communicationId": V4}
VOICE_DISCONNECT = {
    "enum": ["Error", "Peer", "Self", "System", "Transfer", "TransferACD", "TransferConference", "TransferConsult", "TransferUser"]
}
EMAIL_DISCONNECT = {"enum": ["Unknown", "Self", "Peer", "System", "Error", "Spam", "Transfer", "TransferACD", "TransferUser"]}
TRANSFER = {
    **BASE,
    "transferType": {"enum": ["Attended", "Unattended"]},
    "commandId": V4,
    "initiatingCommunicationId": V4,
    "targetCommunicationId": V4,
    "objectCommunicationId": V4,
}
CONSULT = {**BASE, "initiatingCommunicationId": V4, "destinationCommunicationId": V4, "objectCommunicationId": V4}
DISPOSITION_OPTIONAL = {"code": V4, "notes": STR, "tags": STRS}

EVENT_SCHEMAS: dict[str, dict[str, Any]] = {
    "externalEstablishedEvents": obj(
        {**COMM, "initialConfiguration": INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"ani": STR, "aniName": STR, "dnis": STR, "dnisName": STR},
    ),
    "routingEstablishedEvents": obj(
        {**COMM, "queueId": V4, "initialConfiguration": INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"phoneNumber": STR, "ani": STR, "dnis": STR, "skillIds": {"type": "array", "items": V4}, "languageId": V4},
    ),
    "userEstablishedEvents": obj(
        {**COMM, "userId": V4, "initialConfiguration": INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"phoneNumber": STR, "stationId": V4, "ani": STR, "dnis": STR, "afterCallWorkRequired": BOOL, "queueId": V4},
    ),
    "communicationAnsweredEvents": obj(COMM),
    "holdUpdatedEvents": obj({**COMM, "held": BOOL}),
    "communicationDispositionAppliedEvents": obj(COMM, DISPOSITION_OPTIONAL),
    "communicationEndedEvents": obj({**COMM, "disconnectType": VOICE_DISCONNECT}, {"destinationConversationId": V4}),
    "routingTransferEvents": obj({**TRANSFER, "destinationQueueId": V4}, {"languageId": V4, "skillIds": {"type": "array", "items": V4}}),
    "userTransferEvents": obj({**TRANSFER, "destinationUserId": V4}),
    "progressTransferEvents": obj({**BASE, "commandId": V4, "objectCommunicationId": V4, "destinationCommunicationId": V4}),
    "endTransferEvents": obj(
        {**BASE, "commandId": V4, "finalState": {"enum": ["Completed", "Canceled", "Failed"]}, "objectCommunicationId": V4}
    ),
    "consultTransferEvents": obj(CONSULT),
    "progressConsultTransferEvents": obj(CONSULT),
    "endConsultTransferEvents": obj(BASE),
    "emailExternalEstablishedEvents": obj(
        {**COMM, "initialConfiguration": EMAIL_INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"displayName": STR, "includeMessage": BOOL},
    ),
    "emailRoutingEstablishedEvents": obj(
        {**COMM, "queueId": STR, "initialConfiguration": EMAIL_INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"skillIds": STRS, "languageId": STR, "label": STR},
    ),
    "emailUserEstablishedEvents": obj(
        {**COMM, "userId": V4, "initialConfiguration": EMAIL_INITIAL_CONFIGURATION, "sourceConfiguration": SOURCE_CONFIGURATION},
        {"queueId": V4, "afterCallWorkRequired": BOOL},
    ),
    "emailCommunicationAnsweredEvents": obj(COMM),
    "emailCommunicationSentMessageEvents": obj(COMM),
    "emailHoldUpdatedEvents": obj({**COMM, "held": BOOL}),
    "emailCommunicationDispositionAppliedEvents": obj(COMM, DISPOSITION_OPTIONAL),
    "emailCommunicationEndedEvents": obj({**COMM, "disconnectType": EMAIL_DISCONNECT}),
}

USER_PRESENCE_EVENT = obj(
    {"eventId": V4, "eventDateTime": TIME, "userId": STR, "sourceId": V4}, {"presenceDefinitionId": UUID_ANY, "message": STR}
)
USER_ROUTING_STATUS_EVENT = obj(
    {
        "eventId": UUID_ANY,
        "eventDateTime": TIME,
        "agentId": STR,
        "status": {"enum": ["OffQueue", "Idle", "Interacting", "Communicating", "NotResponding"]},
        "sourceId": STR,
    }
)
BATCH_CONVERSATION_EVENT_REQUEST = {
    "type": "object",
    "properties": {kind: {"type": "array", "items": schema} for kind, schema in EVENT_SCHEMAS.items()},
    "additionalProperties": False,
}


def validate_event(kind: str, event: dict[str, Any]) -> None:
    assert kind in EVENT_SCHEMAS, f"{kind} is not an event array of BatchConversationEventRequest"
    jsonschema.Draft202012Validator(EVENT_SCHEMAS[kind]).validate(event)
