"""Completed contacts, contact details and state history (reporting API), and call recordings
(media playback API) with their WAV files, as CXone answers them.

* ``GET .../contacts/completed?startDate&endDate&updatedSince&mediaTypeId&skip&top`` ->
  ``{businessUnitId, lastPollTime, totalRecords, completedContacts: [...], _links: {self, next}}``
  (``next`` keeps the filters);
* ``GET .../contacts/{contactId}`` -> ``{businessUnitId, lastPollTime, contactId: {...}}`` (the
  reporting spec names the object ``contactId``);
* ``GET .../contacts/{contactId}/state-history`` -> ``{contactStateHistory: [{stateIndex,
  contactId, contactStateId, contactStateName, startDate, agentId, skillId, skillName, duration}]}``
  (duration ``HH:MM:SS``; Hold rows give the hold periods);
* ``GET /media-playback/v1/contacts?acd-call-id=`` -> ``{contactId, acdcontactId, interactions:
  [{mediaType: voice-only, channelType: PHONE_CALL, startTime, endTime, "@type": call, data:
  {fileToPlayUrl, participantDataList: [{participantType CUSTOMER|AGENT, channel, userId,
  voiceStages}], segmentsDataList}}]}``; 404 when the contact has no recording;
* ``GET /local-media/{contactId}.wav?expires&signature`` (the signed ``fileToPlayUrl``, no bearer
  token): the recording, generated when the stand-in starts serving it: speech-like tones, the
  customer and the agent taking turns, on the channels the metadata says. The big one is
  ``Tenant.big_recording_bytes`` long (200 MB by default), built only when asked for.
"""

from __future__ import annotations

import array
import hashlib
import hmac
import io
import math
import struct
import sys
import time
import wave
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from werkzeug.routing import Rule

from local.standins.cxone.agents import API, _after, _since
from local.standins.cxone.tenant import BUSINESS_UNIT, iso
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.cxone.tenant import Tenant

_SECRET = b"local-cxone-media"


