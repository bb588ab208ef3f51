"""Short wire-style reports written for these tests (not copied from any outlet), with the
actors, places, events, quantities and dates a careful annotator would expect."""

from __future__ import annotations

import datetime as dt

from app.extraction.pipeline import extract
from app.extraction.types import Extraction

UK = """Вночі 14 березня 2025 року росіяни атакували Україну 120 ударними БпЛА типу Shahed.
За даними Повітряних сил ЗСУ, 95 дронів збито, ще 20 локаційно втрачено.
У Харкові пошкоджено житловий будинок, поранено трьох людей, повідомив мер міста.
Міністр закордонних справ Андрій Сибіга провів телефонну розмову з Марко Рубіо.
"""

RU = """Министр обороны России Андрей Белоусов посетил Минск 3 апреля 2024 года.
Он провёл переговоры с Александром Лукашенко о совместных учениях.
По данным Минобороны РФ, над Белгородской областью были сбиты 12 украинских беспилотников.
"""

EN = """KYIV, Ukraine — Russia fired 40 missiles and 90 drones at Ukraine overnight, the \
Ukrainian Air Force said on Tuesday. Air defences shot down 35 missiles and 70 drones.
Two people were killed and 11 injured in Lviv, officials said.
Meanwhile, NATO Secretary General Mark Rutte visited Warsaw to meet Donald Tusk.
"""

BG = """Министърът на отбраната на Украйна Рустем Умеров се срещна с Лойд Остин в Брюксел.
Русия изстреля 50 дрона срещу Одеса през нощта, съобщиха от Военновъздушните сили на Украйна.
Според украинската армия 40 от тях са били свалени.
"""


def _names(x: Extraction) -> tuple[set[str], set[str]]:
    return {a.name for a in x.actors.values()}, {p.name for p in x.places.values()}


def _event(x: Extraction, etype: str) -> list:
    return [e for e in x.events if e.type == etype]


def test_uk_fixture() -> None:
    x = extract(UK)
    assert x.language == "uk"
    actors, places = _names(x)
    assert {
        "Russian Armed Forces",
        "Ukraine",
        "Ukrainian Air Force",
        "Andrii Sybiha",
        "Marco Rubio",
    } <= actors
    assert "Kharkiv" in places
    assault = _event(x, "ASSAULT")
    assert len(assault) == 1
    assert assault[0].mode == "drone"
    assert assault[0].quantities == {
        "drones_launched": 120,
        "drones_downed": 95,
        "drones_jammed": 20,
    }
    assert assault[0].date == dt.date(2025, 3, 14)
    consult = _event(x, "CONSULT")
    assert consult and consult[0].mode == "phone"
    assert {x.actors[k].name for k in consult[0].source_keys + consult[0].target_keys} == {
        "Andrii Sybiha",
        "Marco Rubio",
    }


def test_ru_fixture() -> None:
    x = extract(RU)
    assert x.language == "ru"
    actors, places = _names(x)
    assert {"Andrey Belousov", "Alexander Lukashenko", "Russian Ministry of Defence"} <= actors
    assert {"Minsk", "Belgorod Oblast"} <= places
    visit = _event(x, "CONSULT")[0]
    assert visit.mode == "visit"
    assert visit.date == dt.date(2024, 4, 3)
    assert x.places[visit.place_key or ""].name == "Minsk"
    downed = _event(x, "ASSAULT")[0]
    assert downed.quantities == {"drones_downed": 12}
    assert downed.reported_by_key == "ru-mod"
    assert {x.actors[k].name for k in downed.source_keys} == {"Ukraine"}


def test_en_fixture() -> None:
    x = extract(EN, published_at=dt.date(2024, 12, 25))  # a Wednesday
    actors, places = _names(x)
    assert {
        "Russia",
        "Ukraine",
        "Ukrainian Air Force",
        "NATO",
        "Mark Rutte",
        "Donald Tusk",
    } <= actors
    assert {"Kyiv", "Lviv", "Warsaw"} <= places
    assault = _event(x, "ASSAULT")
    assert len(assault) == 1
    assert assault[0].quantities == {
        "missiles_launched": 40,
        "drones_launched": 90,
        "missiles_downed": 35,
        "drones_downed": 70,
        "killed": 2,
        "injured": 11,
    }
    assert assault[0].reported_by_key == "ua-air-force"
    visit = _event(x, "CONSULT")[0]
    assert x.places[visit.place_key or ""].name == "Warsaw"


def test_bg_fixture() -> None:
    x = extract(BG)
    assert x.language == "bg"
    actors, places = _names(x)
    assert {"Rustem Umerov", "Lloyd Austin", "Russia", "Ukrainian Air Force"} <= actors
    assert {"Brussels", "Odesa"} <= places
    meet = _event(x, "CONSULT")[0]
    assert {x.actors[k].name for k in meet.source_keys + meet.target_keys} >= {
        "Rustem Umerov",
        "Lloyd Austin",
    }
    assault = _event(x, "ASSAULT")
    assert len(assault) == 1
    assert assault[0].quantities == {"drones_launched": 50, "drones_downed": 40}
