"""Shapes shared by every resource: the page envelope and the RFC 9457 problem document."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


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
