"""simplemma loads a dictionary on its first use without a lock; app.main warms the dictionaries
up on a thread while requests are already answered, so each must be loaded once, whoever asks
first (two loads side by side doubled the worker's peak memory)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import simplemma
from simplemma.strategies.dictionaries.dictionary_factory import DEFAULT_DICTIONARY_FACTORY

from app.extraction import lemma_dictionaries, lemmas


def test_a_dictionary_is_loaded_once_when_asked_from_two_threads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    loads: Counter[str] = Counter()

    def slow_first_use(word: str, lang: str, low_memory: bool = False) -> str:
        loads[lang] += 1
        time.sleep(0.05)  # a load in progress when the other thread asks
        return word

    monkeypatch.setattr(lemmas.simplemma, "lemmatize", slow_first_use)
    monkeypatch.setattr(lemmas.simplemma, "is_known", lambda word, lang, low_memory=False: True)
    monkeypatch.setattr(lemmas, "_loaded", set())
    monkeypatch.setattr(lemmas, "_compact", False)  # a served app earlier in the run sets it
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


# Inflected forms in the four languages, as articles and queries bring them.
WORDS = {
    "en": ["drones", "attacked", "cities", "soldiers", "negotiations", "Shaheds", "was"],
    "uk": ["атаки", "дронів", "Харкові", "ракетами", "обстрілу", "військ", "наступали", "було"],
    "bg": ["войници", "атакуваха", "градовете", "ракети", "Украйна", "преговорите", "беше"],
    "ru": ["городах", "защитники", "войска", "нападения", "ракетами", "обстрела", "было"],
}


def test_compact_dictionaries_answer_as_the_fast_ones() -> None:
    for lang, words in WORDS.items():
        for word in words + [w.lower() for w in words] + ["qwzx", "ъъъь"]:
            assert simplemma.lemmatize(word, lang=lang, low_memory=True) == simplemma.lemmatize(
                word, lang=lang
            ), (lang, word)
            assert simplemma.is_known(word, lang=lang, low_memory=True) == simplemma.is_known(
                word, lang=lang
            ), (lang, word)


def test_compact_is_not_taken_once_a_fast_dictionary_is_loaded(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lemmas, "_compact", False)
    monkeypatch.setattr(lemmas, "_loaded", {"en"})
    lemmas.use_compact_dictionaries()
    assert lemmas._compact is False
    monkeypatch.setattr(lemmas, "_loaded", set())
    lemmas.use_compact_dictionaries()
    assert lemmas._compact is True


_SERVING = """
import asyncio
from app.main import create_app
from app.extraction import lemmas

async def main():
    app = create_app()
    async with app.router.lifespan_context(app):
        while len(lemmas._loaded) < 4:
            await asyncio.sleep(0.05)
        print(lemmas._compact, lemmas.lemma_text("Дронів атакували Харків", "uk"))

asyncio.run(main())
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking pytest process
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM")][0]
print(int(peak.split()[1]) // 1024)
"""


def test_a_serving_worker_loads_the_compact_dictionaries(tmp_path: Path) -> None:
    """The fast dictionaries cost a serving worker 266 MB of its 400 MB budget at 1M articles."""
    root = Path(__file__).resolve().parents[2]
    env = {"CONFLICTKB_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [sys.executable, "-c", _SERVING], cwd=root, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    flag, rss_mb = out.stdout.strip().splitlines()
    assert flag == "True дрон атакувати харків"
    assert int(rss_mb) < 250  # all four languages loaded; ~400 with the fast form


def test_the_compact_index_is_cached_and_answers_as_simplemma(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLICTKB_CACHE_DIR", str(tmp_path))
    built = lemma_dictionaries.CachedStreamFactory().get_dictionary("bg")
    (cached_file,) = tmp_path.glob("simplemma-*-bg-*.index")
    reloaded = lemma_dictionaries.CachedStreamFactory().get_dictionary("bg")
    fast = DEFAULT_DICTIONARY_FACTORY.get_dictionary("bg")
    sample = list(itertools.islice(iter(fast), 0, None, 251)) + WORDS["bg"] + ["xyz", "ъъъ"]
    for word in sample:
        assert built.get(word) == reloaded.get(word) == fast.get(word), word
    cached_file.write_bytes(b"not a pickle")  # a damaged file: built again, not an error
    again = lemma_dictionaries.CachedStreamFactory().get_dictionary("bg")
    assert [again.get(w) for w in sample] == [fast.get(w) for w in sample]


def test_compact_lemmas_and_known_words_as_simplemma_gives_them() -> None:
    for lang, words in WORDS.items():
        for word in [*words, "qwzx"]:
            assert lemma_dictionaries.lemmatize(word, lang) == simplemma.lemmatize(word, lang=lang)
            assert lemma_dictionaries.is_known(word, lang) == simplemma.is_known(word, lang=lang)


def test_a_stream_map_of_another_shape_is_built_by_simplemma(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFLICTKB_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(lemma_dictionaries, "_CACHEABLE", False)
    mapping = lemma_dictionaries.CachedStreamFactory().get_dictionary("en")
    assert mapping.get("drones") == DEFAULT_DICTIONARY_FACTORY.get_dictionary("en").get("drones")
    assert not list(tmp_path.iterdir())
