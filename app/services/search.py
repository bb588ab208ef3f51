"""Search over articles and events: parse the user's text, expand it (lemmas in every language,
aliases of the actors and places it names), ask the dialect's backend, and page by keyset."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from sqlmodel import Session, col, select

from app.config import get_settings
from app.models import Article, EventEvidence, EventParticipant
from app.schemas.common import Page
from app.schemas.search import EventSearchHit, FacetValue, SearchHit, SearchPage
from app.search import get_backend
from app.search.base import FACET_NAMES, ArticleFilters, EventFilters, FacetName, Sort
from app.search.expand import Plan, fold, plan_query
from app.search.query import WORD, RawQuery, Term, parse_query, parse_raw
from app.search.snippets import Marker, make_snippet
from app.services.articles import load_article_publics
from app.services.errors import InvalidQuery
from app.services.events import event_rows, hydrate_events
from app.services.pagination import decode_cursor, encode_cursor

Syntax = Literal["web", "fts5"]
_RAW_OPERATORS = {"AND", "OR", "NOT", "NEAR"}
_KEY_ARITY = {"relevance": 5, "newest": 2, "oldest": 2, "events": 3}


def parse_facets(value: str | None) -> list[FacetName]:
    if not value:
        return []
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in FACET_NAMES]
    if unknown:
        raise InvalidQuery(f"unknown facet {unknown[0]!r}; facets are {', '.join(FACET_NAMES)}")
    return [n for n in FACET_NAMES if n in names]


def make_plan(session: Session, *, q: str, syntax: Syntax, expand: bool) -> Plan:
    query = parse_raw(q) if syntax == "fts5" else parse_query(q)
    backend = get_backend(session)
    return plan_query(
        session,
        query,
        languages=get_settings().languages,
        expand_entities=expand,
        known_lemmas=lambda words: backend.known_lemmas(session, words),
    )


def _marker(plan: Plan) -> Marker:
    if isinstance(plan.query, RawQuery):
        words = [w for w in WORD.findall(plan.query.text) if w not in _RAW_OPERATORS]
        return Marker.for_terms([Term(words=(w,)) for w in words], {})
    return Marker.for_terms(plan.query.terms, plan.expansions)


def _decode(cursor: str | None, kind: str) -> list[Any] | None:
    if cursor is None:
        return None
    arity = _KEY_ARITY[kind] + 1
    try:
        key = decode_cursor(cursor, arity=arity)
    except InvalidQuery:
        raise InvalidQuery(f"cursor is not one this API issued for {kind} order") from None
    if key is None or key[0] != kind:
        raise InvalidQuery(f"cursor is not one this API issued for {kind} order")
    return key[1:]


def search_articles(
    session: Session,
    *,
    q: str,
    limit: int,
    cursor: str | None = None,
    filters: ArticleFilters | None = None,
    sort: Sort = "relevance",
    syntax: Syntax = "web",
    expand: bool = True,
    facets: Sequence[FacetName] = (),
) -> SearchPage:
    plan = make_plan(session, q=q, syntax=syntax, expand=expand)
    filters = filters or ArticleFilters()
    after = _decode(cursor, sort)
    backend = get_backend(session)
    hits = backend.search_articles(
        session, plan=plan, filters=filters, sort=sort, limit=limit + 1, after=after
    )
    page = hits[:limit]
    ids = [h.id for h in page]
    articles = load_article_publics(session, ids)
    reasons = backend.match_reasons(session, plan=plan, article_ids=ids)
    texts = {
        i: (body, language)
        for i, body, language in session.exec(
            select(Article.id, Article.body, Article.language).where(col(Article.id).in_(ids))
        ).all()
    }
    marker = _marker(plan)
    items = []
    for hit in page:
        if hit.id not in articles:
            continue  # deleted between the search and the load
        body, language = texts[hit.id]
        items.append(
            SearchHit(
                article=articles[hit.id],
                rank=hit.rank,
                snippet=make_snippet(body, marker, language),
                matched=reasons.get(hit.id) or ["text"],
            )
        )
    facet_counts = None
    sample = None
    if facets:
        counts = backend.article_facets(session, plan=plan, filters=filters, names=facets)
        facet_counts = {
            name: [FacetValue(value=c.value, count=c.count, id=c.id) for c in values]
            for name, values in counts.items()
        }
        sample = getattr(counts, "sample", None)
    next_cursor = encode_cursor(sort, *page[-1].key) if len(hits) > limit else None
    return SearchPage(
        items=items,
        limit=limit,
        next_cursor=next_cursor,
        facets=facet_counts,
        facets_approximate=sample is not None,
        facets_sample=sample,
    )


def search_events(
    session: Session,
    *,
    q: str,
    limit: int,
    cursor: str | None = None,
    filters: EventFilters | None = None,
    syntax: Syntax = "web",
    expand: bool = True,
) -> Page[EventSearchHit]:
    plan = make_plan(session, q=q, syntax=syntax, expand=expand)
    after = _decode(cursor, "events")
    hits = get_backend(session).search_events(
        session, plan=plan, filters=filters or EventFilters(), limit=limit + 1, after=after
    )
    page = hits[:limit]
    ids = [h.id for h in page]
    events = {e.id: e for e in hydrate_events(session, event_rows(session, ids))}
    sentences: dict[int, list[str]] = defaultdict(list)
    for event_id, sentence in session.exec(
        select(EventEvidence.event_id, EventEvidence.sentence_text)
        .where(col(EventEvidence.event_id).in_(ids))
        .order_by(col(EventEvidence.id))
    ).all():
        sentences[event_id].append(sentence)
    actors: dict[int, set[int]] = defaultdict(set)
    for event_id, actor_id in session.exec(
        select(EventParticipant.event_id, EventParticipant.actor_id).where(
            col(EventParticipant.event_id).in_(ids)
        )
    ).all():
        actors[event_id].add(actor_id)
    marker = _marker(plan)
    items = []
    for hit in page:
        event = events.get(hit.id)
        if event is None:
            continue
        text = "\n".join(sentences.get(hit.id, [])) or event.summary
        place_id = event.place.id if event.place else None
        items.append(
            EventSearchHit(
                event=event,
                rank=hit.rank,
                snippet=make_snippet(text, marker, None),
                matched=_event_reasons(
                    plan, marker, f"{event.summary}\n{text}", actors[hit.id], place_id
                ),
            )
        )
    next_cursor = encode_cursor("events", *page[-1].key) if len(hits) > limit else None
    return Page[EventSearchHit](items=items, limit=limit, next_cursor=next_cursor)


def _event_reasons(
    plan: Plan, marker: Marker, text: str, actor_ids: set[int], place_id: int | None
) -> list[str]:
    folded = {fold(w) for w in WORD.findall(text)}
    reasons = []
    if plan.raw or folded & marker.exact:
        reasons.append("text")
    elif folded & marker.lemmas:
        reasons.append("lemma")
    for entity in plan.all_entities():
        linked = entity.id in actor_ids if entity.kind == "actor" else entity.id == place_id
        if linked and entity.label not in reasons:
            reasons.append(entity.label)
    return reasons or ["text"]
