from __future__ import annotations

import datetime as dt

from app.extraction.dates import find_dates

PUB = dt.date(2024, 11, 17)  # a Sunday


def _first(text: str, pub: dt.date | None = None) -> tuple[str, str] | None:
    found = find_dates(text, pub)
    if not found:
        return None
    d = found[0]
    return d.date.isoformat(), d.precision


def test_explicit_dates_need_no_publication_date() -> None:
    assert _first("з 31 грудня 2025 року") == ("2025-12-31", "day")
    assert _first("У грудні 2025 року") == ("2025-12-01", "month")
    assert _first("през юни 2023 г. се появи") == ("2023-06-01", "month")
    assert _first("on 6 August 2024 troops crossed") == ("2024-08-06", "day")
    assert _first("в марте 2022 года") == ("2022-03-01", "month")


def test_relative_dates_resolve_against_publication() -> None:
    assert _first("On Wednesday night drones attacked", PUB) == ("2024-11-13", "day")
    assert _first("on Saturday", PUB) == ("2024-11-16", "day")
    assert _first("10 квітня", PUB) == ("2024-04-10", "day")
    assert _first("on August 6", PUB) == ("2024-08-06", "day")
    assert _first("вчера", PUB) == ("2024-11-16", "day")


def test_nothing_is_guessed_without_publication_date() -> None:
    assert _first("On Wednesday night drones attacked") is None
    assert _first("10 квітня") is None
    assert _first("on August 6") is None
    assert _first("this may be true") is None
