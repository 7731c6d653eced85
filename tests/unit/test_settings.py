"""Container settings from the environment: defaults, parsing, and a clear error naming bad variables."""

from __future__ import annotations

import pytest

from dataactions import ConfigurationError
from dataactions.settings import Settings


def test_defaults_and_parsing() -> None:
    s = Settings.from_environ(
        {"DA_LOG_LEVEL": "DEBUG", "DA_TIMEOUT_MARGIN_MS": "100", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2773", "DA_SECRET_ID": ""}
    )
    assert (s.log_threshold, s.timeout_margin_ms, s.extension_port, s.secret_id, s.config_name, s.max_call_seconds) == (
        10,
        100,
        2773,
        None,
        "default",
        10.0,
    )


def test_the_session_token_is_not_in_the_repr() -> None:
    assert "tok-123" not in repr(Settings.from_environ({"AWS_SESSION_TOKEN": "tok-123"}))


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"DA_LOG_LEVEL": "VERBOSE"}, "DA_LOG_LEVEL"),
        ({"DA_MAX_CALL_SECONDS": "0", "DA_TIMEOUT_MARGIN_MS": "-1"}, "DA_TIMEOUT_MARGIN_MS, DA_MAX_CALL_SECONDS"),
        ({"PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "port"}, "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT"),
    ],
)
def test_bad_values_name_the_variables(env: dict[str, str], names: str) -> None:
    with pytest.raises(ConfigurationError, match=f"Invalid function environment: {names}$"):
        Settings.from_environ(env)


def test_nan_is_not_a_number_of_seconds() -> None:
    with pytest.raises(ConfigurationError, match="DA_SECRET_TTL_SECONDS"):
        Settings.from_environ({"DA_SECRET_TTL_SECONDS": "nan"})
