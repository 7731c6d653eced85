"""The presence demo (./dev demo presence) plays its scripted day and every step goes as expected."""

from local.demos import presence


def test_the_scripted_day_goes_as_expected(capsys) -> None:
    assert presence.run() == 0
    out = capsys.readouterr().out
    assert "presence demo: all steps as expected" in out
    for shown in ("held", "released", "echo", "stale", "duplicate delivery", "breaker-tripped", "PREVIOUS_STATE"):
        assert shown in out
