from __future__ import annotations

from app.extraction.sentences import split_sentences


def _texts(body: str) -> list[str]:
    sents = split_sentences(body)
    for s in sents:
        assert body[s.start : s.end] == s.text
    return [s.text for s in sents]


def test_offsets_and_basic_split() -> None:
    body = "Russia attacked Kyiv. Ukraine shot down 30 drones!\nNew paragraph here?"
    assert _texts(body) == [
        "Russia attacked Kyiv.",
        "Ukraine shot down 30 drones!",
        "New paragraph here?",
    ]


def test_abbreviations_initials_and_numbers() -> None:
    body = (
        "Gen. Valery Zaluzhny met Mr. Smith and V. Putin in the U.S. capital. "
        "About 12,000 troops and 5.6 tonnes were sent. Next sentence."
    )
    assert _texts(body) == [
        "Gen. Valery Zaluzhny met Mr. Smith and V. Putin in the U.S. capital.",
        "About 12,000 troops and 5.6 tonnes were sent.",
        "Next sentence.",
    ]


def test_quotes_and_cyrillic() -> None:
    body = (
        "«Ми готові до переговорів», – заявив В. Зеленський. Він додав, що м. Київ "
        "захищений. „Това е важно“, каза той. Следващо изречение."
    )
    texts = _texts(body)
    assert texts[0] == "«Ми готові до переговорів», – заявив В. Зеленський."
    assert texts[1] == "Він додав, що м. Київ захищений."
    assert texts[-1] == "Следващо изречение."


def test_quote_closing_after_period() -> None:
    texts = _texts('He said: "We need it vitally." The minister added more.')
    assert texts == ['He said: "We need it vitally."', "The minister added more."]
