from __future__ import annotations

import pytest

from app.extraction.numbers import find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("83 Shahed drones", 83),
        ("around 30", 30),
        ("approximately a dozen drones", 12),
        ("12,000 soldiers", 12000),
        ("12 000 soldiers", 12000),
        ("12.000 войници", 12000),
        ("понад 40 дронів", 40),
        ("тридцять дронів", 30),
        ("двадесет и пет дрона", 25),
        ("двадцать пять беспилотников", 25),
        ("троє загиблих", 3),
        ("1,5 млн людей", 1_500_000),
        ("four Russian aeroplanes", 4),
        ("п'ять ракет", 5),
    ],
)
def test_parse_number(text: str, value: int) -> None:
    assert parse_number(text) == value


def test_no_numbers_in_decimals_or_plural_quantifiers() -> None:
    assert find_numbers("5.6 C") == []
    assert find_numbers("dozens of drones and hundreds of missiles") == []


def test_spans_point_at_the_numeral() -> None:
    text = "Out of these, 55 were neutralised while around 30 went off course."
    nums = find_numbers(text)
    assert [(n.value, text[n.start : n.end]) for n in nums] == [(55, "55"), (30, "30")]
