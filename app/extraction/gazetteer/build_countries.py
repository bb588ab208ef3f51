"""Generate ``countries.yaml`` from pycountry and its uk/bg/ru gettext catalogues.

Run ``python -m app.extraction.gazetteer.build_countries`` after upgrading pycountry and commit the
output: the YAML is reviewed like code, and the runtime never imports pycountry's catalogues.
Inverted ISO names ("Korea, Republic of") are useless for matching prose, so they are dropped and
the short forms that news actually uses come from ``EXTRA`` below.
"""

from __future__ import annotations

import gettext
from pathlib import Path

import pycountry
import yaml

LANGS = ("uk", "bg", "ru")
OUT = Path(__file__).with_name("countries.yaml")

# Canonical English names in the Wikipedia-title style where ISO's differs.
NAMES = {
    "RUS": "Russia",
    "KOR": "South Korea",
    "PRK": "North Korea",
    "IRN": "Iran",
    "SYR": "Syria",
    "MDA": "Moldova",
    "TWN": "Taiwan",
    "VNM": "Vietnam",
    "CZE": "Czech Republic",
    "TUR": "Turkey",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "TZA": "Tanzania",
    "VAT": "Vatican City",
    "LAO": "Laos",
    "PSE": "Palestine",
    "COD": "Democratic Republic of the Congo",
    "COG": "Republic of the Congo",
    "CIV": "Ivory Coast",
    "FSM": "Micronesia",
    "BRN": "Brunei",
    "CPV": "Cape Verde",
    "TLS": "East Timor",
}

