"""Generated JSTs with TERYT-like codes: powiats (WWPP), cities with powiat rights (WWPP011)
and gminas (WWPPGGT, T = 1 urban, 2 rural, 3 urban-rural), spread over the voivodeships as the
real gminas are."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass

from bench.names import PLACE_STEMS, PLACE_SUFFIXES, POWIAT_ADJECTIVES, VOIVODESHIPS
from storage.models import JstKind

# Poland: 314 powiats and 66 cities with powiat rights among about 2,800 JSTs that run schools.
POWIAT_SHARE = 314 / 2800
CITY_SHARE = 66 / 2800
CITY_POWIAT_FROM = 61  # TERYT numbers cities with powiat rights from 61 within a voivodeship
GMINAS_PER_POWIAT = 10
GMINA_TYPES = (
    (1, JstKind.GMINA_MIEJSKA, 0.12),
    (2, JstKind.GMINA_WIEJSKA, 0.62),
    (3, JstKind.GMINA_MIEJSKO_WIEJSKA, 0.26),
)


@dataclass(frozen=True)
class Place:
    """One JST as the import file would describe it."""

    teryt: str
    name: str
    kind: JstKind
    voivodeship: str


def places(count: int, rng: random.Random) -> list[Place]:
    """`count` JSTs with unique TERYT codes, in TERYT order."""
    powiats = round(count * POWIAT_SHARE)
    cities = round(count * CITY_SHARE)
    gminas = count - powiats - cities
    codes = [code for code, _, _ in VOIVODESHIPS]
    weights = [weight for _, _, weight in VOIVODESHIPS]
    per_kind = {
        kind: Counter(rng.choices(codes, weights, k=number))
        for kind, number in (("powiat", powiats), ("city", cities), ("gmina", gminas))
    }
    names = {code: name for code, name, _ in VOIVODESHIPS}
    found: list[Place] = []
    for code in codes:
        counts = (per_kind["powiat"][code], per_kind["city"][code], per_kind["gmina"][code])
        found += _voivodeship(code, names[code], counts, rng)
    return sorted(found, key=lambda place: place.teryt)


def _voivodeship(
    code: str, name: str, counts: tuple[int, int, int], rng: random.Random
) -> list[Place]:
    """The voivodeship's powiats, cities and gminas (`counts` of each)."""
    powiats, cities, gminas = counts
    found = [
        Place(
            f"{code}{number:02d}", f"Powiat {rng.choice(POWIAT_ADJECTIVES)}", JstKind.POWIAT, name
        )
        for number in range(1, powiats + 1)
    ]
    found += [
        Place(
            f"{code}{CITY_POWIAT_FROM + index:02d}011",
            f"Miasto {rng.choice(PLACE_STEMS)}",
            JstKind.MIASTO_NA_PRAWACH_POWIATU,
            name,
        )
        for index in range(cities)
    ]
    return found + _gminas(code, name, gminas, powiats, rng)


def _gminas(code: str, name: str, count: int, powiats: int, rng: random.Random) -> list[Place]:
    """`count` gminas spread over the voivodeship's powiats in turn."""
    powiat_numbers = max(powiats, -(-count // GMINAS_PER_POWIAT), 1)
    next_gmina: Counter[int] = Counter()
    found = []
    for index in range(count):
        powiat = index % powiat_numbers + 1
        next_gmina[powiat] += 1
        digit, kind = _gmina_type(rng)
        place = rng.choice(PLACE_STEMS) + rng.choice(PLACE_SUFFIXES)
        prefix = "Gmina Miejska" if kind is JstKind.GMINA_MIEJSKA else "Gmina"
        teryt = f"{code}{powiat:02d}{next_gmina[powiat]:02d}{digit}"
        found.append(Place(teryt, f"{prefix} {place}", kind, name))
    return found


def _gmina_type(rng: random.Random) -> tuple[int, JstKind]:
    digit, kind, _ = rng.choices(GMINA_TYPES, [share for _, _, share in GMINA_TYPES])[0]
    return digit, kind
