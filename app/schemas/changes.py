from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class ChangePublic(BaseModel):
    id: int = Field(description="Position in the feed; grows in commit order")
    entity: Literal["article", "event"]
    entity_id: int
    action: Literal["created", "updated", "deleted"]
    changed_at: dt.datetime


class ChangePage(BaseModel):
    items: list[ChangePublic]
    limit: int = Field(description="The page size that was applied.")
    next_cursor: str = Field(
        description="Pass back as `since` for the changes after this page. Never null: at the end "
        "of the feed it marks the position to poll from."
    )
    has_more: bool = Field(description="More changes are already waiting after this page.")
