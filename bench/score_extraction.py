"""Score ``extract`` against the hand-annotated seeds.

    python bench/score_extraction.py --gold ../shared/seeds-gold.json [--seeds seeds/] [-v]

Actors and places: set of canonical names found vs gold (case-insensitive). Events: one-to-one
greedy matching on type plus a shared participant (actors and targets) or the same place.
Quantities: exact dict equality on matched events whose gold has quantities. Dates: matched
events whose gold ``date_text`` is not marked "resolved" (ISO day, or YYYY-MM for month).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.extraction.pipeline import extract
from app.extraction.types import ExtractedEvent, Extraction


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def _name(x: Extraction, key: str | None) -> str | None:
    if key is None:
        return None
    if key in x.actors:
        return x.actors[key].name.lower()
    if key in x.places:
        return x.places[key].name.lower()
    return key.lower()


def _date_str(ev: ExtractedEvent) -> str | None:
    if ev.date is None:
        return None
    return ev.date.strftime("%Y-%m") if ev.date_precision == "month" else ev.date.isoformat()


def match_events(
    gold: list[dict[str, Any]], x: Extraction
) -> list[tuple[dict[str, Any], ExtractedEvent]]:
    pairs: list[tuple[int, int, int]] = []
    for gi, g in enumerate(gold):
        gp = {n.lower() for n in g["actors"] + g["targets"]}
        gl = (g.get("location") or "").lower() or None
        for ei, e in enumerate(x.events):
            if e.type != g["type"]:
                continue
            ep = {_name(x, k) for k in e.source_keys + e.target_keys}
            shared = len(gp & ep)
            same_place = gl is not None and _name(x, e.place_key) == gl
            if shared or same_place:
                pairs.append((shared + int(same_place), gi, ei))
    pairs.sort(key=lambda t: (-t[0], t[1], t[2]))
    used_g: set[int] = set()
    used_e: set[int] = set()
    out = []
    for _, gi, ei in pairs:
        if gi in used_g or ei in used_e:
            continue
        used_g.add(gi)
        used_e.add(ei)
        out.append((gold[gi], x.events[ei]))
    return out


def score(gold_path: Path, seeds_dir: Path, verbose: bool = False) -> dict[str, Any]:
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    acc: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for fname, g in sorted(gold.items()):
        text = (seeds_dir / fname).read_text(encoding="utf-8")
        lang = g["language"]
        x = extract(text)
        for what, found, want in (
            (
                "actors",
                {a.name.lower() for a in x.actors.values()},
                {a["name"].lower() for a in g["actors"]},
            ),
            (
                "places",
                {p.name.lower() for p in x.places.values()},
                {p["name"].lower() for p in g["places"]},
            ),
        ):
            for bucket in (lang, "all"):
                c = counts[bucket][what]
                c[0] += len(found & want)
                c[1] += len(found - want)
                c[2] += len(want - found)
            if verbose:
                print(f"{fname} {what}: FP={sorted(found - want)} FN={sorted(want - found)}")
        pairs = match_events(g["events"], x)
        for bucket in (lang, "all"):
            c = counts[bucket]["events"]
            c[0] += len(pairs)
            c[1] += len(x.events) - len(pairs)
            c[2] += len(g["events"]) - len(pairs)
        for ge, ee in pairs:
            if ge.get("quantities"):
                ok = ge["quantities"] == ee.quantities
                for bucket in (lang, "all"):
                    acc[bucket]["quantities"][0] += ok
                    acc[bucket]["quantities"][1] += 1
                if verbose and not ok:
                    print(f"{fname} quantities: gold={ge['quantities']} got={ee.quantities}")
            if "resolved" not in (ge.get("date_text") or ""):
                ok = ge.get("date") == _date_str(ee)
                for bucket in (lang, "all"):
                    acc[bucket]["dates"][0] += ok
                    acc[bucket]["dates"][1] += 1
                if verbose and not ok:
                    print(f"{fname} date: gold={ge.get('date')} got={_date_str(ee)}")
        if verbose:
            matched = {id(e) for _, e in pairs}
            for e in x.events:
                if id(e) not in matched:
                    print(f"{fname} event FP: {e.type} {e.summary}")
            got = {id(gg) for gg, _ in pairs}
            for ge in g["events"]:
                if id(ge) not in got:
                    print(
                        f"{fname} event FN: {ge['type']} {ge['actors']}->{ge['targets']} "
                        f"@{ge.get('location')}"
                    )
    return {"counts": counts, "acc": acc}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default="../shared/seeds-gold.json")
    ap.add_argument("--seeds", default="seeds/")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    res = score(Path(args.gold).resolve(), Path(args.seeds).resolve(), args.verbose)
    counts, acc = res["counts"], res["acc"]
    buckets = [*sorted(k for k in counts if k != "all"), "all"]
    print(f"{'lang':<5} {'what':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'P':>6} {'R':>6} {'F1':>6}")
    for b in buckets:
        for what in ("actors", "places", "events"):
            tp, fp, fn = counts[b][what]
            p, r, f = _prf(tp, fp, fn)
            print(f"{b:<5} {what:<10} {tp:>4} {fp:>4} {fn:>4} {p:>6.2f} {r:>6.2f} {f:>6.2f}")
    print()
    print(f"{'lang':<5} {'what':<10} {'ok':>4} {'n':>4} {'acc':>6}")
    for b in buckets:
        for what in ("quantities", "dates"):
            ok, n = acc[b][what]
            print(f"{b:<5} {what:<10} {ok:>4} {n:>4} {ok / n if n else 1.0:>6.2f}")


if __name__ == "__main__":
    main()
