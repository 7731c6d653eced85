"""Google Sheets actions. The secret names the spreadsheet, tab, column span (row 1 = headers),
phone column and returned columns. Several matches: the top-most row, with ``matchCount``."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from dataactions import Backend, InvalidInput, action
from functions.google.client import SheetsClient
from functions.google.models import AppendRowInput, Cell, GoogleConfig, PhoneInput, QueryInput, RowOutput, UpdateRowInput, WriteOutput
from functions.phone import normalise

if TYPE_CHECKING:
    from collections.abc import Callable

    from dataactions import ActionContext

GOOGLE_BACKEND = Backend(
    kind="google",
    title="Google Sheets",
    config_model=GoogleConfig,
    layers=("core", "phone", "google"),
    action_prefix="google",
    secret_example={
        "clientEmail": "<sa>@<project>.iam.gserviceaccount.com",
        "privateKeyId": "<key id>",
        "privateKey": "<PEM>",
        "spreadsheetId": "<id>",
    },
)


def _client(ctx: ActionContext[GoogleConfig]) -> SheetsClient:
    return ctx.adapter(SheetsClient)


def _match(ctx: ActionContext[GoogleConfig], column: str, predicate: Callable[[str], bool]) -> RowOutput:
    rows = _client(ctx).rows(ctx)
    if not rows:
        return RowOutput(found=False, match_count=0)
    headers = rows[0]
    lowered = [h.strip().lower() for h in headers]
    if column.strip().lower() not in lowered:
        raise InvalidInput(f"Invalid input: column: the sheet has no column named {column!r}")
    index = lowered.index(column.strip().lower())
    hits = [(n, r) for n, r in enumerate(rows[1:], start=2) if index < len(r) and predicate(r[index])]
    if not hits:
        return RowOutput(found=False, match_count=0)
    number, row = hits[0]
    wanted = [c.lower() for c in ctx.config.returned_columns]
    cells = [Cell(name=h, value=row[i] if i < len(row) else "") for i, h in enumerate(headers) if not wanted or h.lower() in wanted]
    return RowOutput(found=True, match_count=len(hits), row_number=number, columns=cells)


@action(
    name="Get Customer by Phone Number",
    description="The sheet row whose phone column holds the number or ANI, in any format.",
    input=PhoneInput,
    output=RowOutput,
    backend=GOOGLE_BACKEND,
)
def get_customer_by_phone_number(inp: PhoneInput, ctx: ActionContext[GoogleConfig]) -> RowOutput:
    wanted = normalise(inp.phone_number, ctx.config.default_region)

    def same_number(cell: str) -> bool:
        digits = re.sub(r"\D", "", cell)
        return bool(digits) and digits in (wanted.national_digits, wanted.international_digits)

    return _match(ctx, ctx.config.phone_column, same_number)


@action(
    name="Query Rows",
    description="The first sheet row whose column equals the value (case-insensitive), and how many match.",
    input=QueryInput,
    output=RowOutput,
    backend=GOOGLE_BACKEND,
)
def query_rows(inp: QueryInput, ctx: ActionContext[GoogleConfig]) -> RowOutput:
    value = inp.value.strip().lower()
    return _match(ctx, inp.column, lambda cell: cell.strip().lower() == value)


def _row_from(ctx: ActionContext[GoogleConfig], fields_json: str) -> tuple[list[str], list[str | None]]:
    headers = _client(ctx).headers(ctx)
    fields = {k.strip().lower(): v for k, v in json.loads(fields_json).items()}
    unknown = set(fields) - {h.strip().lower() for h in headers}
    if unknown:
        raise InvalidInput(f"Invalid input: fieldsJson: {len(unknown)} header(s) not in the sheet")
    keys = [h.strip().lower() for h in headers]
    # None: a header the caller did not set (an update leaves that cell alone; an append leaves it empty)
    return headers, [None if k not in fields else ("" if fields[k] is None else str(fields[k])) for k in keys]


@action(
    name="Append Row",
    description="Adds a row (cells by header) below the sheet's data.",
    input=AppendRowInput,
    output=WriteOutput,
    backend=GOOGLE_BACKEND,
)
def append_row(inp: AppendRowInput, ctx: ActionContext[GoogleConfig]) -> WriteOutput:
    _, row = _row_from(ctx, inp.fields_json)
    client = _client(ctx)
    updates = client.write(ctx, client.a1(ctx.config.columns), ["" if v is None else v for v in row], append=True)
    match = re.search(r"![A-Z]+(\d+)", str(updates.get("updatedRange", "")))
    return WriteOutput(updated=True, row_number=int(match.group(1)) if match else 0, updated_cells=int(updates.get("updatedCells") or 0))


@action(
    name="Update Row",
    description="Overwrites the given cells (by header) of one row; other cells keep their values.",
    input=UpdateRowInput,
    output=WriteOutput,
    backend=GOOGLE_BACKEND,
)
def update_row(inp: UpdateRowInput, ctx: ActionContext[GoogleConfig]) -> WriteOutput:
    _, row = _row_from(ctx, inp.fields_json)
    client = _client(ctx)
    first = ctx.config.columns.split(":")[0]
    # null cells are left as they are (Sheets keeps a cell when the value sent is JSON null)
    result = client.write(ctx, client.a1(f"{first}{inp.row_number}"), row, append=False)
    return WriteOutput(updated=True, row_number=inp.row_number, updated_cells=int(result.get("updatedCells") or 0))
