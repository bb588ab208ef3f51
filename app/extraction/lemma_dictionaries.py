"""simplemma's compact (low_memory) dictionaries, their block index kept on disk.

A compact dictionary is the decompressed front-coded stream plus a resume point at every 32nd
record. Finding those points walks all 2.4 M records of the four languages in Python: 2.3 s,
holding the GIL while a freshly started worker already answers, and a search waits for it. The
points depend only on the shipped file, so they are kept in the cache directory (beside the
gazetteer's), keyed by simplemma's version and the file's digest; a later process loads the four
languages in ~0.25 s. Any mismatch or failure falls back to simplemma building them.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from collections.abc import Mapping
from pathlib import Path

import simplemma
from simplemma.strategies import DefaultStrategy, DictionaryLookupStrategy
from simplemma.strategies.dictionaries.dictionary_factory import (
    DATA_FOLDER,
    CachingDictionaryFactory,
    _read_decompressed,
)
from simplemma.strategies.dictionaries.stream_dictionary_factory import StreamMap
from simplemma.utils import normalize_token

log = logging.getLogger(__name__)

# StreamMap's own state (simplemma 2.0): what its constructor computes from the stream. A
# StreamMap with any other slots is built by simplemma itself, never from the cache.
_INDEX = ("_rev", "_count", "_pos", "_firsts", "_blocks")
_CACHEABLE = set(getattr(StreamMap, "__slots__", ())) == {"_data", *_INDEX}


def _index_path(lang: str) -> Path:
    from app.extraction.gazetteer import cache_dir  # the gazetteer package imports lemmas

    digest = hashlib.sha256((DATA_FOLDER / f"{lang}.plzma").read_bytes()).hexdigest()[:16]
    return cache_dir() / f"simplemma-{simplemma.__version__}-{lang}-{digest}.index"


def _load_cached(lang: str, path: Path) -> StreamMap | None:
    try:
        with path.open("rb") as fh:
            index = pickle.load(fh)
        data = _read_decompressed(lang)
        mapping = StreamMap.__new__(StreamMap)
        mapping._data = data
        for name, value in zip(_INDEX, index, strict=True):
            setattr(mapping, name, value)
        return mapping
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None


def _store(mapping: StreamMap, path: Path) -> None:
    try:  # a read-only home or a full disk only costs the next process the walk
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            pickle.dump(tuple(getattr(mapping, n) for n in _INDEX), tmp, protocol=5)
        os.replace(tmp.name, path)
    except (OSError, AttributeError) as exc:
        log.info("simplemma index not cached: %s", exc)


class CachedStreamFactory(CachingDictionaryFactory):
    __slots__ = ()

    def _get_dictionary_uncached(self, lang: str) -> Mapping[str, str]:
        try:
            if not _CACHEABLE:
                raise OSError("another StreamMap")
            path = _index_path(lang)
        except OSError:  # or not a shipped language: simplemma raises its own error
            return StreamMap(lang)
        mapping = _load_cached(lang, path)
        if mapping is None:
            mapping = StreamMap(lang)
            _store(mapping, path)
        return mapping


_FACTORY = CachedStreamFactory()
# What simplemma.lemmatize(..., low_memory=True) and is_known(..., low_memory=True) build, over
# the cached factory.
_LEMMATIZER = simplemma.Lemmatizer(
    lemmatization_strategy=DefaultStrategy(dictionary_factory=_FACTORY)
)
_LOOKUP = DictionaryLookupStrategy(_FACTORY)


def lemmatize(token: str, lang: str) -> str:
    return str(_LEMMATIZER.lemmatize(token, lang))


def is_known(token: str, lang: str) -> bool:
    return _LOOKUP.get_lemma(normalize_token(token), lang) is not None
