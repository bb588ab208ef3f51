"""Invariants over the seed pages: offsets slice the body, furniture is dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extraction.pipeline import extract

SEEDS = sorted((Path(__file__).resolve().parents[2] / "seeds").glob("*.txt"))


@pytest.mark.parametrize("path", SEEDS, ids=lambda p: p.name)
def test_every_offset_slices_the_body(path: Path) -> None:
    x = extract(path.read_text(encoding="utf-8"))
    body = x.body
    assert x.sentences
    for s in x.sentences:
        assert body[s.start : s.end] == s.text
    for m in [*x.actor_mentions, *x.place_mentions]:
        assert body[m.start : m.end] == m.text
        assert m.key in x.actors or m.key in x.places
        sent = x.sentences[m.sentence_index]
        assert sent.start <= m.start and m.end <= sent.end
    for e in x.events:
        assert body[e.evidence_start : e.evidence_end] == e.evidence_text
        assert 0.0 <= e.confidence <= 1.0
        assert all(k in x.actors for k in e.source_keys + e.target_keys)
        assert e.place_key is None or e.place_key in x.places


def test_seed_languages_and_furniture() -> None:
    langs = {p.name[:3]: extract(p.read_text(encoding="utf-8")) for p in SEEDS}
    assert [langs[k].language for k in sorted(langs)] == ["en", "bg", "uk", "en", "en"]
    assert "Please enter your comment!" in langs["003"].removed_lines
    assert "Please enter your comment!" not in langs["003"].body
