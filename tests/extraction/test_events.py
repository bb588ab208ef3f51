from __future__ import annotations

import datetime as dt

import pytest

from app.extraction.pipeline import event_signature, extract
from app.extraction.types import Extraction


def _events(x: Extraction) -> list[tuple[str, set[str], set[str]]]:
    def names(keys: list[str]) -> set[str]:
        return {x.actors[k].name for k in keys}

    return [(e.type, names(e.source_keys), names(e.target_keys)) for e in x.events]


def test_drone_attack_and_interception_is_one_event() -> None:
    text = (
        "Overnight, Russia launched 83 Shahed drones at Ukraine, according to the "
        "Ukrainian Air Force. Of these, 55 were shot down, while 30 were jammed by "
        "electronic warfare."
    )
    x = extract(text, language="en")
    assaults = [e for e in x.events if e.type == "ASSAULT"]
    assert len(assaults) == 1
    ev = assaults[0]
    assert ev.mode == "drone"
    assert ev.quantities == {"drones_launched": 83, "drones_downed": 55, "drones_jammed": 30}
    assert x.actors[ev.source_keys[0]].name == "Russia"
    assert ev.reported_by_key == "ua-air-force"


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Russia will attack Kyiv again, Peskov said.", "future"),
        ("Russia could attack Kyiv again.", "hypothetical"),
        ("Russia did not attack Kyiv.", "negated"),
        ("Russia allegedly attacked Kyiv.", "claimed"),
        ("Peskov denied that Russia attacked Kyiv.", "denied"),
        ("Russia attacked Kyiv.", "asserted"),
    ],
)
def test_modality(text: str, modality: str) -> None:
    x = extract(text, language="en")
    assert [e.modality for e in x.events if e.type == "ASSAULT"] == [modality]


def test_request_and_passive_source() -> None:
    x = extract("Zelensky asked Japan for air defence systems.", language="en")
    assert ("REQUEST", {"Volodymyr Zelensky"}, {"Japan"}) in _events(x)
    y = extract("Kyiv was attacked by Russia overnight.", language="en")
    ev = next(e for e in y.events if e.type == "ASSAULT")
    assert y.actors[ev.source_keys[0]].name == "Russia"


def test_event_date_and_place_stay_in_their_sentence() -> None:
    text = (
        "On Saturday, Russian drones attacked Odesa. "
        "Japan and the United States signed an agreement in Tokyo."
    )
    x = extract(text, language="en", published_at=dt.date(2024, 11, 18))
    assault = next(e for e in x.events if e.type == "ASSAULT")
    agree = next(e for e in x.events if e.type == "AGREE")
    assert assault.date == dt.date(2024, 11, 16)
    assert agree.date is None
    assert assault.place_key != agree.place_key


def test_signature_is_order_independent() -> None:
    x = extract(
        "Russia attacked Ukraine in Kharkiv. Russia attacked Ukraine in Kharkiv.", language="en"
    )
    assert len([e for e in x.events if e.type == "ASSAULT"]) == 1
    sig = event_signature(x.events[0])
    assert sig[0] == "ASSAULT" and sig[1] == ("country:RUS", "country:UKR")
