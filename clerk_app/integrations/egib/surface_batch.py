"""The surface geometries of a batch of features, finished together (the import's geometry path).

Per-feature numpy, pyproj and shapely calls cost more than parsing the XML, so a reader hands
each outline over as its posList tokens (or, for anything but one polygon without holes, as rings
already read) and ``finish`` converts every number with one call, reprojects each CRS once, and
builds and validates the polygons vectorised. Results come back in the order features were added.
"""

from __future__ import annotations

from contextlib import suppress

import numpy as np
import shapely

from clerk_app.integrations.egib.crs import SourceCrs, in_poland_many, to_working
from clerk_app.integrations.egib.errors import FeatureRejected
from clerk_app.integrations.egib.geometry import (
    PendingArea,
    ReadGeometry,
    build_area,
    finish_areas,
    repair_area,
)

Result = ReadGeometry | FeatureRejected


class SurfaceBatch:
    """Collects the geometries of up to a few hundred features; ``finish`` builds them all."""

    __slots__ = ("_areas", "_outlines", "_size", "_tokens")

    def __init__(self) -> None:
        self._size = 0
        self._tokens: list[str] = []
        # Per outline: (position in the batch, CRS, first token, token count).
        self._outlines: list[tuple[int, SourceCrs, int, int]] = []
        self._areas: list[tuple[int, PendingArea]] = []

    def __len__(self) -> int:
        return self._size

    def add_outline(self, source: SourceCrs, tokens: list[str]) -> None:
        """One polygon without holes, as the tokens of its posList (two axes, file order)."""
        count = len(tokens)
        if count % 2:
            raise FeatureRejected("niepełna para współrzędnych w pierścieniu")
        if count < 6:
            raise FeatureRejected("pierścień ma mniej niż trzy wierzchołki")
        self._outlines.append((self._size, source, len(self._tokens), count))
        self._tokens += tokens
        self._size += 1

    def add_area(self, pending: PendingArea) -> None:
        """Any other surface, already read into rings by ``GeometryReader``."""
        self._areas.append((self._size, pending))
        self._size += 1

    def finish(self) -> list[Result]:
        """One result per feature added: the built geometry or why it was rejected."""
        results: list[Result | None] = [None] * self._size
        if self._areas:
            finished = finish_areas([pending for _, pending in self._areas])
            for (i, _), result in zip(self._areas, finished, strict=True):
                results[i] = result
        if self._outlines:
            self._finish_outlines(results)
        return [r if r is not None else FeatureRejected("brak geometrii") for r in results]

    def _finish_outlines(self, results: list[Result | None]) -> None:
        pairs = self._numbers(results).reshape(-1, 2)
        groups: dict[SourceCrs, list[tuple[int, SourceCrs, int, int]]] = {}
        for outline in self._outlines:
            if results[outline[0]] is None:
                groups.setdefault(outline[1], []).append(outline)
        for source, outlines in groups.items():
            indices = [o[0] for o in outlines]
            starts = np.fromiter((o[2] for o in outlines), np.int64, len(outlines)) // 2
            counts = np.fromiter((o[3] for o in outlines), np.int64, len(outlines)) // 2
            offsets = np.cumsum(counts) - counts
            total = int(counts.sum())
            if total == len(pairs):
                chosen = pairs  # the usual batch: every outline usable, all in one CRS
            else:
                chosen = pairs[np.repeat(starts - offsets, counts) + np.arange(total)]
            first, second = chosen[:, 0], chosen[:, 1]
            declared = (second, first) if source.northing_first else (first, second)
            x, y = to_working(source.epsg, *declared)
            inside = in_poland_many(x[offsets], y[offsets])
            if not inside.all():
                for k in np.flatnonzero(~inside).tolist():
                    # Perhaps the other axis order: build_area tries it, or rejects the feature.
                    part = slice(offsets[k], offsets[k] + counts[k])
                    results[indices[k]] = _build_one(
                        PendingArea([[(first[part].copy(), second[part].copy())]], source)
                    )
                indices = [i for i, keep in zip(indices, inside.tolist(), strict=True) if keep]
                mask = np.repeat(inside, counts)
                x, y, counts = x[mask], y[mask], counts[inside]
            if indices:
                _build_polygons(source.epsg, indices, x, y, counts, results)

    def _numbers(self, results: list[Result | None]) -> np.ndarray:
        """All tokens as floats; outlines with a bad or non-finite number are rejected."""
        tokens = self._tokens
        try:
            values = np.array(tokens, dtype=np.float64)
        except ValueError:
            values = np.full(len(tokens), np.nan)
            for _i, _source, start, count in self._outlines:
                with suppress(ValueError):  # a bad number leaves NaN: rejected below
                    values[start : start + count] = np.array(
                        tokens[start : start + count], dtype=np.float64
                    )
        finite = np.isfinite(values)
        if not finite.all():
            for i, _source, start, count in self._outlines:
                if not finite[start : start + count].all():
                    results[i] = FeatureRejected("niepoprawne liczby we współrzędnych")
        return values


def _build_polygons(
    epsg: int,
    indices: list[int],
    x: np.ndarray,
    y: np.ndarray,
    counts: np.ndarray,
    results: list[Result | None],
) -> None:
    """Polygons from reprojected outlines (``counts`` vertices each), checked and repaired."""
    try:
        rings = np.repeat(np.arange(len(indices)), counts)
        polygons = shapely.polygons(shapely.linearrings(np.column_stack([x, y]), indices=rings))
    except (ValueError, shapely.errors.GEOSException) as exc:
        if len(indices) == 1:
            results[indices[0]] = FeatureRejected(f"nie można zbudować wielokąta: {exc}")
            return
        # Some ring cannot be built (e.g. three points, closed): find it one by one.
        offsets = (np.cumsum(counts) - counts).tolist()
        for k, i in enumerate(indices):
            part = slice(offsets[k], offsets[k] + int(counts[k]))
            _build_polygons(epsg, [i], x[part], y[part], counts[k : k + 1], results)
        return
    valid = shapely.is_valid(polygons).tolist()
    for k, i in enumerate(indices):
        if valid[k]:
            results[i] = ReadGeometry(polygons[k], epsg, False, False)
        else:
            try:
                results[i] = ReadGeometry(repair_area(polygons[k]), epsg, True, False)
            except FeatureRejected as exc:
                results[i] = exc


def _build_one(item: PendingArea) -> Result:
    try:
        return build_area(item.polygons, item.source)
    except FeatureRejected as exc:
        return exc
