"""A deterministic, streamed generator of realistic news articles for benchmarks.

    generate(n, seed) -> Iterator[dict]   # {title, text, language, source, published_at, url}
    python bench/corpus.py --n 100000 --seed 1 > articles.ndjson

English and Bulgarian articles recombine the sentences and titles of the real articles in
../shared/corpus/*.ndjson when it is present (built-in sentences otherwise); Ukrainian and Russian
ones are built from template sentences below, with inflected place and actor names, so that
morphology and cross-lingual search are exercised. Lengths follow a log-normal around 18
sentences; dates spread over 2022-02-24 .. 2025-12-31. The same (n, seed) always yields the same
articles, in the same order, without holding them all in memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import re
import sys
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
LANGUAGE_WEIGHTS = {"en": 0.3, "bg": 0.3, "uk": 0.25, "ru": 0.15}
START = dt.date(2022, 2, 24)
DAYS = (dt.date(2025, 12, 31) - START).days
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"«„A-ZА-ЯЁІЇЄҐ0-9])")

SOURCES = {
    "en": ["reuters.com", "apnews.com", "bbc.co.uk", "kyivindependent.com", "theguardian.com"],
    "bg": ["blitz.bg", "dnevnik.bg", "bnr.bg", "novini.bg", "mediapool.bg"],
    "uk": ["pravda.com.ua", "ukrinform.ua", "suspilne.media", "unian.ua", "rbc.ua"],
    "ru": ["meduza.io", "novayagazeta.eu", "rbc.ru", "kommersant.ru", "tass.ru"],
}

# Slot values: (nominative, genitive, locative) so templates can inflect names as texts do.
_UK_PLACES = [
    ("Харків", "Харкова", "Харкові"),
    ("Київ", "Києва", "Києві"),
    ("Одеса", "Одеси", "Одесі"),
    ("Дніпро", "Дніпра", "Дніпрі"),
    ("Запоріжжя", "Запоріжжя", "Запоріжжі"),
    ("Херсон", "Херсона", "Херсоні"),
    ("Львів", "Львова", "Львові"),
    ("Суми", "Сум", "Сумах"),
    ("Покровськ", "Покровська", "Покровську"),
]
_UK_STATES = [
    ("Японія", "Японії", "Японії"),
    ("Польща", "Польщі", "Польщі"),
    ("Німеччина", "Німеччини", "Німеччині"),
    ("Росія", "Росії", "Росії"),
    ("Білорусь", "Білорусі", "Білорусі"),
    ("Франція", "Франції", "Франції"),
]
_UK_PEOPLE = ["Зеленський", "Сирський", "Сибіга", "Буданов", "Кличко", "Умєров"]
_UK = [
    "Вночі {n} дронів атакували {pg}, повідомили у {plc} військові.",
    "Сили ППО збили {n} ворожих дронів у районі {pg}.",
    "{person} заявив, що {s} надасть Україні нові системи протиповітряної оборони.",
    "Унаслідок обстрілу {pg} поранено {n} людей, серед них діти.",
    "У {plc} пролунали вибухи, у місті оголошено повітряну тривогу.",
    "Уряд {sg} погодив новий пакет допомоги обсягом {n} мільйонів доларів.",
    "Президент {person} провів телефонну розмову з лідером {sg}.",
    "Міністр оборони повідомив про постачання {n} артилерійських систем до {pg}.",
    "За даними Генштабу, протягом доби відбулося {n} бойових зіткнень.",
    "Енергетики відновили електропостачання у {plc} після масованої атаки.",
    "Делегація {sg} прибула до {pg} для переговорів про безпекові гарантії.",
    "Дронова атака пошкодила об'єкти критичної інфраструктури у {plc}.",
]
_UK_TITLES = [
    "{s} посилює підтримку України",
    "Масована атака на {pg}: {n} дронів",
    "{person} про переговори з {sg}",
    "Вибухи у {plc}",
    "Нова допомога від {sg}",
]
_RU_PLACES = [
    ("Харьков", "Харькова", "Харькове"),
    ("Киев", "Киева", "Киеве"),
    ("Одесса", "Одессы", "Одессе"),
    ("Белгород", "Белгорода", "Белгороде"),
    ("Курск", "Курска", "Курске"),
    ("Москва", "Москвы", "Москве"),
]
_RU_STATES = [
    ("Япония", "Японии", "Японии"),
    ("Польша", "Польши", "Польше"),
    ("Германия", "Германии", "Германии"),
    ("Украина", "Украины", "Украине"),
]
_RU_PEOPLE = ["Зеленский", "Путин", "Песков", "Лавров", "Шойгу", "Белоусов"]
_RU = [
    "Ночью {n} беспилотников атаковали {pg}, сообщили в {plc} власти.",
    "Средства ПВО сбили {n} дронов в районе {pg}.",
    "{person} заявил, что {s} не будет вмешиваться в конфликт.",
    "В результате обстрела {pg} пострадали {n} человек.",
    "В {plc} прогремели взрывы, объявлена воздушная тревога.",
    "Правительство {sg} одобрило новый пакет помощи на {n} миллионов долларов.",
    "{person} провёл телефонный разговор с руководством {sg}.",
    "По данным министерства обороны, за сутки уничтожено {n} дронов.",
]
_RU_TITLES = [
    "Атака дронов на {pg}",
    "{person} о переговорах",
    "Взрывы в {plc}",
    "{s} и новые санкции",
]
# Used when ../shared/corpus is absent.
_EN = [
    "Russian drones attacked {city} overnight, officials said.",
    "Air defence units shot down {n} drones over the {city} region.",
    "{leader} said Japan would send more air defence systems to Ukraine.",
    "The strike on {city} injured {n} people, including children.",
    "NATO ministers met in Brussels to discuss support for Kyiv.",
    "Ukraine's foreign minister held talks with his Japanese counterpart.",
]
_BG = [
    "Руски дронове атакуваха {city} през нощта, съобщиха властите.",
    "Противовъздушната отбрана свали {n} дрона над {city}.",
    "{leader} заяви, че Япония ще изпрати нови системи на Украйна.",
    "При удара в {city} са ранени {n} души.",
    "Министрите на НАТО обсъдиха подкрепата за Киев в Брюксел.",
]
_CITIES = ["Kharkiv", "Kyiv", "Odesa", "Dnipro", "Харков", "Киев", "Одеса"]
_LEADERS = ["Zelensky", "Putin", "Kishida", "Зеленски", "Путин"]


@lru_cache(maxsize=1)
def real_pools(corpus_dir: Path = CORPUS_DIR) -> dict[str, tuple[list[str], list[str]]]:
    """Per language: (sentences, titles) from the real corpus; empty when it is absent."""
    pools: dict[str, tuple[list[str], list[str]]] = {}
    for path in sorted(corpus_dir.glob("*.ndjson")) if corpus_dir.is_dir() else []:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                try:
                    obj = json.loads(line)
                except ValueError:
                    continue
                lang, text = obj.get("language"), obj.get("text") or ""
                if lang not in ("en", "bg") or not text:
                    continue
                sentences, titles = pools.setdefault(lang, ([], []))
                for para in text.split("\n"):
                    sentences.extend(
                        s.strip() for s in _SENTENCE_END.split(para) if 30 <= len(s.strip()) <= 400
                    )
                title = obj.get("title")
                if title:
                    titles.append(title.strip())
    return pools


def _fill(template: str, rng: random.Random, lang: str) -> str:
    places, states, people = (
        (_UK_PLACES, _UK_STATES, _UK_PEOPLE)
        if lang == "uk"
        else (_RU_PLACES, _RU_STATES, _RU_PEOPLE)
    )
    p, s = rng.choice(places), rng.choice(states)
    return template.format(
        n=rng.randint(2, 120),
        pg=p[1],
        plc=p[2],
        s=s[0],
        sg=s[1],
        person=rng.choice(people),
        city=rng.choice(_CITIES),
        leader=rng.choice(_LEADERS),
    )


def _sentence_count(rng: random.Random) -> int:
    return max(3, min(60, int(math.exp(rng.gauss(math.log(18), 0.6)))))


def _article(rng: random.Random, i: int, pools: dict[str, tuple[list[str], list[str]]]) -> dict:
    lang = rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    count = _sentence_count(rng)
    if lang in pools and pools[lang][0]:
        sentences, titles = pools[lang]
        body = [rng.choice(sentences) for _ in range(count)]
        title = rng.choice(titles) if titles else body[0][:120]
    elif lang in ("uk", "ru"):
        templates, title_templates = (_UK, _UK_TITLES) if lang == "uk" else (_RU, _RU_TITLES)
        body = [_fill(rng.choice(templates), rng, lang) for _ in range(count)]
        title = _fill(rng.choice(title_templates), rng, lang)
    else:
        templates = _EN if lang == "en" else _BG
        body = [_fill(rng.choice(templates), rng, lang) for _ in range(count)]
        title = body[0][:120]
    # Paragraphs of two to four sentences, as news pages have.
    paragraphs, k = [], 0
    while k < len(body):
        step = rng.randint(2, 4)
        paragraphs.append(" ".join(body[k : k + step]))
        k += step
    day = START + dt.timedelta(days=rng.randrange(DAYS))
    source = rng.choice(SOURCES[lang])
    return {
        "title": title,
        "text": "\n\n".join(paragraphs),
        "language": lang,
        "source": source,
        "published_at": day.isoformat(),
        "url": f"https://{source}/news/{day:%Y/%m/%d}/{i}",
    }


def generate(n: int, seed: int = 0, corpus_dir: Path | None = None) -> Iterator[dict]:
    """n articles, deterministic for (n, seed, corpus contents); streamed one at a time."""
    pools = real_pools(corpus_dir or CORPUS_DIR)
    rng = random.Random(seed)
    for i in range(n):
        yield _article(rng, i, pools)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="NDJSON file (default: stdout)")
    args = parser.parse_args(argv)
    out = args.out.open("w", encoding="utf-8") if args.out else sys.stdout
    try:
        for article in generate(args.n, args.seed):
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()


if __name__ == "__main__":
    main()