def _not_found(what: str) -> Response:
    return Response(404, {"error": "NotFound", "error_description": f"{what} not found"})


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _hms(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


# -- WAV files ------------------------------------------------------------------------------------------


def speech_like(rate: int, channels: int, seconds: float, customer_channel: int = 0) -> bytes:
    """16-bit PCM frames: the customer (a 180 Hz voice) and the agent (a 260 Hz voice) speak in turns of
    0.75 s with a syllable-rate envelope; mono mixes both."""
    n = int(rate * seconds)
    samples = array.array("h", bytes(2 * n * channels))
    for i in range(n):
        t = i / rate
        turn = int(t / 0.75) % 2  # 0: customer speaks, 1: agent speaks
        envelope = 0.55 + 0.45 * math.sin(2 * math.pi * 4 * t)
        f = 180.0 if turn == 0 else 260.0
        voice = envelope * (
            math.sin(2 * math.pi * f * t) + 0.35 * math.sin(2 * math.pi * 2 * f * t) + 0.15 * math.sin(2 * math.pi * 3 * f * t)
        )
        value = int(9000 * voice)
        if channels == 1:
            samples[i] = value
        else:
            speaker = customer_channel if turn == 0 else 1 - customer_channel
            samples[i * channels + speaker] = value
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def wav_file(rate: int, channels: int, frames: bytes) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


@lru_cache(maxsize=16)
def recording_file(rate: int, channels: int, seconds: float, customer_channel: int) -> bytes:
    return wav_file(rate, channels, speech_like(rate, channels, seconds, customer_channel))


def big_recording(total_bytes: int, rate: int = 8000) -> bytes:
    """A stereo 16-bit WAV of about ``total_bytes``: one generated second, repeated."""
    block = speech_like(rate, 2, 1.5)
    frames = max(0, (total_bytes - 44) // 4)
    data_len = frames * 4
    header = b"RIFF" + struct.pack("<I", 36 + data_len) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, 1, 2, rate, rate * 4, 4, 16)
    header += b"data" + struct.pack("<I", data_len)
    whole, rest = divmod(data_len, len(block))
    return header + block * whole + block[:rest]


# -- the API ----------------------------------------------------------------------------------------------


class ContactsApi:
    tenant: Tenant

    RULES = (
        Rule(f"{API}/contacts/completed", endpoint="completed_contacts", methods=["GET"]),
        Rule(f"{API}/contacts/<int:contact>", endpoint="contact_details", methods=["GET"]),
        Rule(f"{API}/contacts/<int:contact>/state-history", endpoint="contact_state_history", methods=["GET"]),
        Rule("/media-playback/v1/contacts", endpoint="media_playback_contact", methods=["GET"]),
        Rule("/local-media/<int:contact>.wav", endpoint="media_file", methods=["GET"]),
    )
    PUBLIC = ("media_file",)  # a signed URL: no bearer token

    def completed_contacts(self, req: Request, version: str) -> Response:
        try:
            start = _since(req, "startDate")
            end = _since(req, "endDate")
            updated = _since(req, "updatedSince")
            media = int(req.query["mediaTypeId"]) if req.query.get("mediaTypeId") else None
            skip = max(int(req.query.get("skip", "0")), 0)
            top = min(max(int(req.query.get("top", "100")), 1), 10000)
        except ValueError:
            return Response(400, {"error": "InvalidParameter", "error_description": "invalid date or number"})
        items = [
            c
            for c in sorted(self.tenant.completed_contacts().values(), key=lambda c: (c["contactStartDate"], c["contactId"]))
            if (start is None or _at(c["contactStartDate"]) >= start)
            and (end is None or _at(c["contactStartDate"]) < end)
            and _after(c["lastUpdateTime"], updated)
            and (media is None or c["mediaTypeId"] == media)
        ]
        body: dict[str, Any] = {
            "businessUnitId": BUSINESS_UNIT,
            "lastPollTime": iso(),
            "totalRecords": len(items),
            "completedContacts": items[skip : skip + top],
        }
        kept = {k: v for k, v in req.query.items() if k not in ("skip", "top")}

        def link(n: int) -> str:
            return f"{req.base_url}?{urlencode({**kept, 'skip': n, 'top': top})}"

        body["_links"] = {"self": link(skip)}
        if skip + top < len(items):
            body["_links"]["next"] = link(skip + top)
        if skip:
            body["_links"]["previous"] = link(max(skip - top, 0))
        return Response(200, body)

    def contact_details(self, req: Request, version: str, contact: int) -> Response:
        c = self.tenant.completed_contacts().get(contact)
        if c is None:
            return _not_found("Contact")
        return Response(200, {"businessUnitId": BUSINESS_UNIT, "lastPollTime": iso(), "contactId": c})

    def contact_state_history(self, req: Request, version: str, contact: int) -> Response:
        c = self.tenant.completed_contacts().get(contact)
        if c is None:
            return _not_found("Contact")
        start = _at(c["contactStartDate"])
        rows: list[tuple[str, float]] = []
        if c["preQueueSeconds"]:
            rows.append(("PreQueue", c["preQueueSeconds"]))
        if c["inQueueSeconds"]:
            rows.append(("InQueue", c["inQueueSeconds"]))
        talk, clock = float(c["agentSeconds"]), 0.0
        for offset, seconds in self.tenant.contact_holds(contact):
            rows += [("Active", offset - clock), ("Hold", seconds)]
            clock = offset + seconds
        if talk:
            rows.append(("Active", talk - clock))
        if c["abandoned"]:
            rows.append(("Abandoned", 0))
        rows.append(("Released", 0))
        history, at = [], start
        for i, (name, seconds) in enumerate(rows, start=1):
            history.append(
                {
                    "stateIndex": i,
                    "contactId": str(contact),
                    "contactStateId": i,
                    "contactStateName": name,
                    "startDate": iso(at),
                    "agentId": c["agentId"] if name in ("Active", "Hold") else 0,
                    "skillId": c["skillId"],
                    "skillName": c["skillName"],
                    "duration": _hms(seconds),
                }
            )
            at += timedelta(seconds=seconds)
        return Response(200, {"contactStateHistory": history})

    def _file_url(self, req: Request, contact: int) -> str:
        expires = int(time.time()) + 3600
        signature = hmac.new(_SECRET, f"{contact}:{expires}".encode(), hashlib.sha256).hexdigest()
        return f"{req.host_url.rstrip('/')}/local-media/{contact}.wav?{urlencode({'expires': expires, 'signature': signature})}"

    def media_playback_contact(self, req: Request) -> Response:
        raw = req.query.get("acd-call-id", "")
        if not raw.isdigit():
            return Response(400, {"internalCode": "BAD_REQUEST", "message": "acd-call-id is required"})
        contact = int(raw)
        spec = self.tenant.recordings().get(contact)
        c = self.tenant.completed_contacts().get(contact)
        if spec is None:
            return Response(404, {"internalCode": "CONTACT_NOT_FOUND", "message": "No recording for this contact"})
        start = _at(c["contactStartDate"]) if c else self.tenant.CONTACTS_DAY
        seconds = spec["seconds"] or self.tenant.big_recording_bytes / (spec["rate"] * 4)
        end = start + timedelta(seconds=seconds)
        agent = self.tenant.agents.get(int(c["agentId"])) if c and c["agentId"] else None
        participants = [
            {"participantType": "CUSTOMER", "participantId": f"customer-{contact}", "channel": spec["customerChannel"]},
            {
                "participantType": "AGENT",
                "participantId": f"agent-{contact}",
                "agentName": f"{agent['firstName']} {agent['lastName']}" if agent else "",
                "userId": agent["userId"] if agent else "",
                "channel": 1 - spec["customerChannel"] if spec["channels"] == 2 else 0,
            },
        ]
        for p in participants:
            p["voiceStages"] = [{"stageType": "ACTIVE", "startTime": iso(start), "endTime": iso(end)}]
        data = {
            "startTime": iso(start),
            "endTime": iso(end),
            "fileToPlayUrl": self._file_url(req, contact),
            "participantDataList": participants,
            "segmentsDataList": [
                {
                    "startTime": iso(start),
                    "endTime": iso(end),
                    "directionType": "OUTBOUND" if c and c["isOutbound"] else "INBOUND",
                    "segmentId": f"seg-{contact}",
                }
            ],
        }
        interaction = {
            "mediaType": "voice-only",
            "channelType": "PHONE_CALL",
            "startTime": iso(start),
            "endTime": iso(end),
            "@type": "call",
            "data": data,
        }
        return Response(
            200, {"contactId": str(contact), "acdcontactId": str(contact), "elevatedInteraction": False, "interactions": [interaction]}
        )

    def media_file(self, req: Request, contact: int) -> Response:
        try:
            expires = int(req.query["expires"])
            good = hmac.new(_SECRET, f"{contact}:{expires}".encode(), hashlib.sha256).hexdigest()
            if not hmac.compare_digest(good, req.query["signature"]) or time.time() > expires:
                raise ValueError
        except (KeyError, ValueError):
            return Response(403, raw=b"<Error><Code>AccessDenied</Code></Error>", content_type="application/xml")
        spec = self.tenant.recordings().get(contact)
        if spec is None:
            return Response(404, raw=b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
        if spec.get("big"):
            body = big_recording(self.tenant.big_recording_bytes, spec["rate"])
        else:
            body = recording_file(spec["rate"], spec["channels"], spec["seconds"], spec["customerChannel"])
        return Response(200, raw=body, content_type="audio/wav")
