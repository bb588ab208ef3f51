from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from app.api.params import (
    MAX_ID,
    NO_NUL,
    Cursor,
    EventType,
    IsoDate,
    IsoDateTime,
    Language,
    Limit,
    Role,
    SearchText,
)
from app.api.problems import problem_responses
from app.api.reads import adapter, read_json
from app.schemas.common import Page
from app.schemas.search import EventSearchHit, SearchPage
from app.search.base import FACET_NAMES, ArticleFilters, EventFilters, Sort
from app.services import search

_FACET = "(" + "|".join(FACET_NAMES) + ")"
FACETS_PATTERN = rf"^\s*{_FACET}\s*(,\s*{_FACET}\s*)*$"

router = APIRouter(prefix="/search", tags=["search"])
SEARCH_PAGE = adapter(SearchPage)
EVENT_HIT_PAGE = adapter(Page[EventSearchHit])

QUERY_LANGUAGE = (
    'Query language (`syntax=web`, the default): words must all match; `"quoted phrase"`; '
    "`a OR b`; `-excluded`; `prefix*` (at least 3 letters). Anything else, brackets, quotes and "
    "operators included, is literal text, so no query fails. Words also match their other "
    "inflections in Ukrainian, Bulgarian, Russian and English (`Харків` finds `Харкові`), and a "
    "word that names a known actor or place matches its names in every language (`Japan` finds "
    "`Японія`) unless `expand=false`. `syntax=fts5` passes SQLite FTS5 syntax through as "
    "written (columns title, body, lemmas); a syntax error there is a 400."
)
SyntaxParam = Annotated[Literal["web", "fts5"], Query(description="`web` (default) or raw `fts5`")]
ExpandParam = Annotated[
    bool, Query(description="Also match the aliases of actors and places the query names")
]


@router.get(
    "",
    summary="Full-text search over articles",
    description=QUERY_LANGUAGE
    + " Hits are ranked by bm25 with the title weighted above the body and exact words above "
    "other inflections, or sorted by date; each carries a snippet from the article's own text "
    "with the matches in `<mark>`, and says why it matched.",
    response_model=SearchPage,
    responses=problem_responses(400, 422),
)
async def search_articles(
    request: Request,
    q: SearchText,
    limit: Limit = 20,
    cursor: Cursor = None,
    language: Language = None,
    source: Annotated[str | None, Query(pattern=NO_NUL, max_length=200)] = None,
    published_from: IsoDateTime | None = None,
    published_to: IsoDateTime | None = None,
    sort: Annotated[Sort, Query(description="relevance, newest or oldest")] = "relevance",
    syntax: SyntaxParam = "web",
    expand: ExpandParam = True,
    facets: Annotated[
        str | None,
        Query(
            max_length=100,
            # The pattern lets the OpenAPI say which values are valid, so clients and schema
            # fuzzers know a misspelt facet is a 422.
            pattern=FACETS_PATTERN,
            description="Comma-separated facets counted over all hits: " + ", ".join(FACET_NAMES),
            examples=["language,month"],
        ),
    ] = None,
) -> Response:
    filters = ArticleFilters(
        language=language,
        source=source,
        published_from=published_from,
        published_to=published_to,
    )
    return await read_json(
        request,
        SEARCH_PAGE,
        search.search_articles,
        q=q,
        limit=limit,
        cursor=cursor,
        filters=filters,
        sort=sort,
        syntax=syntax,
        expand=expand,
        facets=search.parse_facets(facets),
    )


@router.get(
    "/events",
    summary="Full-text search over event summaries and evidence sentences",
    description=QUERY_LANGUAGE + " Takes the filters of `GET /events`; best matches first.",
    response_model=Page[EventSearchHit],
    responses=problem_responses(400, 422),
)
async def search_events(
    request: Request,
    q: SearchText,
    limit: Limit = 20,
    cursor: Cursor = None,
    type: Annotated[EventType | None, Query(description="PLOVER event type")] = None,
    mode: Annotated[str | None, Query(pattern=NO_NUL, max_length=40, examples=["drone"])] = None,
    actor_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    role: Role = None,
    place_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    date_from: IsoDate | None = None,
    date_to: IsoDate | None = None,
    language: Language = None,
    syntax: SyntaxParam = "web",
    expand: ExpandParam = True,
) -> Response:
    filters = EventFilters(
        type=type,
        mode=mode,
        actor_id=actor_id,
        role=role,
        place_id=place_id,
        date_from=date_from,
        date_to=date_to,
        language=language,
    )
    return await read_json(
        request,
        EVENT_HIT_PAGE,
        search.search_events,
        q=q,
        limit=limit,
        cursor=cursor,
        filters=filters,
        syntax=syntax,
        expand=expand,
    )
