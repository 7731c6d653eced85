"""Recordings: WAV parsing and conversion checked against the stdlib ``wave`` reader (an independent
oracle), the MD5 against hashlib, the upload through the stand-ins' signed-URL store, and flat memory
for a 200 MB recording (tracemalloc peak in a child process: the stand-ins in this process hold whole
bodies, the client must not)."""

from __future__ import annotations

import base64
import hashlib
import io
import math
import struct
import warnings
import wave
from datetime import UTC, datetime

import httpx
import pytest

from bench.exsync_feeds import upload_in_child
from dataactions.errors import BackendError
from functions.exsync import interactions as ix
from functions.exsync import media
from local.standins.cxone.contacts import recording_file, speech_like, wav_file
from local.standins.genesys.uploads import uploads
from tests.exsync2.support import SOURCE_ID, id_map

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop


def chunks(data: bytes, size: int = 1000):
    return (data[i : i + size] for i in range(0, len(data), size))


def stream(data: bytes, customer_channel=0, target=media.Target()):
    p, out = media.media_stream(chunks(data), customer_channel, target)
    return p, b"".join(out)


def read(data: bytes) -> tuple[wave._wave_params, bytes]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getparams(), w.readframes(w.getnframes())


def g711_wav(tag: int, rate: int, channels: int, payload: bytes) -> bytes:
    fmt = struct.pack("<HHIIHHH", tag, channels, rate, rate * channels, channels, 8, 0)
    body = b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"fact" + struct.pack("<II", 4, len(payload) // channels)
    body += b"LIST" + struct.pack("<I", 5) + b"INFOx\x00"  # an odd-sized extra chunk with its pad byte
    body += b"data" + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body


def test_the_header_is_read_from_the_stream_as_wave_reads_it():
    data = recording_file(8000, 2, 1.0, 0)
    fmt, rest = media.read_wav(chunks(data, 7))
    params, frames = read(data)
    assert (fmt.channels, fmt.rate, fmt.bits // 8, fmt.frames) == (params.nchannels, params.framerate, params.sampwidth, params.nframes)
    assert b"".join(rest) == frames


def test_an_acceptable_recording_goes_as_it_is():
    data = recording_file(8000, 2, 1.0, 0)
    p, out = stream(data)
    assert p.passthrough and not p.notes
    assert read(out) == read(data)


def test_g711_in_8_khz_stereo_goes_as_it_is_with_its_extra_chunks_dropped():
    lin = speech_like(8000, 2, 0.5)
    ulaw = audioop.lin2ulaw(lin, 2)
    p, out = stream(g711_wav(7, 8000, 2, ulaw))
    assert p.passthrough and p.encoding == "PCMU"
    assert out.endswith(ulaw) and out[20:22] == b"\x07\x00" and b"LIST" not in out


def test_16_khz_is_resampled_to_8_khz_chunk_by_chunk():
    data = recording_file(16000, 2, 2.0, 0)
    p, out = stream(data)
    assert not p.passthrough and p.notes == ("resampled from 16000 Hz to 8000 Hz",)
    params, frames = read(out)
    assert (params.nchannels, params.framerate, params.sampwidth) == (2, 8000, 2)
    assert params.nframes == media.expected_frames(32000, 16000, 8000) == len(frames) // 4 == 16000


def test_a_resampled_tone_keeps_its_pitch():
    rate, seconds, f = 16000, 1.0, 1000.0
    tone = b"".join(struct.pack("<hh", int(8000 * math.sin(2 * math.pi * f * i / rate)), 0) for i in range(int(rate * seconds)))
    _, out = stream(wav_file(rate, 2, tone))
    _, frames = read(out)
    left = audioop.tomono(frames, 2, 1, 0)
    samples = struct.unpack(f"<{len(left) // 2}h", left)
    crossings = sum(1 for a, b in zip(samples, samples[1:], strict=False) if a < 0 <= b)
    assert abs(crossings - f * seconds) <= 2


@pytest.mark.parametrize(("rate_in", "rate_out"), [(16000, 8000), (44100, 8000), (11025, 8000), (8000, 16000)])
@pytest.mark.parametrize("frames", [1, 2, 999, 4410])
def test_expected_frames_is_what_ratecv_gives(rate_in, rate_out, frames):
    data = bytes(4 * frames)
    state, total = None, 0
    for part in chunks(data, 4 * 37):
        out, state = audioop.ratecv(part, 2, 2, rate_in, rate_out, state)
        total += len(out) // 4
    assert total == media.expected_frames(frames, rate_in, rate_out)


def test_the_customer_on_channel_1_is_moved_to_channel_0():
    data = recording_file(8000, 2, 1.5, 1)  # the customer speaks first, on the right
    p, out = stream(data, customer_channel=1)
    assert p.swap and "channels swapped" in p.notes[0]
    _, original = read(data)
    _, swapped = read(out)
    assert audioop.tomono(swapped, 2, 1, 0) == audioop.tomono(original, 2, 0, 1)
    assert audioop.tomono(swapped, 2, 0, 1) == audioop.tomono(original, 2, 1, 0)


def test_mono_is_kept_for_playback_or_refused():
    data = recording_file(8000, 1, 0.5, 0)
    p, out = stream(data)
    assert p.channels == 1 and "mono" in p.notes[0]
    assert read(out)[0].nchannels == 1
    with pytest.raises(media.MediaError) as refused:
        stream(data, target=media.Target(mono="reject"))
    assert refused.value.code == "mono"


@pytest.mark.parametrize("bits", [8, 24, 32])
def test_other_pcm_widths_become_l16(bits):
    lin16 = speech_like(8000, 2, 0.25)
    width = bits // 8
    raw = audioop.bias(audioop.lin2lin(lin16, 2, 1), 1, 128) if width == 1 else audioop.lin2lin(lin16, 2, width)
    with io.BytesIO() as buf:
        with wave.open(buf, "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(width)
            w.setframerate(8000)
            w.writeframes(raw)
        data = buf.getvalue()
    p, out = stream(data)
    assert not p.passthrough
    params, frames = read(out)
    assert (params.sampwidth, params.framerate, params.nframes) == (2, 8000, 2000)
    assert audioop.rms(frames, 2) == pytest.approx(audioop.rms(lin16, 2), rel=0.05)


def test_a_law_to_mu_law_target():
    lin = speech_like(8000, 2, 0.25)
    data = g711_wav(6, 16000, 2, audioop.lin2alaw(lin, 2))
    p, out = stream(data, target=media.Target(encoding="PCMU"))
    assert p.encoding == "PCMU"
    fmt, rest = media.read_wav([out])
    assert (fmt.encoding, fmt.rate, fmt.channels, fmt.frames) == ("PCMU", 8000, 2, media.expected_frames(2000, 16000, 8000))
    assert len(b"".join(rest)) == fmt.data_size


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"ID3\x04not a wav at all", "not-wav"),
        (g711_wav(85, 8000, 1, b"\x00" * 10), "unsupported-codec"),
        (wav_file(8000, 1, b"\x00" * 10)[:30], "not-wav"),
    ],
)
def test_unusable_files_are_refused_with_a_code(data, code):
    with pytest.raises(media.MediaError) as refused:
        stream(data)
    assert refused.value.code == code