# Short and colloquial forms, per language (inflected forms the stemmer cannot reach too).
EXTRA: dict[str, dict[str, list[str]]] = {
    "RUS": {
        "en": ["Russia", "Russian Federation"],
        "uk": ["Росія", "РФ", "Російська Федерація", "Росії", "Росією"],
        "bg": ["Русия", "Руската федерация", "РФ"],
        "ru": ["Россия", "РФ", "Российская Федерация"],
    },
    "UKR": {
        "en": ["Ukraine", "the Ukraine"],
        "uk": ["Україна"],
        "bg": ["Украйна"],
        "ru": ["Украина"],
    },
    "USA": {
        "en": ["United States", "United States of America", "the US", "U.S.", "USA", "the States"],
        "uk": [
            "США",
            "Сполучені Штати",
            "Сполучених Штатів",
            "Сполученими Штатами",
            "Сполученим Штатам",
            "Сполучених Штатах",
            "Америка",
        ],
        "bg": ["САЩ", "Съединените щати", "Съединените американски щати", "Америка"],
        "ru": [
            "США",
            "Соединенные Штаты",
            "Соединённые Штаты",
            "Соединенных Штатов",
            "Соединёнными Штатами",
            "Соединенными Штатами",
            "Америка",
        ],
    },
    "GBR": {
        "en": ["United Kingdom", "UK", "U.K.", "Britain", "Great Britain"],
        "uk": ["Велика Британія", "Великобританія", "Британія", "Великої Британії"],
        "bg": ["Великобритания", "Обединеното кралство", "Британия"],
        "ru": ["Великобритания", "Британия"],
    },
    "KOR": {
        "en": ["South Korea", "Republic of Korea"],
        "uk": ["Південна Корея", "Південної Кореї", "Республіка Корея"],
        "bg": ["Южна Корея"],
        "ru": ["Южная Корея", "Южной Кореи", "Республика Корея"],
    },
    "PRK": {
        "en": ["North Korea", "DPRK", "Democratic People's Republic of Korea"],
        "uk": ["Північна Корея", "Північної Кореї", "КНДР"],
        "bg": ["Северна Корея", "КНДР"],
        "ru": ["Северная Корея", "Северной Кореи", "КНДР"],
    },
    "CHN": {
        "en": ["China", "People's Republic of China", "PRC"],
        "uk": ["КНР"],
        "bg": ["КНР"],
        "ru": ["КНР"],
    },
    "IRN": {"en": ["Iran"], "uk": ["Іран"], "bg": ["Иран"], "ru": ["Иран"]},
    "SYR": {"en": ["Syria"], "uk": ["Сирія"], "bg": ["Сирия"], "ru": ["Сирия"]},
    "MDA": {"en": ["Moldova"], "uk": ["Молдова"], "bg": ["Молдова"], "ru": ["Молдова", "Молдавия"]},
    "BLR": {
        "en": ["Belarus"],
        "uk": ["Білорусь", "Білорусі", "Білоруссю"],
        "bg": ["Беларус"],
        "ru": ["Беларусь", "Белоруссия", "Белоруссии"],
    },
    "TWN": {"en": ["Taiwan"], "uk": ["Тайвань"], "bg": ["Тайван"], "ru": ["Тайвань"]},
    "VNM": {"en": ["Vietnam", "Viet Nam"]},
    "CZE": {"en": ["Czech Republic", "Czechia"]},
    "TUR": {
        "en": ["Turkey", "Türkiye", "Turkiye"],
        "uk": ["Туреччина", "Туреччини"],
        "bg": ["Турция"],
        "ru": ["Турция"],
    },
    "DEU": {"uk": ["Німеччина", "ФРН"], "bg": ["Германия", "ФРГ"], "ru": ["Германия", "ФРГ"]},
    "NLD": {"en": ["Netherlands", "the Netherlands", "Holland"], "bg": ["Нидерландия", "Холандия"]},
    "VEN": {"uk": ["Венесуела"], "bg": ["Венецуела"], "ru": ["Венесуэла"]},
    "LAO": {"uk": ["Лаос"], "bg": ["Лаос"], "ru": ["Лаос"]},
    "PSE": {"uk": ["Палестина"], "bg": ["Палестина"], "ru": ["Палестина"]},
    "SYC": {"en": ["Seychelles"]},
    "ARE": {"en": ["United Arab Emirates", "UAE"], "uk": ["ОАЕ"], "bg": ["ОАЕ"], "ru": ["ОАЭ"]},
    "SAU": {"uk": ["Саудівська Аравія"], "bg": ["Саудитска Арабия"], "ru": ["Саудовская Аравия"]},
    "POL": {"uk": ["Польща", "Польщі"], "bg": ["Полша"], "ru": ["Польша"]},
    "FRA": {"uk": ["Франція"], "bg": ["Франция"], "ru": ["Франция"]},
    "IND": {"uk": ["Індія"], "bg": ["Индия"], "ru": ["Индия"]},
    "GEO": {"uk": ["Грузія"], "bg": ["Грузия"], "ru": ["Грузия"]},
    "HUN": {"uk": ["Угорщина"], "bg": ["Унгария"], "ru": ["Венгрия"]},
    "SVK": {"uk": ["Словаччина"], "bg": ["Словакия"], "ru": ["Словакия"]},
    "ROU": {"uk": ["Румунія"], "bg": ["Румъния"], "ru": ["Румыния"]},
    "BGR": {"uk": ["Болгарія"], "bg": ["България"], "ru": ["Болгария"]},
    "ITA": {"uk": ["Італія"], "bg": ["Италия"], "ru": ["Италия"]},
    "CAN": {"uk": ["Канада"], "bg": ["Канада"], "ru": ["Канада"]},
    "ISR": {"uk": ["Ізраїль"], "bg": ["Израел"], "ru": ["Израиль"]},
    "KAZ": {"uk": ["Казахстан"], "bg": ["Казахстан"], "ru": ["Казахстан"]},
}

