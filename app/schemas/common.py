"""Shapes shared by every resource: the page envelope and the RFC 9457 problem document."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

T = TypeVar("T")

# The longest text a request may carry. Even JSON-escaped (up to 12 bytes a character) it stays
# under the default 4 MiB body limit, so an over-long text is a 422 about the field, not a 413
# about the body. The longest article in the benchmark corpus has 53,010 characters.
MAX_TEXT_LENGTH = 200_000
# Spaces and control characters, spelled out: JSON Schema (ECMA), pydantic (Rust) and Python each
# have their own idea of \s, and the documented pattern must mean what the server enforces.
BLANK = (
    r"\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
    r"\x00-\x1f\x7f-\x9f"
)
# At least one character that survives cleaning.
SOME_TEXT = f"[^{BLANK}]"


class Page(BaseModel, Generic[T]):
    items: list[T]
    limit: int = Field(description="The page size that was applied.")
    next_cursor: str | None = Field(
        default=None, description="Opaque keyset cursor for the next page; null on the last page."
    )


class Problem(BaseModel):
    """RFC 9457 problem details, served as application/problem+json."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", examples=["https://conflictkb.org/problems/not-found"])
    title: str = Field(examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["article 42 does not exist"])
    instance: str | None = Field(default=None, examples=["/api/v1/articles/42"])
    errors: list[dict[str, object]] | None = Field(
        default=None, description="Validation errors, for 422 answers."
    )


class Ref(BaseModel):
    """A short reference to another resource."""

    id: int
    name: str


class RefData(TypedDict):
    """Ref as plain data (see app/schemas/events.py: EventData)."""

    id: int
    name: str
