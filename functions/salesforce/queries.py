"""Safe SOQL and SOSL: literals and search terms escaped so no input can change a query's structure."""

from __future__ import annotations

import re

# Salesforce record ids: 15 or 18 case-sensitive alphanumerics.
RECORD_ID = r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$"
_SOSL_RESERVED = re.compile(r"""([?&|!{}\[\]()^~*:\\"'+\-])""")


def soql_literal(value: str) -> str:
    """A quoted SOQL string literal: backslash first, then the quote (Salesforce's escape rules)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "'"


def sosl_term(value: str) -> str:
    """A SOSL FIND term: every reserved character backslash-escaped, braces included."""
    return _SOSL_RESERVED.sub(r"\\\1", value)


def phone_search(terms: list[str], returning: str) -> str:
    """``FIND {a OR b} IN PHONE FIELDS RETURNING ...`` with each term escaped and quoted."""
    joined = " OR ".join(f'"{sosl_term(t)}"' for t in terms)
    return f"FIND {{{joined}}} IN PHONE FIELDS RETURNING {returning}"
