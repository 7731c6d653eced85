"""Call recordings from NICE CXone to Genesys Cloud, streamed: never the whole file in memory.

1. **Find and download** (:func:`find_recording`, :func:`download`): CXone's media playback API
   (``/media-playback/v1/contacts?acd-call-id=``) gives the file URL and which channel carries the
   customer and which the agent; the file is read in chunks (the URL is signed: no token is sent).
2. **Check and convert** (:func:`read_wav`, :func:`plan`, :func:`convert`): the RIFF header is
   parsed from the stream (PCM 8/16/24/32-bit, A-law, mu-law, WAVE_FORMAT_EXTENSIBLE). Genesys
   transcribes recordings that are dual channel, channel 0 the external participant (customer),
   channel 1 the internal one (agent), in PCMU, PCMA, L16 or Opus (help.mypurecloud.com, enable
   policy-based recording); the sample rate is not published: 8 kHz (telephony) is the target here
   (:class:`Target`). A recording already in that shape is uploaded byte for byte; otherwise it is
   decoded, its channels swapped when the customer is on channel 1, resampled, and written as 16-bit
   L16 (or mu-law), chunk by chunk with audioop (stdlib up to Python 3.12, the maintained
   ``audioop-lts`` backport from 3.13: Lambda's runtime has no ``audioop``). A mono recording cannot
   be split per speaker: by default it is uploaded anyway for playback and quality review and
   reported as not analysable (``mono="reject"`` refuses it instead). More than two channels is refused.
3. **Digest** while converting: the MD5 (base64, the upload's ``contentMd5``) and the size, written
   to a spool file (``/tmp``: Lambda's ephemeral storage must hold the largest recording) because
   Genesys wants the digest before the upload starts; :func:`digest` allows a second download
   instead of a spool.
4. **Upload** (:func:`request_upload`, :func:`put_recording`): ``POST /api/v2/uploads/recordings``
   ``{fileName, contentMd5, signedUrlTimeoutSeconds, contentType, serverSideEncryption}`` ->
   ``{url, uploadKey, headers}``; the bytes are PUT to ``url`` with exactly ``headers`` (plus the
   Content-Length: a signed S3 URL refuses chunked bodies), streamed from the spool.
5. **Link and check** (:class:`FileNameLink`, :func:`upload_status`): how Genesys matches an
   uploaded file to its conversation is not public; the file name carries the conversation and
   the customer's communication id here (pluggable). The upload report
   (``POST /api/v2/recording/uploads/reports`` then ``GET .../reports/{id}``) tells Success,
   Failure, Pending or WaitForConversation (the conversation must be injected first).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import struct
import sys
import tempfile
import time
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal, Protocol

from dataactions.errors import BackendError, BackendTimeout
from dataactions.vendor import call, json_body, malformed

with warnings.catch_warnings():  # stdlib audioop warns of its removal in 3.13, where audioop-lts replaces it
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

if TYPE_CHECKING:
    from dataactions import ActionContext
    from functions.cxone.client import CxoneClient
    from functions.genesys.client import GenesysClient

CHUNK = 64 * 1024
UPLOADS_PATH = "/api/v2/uploads/recordings"
REPORTS_PATH = "/api/v2/recording/uploads/reports"
STORAGE = "Genesys Cloud recording storage"
CXONE_MEDIA = "NICE CXone media"

Encoding = Literal["PCM", "PCMA", "PCMU"]
_FORMATS: dict[int, Encoding] = {1: "PCM", 6: "PCMA", 7: "PCMU"}
_EXTENSIBLE = 0xFFFE
_UNKNOWN_SIZE = 0xFFFFFFFF


class MediaError(Exception):
    """A recording that cannot be used (data-free message; ``code`` for reports)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