def test_prepare_digests_what_it_spools(tmp_path):
    data = recording_file(16000, 2, 1.0, 1)
    prepared = media.prepare(chunks(data, 4096), 1, spool_dir=str(tmp_path))
    spooled = b"".join(prepared.chunks())
    assert prepared.size == len(spooled)
    assert prepared.content_md5 == base64.b64encode(hashlib.md5(spooled).digest()).decode()
    prepared.close()
    assert list(tmp_path.iterdir()) == []


def inject_day(stack, ctx):
    raw = list(stack.cxone.pages(ctx, "/contacts/completed", "completedContacts", {}))
    builts = {b.interaction_id: b for b in ix.build_all(raw, id_map(), SOURCE_ID)}
    ix.inject_conversations(ctx, stack.genesys, list(builts.values()))
    return builts


def test_recordings_upload_through_the_signed_url_and_report_success(stack, ctx, tmp_path):
    builts = inject_day(stack, ctx)
    since = datetime.now(UTC)
    expected = {"900001": (2, []), "900011": (2, ["resampled"]), "900041": (1, ["mono"]), "900051": (2, ["swapped"])}
    for contact, (channels, notes) in expected.items():
        b = builts[contact]
        synced = media.sync_recording(
            ctx, stack.cxone, stack.genesys, contact, b.conversation_id, b.external_communication_id, spool_dir=str(tmp_path)
        )
        assert synced is not None and all(any(n in note for note in synced.notes) for n in notes)
        stored = uploads(stack.org).uploads[synced.upload_key]
        assert stored.md5 == synced.content_md5 == base64.b64encode(hashlib.md5(stored.content).digest()).decode()
        params, _ = read(stored.content)
        assert (params.nchannels, params.framerate, params.sampwidth) == (channels, 8000, 2)
        assert stored.file_name == f"{b.conversation_id}_{b.external_communication_id}.wav"
        assert media.upload_status(ctx, stack.genesys, synced.upload_key, since, pause=0.01) == "Success"
    assert media.sync_recording(ctx, stack.cxone, stack.genesys, 900021, builts["900021"].conversation_id, "x") is None  # the email
    assert list(tmp_path.iterdir()) == []


