"""Large synthetic EGiB GML (2021 schema) for benchmarks and memory tests.

Parcels are star-shaped (hence valid) polygons of 6-20 vertices, 15-60 m across, scattered over
a 300 x 300 km square of central Poland in EPSG:2180, written northing first as EPSG demands.
Run ``python -m clerk_app.integrations.egib.synthetic OUT.gml N`` to make one.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

EGIB_2021_NAMESPACE = "urn:gugik:specyfikacje:gmlas:ewidencjaGruntowIBudynkow:1.0"
AREA_ORIGIN = (350_000.0, 300_000.0)  # easting, northing of the south-west corner (EPSG:2180)
AREA_SIDE_M = 300_000.0
PARCELS_PER_PRECINCT = 2_000
_UNIT = "146501_1"

_HEADER = f"""<?xml version="1.0" encoding="UTF-8"?>
<gml:FeatureCollection xmlns:gml="http://www.opengis.net/gml/3.2"
 xmlns:egb="{EGIB_2021_NAMESPACE}" xmlns:xlink="http://www.w3.org/1999/xlink"
 gml:id="synthetic">
"""
_PRECINCT = """<gml:featureMember><egb:EGB_ObrebEwidencyjny gml:id="SYN_obr{n}">
<egb:idIIP><egb:EGB_IdentyfikatorIIP><egb:lokalnyId>obr{n}</egb:lokalnyId>
<egb:przestrzenNazw>PL.SYN.EGiB</egb:przestrzenNazw></egb:EGB_IdentyfikatorIIP></egb:idIIP>
<egb:idObrebu>{unit}.{n:04d}</egb:idObrebu><egb:nazwaWlasna>Obręb {n}</egb:nazwaWlasna>
</egb:EGB_ObrebEwidencyjny></gml:featureMember>
"""
_PARCEL = """<gml:featureMember><egb:EGB_DzialkaEwidencyjna gml:id="SYN_{i}">
<egb:idIIP><egb:EGB_IdentyfikatorIIP><egb:lokalnyId>p{i}</egb:lokalnyId>
<egb:przestrzenNazw>PL.SYN.EGiB</egb:przestrzenNazw>
<egb:wersjaId>2024-01-01T00:00:00</egb:wersjaId></egb:EGB_IdentyfikatorIIP></egb:idIIP>
<egb:idDzialki>{unit}.{precinct:04d}.{number}</egb:idDzialki>
<egb:geometria><gml:Polygon gml:id="SYN_g{i}" srsName="urn:ogc:def:crs:EPSG::2180">
<gml:exterior><gml:LinearRing><gml:posList>{pos}</gml:posList></gml:LinearRing></gml:exterior>
</gml:Polygon></egb:geometria>
<egb:poleEwidencyjne uom="ha">{area:.4f}</egb:poleEwidencyjne>
<egb:klasouzytek><egb:EGB_Klasouzytek><egb:OFU>{ofu}</egb:OFU><egb:OZU>{ofu}</egb:OZU>
<egb:OZK>IV</egb:OZK><egb:powierzchnia uom="ha">{area:.4f}</egb:powierzchnia>
</egb:EGB_Klasouzytek></egb:klasouzytek>
<egb:JRG2 xlink:href="PL.SYN.EGiB_jrg{jrg}_2024-01-01T00-00-00"/>
<egb:lokalizacjaDzialki xlink:href="PL.SYN.EGiB_obr{precinct}_2024-01-01T00-00-00"/>
</egb:EGB_DzialkaEwidencyjna></gml:featureMember>
"""
_FOOTER = "</gml:FeatureCollection>\n"
_LAND_USES = ("R", "B", "Ps", "Ł", "Ls", "dr")


@dataclass(frozen=True, slots=True)
class SyntheticFile:
    path: Path
    parcels: int
    precincts: int
    total_area_ha: float


def star_polygon(rng: random.Random, easting: float, northing: float) -> list[tuple[float, float]]:
    """A closed star-shaped ring (easting, northing) of 6-20 vertices around a centre."""
    vertices = rng.randint(6, 20)
    radius = rng.uniform(15.0, 60.0)
    # Jittered, evenly spread angles: every gap stays below pi, so the ring never crosses itself.
    step = 2 * math.pi / vertices
    angles = [(k + rng.uniform(0.1, 0.9)) * step for k in range(vertices)]
    ring = []
    for angle in angles:
        reach = radius * rng.uniform(0.6, 1.0)
        ring.append((easting + reach * math.cos(angle), northing + reach * math.sin(angle)))
    ring.append(ring[0])
    return ring


def ring_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in square metres."""
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in pairwise(ring)) / 2)


def write_synthetic_egib(path: Path | str, parcels: int, *, seed: int = 1) -> SyntheticFile:
    """Write ``parcels`` parcels (and their precincts) to ``path``; deterministic per seed."""
    rng = random.Random(seed)
    target = Path(path)
    precincts = max(1, math.ceil(parcels / PARCELS_PER_PRECINCT))
    total_area = 0.0
    with open(target, "w", encoding="utf-8", newline="\n") as out:
        out.write(_HEADER)
        for n in range(1, precincts + 1):
            out.write(_PRECINCT.format(n=n, unit=_UNIT))
        for i in range(parcels):
            easting = AREA_ORIGIN[0] + rng.uniform(0.0, AREA_SIDE_M)
            northing = AREA_ORIGIN[1] + rng.uniform(0.0, AREA_SIDE_M)
            ring = star_polygon(rng, easting, northing)
            area_ha = round(ring_area(ring) / 10_000.0, 4)
            total_area += area_ha
            pos = " ".join(f"{n:.2f} {e:.2f}" for e, n in ring)
            out.write(
                _PARCEL.format(
                    i=i,
                    unit=_UNIT,
                    precinct=i // PARCELS_PER_PRECINCT + 1,
                    number=i % PARCELS_PER_PRECINCT + 1,
                    pos=pos,
                    area=area_ha,
                    ofu=_LAND_USES[i % len(_LAND_USES)],
                    jrg=i // 3,
                )
            )
        out.write(_FOOTER)
    return SyntheticFile(target, parcels, precincts, total_area)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2 or not args[1].isdigit():
        print("użycie: python -m clerk_app.integrations.egib.synthetic PLIK.gml LICZBA_DZIAŁEK")
        return 2
    result = write_synthetic_egib(args[0], int(args[1]))
    print(f"{result.parcels} działek, {result.precincts} obrębów -> {result.path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
