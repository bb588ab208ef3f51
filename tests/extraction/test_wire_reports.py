"""Short uk/ru/bg/en wire-style reports written for these tests (not copied from any outlet),
each with what a careful annotator expects: actors, places, events, counts, modality, dates."""

from __future__ import annotations

import datetime as dt

from app.extraction.pipeline import extract
from app.extraction.types import ExtractedEvent, Extraction


def _one(x: Extraction, etype: str) -> ExtractedEvent:
    found = [e for e in x.events if e.type == etype]
    assert len(found) == 1, [(e.type, e.summary) for e in x.events]
    return found[0]


def _names(x: Extraction, keys: list[str]) -> set[str]:
    return {x.actors[k].name for k in keys}


def _place(x: Extraction, ev: ExtractedEvent) -> str | None:
    return x.places[ev.place_key].name if ev.place_key else None


# --- Ukrainian -------------------------------------------------------------------------------


def test_uk_drone_attack_with_counts_and_date() -> None:
    text = (
        "Уночі 3 лютого росіяни атакували Україну 64 ударними БпЛА типу Shahed, повідомили в "
        "Повітряних силах ЗСУ.\n"
        "Сили ППО збили 41 дрон, ще 19 локаційно втрачені. Унаслідок атаки на Одесу поранено "
        "двох людей."
    )
    x = extract(text, published_at=dt.date(2025, 2, 3))
    ev = _one(x, "ASSAULT")
    assert ev.mode == "drone"
    # "3 лютого" is a date, not a count of drones
    assert ev.quantities == {
        "drones_launched": 64,
        "drones_downed": 41,
        "drones_jammed": 19,
        "injured": 2,
    }
    assert ev.date == dt.date(2025, 2, 3)
    assert _names(x, ev.source_keys) == {"Russian Armed Forces"}
    assert _names(x, ev.target_keys) == {"Ukraine"}
    assert ev.reported_by_key == "ua-air-force"
    assert _place(x, ev) == "Odesa"


def test_uk_meeting_with_inflected_names() -> None:
    text = "Прем'єр-міністр Японії Фуміо Кісіда зустрівся з Володимиром Зеленським у Києві."
    x = extract(text)
    ev = _one(x, "CONSULT")
    assert _names(x, ev.source_keys) == {"Fumio Kishida"}
    assert _names(x, ev.target_keys) == {"Volodymyr Zelensky"}  # instrumental case
    assert _place(x, ev) == "Kyiv"  # locative "у Києві"


def test_uk_sanctions_and_dative_names() -> None:
    text = (
        "Європейський Союз запровадив нові санкції проти Росії, повідомили в Єврокомісії.\n"
        "Міністр закордонних справ Андрій Сибіга подякував Кісіді та Байдену за підтримку."
    )
    x = extract(text)
    assert {"Fumio Kishida", "Joe Biden", "Andrii Sybiha"} <= {a.name for a in x.actors.values()}
    ev = _one(x, "SANCTION")
    assert _names(x, ev.source_keys) == {"European Union"}
    assert _names(x, ev.target_keys) == {"Russia"}
    assert ev.reported_by_key == "european-commission"


def test_uk_denial_and_future_visit() -> None:
    text = (
        "Речник Кремля Дмитро Пєсков заперечив, що Росія атакувала Київ.\n"
        "Наступного тижня Зеленський відвідає Вашингтон, де проведе переговори з Джо Байденом."
    )
    x = extract(text, published_at=dt.date(2024, 9, 16))
    assert _one(x, "ASSAULT").modality == "denied"
    visit = _one(x, "CONSULT")
    assert visit.modality == "future"
    assert _place(x, visit) == "Washington"
    assert _names(x, visit.source_keys) == {"Volodymyr Zelensky"}


# --- Russian ---------------------------------------------------------------------------------


def test_ru_drone_attack_with_jammed_count() -> None:
    text = (
        "В ночь на 5 марта ВСУ атаковали Белгородскую область 27 беспилотниками, сообщили в "
        "Минобороны России.\nСредствами ПВО были сбиты 25 дронов, еще два подавлены средствами РЭБ."
    )
    x = extract(text, published_at=dt.date(2025, 3, 5))
    ev = _one(x, "ASSAULT")
    assert ev.quantities == {"drones_launched": 27, "drones_downed": 25, "drones_jammed": 2}
    assert _names(x, ev.source_keys) == {"Armed Forces of Ukraine"}
    assert ev.reported_by_key == "ru-mod"
    assert _place(x, ev) == "Belgorod Oblast"
    assert ev.date == dt.date(2025, 3, 5)


