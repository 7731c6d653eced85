"""The README's action table is derived from the declarations and kept current."""

from pathlib import Path

from local.cli import README_END, README_START, action_table

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_action_table_matches_the_declarations() -> None:
    text = README.read_text()
    table = text.split(README_START, 1)[1].split(README_END, 1)[0].strip()
    assert table == action_table(), "run ./dev docs"
