"""simplemma loads a dictionary on its first use without a lock; app.main warms the dictionaries
up on a thread while requests are already answered, so each must be loaded once, whoever asks
first (two loads side by side doubled the worker's peak memory)."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest

from app.extraction import lemmas


def test_a_dictionary_is_loaded_once_when_asked_from_two_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: Counter[str] = Counter()

    def slow_first_use(word: str, lang: str) -> str:
        loads[lang] += 1
        time.sleep(0.05)  # a load in progress when the other thread asks
        return word

    monkeypatch.setattr(lemmas.simplemma, "lemmatize", slow_first_use)
    monkeypatch.setattr(lemmas.simplemma, "is_known", lambda word, lang: True)
    monkeypatch.setattr(lemmas, "_loaded", set())
    warm = threading.Thread(target=lemmas.warm_up)
    warm.start()
    asked = [
        threading.Thread(target=lemmas.is_known, args=("слово", lang)) for lang in ["uk", "bg"]
    ]
    for t in asked:
        t.start()
    for t in [warm, *asked]:
        t.join()
    assert loads == Counter({lang: 1 for lang in ("en", "uk", "bg", "ru")})
