"""Query parameters shared by the routes, so every list speaks the same dialect."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from fastapi import Query
from pydantic import AfterValidator, BeforeValidator

MAX_PAGE_SIZE = 100
# Free-text parameters refuse NUL: PostgreSQL text cannot hold it (app/api/limits.py refuses it in
# any parameter; this pattern is what the OpenAPI document says of each).
NO_NUL = r"^[^\x00]*$"

Limit = Annotated[
    int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size, 1 to {MAX_PAGE_SIZE}")
]
Cursor = Annotated[
    str | None,
    Query(pattern=NO_NUL, max_length=512, description="The next_cursor of the previous page"),
]
Language = Annotated[
    str | None,
    Query(pattern=r"^[a-z]{2,3}$", description="ISO 639-1 code", examples=["uk"]),
]
Country = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]{3}$", description="ISO 3166-1 alpha-3 code", examples=["UKR"]),
]
Role = Annotated[Literal["source", "target"] | None, Query(description="Participant role")]
EventType = Literal[
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
]
ActorKind = Literal["person", "country", "organization", "military", "group"]
SearchText = Annotated[
    str,
    Query(
        pattern=NO_NUL,
        min_length=1,
        max_length=500,
        description="Search text",
        examples=["Japan drones"],
    ),
]

# Ids are 32-bit on PostgreSQL; a larger one can name nothing and must not reach the driver.
MAX_ID = 2_147_483_647
_ISO_DATE_START = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _iso_only(value: object) -> object:
    # pydantic also reads numbers as Unix timestamps ("0.5"); the contract says ISO 8601 only.
    if isinstance(value, str) and not _ISO_DATE_START.match(value):
        raise ValueError("use ISO 8601, e.g. 2024-11-16 or 2024-11-16T10:00:00Z")
    return value


def _utc_if_naive(value: dt.datetime) -> dt.datetime:
    # Stored times are UTC; a time without an offset means UTC too (the database layer refuses a
    # naive datetime, which was a 500).
    return value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value


IsoDateTime = Annotated[dt.datetime, BeforeValidator(_iso_only), AfterValidator(_utc_if_naive)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_only)]
