"""Recording upload: ``POST /api/v2/uploads/recordings`` answers ``{url, uploadKey, headers}`` with
a signed URL on a local object store (routes on this same server standing in for S3), the ``PUT``
to it checks what S3 checks (the signature and its expiry, every returned header sent unchanged, no
unsigned ``x-amz-*`` header, a Content-Length and no chunked body, the Content-MD5 against the
bytes); ``POST /api/v2/recording/uploads/reports`` + ``GET .../reports/{id}`` report each upload's
status (Pending, Success, Failure, WaitForConversation) in a file behind a signed URL.

How Genesys links an uploaded recording to its conversation is not public (docs/ex-sync-decisions.md):
here the file name carries it, ``<conversationId>_<communicationId>.<ext>`` by default
(:data:`UploadsApi.link`, replaceable). A linked upload is ``Success`` once that conversation and
communication were injected (events.py), ``WaitForConversation`` before; an upload whose name
links to nothing is ``Failure``; one never PUT is ``Pending``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from werkzeug.routing import Rule

from local.standins.genesys.events import TIME, injected
from local.standins.genesys.org import error, now_iso
from local.standins.server import Request, Response

if TYPE_CHECKING:
    from local.standins.genesys.org import Org

KEEP_BYTES = 8 * 1024 * 1024  # uploads up to this size are kept whole so tests can inspect them
FILE_NAME_FORBIDDEN = re.compile(r"[\s\\{^}%`\]\"<>\[~#|]")
UPLOAD_STATUSES = ("Pending", "Success", "Failure", "WaitForConversation")
_LINK = re.compile(r"^([0-9a-f-]{36})_([0-9a-f-]{36})\.[A-Za-z0-9]+$")


def link_by_file_name(file_name: str) -> tuple[str, str] | None:
    """``<conversationId>_<communicationId>.<ext>`` -> (conversation, communication)."""
    m = _LINK.match(file_name)
    return (m.group(1), m.group(2)) if m else None


@dataclass
class Upload:
    key: str
    file_name: str
    content_md5: str
    content_type: str
    expires: float
    headers: dict[str, str]
    created: str
    size: int = -1  # -1: never PUT
    md5: str = ""
    uploaded: str = ""
    content: bytes | None = None
    puts: int = 0


@dataclass
class UploadStore:
    uploads: dict[str, Upload] = field(default_factory=dict)
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    secret: bytes = field(default_factory=lambda: secrets.token_bytes(16))


def uploads(org: Org) -> UploadStore:
    store = vars(org).get("ex_uploads")
    if not isinstance(store, UploadStore):
        store = UploadStore()
        vars(org)["ex_uploads"] = store
    return store


def _s3_error(status: int, code: str, message: str) -> Response:
    body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>{message}</Message></Error>"
    return Response(status, raw=body.encode(), content_type="application/xml")


class UploadsApi:
    org: Org
    link: Callable[[str], tuple[str, str] | None] = staticmethod(link_by_file_name)

    RULES = (
        Rule("/api/v2/uploads/recordings", endpoint="upload_recording_url", methods=["POST"]),
        Rule("/api/v2/recording/uploads/reports", endpoint="create_upload_report", methods=["POST"]),
        Rule("/api/v2/recording/uploads/reports/<report>", endpoint="get_upload_report", methods=["GET"]),
        Rule("/local-s3/recordings/<path:key>", endpoint="s3_put_recording", methods=["PUT"]),
        Rule("/local-s3/reports/<report>", endpoint="s3_get_report", methods=["GET"]),
    )
    PUBLIC = ("s3_put_recording", "s3_get_report")  # signed URLs: no bearer token

    def _sign(self, path: str, expires: int) -> str:
        return hmac.new(uploads(self.org).secret, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def _signed_url(self, req: Request, path: str, seconds: int) -> tuple[str, int]:
        expires = int(time.time()) + seconds
        query = f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={seconds}&X-Amz-Date={expires}&X-Amz-Signature={self._sign(path, expires)}"
        return f"{req.host_url.rstrip('/')}{quote(path)}?{query}", expires

    def _signature_ok(self, req: Request) -> Response | None:
        try:
            expires = int(req.args["X-Amz-Date"])
            signature = req.args["X-Amz-Signature"]
        except (KeyError, ValueError):
            return _s3_error(403, "AccessDenied", "Query-string authentication requires the Signature and Expires parameters")
        if not hmac.compare_digest(signature, self._sign(req.path, expires)):
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
        if time.time() > expires:
            return _s3_error(403, "AccessDenied", "Request has expired")
        return None

    # -- Platform API ----------------------------------------------------------------------------------

    def upload_recording_url(self, req: Request) -> Response:
        try:
            body = req.json()
        except ValueError:
            return error(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")
        if not isinstance(body, dict):
            return error(400, "bad.request", "The request body must be an object.")
        name = body.get("fileName")
        if not isinstance(name, str) or not name or name.startswith(".") or name.endswith("/") or FILE_NAME_FORBIDDEN.search(name):
            return error(
                400, "bad.request", 'fileName must not start with a dot, end with a slash, or contain whitespace or \\{^}%`]">[~<#|'
            )
        md5 = body.get("contentMd5")
        if md5 is not None:
            try:
                if len(base64.b64decode(str(md5), validate=True)) != 16:
                    raise ValueError
            except ValueError:
                return error(400, "bad.request", "contentMd5 must be the base64 of a 16-byte MD5 digest")
        seconds = body.get("signedUrlTimeoutSeconds", 600)
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 1 <= seconds <= 604800:
            return error(400, "bad.request", "signedUrlTimeoutSeconds must be from 1 to 604800")
        sse = body.get("serverSideEncryption")
        if sse not in (None, "AES256"):
            return error(400, "bad.request", "serverSideEncryption must be AES256")
        content_type = str(body.get("contentType") or "application/octet-stream")
        key = f"local-org/recordings/{uuid.uuid4()}/{name}"
        path = f"/local-s3/recordings/{key}"
        url, expires = self._signed_url(req, path, seconds)
        headers = {"Content-Type": content_type}
        if md5 is not None:
            headers["Content-MD5"] = str(md5)
        if sse is not None:
            headers["x-amz-server-side-encryption"] = sse
        uploads(self.org).uploads[key] = Upload(key, name, str(md5 or ""), content_type, expires, headers, now_iso())
        return Response(200, {"url": url, "uploadKey": key, "headers": headers})

    def _status(self, u: Upload) -> str:
        if u.size < 0:
            return "Pending"
        linked = type(self).link(u.file_name)
        if linked is None:
            return "Failure"
        conv = injected(self.org).conversations.get(linked[0])
        return "Success" if conv is not None and linked[1] in conv.communications else "WaitForConversation"

    def create_upload_report(self, req: Request) -> Response:
        try:
            body = req.json()
        except ValueError:
            return error(400, "bad.request", "The request could not be understood by the server due to malformed syntax.")
        since = body.get("dateSince") if isinstance(body, dict) else None
        if not isinstance(since, str) or not TIME.match(since):
            return error(400, "bad.request", "dateSince is required (yyyy-MM-ddTHH:mm:ss[.mmm]Z)")
        status = body.get("uploadStatus")
        if status is not None and status not in UPLOAD_STATUSES:
            return error(400, "bad.request", f"uploadStatus must be one of {', '.join(UPLOAD_STATUSES)}")
        report = {"id": str(uuid.uuid4()), "since": since, "status": status, "polls": 0, "rows": None}
        uploads(self.org).reports[report["id"]] = report
        return Response(200, self._report_body(req, report, "InProgress"))

    def _report_body(self, req: Request, report: dict[str, Any], state: str) -> dict[str, Any]:
        out = {
            "id": report["id"],
            "name": f"recording uploads since {report['since']}",
            "state": state,
            "selfUri": f"/api/v2/recording/uploads/reports/{report['id']}",
        }
        if state == "Completed":
            out["signedUrl"] = self._signed_url(req, f"/local-s3/reports/{report['id']}", 600)[0]
        return out

    def get_upload_report(self, req: Request, report: str) -> Response:
        r = uploads(self.org).reports.get(report)
        if r is None:
            return error(404, "not.found", "The upload report could not be found.")
        r["polls"] += 1
        if r["polls"] < 2:  # a report takes a moment to run: the first look finds it in progress
            return Response(200, self._report_body(req, r, "InProgress"))
        if r["rows"] is None:
            since = datetime.fromisoformat(r["since"].replace("Z", "+00:00"))
            rows = []
            for u in uploads(self.org).uploads.values():
                status = self._status(u)
                if datetime.fromisoformat(u.created.replace("Z", "+00:00")) < since or (r["status"] and status != r["status"]):
                    continue
                linked = type(self).link(u.file_name) or ("", "")
                rows.append(
                    {
                        "uploadKey": u.key,
                        "fileName": u.file_name,
                        "status": status,
                        "conversationId": linked[0],
                        "communicationId": linked[1],
                        "dateUploaded": u.uploaded or None,
                        "sizeBytes": max(u.size, 0),
                    }
                )
            r["rows"] = rows
        return Response(200, self._report_body(req, r, "Completed"))

    # -- the object store behind the signed URLs --------------------------------------------------------------

    def s3_put_recording(self, req: Request, key: str) -> Response:
        denied = self._signature_ok(req)
        if denied is not None:
            return denied
        u = uploads(self.org).uploads.get(key)
        if u is None:
            return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
        signed = {k.lower(): v for k, v in u.headers.items()}
        for name, value in signed.items():
            if req.headers.get(name) != value:
                return _s3_error(403, "SignatureDoesNotMatch", f"The signed header {name} is missing or differs.")
        for name, _ in req.headers.items():
            if name.lower().startswith("x-amz-") and name.lower() not in signed:
                return _s3_error(403, "AccessDenied", "There were headers present in the request which were not signed")
        if "chunked" in req.headers.get("Transfer-Encoding", "").lower():
            return _s3_error(501, "NotImplemented", "A header you provided implies functionality that is not implemented")
        if req.content_length is None:
            return _s3_error(411, "MissingContentLength", "You must provide the Content-Length HTTP header.")
        digest, size, kept = hashlib.md5(usedforsecurity=False), 0, []  # noqa: S324 - S3's Content-MD5
        while chunk := req.stream.read(1 << 16):
            digest.update(chunk)
            size += len(chunk)
            if size <= KEEP_BYTES:
                kept.append(chunk)
        md5 = base64.b64encode(digest.digest()).decode()
        if size != req.content_length:
            return _s3_error(400, "IncompleteBody", "You did not provide the number of bytes specified by the Content-Length HTTP header.")
        if u.content_md5 and md5 != u.content_md5:
            return _s3_error(400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
        u.size, u.md5, u.uploaded, u.puts = size, md5, now_iso(), u.puts + 1
        u.content = b"".join(kept) if size <= KEEP_BYTES else None
        return Response(200, raw=b"", headers={"ETag": f'"{digest.hexdigest()}"'}, content_type="application/xml")

    def s3_get_report(self, req: Request, report: str) -> Response:
        denied = self._signature_ok(req)
        if denied is not None:
            return denied
        r = uploads(self.org).reports.get(report)
        if r is None or r["rows"] is None:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        return Response(200, raw=json.dumps(r["rows"]).encode(), content_type="application/json")
