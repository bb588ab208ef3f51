"""Actor names tolerant of spelling variants and typos: rapidfuzz over every alias in every script
(`Zelenskiy`, `Selenskyj` and `Зеленский` all find Volodymyr Zelensky)."""

from __future__ import annotations

from typing import Any

from rapidfuzz import fuzz, process
from sqlmodel import Session, col

from app.extraction.gazetteer.text import normalise_alias
from app.models import Actor
from app.schemas.actors import ActorPublic
from app.schemas.common import Page
from app.search.aliases import alias_index
from app.services.errors import InvalidQuery
from app.services.pagination import decode_cursor, encode_cursor

# WRatio of 75 admits one or two wrong letters in a surname (Selenskyj ~ zelensky: 82) but not a
# different short name (putin ~ pupin would need 80).
SCORE_CUTOFF = 75.0


def fuzzy_actor_scores(session: Session, q: str) -> dict[int, float]:
    """Best alias score per actor, for the actors whose aliases come close enough to `q`."""
    needle = normalise_alias(q)
    if not needle:
        raise InvalidQuery("q has nothing to search for")
    names = alias_index(session).actor_names
    scores: dict[int, float] = {}
    for alias, score, _ in process.extract(
        needle, list(names), scorer=fuzz.WRatio, score_cutoff=SCORE_CUTOFF, limit=None
    ):
        for actor_id in names[alias]:
            scores[actor_id] = max(scores.get(actor_id, 0.0), round(float(score), 3))
    return scores


def fuzzy_actor_page(
    session: Session,
    stmt: Any,
    *,
    q: str,
    limit: int,
    cursor: str | None,
    to_public: Any,
) -> Page[ActorPublic]:
    """Best score first, then id; the cursor is the (score, id) of the last actor shown."""
    scores = fuzzy_actor_scores(session, q)
    actors = list(session.exec(stmt.where(col(Actor.id).in_(list(scores)))).all())
    ordered = sorted(actors, key=lambda a: (-scores[a.id], a.id))
    after = decode_cursor(cursor, arity=2)
    if after is not None:
        score, last_id = after
        if not isinstance(score, int | float) or not isinstance(last_id, int):
            raise InvalidQuery("cursor is not one this API issued")
        ordered = [a for a in ordered if (-scores[a.id], a.id) > (-score, last_id)]
    page = ordered[:limit]
    next_cursor = encode_cursor(scores[page[-1].id], page[-1].id) if len(ordered) > limit else None
    return Page[ActorPublic](
        items=[to_public(a) for a in page], limit=limit, next_cursor=next_cursor
    )