WIKIDATA = {
    "RUS": "Q159",
    "UKR": "Q212",
    "USA": "Q30",
    "JPN": "Q17",
    "CHN": "Q148",
    "BLR": "Q184",
    "PRK": "Q423",
    "KOR": "Q884",
    "GBR": "Q145",
    "DEU": "Q183",
    "FRA": "Q142",
    "POL": "Q36",
    "IND": "Q668",
    "TUR": "Q43",
    "IRN": "Q794",
    "ITA": "Q38",
    "CAN": "Q16",
    "LVA": "Q211",
    "LTU": "Q37",
    "EST": "Q191",
    "BGR": "Q219",
    "MDA": "Q217",
    "GEO": "Q230",
    "HUN": "Q28",
    "ROU": "Q218",
    "SVK": "Q214",
    "CZE": "Q213",
    "FIN": "Q33",
    "SWE": "Q34",
    "NOR": "Q20",
    "DNK": "Q35",
    "NLD": "Q55",
    "BEL": "Q31",
    "ESP": "Q29",
    "PRT": "Q45",
    "AUT": "Q40",
    "CHE": "Q39",
    "GRC": "Q41",
    "ISR": "Q801",
    "SYR": "Q858",
    "KAZ": "Q232",
    "AUS": "Q408",
    "BRA": "Q155",
    "ZAF": "Q258",
    "SAU": "Q851",
    "ARE": "Q878",
    "QAT": "Q846",
    "EGY": "Q79",
    "ARM": "Q399",
    "AZE": "Q227",
    "SRB": "Q403",
    "HRV": "Q224",
    "IRL": "Q27",
    "MEX": "Q96",
    "TWN": "Q865",
    "UGA": "Q1036",
    "PAK": "Q843",
    "IDN": "Q252",
    "VNM": "Q881",
    "MNG": "Q711",
    "ISL": "Q189",
    "LUX": "Q32",
    "SVN": "Q215",
    "ALB": "Q222",
    "MKD": "Q221",
    "MNE": "Q236",
    "CYP": "Q229",
    "MLT": "Q233",
    "ARG": "Q414",
    "CHL": "Q298",
    "IRQ": "Q796",
    "AFG": "Q889",
    "LBN": "Q822",
    "JOR": "Q810",
    "VEN": "Q717",
    "CUB": "Q241",
    "NZL": "Q664",
    "SGP": "Q334",
    "PHL": "Q928",
    "THA": "Q869",
    "UZB": "Q265",
}

# Names that are also everyday words; matched only when not sentence-initial.
AMBIGUOUS = {
    "CHD",
    "TGO",
    "MLI",
    "OMN",
    "JEY",
    "NER",
    "PER",
    "GHA",
    "CUB",
    "GIN",
    "GNB",
    "TUR",
    "JOR",
    "NRU",
    "NIU",
    "GUM",
}


def _usable(alias: str) -> bool:
    return bool(alias) and "," not in alias and "(" not in alias


def build() -> list[dict[str, object]]:
    trans = {
        lang: gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        for lang in LANGS
    }
    out: list[dict[str, object]] = []
    for c in pycountry.countries:
        a3 = c.alpha_3
        iso_names = [c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)]
        name = NAMES.get(a3) or getattr(c, "common_name", None) or c.name
        aliases: dict[str, list[str]] = {"en": [name]}
        aliases["en"] += [n for n in iso_names if n and _usable(n)]
        for lang, tr in trans.items():
            aliases[lang] = [tr.gettext(n) for n in iso_names if n]
            aliases[lang] = [a for a in aliases[lang] if _usable(a) and a not in iso_names]
        for lang, extra in EXTRA.get(a3, {}).items():
            aliases[lang] = extra + aliases.get(lang, [])
        entry: dict[str, object] = {
            "key": f"country:{a3}",
            "name": name,
            "kind": "country",
            "country": a3,
            "aliases": {lang: list(dict.fromkeys(v)) for lang, v in aliases.items() if v},
        }
        if a3 in WIKIDATA:
            entry["wikidata"] = WIKIDATA[a3]
        if a3 in AMBIGUOUS:
            entry["ambiguous"] = True
        out.append(entry)
    return out


def main() -> None:
    header = "# GENERATED by build_countries.py from pycountry; edit the script, not this file.\n"
    body = yaml.safe_dump(build(), allow_unicode=True, sort_keys=False, width=100)
    OUT.write_text(header + body, encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