def test_ru_talks_with_instrumental_name_without_date() -> None:
    x = extract(
        "Президент России Владимир Путин провел переговоры с Александром Лукашенко в Минске."
    )
    ev = _one(x, "CONSULT")
    assert _names(x, ev.source_keys) == {"Vladimir Putin"}
    assert _names(x, ev.target_keys) == {"Alexander Lukashenko"}
    assert _place(x, ev) == "Minsk"
    assert ev.date is None  # nothing to resolve against: left empty, not guessed


def test_ru_accusation_and_governor_report() -> None:
    text = (
        "Россия обвинила Японию во враждебных действиях.\n"
        "По словам губернатора Вячеслава Гладкова, около 30 дронов атаковали Белгород, "
        "погибли три человека."
    )
    x = extract(text)
    acc = _one(x, "ACCUSE")
    assert (_names(x, acc.source_keys), _names(x, acc.target_keys)) == ({"Russia"}, {"Japan"})
    ev = _one(x, "ASSAULT")
    assert ev.quantities == {"drones_launched": 30, "killed": 3}
    assert ev.reported_by_key == "gladkov"
    assert _place(x, ev) == "Belgorod"


def test_ru_role_descriptions_resolve() -> None:
    text = (
        "Российские военные и спецслужбы РФ сообщили о задержании диверсантов.\n"
        "Украинская сторона отказалась от переговоров."
    )
    x = extract(text)
    names = {a.name for a in x.actors.values()}
    assert {"Russian Armed Forces", "Russian special services", "Ukraine"} <= names


# --- English and Bulgarian -------------------------------------------------------------------


def test_en_role_table_and_anaphora() -> None:
    text = (
        "Ukraine on Tuesday tried to strike the residence of Vladimir Putin, the presidential "
        "administration reported. Two drones were aimed at the building. After timely action by "
        "the military and special services, the drones were put out of action. The Russian "
        "side reserves the right to respond."
    )
    x = extract(text, language="en")
    names = {a.name for a in x.actors.values()}
    assert {
        "Russian Presidential Administration",
        "Russian Armed Forces",
        "Russian special services",
        "Russia",
    } <= names
    ev = _one(x, "ASSAULT")
    assert ev.quantities == {"drones_launched": 2, "drones_jammed": 2}
    assert ev.reported_by_key == "ru-presidential-administration"


def test_en_two_attacks_keep_their_counts_and_subcounts_by_region() -> None:
    text = (
        "Russian drones hit Kyiv overnight. Air defences intercepted a dozen drones over the "
        "city, the military administration said.\n\n"
        "Separately, Russia launched 83 Shahed drones at other regions. Of these, 55 were "
        "neutralised, while around 30 were suppressed by electronic warfare.\n\n"
        "Russia's Ministry of Defense claimed to have shot down 35 Ukrainian drones, including "
        "20 over the Kursk region and 11 over Bryansk."
    )
    x = extract(text, language="en")
    counts = [e.quantities for e in x.events if e.type == "ASSAULT"]
    assert {"drones_downed": 12} in counts
    assert {"drones_launched": 83, "drones_downed": 55, "drones_jammed": 30} in counts
    assert {
        "drones_downed": 35,
        "drones_downed_kursk": 20,
        "drones_downed_bryansk": 11,
    } in counts


def test_en_threats_questions_and_counter_phrases_are_not_events() -> None:
    text = (
        "Ukraine asked Japan for help against the threat of Russian drones targeting its "
        "power grid. What is stopping Tokyo from sending weapons to Ukraine? Kyiv needs "
        "jammers to counter Russian attacks."
    )
    x = extract(text, language="en")
    assert [e.type for e in x.events] == ["REQUEST"]


def test_en_headline_merges_into_its_story() -> None:
    text = (
        "Russian drones attack Odesa as Zelensky visits Kyiv front\n\n"
        "Russian drones attacked Odesa overnight, injuring three people, regional officials said."
    )
    x = extract(text, language="en")
    ev = _one(x, "ASSAULT")
    assert ev.quantities == {"injured": 3}
    assert ev.sentence_index == 1


def test_bg_inflected_names_and_aid() -> None:
    text = (
        "Япония ще предостави на Украйна нова помощ, съобщи премиерът Фумио Кишида.\n"
        "Зеленски се срещна с Кишида в Киев."
    )
    x = extract(text)
    assert x.language == "bg"
    aid = _one(x, "AID")
    assert aid.modality == "future"
    assert "Japan" in _names(x, aid.source_keys)
    meet = _one(x, "CONSULT")
    assert _names(x, meet.source_keys + meet.target_keys) == {
        "Volodymyr Zelensky",
        "Fumio Kishida",
    }
