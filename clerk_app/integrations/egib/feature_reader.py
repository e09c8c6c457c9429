"""The shared loop of the GML readers: stream features, turn each into records, keep a summary."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from clerk_app.integrations.egib.crs import UnknownCrsError
from clerk_app.integrations.egib.errors import FeatureRejected, GmlImportError, ImportCancelled
from clerk_app.integrations.egib.geometry import (
    GeometryReader,
    PendingArea,
    ReadGeometry,
    finish_areas,
    local_name,
)
from clerk_app.integrations.egib.records import ImportSummary, RejectedFeature
from clerk_app.integrations.egib.xml_stream import (
    MAX_FILE_BYTES,
    CancelCheck,
    FeatureStream,
    ProgressCallback,
)

BATCH_SIZE = 256


@dataclass(frozen=True, slots=True)
class Draft:
    """A feature whose attributes are read; ``build`` makes the record once its geometry is done.

    Geometry is finished in batches (``finish_areas``) because per-feature reprojection and
    shapely calls would dominate import time.
    """

    pending: PendingArea
    build: Callable[[ReadGeometry], Any]
    label: str
    line: int
    counts: bool = True


class GmlFeatureReader:
    """Shared loop: stream features, turn each into records, keep the summary."""

    def __init__(
        self,
        path: Path | str,
        *,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        default_srs_name: str | None = None,
        max_bytes: int = MAX_FILE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.summary = ImportSummary(path=str(self.path))
        self._stream = FeatureStream(
            self.path, progress=progress, cancel=cancel, max_bytes=max_bytes
        )
        self._geometry = GeometryReader(default_srs_name)
        self._explicit_srs = default_srs_name is not None

    def __iter__(self) -> Iterator[Any]:
        queue: list[Any] = []
        drafts = 0
        try:
            for feature in self._stream:
                if not self._explicit_srs and self._stream.envelope_srs_name:
                    self._geometry.default_srs_name = self._stream.envelope_srs_name
                try:
                    for item in self._read_feature(feature):
                        queue.append(item)
                        drafts += isinstance(item, Draft)
                except FeatureRejected as exc:
                    self.summary.rejected.append(
                        RejectedFeature(self._label(feature), feature.sourceline, str(exc))
                    )
                except UnknownCrsError as exc:
                    raise GmlImportError(
                        str(exc),
                        path=self.path,
                        line=feature.sourceline,
                        feature=self._label(feature),
                    ) from exc
                if drafts >= BATCH_SIZE:
                    yield from self._flush(queue)
                    queue, drafts = [], 0
                self.summary.bytes_read = self._stream.bytes_read
            yield from self._flush(queue)
        except ImportCancelled:
            self.summary.cancelled = True
            raise
        self.summary.bytes_read = self._stream.bytes_read
        self.summary.total_bytes = self._stream.total_bytes
        self._finish()

    def _flush(self, queue: list[Any]) -> Iterator[Any]:
        drafts = [item for item in queue if isinstance(item, Draft)]
        results = iter(finish_areas([d.pending for d in drafts]))
        for item in queue:
            if not isinstance(item, Draft):
                yield item
                continue
            result = next(results)
            if isinstance(result, FeatureRejected):
                self.summary.rejected.append(RejectedFeature(item.label, item.line, str(result)))
                continue
            self.summary.repaired += result.repaired
            self.summary.axis_swapped += result.axis_swapped
            self.summary.read += item.counts
            yield item.build(result)

    def _pending_area(self, element: etree._Element | None) -> PendingArea:
        """Find and parse the surface geometry inside a property element."""
        surface = self._geometry.find_surface(element) if element is not None else None
        if surface is None:
            raise FeatureRejected("brak geometrii powierzchniowej")
        return self._geometry.parse_area(surface)

    def _label(self, feature: etree._Element) -> str:
        """How a rejected feature is named to the clerk: its gml:id, else its type."""
        gml_id = feature.get("{http://www.opengis.net/gml/3.2}id") or feature.get(
            "{http://www.opengis.net/gml}id"
        )
        return gml_id or local_name(feature)

    def _read_feature(self, feature: etree._Element) -> Iterator[Any]:
        """Records and ``Draft``s of one feature; raise ``FeatureRejected`` to skip it."""
        raise NotImplementedError

    def _finish(self) -> None:
        """Checks once the whole file has been read."""
