"""The README's derived tables (actions, sync functions) match the declarations."""

from pathlib import Path

import pytest

from local.cli import TABLES

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("name", sorted(TABLES))
def test_readme_tables_match_the_declarations(name: str) -> None:
    text = README.read_text()
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    assert start in text and end in text, f"README lacks the {name} table markers"
    table = text.split(start, 1)[1].split(end, 1)[0].strip()
    assert table == TABLES[name](), "run ./dev docs"
