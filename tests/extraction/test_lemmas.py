from __future__ import annotations

from app.extraction.lemmas import lemma_text, lemmatise


def test_lemmatise_per_language() -> None:
    assert lemmatise("drones", "en") == "drone"
    assert lemmatise("дронів", "uk") == "дрон"
    assert lemmatise("Москвы", "ru") == "москва"


def test_lemma_text_is_lowercased_words_only() -> None:
    assert lemma_text("Russian drones attacked, 12 times!", "en") == "russian drone attack time"
    assert lemma_text("Японія погодилась", "uk") == "японія погодитися"
    assert lemma_text("", None) == ""
