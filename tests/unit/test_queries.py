"""Query escaping: no input can change a query's structure (property-based). The oracles are the
stand-ins' own parsers (SOQL string literals and SOSL reserved characters in the local Salesforce,
Zendesk search phrases, OData literals in the local Dynamics) and, for OData, odata-query's parser of
the OData v4 ``$filter`` grammar. (No maintained SOQL/SOSL parser exists on PyPI: python-soql-parser
0.2.0 returns literals still escaped, accepts the doubled quotes SOQL rejects, has no SOSL and pins
pyparsing<3.)"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from functions.phone import normalise
from functions.salesforce.queries import phone_search, soql_literal, sosl_term
from local.standins.salesforce import run_sosl, tokenize_soql

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60)


@settings(max_examples=400)
@given(TEXT)
def test_a_soql_literal_is_exactly_one_token_holding_the_input(value: str) -> None:
    query = f"SELECT Id FROM Account WHERE AccountNumber = {soql_literal(value)} LIMIT 5"
    tokens = tokenize_soql(query)
    assert [k for k, _ in tokens] == ["word", "word", "word", "word", "word", "word", "punct", "str", "word", "num"]
    assert tokens[7] == ("str", value)


@settings(max_examples=400)
@given(TEXT)
def test_a_sosl_term_cannot_close_the_find_clause(value: str) -> None:
    sosl = phone_search([value], "Account(Id)")
    run_sosl(sosl)  # parses: the term did not end FIND {...} early nor inject a clause
    escaped = sosl_term(value)
    for ch in "{}[]()^~*:\\\"'+-?&|!":
        # every reserved character is preceded by a backslash
        i = escaped.find(ch)
        while i != -1:
            assert escaped[i - 1] == "\\" or (ch == "\\" and escaped[i + 1 : i + 2] in "{}[]()^~*:\\\"'+-?&|!")
            i = escaped.find(ch, i + 2)


def test_known_escapes() -> None:
    assert soql_literal("O'Brien\\x") == "'O\\'Brien\\\\x'"
    assert sosl_term("a{b}c*") == "a\\{b\\}c\\*"


def test_phone_forms_from_an_ani() -> None:
    for ani in ("tel:+14155550100", "sip:+14155550100@pbx.example.com;user=phone", "+1 (415) 555-0100", "4155550100"):
        forms = normalise(ani, "US")
        assert forms.e164 == "+14155550100" and forms.national_digits == "4155550100" and forms.international_digits == "14155550100"
    assert normalise("020 7946 0018", "GB").e164 == "+442079460018"


@settings(max_examples=400)
@given(TEXT)
def test_a_zendesk_phrase_stays_one_term_holding_the_input(value: str) -> None:
    from functions.zendesk.client import search_phrase
    from local.standins.zendesk import parse_query

    terms = parse_query(f"type:organization name:{search_phrase(value)}")
    assert terms == [("type", ":", "organization"), ("name", ":", value)]


def odata_filter(text: str):
    """odata-query's syntax tree of a ``$filter``."""
    from odata_query.grammar import ODataLexer, ODataParser

    return ODataParser().parse(ODataLexer().tokenize(text))


@settings(max_examples=400)
@given(TEXT)
def test_an_odata_string_stays_one_literal_holding_the_input(value: str) -> None:
    from odata_query import ast

    from functions.dynamics.client import odata_string
    from local.standins.dynamics import tokenize

    text = f"name eq {odata_string(value)} and statecode eq 0"
    tokens = tokenize(text)
    assert tokens == [("name", "name"), ("name", "eq"), ("str", value), ("name", "and"), ("name", "statecode"), ("name", "eq"), ("num", 0)]
    name_is = ast.Compare(ast.Eq(), ast.Identifier("name"), ast.String(value))
    assert odata_filter(text) == ast.BoolOp(ast.And(), name_is, ast.Compare(ast.Eq(), ast.Identifier("statecode"), ast.Integer("0")))


@settings(max_examples=200)
@given(TEXT, TEXT)
def test_odata_literals_in_an_or_chain_stay_apart(first: str, second: str) -> None:
    from odata_query import ast

    from functions.dynamics.client import odata_string

    tree = odata_filter(f"telephone1 eq {odata_string(first)} or mobilephone eq {odata_string(second)}")
    assert tree == ast.BoolOp(
        ast.Or(),
        ast.Compare(ast.Eq(), ast.Identifier("telephone1"), ast.String(first)),
        ast.Compare(ast.Eq(), ast.Identifier("mobilephone"), ast.String(second)),
    )
