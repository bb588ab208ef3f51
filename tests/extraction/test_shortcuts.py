"""The extraction shortcuts (cheap pre-checks, plain-dict caches) answer as the full path does."""

from __future__ import annotations

from itertools import repeat

import pytest

from app.extraction import lemmas
from app.extraction.events import _index, _lowered, _may_trigger, find_triggers, tokens_of
from app.extraction.lemmas import lemma_text, lemmatise

_SENTENCES = [
    "Росія атакувала Харків дронами вночі.",
    "Україна отримала допомогу від Японії.",
    "Русия атакува Киев с дронове, съобщиха от ВСУ.",
    "Времето в София ще бъде слънчево.",
    "Россия нанесла удар по Одессе.",
    "Погода в Москве будет тёплой.",
    "Russia attacked Kyiv overnight.",
    "НЕ-атакувала, пре-атака і пів-удару: слова з дефісом.",
    "İstanbul'da görüşme: Туреччина провела переговори.",
    "Ще 2 дрони були збиті над областю.",
    "",
]


@pytest.mark.parametrize("lang", ["uk", "bg", "ru", "en"])
@pytest.mark.parametrize("text", _SENTENCES)
def test_trigger_precheck_never_drops_a_trigger(text: str, lang: str) -> None:
    lowered = _lowered(text)
    found = find_triggers(tokens_of(text, lang, lowered), lang)
    assert tokens_of(text, lang, lowered) == tokens_of(text, lang)
    if found:  # a sentence with a trigger always passes the pre-check
        assert _may_trigger(_index(lang), text, lowered)


def test_trigger_precheck_rejects_a_sentence_without_triggers() -> None:
    text = "Времето в София ще бъде слънчево."
    assert not find_triggers(tokens_of(text, "bg"), "bg")
    assert not _may_trigger(_index("bg"), text, _lowered(text))


@pytest.mark.parametrize("lang", ["en", "uk", "bg", "ru", "fr", None])
def test_lemma_text_cache_gives_lemmatise(lang: str | None) -> None:
    text = "Russian drones attacked; Японія погодилась, Японії, Япония. Дронове! Drones DRONES"
    words = lemmas.WORD_RE.findall(text)
    expected = " ".join(map(lemmatise, words, repeat(lang or "en")))
    assert lemma_text(text, lang) == expected
    assert lemma_text(text, lang) == expected  # again, from the cache


def test_lemma_text_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lemmas, "_TEXT_CACHE_MAX", 3)
    monkeypatch.setitem(lemmas._text_cache, "en", {})
    assert lemma_text("one two three four five", "en") == "one two three four five"
    assert len(lemmas._text_cache["en"]) <= 5
    assert lemma_text("drones attacked", "en") == "drone attack"
    assert len(lemmas._text_cache["en"]) <= 3
