"""The Basic Auth authorizer for the web services path."""

from __future__ import annotations

import base64

import pytest

from functions import authorizer

SECRET = {"username": "genesys", "password": "s3cret:with-colon"}
ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/validate-card-payment"


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        (basic("genesys", "s3cret:with-colon"), True),
        (basic("genesys", "wrong"), False),
        (basic("other", "s3cret:with-colon"), False),
        ("Bearer abc", False),
        ("Basic !!!notbase64", False),
        (None, False),
        ("Basic " + base64.b64encode(b"no-colon").decode(), False),
    ],
)
def test_check(header, ok) -> None:
    assert authorizer.check(header, SECRET) is ok


def test_an_empty_secret_allows_nobody() -> None:
    assert authorizer.check(basic("", ""), {}) is False


def test_handler_allows_the_api_stage_or_raises_unauthorized(monkeypatch) -> None:
    monkeypatch.setattr(authorizer, "_secret", lambda: SECRET)
    out = authorizer.handler({"type": "TOKEN", "authorizationToken": basic("genesys", "s3cret:with-colon"), "methodArn": ARN})
    assert out["policyDocument"]["Statement"][0] == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*",
    }
    with pytest.raises(Exception, match="^Unauthorized$"):
        authorizer.handler({"type": "TOKEN", "authorizationToken": basic("genesys", "x"), "methodArn": ARN})