def test_an_upload_before_its_conversation_waits_for_it(stack, ctx):
    since = datetime.now(UTC)
    conv, comm = ix.v4_id("not injected yet"), ix.v4_id("its customer")
    synced = media.sync_recording(ctx, stack.cxone, stack.genesys, 900001, conv, comm)
    assert media.upload_status(ctx, stack.genesys, synced.upload_key, since, pause=0.01) == "WaitForConversation"


def test_the_signed_url_checks_headers_digest_and_length(stack, ctx):
    data = recording_file(8000, 2, 0.5, 0)
    good = base64.b64encode(hashlib.md5(data).digest()).decode()
    ticket = media.request_upload(ctx, stack.genesys, "a_b.wav", base64.b64encode(hashlib.md5(b"other").digest()).decode())
    with pytest.raises(BackendError, match="BadDigest"):
        media.put_recording(ctx, ticket, chunks(data), len(data))
    ticket = media.request_upload(ctx, stack.genesys, "a_b.wav", good)
    assert set(ticket.headers) == {"Content-Type", "Content-MD5", "x-amz-server-side-encryption"}
    missing = {k: v for k, v in ticket.headers.items() if k != "x-amz-server-side-encryption"}
    assert httpx.put(ticket.url, content=data, headers=missing).status_code == 403
    assert httpx.put(ticket.url, content=data, headers={**ticket.headers, "x-amz-meta-conversation": "x"}).status_code == 403
    assert httpx.put(ticket.url, content=chunks(data), headers=ticket.headers).status_code == 501  # chunked
    assert httpx.put(ticket.url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), content=data, headers=ticket.headers).status_code == 403
    media.put_recording(ctx, ticket, chunks(data), len(data))
    assert uploads(stack.org).uploads[ticket.upload_key].size == len(data)


@pytest.mark.parametrize("name", ["has space.wav", ".hidden.wav", "dir/", "a#b.wav"])
def test_file_names_genesys_refuses(stack, ctx, name):
    with pytest.raises(BackendError, match="400"):
        media.request_upload(ctx, stack.genesys, name, base64.b64encode(b"0" * 16).decode())


@pytest.mark.parametrize(("megabytes", "rate"), [(200, 8000), (24, 16000)])
def test_a_long_recording_streams_with_flat_memory(stack, megabytes, rate):
    tenant = stack.cxone_api.tenant
    tenant.big_recording_bytes = megabytes * 1024 * 1024
    tenant.recordings()[tenant.BIG_RECORDING_CONTACT]["rate"] = rate  # 16 kHz: converted on the way
    config = {"accessKeyId": "local-cxone-access-key", "accessKeySecret": "local-cxone-access-secret", "clientId": "local-cxone-app",
              "clientSecret": "local-cxone-app-secret", "tenantId": "11ee0000-0000-0000-0000-00000000c1d1", "authUrl": stack.cxone_server.url}  # fmt: skip
    report = upload_in_child(stack.genesys_server.url, config, tenant.BIG_RECORDING_CONTACT, ix.v4_id("c"), ix.v4_id("k"))
    stored = uploads(stack.org).uploads[report["uploadKey"]]
    assert stored.size == report["size"] and stored.md5 == report["md5"]
    expected = megabytes * 1024 * 1024 if rate == 8000 else 44 + 4 * media.expected_frames((megabytes * 1024 * 1024 - 44) // 4, rate, 8000)
    assert report["size"] == expected
    assert report["tracemallocPeakBytes"] < 4 * 1024 * 1024, report  # a few 64 KiB chunks, not the recording


# the benchmark itself (bench/exsync_feeds.py) runs in its own interpreter: tests/bench/test_benchmarks.py
