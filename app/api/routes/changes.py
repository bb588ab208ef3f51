from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.params import NO_NUL, Limit
from app.api.problems import problem_responses
from app.api.reads import adapter, read_json
from app.schemas.changes import ChangePage
from app.services import changes

router = APIRouter(prefix="/changes", tags=["changes"])
CHANGE_PAGE = adapter(ChangePage)


@router.get(
    "",
    summary="Created, updated and deleted articles and events, in commit order",
    description="For mirrors: start without `since`, then pass each page's `next_cursor` back as "
    "`since`; an empty page with `has_more: false` means the mirror is up to date (poll again "
    "later with the same cursor).",
    response_model=ChangePage,
    responses=problem_responses(422),
)
async def list_changes(
    request: Request,
    since: Annotated[
        str | None,
        Query(pattern=NO_NUL, max_length=512, description="The next_cursor of the previous page"),
    ] = None,
    limit: Limit = 100,
    entity: Annotated[Literal["article", "event"] | None, Query()] = None,
) -> Response:
    return await read_json(
        request, CHANGE_PAGE, changes.list_changes, limit=limit, since=since, entity=entity
    )
