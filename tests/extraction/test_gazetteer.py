from __future__ import annotations

import pytest

from app.extraction.gazetteer import load_gazetteer, normalise_alias
from app.extraction.pipeline import extract


def test_normalise_alias() -> None:
    assert normalise_alias("  Zelenskyy’s  ") == "zelenskyys"
    assert normalise_alias("Erdoğan") == "erdogan"
    assert normalise_alias("Прем’єр-міністр") == "премєр міністр"
    assert normalise_alias("Зеленський") == "зеленський"  # й is a letter, not an accent


def test_gazetteer_has_aliases_in_four_languages() -> None:
    g = load_gazetteer()
    z = g.actors["zelensky"]
    langs = {a.language for a in z.aliases}
    assert {"en", "uk", "bg", "ru"} <= langs
    assert g.actors["country:JPN"].name == "Japan"
    assert g.places["ua-donetsk-oblast"].country == "UKR"
    kyiv = [p for p in g.places.values() if p.name == "Kyiv"]
    assert kyiv and kyiv[0].key.startswith("geonames:")


def _actor_names(text: str, lang: str) -> set[str]:
    x = extract(text, language=lang)
    return {x.actors[m.key].name for m in x.actor_mentions}


@pytest.mark.parametrize(
    ("text", "lang", "name"),
    [
        ("Уряд Японії вирішив це.", "uk", "Japan"),
        ("Зустріч прем'єр-міністра Кісіди відбулася.", "uk", "Fumio Kishida"),
        ("Це заявив помічник Байдена.", "uk", "Joe Biden"),
        ("Про це сказав Зеленського радник.", "uk", "Volodymyr Zelensky"),
        ("Встреча с Зеленским прошла вчера.", "ru", "Volodymyr Zelensky"),
        ("Лавров встретился с Сибигой.", "ru", "Andrii Sybiha"),
        ("Той се срещна с Тръмп.", "bg", "Donald Trump"),
        ("Генсекът на НАТО пристигна.", "bg", "NATO"),
        ("The Ukrainian air force said so.", "en", "Ukrainian Air Force"),
    ],
)
def test_inflected_mentions(text: str, lang: str, name: str) -> None:
    assert name in _actor_names(text, lang)


def test_acronym_case_and_common_words() -> None:
    assert "United States" in _actor_names("The US said it would help.", "en")
    assert "United States" not in _actor_names("He told us it would help.", "en")
    assert "Mali" not in _actor_names("Вони мали рацію.", "uk")


def test_capital_is_actor_or_place_by_context() -> None:
    said = extract("Kyiv said the talks failed.", language="en")
    assert {m.key for m in said.actor_mentions} == {"country:UKR"}
    assert said.place_mentions == []
    hit = extract("Russian drones attacked Kyiv overnight.", language="en")
    assert [hit.places[m.key].name for m in hit.place_mentions] == ["Kyiv"]


def test_bare_region_names() -> None:
    x = extract("Drones were downed over the Kursk region and over Bryansk.", language="en")
    assert {x.places[m.key].name for m in x.place_mentions} == {"Kursk Oblast", "Bryansk Oblast"}
    y = extract("The train arrived in Kharkiv on time.", language="en")
    assert {y.places[m.key].name for m in y.place_mentions} == {"Kharkiv"}


def test_unknown_person_is_unresolved_not_merged() -> None:
    x = extract("Local official Shoichi Kondo met Putin. Kondo said it went well.", language="en")
    unresolved = [a for a in x.actors.values() if not a.resolved]
    assert [a.name for a in unresolved] == ["Shoichi Kondo"]
    assert unresolved[0].key == "unresolved:shoichi kondo"
    assert sum(m.key == unresolved[0].key for m in x.actor_mentions) == 2
    bg = extract("Заместник-секретарят Давид Алоян каза това.", language="bg")
    assert "David Aloyan" in {a.name for a in bg.actors.values()}
