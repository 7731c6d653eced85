"""A local Google: the OAuth token endpoint for service accounts (JWT bearer grant, signature
checked against the service account's public key) and Sheets API v4 values get/append/update.
Errors are Google's ``{"error": {"code", "message", "status"}}``; quota answers 429."""

from __future__ import annotations

import re
import secrets

from werkzeug.routing import Rule

from local.standins.server import LocalServer, Request, Response, match, routes

BACKEND_KIND = "google"
SPREADSHEET = "1LocalSheetForGenesysDataActions"
CLIENT_EMAIL = "genesys-actions@local-project.iam.gserviceaccount.com"
KEY_ID = "local-key-1"
HEADERS = ["Name", "Phone", "Email", "Tier", "Notes"]
SEED = [
    ["Jane Doe", "(415) 555-0100", "jane.doe@example.com", "Gold", "Prefers email"],
    ["John Smith", "+1 212 555 0199", "john.smith@example.com", "Silver", ""],
    ["Sam Twin", "312-555-0142", "sam.a@example.com", "Bronze", "first"],
    ["Sam Twin", "3125550142", "sam.b@example.com", "Gold", "second"],
]


def _error(code: int, status: str, message: str) -> Response:
    return Response(code, {"error": {"code": code, "message": message, "status": status}})


def _keypair() -> tuple[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


URLS = routes(
    Rule("/token", endpoint="token", methods=["POST"]),
    Rule(f"/v4/spreadsheets/{SPREADSHEET}/values/<path:a1>:append", endpoint="append", methods=["POST"]),
    Rule(f"/v4/spreadsheets/{SPREADSHEET}/values/<path:a1>", endpoint="values", methods=["GET", "PUT"]),
)


class Google:
    def __init__(self, public_pem: str) -> None:
        self.public_pem = public_pem
        self.tokens: set[str] = set()
        self.token_requests = 0
        self.throttle_next = 0
        self.rows = [list(HEADERS)] + [list(r) for r in SEED]

    def __call__(self, req: Request) -> Response:
        endpoint, args = match(URLS, req)
        if endpoint == "token":
            return self.token(req)
        if req.bearer not in self.tokens:
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.")
        if self.throttle_next:
            self.throttle_next -= 1
            return _error(
                429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'."
            )
        if endpoint == "not_found":
            return _error(404, "NOT_FOUND", "Requested entity was not found.")
        sheet, _, span = args["a1"].rpartition("!")
        if sheet.strip("'").replace("''", "'") != "Customers":
            return _error(400, "INVALID_ARGUMENT", f"Unable to parse range: {args['a1']}")
        return getattr(self, endpoint)(req, args["a1"], span)

    def values(self, req: Request, a1: str, span: str) -> Response:
        if req.method == "GET":
            rows = self.rows
            bounded = re.fullmatch(r"[A-Z]+(\d+):[A-Z]+(\d+)", span)
            if bounded:
                rows = rows[int(bounded.group(1)) - 1 : int(bounded.group(2))]
            return Response(200, {"range": f"Customers!{span}", "majorDimension": "ROWS", "values": rows})
        values = (req.json().get("values") or [[]])[0]
        row_match = re.fullmatch(r"([A-Z]+)(\d+)", span)
        if not row_match:
            return _error(400, "INVALID_ARGUMENT", "Unsupported update range")
        number = int(row_match.group(2))
        if number > len(self.rows):
            return _error(400, "INVALID_ARGUMENT", f"Range {a1} exceeds grid limits.")
        row = self.rows[number - 1]
        row += [""] * (len(values) - len(row))
        for i, v in enumerate(values):
            if v is not None:  # Sheets skips null values
                row[i] = str(v)
        return Response(
            200,
            {
                "spreadsheetId": SPREADSHEET,
                "updatedRange": f"Customers!A{number}:E{number}",
                "updatedRows": 1,
                "updatedColumns": len(values),
                "updatedCells": sum(v is not None for v in values),
            },
        )

    def append(self, req: Request, a1: str, span: str) -> Response:
        values = (req.json().get("values") or [[]])[0]
        self.rows.append([("" if v is None else str(v)) for v in values])
        n = len(self.rows)
        return Response(
            200,
            {
                "spreadsheetId": SPREADSHEET,
                "tableRange": f"Customers!A1:E{n - 1}",
                "updates": {
                    "spreadsheetId": SPREADSHEET,
                    "updatedRange": f"Customers!A{n}:E{n}",
                    "updatedRows": 1,
                    "updatedColumns": len(values),
                    "updatedCells": sum(v not in (None, "") for v in values),
                },
            },
        )

    def token(self, req: Request) -> Response:
        from google.auth import exceptions, jwt

        self.token_requests += 1
        form = req.form
        if form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return Response(400, {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"})
        try:
            # google-auth addresses the assertion to Google's token endpoint whatever token_uri says
            claims = jwt.decode(form.get("assertion", ""), certs={KEY_ID: self.public_pem}, audience="https://oauth2.googleapis.com/token")
        except (ValueError, exceptions.GoogleAuthError):
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT Signature."})
        if claims.get("iss") != CLIENT_EMAIL or "spreadsheets" not in claims.get("scope", ""):
            return Response(400, {"error": "invalid_grant", "error_description": "Invalid JWT: iss or scope"})
        token = "ya29." + secrets.token_urlsafe(24)
        self.tokens.add(token)
        return Response(200, {"access_token": token, "expires_in": 3599, "token_type": "Bearer"})


def start() -> tuple[LocalServer, dict[str, dict]]:
    private, public = _keypair()
    server = LocalServer("google", Google(public)).start()
    return server, {
        "default": {
            "clientEmail": CLIENT_EMAIL,
            "privateKeyId": KEY_ID,
            "privateKey": private,
            "tokenUri": f"{server.url}/token",
            "sheetsUrl": server.url,
            "spreadsheetId": SPREADSHEET,
            "sheet": "Customers",
            "columns": "A:E",
            "phoneColumn": "Phone",
            "returnedColumns": ["Name", "Email", "Tier"],
        }
    }