# -- reading a WAV stream ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WavFormat:
    encoding: Encoding
    channels: int
    rate: int
    bits: int
    block_align: int
    data_size: int | None  # None: not stated (streamed WAV); read to the end

    @property
    def frames(self) -> int | None:
        return None if self.data_size is None else self.data_size // self.block_align

    @property
    def label(self) -> str:
        kind = f"L{self.bits}" if self.encoding == "PCM" else self.encoding
        return f"{kind} {self.rate} Hz {self.channels} ch"


class _Reader:
    """Exact reads over an iterator of byte chunks, holding at most one chunk."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._it = iter(chunks)
        self._buf = b""
        self.consumed = 0

    def read(self, n: int) -> bytes:
        while len(self._buf) < n:
            nxt = next(self._it, None)
            if nxt is None:
                break
            self._buf += nxt
        out, self._buf = self._buf[:n], self._buf[n:]
        self.consumed += len(out)
        return out

    def exact(self, n: int, what: str) -> bytes:
        out = self.read(n)
        if len(out) != n:
            raise MediaError("not-wav", f"the recording ends inside its {what}")
        return out

    def skip(self, n: int) -> None:
        while n > 0:
            got = len(self.read(min(n, CHUNK)))
            if not got:
                raise MediaError("not-wav", "the recording ends inside a chunk")
            n -= got

    def rest(self, limit: int | None) -> Iterator[bytes]:
        left = limit
        if self._buf:
            first, self._buf = (self._buf, b"") if left is None else (self._buf[:left], self._buf[left:])
            if left is not None:
                left -= len(first)
            yield first
        for chunk in self._it:
            if left is not None:
                if left <= 0:
                    return
                chunk = chunk[:left]
                left -= len(chunk)
            yield chunk


def read_wav(chunks: Iterable[bytes]) -> tuple[WavFormat, Iterator[bytes]]:
    """The format from the RIFF header, and an iterator over the sample data that follows (the
    header is read from the stream: nothing is seeked, nothing but one chunk is held)."""
    r = _Reader(chunks)
    head = r.exact(12, "RIFF header")
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise MediaError("not-wav", "the recording is not a RIFF/WAVE file")
    fmt: WavFormat | None = None
    while True:
        chunk = r.read(8)
        if len(chunk) < 8:
            raise MediaError("not-wav", "the recording has no data chunk")
        cid, size = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if cid == b"fmt ":
            fmt = _fmt(r.exact(size, "fmt chunk"))
            if size % 2:
                r.skip(1)
        elif cid == b"data":
            if fmt is None:
                raise MediaError("not-wav", "the recording's data comes before its format")
            data_size = None if size in (0, _UNKNOWN_SIZE) else size
            fmt = WavFormat(fmt.encoding, fmt.channels, fmt.rate, fmt.bits, fmt.block_align, data_size)
            return fmt, r.rest(data_size)
        else:
            r.skip(size + size % 2)


def _fmt(raw: bytes) -> WavFormat:
    if len(raw) < 16:
        raise MediaError("not-wav", "the recording's fmt chunk is too short")
    tag, channels, rate, _, block_align, bits = struct.unpack("<HHIIHH", raw[:16])
    if tag == _EXTENSIBLE and len(raw) >= 26:
        tag = struct.unpack("<H", raw[24:26])[0]  # the SubFormat GUID starts with the format code
    encoding = _FORMATS.get(tag)
    if encoding is None:
        raise MediaError("unsupported-codec", f"WAV format code {tag} is neither PCM, A-law nor mu-law")
    if channels < 1 or rate < 1 or block_align < 1:
        raise MediaError("not-wav", "the recording's fmt chunk is inconsistent")
    if encoding == "PCM" and bits not in (8, 16, 24, 32):
        raise MediaError("unsupported-codec", f"{bits}-bit PCM is not supported")
    if block_align != channels * max(bits, 8) // 8:
        raise MediaError("not-wav", "the recording's block alignment does not match its channels and bits")
    return WavFormat(encoding, channels, rate, bits, block_align, None)


# -- what to do with it --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """What Genesys gets: dual channel (customer on 0), ``rate`` Hz, ``encoding`` L16 or PCMU."""

    rate: int = 8000
    encoding: Literal["L16", "PCMU"] = "L16"
    mono: Literal["keep", "reject"] = "keep"


@dataclass(frozen=True)
class Plan:
    source: WavFormat
    channels: int
    rate: int
    encoding: Literal["L16", "PCMU"]
    swap: bool
    passthrough: bool
    notes: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.encoding} {self.rate} Hz {self.channels} ch"


def plan(fmt: WavFormat, customer_channel: int | None, target: Target = Target()) -> Plan:
    """Whether the recording goes as it is, or what conversion it needs (raises MediaError when it
    cannot be used)."""
    if fmt.channels > 2:
        raise MediaError("unsupported-channels", f"{fmt.channels} channels: which one is the customer is unknown")
    notes: list[str] = []
    if fmt.channels == 1:
        if target.mono == "reject":
            raise MediaError("mono", "a mono recording cannot be split into customer and agent channels")
        notes.append("mono: customer and agent share one channel, so speech analytics cannot tell them apart")
    swap = fmt.channels == 2 and customer_channel == 1
    shape_ok = fmt.rate == target.rate and not swap and (fmt.encoding != "PCM" or fmt.bits == 16) and fmt.data_size is not None
    if shape_ok:
        passthrough = True
        encoding: Literal["L16", "PCMU"] = "PCMU" if fmt.encoding == "PCMU" else "L16"
    else:
        passthrough, encoding = False, target.encoding
        if swap:
            notes.append("customer was on channel 1: channels swapped")
        if fmt.rate != target.rate:
            notes.append(f"resampled from {fmt.rate} Hz to {target.rate} Hz")
    return Plan(fmt, fmt.channels, target.rate, encoding, swap, passthrough, tuple(notes))


def expected_frames(frames: int, rate_in: int, rate_out: int) -> int:
    """How many frames audioop.ratecv gives for ``frames`` input frames fed from a fresh state."""
    if rate_in == rate_out or frames == 0:
        return frames
    g = math.gcd(rate_in, rate_out)
    return (frames - 1) * (rate_out // g) // (rate_in // g) + 1


def wav_header(encoding: Literal["L16", "PCMU", "PCMA"], channels: int, rate: int, frames: int) -> bytes:
    """A canonical RIFF/WAVE header: PCM 16-bit, or G.711 with its fact chunk."""
    if encoding == "L16":
        data = frames * channels * 2
        fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
        chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt
    else:
        data = frames * channels
        tag = 7 if encoding == "PCMU" else 6
        fmt = struct.pack("<HHIIHHH", tag, channels, rate, rate * channels, channels, 8, 0)
        chunks = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, frames)
    return b"RIFF" + struct.pack("<I", 4 + len(chunks) + 8 + data) + b"WAVE" + chunks + b"data" + struct.pack("<I", data)


def _decode(buf: bytes, fmt: WavFormat) -> bytes:
    """Little-endian samples of any supported encoding as native 16-bit linear."""
    if fmt.encoding == "PCMU":
        return audioop.ulaw2lin(buf, 2)
    if fmt.encoding == "PCMA":
        return audioop.alaw2lin(buf, 2)
    width = fmt.bits // 8
    if sys.byteorder == "big" and width > 1:
        buf = audioop.byteswap(buf, width)
    if width == 1:  # 8-bit WAV is unsigned
        return audioop.lin2lin(audioop.bias(buf, 1, -128), 1, 2)
    return buf if width == 2 else audioop.lin2lin(buf, width, 2)


def _swap(lin: bytes) -> bytes:
    left, right = audioop.tomono(lin, 2, 1, 0), audioop.tomono(lin, 2, 0, 1)
    return audioop.add(audioop.tostereo(right, 2, 1, 0), audioop.tostereo(left, 2, 0, 1), 2)


def convert(fmt: WavFormat, data: Iterable[bytes], p: Plan) -> Iterator[bytes]:
    """The converted recording, header first, chunk by chunk (the source's size must be known)."""
    if fmt.frames is None:
        raise MediaError("not-wav", "a recording to convert must state its data size")
    out_frames = expected_frames(fmt.frames, fmt.rate, p.rate)
    out_width = 2 if p.encoding == "L16" else 1
    out_block = out_width * p.channels
    yield wav_header(p.encoding, p.channels, p.rate, out_frames)
    state: Any = None
    carry, written = b"", 0
    for chunk in data:
        buf = carry + chunk
        whole = len(buf) - len(buf) % fmt.block_align
        buf, carry = buf[:whole], buf[whole:]
        if not buf:
            continue
        lin = _decode(buf, fmt)
        if p.swap:
            lin = _swap(lin)
        if fmt.rate != p.rate:
            # ratecv interpolates linearly; weights (1, 1) average neighbouring input samples: a mild anti-alias filter
            lin, state = audioop.ratecv(lin, 2, p.channels, fmt.rate, p.rate, state, 1, 1 if p.rate < fmt.rate else 0)
        out = audioop.lin2ulaw(lin, 2) if p.encoding == "PCMU" else lin
        if sys.byteorder == "big" and out_width == 2:
            out = audioop.byteswap(out, 2)
        out = out[: max(0, out_frames * out_block - written)]
        written += len(out)
        if out:
            yield out
    missing = out_frames * out_block - written
    if missing > 0:  # a short source (truncated download) keeps the header's promise with silence
        yield (b"\xff" if p.encoding == "PCMU" else b"\x00") * missing


def media_stream(source: Iterable[bytes], customer_channel: int | None, target: Target = Target()) -> tuple[Plan, Iterator[bytes]]:
    """What will be uploaded, as a stream of chunks: the source as it is, or converted."""
    fmt, data = read_wav(source)
    p = plan(fmt, customer_channel, target)
    if p.passthrough:
        return p, _rejoin(fmt, data)
    return p, convert(fmt, data, p)


def _rejoin(fmt: WavFormat, data: Iterator[bytes]) -> Iterator[bytes]:
    """An acceptable recording as it is: a canonical header (extra chunks dropped) and the same samples."""
    encoding: Literal["L16", "PCMU", "PCMA"] = "L16" if fmt.encoding == "PCM" else fmt.encoding
    assert fmt.frames is not None
    yield wav_header(encoding, fmt.channels, fmt.rate, fmt.frames)
    yield from data


# -- digest and spool ------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """The recording ready to upload: where its bytes are, how many, their MD5 (base64)."""

    plan: Plan
    size: int
    content_md5: str
    path: str = ""
    notes: list[str] = field(default_factory=list)

    def chunks(self, size: int = CHUNK) -> Iterator[bytes]:
        with open(self.path, "rb") as f:
            while block := f.read(size):
                yield block

    def close(self) -> None:
        if self.path:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
            self.path = ""


def digest(chunks: Iterable[bytes], sink: Any = None) -> tuple[str, int]:
    """(base64 MD5, size) of a stream, each chunk also written to ``sink`` when given."""
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    for chunk in chunks:
        md5.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return base64.b64encode(md5.digest()).decode(), size


def prepare(source: Iterable[bytes], customer_channel: int | None, target: Target = Target(), spool_dir: str | None = None) -> Prepared:
    """Check, convert, digest and spool a recording (memory: a few chunks, whatever its length)."""
    p, stream = media_stream(source, customer_channel, target)
    fd, path = tempfile.mkstemp(prefix="recording-", suffix=".wav", dir=spool_dir)
    try:
        with os.fdopen(fd, "wb") as f:
            md5, size = digest(stream, f)
    except BaseException:
        os.unlink(path)
        raise
    return Prepared(p, size, md5, path, list(p.notes))


# -- CXone: where the recording is, and its bytes ------------------------------------------------------------------


@dataclass(frozen=True)
class CxoneRecording:
    contact_id: str
    url: str
    customer_channel: int | None
    agent_channel: int | None
    start: str = ""
    end: str = ""


def find_recording(ctx: ActionContext[Any], cxone: CxoneClient, contact_id: int | str) -> CxoneRecording | None:
    """The voice recording of a CXone contact (media playback API), or None when it has none."""
    from functions.cxone.client import CXONE

    host = cxone.base(ctx).split("/inContactAPI", 1)[0]
    params = {"acd-call-id": str(contact_id), "media-type": "voice-only", "exclude-waveforms": "true", "isDownload": "true"}
    resp = call(ctx, CXONE, "GET", f"{host}/media-playback/v1/contacts", auth=cxone.tokens, params=params, throttle=cxone.throttle)
    if resp.status_code == 404:
        return None
    body = json_body(resp, CXONE.name)
    for item in body.get("interactions") or [] if isinstance(body, dict) else []:
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(data, dict) or item.get("mediaType") not in ("voice-only", "voice-and-screen") or not data.get("fileToPlayUrl"):
            continue
        channels = {str(p.get("participantType")): p.get("channel") for p in data.get("participantDataList") or [] if isinstance(p, dict)}
        customer, agent = channels.get("CUSTOMER"), channels.get("AGENT")
        return CxoneRecording(
            str(contact_id),
            str(data["fileToPlayUrl"]),
            int(customer) if isinstance(customer, int) else None,
            int(agent) if isinstance(agent, int) else None,
            str(data.get("startTime") or ""),
            str(data.get("endTime") or ""),
        )
    if not isinstance(body, dict):
        raise malformed(CXONE.name, "expected a JSON object")
    return None


def download(ctx: ActionContext[Any], url: str, chunk_size: int = CHUNK) -> Iterator[bytes]:
    """The file at a signed URL, chunk by chunk (no credentials are sent to it)."""
    import httpx

    try:
        with ctx.http.client.stream("GET", url, timeout=ctx.call_timeout(ctx.time_left())) as resp:
            if resp.status_code != 200:
                raise BackendError(f"{CXONE_MEDIA} answered HTTP {resp.status_code} for the recording file")
            yield from resp.iter_bytes(chunk_size)
    except httpx.TimeoutException:
        raise BackendTimeout(f"{CXONE_MEDIA} did not send the recording in time") from None
    except httpx.TransportError as exc:
        raise BackendError(f"{CXONE_MEDIA} is unreachable ({type(exc).__name__})") from None


# -- Genesys: upload, link, report -------------------------------------------------------------------------------


class RecordingLink(Protocol):
    """How an uploaded file names the conversation it belongs to (not public: see the module doc)."""

    def file_name(self, conversation_id: str, communication_id: str, extension: str) -> str: ...


@dataclass(frozen=True)
class FileNameLink:
    template: str = "{conversation}_{communication}.{extension}"

    def file_name(self, conversation_id: str, communication_id: str, extension: str) -> str:
        return self.template.format(conversation=conversation_id, communication=communication_id, extension=extension)


@dataclass(frozen=True)
class UploadTicket:
    url: str
    upload_key: str
    headers: dict[str, str]


def request_upload(
    ctx: ActionContext[Any],
    client: GenesysClient,
    file_name: str,
    content_md5: str,
    *,
    timeout_seconds: int = 600,
    content_type: str = "audio/wav",
) -> UploadTicket:
    body = {
        "fileName": file_name,
        "contentMd5": content_md5,
        "signedUrlTimeoutSeconds": timeout_seconds,
        "contentType": content_type,
        "serverSideEncryption": "AES256",
    }
    answer = client.json(client.request(ctx, "POST", UPLOADS_PATH, read=False, json=body, passthrough=()))
    url, key, headers = answer.get("url"), answer.get("uploadKey"), answer.get("headers")
    if not isinstance(url, str) or not isinstance(key, str) or not isinstance(headers, dict):
        raise malformed("Genesys Cloud", "upload URL answer without url, uploadKey and headers")
    return UploadTicket(url, key, {str(k): str(v) for k, v in headers.items()})


def put_recording(ctx: ActionContext[Any], ticket: UploadTicket, chunks: Iterable[bytes], size: int) -> None:
    """PUT the bytes to the signed URL with exactly the returned headers (and the Content-Length,
    so the body streams without chunked encoding, which S3 refuses)."""
    headers = {**ticket.headers, "Content-Length": str(size)}
    resp = ctx.http.request(
        "PUT", ticket.url, timeout=ctx.call_timeout(ctx.time_left()), vendor=STORAGE, content=iter(chunks), headers=headers
    )
    if resp.status_code not in (200, 201, 204):
        code = ""
        if b"<Code>" in resp.content:
            code = " " + resp.content.split(b"<Code>", 1)[1].split(b"</Code>", 1)[0].decode(errors="replace")[:40]
        raise BackendError(f"{STORAGE} answered HTTP {resp.status_code}{code}")


def upload_status(
    ctx: ActionContext[Any], client: GenesysClient, upload_key: str, since: datetime, *, polls: int = 10, pause: float = 1.0
) -> str | None:
    """The upload's status from an upload report (Success, Failure, Pending, WaitForConversation),
    or None when the report does not list it or does not complete in ``polls`` looks."""
    from functions.exsync.interactions import event_time

    report = client.json(client.request(ctx, "POST", REPORTS_PATH, read=False, json={"dateSince": event_time(since)}, passthrough=()))
    report_id = str(report.get("id") or "")
    for attempt in range(polls):
        body = client.get(ctx, f"{REPORTS_PATH}/{report_id}") or {}
        state = body.get("state")
        if state == "Completed" and body.get("signedUrl"):
            rows = _report_rows(ctx, str(body["signedUrl"]))
            return next((str(r.get("status")) for r in rows if r.get("uploadKey") == upload_key), None)
        if state == "Failed" or attempt == polls - 1 or ctx.time_left() < pause + 1:
            return None
        time.sleep(pause)
    return None


def _report_rows(ctx: ActionContext[Any], url: str) -> list[dict[str, Any]]:
    """The report file: JSON rows (a list, or ``{entities: [...]}``) or CSV with a header line."""
    resp = ctx.http.request("GET", url, timeout=ctx.call_timeout(), vendor=STORAGE)
    if resp.status_code != 200:
        raise BackendError(f"{STORAGE} answered HTTP {resp.status_code} for the upload report")
    text = resp.text.strip()
    try:
        data = json.loads(text)
    except ValueError:
        import csv
        import io

        return list(csv.DictReader(io.StringIO(text)))
    rows = data.get("entities") if isinstance(data, dict) else data
    return [r for r in rows or [] if isinstance(r, dict)]


# -- the whole path -------------------------------------------------------------------------------------------------


@dataclass
class SyncedRecording:
    contact_id: str
    file_name: str
    upload_key: str
    size: int
    content_md5: str
    format: str
    notes: list[str] = field(default_factory=list)


def sync_recording(
    ctx: ActionContext[Any],
    cxone: CxoneClient,
    genesys: GenesysClient,
    contact_id: int | str,
    conversation_id: str,
    communication_id: str,
    *,
    link: RecordingLink = FileNameLink(),
    target: Target = Target(),
    spool_dir: str | None = None,
) -> SyncedRecording | None:
    """Download, check, convert, digest and upload one CXone recording for an injected conversation;
    None when the contact has no recording. MediaError when the file cannot be used."""
    found = find_recording(ctx, cxone, contact_id)
    if found is None:
        return None
    prepared = prepare(download(ctx, found.url), found.customer_channel, target, spool_dir)
    try:
        name = link.file_name(conversation_id, communication_id, "wav")
        ticket = request_upload(ctx, genesys, name, prepared.content_md5)
        put_recording(ctx, ticket, prepared.chunks(), prepared.size)
        return SyncedRecording(
            str(contact_id), name, ticket.upload_key, prepared.size, prepared.content_md5, prepared.plan.label, prepared.notes
        )
    finally:
        prepared.close()
