"""Contracts of the Google Sheets actions and the shape of the google secret."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from dataactions import Contract


class GoogleConfig(BaseModel):
    """The google secret: a service account (as in its key file) and which sheet to use."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)

    client_email: str = Field(alias="clientEmail", min_length=3)
    private_key_id: str = Field(alias="privateKeyId", min_length=1)
    private_key: SecretStr = Field(alias="privateKey")
    subject: str | None = Field(None, description="User to impersonate (domain-wide delegation)")
    scopes: list[str] = Field(default_factory=lambda: ["https://www.googleapis.com/auth/spreadsheets"])
    token_uri: str = Field("https://oauth2.googleapis.com/token", alias="tokenUri", pattern=r"^https?://")
    sheets_url: str = Field("https://sheets.googleapis.com", alias="sheetsUrl", pattern=r"^https?://")
    spreadsheet_id: str = Field(alias="spreadsheetId", pattern=r"^[A-Za-z0-9_-]+$")
    sheet: str = Field("Sheet1", min_length=1, description="Tab name")
    columns: str = Field("A:Z", pattern=r"^[A-Z]{1,3}:[A-Z]{1,3}$", description="Column span; row 1 holds the headers")
    phone_column: str = Field("Phone", alias="phoneColumn")
    returned_columns: list[str] = Field(default_factory=list, alias="returnedColumns", description="Headers to return (empty: all)")
    default_region: str = Field("US", alias="defaultRegion", pattern=r"^[A-Za-z]{2}$")


class Cell(Contract):
    name: str = Field(description="Column header")
    value: str


class RowOutput(Contract):
    found: bool
    match_count: int = Field(description="How many rows matched (the first, top-most, is returned)")
    row_number: int = Field(0, description="Sheet row number of the returned row (1 is the header row)")
    columns: list[Cell] = Field(default_factory=list, description="The row's cells by header")


class PhoneInput(Contract):
    phone_number: str = Field(min_length=3, max_length=64, description="Phone number or ANI")


class QueryInput(Contract):
    column: str = Field(min_length=1, max_length=100, description="Column header to match")
    value: str = Field(max_length=500, description="Value to match (exact, case-insensitive)")


def _flat_json(text: str) -> str:
    try:
        data = json.loads(text)
    except ValueError:
        raise ValueError("must be a JSON object of header -> value") from None
    if not isinstance(data, dict) or not data or any(isinstance(v, (dict, list)) for v in data.values()):
        raise ValueError("must be a non-empty JSON object of header -> text/number/boolean")
    return text


class AppendRowInput(Contract):
    fields_json: str = Field(
        min_length=2, max_length=20000, description='Cells by header, as JSON: {"Name": "Jane", "Phone": "+14155550100"}'
    )

    @field_validator("fields_json")
    @classmethod
    def _flat(cls, v: str) -> str:
        return _flat_json(v)


class UpdateRowInput(AppendRowInput):
    row_number: int = Field(ge=2, le=10_000_000, description="Sheet row to update (2 is the first data row)")


class WriteOutput(Contract):
    updated: bool
    row_number: int = Field(description="The row written")
    updated_cells: int
