"""The event lexicon reads the same through libyaml as through the pure-Python safe loader."""

from __future__ import annotations

import yaml

from app.extraction.events import _YAML_LOADER, LEXICON_FILE


def test_lexicon_reads_as_safe_load() -> None:
    text = LEXICON_FILE.read_text(encoding="utf-8")
    # repr, not ==: the same types and the same order, not only equal values
    assert repr(yaml.load(text, Loader=_YAML_LOADER)) == repr(yaml.safe_load(text))
