"""Inflections and cross-lingual names find the right articles: the seeds, plus short articles
added through the real ingest path where the seeds lack a form the issue names."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import Engine, text

from tests.search.conftest import AddArticle

pytestmark = pytest.mark.anyio

UK_KHARKIV_LOC = (
    "Вибухи у Харкові\n\nУ Харкові вночі пролунали вибухи, повідомив мер міста. "
    "Рятувальники працюють на місці влучання."
)
UK_KHARKIV_GEN = (
    "Евакуація з області\n\nПоблизу Харкова евакуювали мешканців трьох сіл. "
    "Обласна адміністрація відкрила пункти прийому."
)
UK_KHARKIV_NOM = (
    "Харків отримав генератори\n\nХарків отримав нові генератори від партнерів. "
    "Їх встановлять у лікарнях і школах."
)
UK_DRON = (
    "Новий дрон для фронту\n\nУкраїнські інженери показали дрон, який долає сто кілометрів. "
    "Виробник обіцяє серійне виробництво."
)
EN_DRONES_ONLY = (
    "Air defence report\n\nAir defence forces shot down forty drones overnight. "
    "Officials said no one was injured."
)


async def _ids(client: httpx.AsyncClient, **params: str) -> list[int]:
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return [h["article"]["id"] for h in r.json()["items"]]


async def _hits(client: httpx.AsyncClient, **params: str) -> dict[int, dict]:
    r = await client.get("/api/v1/search", params=params)
    assert r.status_code == 200, r.text
    return {h["article"]["id"]: h for h in r.json()["items"]}


async def test_kharkiv_finds_locative_and_genitive(
    client: httpx.AsyncClient, add_article: AddArticle
) -> None:
    loc = add_article(UK_KHARKIV_LOC, language="uk")
    gen = add_article(UK_KHARKIV_GEN, language="uk")
    ids = await _ids(client, q="Харків", expand="false")
    assert loc in ids and gen in ids
    # And back: an inflected query finds the other forms.
    assert gen in await _ids(client, q="Харкові", expand="false")


async def test_exact_form_ranks_above_lemma_match(
    client: httpx.AsyncClient, add_article: AddArticle
) -> None:
    loc = add_article(UK_KHARKIV_LOC, language="uk")
    nom = add_article(UK_KHARKIV_NOM, language="uk")
    hits = await _hits(client, q="Харків", expand="false")
    order = list(hits)
    assert order.index(nom) < order.index(loc)
    assert hits[nom]["matched"] == ["text"]
    assert hits[loc]["matched"] == ["lemma"]
    # The snippet is the article's own text with the inflected form marked.
    assert "<mark>Харкові</mark>" in hits[loc]["snippet"]


async def test_japan_uk_finds_inflected_seed(client: httpx.AsyncClient) -> None:
    hits = await _hits(client, q="Японія", expand="false")
    uk = [h for h in hits.values() if h["article"]["language"] == "uk"]
    assert uk
    # A query in the inflected form finds the same article.
    assert set(await _ids(client, q="Японії", expand="false")) >= {h["article"]["id"] for h in uk}


async def test_bulgarian_plural_finds_singular(
    client: httpx.AsyncClient, add_article: AddArticle
) -> None:
    dron = add_article(UK_DRON, language="uk")
    hits = await _hits(client, q="дронове", expand="false")
    assert dron in hits
    assert hits[dron]["matched"] == ["lemma"]
    bg = [h for h in hits.values() if h["article"]["language"] == "bg"]
    assert bg and bg[0]["matched"] == ["text"]  # the seed that says "дронове"


async def test_drone_finds_drones(client: httpx.AsyncClient, add_article: AddArticle) -> None:
    only_plural = add_article(EN_DRONES_ONLY, language="en")
    assert only_plural in await _ids(client, q="drone", expand="false")
    assert only_plural not in await _ids(client, q='"drone"', expand="false")


async def test_japan_finds_ukrainian_and_bulgarian_seeds(client: httpx.AsyncClient) -> None:
    hits = await _hits(client, q="Japan")
    langs = {h["article"]["language"] for h in hits.values()}
    assert {"uk", "bg", "en"} <= langs
    foreign = [h for h in hits.values() if h["article"]["language"] in {"uk", "bg"}]
    assert all("entity:Japan" in h["matched"] for h in foreign)
    assert all("<mark>" in h["snippet"] for h in foreign)
    # Without expansion only the English text matches.
    plain = await _hits(client, q="Japan", expand="false")
    assert {h["article"]["language"] for h in plain.values()} == {"en"}


async def test_cyrillic_name_finds_english_articles(client: httpx.AsyncClient) -> None:
    langs = {h["article"]["language"] for h in (await _hits(client, q="Японія")).values()}
    assert "en" in langs


async def test_exclusion_applies_to_expanded_terms(client: httpx.AsyncClient) -> None:
    with_japan = set(await _ids(client, q="Ukraine", limit="100"))
    without = set(await _ids(client, q="Ukraine -Japan", limit="100"))
    assert without < with_japan
    japan = set(await _ids(client, q="Japan", expand="false", limit="100"))
    assert not (without & japan)


async def test_acronym_alias_needs_capitals(client: httpx.AsyncClient) -> None:
    upper = (await client.get("/api/v1/search", params={"q": "USA"})).json()["items"]
    assert any("entity:United States" in h["matched"] for h in upper)
    lower = (await client.get("/api/v1/search", params={"q": "usa"})).json()["items"]
    assert all(not m.startswith("entity:") for h in lower for m in h["matched"])


async def test_role_phrase_aliases_do_not_expand(
    client: httpx.AsyncClient, engine: Engine, add_article: AddArticle
) -> None:
    """Extraction stores "the president" as a surface form of the president it resolved it to in
    one article; a search for that person must not match every article about a president."""
    other = add_article(
        "Tariff talks\n\nThe president of the commission met trade ministers in Brussels. "
        "The talks covered steel quotas.",
        language="en",
    )
    named = add_article(
        "Visit to Kyiv\n\nZelensky met the delegation in Kyiv. The talks covered air defence.",
        language="en",
    )
    with engine.begin() as conn:
        actor_id = conn.execute(
            text("SELECT actor_id FROM actor_alias WHERE alias = 'Zelensky'")
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO actor_alias (actor_id, alias, language, normalised) "
                "VALUES (:a, 'the president', 'en', 'the president')"
            ),
            {"a": actor_id},
        )
    found = await _hits(client, q="Zelensky", limit="100")
    assert named in found and other not in found
    typed = await _hits(client, q="the president", limit="100")
    assert other in typed
    assert all(not m.startswith("entity:") for h in typed.values() for m in h["matched"])
