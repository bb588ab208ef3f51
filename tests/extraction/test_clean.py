from __future__ import annotations

import pytest

from app.extraction.clean import boilerplate_reason, clean


@pytest.mark.parametrize(
    "line",
    [
        "5.6 C",
        "-3°C",
        "Thursday, April 18, 2024",
        "18.04.2024 12:30",
        "Please enter your comment!",
        "Please enter your name here",
        "Коментари (0)",
        "Коментарі",
        "Latest news",
        "Related news",
        "ALL Headlines",
        "Читайте також",
        "Прочетете още",
        "Win $100-Register",
        "File Image: Russia Ukraine War",
        "Фото: Reuters",
        "Contact the author at someone(at)gmail.com",
        "A truck-mounted radar system, used by the army.",
    ],
)
def test_furniture_is_dropped(line: str) -> None:
    assert boilerplate_reason(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "Russia launched 83 drones at Ukraine overnight, the air force said.",
        "Джерело: Yomiuri",
        "Japan Wants To Help Ukraine",
        "A Russian missile hit a school in Kharkiv, killing two people.",
        "Президентът Зеленски съобщи, че страната е заинтересована.",
        "5 May 2024 was the day the talks started in Geneva.",
    ],
)
def test_article_text_is_kept(line: str) -> None:
    assert boilerplate_reason(line) is None


def test_clean_keeps_paragraphs_and_reports_removed() -> None:
    raw = "5.6 C\nMonday, May 6, 2024\n\nFirst paragraph.\n\n\nSecond one.\nLatest news\n"
    c = clean(raw)
    assert c.body == "First paragraph.\n\nSecond one."
    assert c.removed_lines == ["5.6 C", "Monday, May 6, 2024", "Latest news"]
    assert [c.body[a:b] for a, b in c.paragraphs] == ["First paragraph.", "Second one."]
