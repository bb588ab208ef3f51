from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from app.api.auth import WriteKey
from app.api.params import MAX_ID, NO_NUL, Cursor, IsoDateTime, Language, Limit
from app.api.problems import problem_responses
from app.api.reads import adapter, cached_read_json
from app.config import Settings
from app.db import SessionDep
from app.schemas.articles import ArticleCreate, ArticleDetail, ArticlePublic, BatchResult
from app.schemas.common import Page
from app.services import articles, batch
from app.services.batch import article_input
from app.services.errors import UnsupportedMediaType

router = APIRouter(prefix="/articles", tags=["articles"])
ARTICLE_PAGE = adapter(Page[ArticlePublic])
ARTICLE_DETAIL = adapter(ArticleDetail)


@router.get(
    "",
    summary="List articles, newest first",
    response_model=Page[ArticlePublic],
    responses=problem_responses(422),
)
async def list_articles(
    request: Request,
    limit: Limit = 20,
    cursor: Cursor = None,
    language: Language = None,
    source: Annotated[
        str | None, Query(pattern=NO_NUL, max_length=200, description="Source name or domain")
    ] = None,
    published_from: IsoDateTime | None = None,
    published_to: IsoDateTime | None = None,
    actor_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Articles that mention this actor")
    ] = None,
    q: Annotated[
        str | None,
        Query(pattern=NO_NUL, min_length=1, max_length=500, description="Full-text filter"),
    ] = None,
) -> Response:
    return await cached_read_json(
        request,
        ARTICLE_PAGE,
        articles.list_articles,
        limit=limit,
        cursor=cursor,
        language=language,
        source=source,
        published_from=published_from,
        published_to=published_to,
        actor_id=actor_id,
        q=q,
    )


@router.get(
    "/{article_id:int}",
    summary="One article with its mentions and events",
    response_model=ArticleDetail,
    responses=problem_responses(404, 422),
)
async def get_article(
    request: Request, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    return await cached_read_json(
        request, ARTICLE_DETAIL, articles.get_article, article_id=article_id
    )


# --- writes ---------------------------------------------------------------------------------

JSON_TYPES = {"application/json"}
NDJSON_TYPES = {"application/x-ndjson", "application/ndjson", "application/jsonl"}


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def json_body(request: Request) -> None:
    if _media_type(request) not in JSON_TYPES:
        raise UnsupportedMediaType("send the article as application/json")


def ndjson_body(request: Request) -> None:
    if _media_type(request) not in NDJSON_TYPES:
        raise UnsupportedMediaType(
            "send the batch as application/x-ndjson: one JSON article object a line"
        )


@router.post(
    "",
    summary="Store an article and extract its mentions and events",
    description="201 with the stored article when it is new; 200 with the stored one when the "
    "same normalised text or canonical url is already there (nothing is changed then).",
    status_code=201,
    response_model=ArticleDetail,
    responses={
        200: {"model": ArticleDetail, "description": "Already stored: the existing article"},
        201: {
            "description": "Stored",
            "headers": {
                "Location": {"description": "The article's URL", "schema": {"type": "string"}}
            },
        },
        **problem_responses(400, 401, 413, 415, 422, 503),
    },
    dependencies=[WriteKey, Depends(json_body)],
)
def create_article(session: SessionDep, body: ArticleCreate, response: Response) -> ArticleDetail:
    detail, created = articles.create_article(session, item=article_input(body))
    response.status_code = 201 if created else 200
    response.headers["Location"] = f"/api/v1/articles/{detail.id}"
    return detail


@router.post(
    ":batch",
    summary="Store many articles from NDJSON, answering line by line",
    description="One JSON article object (as for `POST /articles`) a line, at most the "
    "configured number of lines and bytes. Each line is stored in its own transaction and gets "
    "its own status, so a bad line costs only itself.",
    response_model=BatchResult,
    responses=problem_responses(401, 413, 415, 422, 503),
    dependencies=[WriteKey, Depends(ndjson_body)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/x-ndjson": {
                    "schema": {
                        "type": "string",
                        "pattern": batch.BODY_PATTERN,
                        "description": "One JSON article object a line; blank lines are skipped",
                        "example": '{"text": "Russia launched 40 drones at Kharkiv."}\n'
                        '{"text": "Japan pledged aid to Ukraine.", "language": "en"}\n',
                    }
                }
            },
        }
    },
)
async def create_articles_batch(request: Request, session: SessionDep) -> BatchResult:
    settings: Settings = request.app.state.settings
    body = await request.body()
    return await run_in_threadpool(
        batch.ingest_batch, session, body=body, max_items=settings.max_batch_items
    )


@router.delete(
    "/{article_id:int}",
    summary="Delete an article with its mentions, evidence and unsupported events",
    status_code=204,
    response_class=Response,
    responses=problem_responses(401, 404, 422, 503),
    dependencies=[WriteKey],
)
def delete_article(
    session: SessionDep, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> Response:
    articles.delete_article(session, article_id=article_id)
    return Response(status_code=204)


@router.post(
    "/{article_id}:reextract",
    summary="Run extraction again over a stored article",
    description="After the gazetteer or the rules changed: the article's mentions and events are "
    "replaced by what the pipeline finds now.",
    response_model=ArticleDetail,
    responses=problem_responses(401, 404, 422, 503),
    dependencies=[WriteKey],
)
def reextract_article(
    session: SessionDep, article_id: Annotated[int, Path(ge=1, le=MAX_ID)]
) -> ArticleDetail:
    return articles.reextract_article(session, article_id=article_id)
